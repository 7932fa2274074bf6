package run

import (
	"context"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/sshexec"
)

// Conn is one host's connection, open for the whole run. *sshexec.Client implements it; tests use fakes.
type Conn interface {
	Run(ctx context.Context, cmd sshexec.Cmd) (sshexec.Result, error)
	Close() error
}

// Dialer opens the connection to a host.
type Dialer func(ctx context.Context, h cluster.Host) (Conn, error)
