package sshexec

import (
	"log/slog"
	"time"
)

// Options apply to every endpoint of a Dial, bastions included.
type Options struct {
	DialTimeout time.Duration // TCP connect and, separately, SSH handshake; default 10s
	// KeepAlive is the interval of keepalive@openssh.com requests; the connection is declared dead
	// after 3 unanswered intervals (OpenSSH's ServerAliveCountMax). Default 15s.
	KeepAlive time.Duration
	// TrustOnFirstUse accepts an UNKNOWN host key and appends it to Endpoint.KnownHosts. A CHANGED
	// key is refused regardless.
	TrustOnFirstUse bool
	// UseAgent adds the keys of the ssh-agent at $SSH_AUTH_SOCK, tried after the key files.
	UseAgent bool
	// Passphrase is asked for each passphrase-protected key file, once per Dial and before any
	// network traffic (so a prompt does not race the dial timeout); cache in the caller to ask once
	// per run. Nil: such keys are skipped, and if nothing else works the error names the fix.
	Passphrase func(keyFile string) ([]byte, error)
	// SudoPassword is asked (at most once per Client, and only when sudo actually prompts) for
	// non-root users. Nil: sudo must be passwordless (`sudo -n`).
	SudoPassword func(host string) ([]byte, error)
	// Logger receives debug lines (dial, auth method, timings). Secrets and scripts are never logged.
	Logger *slog.Logger
}

const (
	defaultDialTimeout = 10 * time.Second
	defaultKeepAlive   = 15 * time.Second
	// keepAliveMaxMissed matches OpenSSH's ServerAliveCountMax default.
	keepAliveMaxMissed = 3
)

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = defaultDialTimeout
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = defaultKeepAlive
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
