package sshexec

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
//   - other users: `sudo -n sh -s`; -n makes a sudo that needs a password fail at once instead of
//     waiting for a password that never comes. sshd's signals reach sudo, which relays them.
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
		return "sudo -n sh -s"
	}
	return "sudo -S -p '" + sudoPromptMarker + "' " + announce
}
