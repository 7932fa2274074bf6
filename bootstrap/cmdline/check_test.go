package cmdline

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func wantUsage(t *testing.T, what string, err error, want string) {
	t.Helper()
	var ue *UsageError
	if !errors.As(err, &ue) || ue.ExitCode() != 2 || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: got %v, want a usage error containing %q", what, err, want)
	}
}

func TestFlagChecks(t *testing.T) {
	dir := t.TempDir()
	wantUsage(t, "parallel 0", AtLeast("parallel", 1)(nil, 0), "--parallel 0 is too small; write --parallel 1 or more")
	wantUsage(t, "parallel -3", AtLeast("parallel", 1)(nil, -3), "--parallel -3 is too small")
	wantUsage(t, "log lines -5", AtLeast("kubelet-log-lines", 0)(nil, -5), "--kubelet-log-lines -5 is too small")
	if err := AtLeast("kubelet-log-lines", 0)(nil, 0); err != nil {
		t.Error(err)
	}
	wantUsage(t, "dial 0s", Positive("dial-timeout")(nil, 0), "--dial-timeout 0s is not a time limit; write a duration longer than zero")
	wantUsage(t, "dial -1s", Positive("dial-timeout")(nil, -time.Second), "--dial-timeout -1s")
	if err := Positive("keepalive")(nil, time.Second); err != nil {
		t.Error(err)
	}
	wantUsage(t, "output", OneOf("output", "table", "json")(nil, "jsno"), "did you mean --output json?")
	wantUsage(t, "dir", ExistingDir("kubeconfig-dir")(nil, "/nonexistent"), "--kubeconfig-dir /nonexistent: directory /nonexistent does not exist")
	wantUsage(t, "report dir", FileInExistingDir("report")(nil, "/nonexistent/r.json"), "directory /nonexistent does not exist")
	wantUsage(t, "report is a dir", FileInExistingDir("report")(nil, dir), "is a directory")
	if err := FileInExistingDir("report")(nil, filepath.Join(dir, "r.json")); err != nil {
		t.Error(err)
	}
	if err := ExistingDir("kubeconfig-dir")(nil, dir); err != nil {
		t.Error(err)
	}
}

func TestHosts(t *testing.T) {
	got := Hosts([]string{"10.0.0.1, 10.0.0.2", "10.0.0.3", "", "10.0.0.1"})
	if want := []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
