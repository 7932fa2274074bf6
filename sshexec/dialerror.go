package sshexec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

// DialReason says why the TCP connection to a host's SSH port was not made.
type DialReason int

const (
	// DialFailed: any other reason (Err says which).
	DialFailed DialReason = iota
	// DialRefused: the host answered that nothing listens on the port.
	DialRefused
	// DialTimedOut: no answer within the dial timeout.
	DialTimedOut
	// DialUnreachable: no route to the host or its network.
	DialUnreachable
	// DialInterrupted: the run was interrupted or ran out of time while connecting.
	DialInterrupted
)

// DialError is a failed TCP connection to a host's SSH port, directly or through a bastion. Its message
// names the host once, what failed and what to check, the same way whatever the port.
type DialError struct {
	Host    string // the host as in messages (its address, with the port when not 22)
	Port    int
	Bastion string // the bastion's label when the connection went through one
	Reason  DialReason
	Timeout time.Duration // the dial timeout (DialTimedOut)
	// Err is the underlying error: context.DeadlineExceeded for DialTimedOut, the context's error for
	// DialInterrupted, else the network's.
	Err error
}

func (e *DialError) Error() string { return e.Host + ": " + e.Detail() }

func (e *DialError) Unwrap() error { return e.Err }

// Detail is the message without the host, for lists that name the host already.
func (e *DialError) Detail() string {
	via, route := "", "the network route to it"
	if e.Bastion != "" {
		via, route = " (through bastion "+e.Bastion+")", "that bastion "+e.Bastion+" can reach it"
	}
	switch e.Reason {
	case DialRefused:
		return fmt.Sprintf("connection refused on port %d%s; check that sshd runs on the host and listens on port %d (ssh.port in the cluster file)", e.Port, via, e.Port)
	case DialTimedOut:
		return fmt.Sprintf("no answer on port %d within %s%s; check the address, that the host is up and that no firewall drops port %d (or raise --dial-timeout)", e.Port, e.Timeout, via, e.Port)
	case DialUnreachable:
		return fmt.Sprintf("host unreachable on port %d%s (%v); check the address and %s", e.Port, via, e.cause(), route)
	case DialInterrupted:
		return fmt.Sprintf("connecting on port %d%s was interrupted (%v)", e.Port, via, e.Err)
	}
	return fmt.Sprintf("cannot connect on port %d%s: %v; check the address, the port (ssh.port in the cluster file) and %s", e.Port, via, e.cause(), route)
}

// cause is the innermost reason, without the addresses the net package repeats at every level.
func (e *DialError) cause() error {
	var se *net.OpError
	if errors.As(e.Err, &se) && se.Err != nil {
		var sys interface{ Unwrap() error }
		if errors.As(se.Err, &sys) && sys.Unwrap() != nil {
			return sys.Unwrap()
		}
		return se.Err
	}
	var oc *ssh.OpenChannelError
	if errors.As(e.Err, &oc) {
		return errors.New(oc.Message)
	}
	return e.Err
}

// newDialError classifies a failed dial of ep's SSH port.
func newDialError(ep Endpoint, bastion string, parent context.Context, timeout time.Duration, err error) *DialError {
	e := &DialError{Host: ep.label(), Port: ep.port(), Bastion: bastion, Err: err, Timeout: timeout}
	var ne net.Error
	switch {
	case parent.Err() != nil:
		e.Reason, e.Err = DialInterrupted, parent.Err()
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		e.Reason, e.Err = DialTimedOut, context.DeadlineExceeded
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason = DialRefused
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		e.Reason = DialUnreachable
	}
	return e
}
