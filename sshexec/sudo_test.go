package sshexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRemoteCommand(t *testing.T) {
	tests := []struct {
		user     string
		password bool
		want     string
	}{
		{"root", false, "exec sh -c 'echo swapboot-ready $$ >&2; exec sh -s'"},
		{"root", true, "exec sh -c 'echo swapboot-ready $$ >&2; exec sh -s'"},
		{"deploy", false, "sudo -n sh -c 'echo swapboot-ready $$ >&2; exec sh -s'"},
		{"deploy", true, "sudo -S -p 'swapboot-sudo-password:' sh -c 'echo swapboot-ready $$ >&2; exec sh -s'"},
	}
	for _, tc := range tests {
		if got := remoteCommand(tc.user, tc.password); got != tc.want {
			t.Errorf("remoteCommand(%q, %v) = %q, want %q", tc.user, tc.password, got, tc.want)
		}
	}
}

// fakeSudo behaves like sudo for these tests: with $FAKE_SUDO_PASSWORD set it requires that
// password (-n fails, -S reads it from stdin after printing the -p prompt on stderr, three tries);
// without, it is NOPASSWD. Like the real one, it reads the password byte by byte, leaving the rest
// of stdin to the command.
const fakeSudo = `#!/bin/sh
nonint=; prompt='[sudo] password: '
while [ $# -gt 0 ]; do
	case "$1" in
	-n) nonint=1; shift;;
	-S) shift;;
	-p) prompt=$2; shift 2;;
	--) shift; break;;
	-*) shift;;
	*) break;;
	esac
done
if [ -n "$FAKE_SUDO_PASSWORD" ]; then
	if [ -n "$nonint" ]; then echo "sudo: a password is required" >&2; exit 1; fi
	tries=0
	while :; do
		printf '%s' "$prompt" >&2
		IFS= read -r pw || { echo >&2; echo "sudo: no password was provided" >&2; exit 1; }
		echo >&2
		[ "$pw" = "$FAKE_SUDO_PASSWORD" ] && break
		tries=$((tries+1))
		[ $tries -ge 3 ] && { echo "sudo: 3 incorrect password attempts" >&2; exit 1; }
		echo "Sorry, try again." >&2
	done
fi
exec "$@"
`

func newSudoFixture(t *testing.T, password string) *fixture {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "sudo"), []byte(fakeSudo), 0o755); err != nil {
		t.Fatal(err)
	}
	return newFixture(t, withEnv("PATH="+bin+":/usr/bin:/bin", "FAKE_SUDO_PASSWORD="+password))
}

func TestSudo(t *testing.T) {
	const password = "hunter2 with spaces"
	// The script prints its whole stdin remainder too: the password must not be in it.
	const script = "echo \"running as $(id -u)\"; cat"
	tests := []struct {
		name         string
		user         string
		hostPassword string // "" = NOPASSWD
		givePassword string // "" = no SudoPassword callback
		wantCommand  string
		wantAsks     int32
		wantErr      string
	}{
		{name: "root needs no sudo", user: "root", givePassword: password, wantCommand: remoteCommand("root", false)},
		{name: "passwordless sudo", user: "deploy", wantCommand: "sudo -n sh -c 'echo swapboot-ready $$ >&2; exec sh -s'"},
		{name: "password required but none given", user: "deploy", hostPassword: password, wantCommand: "sudo -n sh -c 'echo swapboot-ready $$ >&2; exec sh -s'",
			wantErr: "passwordless sudo, or give swapboot the sudo password"},
		{name: "password", user: "deploy", hostPassword: password, givePassword: password,
			wantCommand: remoteCommand("deploy", true), wantAsks: 1},
		{name: "password given, sudo does not ask", user: "deploy", givePassword: password,
			wantCommand: remoteCommand("deploy", true), wantAsks: 0},
		{name: "wrong password", user: "deploy", hostPassword: password, givePassword: "n0t-the-pa55word",
			wantCommand: remoteCommand("deploy", true), wantAsks: 2, wantErr: "sudo rejected the password of user deploy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSudoFixture(t, tc.hostPassword)
			var asks atomic.Int32
			opts := f.options()
			if tc.givePassword != "" {
				opts.SudoPassword = func(host string) ([]byte, error) {
					if host != f.srv.addr() {
						t.Errorf("SudoPassword(%q)", host)
					}
					asks.Add(1)
					return []byte(tc.givePassword), nil
				}
			}
			c := dialOK(t, f.endpoint(tc.user), opts)
			for range 2 { // the password is asked once per client, not per Run (unless rejected)
				res, err := c.Run(context.Background(), Cmd{Script: script})
				all := string(res.Stdout) + string(res.Stderr) + f.logs.String()
				if strings.Contains(all, tc.givePassword) && tc.givePassword != "" {
					t.Errorf("password leaked into output or logs: %q", all)
				}
				if strings.Contains(all, "swapboot-sudo") || strings.Contains(all, "swapboot-ready") {
					t.Errorf("sudo markers in output: %q", all)
				}
				if tc.wantErr != "" {
					var exitErr *ExitError
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &exitErr) {
						t.Fatalf("err = %v, want an *ExitError mentioning %q", err, tc.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Run: %v (stderr %q)", err, res.Stderr)
				}
				if string(res.Stdout) != "running as 0\n" {
					t.Errorf("stdout %q", res.Stdout)
				}
				if tc.hostPassword != "" && string(res.Stderr) != "\n" { // the fake sudo's newline after the password
					t.Errorf("stderr %q", res.Stderr)
				}
			}
			if got := asks.Load(); got != tc.wantAsks {
				t.Errorf("SudoPassword called %d times, want %d", got, tc.wantAsks)
			}
			for _, cmd := range f.srv.execCommands() {
				if cmd != tc.wantCommand {
					t.Errorf("exec %q, want %q", cmd, tc.wantCommand)
				}
			}
		})
	}
}

