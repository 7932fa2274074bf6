package sshexec

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A refused connection is one line: the host once, what failed, what to check; the same words for
// port 22 and any other port, and typed (errors.As) so callers never read the text.
func TestDialRefusedMessage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	key := newClientKey(t, "")
	for _, p := range []int{port, 1} {
		ep := Endpoint{Address: "127.0.0.1", Port: p, User: "root", KeyFiles: []string{key.path},
			HostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3svZndR8FS1nY/3hqIY8lsGffo0zsMiKRApmvshzCA"}
		_, err := Dial(context.Background(), ep, Options{DialTimeout: 2 * time.Second})
		var de *DialError
		if !errors.As(err, &de) || de.Reason != DialRefused {
			t.Fatalf("port %d: got %v, want a refused *DialError", p, err)
		}
		msg := err.Error()
		ps := strconv.Itoa(p)
		want := "127.0.0.1:" + ps + ": connection refused on port " + ps + "; check that sshd runs on the host and listens on port " + ps + " (ssh.port in the cluster file)"
		if msg != want {
			t.Errorf("port %d:\n got %s\nwant %s", p, msg, want)
		}
		if strings.Count(msg, "127.0.0.1") != 1 || strings.Contains(msg, "\n") {
			t.Errorf("port %d: the address more than once, or more than one line: %s", p, msg)
		}
	}
}

func TestDialErrorWording(t *testing.T) {
	for _, c := range []struct {
		e    DialError
		want string
	}{
		{DialError{Host: "10.0.0.1", Port: 22, Reason: DialRefused}, "10.0.0.1: connection refused on port 22; check that sshd runs on the host and listens on port 22 (ssh.port in the cluster file)"},
		{DialError{Host: "10.0.0.1", Port: 22, Reason: DialTimedOut, Timeout: 10 * time.Second, Err: context.DeadlineExceeded}, "10.0.0.1: no answer on port 22 within 10s; check the address, that the host is up and that no firewall drops port 22 (or raise --dial-timeout)"},
		{DialError{Host: "10.0.0.1:2222", Port: 2222, Bastion: "10.0.0.9", Reason: DialRefused}, "10.0.0.1:2222: connection refused on port 2222 (through bastion 10.0.0.9); check that sshd runs on the host and listens on port 2222 (ssh.port in the cluster file)"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
	timedOut := &DialError{Reason: DialTimedOut, Err: context.DeadlineExceeded}
	if !errors.Is(timedOut, context.DeadlineExceeded) {
		t.Error("a timeout does not unwrap to context.DeadlineExceeded")
	}
}
