package sshexec

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const sshdPath = "/usr/sbin/sshd"

// startOpenSSH runs the real sshd on 127.0.0.1 with a throwaway host key and authorized_keys, and
// returns its port and host key.
func startOpenSSH(t *testing.T, authorized ssh.PublicKey) (int, ssh.PublicKey) {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		t.Skipf("OpenSSH server not installed (%s): %v", sshdPath, err)
	}
	if os.Geteuid() != 0 {
		t.Skip("the OpenSSH integration test needs root: sshd must switch users and open /run/sshd")
	}
	// sshd refuses to start without its privilege separation directory, which systemd normally
	// creates when the service starts.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Skipf("no /run/sshd: %v", err)
	}
	dir := t.TempDir()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostPub, err := ssh.NewPublicKey(hostPriv.Public())
	if err != nil {
		t.Fatal(err)
	}
	hostKeyFile := filepath.Join(dir, "ssh_host_ed25519_key")
	block, err := ssh.MarshalPrivateKey(hostPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("ssh_host_ed25519_key", pem.EncodeToMemory(block))
	authorizedKeys := write("authorized_keys", ssh.MarshalAuthorizedKey(authorized))

	for attempt := 0; ; attempt++ {
		port := freePort(t)
		config := write("sshd_config", []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel VERBOSE
`, port, hostKeyFile, authorizedKeys, filepath.Join(dir, "sshd.pid"))))
		var logs syncBuffer
		cmd := exec.Command(sshdPath, "-D", "-e", "-f", config)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
			if t.Failed() {
				t.Logf("sshd log:\n%s", logs.String())
			}
		})
		if waitListening(port, exited) {
			return port, hostPub
		}
		if attempt == 2 {
			t.Fatalf("sshd did not start:\n%s", logs.String())
		}
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitListening(port int, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false // e.g. the port was taken meanwhile
		default:
		}
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func TestOpenSSHServer(t *testing.T) {
	key := newClientKey(t, "")
	port, hostKey := startOpenSSH(t, key.pub)
	knownHostsFile := filepath.Join(t.TempDir(), "known_hosts")
	ep := Endpoint{Address: "127.0.0.1", Port: port, User: "root", KeyFiles: []string{key.path}, KnownHosts: knownHostsFile}
	ctx := context.Background()

	// Unknown, then trusted on first use, then known.
	if _, err := Dial(ctx, ep, Options{}); !isHostKeyError(err, HostKeyUnknown) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(hostKey)) {
		t.Fatalf("first contact: %v", err)
	}
	dialOK(t, ep, Options{TrustOnFirstUse: true})
	if keygen, err := exec.LookPath("ssh-keygen"); err == nil {
		// OpenSSH itself must find the entry we wrote.
		out, err := exec.Command(keygen, "-F", fmt.Sprintf("[127.0.0.1]:%d", port), "-f", knownHostsFile).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "ssh-ed25519") {
			t.Errorf("ssh-keygen -F does not find our known_hosts entry: %v: %s", err, out)
		}
	}
	// sshd answers keepalives with "request failed"; that must count as a reply. (The interval
	// leaves room for a loaded machine: sshd can take seconds to start a session.)
	c := dialOK(t, ep, Options{KeepAlive: time.Second})

	t.Run("run", func(t *testing.T) {
		res, err := c.Run(ctx, Cmd{Script: "sleep 3.5; id -u; echo err >&2"})
		if err != nil || string(res.Stdout) != "0\n" || string(res.Stderr) != "err\n" {
			t.Fatalf("got %q %q %v", res.Stdout, res.Stderr, err)
		}
	})
	t.Run("exit status", func(t *testing.T) {
		_, err := c.Run(ctx, Cmd{Script: "echo failing >&2; exit 7"})
		var exitErr *ExitError
		if !errors.As(err, &exitErr) || exitErr.Code != 7 || exitErr.StderrTail != "failing" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancel kills the remote process", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pid, errc := startSleeper(t, ctx, c, "")
		cancel()
		// Bounded by design: at most terminateGrace and closeWait.
		if err := waitErr(t, errc, terminateGrace+closeWait+3*time.Second); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		// sshd ignores signals for root: the kill goes through a second session, which sshd may
		// take a while to start on a busy machine.
		waitGone(t, pid, 15*time.Second)
	})
	t.Run("more concurrent runs than MaxSessions", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range maxSessions + 2 {
			wg.Go(func() {
				res, err := c.Run(ctx, Cmd{Script: fmt.Sprintf("sleep 0.5; echo %d", i)})
				if err != nil || string(res.Stdout) != fmt.Sprintf("%d\n", i) {
					t.Errorf("run %d: %q %v", i, res.Stdout, err)
				}
			})
		}
		wg.Wait()
	})
}
