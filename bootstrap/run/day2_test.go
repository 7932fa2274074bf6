package run

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
)

const kubeletConfig137 = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
cgroupDriver: cgroupfs
kind: KubeletConfiguration
rotateCertificates: true
`

// runningCluster is a cluster built without swap: every node joined, no swap, the kubelet-config ConfigMap.
func runningCluster(t *testing.T) (*cluster.Cluster, map[string]hostfacts.Facts) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	for addr, f := range facts {
		f.Joined, f.KubeletActive, f.KubeletConfig = true, "active", kubeletConfig137
		f.Hostname = "host-" + strings.ReplaceAll(addr, ".", "-")
		if addr == c.Masters[0].Address {
			f.ControlPlane = true
			f.KubeletConfigMap, f.KubeletConfigMapContent = "kubelet-config", kubeletConfig137
		}
		facts[addr] = f
	}
	return c, facts
}

func TestSwapEnablePlanRollsNodeByNode(t *testing.T) {
	c, facts := runningCluster(t)
	p, err := plan.BuildSwapChangePlan(c, facts, plan.SwapChangeOptions{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Stages) != 3 || !p.Stages[1].Serial || !p.Stages[1].StopOnFailure || !p.Stages[2].Has(plan.PhaseLabels) {
		t.Fatalf("stages %+v", p.Stages)
	}
	var order []string
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			order = append(order, hp.Host.Address+":"+s.Template())
			if s.Template() == "kubelet-config" || s.Template() == "kubelet-configmap" {
				content := s.Files["/var/lib/kubelet/config.yaml"] + s.Files["configmap/kubelet-config/kubelet"]
				for _, want := range []string{"failSwapOn: false", "swapBehavior: LimitedSwap", "rotateCertificates: true", "cgroupDriver: cgroupfs"} {
					if !strings.Contains(content, want) {
						t.Errorf("%s %s lacks %q:\n%s", hp.Host.Address, s.Template(), want, content)
					}
				}
			}
		}
	}
	want := "192.168.122.50:kubelet-configmap,192.168.122.50:swap,192.168.122.50:swap-tuning,192.168.122.50:kubelet-config,192.168.122.50:wait-ready,192.168.122.50:node-swap-labels," +
		"192.168.122.51:swap,192.168.122.51:swap-tuning,192.168.122.51:kubelet-config,192.168.122.51:wait-ready,192.168.122.52:swap,192.168.122.52:swap-tuning,192.168.122.52:kubelet-config,192.168.122.52:wait-ready"
	if got := strings.Join(order, ","); got != want {
		t.Errorf("steps\n got %s\nwant %s", got, want)
	}
}

func TestSwapEnableStopsAtTheFirstNodeThatFails(t *testing.T) {
	c, facts := runningCluster(t)
	p, err := plan.BuildSwapChangePlan(c, facts, plan.SwapChangeOptions{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFakeCluster(t, c, false)
	fc.hosts["192.168.122.51"].fail["wait-ready"] = &sshexec.ExitError{Host: "192.168.122.51", Code: 1}
	r := fc.execute(t, p)
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d", r.ExitCode())
	}
	if fc.hosts["192.168.122.51"].scripts["kubelet-logs"] == "" {
		t.Error("no kubelet log for the node that did not come back")
	}
	if len(fc.hosts["192.168.122.52"].scripts) != 0 {
		t.Errorf("a node after the failed one was touched: %v", fc.hosts["192.168.122.52"].scripts)
	}

	p2, _ := plan.BuildSwapChangePlan(c, facts, plan.SwapChangeOptions{Enable: true, ContinueOnError: true})
	fc2 := newFakeCluster(t, c, false)
	fc2.hosts["192.168.122.51"].fail["wait-ready"] = &sshexec.ExitError{Host: "192.168.122.51", Code: 1}
	fc2.execute(t, p2)
	if fc2.hosts["192.168.122.52"].scripts["wait-ready"] == "" {
		t.Error("--continue-on-error did not go on to the next node")
	}
}

func TestSwapDisableTurnsSwapOffBeforeTheKubelet(t *testing.T) {
	c, facts := runningCluster(t)
	for a, f := range facts {
		f.SwapbootSwapfile, f.SwapActiveKiB, f.FstabEntries = "/swapfile", 1<<20-4, 1
		f.KubeletConfig = strings.Replace(kubeletConfig137, "cgroupDriver", "failSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\ncgroupDriver", 1)
		facts[a] = f
	}
	p, err := plan.BuildSwapChangePlan(c, facts, plan.SwapChangeOptions{Enable: false, Nodes: []string{"worker2"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			got = append(got, hp.Host.Address+":"+s.Template())
			if s.Template() == "kubelet-config" && (strings.Contains(s.Files["/var/lib/kubelet/config.yaml"], "memorySwap") || strings.Contains(s.Files["/var/lib/kubelet/config.yaml"], "failSwapOn: false")) {
				t.Errorf("disable left swap settings:\n%s", s.Files["/var/lib/kubelet/config.yaml"])
			}
		}
	}
	if want := "192.168.122.50:kubelet-configmap,192.168.122.50:node-swap-labels,192.168.122.52:swap-remove,192.168.122.52:swap-tuning,192.168.122.52:kubelet-config,192.168.122.52:wait-ready"; strings.Join(got, ",") != want {
		t.Errorf("got %s, want %s", strings.Join(got, ","), want)
	}
}

func TestAddNodePlanLeavesTheMasterAlone(t *testing.T) {
	c, facts := runningCluster(t)
	w := facts["192.168.122.52"]
	w.Joined, w.KubeletActive, w.KubeletConfig = false, "activating", ""
	facts["192.168.122.52"] = w
	p, err := plan.BuildAddNodePlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken}, plan.AddNodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			if s.Skip == "" {
				got = append(got, hp.Host.Address+":"+s.Template())
			}
		}
	}
	// The master only mints a token, reads the CA and waits (read-only) for flannel on the new node.
	want := "192.168.122.50:token-create,192.168.122.50:ca-cert,192.168.122.50:node-swap-labels,192.168.122.50:pod-network-wait,192.168.122.52:swap,192.168.122.52:swap-tuning,192.168.122.52:net-prereqs,192.168.122.52:join"
	if strings.Join(got, ",") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ","), want)
	}
	if _, err := plan.BuildAddNodePlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken}, plan.AddNodeOptions{Workers: []string{"10.9.9.9"}}); err == nil {
		t.Error("accepted a worker that is not in the cluster file")
	}
}

func TestResetPlanResetsWorkersFirst(t *testing.T) {
	c, facts := runningCluster(t)
	p := plan.BuildResetPlan(c, facts, plan.ResetOptions{})
	if len(p.Stages) != 2 || p.Stages[0].Roles[0] != cluster.RoleWorker || p.Stages[1].Roles[0] != cluster.RoleMaster {
		t.Fatalf("stages %+v", p.Stages)
	}
	fc := newFakeCluster(t, c, false)
	r := fc.execute(t, p)
	if r.ExitCode() != 0 {
		t.Fatalf("exit %d", r.ExitCode())
	}
	for _, h := range fc.hosts {
		if h.scripts["reset"] == "" {
			t.Errorf("%s not reset", h.addr)
		}
		if h.scripts["swap-remove"] != "" {
			t.Errorf("%s: removed a swap file swapboot did not create", h.addr)
		}
		if h.scripts["reset-cleanup"] == "" {
			t.Errorf("%s: no cleanup after kubeadm reset", h.addr)
		}
	}
	// Every removal is listed in the report, per host.
	for _, hr := range r.Hosts {
		found := false
		for _, s := range hr.Steps {
			if s.Phase == plan.PhaseCleanup {
				found = s.Status == StatusChanged && s.Detail == "removed interface cni0; removed /var/lib/cni"
			}
		}
		if !found {
			t.Errorf("%s: the report does not list the removals: %+v", hr.Host.Address, hr.Steps)
		}
	}
}

// swap enable on a cluster whose nodes differ (auto, 1.30+): the ConfigMap gets NoSwap, each node its own
// behaviour in its kubelet config and its kubeadm patch (LimitedSwap on the cgroup v2 worker only).
func TestSwapEnablePerNodeBehaviour(t *testing.T) {
	c, facts := runningCluster(t)
	for _, a := range []string{c.Masters[0].Address, c.Workers[0].Address} {
		f := facts[a]
		f.CgroupV2 = false
		facts[a] = f
	}
	p, err := plan.BuildSwapChangePlan(c, facts, plan.SwapChangeOptions{Enable: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{c.Masters[0].Address: "NoSwap", c.Workers[0].Address: "NoSwap", c.Workers[1].Address: "LimitedSwap"}
	var order []string
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			order = append(order, hp.Host.Address+":"+s.Template())
			behaviour := want[hp.Host.Address]
			var content string
			switch s.Template() {
			case "kubelet-configmap":
				behaviour, content = "NoSwap", s.Files["configmap/kubelet-config/kubelet"]
			case "kubelet-config":
				content = s.Files["/var/lib/kubelet/config.yaml"]
			case "kubelet-patch":
				content = s.Files[plan.KubeletPatchFile]
			default:
				continue
			}
			if !strings.Contains(content, "swapBehavior: "+behaviour+"\n") {
				t.Errorf("%s %s: want swapBehavior %s:\n%s", hp.Host.Address, s.Template(), behaviour, content)
			}
		}
	}
	wantOrder := "192.168.122.50:kubelet-configmap,192.168.122.50:swap,192.168.122.50:swap-tuning,192.168.122.50:kubelet-patch,192.168.122.50:kubelet-config,192.168.122.50:wait-ready,192.168.122.50:node-swap-labels," +
		"192.168.122.51:swap,192.168.122.51:swap-tuning,192.168.122.51:kubelet-patch,192.168.122.51:kubelet-config,192.168.122.51:wait-ready," +
		"192.168.122.52:swap,192.168.122.52:swap-tuning,192.168.122.52:kubelet-patch,192.168.122.52:kubelet-config,192.168.122.52:wait-ready"
	if got := strings.Join(order, ","); got != wantOrder {
		t.Errorf("steps\n got %s\nwant %s", got, wantOrder)
	}
}
