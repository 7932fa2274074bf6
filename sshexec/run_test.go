package sshexec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunResults(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	big := strings.Repeat("# padding that makes the script larger than any argv or channel window\n", 4000)
	tests := []struct {
		name       string
		script     string
		wantOut    string
		wantErr    string
		wantCode   int
		wantInTail string
	}{
		{name: "stdout and stderr", script: "echo out; echo err >&2", wantOut: "out\n", wantErr: "err\n"},
		{name: "quotes and dollars need no escaping", script: `x='it''s "$HOME"'; printf '%s\n' "$x" '$not_expanded'`, wantOut: "its \"$HOME\"\n$not_expanded\n"},
		{name: "large script on stdin", script: big + "echo done", wantOut: "done\n"},
		{name: "runs as sh -s with a shell script", script: "set -eu\nf() { echo \"$1\"; }\nf ok", wantOut: "ok\n"},
		{name: "non-zero exit", script: "echo partial; echo 'boom: disk full' >&2; exit 3", wantOut: "partial\n", wantErr: "boom: disk full\n", wantCode: 3, wantInTail: "boom: disk full"},
		{name: "set -e failure", script: "set -e\nfalse\necho unreachable", wantCode: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Run(context.Background(), Cmd{Script: tc.script})
			if string(res.Stdout) != tc.wantOut || string(res.Stderr) != tc.wantErr || res.ExitCode != tc.wantCode {
				t.Errorf("got stdout %q stderr %q exit %d, want %q %q %d", res.Stdout, res.Stderr, res.ExitCode, tc.wantOut, tc.wantErr, tc.wantCode)
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v", res.Duration)
			}
			if tc.wantCode == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var exitErr *ExitError
			if !errors.As(err, &exitErr) {
				t.Fatalf("err = %v, want *ExitError", err)
			}
			if exitErr.Code != tc.wantCode || exitErr.Host != c.Host() || !strings.Contains(exitErr.StderrTail, tc.wantInTail) {
				t.Errorf("got %+v", exitErr)
			}
			if !strings.HasPrefix(err.Error(), c.Host()+": ") {
				t.Errorf("error %q does not start with the host", err)
			}
		})
	}
}

// signalWriter reports its first Write: output must arrive while the script still runs.
type signalWriter struct {
	once  sync.Once
	first chan struct{}
	buf   syncBuffer
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.first) })
	return w.buf.Write(p)
}

func TestRunStreamsOutputLive(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	gate := filepath.Join(t.TempDir(), "gate")
	out := &signalWriter{first: make(chan struct{})}
	go func() {
		select {
		case <-out.first:
			os.WriteFile(gate, nil, 0o600)
		case <-time.After(5 * time.Second):
		}
	}()
	script := fmt.Sprintf("echo first\nwhile [ ! -e %s ]; do sleep 0.01; done\necho second", gate)
	res, err := c.Run(context.Background(), Cmd{Script: script, Stdout: out, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Run: %v (the first line did not stream before the script ended?)", err)
	}
	if got := out.buf.String(); got != "first\nsecond\n" || string(res.Stdout) != got {
		t.Errorf("live %q, captured %q", got, res.Stdout)
	}
}

// The script starts `sleep 30` in the background and waits; both must be gone after Run returns.
const sleeperScript = "sleep 30 &\necho $! > %s\nwait\n"

// startSleeper runs prefix + sleeperScript on c in the background and returns the remote sleep's pid
// and the channel that receives Run's error.
func startSleeper(t *testing.T, ctx context.Context, c *Client, prefix string) (int, <-chan error) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "pid")
	errc := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, Cmd{Script: prefix + fmt.Sprintf(sleeperScript, pidFile)})
		errc <- err
	}()
	return readPID(t, pidFile), errc
}

func TestRunTimeoutKillsRemoteProcess(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	pidFile := filepath.Join(t.TempDir(), "pid")
	const timeout = time.Second
	start := time.Now()
	res, err := c.Run(context.Background(), Cmd{Script: fmt.Sprintf(sleeperScript, pidFile), Timeout: timeout})
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 1s") {
		t.Fatalf("err = %v, want a timeout wrapping context.DeadlineExceeded", err)
	}
	if took > timeout+2*time.Second { // SIGTERM ends `sleep` at once: no grace period needed
		t.Errorf("Run took %v with a %v timeout", took, timeout)
	}
	if res.ExitCode != -1 {
		t.Errorf("ExitCode = %d, want -1", res.ExitCode)
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Skipf("the script did not get to start within %v (busy machine?)", timeout)
	}
	waitGone(t, readPID(t, pidFile), 5*time.Second)
}

