package sshexec

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// credentials are the signers offered to one endpoint: key files first, in order, then the agent's.
type credentials struct {
	signers   []ssh.Signer
	tried     []string  // what was offered or skipped, for AuthError
	encrypted []string  // key files skipped for want of a passphrase
	agent     net.Conn  // closed after the handshake; nil without an agent
	used      *usedName // which credential the server accepted, for the debug log
}

// loadCredentials decrypts key files and lists agent keys before any network traffic, so that a
// passphrase prompt does not run against the dial timeout.
func loadCredentials(ep Endpoint, opts Options) (*credentials, error) {
	host := ep.label()
	c := &credentials{used: &usedName{}}
	for _, path := range ep.KeyFiles {
		signer, err := loadKeyFile(path, opts.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("%s: key file %s: %w", host, path, err)
		}
		if signer == nil {
			c.tried = append(c.tried, fmt.Sprintf("key %s: skipped, passphrase-protected and no passphrase source", path))
			c.encrypted = append(c.encrypted, path)
			continue
		}
		name := "key " + path
		c.signers = append(c.signers, recordUse(signer, name, c.used))
		c.tried = append(c.tried, fmt.Sprintf("%s (%s)", name, describeKey(signer.PublicKey())))
	}
	if opts.UseAgent {
		c.addAgent(opts.DialTimeout)
	}
	if len(c.signers) == 0 {
		c.close()
		return nil, c.authError(ep, nil)
	}
	return c, nil
}

func (c *credentials) authError(ep Endpoint, err error) *AuthError {
	return &AuthError{Host: ep.label(), User: ep.User, Tried: c.tried, Err: err,
		address: ep.Address, port: ep.port(), encrypted: c.encrypted}
}

// loadKeyFile returns the key's signer, or nil for an encrypted key without a passphrase source.
func loadKeyFile(path string, passphrase func(string) ([]byte, error)) (ssh.Signer, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case !errors.As(err, &missing):
		if strings.Contains(err.Error(), "no key found") {
			return nil, fmt.Errorf("not a private key (is it the .pub file?): %w", err)
		}
		return nil, err
	case passphrase == nil:
		return nil, nil
	}
	pass, err := passphrase(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase: %w", err)
	}
	// pass stays untouched: the caller may cache it for the next host's Dial.
	signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, pass)
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, errors.New("wrong passphrase")
	}
	return signer, err
}

func (c *credentials) addAgent(timeout time.Duration) {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		c.tried = append(c.tried, "ssh-agent: SSH_AUTH_SOCK is not set")
		return
	}
	conn, err := net.DialTimeout("unix", sock, timeout)
	if err != nil {
		c.tried = append(c.tried, fmt.Sprintf("ssh-agent: %v", err))
		return
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil || len(signers) == 0 {
		conn.Close()
		if err == nil {
			err = errors.New("no keys loaded (ssh-add KEYFILE)")
		}
		c.tried = append(c.tried, fmt.Sprintf("ssh-agent: %v", err))
		return
	}
	c.agent = conn
	for _, s := range signers {
		c.signers = append(c.signers, recordUse(s, "ssh-agent key "+describeKey(s.PublicKey()), c.used))
	}
	c.tried = append(c.tried, fmt.Sprintf("ssh-agent (%d keys)", len(signers)))
}

// authMethods puts every signer in ONE publickey method: the library tries each method name only
// once, so a second PublicKeys method (say, the agent's) would silently never be tried.
func (c *credentials) authMethods() []ssh.AuthMethod {
	return []ssh.AuthMethod{ssh.PublicKeys(c.signers...)}
}

func (c *credentials) close() {
	if c.agent != nil {
		c.agent.Close()
	}
}

// isAuthFailure recognises the library's "all methods rejected" error, which has no type.
func isAuthFailure(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to authenticate")
}

// usedName remembers the last credential that signed: the library only signs with a key after the
// server said it would accept it, so after a successful handshake this is the key that logged in.
type usedName struct {
	mu   sync.Mutex
	name string
}

func (u *usedName) set(name string) { u.mu.Lock(); u.name = name; u.mu.Unlock() }
func (u *usedName) get() string     { u.mu.Lock(); defer u.mu.Unlock(); return u.name }

// recordUse wraps a signer to note its use, keeping the optional interfaces the library checks
// for: dropping AlgorithmSigner would downgrade RSA keys to ssh-rsa (SHA-1), which OpenSSH >= 8.8
// refuses.
func recordUse(s ssh.Signer, name string, used *usedName) ssh.Signer {
	base := recordingSigner{Signer: s, name: name, used: used}
	as, ok := s.(ssh.AlgorithmSigner)
	if !ok {
		return base
	}
	withAlgo := recordingAlgorithmSigner{recordingSigner: base, as: as}
	if ms, ok := s.(ssh.MultiAlgorithmSigner); ok {
		return recordingMultiAlgorithmSigner{recordingAlgorithmSigner: withAlgo, algorithms: ms.Algorithms()}
	}
	return withAlgo
}

type recordingSigner struct {
	ssh.Signer
	name string
	used *usedName
}

func (s recordingSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	s.used.set(s.name)
	return s.Signer.Sign(rand, data)
}

type recordingAlgorithmSigner struct {
	recordingSigner
	as ssh.AlgorithmSigner
}

func (s recordingAlgorithmSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	s.used.set(s.name)
	return s.as.SignWithAlgorithm(rand, data, algorithm)
}

type recordingMultiAlgorithmSigner struct {
	recordingAlgorithmSigner
	algorithms []string
}

func (s recordingMultiAlgorithmSigner) Algorithms() []string { return s.algorithms }
