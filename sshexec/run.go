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
	// lossNoticeWait bounds how long a session that ended without an exit status waits for the
	// connection watcher's verdict.
	lossNoticeWait = time.Second
	// sessionRetryLimit bounds the wait for a session slot on a server that keeps refusing.
	sessionRetryLimit = time.Minute
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
	if c.user == "root" || c.sudo != nil {
		x.preamble = newPreamble(x.stderr)
	}
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
	case c.lostWhileRunning() != nil:
		return c.state.Err()
	case errors.As(err, &missing):
		return fmt.Errorf("%s: remote script ended without an exit status", c.host)
	default:
		return fmt.Errorf("%s: run: %w", c.host, err)
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

// openSession opens a session channel, retrying while the server refuses it for lack of
// resources: sshd refuses sessions beyond MaxSessions (10 by default, sometimes 1 on hardened
// hosts), and a session that just ended still counts until sshd has cleaned it up. Retrying turns
// that limit into a queue. It gives up after limit, or when stop says the caller has.
func (c *Client) openSession(limit time.Duration, stop func() bool) (*ssh.Session, error) {
	deadline := time.Now().Add(limit)
	delay := 10 * time.Millisecond
	for {
		sess, err := c.conn.NewSession()
		var refused *ssh.OpenChannelError
		if err == nil || !errors.As(err, &refused) ||
			(refused.Reason != ssh.ConnectionFailed && refused.Reason != ssh.ResourceShortage) {
			return sess, err
		}
		if stop() || time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (the server's MaxSessions limit?)", err)
		}
		c.log.Debug("ssh: session refused, retrying", "host", c.host, "err", err)
		select {
		case <-time.After(delay):
		case <-c.state.done:
			return nil, err
		}
		delay = min(2*delay, time.Second)
	}
}

// execution is one Run's session, shared between Run and the goroutine driving the session.
type execution struct {
	stdout, stderr *capture
	preamble       *preamble // the wrapper's stderr markers; nil for `sudo -n sh -s`
	ended          chan struct{}
	err, sudoErr   error // valid once ended is closed

	mu       sync.Mutex
	sess     *ssh.Session
	stopping bool
}

// execute runs the script in a new session; it closes x.ended when the session is over.
func (c *Client) execute(x *execution, script string) {
	defer close(x.ended)
	sess, err := c.openSession(sessionRetryLimit, x.isStopping)
	if err != nil {
		x.err = fmt.Errorf("open session: %w", err)
		return
	}
	defer sess.Close()
	if !x.attach(sess) {
		return // Run gave up while the session was opening
	}
	command := remoteCommand(c.user, c.sudo != nil)
	sess.Stdout = x.stdout
	sess.Stderr = x.stderr
	if x.preamble != nil {
		sess.Stderr = x.preamble
	}
	var stdin io.WriteCloser
	if c.sudo != nil {
		if stdin, err = sess.StdinPipe(); err != nil {
			x.err = err
			return
		}
	} else {
		sess.Stdin = strings.NewReader(script)
	}
	if err := sess.Start(command); err != nil {
		x.err = fmt.Errorf("start: %w", err)
		return
	}
	if x.isStopping() {
		// Run gave up between attach and the exec request: the process must not outlive it.
		go c.terminate(x, sess)
	}
	finished := make(chan struct{})
	fed := make(chan struct{})
	if stdin != nil {
		go func() {
			defer close(fed)
			x.sudoErr = feedSudo(stdin, x.preamble.events, finished, c.sudo, script)
		}()
	} else {
		close(fed)
	}
	x.err = sess.Wait()
	close(finished)
	<-fed
	if x.preamble != nil {
		x.preamble.flush()
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

// terminate stops a remote script: SIGTERM, terminateGrace for it to exit, then SIGKILL and
// closing the channel. Every send runs in a goroutine: on a dead connection a write can block, and
// Run must return anyway.
func (c *Client) terminate(x *execution, sess *ssh.Session) {
	c.signal(x, sess, ssh.SIGTERM)
	select {
	case <-x.ended:
		return
	case <-time.After(terminateGrace):
	}
	c.signal(x, sess, ssh.SIGKILL)
	go sess.Close()
	select {
	case <-x.ended:
	case <-time.After(closeWait):
	}
}

// signal sends sig to the script's processes. sshd delivers "signal" requests to the session's
// process group, and sudo relays them to its command, but OpenSSH refuses them on root logins
// (the privileged monitor runs those sessions), so for root the announced process group is also
// signalled with kill(1) from a second session.
func (c *Client) signal(x *execution, sess *ssh.Session, sig ssh.Signal) {
	go sess.Signal(sig)
	if x.preamble == nil || c.user != "root" {
		return
	}
	if pgid := x.preamble.shellPID(); pgid > 1 { // never `kill -- -1`
		go c.killProcessGroup(pgid, sig)
	}
}

func (c *Client) killProcessGroup(pgid int, sig ssh.Signal) {
	sess, err := c.openSession(terminateGrace, func() bool { return false })
	if err != nil {
		c.log.Debug("ssh: cannot open a session to stop the script", "host", c.host, "err", err)
		return
	}
	defer sess.Close()
	sess.Run(fmt.Sprintf("kill -s %s -- -%d 2>/dev/null", sig, pgid))
}

// withMessage rewords err (which stays reachable with errors.As) without repeating its host prefix.
type withMessage struct {
	msg string
	err error
}

func (w *withMessage) Error() string { return w.msg }
func (w *withMessage) Unwrap() error { return w.err }
