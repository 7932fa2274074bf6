package sshexec

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyCheck verifies one endpoint's host key during its handshake. It is built per Dial, so it
// sees the known_hosts file as it is when the Dial starts.
type hostKeyCheck struct {
	ep   Endpoint
	host string
	tofu bool
	log  *slog.Logger

	pinned ssh.PublicKey
	db     ssh.HostKeyCallback // nil when the known_hosts file does not exist yet
	known  []ssh.PublicKey     // keys recorded for this host, to prefer their algorithms

	// refusal is the typed error of a refused key. The SSH library wraps callback errors in its
	// own text; Dial returns this instead so the message starts with the host and the fix. The
	// mutex matters when Dial gave up on a slow handshake that is still running.
	mu      sync.Mutex
	refusal error
}

func newHostKeyCheck(ep Endpoint, opts Options, log *slog.Logger) (*hostKeyCheck, error) {
	h := &hostKeyCheck{ep: ep, host: ep.label(), tofu: opts.TrustOnFirstUse, log: log}
	if ep.HostKey != "" {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(ep.HostKey))
		if err != nil {
			return nil, fmt.Errorf("%s: pinned hostKey is not a public key in authorized_keys format: %w", h.host, err)
		}
		h.pinned = key
		h.known = []ssh.PublicKey{key}
		return h, nil
	}
	db, err := knownhosts.New(ep.KnownHosts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A missing file is an empty one: every host is unknown, and TOFU creates it.
	case err != nil:
		return nil, fmt.Errorf("%s: read known_hosts: %w", h.host, err)
	default:
		h.db = db
		h.known = recordedKeys(db, ep.dialAddress())
	}
	return h, nil
}

// verify is the ssh.HostKeyCallback.
func (h *hostKeyCheck) verify(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := h.check(hostname, remote, key)
	if err != nil {
		h.mu.Lock()
		h.refusal = err
		h.mu.Unlock()
	}
	return err
}

// refused is the error of the last refused key, if any.
func (h *hostKeyCheck) refused() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refusal
}

func (h *hostKeyCheck) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if h.pinned != nil {
		if bytes.Equal(key.Marshal(), h.pinned.Marshal()) {
			return nil
		}
		e := h.newError(key, HostKeyChanged)
		e.Pinned, e.KnownHosts = true, ""
		e.Expected = []string{describeKey(h.pinned)}
		return e
	}
	if h.db == nil {
		return h.unknown(hostname, remote, key)
	}
	err := h.db(hostname, remote, key)
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &revoked):
		return h.newError(key, HostKeyRevoked)
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		return h.changed(key, keyErr.Want)
	case errors.As(err, &keyErr):
		return h.unknown(hostname, remote, key)
	}
	return fmt.Errorf("%s: check host key against %s: %w", h.host, h.ep.KnownHosts, err)
}

func (h *hostKeyCheck) unknown(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if !h.tofu {
		return h.newError(key, HostKeyUnknown)
	}
	want, err := appendKnownHost(h.ep.KnownHosts, hostname, remote, key)
	if err != nil {
		return fmt.Errorf("%s: trust new host key: %w", h.host, err)
	}
	if len(want) > 0 {
		// Someone recorded a different key for this host between our read and our lock.
		return h.changed(key, want)
	}
	h.log.Warn("ssh: trusted new host key on first use", "host", h.host,
		"key", describeKey(key), "known_hosts", h.ep.KnownHosts)
	return nil
}

func (h *hostKeyCheck) changed(key ssh.PublicKey, want []knownhosts.KnownKey) error {
	e := h.newError(key, HostKeyChanged)
	for _, k := range want {
		e.Expected = append(e.Expected, fmt.Sprintf("%s (%s:%d)", describeKey(k.Key), k.Filename, k.Line))
	}
	return e
}

func (h *hostKeyCheck) newError(key ssh.PublicKey, reason HostKeyReason) *HostKeyError {
	return &HostKeyError{
		Host:        h.host,
		Fingerprint: ssh.FingerprintSHA256(key),
		KeyType:     key.Type(),
		Reason:      reason,
		KnownHosts:  h.ep.KnownHosts,
		address:     h.ep.Address,
		port:        h.ep.port(),
	}
}

// algorithms orders host key algorithms so that the server proves a key we have on record. Without
// this the library negotiates its own favourite while known_hosts holds another of the host's keys,
// and a perfectly known host looks "changed". After the recorded types comes OpenSSH's own order,
// so trust-on-first-use records the key `ssh` and `ssh-keyscan` would show first. Certificate
// algorithms are left out: host certificates are not supported, and a certificate offered to an
// unknown host could not be trusted on first use.
func (h *hostKeyCheck) algorithms() []string {
	var algos []string
	add := func(a string) {
		if !strings.Contains(a, "-cert-") && !slices.Contains(algos, a) {
			algos = append(algos, a)
		}
	}
	for _, k := range h.known {
		for _, a := range algorithmsForKeyType(k.Type()) {
			add(a)
		}
	}
	for _, a := range []string{ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256} {
		add(a)
	}
	for _, a := range ssh.SupportedAlgorithms().HostKeys {
		add(a)
	}
	return algos
}

func algorithmsForKeyType(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	}
	return []string{keyType}
}

// recordedKeys lists the keys known_hosts holds for address. knownhosts has no lookup API, but a
// key that matches nothing makes it report every recorded key for the host in KeyError.Want.
func recordedKeys(db ssh.HostKeyCallback, address string) []ssh.PublicKey {
	// knownhosts prefers the hostname argument; the remote address only has to parse.
	err := db(address, &net.TCPAddr{IP: net.IPv4zero}, probeKey{})
	var keyErr *knownhosts.KeyError
	if !errors.As(err, &keyErr) {
		return nil
	}
	keys := make([]ssh.PublicKey, 0, len(keyErr.Want))
	for _, k := range keyErr.Want {
		keys = append(keys, k.Key)
	}
	return keys
}

// probeKey is a public key no host has.
type probeKey struct{}

func (probeKey) Type() string                        { return "swapboot-probe" }
func (probeKey) Marshal() []byte                     { return []byte("\x00swapboot-probe-key") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key cannot verify") }

func describeKey(k ssh.PublicKey) string {
	return k.Type() + " " + ssh.FingerprintSHA256(k)
}