func TestRunCancelKillsRemoteProcess(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pid, errc := startSleeper(t, ctx, c, "")
	cancel() // Ctrl-C
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	waitGone(t, pid, 5*time.Second)
	// The connection survives a cancelled command.
	if _, err := c.Run(context.Background(), Cmd{Script: "true"}); err != nil {
		t.Fatal(err)
	}
}

// OpenSSH refuses "signal" requests on root logins; the script's process group is killed from a
// second session instead.
func TestRunCancelWhenServerIgnoresSignals(t *testing.T) {
	f := newFixture(t, withoutSignals())
	c := f.dial(t, "root")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pid, errc := startSleeper(t, ctx, c, "")
	cancel()
	if err := waitErr(t, errc, terminateGrace+closeWait+2*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	waitGone(t, pid, 5*time.Second)
	var kill string
	for _, cmd := range f.srv.execCommands() {
		if strings.Contains(cmd, "kill -s TERM -- -") {
			kill = cmd
		}
	}
	if kill == "" {
		t.Errorf("no kill session; sessions: %q", f.srv.execCommands())
	}
}

// A script that ignores SIGTERM is killed after the grace period.
func TestRunCancelEscalatesToSIGKILL(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pid, errc := startSleeper(t, ctx, c, "trap '' TERM\n")
	cancel()
	start := time.Now()
	if err := waitErr(t, errc, terminateGrace+closeWait+2*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took < terminateGrace {
		t.Errorf("Run returned after %v, before the grace period ended", took)
	}
	waitGone(t, pid, 5*time.Second)
}

func TestRunWithDoneContextDoesNotStart(t *testing.T) {
	f := newFixture(t)
	c := f.dial(t, "root")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Run(ctx, Cmd{Script: "true"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.srv.execCommands()); n != 0 {
		t.Errorf("%d commands started", n)
	}
}

func TestConcurrentRunsShareOneConnection(t *testing.T) {
	f := newFixture(t)
	c := f.dial(t, "root")
	const n = 3 * maxSessions // more than sshd allows at once: the rest must wait, not fail
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := c.Run(context.Background(), Cmd{Script: fmt.Sprintf("sleep 0.05; echo %d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			if got, want := string(res.Stdout), fmt.Sprintf("%d\n", i); got != want {
				t.Errorf("run %d: stdout %q", i, got)
			}
		})
	}
	wg.Wait()
	if got := len(f.srv.execCommands()); got != n {
		t.Errorf("%d sessions, want %d", got, n)
	}
	f.srv.mu.Lock()
	conns := len(f.srv.conns)
	f.srv.mu.Unlock()
	if conns != 1 {
		t.Errorf("%d TCP connections, want 1", conns)
	}
}

func TestRunAfterClose(t *testing.T) {
	c := newFixture(t).dial(t, "root")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err := c.Run(context.Background(), Cmd{Script: "true"})
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("err = %v", err)
	}
}

func TestScriptIsNeverLogged(t *testing.T) {
	f := newFixture(t)
	c := f.dial(t, "root")
	if _, err := c.Run(context.Background(), Cmd{Script: "TOKEN=abcdef.0123456789abcdef; true"}); err != nil {
		t.Fatal(err)
	}
	logs := f.logs.String()
	if strings.Contains(logs, "abcdef") {
		t.Errorf("script content in logs:\n%s", logs)
	}
	if !strings.Contains(logs, "ssh: run") || !strings.Contains(logs, "ssh: connected") {
		t.Errorf("missing debug lines:\n%s", logs)
	}
}

func TestDialTimeouts(t *testing.T) {
	// A port that accepts TCP but never speaks SSH.
	silent := newSilentListener(t)
	ep := Endpoint{Address: "127.0.0.1", Port: silent, User: "root", KeyFiles: []string{newClientKey(t, "").path}, KnownHosts: writeKnownHosts(t)}

	start := time.Now()
	_, err := Dial(context.Background(), ep, Options{DialTimeout: time.Second})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "handshake: no answer within 1s") {
		t.Errorf("err = %v, want a handshake timeout", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Dial took %v", took)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = Dial(ctx, ep, Options{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "127.0.0.1:") {
		t.Errorf("err = %v, want the context's deadline", err)
	}

	closed := newFixture(t)
	closed.srv.ln.Close()
	_, err = Dial(context.Background(), closed.endpoint("root"), Options{})
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.HasPrefix(err.Error(), closed.srv.addr()) {
		t.Errorf("err = %v, want connection refused naming the host", err)
	}
}

// newSilentListener accepts TCP connections and never says a word.
func newSilentListener(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}
