package sshexec

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/swapboot/swapboot/internal/syncbuf"
)

// clientKey is a user key pair with the private half in a file.
type clientKey struct {
	path string
	pub  ssh.PublicKey
	priv ed25519.PrivateKey
}

func newClientKey(t testing.TB, passphrase string) clientKey {
	t.Helper()
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if passphrase != "" {
		if k, ok := encryptedKeyFromSSHKeygen(t, path, passphrase); ok {
			return k
		}
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{path: path, pub: pub, priv: priv}
}

// encryptedKeyFromSSHKeygen makes an encrypted key the way users do, with one bcrypt round: the
// library's fixed 16 rounds take seconds under the race detector.
func encryptedKeyFromSSHKeygen(t testing.TB, path, passphrase string) (clientKey, bool) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		return clientKey{}, false
	}
	out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-a", "1", "-N", passphrase, "-C", "test", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	b, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{path: path, pub: pub}, true
}

// writeKnownHosts writes a known_hosts file with one line per entry and returns its path.
func writeKnownHosts(t testing.TB, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// knownLine is the known_hosts line recording s's first host key.
func (s *testServer) knownLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.addr())}, s.hostKey.PublicKey())
}

// fixture is a server that knows one client key, and a known_hosts file that knows the server.
type fixture struct {
	srv        *testServer
	key        clientKey
	knownHosts string
	logs       *syncBuffer
}

func newFixture(t testing.TB, opts ...serverOption) *fixture {
	t.Helper()
	key := newClientKey(t, "")
	srv := newTestServer(t, []ssh.PublicKey{key.pub}, opts...)
	return &fixture{srv: srv, key: key, knownHosts: writeKnownHosts(t, srv.knownLine()), logs: &syncBuffer{}}
}

func (f *fixture) endpoint(user string) Endpoint {
	return f.srv.endpoint(user, f.knownHosts, f.key.path)
}

// options are test defaults: short timeouts, debug logs kept for failure reports.
func (f *fixture) options() Options {
	return Options{DialTimeout: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

func (f *fixture) dial(t testing.TB, user string) *Client {
	t.Helper()
	return dialOK(t, f.endpoint(user), f.options())
}

func dialOK(t testing.TB, ep Endpoint, opts Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, ep, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// syncBuffer collects what hosts write in parallel.
type syncBuffer = syncbuf.Buffer

// readPID waits for a script to write its background process id into path.
func readPID(t testing.TB, path string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second) // sshd can be slow to start a session on a busy machine
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}

// waitGone fails the test unless process pid exits (or is a zombie) within d.
func waitGone(t testing.TB, pid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the parenthesised command name.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("remote process %d is still running", pid)
}
