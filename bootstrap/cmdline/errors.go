// Package cmdline is the command-line surface of swapboot that is more than flag definitions: argv
// normalisation (flags before and after the cluster file), flag value checks, "did you mean"
// suggestions, the cluster file argument (a path, - for stdin, or ./cluster.yaml), confirmation before
// removing things, shell completion and the --version text. main.go declares the flags and wires these in.
package cmdline

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/exit"
)

// UsageError is a command line swapboot cannot run: a bad flag or value, an unknown command, a missing
// cluster file. Nothing has been contacted when it is returned; the exit code is exit.BadInput.
type UsageError struct {
	Problem string // what is wrong, naming the flag or argument as typed
	Fix     string // what to type instead; may be empty
}

func (e *UsageError) Error() string {
	if e.Fix == "" {
		return e.Problem
	}
	return e.Problem + "; " + e.Fix
}

// ExitCode: a command line problem is bad input.
func (e *UsageError) ExitCode() int { return exit.BadInput }

func usagef(fix, format string, args ...any) *UsageError {
	return &UsageError{Problem: fmt.Sprintf(format, args...), Fix: fix}
}
