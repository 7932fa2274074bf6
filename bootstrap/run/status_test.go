package run

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
)

// statusHost answers facts.sh with a few facts and nodes.sh with what the test's API would say.
type statusHost struct {
	facts string
	nodes string
}

func (s statusHost) Run(_ context.Context, cmd sshexec.Cmd) (sshexec.Result, error) {
	name := strings.TrimPrefix(strings.SplitN(cmd.Script, "\n", 3)[1], "# swapboot: ")
	switch name {
	case "facts":
		return sshexec.Result{Stdout: []byte(s.facts)}, nil
	case "nodes":
		return sshexec.Result{Stdout: []byte(s.nodes)}, nil
	}
	return sshexec.Result{}, nil
}

func (statusHost) Close() error { return nil }

// TestStatusSaysWhatTheAPIAnswered: the master's API forbidding the admin, not accepting its
// credentials, refusing the connection, not answering, and a reset master (no admin.conf) are each told
// in their own words, from nodes.sh's typed "api" line, in the table and in -o json.
func TestStatusSaysWhatTheAPIAnswered(t *testing.T) {
	const up = "@swapboot fact kubelet_active=active\n@swapboot fact control_plane=yes\n@swapboot fact joined=yes\n"
	const reset = "@swapboot fact kubelet_active=inactive\n@swapboot fact control_plane=no\n@swapboot fact joined=no\n"
	for _, tc := range []struct {
		name, masterFacts, nodes string
		state                    APIState
		want                     string
	}{
		{"forbidden", up, "@swapboot fact api=forbidden\n", APIForbidden, "forbids the admin listing nodes (forbidden"},
		{"unauthorized", up, "@swapboot fact api=unauthorized\n", APIUnauthorized, "did not accept the admin credentials"},
		{"refused", up, "@swapboot fact api=refused\n", APIRefused, "refused the connection"},
		{"unreachable", up, "@swapboot fact api=unreachable\n", APIUnreachable, "did not answer (unreachable)"},
		{"reset", reset, "", APINoCluster, "no cluster: the master has no /etc/kubernetes/admin.conf"},
		{"reset between facts and nodes", up, "@swapboot fact api=no-cluster\n", APINoCluster, "no cluster:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dial := func(_ context.Context, h cluster.Host) (Conn, error) {
				if h.Address == "10.0.0.1" {
					return statusHost{facts: tc.masterFacts, nodes: tc.nodes}, nil
				}
				return statusHost{facts: up}, nil
			}
			for _, format := range []string{"table", "json"} {
				var out bytes.Buffer
				err := ClusterStatus(context.Background(), StatusOptions{ClusterFile: writeCluster(t), Dial: dial, Out: &out, Output: format})
				if err == nil {
					t.Fatalf("%s: status passed with the API %s", format, tc.state)
				}
				if strings.Contains(out.String(), "was not reachable") {
					t.Errorf("%s: the old catch-all wording:\n%s", format, out.String())
				}
				if format == "table" {
					if !strings.Contains(out.String(), "10.0.0.2: node readiness unknown: ") || !strings.Contains(out.String(), tc.want) {
						t.Errorf("table lacks %q:\n%s", tc.want, out.String())
					}
					continue
				}
				var st []NodeStatus
				if err := json.Unmarshal(out.Bytes(), &st); err != nil {
					t.Fatal(err)
				}
				if st[0].API != tc.state {
					t.Errorf("json api %q, want %q", st[0].API, tc.state)
				}
			}
		})
	}
}

func TestParseNodesReadsTheAPIState(t *testing.T) {
	state, nodes := parseNodes("@swapboot fact api=ok\nm1\tTrue\t10.0.0.1\n")
	if state != APIOK || nodes["10.0.0.1"].Name != "m1" || nodes["10.0.0.1"].Ready != "True" {
		t.Errorf("%q %v", state, nodes)
	}
}

// The swap capacity a node reports to the API is the fourth column: bytes, or nothing when the kubelet
// reports none (before 1.32, or no swap); a value that is not a count is ignored, not guessed.
func TestParseNodesReadsTheNodesSwapCapacity(t *testing.T) {
	_, nodes := parseNodes("@swapboot fact api=ok\nm1\tTrue\t10.0.0.1\t0\nw1\tTrue\t10.0.0.2\t1073741824\nw2\tFalse\t10.0.0.3\t\nw3\tTrue\t10.0.0.4\tlots\n")
	if n := nodes["w1"].SwapCapacity; n == nil || *n != 1<<30 {
		t.Errorf("w1: %v", n)
	}
	if n := nodes["10.0.0.1"].SwapCapacity; n == nil || *n != 0 {
		t.Errorf("m1: %v", n)
	}
	for _, name := range []string{"w2", "w3"} {
		if n := nodes[name].SwapCapacity; n != nil {
			t.Errorf("%s: %d", name, *n)
		}
	}
}

