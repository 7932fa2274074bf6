package run

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/sshexec"
)

// haStatusHost answers facts, nodes and control-plane-health.
type haStatusHost struct {
	statusHost
	health string
}

func (s haStatusHost) Run(ctx context.Context, cmd sshexec.Cmd) (sshexec.Result, error) {
	if strings.Contains(cmd.Script, "# swapboot: control-plane-health\n") {
		return sshexec.Result{Stdout: []byte(s.health)}, nil
	}
	return s.statusHost.Run(ctx, cmd)
}

// TestStatusControlPlaneHealth: per master, the API server, the etcd member and the endpoint; a master
// whose etcd member is unhealthy and that cannot reach the endpoint is not OK, and says why.
func TestStatusControlPlaneHealth(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1, 10.0.0.2, 10.0.0.3]\ncontrolPlane: {endpoint: 10.0.0.10:8443}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const facts = "@swapboot fact kubelet_active=active\n@swapboot fact control_plane=yes\n@swapboot fact joined=yes\n"
	const nodes = "@swapboot fact api=ok\nm1\tTrue\t10.0.0.1\nm2\tTrue\t10.0.0.2\nm3\tTrue\t10.0.0.3\n"
	const good = "@swapboot fact apiserver=ready\n@swapboot fact etcd=healthy\n@swapboot fact endpoint=answers\n@swapboot fact etcd_members=3\n"
	dial := func(_ context.Context, h cluster.Host) (Conn, error) {
		health := good
		if h.Address == "10.0.0.3" {
			health = "@swapboot fact apiserver=ready\n@swapboot fact etcd=unhealthy\n@swapboot fact endpoint=no-answer\n@swapboot fact etcd_members=3\n"
		}
		return haStatusHost{statusHost{facts: facts, nodes: nodes}, health}, nil
	}
	var out bytes.Buffer
	err := ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: dial, Out: &out, Output: "table"})
	if err == nil {
		t.Fatal("status passed with an unhealthy etcd member")
	}
	for _, want := range []string{"control-plane endpoint 10.0.0.10:8443 (loadBalancer: external)", "10.0.0.1: API server ready, etcd member healthy (3 members), endpoint answers",
		"10.0.0.3: control plane: its etcd member is not healthy", "10.0.0.3: control plane: the endpoint 10.0.0.10:8443 does not answer from here"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	_ = ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: dial, Out: &out, Output: "json"})
	var st []NodeStatus
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	cpProblems := func(s NodeStatus) int {
		n := 0
		for _, p := range s.Problems {
			if strings.HasPrefix(p, "control plane:") {
				n++
			}
		}
		return n
	}
	if st[0].ControlPlane == nil || st[0].ControlPlane.Etcd != "healthy" || cpProblems(st[0]) != 0 || cpProblems(st[2]) != 2 || st[2].OK {
		t.Errorf("json: %+v", st)
	}
}
