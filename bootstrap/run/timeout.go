package run

import (
	"context"
	"fmt"
	"time"

	"github.com/swapboot/swapboot/bootstrap/exit"
)

// TimeoutError is a run stopped because its time limit (--timeout) passed, not by Ctrl-C or SIGTERM.
// Its exit code is exit.TimedOut; it unwraps to what the run was doing when it was stopped.
type TimeoutError struct {
	Timeout time.Duration // the run's limit (RunOptions.Timeout, StatusOptions.Timeout); 0: the caller's deadline
	Stage   string        // what the run was doing: "connecting", "reading facts", "running the plan", ...
	Changed bool          // hosts may have been changed (the report table says what was done)
	Err     error
}

func (e *TimeoutError) Error() string {
	limit := "its deadline"
	if e.Timeout > 0 {
		limit = "--timeout " + e.Timeout.String()
	}
	done := "nothing was changed"
	if e.Changed {
		done = "the table above shows what was done; finished steps are skipped when it runs again"
	}
	return fmt.Sprintf("the run passed %s; it was stopped while %s and %s (exit code %d; Ctrl-C is %d); "+
		"run it again with a longer --timeout", limit, e.Stage, done, exit.TimedOut, exit.Interrupted)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// ExitCode: the run's time limit passed.
func (e *TimeoutError) ExitCode() int { return exit.TimedOut }

// withTimeout is the run's own context: it ends when timeout passes (0: no limit of its own).
func withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// stopped is err as the run ends with it. exit.Code(ctx, err) of the run's context decides the code;
// a run its time limit stopped says so in its own words instead of "context deadline exceeded".
func stopped(ctx context.Context, timeout time.Duration, stage string, changed bool, err error) error {
	switch code := exit.Code(ctx, err); code {
	case exit.OK:
		return nil
	case exit.TimedOut:
		return &TimeoutError{Timeout: timeout, Stage: stage, Changed: changed, Err: err}
	default:
		return exit.WithCode(code, err)
	}
}
