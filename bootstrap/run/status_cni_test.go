package run

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/sshexec"
)

func TestParseCNIPods(t *testing.T) {
	out := "@swapboot fact api=ok\nm1\tTrue\t10.0.0.1\n" +
		"@swapboot cni-pod m1\tRunning\ttrue\n" +
		"@swapboot cni-pod w1\tRunning\tfalse\n" +
		"@swapboot cni-pod w2\tPending\t\n" +
		"@swapboot cni-pod w3\tRunning\t\n" +
		"@swapboot cni-pod w4\tPending\t\n@swapboot cni-pod w4\tRunning\ttrue\n"
	want := map[string]string{"m1": CNIPodRunning, "w1": CNIPodNotReady, "w2": "Pending", "w3": CNIPodNotReady, "w4": CNIPodRunning}
	if got := parseCNIPods(out); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The node lines are untouched by the pod lines.
	if _, nodes := parseNodes(out); len(nodes) != 2 || nodes["m1"].Name != "m1" || nodes["m1"].Ready != "True" {
		t.Errorf("nodes %v", nodes)
	}
}

// TestStatusShowsTheCNIPodPerNode: with flannel, nodes.sh is asked for flannel's pods and each node's
// pod state is in the table's CNI column and in -o json's cniPod; a node without a running pod is a
// problem. With plugin none nothing is asked and the column stays "-".
func TestStatusShowsTheCNIPodPerNode(t *testing.T) {
	const facts = "@swapboot fact kubelet_active=active\n@swapboot fact control_plane=yes\n@swapboot fact joined=yes\n"
	const nodes = "@swapboot fact api=ok\nm1\tTrue\t10.0.0.1\nw1\tFalse\t10.0.0.2\n@swapboot cni-pod m1\tRunning\ttrue\n@swapboot cni-pod w1\tPending\t\n"
	for _, plugin := range []string{"flannel", "none"} {
		file := filepath.Join(t.TempDir(), "cluster.yaml")
		if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2]\nnetworking: {cni: {plugin: "+plugin+"}}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var asked []string
		var mu sync.Mutex
		dial := func(_ context.Context, h cluster.Host) (Conn, error) {
			return recordingHost{statusHost: statusHost{facts: facts, nodes: nodes}, mu: &mu, scripts: &asked}, nil
		}
		var out bytes.Buffer
		_ = ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: dial, Out: &out, Output: "json", Parallel: 1})
		var st []NodeStatus
		if err := json.Unmarshal(out.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		flannel := plugin == "flannel"
		if want := map[bool][2]string{true: {"Running", "Pending"}, false: {"", ""}}[flannel]; st[0].CNIPod != want[0] || st[1].CNIPod != want[1] {
			t.Errorf("%s: cniPod %q %q, want %v", plugin, st[0].CNIPod, st[1].CNIPod, want)
		}
		if got := strings.Contains(strings.Join(st[1].Problems, ";"), "flannel pod: Pending"); got != flannel {
			t.Errorf("%s: problems %v", plugin, st[1].Problems)
		}
		mu.Lock()
		all := strings.Join(asked, "\n")
		mu.Unlock()
		if got := strings.Contains(all, "CNI_NAMESPACE='kube-flannel'"); got != flannel {
			t.Errorf("%s: nodes.sh asked for flannel's pods: %v", plugin, got)
		}
		out.Reset()
		_ = ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: dial, Out: &out, Output: "table"})
		lines := strings.Split(out.String(), "\n")
		head, row := strings.Fields(lines[0]), strings.Fields(lines[1])
		if strings.Join(head[len(head)-3:], " ") != "READY CNI OK" {
			t.Errorf("header %q", lines[0])
		}
		if want := map[bool]string{true: "Running", false: "-"}[flannel]; row[len(row)-2] != want {
			t.Errorf("%s: row %q, want CNI %s", plugin, lines[1], want)
		}
	}
}

// recordingHost is a statusHost that keeps the scripts it was given.
type recordingHost struct {
	statusHost
	mu      *sync.Mutex
	scripts *[]string
}

func (r recordingHost) Run(ctx context.Context, cmd sshexec.Cmd) (sshexec.Result, error) {
	r.mu.Lock()
	*r.scripts = append(*r.scripts, cmd.Script)
	r.mu.Unlock()
	return r.statusHost.Run(ctx, cmd)
}

// TestReportSaysThePlansNotes: what the plan leaves to the user (plugin none) closes the report, in the
// table's text and in the JSON.
func TestReportSaysThePlansNotes(t *testing.T) {
	r := &Report{Notes: []string{"no pod network applied (networking.cni.plugin: none): the nodes stay NotReady until you apply a CNI add-on"}}
	var out bytes.Buffer
	r.Print(&out, func(s string) string { return s })
	if !strings.Contains(out.String(), "note: no pod network applied (networking.cni.plugin: none): the nodes stay NotReady") {
		t.Errorf("report:\n%s", out.String())
	}
	js, err := r.JSON(func(s string) string { return s })
	if err != nil || !strings.Contains(string(js), `"notes": [`) {
		t.Errorf("json %s (%v)", js, err)
	}
}
