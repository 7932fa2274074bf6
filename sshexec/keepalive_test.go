package sshexec

import (
	"context"
	"errors"
	"testing"
	"time"
)

// runInBackground starts a long Run and returns its error channel.
func runInBackground(c *Client, script string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := c.Run(context.Background(), Cmd{Script: script})
		errc <- err
	}()
	return errc
}

func waitErr(t *testing.T, errc <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(within):
		t.Fatalf("Run still blocked after %v", within)
		return nil
	}
}

func TestKeepAliveDetectsUnresponsiveServer(t *testing.T) {
	f := newFixture(t)
	opts := f.options()
	opts.KeepAlive = 100 * time.Millisecond
	c := dialOK(t, f.endpoint("root"), opts)

	errc := runInBackground(c, "sleep 30")
	time.Sleep(300 * time.Millisecond) // a few answered keepalives first
	f.srv.freeze()                     // the host vanishes: no FIN, no RST, just silence
	start := time.Now()
	err := waitErr(t, errc, 3*time.Second)
	if !errors.Is(err, ErrConnectionLost) || !errors.Is(c.state.Err(), ErrConnectionLost) {
		t.Fatalf("err = %v, want ErrConnectionLost", err)
	}
	t.Logf("detected after %v: %v", time.Since(start), err)

	start = time.Now()
	if _, err := c.Run(context.Background(), Cmd{Script: "true"}); !errors.Is(err, ErrConnectionLost) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("Run on a dead connection: %v after %v, want ErrConnectionLost at once", err, time.Since(start))
	}
}

func TestServerClosingConnectionFailsRunAtOnce(t *testing.T) {
	f := newFixture(t)
	c := f.dial(t, "root") // default keepalive (15s): detection must not depend on it
	errc := runInBackground(c, "sleep 30")
	time.Sleep(100 * time.Millisecond)
	f.srv.dropConnections()
	if err := waitErr(t, errc, 2*time.Second); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("err = %v, want ErrConnectionLost", err)
	}
}

// OpenSSH answers keepalive@openssh.com with "request failed"; that is a reply, not a miss.
func TestKeepAliveKeepsHealthyConnection(t *testing.T) {
	f := newFixture(t)
	opts := f.options()
	opts.KeepAlive = 250 * time.Millisecond
	c := dialOK(t, f.endpoint("root"), opts)
	if _, err := c.Run(context.Background(), Cmd{Script: "sleep 1.2"}); err != nil {
		t.Fatal(err)
	}
}
