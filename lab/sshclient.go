package lab

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHClientConfig is the client configuration for a lab: the lab key and
// strict host key checking against the lab's known_hosts.
func SSHClientConfig(p Paths) (*ssh.ClientConfig, error) {
	signer, err := loadSigner(p)
	if err != nil {
		return nil, err
	}
	hk, err := knownhosts.New(p.KnownHosts())
	if err != nil {
		return nil, err
	}
	return &ssh.ClientConfig{
		User:              "root",
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   hk,
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Timeout:           5 * time.Second,
	}, nil
}

// DialHost opens an SSH connection to a lab host.
func DialHost(p Paths, ip string) (*ssh.Client, error) {
	cfg, err := SSHClientConfig(p)
	if err != nil {
		return nil, err
	}
	return ssh.Dial("tcp", net.JoinHostPort(ip, "22"), cfg)
}

// SSHRun runs a shell command line on a lab host over SSH and returns its
// exit code.
func SSHRun(o Options, host, command string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if err := o.Normalize(); err != nil {
		return -1, err
	}
	p := NewPaths(o.StateRoot, o.Name)
	st, err := p.LoadState()
	if err != nil {
		return -1, fmt.Errorf("lab %s: %w", o.Name, err)
	}
	h, err := st.Host(host)
	if err != nil {
		return -1, err
	}
	c, err := DialHost(p, h.IP)
	if err != nil {
		return -1, err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return -1, err
	}
	defer s.Close()
	s.Stdin, s.Stdout, s.Stderr = stdin, stdout, stderr
	err = s.Run(command)
	if ee, ok := err.(*ssh.ExitError); ok {
		return ee.ExitStatus(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// sshOutput runs command on an open client and returns stdout+stderr.
func sshOutput(c *ssh.Client, command string) (string, error) {
	s, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	var b lockedBuffer
	s.Stdout, s.Stderr = &b, &b
	err = s.Run(command)
	return strings.TrimSpace(b.String()), err
}

// lockedBuffer is a buffer two goroutines (stdout and stderr copies) can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitHostReady waits until the host accepts SSH and systemd has finished
// booting; it returns systemd's state ("running" or "degraded: <units>").
func waitHostReady(p Paths, h Host, alive func() bool, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	var c *ssh.Client
	var err error
	for {
		c, err = DialHost(p, h.IP)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s: ssh: %w", h.Name, err)
		}
		if !alive() {
			return "", fmt.Errorf("%s: the host stopped while booting", h.Name)
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer c.Close()
	// Poll: right after sshd starts, systemctl may not reach PID 1 yet.
	var state string
	for {
		state, _ = sshOutput(c, "systemctl is-system-running")
		if state == "running" || state == "degraded" || state == "maintenance" || state == "stopping" {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	switch state {
	case "running":
		return state, nil
	case "degraded":
		failed, _ := sshOutput(c, "systemctl list-units --failed --plain --no-legend | awk '{print $1}' | tr '\\n' ' '")
		return "degraded: " + strings.TrimSpace(failed), nil
	default:
		return state, fmt.Errorf("%s: systemd is %q", h.Name, state)
	}
}
