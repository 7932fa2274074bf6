package plan

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// Swap per host and per role: under nodes: workers the master makes no swap file, a worker with swap: none
// neither, one with its own size and path gets exactly that; swap disable and reset remove swapboot's file
// at each host's own path.
func TestPerHostSwap(t *testing.T) {
	c := testCluster()
	c.Swap.Nodes = cluster.SwapNodesWorkers
	c.Workers[0].Swap = &cluster.HostSwap{None: true}
	c.Workers[1].Swap = &cluster.HostSwap{SizeBytes: 4 << 30, Path: "/var/swapfile"}
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ skip, script string }{
		c.Masters[0].Address: {"swap.nodes: workers", ""},
		c.Workers[0].Address: {"swap: none", ""},
		c.Workers[1].Address: {"", "4096 MiB swap file at /var/swapfile"},
	}
	for _, hp := range p.Hosts {
		s := findStep(t, hp, PhaseSwap)
		w := want[hp.Host.Address]
		if w.skip != "" && !strings.Contains(s.Skip, w.skip) || w.skip == "" && s.Skip != "" {
			t.Errorf("%s: swap step skip %q, want one naming %q", hp.Host.ID(), s.Skip, w.skip)
		}
		if w.script != "" && !strings.Contains(s.Summary, w.script) {
			t.Errorf("%s: swap step %q, want %q", hp.Host.ID(), s.Summary, w.script)
		}
		if w.script != "" {
			if script := renderedScript(t, s); !strings.Contains(script, "/var/swapfile") || !strings.Contains(script, "4096") {
				t.Errorf("%s: the swap script does not make /var/swapfile at 4096 MiB", hp.Host.ID())
			}
		}
	}

	// The master labels (and, asked to, taints) the nodes with swap and unlabels the others.
	c.Swap.Taint = true
	p, err = BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	labels := stepNamed(t, p.Hosts[0], "node-swap-labels").Kind.(nodeSwapLabelsKind).call
	name := func(h cluster.Host) string { return nodeNameOrPlaceholder(h, facts[h.Address]) }
	if strings.Join(labels.SwapNodes, ",") != name(c.Workers[1]) || strings.Join(labels.OtherNodes, ",") != name(c.Masters[0])+","+name(c.Workers[0]) ||
		!labels.SetLabel || !labels.SetTaint || labels.LabelKey != "feature.node.kubernetes.io/memory-swap" {
		t.Errorf("labels step: %+v", labels)
	}
	disable, err := BuildSwapChangePlan(c, joined(c, facts), SwapChangeOptions{Nodes: []string{c.Workers[1].Address}})
	if err != nil {
		t.Fatal(err)
	}
	off := stepNamed(t, disable.Hosts[hostIndex(disable, c.Masters[0])], "node-swap-labels").Kind.(nodeSwapLabelsKind).call
	if len(off.SwapNodes) != 0 || strings.Join(off.OtherNodes, ",") != name(c.Workers[1]) {
		t.Errorf("swap disable of %s: labels step %+v", c.Workers[1].Address, off)
	}

	for addr := range facts {
		f := facts[addr]
		f.SwapbootSwapfile = "/swapfile"
		if addr == c.Workers[1].Address {
			f.SwapbootSwapfile = "/var/swapfile"
		}
		facts[addr] = f
	}
	reset := BuildResetPlan(c, facts, ResetOptions{})
	for _, hp := range reset.Hosts {
		s := findStep(t, hp, PhaseSwap)
		path := "/swapfile"
		if hp.Host.Address == c.Workers[1].Address {
			path = "/var/swapfile"
		}
		if s.Skip != "" || !strings.Contains(s.Summary, path) {
			t.Errorf("reset %s: %q (skip %q), want %s removed", hp.Host.ID(), s.Summary, s.Skip, path)
		}
	}
}

// joined marks every host part of a running cluster (the first master its control plane).
func joined(c *cluster.Cluster, facts map[string]hostfacts.Facts) map[string]hostfacts.Facts {
	out := map[string]hostfacts.Facts{}
	for addr, f := range facts {
		f.Joined, f.KubeletActive = true, "active"
		f.KubeletConfig = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
		if addr == c.Masters[0].Address {
			f.ControlPlane = true
		}
		out[addr] = f
	}
	return out
}

// Swap's settings: hosts with swap get swap.sysctl, and on cgroup v2 the system.slice drop-in unless
// protectSystemDaemons is off; a host without swap, and swap disable, remove both.
func TestSwapTuningStep(t *testing.T) {
	c := testCluster()
	sixty := int64(60)
	c.Swap.Sysctl = &cluster.SwapSysctl{Swappiness: &sixty}
	c.Swap.ProtectSystemDaemons = true
	c.Workers[0].Swap = &cluster.HostSwap{None: true}
	v2 := hostfacts.Facts{CgroupV2: true}
	cases := []struct {
		name         string
		host         cluster.Host
		f            hostfacts.Facts
		on           bool
		sysctl, drop bool
	}{
		{"cgroup v2 with swap", c.Masters[0], v2, true, true, true},
		{"cgroup v1 with swap", c.Masters[0], hostfacts.Facts{}, true, true, false},
		{"no swap on this host", c.Workers[0], v2, true, false, false},
		{"swap disable", c.Masters[0], v2, false, false, false},
	}
	for _, tc := range cases {
		k := swapTuningStep(c, tc.host, tc.f, tc.on).Kind.(swapTuningKind)
		if (k.sysctl == "vm.swappiness = 60\n") != tc.sysctl || (strings.Contains(k.slice, "MemorySwapMax=0")) != tc.drop || (!tc.sysctl && k.sysctl != "") {
			t.Errorf("%s: sysctl %q drop-in %q", tc.name, k.sysctl, k.slice)
		}
	}
	c.Swap.ProtectSystemDaemons = false
	if k := swapTuningStep(c, c.Masters[0], v2, true).Kind.(swapTuningKind); k.slice != "" {
		t.Errorf("protectSystemDaemons: false still writes the drop-in")
	}
}
