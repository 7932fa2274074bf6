package sshexec

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// keepAlive sends a keepalive@openssh.com request every interval and ends the connection when
// keepAliveMaxMissed intervals pass without a reply, like OpenSSH's ServerAliveInterval and
// ServerAliveCountMax. Without it, a host that vanishes (power loss, a dropped NAT mapping) leaves
// Run blocked on TCP forever. Any reply counts, including OpenSSH's "request failed".
func keepAlive(conn ssh.Conn, interval time.Duration, state *connState, host string, log *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var waiting atomic.Bool // a request is out and unanswered
	missed := 0
	for {
		select {
		case <-state.done:
			return
		case <-ticker.C:
		}
		if waiting.Load() {
			missed++
			log.Debug("ssh: keepalive unanswered", "host", host, "missed", missed)
			if missed >= keepAliveMaxMissed {
				err := fmt.Errorf("%s: %w: no reply to keepalives for %s", host, ErrConnectionLost,
					time.Duration(missed)*interval)
				if state.end(err) {
					log.Debug("ssh: connection lost", "host", host, "err", err)
				}
				conn.Close()
				return
			}
			continue
		}
		missed = 0
		waiting.Store(true)
		// SendRequest blocks until the reply, so it runs on its own; it returns when the
		// connection closes at the latest.
		go func() {
			if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err == nil {
				waiting.Store(false)
			}
		}()
	}
}
