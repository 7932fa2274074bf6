package sshexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
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

const (
	// terminateGrace is how long a cancelled script has between SIGTERM and SIGKILL: enough for a
	// trap to clean up, short enough that Ctrl-C feels immediate.
	terminateGrace = 2 * time.Second
	// closeWait bounds the wait for the session to end after SIGKILL; a dead connection must not
	// hold Run.
	closeWait = time.Second
)

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
	if c.sudo != nil {
		x.feed = newSudoFeed(cmd.Script, c.sudo, x.stderr)
	}
	go x.run(c.conn, remoteCommand(c.user, c.sudo != nil), cmd.Script)

	var err error
	select {
	case <-x.ended:
		err = c.classify(x)
	case <-runCtx.Done():
		if sess := x.stop(); sess != nil {
			terminate(sess, x.ended)
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
			return fmt.Errorf("%s: sudo rejected the password of user %s: %w", c.host, c.user, e)
		}
		return e
	case c.state.Err() != nil:
		return c.state.Err()
	case errors.As(err, &missing):
		return fmt.Errorf("%s: remote script ended without an exit status", c.host)
	default:
		return fmt.Errorf("%s: run: %w", c.host, err)
	}
}

// execution is one Run's session, shared between Run and the goroutine driving the session.
type execution struct {
	stdout, stderr *capture
	feed           *sudoFeed // nil unless a sudo password is set
	ended          chan struct{}
	err, sudoErr   error // valid once ended is closed

	mu       sync.Mutex
	sess     *ssh.Session
	stopping bool
}

func (x *execution) run(conn *ssh.Client, command, script string) {
	defer close(x.ended)
	sess, err := conn.NewSession()
	if err != nil {
		x.err = fmt.Errorf("open session: %w", err)
		return
	}
	defer sess.Close()
	if !x.attach(sess) {
		return // Run gave up while the session was opening
	}
	sess.Stdout = x.stdout
	if x.feed != nil {
		if x.feed.stdin, err = sess.StdinPipe(); err != nil {
			x.err = err
			return
		}
		sess.Stderr = x.feed
	} else {
		sess.Stdin = strings.NewReader(script)
		sess.Stderr = x.stderr
	}
	if err := sess.Start(command); err != nil {
		x.err = fmt.Errorf("start: %w", err)
		return
	}
	if x.isStopping() {
		// Run gave up between attach and the exec request: the process must not outlive it.
		go terminate(sess, x.ended)
	}
	if x.feed != nil {
		go x.feed.feed()
	}
	x.err = sess.Wait()
	if x.feed != nil {
		x.sudoErr = x.feed.finish()
	}
}

func (x *execution) attach(sess *ssh.Session) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sess = sess
	return !x.stopping
}

// stop marks the execution abandoned and returns its session, if one is open yet.
func (x *execution) stop() *ssh.Session {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.stopping = true
	return x.sess
}

func (x *execution) isStopping() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.stopping
}

// terminate stops a remote process: SIGTERM, terminateGrace for it to exit, then SIGKILL and
// closing the channel. sshd delivers signals to the session's process group (OpenSSH >= 7.9);
// sudo relays them to the command. Every send runs in a goroutine: on a dead connection a write can
// block, and Run must return anyway.
func terminate(sess *ssh.Session, ended <-chan struct{}) {
	go sess.Signal(ssh.SIGTERM)
	select {
	case <-ended:
		return
	case <-time.After(terminateGrace):
	}
	go func() {
		sess.Signal(ssh.SIGKILL)
		sess.Close()
	}()
	select {
	case <-ended:
	case <-time.After(closeWait):
	}
}
