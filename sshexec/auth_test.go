package sshexec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func TestKeyFileAuth(t *testing.T) {
	authorized := newClientKey(t, "")
	other := newClientKey(t, "")
	encrypted := newClientKey(t, "s3cret-passphrase")
	srv := newTestServer(t, []ssh.PublicKey{authorized.pub, encrypted.pub})
	knownHosts := writeKnownHosts(t, srv.knownLine())

	passphrase := func(pass string) func(string) ([]byte, error) {
		return func(file string) ([]byte, error) {
			if file != encrypted.path {
				t.Errorf("passphrase asked for %s, want %s", file, encrypted.path)
			}
			return []byte(pass), nil
		}
	}
	tests := []struct {
		name       string
		keys       []string
		passphrase func(string) ([]byte, error)
		wantAuth   bool     // want an *AuthError
		wantInMsg  []string // substrings of the error
	}{
		{name: "key file", keys: []string{authorized.path}},
		{name: "second key file is the authorized one", keys: []string{other.path, authorized.path}},
		{name: "encrypted key with passphrase", keys: []string{encrypted.path}, passphrase: passphrase("s3cret-passphrase")},
		{name: "encrypted key without passphrase source", keys: []string{encrypted.path}, wantAuth: true,
			wantInMsg: []string{encrypted.path, "passphrase-protected", "ssh-add " + encrypted.path}},
		{name: "encrypted key skipped, next key works", keys: []string{encrypted.path, authorized.path}},
		{name: "wrong passphrase", keys: []string{encrypted.path}, passphrase: passphrase("guess"),
			wantInMsg: []string{"127.0.0.1", encrypted.path, "wrong passphrase"}},
		{name: "key not authorized", keys: []string{other.path}, wantAuth: true,
			wantInMsg: []string{`user "root"`, other.path, "authorized_keys", fmt.Sprintf("ssh-copy-id -i KEY.pub -p %d root@127.0.0.1", srv.port)}},
		{name: "missing key file", keys: []string{filepath.Join(t.TempDir(), "nope")},
			wantInMsg: []string{"nope", "no such file"}},
		{name: "public key given as key file", keys: []string{writeKnownHosts(t, string(ssh.MarshalAuthorizedKey(authorized.pub)))},
			wantInMsg: []string{"not a private key"}},
		{name: "no credentials at all", wantAuth: true, wantInMsg: []string{"no key files and no ssh-agent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := srv.endpoint("root", knownHosts, tc.keys...)
			c, err := Dial(context.Background(), ep, Options{Passphrase: tc.passphrase})
			if tc.wantInMsg == nil {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.Close()
				if _, err := c.Run(context.Background(), Cmd{Script: "true"}); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded, want an error")
			}
			var authErr *AuthError
			if got := errors.As(err, &authErr); got != tc.wantAuth {
				t.Errorf("errors.As(*AuthError) = %v, want %v (err: %v)", got, tc.wantAuth, err)
			}
			for _, s := range tc.wantInMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// serveAgent serves keys from an in-process agent on a unix socket and points SSH_AUTH_SOCK at it.
func serveAgent(t *testing.T, keys ...clientKey) {
	keyring := agent.NewKeyring()
	for _, k := range keys {
		if err := keyring.Add(agent.AddedKey{PrivateKey: k.priv}); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				agent.ServeAgent(keyring, conn)
			})
		}
	})
	t.Setenv("SSH_AUTH_SOCK", sock)
}

func TestAgentAuth(t *testing.T) {
	f := newFixture(t)
	other := newClientKey(t, "")
	tests := []struct {
		name      string
		agentKeys []clientKey
		keyFiles  []string
		noSocket  bool
		wantInMsg string
	}{
		{name: "agent only", agentKeys: []clientKey{f.key}},
		{name: "agent after an unauthorized key file", agentKeys: []clientKey{other, f.key}, keyFiles: []string{other.path}},
		{name: "agent holds no authorized key", agentKeys: []clientKey{other}, wantInMsg: "ssh-agent (1 keys)"},
		{name: "empty agent", wantInMsg: "no keys loaded"},
		{name: "no SSH_AUTH_SOCK", noSocket: true, wantInMsg: "SSH_AUTH_SOCK is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noSocket {
				t.Setenv("SSH_AUTH_SOCK", "")
			} else {
				serveAgent(t, tc.agentKeys...)
			}
			opts := f.options()
			opts.UseAgent = true
			c, err := Dial(context.Background(), f.srv.endpoint("root", f.knownHosts, tc.keyFiles...), opts)
			if tc.wantInMsg == "" {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				c.Close()
				if !strings.Contains(f.logs.String(), "auth=\"ssh-agent key ssh-ed25519") {
					t.Errorf("debug log does not name the agent key as the one used:\n%s", f.logs)
				}
				return
			}
			var authErr *AuthError
			if !errors.As(err, &authErr) || !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Fatalf("err = %v, want *AuthError mentioning %q", err, tc.wantInMsg)
			}
		})
	}
}
