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
