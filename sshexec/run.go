package sshexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Cmd is one remote script.
type Cmd struct {
	// Script is sent on stdin to `sh -s` (wrapped in sudo for non-root users), so it needs no
	// quoting and has no length limit. It is never logged: it may contain secrets.
	Script string
	// Stdout and Stderr, when set, receive the output live (the caller passes prefixed writers).
	Stdout, Stderr io.Writer
	// Timeout bounds the command; 0 means no bound beyond ctx.
	Timeout time.Duration
}

// Result is what a script produced. After a timeout or cancellation it holds the output so far.
type Result struct {
	Stdout, Stderr []byte
	ExitCode       int // -1 when the script did not finish
	Duration       time.Duration
}

// lossNoticeWait bounds how long a session that ended without an exit status waits for the
// connection watcher's verdict.
const lossNoticeWait = time.Second

// Run executes cmd in a new session on the client's connection. A non-zero exit is an *ExitError
// (with the Result filled in). When ctx is done or cmd.Timeout passes, the remote process gets
// SIGTERM, then SIGKILL, and Run returns an error wrapping context.Canceled or
// context.DeadlineExceeded. A connection that dies fails Run at once with ErrConnectionLost.
func (c *Client) Run(ctx context.Context, cmd Cmd) (Result, error) {
	start := time.Now()
	runCtx := ctx
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cmd.Timeout)
		defer cancel()
	}
	if err := c.state.Err(); err != nil {
		return Result{ExitCode: -1}, err
	}
	if runCtx.Err() != nil {
		return Result{ExitCode: -1}, c.stopped(ctx, cmd.Timeout)
	}
	if err := c.acquireSession(runCtx); err != nil {
		if runCtx.Err() != nil {
			err = c.stopped(ctx, cmd.Timeout)
		}
		return Result{ExitCode: -1}, err
	}
	defer c.releaseSession()

	x := &execution{
		stdout: &capture{live: cmd.Stdout},
		stderr: &capture{live: cmd.Stderr},
		ended:  make(chan struct{}),
	}
	x.preamble = newPreamble(x.stderr)
	go c.execute(x, cmd.Script)

	var err error
	select {
	case <-x.ended:
		err = c.classify(x)
	case <-runCtx.Done():
		if sess := x.stop(); sess != nil {
			c.terminate(x, sess)
		}
		err = c.stopped(ctx, cmd.Timeout)
	case <-c.state.done:
		if sess := x.stop(); sess != nil {
			go sess.Close()
		}
		err = c.state.Err()
	}
	res := Result{Stdout: x.stdout.Bytes(), Stderr: x.stderr.Bytes(), ExitCode: -1, Duration: time.Since(start)}
	var exitErr *ExitError
	switch {
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.Code
	}
	c.log.Debug("ssh: run", "host", c.host, "exit", res.ExitCode, "took", res.Duration, "err", err)
	return res, err
}

// stopped words a timeout or cancellation; it keeps context.DeadlineExceeded / context.Canceled
// reachable with errors.Is.
func (c *Client) stopped(ctx context.Context, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: remote script stopped: %w", c.host, err)
	}
	return fmt.Errorf("%s: remote script timed out after %s: %w", c.host, timeout, context.DeadlineExceeded)
}

// classify turns a finished session into Run's error.
func (c *Client) classify(x *execution) error {
	if x.sudoErr != nil && !errors.Is(x.sudoErr, errSudoRejected) {
		return fmt.Errorf("%s: sudo password: %w", c.host, x.sudoErr)
	}
	var sshExit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch err := x.err; {
	case err == nil:
		return nil
	case errors.As(err, &sshExit):
		e := &ExitError{Host: c.host, Code: sshExit.ExitStatus(), Signal: sshExit.Signal(), StderrTail: tail(x.stderr.Bytes())}
		if errors.Is(x.sudoErr, errSudoRejected) {
			msg := fmt.Sprintf("%s: sudo rejected the password of user %s: %s", c.host, c.user, strings.TrimSpace(e.StderrTail))
			return &withMessage{msg: msg, err: e}
		}
		return e
	case errors.As(err, &missing) || errors.Is(err, io.EOF):
		if lost := c.lostWhileRunning(); lost != nil {
			return lost
		}
		return fmt.Errorf("%s: remote script ended without an exit status", c.host)
	default:
		if lost := c.state.Err(); lost != nil {
			return lost
		}
		return fmt.Errorf("%s: %w", c.host, err)
	}
}

// lostWhileRunning tells a session cut short by a dying connection from one the server ended
// oddly. The library closes the session's channel a moment before the connection watcher learns
// of the loss, so give it that moment.
func (c *Client) lostWhileRunning() error {
	select {
	case <-c.state.done:
	case <-time.After(lossNoticeWait):
	}
	return c.state.Err()
}
