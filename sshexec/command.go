package sshexec

import "fmt"

// Before the script starts, the remote wrapper speaks on stderr in these markers; swapboot removes
// them from the output. Until the script starts only the wrapper and sudo write to stderr, so the
// markers cannot be confused with script output.
const (
	// sudoPromptMarker is sudo's password prompt (sudo -p).
	sudoPromptMarker = "swapboot-sudo-password:"
	// readyMarker, followed by the shell's pid and a newline, says the (root) shell that will read
	// the script from stdin is running.
	readyMarker = "swapboot-ready "
)

// announce is the root shell that prints readyMarker with its pid, then reads the script.
const announce = "sh -c 'echo " + readyMarker + "$$ >&2; exec sh -s'"

// remoteCommand is the exec request for a script sent on stdin.
//
//   - root: the shell replaces the login shell (exec), so its pid is the session's process group,
//     and announces it: OpenSSH ignores "signal" requests on root logins, so cancelling kills that
//     process group from a second session instead.
//   - other users: `sudo -n` runs the same announcing root shell; -n makes a sudo that needs a password
//     fail at once instead of waiting for a password that never comes. sudo relays sshd's signals only
//     to its direct child, so cancelling also kills the announced process group (as root, via sudo)
//     from a second session: otherwise `kubeadm join` would outlive a cancelled script.
//   - other users with a sudo password: sudo prompts with a marker, and the root shell announces
//     itself before reading the script. swapboot sends the password only when the prompt appears
//     and the script only after the announcement. Simply sending "password\nscript" would make sh
//     execute the password as a command (echoing it into the output) whenever sudo does not ask:
//     NOPASSWD rules, cached credentials.
func remoteCommand(user string, sudoPassword bool) string {
	switch {
	case user == "root":
		return "exec " + announce
	case !sudoPassword:
		return "sudo -n " + announce
	}
	return "sudo -S -p '" + sudoPromptMarker + "' " + announce
}

// killCommand is the command a second session runs to signal the script's processes: the process
// group of the announced shell (for root the shell leads its group; under sudo it shares the group of
// sudo and the login command, all of them this session's). The group belongs to root, so other users go
// through sudo (with -S when they have a password, fed on stdin).
func killCommand(user string, sudoPassword bool, sig string, pid int) string {
	kill := fmt.Sprintf(`sh -c 'pg=$(ps -o pgid= -p %d 2>/dev/null | tr -dc 0-9); [ "${pg:-0}" -gt 1 ] || pg=%d; kill -s %s -- -$pg 2>/dev/null'`, pid, pid, sig)
	switch {
	case user == "root":
		return kill
	case !sudoPassword:
		return "sudo -n " + kill
	}
	return "sudo -S -p '' " + kill
}
