// Package sshexec is swapboot's SSH transport: it connects to a host once and runs remote scripts on
// that one connection for the whole run.
//
// What it gets right, because the tools swapboot competes with often do not:
//   - Host keys are always verified: against a known_hosts file (hashed entries and [host]:port form
//     included), or against a key pinned in the cluster file. An unknown key is refused unless the
//     caller asked for trust-on-first-use; a changed key is refused always. There is no "ignore" mode.
//   - Passphrase-protected keys (the caller decides how to ask), ssh-agent, and jump hosts (bastions,
//     each with its own user, keys and host key).
//   - sudo with or without a password; the password never reaches the remote shell, even when sudo
//     turns out not to need it.
//   - Nothing hangs: dial and handshake have a timeout, keepalives detect a dead peer, and cancelling
//     a context stops the remote process (SIGTERM, then SIGKILL) and returns promptly.
//
// Remote scripts are sent on stdin to `sh -s`, so they need no quoting and have no length limit.
package sshexec
