package plan

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// mixedFacts: the master and worker 1 on cgroup v1, worker2 on cgroup v2.
func mixedFacts(c *cluster.Cluster, version string) map[string]hostfacts.Facts {
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: version})
	w2 := c.Workers[1].Address
	f := facts[w2]
	f.CgroupV2 = true
	facts[w2] = f
	return facts
}

const patchesLine = "patches:\n  directory: " + KubeletPatchDir + "\n"

// behavior auto on 1.30+ with both cgroup versions: every node writes its own patch before init or join
// (LimitedSwap on cgroup v2, NoSwap on v1), init and join name the patch directory, and the cluster-wide
// KubeletConfiguration (the ConfigMap joining nodes read) keeps NoSwap.
func TestPerNodeSwapBehaviourAtUp(t *testing.T) {
	c := testCluster()
	p, err := BuildPlan(c, mixedFacts(c, "v1.37.2"), PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Policy.PerNode || p.Policy.SwapBehavior != "NoSwap" {
		t.Fatalf("policy: per node %v, cluster behaviour %q", p.Policy.PerNode, p.Policy.SwapBehavior)
	}
	want := map[string]string{c.Masters[0].Address: "NoSwap", c.Workers[0].Address: "NoSwap", c.Workers[1].Address: "LimitedSwap"}
	kubeletStage, initStage := stageOf(t, p, PhaseKubelet), stageOf(t, p, PhaseInit)
	if kubeletStage >= initStage {
		t.Errorf("the patches (stage %d) are not written before init (stage %d)", kubeletStage, initStage)
	}
	for _, hp := range p.Hosts {
		s := stepNamed(t, hp, "kubelet-patch")
		if s.Phase != PhaseKubelet || s.Skip != "" {
			t.Errorf("%s: patch step phase %s skip %q", hp.Host.ID(), s.Phase, s.Skip)
		}
		if got := s.Files[KubeletPatchFile]; !strings.HasSuffix(got, "memorySwap:\n  swapBehavior: "+want[hp.Host.Address]+"\n") {
			t.Errorf("%s: patch\n%s\nwant swapBehavior %s", hp.Host.ID(), got, want[hp.Host.Address])
		}
		script, err := s.Script(PlaceholderRuntime())
		if err != nil || !strings.Contains(script, "swapBehavior: "+want[hp.Host.Address]) {
			t.Errorf("%s: the script does not carry the patch (%v)", hp.Host.ID(), err)
		}
		var config string
		if hp.Host.Role == cluster.RoleMaster {
			config = findStep(t, hp, PhaseInit).Files["/var/lib/swapboot/kubeadm-init.yaml"]
			if !strings.Contains(config, "memorySwap:\n  swapBehavior: NoSwap\n") {
				t.Errorf("the cluster's KubeletConfiguration is not NoSwap:\n%s", config)
			}
		} else {
			config = renderedScript(t, findStep(t, hp, PhaseJoin))
		}
		if !strings.Contains(config, patchesLine) {
			t.Errorf("%s: kubeadm's configuration does not name %s:\n%s", hp.Host.ID(), KubeletPatchDir, config)
		}
	}
}

// Hosts all alike, an explicit behaviour, or a version before 1.30: no patch, no patches directory.
func TestNoPerNodeSwapBehaviour(t *testing.T) {
	c := testCluster()
	cases := map[string]func() (*Plan, error){
		"all cgroup v2": func() (*Plan, error) { return planFor(t, c, "v1.37.2", true, false), nil },
		"all cgroup v1": func() (*Plan, error) { return planFor(t, c, "v1.37.2", false, false), nil },
		"1.29, mixed": func() (*Plan, error) {
			return BuildPlan(c, mixedFacts(c, "v1.29.4"), PlanOptions{NewToken: fixedToken})
		},
		"NoSwap, mixed": func() (*Plan, error) {
			cc := *c
			cc.Swap.Behavior = cluster.SwapNoSwap
			return BuildPlan(&cc, mixedFacts(&cc, "v1.37.2"), PlanOptions{NewToken: fixedToken})
		},
	}
	for name, build := range cases {
		p, err := build()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, hp := range p.Hosts {
			for _, s := range hp.Steps {
				if s.Template() == "kubelet-patch" {
					t.Errorf("%s: %s writes a kubelet patch", name, hp.Host.ID())
				}
			}
			if hp.Host.Role == cluster.RoleMaster {
				if cfg := findStep(t, hp, PhaseInit).Files["/var/lib/swapboot/kubeadm-init.yaml"]; strings.Contains(cfg, "patches:") {
					t.Errorf("%s: init names a patches directory:\n%s", name, cfg)
				}
			} else if cfg := renderedScript(t, findStep(t, hp, PhaseJoin)); strings.Contains(cfg, "patches:") {
				t.Errorf("%s: %s's join names a patches directory", name, hp.Host.ID())
			}
		}
	}
}

func stageOf(t *testing.T, p *Plan, phase Phase) int {
	t.Helper()
	for i, st := range p.Stages {
		if st.Has(phase) {
			return i
		}
	}
	t.Fatalf("no stage runs %s", phase)
	return -1
}

func renderedScript(t *testing.T, s Step) string {
	t.Helper()
	out, err := s.Script(PlaceholderRuntime())
	if err != nil {
		t.Fatal(err)
	}
	return out
}
