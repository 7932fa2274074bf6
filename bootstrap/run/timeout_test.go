package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/output"
)

// waitingDial never connects: it returns when the run's context ends, as a dial that hangs does.
func waitingDial(ctx context.Context, _ cluster.Host) (Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func writeCluster(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// checkTimeout: exit code 124, the run's own words with a hint, and not Go's "deadline exceeded".
func checkTimeout(t *testing.T, what string, err error, limit string) {
	t.Helper()
	var te *TimeoutError
	if code := exit.Code(nil, err); code != exit.TimedOut || !errors.As(err, &te) {
		t.Fatalf("%s: code %d, err %v; want %d and a *TimeoutError", what, code, err, exit.TimedOut)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "the run passed --timeout "+limit+"; ") || !strings.Contains(msg, "run it again with a longer --timeout") ||
		strings.Contains(msg, "deadline exceeded") {
		t.Errorf("%s: message %q", what, msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s: %v does not unwrap to context.DeadlineExceeded", what, err)
	}
}

func TestRunTimeoutHasItsOwnCode(t *testing.T) {
	file := writeCluster(t)
	err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: waitingDial, Out: &bytes.Buffer{}, Timeout: time.Millisecond}, upPlanner)
	checkTimeout(t, "up", err, "1ms")
	if !strings.Contains(err.Error(), "while connecting and nothing was changed") {
		t.Errorf("the message does not say where the run stopped: %v", err)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	err = Run(cancelled, RunOptions{ClusterFile: file, Dial: waitingDial, Out: &bytes.Buffer{}, Timeout: time.Hour}, upPlanner)
	var te *TimeoutError
	if code := exit.Code(nil, err); code != exit.Interrupted || errors.As(err, &te) {
		t.Errorf("Ctrl-C: code %d, err %v; want %d and no *TimeoutError", code, err, exit.Interrupted)
	}
}

func TestStatusTimeoutHasItsOwnCode(t *testing.T) {
	file := writeCluster(t)
	err := ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: waitingDial, Out: &bytes.Buffer{}, Timeout: time.Millisecond})
	checkTimeout(t, "status", err, "1ms")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	err = ClusterStatus(cancelled, StatusOptions{ClusterFile: file, Dial: waitingDial, Out: &bytes.Buffer{}, Timeout: time.Hour})
	if code := exit.Code(nil, err); code != exit.Interrupted {
		t.Errorf("Ctrl-C: code %d, err %v; want %d", code, err, exit.Interrupted)
	}
}

// TestExecuteStopsOnTimeout: a run whose context passed its deadline reports exit.TimedOut, in the
// report and in its JSON, and is still an interrupted run.
func TestExecuteStopsOnTimeout(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	p := planFor(t, c, "v1.37.2", true, false)
	r := (&Executor{Console: output.NewConsole(&fc.out, output.NewRedactor(p.Token)), Parallel: 2, KubeconfigDir: fc.dir}).Execute(ctx, p, fc.conns())
	if r.ExitCode() != exit.TimedOut || !r.Interrupted || !r.TimedOut {
		t.Fatalf("exit %d, interrupted %v, timed out %v", r.ExitCode(), r.Interrupted, r.TimedOut)
	}
	data, err := r.JSON(func(s string) string { return s })
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ExitCode    int  `json:"exitCode"`
		Interrupted bool `json:"interrupted"`
	}
	if err := json.Unmarshal(data, &got); err != nil || got.ExitCode != exit.TimedOut || !got.Interrupted {
		t.Errorf("JSON report: %+v (%v)", got, err)
	}
	for _, h := range fc.hosts {
		if len(h.scripts) != 0 {
			t.Errorf("%s ran %v after the deadline", h.addr, h.scripts)
		}
	}
}
