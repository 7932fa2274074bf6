package sshexec

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"
)

// testServer is an in-process SSH server: it runs exec requests with the real /bin/sh (stdin from
// the channel, exit status back, "signal" requests kill the process group, like OpenSSH), and
// serves direct-tcpip channels to a fixed set of routes, so it can act as a bastion.
type testServer struct {
	ln      net.Listener
	port    int
	hostKey ssh.Signer // the first host key
	config  *ssh.ServerConfig
	env     []string
	// routes maps the "host:port" a client asks a bastion for to a real address. Names in it do
	// not resolve anywhere else, which proves a connection went through the bastion.
	routes map[string]string

	ignoreSignals bool        // refuse "signal" requests, as OpenSSH does on root logins
	frozen        atomic.Bool // stop reading from every connection: keepalives go unanswered
	done          chan struct{}

	mu        sync.Mutex
	execs     []string
	users     []string
	conns     []net.Conn
	procs     []*os.Process
	forwarded int
}

type serverOption func(*testServer)

func withHostKeys(keys ...ssh.Signer) serverOption {
	return func(s *testServer) {
		s.hostKey = keys[0]
		for _, k := range keys {
			s.config.AddHostKey(k)
		}
	}
}

func withEnv(kv ...string) serverOption {
	return func(s *testServer) { s.env = append(s.env, kv...) }
}

// withoutSignals makes the server ignore "signal" requests, as OpenSSH does for root logins.
func withoutSignals() serverOption { return func(s *testServer) { s.ignoreSignals = true } }

func withRoutes(routes map[string]string) serverOption {
	return func(s *testServer) { s.routes = routes }
}

// newTestServer listens on 127.0.0.1:0 and accepts the given client keys for any user.
func newTestServer(t testing.TB, authorized []ssh.PublicKey, opts ...serverOption) *testServer {
	t.Helper()
	s := &testServer{done: make(chan struct{}), env: []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}}
	allowed := map[string]bool{}
	for _, k := range authorized {
		allowed[string(k.Marshal())] = true
	}
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(md ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if !allowed[string(key.Marshal())] {
				return nil, errors.New("key not authorized")
			}
			s.mu.Lock()
			s.users = append(s.users, md.User())
			s.mu.Unlock()
			return nil, nil
		},
	}
	for _, o := range opts {
		o(s)
	}
	if s.hostKey == nil {
		withHostKeys(newSigner(t))(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.port = ln, ln.Addr().(*net.TCPAddr).Port
	go s.serve()
	t.Cleanup(s.close)
	return s
}

func (s *testServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// endpoint is how a client reaches this server directly.
func (s *testServer) endpoint(user, knownHosts string, keyFiles ...string) Endpoint {
	return Endpoint{Address: "127.0.0.1", Port: s.port, User: user, KeyFiles: keyFiles, KnownHosts: knownHosts}
}

func (s *testServer) execCommands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.execs...)
}

func (s *testServer) forwards() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forwarded
}

// freeze makes the server stop reading: from the client's side it is a host that vanished.
func (s *testServer) freeze() { s.frozen.Store(true) }

// dropConnections closes every TCP connection, like a host that reboots.
func (s *testServer) dropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}

func (s *testServer) close() {
	close(s.done)
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	for _, p := range s.procs {
		syscall.Kill(-p.Pid, syscall.SIGKILL) // leftovers of a failed test
	}
}

func (s *testServer) serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, nc)
		s.mu.Unlock()
		go s.serveConn(&freezableConn{Conn: nc, s: s})
	}
}

func (s *testServer) serveConn(nc net.Conn) {
	_, chans, reqs, err := ssh.NewServerConn(nc, s.config)
	if err != nil {
		nc.Close()
		return
	}
	go ssh.DiscardRequests(reqs) // answers keepalive@openssh.com with "failure", as OpenSSH does
	for nch := range chans {
		switch nch.ChannelType() {
		case "session":
			go s.handleSession(nch)
		case "direct-tcpip":
			go s.handleDirectTCPIP(nch)
		default:
			nch.Reject(ssh.UnknownChannelType, "unsupported")
		}
	}
}

func (s *testServer) handleSession(nch ssh.NewChannel) {
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	var cmd *exec.Cmd
	for req := range reqs {
		switch req.Type {
		case "exec":
			var p struct{ Command string }
			if cmd != nil || ssh.Unmarshal(req.Payload, &p) != nil {
				req.Reply(false, nil)
				continue
			}
			s.mu.Lock()
			s.execs = append(s.execs, p.Command)
			s.mu.Unlock()
			cmd, err = s.start(ch, p.Command)
			req.Reply(err == nil, nil)
			if err != nil {
				ch.Close()
			}
		case "signal":
			var p struct{ Signal string }
			if cmd != nil && !s.ignoreSignals && ssh.Unmarshal(req.Payload, &p) == nil {
				if sig, ok := signalByName(p.Signal); ok {
					syscall.Kill(-cmd.Process.Pid, sig) // the process group, as OpenSSH does
				}
			}
			if req.WantReply {
				req.Reply(true, nil)
			}
		default:
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
	}
}

func signalByName(name string) (syscall.Signal, bool) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL, syscall.SIGINT, syscall.SIGHUP} {
		if signalName(sig) == name {
			return sig, true
		}
	}
	return 0, false
}

// signalName is the RFC 4254 name: the signal without "SIG".
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "TERM"
	case syscall.SIGKILL:
		return "KILL"
	case syscall.SIGINT:
		return "INT"
	case syscall.SIGHUP:
		return "HUP"
	}
	return "USR1"
}

func (s *testServer) start(ch ssh.Channel, command string) (*exec.Cmd, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.procs = append(s.procs, cmd.Process)
	s.mu.Unlock()
	go func() {
		io.Copy(stdin, ch)
		stdin.Close()
	}()
	go func() {
		cmd.Wait()
		st := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if st.Signaled() {
			name := signalName(st.Signal())
			ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
				Signal     string
				CoreDumped bool
				Error      string
				Lang       string
			}{Signal: name}))
		} else {
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(st.ExitStatus())}))
		}
		ch.Close()
	}()
	return cmd, nil
}

func (s *testServer) handleDirectTCPIP(nch ssh.NewChannel) {
	var p struct {
		Host       string
		Port       uint32
		OriginHost string
		OriginPort uint32
	}
	if err := ssh.Unmarshal(nch.ExtraData(), &p); err != nil {
		nch.Reject(ssh.ConnectionFailed, "bad payload")
		return
	}
	target, ok := s.routes[net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))]
	if !ok {
		nch.Reject(ssh.Prohibited, "no route")
		return
	}
	conn, err := net.Dial("tcp", target)
	if err != nil {
		nch.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nch.Accept()
	if err != nil {
		conn.Close()
		return
	}
	s.mu.Lock()
	s.forwarded++
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	go ssh.DiscardRequests(reqs)
	go func() {
		io.Copy(ch, conn)
		ch.CloseWrite()
	}()
	go func() {
		io.Copy(conn, ch)
		conn.(*net.TCPConn).CloseWrite()
	}()
}

// freezableConn stops delivering data once the server is frozen, without closing anything.
type freezableConn struct {
	net.Conn
	s *testServer
}

func (c *freezableConn) Read(b []byte) (int, error) {
	if c.s.frozen.Load() {
		<-c.s.done
		return 0, net.ErrClosed
	}
	n, err := c.Conn.Read(b)
	if c.s.frozen.Load() {
		<-c.s.done
		return 0, net.ErrClosed
	}
	return n, err
}

func newSigner(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
