package run

import (
	"context"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/sshexec"
)

// SSHDialer connects with the host's SSH settings from the cluster file.
func SSHDialer(opts sshexec.Options) Dialer {
	return func(ctx context.Context, h cluster.Host) (Conn, error) {
		return sshexec.Dial(ctx, Endpoint(h), opts)
	}
}

// Endpoint translates a host's SSH settings for the transport.
func Endpoint(h cluster.Host) sshexec.Endpoint {
	ep := sshexec.Endpoint{
		Address:    h.Address,
		Port:       h.SSH.Port,
		User:       h.SSH.User,
		KnownHosts: h.SSH.KnownHosts,
		HostKey:    h.SSH.HostKey,
	}
	if h.SSH.KeyFile != "" {
		ep.KeyFiles = []string{h.SSH.KeyFile}
	}
	if b := h.SSH.Bastion; b != nil {
		bastion := sshexec.Endpoint{Address: b.Address, Port: b.Port, User: b.User, KnownHosts: b.KnownHosts, HostKey: b.HostKey}
		if b.KeyFile != "" {
			bastion.KeyFiles = []string{b.KeyFile}
		}
		ep.Bastion = &bastion
	}
	return ep
}
