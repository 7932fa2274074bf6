package sshexec

import (
	"context"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// Dial connects to ep (through its bastion, if any), verifies the host key and authenticates. The
// returned Client holds the connection until Close.
func Dial(ctx context.Context, ep Endpoint, opts Options) (*Client, error) {
	return dial(ctx, ep, opts.withDefaults())
}

func dial(ctx context.Context, ep Endpoint, opts Options) (*Client, error) {
	if err := ep.validate(); err != nil {
		return nil, err
	}
	host, addr, log := ep.label(), ep.dialAddress(), opts.Logger
	started := time.Now()

	check, err := newHostKeyCheck(ep, opts, log)
	if err != nil {
		return nil, err
	}
	creds, err := loadCredentials(ep, opts)
	if err != nil {
		return nil, err
	}
	defer creds.close() // agent keys are only needed to sign during the handshake

	var bastion *Client
	var conn net.Conn
	if ep.Bastion != nil {
		if bastion, err = dial(ctx, *ep.Bastion, opts); err != nil {
			return nil, fmt.Errorf("%s: via bastion: %w", host, err)
		}
		conn, err = bastion.tunnel(ctx, addr, opts.DialTimeout)
	} else {
		conn, err = dialTCP(ctx, addr, opts.DialTimeout)
	}
	if err != nil {
		closeIfSet(bastion)
		return nil, newDialError(ep, bastionLabel(ep), ctx, opts.DialTimeout, err) // names the host once
	}
	log.Debug("ssh: tcp connected", "host", host, "addr", addr, "bastion", bastionLabel(ep), "took", time.Since(started))

	config := &ssh.ClientConfig{
		User:              ep.User,
		Auth:              creds.authMethods(),
		HostKeyCallback:   check.verify,
		HostKeyAlgorithms: check.algorithms(),
	}
	sconn, chans, reqs, err := handshake(ctx, conn, addr, config, opts.DialTimeout)
	if err != nil {
		conn.Close()
		closeIfSet(bastion)
		if refusal := check.refused(); refusal != nil {
			return nil, refusal // typed, and already names the host
		}
		if isAuthFailure(err) {
			return nil, creds.authError(ep, err)
		}
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	log.Debug("ssh: connected", "host", host, "user", ep.User, "auth", creds.used.get(), "took", time.Since(started))
	return newClient(ep, ssh.NewClient(sconn, chans, reqs), bastion, opts), nil
}

func dialTCP(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, err // dial wraps it in a *DialError
	}
	return conn, nil
}

// tunnel opens a direct-tcpip channel to addr from this (bastion) host.
func (c *Client) tunnel(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := c.conn.DialContext(dctx, "tcp", addr)
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			return nil, context.DeadlineExceeded
		}
		return nil, err // dial wraps it in a *DialError
	}
	return conn, nil
}

// handshake bounds the SSH handshake (version exchange, key exchange, authentication) by timeout:
// a port that accepts TCP but never speaks SSH must not hang the run.
func handshake(ctx context.Context, conn net.Conn, addr string, config *ssh.ClientConfig, timeout time.Duration) (ssh.Conn, <-chan ssh.NewChannel, <-chan *ssh.Request, error) {
	type result struct {
		conn  ssh.Conn
		chans <-chan ssh.NewChannel
		reqs  <-chan *ssh.Request
		err   error
	}
	done := make(chan result, 1)
	go func() {
		c, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
		done <- result{c, chans, reqs, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.conn, r.chans, r.reqs, r.err
	case <-ctx.Done():
		conn.Close() // unblocks the handshake goroutine
		return nil, nil, nil, fmt.Errorf("ssh handshake: %w", ctx.Err())
	case <-timer.C:
		conn.Close()
		return nil, nil, nil, fmt.Errorf("ssh handshake: no answer within %s: %w", timeout, context.DeadlineExceeded)
	}
}

func closeIfSet(c *Client) {
	if c != nil {
		c.Close()
	}
}

func bastionLabel(ep Endpoint) string {
	if ep.Bastion == nil {
		return ""
	}
	return ep.Bastion.label()
}
