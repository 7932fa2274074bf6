package sshexec

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Endpoint is one SSH server and everything needed to reach and trust it.
type Endpoint struct {
	Address string
	Port    int // 0 means 22
	User    string
	// KeyFiles are private key files, tried in order. Paths arrive absolute; nothing is expanded.
	// A passphrase-protected key asks Options.Passphrase.
	KeyFiles []string
	// KnownHosts is the known_hosts file the host key is checked against (and appended to with
	// Options.TrustOnFirstUse).
	KnownHosts string
	// HostKey pins the host's public key in authorized_keys format ("ssh-ed25519 AAAA..."). When
	// set, KnownHosts is neither read nor written.
	HostKey string
	// Bastion is a jump host, dialled first; the connection to this endpoint is tunnelled through it.
	Bastion *Endpoint
}

const defaultSSHPort = 22

func (ep Endpoint) port() int {
	if ep.Port == 0 {
		return defaultSSHPort
	}
	return ep.Port
}

// dialAddress is host:port as dialled and as known_hosts lookups expect it.
func (ep Endpoint) dialAddress() string {
	return net.JoinHostPort(ep.Address, strconv.Itoa(ep.port()))
}

// label names the host in messages the way a user wrote it: the port only when it is not 22.
func (ep Endpoint) label() string {
	if ep.port() == defaultSSHPort {
		return ep.Address
	}
	return ep.dialAddress()
}

func (ep Endpoint) validate() error {
	switch {
	case ep.Address == "":
		return errors.New("ssh endpoint without an address")
	case ep.User == "":
		return fmt.Errorf("%s: no ssh user", ep.label())
	case ep.Port < 0 || ep.Port > 65535:
		return fmt.Errorf("%s: ssh port %d out of range", ep.Address, ep.Port)
	case ep.HostKey == "" && ep.KnownHosts == "":
		return fmt.Errorf("%s: neither a known_hosts file nor a pinned host key is configured; "+
			"refusing to connect without verifying the host key", ep.label())
	}
	return nil
}
