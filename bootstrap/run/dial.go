package run

import (
	"context"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/sshexec"
)

// SSHDialer connects with the host's SSH settings from the cluster file.
func SSHDialer(opts sshexec.Options) Dialer {
	return func(ctx context.Context, h cluster.Host) (Conn, error) {
		return sshexec.Dial(ctx, Endpoint(h), opts)
	}
}

// LocalCheck checks this machine's setup for reaching hosts (key files, ssh-agent) without contacting any.
type LocalCheck func(hosts []cluster.Host) error

// SSHLocalCheck is the LocalCheck of SSHDialer with the same options (sshexec.CheckLocal).
func SSHLocalCheck(opts sshexec.Options) LocalCheck {
	return func(hosts []cluster.Host) error {
		eps := make([]sshexec.Endpoint, len(hosts))
		for i, h := range hosts {
			eps[i] = Endpoint(h)
		}
		return sshexec.CheckLocal(eps, opts)
	}
}

// checkLocal runs check (when set) before any host is contacted; its problems are bad input.
func checkLocal(check LocalCheck, hosts []cluster.Host) error {
	if check == nil {
		return nil
	}
	if err := check(hosts); err != nil {
		return exit.WithCode(exit.BadInput, err)
	}
	return nil
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