func TestSudoPasswordCallbackError(t *testing.T) {
	f := newSudoFixture(t, "pw")
	opts := f.options()
	opts.SudoPassword = func(string) ([]byte, error) { return nil, errors.New("no terminal") }
	c := dialOK(t, f.endpoint("deploy"), opts)
	_, err := c.Run(context.Background(), Cmd{Script: "true"})
	if err == nil || !strings.Contains(err.Error(), "sudo password: no terminal") || !strings.HasPrefix(err.Error(), c.Host()) {
		t.Fatalf("err = %v", err)
	}
}

// The preamble must find markers split anywhere across writes and pass everything else through.
func TestPreambleAcrossWrites(t *testing.T) {
	stream := "We trust you have received the usual lecture.\n" + sudoPromptMarker + "\n" + readyMarker + "4242\nscript says hi\n"
	for split := 1; split < len(stream); split++ {
		var out syncBuffer
		p := newPreamble(&out)
		p.Write([]byte(stream[:split]))
		p.Write([]byte(stream[split:]))
		p.flush()
		if got, want := out.String(), "We trust you have received the usual lecture.\n\nscript says hi\n"; got != want {
			t.Fatalf("split %d: %q, want %q", split, got, want)
		}
		if len(p.events) != 2 || <-p.events != promptSeen || <-p.events != scriptReady || p.shellPID() != 4242 {
			t.Fatalf("split %d: wrong events or pid %d", split, p.shellPID())
		}
	}
}

// Without markers (an odd wrapper, an early sudo failure) stderr still arrives whole at the end.
func TestPreamblePassesUnmarkedOutput(t *testing.T) {
	var out syncBuffer
	p := newPreamble(&out)
	p.Write([]byte("sudo: unable to resolve host x\nsudo: a terminal is required"))
	p.flush()
	if got := out.String(); got != "sudo: unable to resolve host x\nsudo: a terminal is required" {
		t.Errorf("got %q", got)
	}
}

func TestKillCommandReachesRootProcessGroup(t *testing.T) {
	group := `sh -c 'pg=$(ps -o pgid= -p 42 2>/dev/null | tr -dc 0-9); [ "${pg:-0}" -gt 1 ] || pg=42; kill -s TERM -- -$pg 2>/dev/null'`
	cases := map[string]string{
		killCommand("root", false, "TERM", 42):   group,
		killCommand("deploy", false, "TERM", 42): "sudo -n " + group,
		killCommand("deploy", true, "TERM", 42):  "sudo -S -p '' " + group,
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestKillCommandKillsTheWholeGroup runs the kill command for real against a shell that is not its
// group's leader (as under sudo) with a child, and checks both are gone.
func TestKillCommandKillsTheWholeGroup(t *testing.T) {
	// setsid makes a new group led by the outer sh; the inner sh (like the script shell under sudo) is
	// a member, not the leader, and sleep is its child.
	cmd := exec.Command("setsid", "sh", "-c", "sh -c 'echo $$; sleep 30' & wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skip("no setsid:", err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("sh", "-c", killCommand("root", false, "TERM", pid)).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the process group survived the kill command")
	}
}