// TestStatusJSONNamesTheKubeletFiles: the old deb layout's drop-in, its env file and the arguments of
// its own that swapboot keeps are in status -o json.
func TestStatusJSONNamesTheKubeletFiles(t *testing.T) {
	env := base64.StdEncoding.EncodeToString([]byte("KUBELET_EXTRA_ARGS=\"--node-ip=10.0.0.1 --fail-swap-on=false\"\n"))
	facts := "@swapboot fact kubelet_active=active\n@swapboot fact control_plane=no\n" +
		"@swapboot fact kubelet_dropin=/etc/systemd/system/kubelet.service.d/10-kubeadm.conf\n" +
		"@swapboot fact kubelet_env_file=/etc/default/kubelet\n@swapboot fact kubelet_env_exists=yes\n" +
		"@swapboot fact kubelet_env_content=" + env + "\n"
	dial := func(context.Context, cluster.Host) (Conn, error) { return statusHost{facts: facts}, nil }
	var out bytes.Buffer
	_ = ClusterStatus(context.Background(), StatusOptions{ClusterFile: writeCluster(t), Dial: dial, Out: &out, Output: "json"})
	var st []NodeStatus
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	want := plan.KubeletFiles{DropIn: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", EnvFile: "/etc/default/kubelet",
		EnvFileExists: true, KeptArgs: []string{"--node-ip=10.0.0.1"}}
	for _, s := range st {
		if s.KubeletFiles == nil || !reflect.DeepEqual(*s.KubeletFiles, want) {
			t.Errorf("%s: kubeletFiles %+v, want %+v", s.Host, s.KubeletFiles, want)
		}
	}
}

// TestStatusNamesAHalfFinishedInit: a master whose init stopped half-way (admin.conf, the admin forbidden,
// kubelet.conf not finalized) is named as such, with what up will do; a finished one is not.
func TestStatusNamesAHalfFinishedInit(t *testing.T) {
	const half = "@swapboot fact kubelet_active=active\n@swapboot fact control_plane=yes\n@swapboot fact joined=yes\n@swapboot fact admin_api=forbidden\n@swapboot fact init_finalized=no\n"
	for _, tc := range []struct {
		facts string
		want  bool
	}{{half, true}, {strings.Replace(half, "init_finalized=no", "init_finalized=yes", 1), false}} {
		dial := func(_ context.Context, h cluster.Host) (Conn, error) {
			if h.Address == "10.0.0.1" {
				return statusHost{facts: tc.facts, nodes: "@swapboot fact api=forbidden\n"}, nil
			}
			return statusHost{facts: "@swapboot fact kubelet_active=active\n@swapboot fact joined=yes\n"}, nil
		}
		var out bytes.Buffer
		_ = ClusterStatus(context.Background(), StatusOptions{ClusterFile: writeCluster(t), Dial: dial, Out: &out, Output: "table"})
		got := strings.Contains(out.String(), "10.0.0.1: kubeadm init did not finish: the API refuses kubernetes-admin") && strings.Contains(out.String(), "swapboot up resets this master")
		if got != tc.want {
			t.Errorf("finalized=%v: named a half-finished init: %v, want %v\n%s", !tc.want, got, tc.want, out.String())
		}
	}
}

// Each host's facts look at its own swap path; hosts sharing a path share one rendering.
func TestFactsScriptsFollowEachHostsSwapPath(t *testing.T) {
	c := testCluster()
	c.Workers[1].Swap = &cluster.HostSwap{Path: "/var/swapfile"}
	scripts, err := FactsScripts(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) != 3 {
		t.Fatalf("%d scripts", len(scripts))
	}
	if !strings.Contains(scripts[c.Workers[1].Address], "/var/swapfile") || strings.Contains(scripts[c.Workers[0].Address], "/var/swapfile") {
		t.Error("a host's facts do not look at its own swap path")
	}
	if scripts[c.Masters[0].Address] != scripts[c.Workers[0].Address] {
		t.Error("hosts with the same path got different scripts")
	}
}
