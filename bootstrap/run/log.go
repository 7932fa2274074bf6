package run

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// The pipeline logs its own stages at debug level (load, connect, facts, plan, execute, report) and
// each connection attempt, through the options' Logger, so --verbose shows where a run is and where it
// stopped, dry runs and failed connections included.

// orDiscard is l, or a logger that writes nothing when the options have none.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return l
}

// stage logs the start of a pipeline stage and returns the function that logs its end.
func stage(log *slog.Logger, name string, args ...any) func(err error, args ...any) {
	started := time.Now()
	log.Debug("stage", append([]any{"stage", name}, args...)...)
	return func(err error, args ...any) {
		args = append([]any{"stage", name, "took", time.Since(started)}, args...)
		if err != nil {
			// The error itself is what the command ends with; it is printed once, there.
			log.Debug("stage failed (the error is printed at the end)", args...)
			return
		}
		log.Debug("stage done", args...)
	}
}

// loggedDial logs each connection attempt of dial.
func loggedDial(dial Dialer, log *slog.Logger) Dialer {
	return func(ctx context.Context, h cluster.Host) (Conn, error) {
		started := time.Now()
		log.Debug("connecting", "host", h.ID(), "address", h.Address, "port", h.SSH.Port, "user", h.SSH.User)
		conn, err := dial(ctx, h)
		if err != nil {
			log.Debug("connect failed", "host", h.ID(), "took", time.Since(started), "err", err)
		} else {
			log.Debug("connected", "host", h.ID(), "took", time.Since(started))
		}
		return conn, err
	}
}
