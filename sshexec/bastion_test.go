package sshexec

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// bastionSetup: a target server that the client can only reach through a bastion server, under
// a name ("target.internal") that only the bastion resolves. Each has its own user key.
type bastionSetup struct {
	target, bastion       *testServer
	targetKey, bastionKey clientKey
	ep                    Endpoint
}

func newBastionSetup(t *testing.T) *bastionSetup {
	s := &bastionSetup{targetKey: newClientKey(t, ""), bastionKey: newClientKey(t, "")}
	s.target = newTestServer(t, []ssh.PublicKey{s.targetKey.pub})
	s.bastion = newTestServer(t, []ssh.PublicKey{s.bastionKey.pub}, withRoutes(map[string]string{"target.internal:22": s.target.addr()}))
	bastion := s.bastion.endpoint("jump", writeKnownHosts(t, s.bastion.knownLine()), s.bastionKey.path)
	s.ep = Endpoint{
		Address:    "target.internal",
		User:       "root",
		KeyFiles:   []string{s.targetKey.path},
		KnownHosts: writeKnownHosts(t, knownhosts.Line([]string{"target.internal"}, s.target.hostKey.PublicKey())),
		Bastion:    &bastion,
	}
	return s
}

func TestBastion(t *testing.T) {
	s := newBastionSetup(t)
	c := dialOK(t, s.ep, Options{DialTimeout: 5 * time.Second})
	if c.Host() != "target.internal" {
		t.Errorf("Host() = %q", c.Host())
	}
	res, err := c.Run(context.Background(), Cmd{Script: "echo via bastion"})
	if err != nil || string(res.Stdout) != "via bastion\n" {
		t.Fatalf("Run: %q, %v", res.Stdout, err)
	}
	if n := s.bastion.forwards(); n != 1 {
		t.Errorf("bastion forwarded %d connections, want 1", n)
	}
	if got := s.target.execCommands(); len(got) != 1 {
		t.Errorf("target ran %v", got)
	}
	if got := s.bastion.execCommands(); len(got) != 0 {
		t.Errorf("bastion ran %v", got)
	}
	s.bastion.mu.Lock()
	users := s.bastion.users
	s.bastion.mu.Unlock()
	if len(users) != 1 || users[0] != "jump" {
		t.Errorf("bastion logins %v, want [jump]", users)
	}

	// The tunnelled connection dies with its bastion.
	errc := runInBackground(c, "sleep 30")
	time.Sleep(100 * time.Millisecond)
	s.bastion.dropConnections()
	if err := waitErr(t, errc, 2*time.Second); !errors.Is(err, ErrConnectionLost) || !strings.Contains(err.Error(), "bastion") {
		t.Fatalf("err = %v, want ErrConnectionLost through the bastion", err)
	}
}

func TestBastionFailures(t *testing.T) {
	tests := []struct {
		name   string
		modify func(s *bastionSetup)
		check  func(t *testing.T, err error)
	}{
		{
			name:   "bastion host key unknown",
			modify: func(s *bastionSetup) { s.ep.Bastion.KnownHosts = writeKnownHosts(t) },
			check: func(t *testing.T, err error) {
				var hk *HostKeyError
				if !errors.As(err, &hk) || hk.Host != "127.0.0.1:"+strings.Split(hk.Host, ":")[1] || !strings.HasPrefix(err.Error(), "target.internal: via bastion: 127.0.0.1:") {
					t.Errorf("err = %v, want the bastion's *HostKeyError", err)
				}
			},
		},
		{
			name: "target host key checked separately",
			modify: func(s *bastionSetup) {
				s.ep.HostKey = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.bastion.hostKey.PublicKey())))
			},
			check: func(t *testing.T, err error) {
				var hk *HostKeyError
				if !errors.As(err, &hk) || hk.Host != "target.internal" || !hk.Pinned {
					t.Errorf("err = %v, want the target's pinned-key mismatch", err)
				}
			},
		},
		{
			name:   "bastion rejects the user key",
			modify: func(s *bastionSetup) { s.ep.Bastion.KeyFiles = []string{s.targetKey.path} },
			check: func(t *testing.T, err error) {
				var ae *AuthError
				if !errors.As(err, &ae) || ae.User != "jump" {
					t.Errorf("err = %v, want the bastion's *AuthError", err)
				}
			},
		},
		{
			name:   "bastion cannot reach the target",
			modify: func(s *bastionSetup) { s.ep.Port = 2222 },
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "through bastion") || !strings.HasPrefix(err.Error(), "target.internal:2222: ") {
					t.Errorf("err = %v", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newBastionSetup(t)
			tc.modify(s)
			c, err := Dial(context.Background(), s.ep, Options{DialTimeout: 5 * time.Second})
			if err == nil {
				c.Close()
			}
			tc.check(t, err)
		})
	}
}
