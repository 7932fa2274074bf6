package sshexec

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestCheckLocal(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "id")
	if err := os.WriteFile(good, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	encBlock, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	encrypted := filepath.Join(dir, "id_enc")
	if err := os.WriteFile(encrypted, pem.EncodeToMemory(encBlock), 0o600); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "id.pub")
	if err := os.WriteFile(pub, []byte("ssh-ed25519 AAAA x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ep := func(addr string, keys ...string) Endpoint {
		return Endpoint{Address: addr, User: "root", KeyFiles: keys}
	}
	for _, c := range []struct {
		name string
		eps  []Endpoint
		want string // "" = no problem
	}{
		{"good key", []Endpoint{ep("10.0.0.1", good)}, ""},
		{"encrypted key (passphrase asked later)", []Endpoint{ep("10.0.0.1", encrypted)}, ""},
		{"missing key, once for every host", []Endpoint{ep("10.0.0.1", filepath.Join(dir, "nope")), ep("10.0.0.2", filepath.Join(dir, "nope"))}, "10.0.0.1, 10.0.0.2"},
		{"public key given", []Endpoint{ep("10.0.0.1", pub)}, "not a private key"},
		{"no key and no agent", []Endpoint{ep("10.0.0.1"), ep("10.0.0.2")}, "no ssh-agent"},
		{"bastion without key", []Endpoint{{Address: "10.0.0.1", User: "root", KeyFiles: []string{good}, Bastion: &Endpoint{Address: "10.0.0.9", User: "jump"}}}, "bastion of 10.0.0.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckLocal(c.eps, Options{UseAgent: true})
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var le *LocalSetupError
			if !errors.As(err, &le) || len(le.Problems) != 1 || le.ExitCode() != 2 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want one problem mentioning %q", err, c.want)
			}
		})
	}
}
