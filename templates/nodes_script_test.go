package templates

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kubeletSummary is a real kubelet's Summary API answer (kubectl get --raw
// /api/v1/nodes/stat-m1/proxy/stats/summary, Kubernetes v1.37.2, a lab master with a 256 MiB swap file):
// its node.swap is {swapAvailableBytes: 268431360, swapUsageBytes: 0}; the node's systemContainers and
// every pod and container carry "swap" objects of their own.
const kubeletSummary = "testdata/kubelet-summary-v1.37.2.json"

// nodes.sh against a kubectl that lists nodes and pods and answers stats/summary per node from files: each node
// gets one summary-swap line with the top-level node.swap values (the real answer, indented; the same
// re-encoded compact with its keys sorted, other values and a node name holding JSON's special
// characters; an older kubelet's without node.swap), and a node whose kubelet does not answer gets none;
// the pod network's pods, asked for meanwhile, follow.
func TestNodesScriptReadsTheKubeletsSummarySwap(t *testing.T) {
	real, err := os.ReadFile(kubeletSummary)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(real, &doc); err != nil {
		t.Fatal(err)
	}
	node := doc["node"].(map[string]any)
	node["swap"].(map[string]any)["swapUsageBytes"] = 12345
	node["swap"].(map[string]any)["swapAvailableBytes"] = 678
	node["nodeName"] = `we{ird",[na\me}`
	compact, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	delete(node, "swap")
	old, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"nodes.txt":    []byte("n1\tTrue\t10.0.0.1\t268431360\ttrue\t\nn2\tTrue\t10.0.0.2\t\t\t\nn3\tTrue\t10.0.0.3\t\t\t\nn4\tUnknown\t10.0.0.4\t\t\t\n"),
		"summary.n1":   real,
		"summary.n2":   compact,
		"summary.n3":   old,
		"admin.conf":   nil,
		"kubectl.args": nil,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kubectl := `#!/bin/sh
d=$(dirname "$0")
echo "$*" >> "$d/kubectl.args"
case "$*" in
*"get nodes"*) cat "$d/nodes.txt" ;;
*"-n kube-flannel get pods -l app=flannel"*) printf 'n1\tRunning\ttrue\nn2\tPending\t\n' ;;
*"get --raw /api/v1/nodes/"*"/proxy/stats/summary")
	n=${*##*/api/v1/nodes/}; n=${n%%/*}
	[ -f "$d/summary.$n" ] || { echo "Error from server (ServiceUnavailable): the server is currently unable to handle the request" >&2; exit 1; }
	cat "$d/summary.$n" ;;
*) exit 3 ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte(kubectl), 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := Render(Nodes{CNINamespace: "kube-flannel", CNISelector: "app=flannel", SwapLabelKey: "feature.node.kubernetes.io/memory-swap.enabled", SwapTaintKey: "swapboot.io/swap"})
	if err != nil {
		t.Fatal(err)
	}
	// The test's own admin.conf: nodes.sh asks the API only where one exists.
	script = strings.ReplaceAll(script, "/etc/kubernetes/admin.conf", filepath.Join(dir, "admin.conf"))
	cmd := exec.Command("sh", "-s")
	cmd.Stdin, cmd.Env = strings.NewReader(script), append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("nodes.sh: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var got []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "@swapboot summary-swap ") || strings.HasPrefix(line, "@swapboot cni-pod ") {
			got = append(got, line)
		}
	}
	want := []string{
		"@swapboot summary-swap n1\t0\t268431360",
		"@swapboot summary-swap n2\t12345\t678",
		"@swapboot summary-swap n3\t\t",
		"@swapboot cni-pod n1\tRunning\ttrue",
		"@swapboot cni-pod n2\tPending\t",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("summary-swap and cni-pod lines:\n%s\nwant:\n%s\nall output:\n%s%s", strings.Join(got, "\n"), strings.Join(want, "\n"), stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "@swapboot fact api=ok\nn1\tTrue\t10.0.0.1\t268431360\ttrue\t\n") {
		t.Errorf("the node lines changed:\n%s", stdout.String())
	}
	args, _ := os.ReadFile(filepath.Join(dir, "kubectl.args"))
	if n := strings.Count(string(args), "proxy/stats/summary"); n != 4 || strings.Count(string(args), "--request-timeout=") != 6 {
		t.Errorf("want one bounded summary request per node and every call bounded:\n%s", args)
	}
	if strings.Contains(stderr.String(), "ServiceUnavailable") {
		t.Errorf("a kubelet that does not answer is reported by its missing line, not by kubectl's error:\n%s", stderr.String())
	}
}
