// Package exit holds swapboot's process exit codes and the one function that maps an error to its code.
// Errors carry their code: every error type a command can end with has an ExitCode method.
package exit

import (
	"context"
	"errors"
)

// Exit codes.
const (
	OK          = 0
	HostFailed  = 1   // a host failed, or could not be reached or read
	BadInput    = 2   // the cluster file, a flag, or what the hosts' versions allow
	TimedOut    = 124 // --timeout passed (as timeout(1))
	Interrupted = 130 // Ctrl-C or SIGTERM
)

// Coder is an error that knows its exit code.
type Coder interface {
	error
	ExitCode() int
}

// Code is the exit code for err: TimedOut once ctx's deadline has passed, Interrupted once ctx has ended, else the code of the first error in
// err's chain that carries one, else HostFailed. A nil err is OK.
func Code(ctx context.Context, err error) int {
	var c Coder
	switch {
	case err == nil:
		return OK
	case ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return TimedOut
	case ctx != nil && ctx.Err() != nil:
		return Interrupted
	case errors.As(err, &c):
		return c.ExitCode()
	}
	return HostFailed
}
