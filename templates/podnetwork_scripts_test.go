package templates

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeKubectl puts a kubectl on PATH that logs its arguments to $dir/calls and answers from files in
// dir: diff exits with the code in diff.rc, apply with apply.rc; get nodes / get pods print nodes.txt
// and pods.txt; every other call prints a line naming itself.
func fakeKubectl(t *testing.T, files map[string]string) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `#!/bin/sh
d=$(dirname "$0")
echo "$*" >> "$d/calls"
case "$*" in
diff*) cat "$d/diff.err" >&2 2>/dev/null; exit "$(cat "$d/diff.rc")" ;;
apply*) echo "applied"; exit "$(cat "$d/apply.rc" 2>/dev/null || echo 0)" ;;
"get nodes"*) cat "$d/nodes.txt" ;;
*"get pods"*) cat "$d/pods.txt" ;;
*) echo "fake: $*" ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
}

func runScript(t *testing.T, s Script, env []string) (string, error) {
	t.Helper()
	script, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-s")
	cmd.Stdin, cmd.Env = strings.NewReader(script), env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func calls(t *testing.T, dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "calls"))
	return string(b)
}

// TestPodNetworkApplyIsIdempotent runs pod-network-apply.sh against a fake kubectl: kubectl diff's exit
// code decides (0: nothing to change, reported unchanged, no apply; 1 or an error: server-side apply by
// swapboot, reported changed), and a failed apply fails the step.
func TestPodNetworkApplyIsIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name, diffRC, applyRC string
		wantErr, wantApply    bool
		want                  string
	}{
		{"nothing to change", "0", "0", false, false, "@swapboot unchanged pod-network flannel v0.28.4 already applied"},
		{"differences", "1", "0", false, true, "@swapboot changed pod-network flannel v0.28.4 applied"},
		{"no namespace yet", "2", "0", false, true, "kubectl diff could not compare (namespaces \"kube-flannel\" not found); applying"},
		{"apply fails", "1", "1", true, true, "kubectl apply of flannel v0.28.4 failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, env := fakeKubectl(t, map[string]string{"diff.rc": tc.diffRC, "apply.rc": tc.applyRC, "diff.err": "namespaces \"kube-flannel\" not found\n"})
			path := filepath.Join(dir, "kept", "kube-flannel.yml")
			out, err := runScript(t, PodNetworkApply{Manifest: "kind: Namespace\n", ManifestPath: path, What: "flannel v0.28.4"}, env)
			if (err != nil) != tc.wantErr || !strings.Contains(out, tc.want) {
				t.Errorf("err %v, output:\n%s", err, out)
			}
			c := calls(t, dir)
			if !strings.HasPrefix(c, "diff --server-side --field-manager=swapboot -f "+path+"\n") {
				t.Errorf("calls:\n%s", c)
			}
			if got := strings.Contains(c, "apply --server-side --field-manager=swapboot -f "+path); got != tc.wantApply {
				t.Errorf("applied %v, want %v; calls:\n%s", got, tc.wantApply, c)
			}
			if kept, _ := os.ReadFile(path); string(kept) != "kind: Namespace\n" {
				t.Errorf("kept manifest %q", kept)
			}
		})
	}
}

// TestPodNetworkWaitShowsWhyOnTimeout runs pod-network-wait.sh against a fake kubectl: every node Ready
// with a running pod passes at once; otherwise, when the time is up (0 s here), each failing node's
// conditions, its pod's state and log tail are shown and the step fails naming only those nodes.
func TestPodNetworkWaitShowsWhyOnTimeout(t *testing.T) {
	call := PodNetworkWait{Namespace: "kube-flannel", Selector: "app=flannel", Nodes: []string{"m1", "w1", "w2"}, LogLines: 7}
	pods := "m1\tRunning\ttrue\tkube-flannel-ds-a\nw1\tRunning\ttrue\tkube-flannel-ds-b\n"
	dir, env := fakeKubectl(t, map[string]string{"nodes.txt": "m1\tTrue\nw1\tTrue\nw2\tTrue\n", "pods.txt": pods + "w2\tRunning\ttrue\tkube-flannel-ds-c\n"})
	call.Timeout = time.Minute
	out, err := runScript(t, call, env)
	if err != nil || !strings.Contains(out, "@swapboot unchanged pod-network-ready 3 node(s) Ready with the pod network running\n") {
		t.Fatalf("all ready: %v\n%s", err, out)
	}
	if strings.Contains(calls(t, dir), "logs") {
		t.Errorf("logs read though every node is ready")
	}

	dir, env = fakeKubectl(t, map[string]string{"nodes.txt": "m1\tTrue\nw1\tFalse\nw2\tFalse\n", "pods.txt": pods})
	call.Timeout = 0
	out, err = runScript(t, call, env)
	if err == nil {
		t.Fatalf("passed with w1 and w2 NotReady:\n%s", out)
	}
	for _, want := range []string{
		"the pod network is not running on every node after 0s: w1(Ready=False,pod=Running/true) w2(Ready=False,pod=none)",
		"--- node w1: conditions", "--- node w1: pod kube-flannel/kube-flannel-ds-b", "--- node w1: last 7 log lines of kube-flannel-ds-b",
		"--- node w2: no pod of kube-flannel/app=flannel is scheduled there",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	c := calls(t, dir)
	if !strings.Contains(c, "-n kube-flannel logs kube-flannel-ds-b --all-containers --prefix --tail=7") || strings.Contains(c, "get node m1") {
		t.Errorf("calls:\n%s", c)
	}
}
