package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// halfInitFacts: the master has admin.conf, and the API answered admin (ok, forbidden or unanswered);
// finalized says whether init reached kubelet-finalize; joined names other hosts with a kubelet.conf.
func halfInitFacts(t *testing.T, adminAPI string, nodes []string, finalized bool, joined ...string) map[string]hostfacts.Facts {
	t.Helper()
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	m := facts[c.Masters[0].Address]
	m.Hostname, m.ControlPlane, m.Joined, m.AdminAPI, m.APINodes, m.InitFinalized = "m1", true, true, adminAPI, nodes, finalized
	facts[c.Masters[0].Address] = m
	for _, a := range joined {
		f := facts[a]
		f.Joined = true
		facts[a] = f
	}
	return facts
}

func masterSteps(p *Plan) []Step { return p.Hosts[0].Steps }

// TestHalfFinishedInitIsRepaired: admin.conf without the rights, without an answer, or without the
// master's Node, before kubelet-finalize, and nothing joined: the init step resets and inits again, says
// so and why, and no token is minted from the broken control plane (init prints the join command).
func TestHalfFinishedInitIsRepaired(t *testing.T) {
	for _, tc := range []struct {
		api   string
		nodes []string
		why   string
	}{
		{"forbidden", nil, "kubeadm's RBAC phases did not run"},
		{"unanswered", nil, "does not answer"},
		{"ok", []string{"w9"}, "no Node m1"},
	} {
		p, err := BuildPlan(testCluster(), halfInitFacts(t, tc.api, tc.nodes, false), PlanOptions{NewToken: fixedToken})
		if err != nil {
			t.Fatalf("%s: %v", tc.api, err)
		}
		init := stepOf(masterSteps(p), PhaseInit)
		if init.Skip != "" {
			t.Errorf("%s: init skipped: %s", tc.api, init.Skip)
		}
		if !strings.HasPrefix(init.Summary, "kubeadm reset -f, then kubeadm init") || !strings.Contains(init.Summary, tc.why) || !strings.Contains(init.Summary, "nothing has joined") {
			t.Errorf("%s: summary %q", tc.api, init.Summary)
		}
		script, err := init.Script(PlaceholderRuntime())
		if err != nil || !strings.Contains(script, "REDO='") || strings.Contains(script, "REDO=''") {
			t.Errorf("%s: the script does not reset first (%v)", tc.api, err)
		}
		for _, s := range masterSteps(p) {
			if s.Template() == "token-create" {
				t.Errorf("%s: a token is minted from the half-finished control plane", tc.api)
			}
		}
	}
}

// TestHalfFinishedInitWithAJoinedHostIsRefused: a host that joined it depends on it: no reset, an error
// naming the master, the joined host and what to do.
func TestHalfFinishedInitWithAJoinedHostIsRefused(t *testing.T) {
	c := testCluster()
	w := c.Workers[1]
	_, err := BuildPlan(c, halfInitFacts(t, "forbidden", nil, false, w.Address), PlanOptions{NewToken: fixedToken})
	var fe *hostfacts.FactsError
	if !errors.As(err, &fe) {
		t.Fatalf("want a FactsError, got %v", err)
	}
	for _, want := range []string{c.Masters[0].ID(), w.ID() + " joined it", "swapboot reset"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %s", want, err)
		}
	}
}

// TestFinishedInitIsNotReset: an init that reached kubelet-finalize is done even when the API does not
// answer now (resetting would destroy a working cluster); a complete control plane is skipped as done.
func TestFinishedInitIsNotReset(t *testing.T) {
	for _, tc := range []struct {
		api       string
		nodes     []string
		finalized bool
		skip      string
	}{
		{"unanswered", nil, true, "kubeadm init finished earlier"},
		{"ok", []string{"m1"}, true, "already a control plane"},
		{"ok", []string{"m1"}, false, "already a control plane"},
		{"no-kubectl", nil, false, "already a control plane"},
	} {
		p, err := BuildPlan(testCluster(), halfInitFacts(t, tc.api, tc.nodes, tc.finalized), PlanOptions{NewToken: fixedToken})
		if err != nil {
			t.Fatal(err)
		}
		init := stepOf(masterSteps(p), PhaseInit)
		if !strings.Contains(init.Skip, tc.skip) || strings.Contains(init.Summary, "reset") {
			t.Errorf("%s finalized=%v: skip %q summary %q", tc.api, tc.finalized, init.Skip, init.Summary)
		}
	}
}

// TestHalfFinishedJoinIsRepaired: a worker an interrupted join left files on (no kubelet.conf) is reset
// and joined again; the plan says why, and the join material is fetched for it. A joined worker
// (kubelet.conf) is left alone, also when the API does not list its Node yet: its kubelet registers it.
func TestHalfFinishedJoinIsRepaired(t *testing.T) {
	c := testCluster()
	w1, w2 := c.Workers[0], c.Workers[1]
	facts := halfInitFacts(t, "ok", []string{"m1"}, true, w1.Address)
	f2 := facts[w2.Address]
	f2.JoinLeftovers = true
	facts[w2.Address] = f2
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if j := stepOf(p.Hosts[1].Steps, PhaseJoin); j.Skip == "" || strings.Contains(j.Summary, "reset") {
		t.Errorf("%s: a joined worker is not left alone: %q %q", w1.ID(), j.Skip, j.Summary)
	}
	j := stepOf(p.Hosts[2].Steps, PhaseJoin)
	if j.Skip != "" || !strings.HasPrefix(j.Summary, "kubeadm reset -f, then kubeadm join") || !strings.Contains(j.Summary, "stopped before the kubelet got its credentials") {
		t.Errorf("%s: skip %q summary %q", w2.ID(), j.Skip, j.Summary)
	}
	if script, err := j.Script(PlaceholderRuntime()); err != nil || strings.Contains(script, "REDO=''") {
		t.Errorf("%s: the join script does not reset first (%v)", w2.ID(), err)
	}
	if stepOf(masterSteps(p), PhaseJoinMaterial) == nil {
		t.Error("no join material fetched for the worker joining again")
	}
}
