package lab

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// newKeyPair returns an OpenSSH private key (PEM) and the authorized_keys line.
func newKeyPair(comment string) (priv []byte, pub string, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", err
	}
	block, err := ssh.MarshalPrivateKey(sk, comment)
	if err != nil {
		return nil, "", err
	}
	spk, err := ssh.NewPublicKey(pk)
	if err != nil {
		return nil, "", err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spk)))
	if comment != "" {
		line += " " + comment
	}
	return pem.EncodeToMemory(block), line, nil
}

// ensureClientKey creates the lab's client key once and returns the public line.
func ensureClientKey(p Paths) (string, error) {
	if b, err := os.ReadFile(p.Key() + ".pub"); err == nil {
		if _, err := os.Stat(p.Key()); err == nil {
			return strings.TrimSpace(string(b)), nil
		}
	}
	priv, pub, err := newKeyPair("swapboot-lab")
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(p.Key(), priv, 0o600); err != nil {
		return "", err
	}
	return pub, writeFileAtomic(p.Key()+".pub", []byte(pub+"\n"), 0o644)
}

// knownHostsLine is the known_hosts entry of a host (IP and name).
func knownHostsLine(h Host, pubLine string) string {
	f := strings.Fields(pubLine)
	return fmt.Sprintf("%s,%s %s %s", h.IP, h.Name, f[0], f[1])
}

// loadSigner reads the lab's private key.
func loadSigner(p Paths) (ssh.Signer, error) {
	b, err := os.ReadFile(p.Key())
	if err != nil {
		return nil, err
	}
	return ssh.ParsePrivateKey(b)
}
