package sshexec

import (
	"errors"
	"fmt"
	"strings"
)

// ErrConnectionLost is wrapped by every error caused by the connection dying under a Client: the
// peer closed it, keepalives went unanswered, or its bastion's connection died.
var ErrConnectionLost = errors.New("ssh connection lost")

// errClientClosed is what Run reports after Close.
var errClientClosed = errors.New("ssh client closed")

// HostKeyReason says why a host key was refused.
type HostKeyReason int

const (
	// HostKeyUnknown: the host has no entry in known_hosts (and trust-on-first-use is off).
	HostKeyUnknown HostKeyReason = iota + 1
	// HostKeyChanged: the host offered a key other than the one recorded or pinned.
	HostKeyChanged
	// HostKeyRevoked: the offered key is marked @revoked in known_hosts.
	HostKeyRevoked
)

func (r HostKeyReason) String() string {
	switch r {
	case HostKeyUnknown:
		return "unknown"
	case HostKeyChanged:
		return "changed"
	case HostKeyRevoked:
		return "revoked"
	}
	return fmt.Sprintf("HostKeyReason(%d)", int(r))
}

// HostKeyError refuses a host key. Its message carries the fingerprint and the fix.
type HostKeyError struct {
	Host        string // as in messages: address, or address:port when not 22
	Fingerprint string // of the offered key, "SHA256:..."
	KeyType     string // of the offered key, "ssh-ed25519"
	Reason      HostKeyReason
	KnownHosts  string // the file checked; empty when the key is pinned
	// Expected lists the keys on record for the host ("ssh-ed25519 SHA256:... (file:line)"); empty
	// for HostKeyUnknown.
	Expected []string
	Pinned   bool // the expected key is Endpoint.HostKey

	address string // for the ssh-keyscan / ssh-keygen hints
	port    int
}

func (e *HostKeyError) Error() string {
	offered := e.KeyType + " " + e.Fingerprint
	switch {
	case e.Reason == HostKeyUnknown:
		return fmt.Sprintf("%s: unknown host key %s (no entry in %s); verify the fingerprint on the host "+
			"(ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub), then run with --trust-new-host-keys, "+
			"add it with: %s >> %s, or pin it with hostKey: in the cluster file",
			e.Host, offered, e.KnownHosts, hostKeyFileKind(e.KeyType), e.keyscanCommand(), e.KnownHosts)
	case e.Reason == HostKeyRevoked:
		return fmt.Sprintf("%s: host key %s is marked @revoked in %s; refusing to connect", e.Host, offered, e.KnownHosts)
	case e.Pinned:
		return fmt.Sprintf("%s: HOST KEY MISMATCH: the host offered %s but the pinned hostKey is %s; "+
			"refusing to connect (this is a reinstalled host or a man-in-the-middle). If the host was "+
			"reinstalled, verify the new fingerprint on it and update hostKey: in the cluster file",
			e.Host, offered, strings.Join(e.Expected, ", "))
	default:
		return fmt.Sprintf("%s: HOST KEY CHANGED: the host offered %s but %s records %s; refusing to "+
			"connect, trust-on-first-use or not (this is a reinstalled host or a man-in-the-middle). If "+
			"the host was reinstalled, verify the new fingerprint on it, then remove the old entry with: "+
			"ssh-keygen -R '%s' -f %s",
			e.Host, offered, e.KnownHosts, strings.Join(e.Expected, ", "), e.knownHostsName(), e.KnownHosts)
	}
}

func (e *HostKeyError) keyscanCommand() string {
	cmd := "ssh-keyscan -t " + hostKeyFileKind(e.KeyType)
	if e.port != 0 && e.port != defaultSSHPort {
		cmd += fmt.Sprintf(" -p %d", e.port)
	}
	return cmd + " " + e.address
}

