package sshexec

import (
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	// terminateGrace is how long a cancelled script has between SIGTERM and SIGKILL: enough for a
	// trap to clean up, short enough that Ctrl-C feels immediate.
	terminateGrace = 2 * time.Second
	// closeWait bounds the wait for the session to end after SIGKILL; a dead connection must not
	// hold Run.
	closeWait = time.Second
)

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
// process group, but OpenSSH refuses them on root logins (the privileged monitor runs those
// sessions) and sudo relays them only to its direct child, so the announced root process group is
// also signalled with kill(1) from a second session.
func (c *Client) signal(x *execution, sess *ssh.Session, sig ssh.Signal) {
	go sess.Signal(sig)
	if x.preamble == nil {
		return
	}
	if pid := x.preamble.shellPID(); pid > 1 { // never `kill -- -1`
		go c.killProcessGroup(pid, sig)
	}
}

func (c *Client) killProcessGroup(pid int, sig ssh.Signal) {
	sess, err := c.openSession(terminateGrace, func() bool { return false })
	if err != nil {
		c.log.Debug("ssh: cannot open a session to stop the script", "host", c.host, "err", err)
		return
	}
	defer sess.Close()
	if c.sudo != nil {
		if pw, err := c.sudo.get(); err == nil {
			sess.Stdin = strings.NewReader(string(pw) + "\n")
		}
	}
	sess.Run(killCommand(c.user, c.sudo != nil, string(sig), pid))
}
