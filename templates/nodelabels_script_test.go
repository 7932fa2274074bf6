package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// statefulKubectl is a kubectl on PATH that keeps each node's swap label and taint keys in files of dir
// (node.NAME marks a node the API knows): enough of get, label and taint for node-swap-labels.sh.
func statefulKubectl(t *testing.T, nodes map[string][2]string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	for name, lt := range nodes {
		for file, content := range map[string]string{"node." + name: "", "label." + name: lt[0], "taint." + name: lt[1]} {
			if content == "" && file != "node."+name {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	script := `#!/bin/sh
d=$(dirname "$0")
[ "$1" = --request-timeout=30s ] && shift
case "$1 $2" in
"get node")
	[ -f "$d/node.$3" ] || { echo "nodes \"$3\" not found" >&2; exit 1; }
	case "$*" in
	*metadata.labels*) cat "$d/label.$3" 2>/dev/null || true ;;
	*spec.taints*) if [ -f "$d/taint.$3" ]; then cut -d= -f1 "$d/taint.$3"; fi ;;
	esac ;;
"label node")
	case "$4" in *-) rm "$d/label.$3" ;; *) echo "${4#*=}" | tr -d '\n' > "$d/label.$3" ;; esac ;;
"taint node")
	case "$4" in *-) rm "$d/taint.$3" ;; *) echo "$4" | tr -d '\n' > "$d/taint.$3" ;; esac ;;
*) echo "unexpected: $*" >&2; exit 3 ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
}

// node-swap-labels.sh against that kubectl: labels and taints what has swap, takes them off the rest,
// names the nodes the API does not know, changes nothing the second time, and with the taint turned off
// takes swapboot's taint off every node.
func TestNodeSwapLabelsScript(t *testing.T) {
	dir, env := statefulKubectl(t, map[string][2]string{"w1": {}, "w2": {"true", "swapboot.io/swap=true:NoSchedule"}, "m1": {"true", "swapboot.io/swap=true:NoSchedule"}})
	call := NodeSwapLabels{SwapNodes: []string{"w1", "w2", "ghost"}, OtherNodes: []string{"m1"}, SetLabel: true, LabelKey: "feature.node.kubernetes.io/memory-swap",
		LabelValue: "true", SetTaint: true, TaintKey: "swapboot.io/swap", TaintValue: "true", TaintEffect: "NoSchedule"}
	state := func() string {
		var b strings.Builder
		for _, n := range []string{"w1", "w2", "m1"} {
			l, _ := os.ReadFile(filepath.Join(dir, "label."+n))
			tn, _ := os.ReadFile(filepath.Join(dir, "taint."+n))
			b.WriteString(n + "[" + string(l) + "|" + string(tn) + "] ")
		}
		return b.String()
	}
	out, err := runScript(t, call, env)
	if err != nil || !strings.Contains(out, "@swapboot changed node-labels w1:labelled w1:tainted m1:unlabelled m1:untainted") || !strings.Contains(out, "not in the API, left alone: ghost") {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	if got, want := state(), "w1[true|swapboot.io/swap=true:NoSchedule] w2[true|swapboot.io/swap=true:NoSchedule] m1[|] "; got != want {
		t.Errorf("after the first run %s, want %s", got, want)
	}
	if out, err := runScript(t, call, env); err != nil || !strings.Contains(out, "@swapboot unchanged node-labels") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	call.SetTaint = false
	if out, err := runScript(t, call, env); err != nil || !strings.Contains(out, "w1:untainted w2:untainted") {
		t.Errorf("taint off: %v\n%s", err, out)
	}
	if got, want := state(), "w1[true|] w2[true|] m1[|] "; got != want {
		t.Errorf("after the taint is turned off %s, want %s", got, want)
	}
}