// knownHostsName is the host as known_hosts and ssh-keygen -R spell it.
func (e *HostKeyError) knownHostsName() string {
	if e.port == 0 || e.port == defaultSSHPort {
		return e.address
	}
	return fmt.Sprintf("[%s]:%d", e.address, e.port)
}

// hostKeyFileKind maps a key type to the word OpenSSH uses in host key file names and ssh-keyscan -t.
func hostKeyFileKind(keyType string) string {
	switch {
	case strings.Contains(keyType, "ed25519"):
		return "ed25519"
	case strings.Contains(keyType, "ecdsa"):
		return "ecdsa"
	case strings.Contains(keyType, "rsa"):
		return "rsa"
	}
	return keyType
}

// AuthError reports that no credential got the user in.
type AuthError struct {
	Host  string
	User  string
	Tried []string // what was offered or skipped, in order ("key /path (ssh-ed25519 SHA256:...)")
	Err   error    // the SSH library's error; nil when nothing could even be offered

	address   string // for the ssh-copy-id hint
	port      int
	encrypted []string // key files skipped for want of a passphrase
}

func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: authentication failed for user %q", e.Host, e.User)
	if len(e.Tried) == 0 {
		b.WriteString(": no key files and no ssh-agent configured; set keyFile in the cluster file or use the agent")
		return b.String()
	}
	b.WriteString("; tried: " + strings.Join(e.Tried, "; ") + ". Fix: ")
	var fixes []string
	for _, f := range e.encrypted {
		fixes = append(fixes, fmt.Sprintf("supply the passphrase of %s or load it into ssh-agent (ssh-add %s)", f, f))
	}
	if e.Err != nil {
		port := ""
		if e.port != 0 && e.port != defaultSSHPort {
			port = fmt.Sprintf("-p %d ", e.port)
		}
		fixes = append(fixes, fmt.Sprintf("add one of the public keys to ~%s/.ssh/authorized_keys on the host "+
			"(ssh-copy-id -i KEY.pub %s%s@%s), or correct the user / keyFile in the cluster file", e.User, port, e.User, e.address))
	} else if len(fixes) == 0 {
		fixes = append(fixes, "give a usable keyFile or load a key into ssh-agent")
	}
	b.WriteString(strings.Join(fixes, "; or "))
	return b.String()
}

func (e *AuthError) Unwrap() error { return e.Err }

// ExitError reports a remote script that exited non-zero (or was killed by a signal).
type ExitError struct {
	Host       string
	Code       int    // exit status; 128+n when killed by signal n, as a shell reports it
	Signal     string // "TERM", "KILL"... when killed by a signal
	StderrTail string // the last lines of stderr, for the message
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: remote script exited with status %d", e.Host, e.Code)
	if e.Signal != "" {
		msg = fmt.Sprintf("%s: remote script killed by SIG%s", e.Host, e.Signal)
	}
	if tail := strings.TrimSpace(e.StderrTail); tail != "" {
		msg += ": " + tail
	}
	if hint := exitHint(e.Code, e.StderrTail); hint != "" {
		msg += " (" + hint + ")"
	}
	return msg
}

// exitHint explains the failures of the wrapper (sudo, sh) rather than of the script.
func exitHint(code int, stderr string) string {
	switch {
	case strings.Contains(stderr, "sudo: a password is required"):
		return "the user needs passwordless sudo, or give swapboot the sudo password (SWAPBOOT_SUDO_PASSWORD or --ask-sudo-password)"
	case strings.Contains(stderr, "you must have a tty to run sudo"):
		return "sudoers has 'requiretty'; disable it for this user"
	case code == 127 && (strings.Contains(stderr, "sudo: not found") || strings.Contains(stderr, "sudo: command not found")):
		return "sudo is not installed on the host; install it or connect as root"
	}
	return ""
}

// withMessage rewords err (which stays reachable with errors.As) without repeating its host prefix.
type withMessage struct {
	msg string
	err error
}

func (w *withMessage) Error() string { return w.msg }
func (w *withMessage) Unwrap() error { return w.err }
