package sshexec

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// sessionRetryLimit bounds the wait for a session slot on a server that keeps refusing.
const sessionRetryLimit = time.Minute

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
