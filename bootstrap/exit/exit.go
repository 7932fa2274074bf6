// Package exit holds swapboot's process exit codes and the one function that maps an error to its code.
// Errors carry their code: every error type a command can end with has an ExitCode method, and where a
// command decides a code itself (a report with failed hosts, a flag out of range) it wraps the error
// with WithCode. main only prints the error and exits with Code(nil, err).
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

// Error gives an error its exit code. A nil Err is a code with nothing to say (status: not every node is
// Ready, and the table already says so).
type Error struct {
	Code int
	Err  error
}

// WithCode wraps err with code.
func WithCode(code int, err error) error { return &Error{Code: code, Err: err} }

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
func (e *Error) ExitCode() int { return e.Code }

// HasCode says whether an error in err's chain carries a code.
func HasCode(err error) bool {
	var c Coder
	return errors.As(err, &c)
}

// Silent says whether err has nothing to print: its code is OK (the user declined, a dry-run's own
// result) or it is a bare code (Error with a nil Err).
func Silent(err error) bool {
	var e *Error
	return Code(nil, err) == OK || (errors.As(err, &e) && e.Err == nil)
}
