package sshexec

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestHostKeyVerification(t *testing.T) {
	key := newClientKey(t, "")
	ed := newSigner(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ssh.NewSignerFromKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	// The server offers both; the client must ask for the one on record, whichever it is.
	srv := newTestServer(t, []ssh.PublicKey{key.pub}, withHostKeys(ed, ec))
	host := knownhosts.Normalize(srv.addr())
	impostor := newSigner(t).PublicKey()
	fp := ssh.FingerprintSHA256(ed.PublicKey())
	line := func(names string, k ssh.PublicKey) string { return knownhosts.Line([]string{names}, k) }
	authorized := func(k ssh.PublicKey) string { return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) }

	tests := []struct {
		name       string
		knownHosts []string // nil: the file does not exist
		pinned     string
		tofu       bool
		reason     HostKeyReason // 0: the dial succeeds
		inMsg      []string
	}{
		{name: "known", knownHosts: []string{line(host, ed.PublicKey())}},
		{name: "known by hashed entry", knownHosts: []string{line(knownhosts.HashHostname(host), ed.PublicKey())}},
		{name: "known by its other key type only", knownHosts: []string{line(host, ec.PublicKey())}},
		{name: "other hosts only: unknown", knownHosts: []string{line("10.9.9.9", ed.PublicKey())}, reason: HostKeyUnknown,
			inMsg: []string{fp, "ssh-ed25519", "--trust-new-host-keys", fmt.Sprintf("ssh-keyscan -t ed25519 -p %d 127.0.0.1 >>", srv.port), "hostKey:"}},
		{name: "no known_hosts file: unknown", reason: HostKeyUnknown, inMsg: []string{fp}},
		{name: "same name on port 22 is another host", knownHosts: []string{line("127.0.0.1", ed.PublicKey())}, reason: HostKeyUnknown},
		{name: "changed", knownHosts: []string{line(host, impostor)}, reason: HostKeyChanged,
			inMsg: []string{fp, ssh.FingerprintSHA256(impostor), "CHANGED", fmt.Sprintf("ssh-keygen -R '[127.0.0.1]:%d'", srv.port)}},
		{name: "changed, even with trust-on-first-use", knownHosts: []string{line(host, impostor)}, tofu: true, reason: HostKeyChanged,
			inMsg: []string{fp, ssh.FingerprintSHA256(impostor)}},
		{name: "revoked", knownHosts: []string{"@revoked * " + authorized(ed.PublicKey()), line(host, ed.PublicKey())}, reason: HostKeyRevoked},
		{name: "pinned", pinned: authorized(ed.PublicKey())},
		{name: "pinned ecdsa", pinned: authorized(ec.PublicKey())},
		{name: "pinned, overrides a changed known_hosts", pinned: authorized(ed.PublicKey()), knownHosts: []string{line(host, impostor)}},
		{name: "pinned mismatch", pinned: authorized(impostor), tofu: true, reason: HostKeyChanged,
			inMsg: []string{fp, ssh.FingerprintSHA256(impostor), "pinned hostKey"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "known_hosts")
			if tc.knownHosts != nil {
				path = writeKnownHosts(t, tc.knownHosts...)
			}
			ep := srv.endpoint("root", path, key.path)
			ep.HostKey = tc.pinned
			c, err := Dial(context.Background(), ep, Options{TrustOnFirstUse: tc.tofu})
			if tc.reason == 0 {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				c.Close()
				return
			}
			var hkErr *HostKeyError
			if !errors.As(err, &hkErr) {
				t.Fatalf("err = %v, want *HostKeyError", err)
			}
			if hkErr.Reason != tc.reason || hkErr.Host != srv.addr() || hkErr.Fingerprint != fp || hkErr.KeyType != ssh.KeyAlgoED25519 {
				t.Errorf("got %+v, want reason %v for %s with %s", hkErr, tc.reason, srv.addr(), fp)
			}
			if hkErr.Pinned != (tc.pinned != "") {
				t.Errorf("Pinned = %v", hkErr.Pinned)
			}
			for _, s := range tc.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if b, _ := os.ReadFile(path); tc.knownHosts != nil && string(b) != strings.Join(tc.knownHosts, "\n")+"\n" {
				t.Errorf("known_hosts was modified:\n%s", b)
			}
		})
	}
}

func TestTrustOnFirstUse(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "new", "dir", "known_hosts") // neither exists yet
	ep := f.srv.endpoint("root", path, f.key.path)

	if _, err := Dial(context.Background(), ep, Options{}); !isHostKeyError(err, HostKeyUnknown) {
		t.Fatalf("without TOFU: err = %v, want unknown host key", err)
	}
	opts := f.options()
	opts.TrustOnFirstUse = true
	dialOK(t, ep, opts)
	dialOK(t, ep, opts) // already known: nothing appended twice

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.srv.knownLine() + "\n"; string(b) != want {
		t.Errorf("known_hosts = %q, want %q", b, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("known_hosts mode %v, want 0600", st.Mode().Perm())
	}
	if !strings.Contains(f.logs.String(), "trusted new host key") {
		t.Errorf("TOFU not logged:\n%s", f.logs)
	}
	dialOK(t, ep, Options{}) // now known without TOFU
}

func TestTrustOnFirstUseAppendsToFileWithoutFinalNewline(t *testing.T) {
	f := newFixture(t)
	other := knownhosts.Line([]string{"10.0.0.1"}, newSigner(t).PublicKey())
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	dialOK(t, f.srv.endpoint("root", path, f.key.path), Options{TrustOnFirstUse: true})
	b, _ := os.ReadFile(path)
	if want := other + "\n" + f.srv.knownLine() + "\n"; string(b) != want {
		t.Errorf("known_hosts = %q, want %q", b, want)
	}
}

// Parallel first contact with many hosts must leave a known_hosts file with every host, once.
func TestTrustOnFirstUseConcurrentDials(t *testing.T) {
	key := newClientKey(t, "")
	path := filepath.Join(t.TempDir(), "known_hosts")
	var servers []*testServer
	for range 12 {
		servers = append(servers, newTestServer(t, []ssh.PublicKey{key.pub}))
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		for range 2 { // the same host twice as well
			wg.Go(func() {
				c, err := Dial(context.Background(), s.endpoint("root", path, key.path), Options{TrustOnFirstUse: true})
				if err != nil {
					t.Error(err)
					return
				}
				c.Close()
			})
		}
	}
	wg.Wait()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != len(servers) {
		t.Errorf("%d lines, want %d:\n%s", len(lines), len(servers), b)
	}
	for _, s := range servers {
		if !strings.Contains(string(b), s.knownLine()+"\n") {
			t.Errorf("no entry for %s", s.addr())
		}
		dialOK(t, s.endpoint("root", path, key.path), Options{})
	}
}

func TestNoHostKeySourceIsRefused(t *testing.T) {
	f := newFixture(t)
	ep := f.srv.endpoint("root", "", f.key.path)
	_, err := Dial(context.Background(), ep, Options{TrustOnFirstUse: true})
	if err == nil || !strings.Contains(err.Error(), "refusing to connect without verifying the host key") {
		t.Fatalf("err = %v", err)
	}
}

func isHostKeyError(err error, reason HostKeyReason) bool {
	var e *HostKeyError
	return errors.As(err, &e) && e.Reason == reason
}
