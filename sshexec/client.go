package sshexec

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// maxSessions is OpenSSH's default MaxSessions: sshd refuses the 11th concurrent session on one
// connection, so further Runs wait for a free slot instead of failing.
const maxSessions = 10

// Client is one SSH connection to one host, shared by every Run of a swapboot run. It is safe for
// concurrent use.
type Client struct {
	host     string
	user     string
	conn     *ssh.Client
	bastion  *Client // closed with this client; nil for a direct connection
	log      *slog.Logger
	state    *connState
	sessions chan struct{}
	sudo     *sudoPassword // nil: passwordless sudo

	closeOnce sync.Once
	closeErr  error
}

func newClient(ep Endpoint, conn *ssh.Client, bastion *Client, opts Options) *Client {
	c := &Client{
		host:     ep.label(),
		user:     ep.User,
		conn:     conn,
		bastion:  bastion,
		log:      opts.Logger,
		state:    newConnState(),
		sessions: make(chan struct{}, maxSessions),
	}
	if opts.SudoPassword != nil && ep.User != "root" {
		c.sudo = &sudoPassword{host: c.host, ask: opts.SudoPassword}
	}
	go c.watchConnection()
	go keepAlive(conn, opts.KeepAlive, c.state, c.host, c.log)
	if bastion != nil {
		go c.followBastion()
	}
	return c
}

// Host names the host in messages: its address, with the port when it is not 22.
func (c *Client) Host() string { return c.host }

// Close ends the connection (and the bastion's). Runs still in flight fail at once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		healthy := c.state.end(fmt.Errorf("%s: %w", c.host, errClientClosed))
		err := c.conn.Close()
		if !healthy {
			err = nil // already lost: the close error only repeats that
		}
		if c.bastion != nil {
			if berr := c.bastion.Close(); err == nil {
				err = berr
			}
		}
		if c.sudo != nil {
			c.sudo.forget()
		}
		c.closeErr = err
	})
	return c.closeErr
}

// watchConnection notices the peer (or the network) closing the connection.
func (c *Client) watchConnection() {
	err := c.conn.Wait()
	lost := fmt.Errorf("%s: %w: %v", c.host, ErrConnectionLost, err)
	if c.bastion != nil {
		// A dying bastion ends the tunnel a moment before it records why; name the real cause.
		select {
		case <-c.bastion.state.done:
			lost = fmt.Errorf("%s: through bastion: %w", c.host, c.bastion.state.Err())
		case <-c.state.done:
		case <-time.After(bastionNoticeWait):
		}
	}
	if c.state.end(lost) {
		c.log.Debug("ssh: connection lost", "host", c.host, "err", lost)
	}
}

// bastionNoticeWait bounds how long a lost tunnelled connection waits to learn whether its bastion
// died too.
const bastionNoticeWait = 250 * time.Millisecond

// followBastion ends this connection when the bastion's ends: the tunnel may not notice on its own
// for as long as the dead bastion connection stays half-open.
func (c *Client) followBastion() {
	select {
	case <-c.bastion.state.done:
		c.state.end(fmt.Errorf("%s: through bastion: %w", c.host, c.bastion.state.Err()))
		c.conn.Close()
	case <-c.state.done:
	}
}

func (c *Client) acquireSession(ctx context.Context) error {
	select {
	case c.sessions <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.state.done:
		return c.state.Err()
	}
}

func (c *Client) releaseSession() { <-c.sessions }
