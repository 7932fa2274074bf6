package plan

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/internal/golden"
)

const testToken = testkit.Token

func testCluster() *cluster.Cluster { return testkit.Cluster() }

func fixedToken() (string, error) { return testkit.FixedToken() }

func planFor(t *testing.T, c *cluster.Cluster, version string, cgroupV2, oldDeb bool) *Plan {
	t.Helper()
	facts, notes := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: version, CgroupV2: cgroupV2, OldDebLayout: oldDeb})
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	p.Assumptions = notes
	return p
}

// TestPlanGolden pins the whole plan (every script and document) for each version band and cgroup version.
func TestPlanGolden(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is required (Debian package shellcheck)")
	}
	for _, version := range []string{"v1.17.1", "v1.22.17", "v1.28.15", "v1.30.14", "v1.31.13", "v1.34.2", "v1.37.2"} {
		for _, cg := range []string{"v1", "v2"} {
			name := version + "-cgroup" + cg
			t.Run(name, func(t *testing.T) {
				p := planFor(t, testCluster(), version, cg == "v2", false)
				var out bytes.Buffer
				if err := p.Print(&out, output.NewRedactor()); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join("testdata", "plans", name+".golden"), out.String())
				for _, hp := range p.Hosts {
					for _, s := range hp.Steps {
						script, err := s.Script(PlaceholderRuntime())
						if err != nil {
							t.Fatal(err)
						}
						cmd := exec.Command(shellcheck, "--shell=sh", "-")
						cmd.Stdin = strings.NewReader(script)
						if out, err := cmd.CombinedOutput(); err != nil {
							t.Errorf("%s %s: shellcheck:\n%s", hp.Host.ID(), s.Phase, out)
						}
					}
				}
			})
		}
	}
}

// The three kubelet paths, as the issue describes them, visible in the plan text.
func TestPlanShowsEachVersionsKubeletPath(t *testing.T) {
	text := func(version string, cgroupV2, oldDeb bool) string {
		var out bytes.Buffer
		if err := planFor(t, testCluster(), version, cgroupV2, oldDeb).Print(&out, output.NewRedactor()); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	legacy := text("v1.17.1", false, true)
	for _, want := range []string{"ENV_FILE='/etc/default/kubelet'", "KUBELET_EXTRA_ARGS=--fail-swap-on=false", "--ignore-preflight-errors=Swap", "--pod-network-cidr=10.244.0.0/16"} {
		if !strings.Contains(legacy, want) {
			t.Errorf("1.17 plan lacks %q", want)
		}
	}
	if strings.Contains(legacy, "kind: KubeletConfiguration") || strings.Contains(legacy, "sed -i") {
		t.Error("1.17 plan uses a config file or sed")
	}
	mid := text("v1.30.4", false, false)
	for _, want := range []string{"apiVersion: kubeadm.k8s.io/v1beta3", "failSwapOn: false", "swapBehavior: NoSwap"} {
		if !strings.Contains(mid, want) {
			t.Errorf("1.30 plan lacks %q", want)
		}
	}
	if strings.Contains(mid, "NodeSwap") || strings.Contains(mid, "kubelet-env") {
		t.Error("1.30 plan sets the NodeSwap gate or edits the env file")
	}
	newest := text("v1.37.2", false, false)
	for _, want := range []string{"apiVersion: kubeadm.k8s.io/v1beta4", "failSwapOn: false", "swapBehavior: NoSwap", "failCgroupV1: false", "SystemVerification"} {
		if !strings.Contains(newest, want) {
			t.Errorf("1.37 cgroup v1 plan lacks %q", want)
		}
	}
	if v2 := text("v1.37.2", true, false); !strings.Contains(v2, "swapBehavior: LimitedSwap") || strings.Contains(v2, "failCgroupV1") {
		t.Error("1.37 cgroup v2 plan should use LimitedSwap without failCgroupV1")
	}
}

func TestPlanSkipsWhatIsDone(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	for addr, f := range facts {
		f.SwapActiveKiB, f.FstabEntries, f.SwapFileBytes = 1<<20-4, 1, 1<<30
		f.Joined = true
		if addr == c.Masters[0].Address {
			f.ControlPlane = true
		}
		facts[addr] = f
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			// The kubeconfig is always copied; the kernel settings, swap's sysctls and drop-in, the node labels, the pod network's apply
			// and its wait check on the host and report "unchanged" themselves (facts cannot see a
			// manifest's diff or the nodes' labels).
			if s.Phase == PhaseKubeconfig || s.Phase == PhaseNetPrereqs || s.Phase == PhaseLabels || s.Phase == PhasePodNetwork || s.Phase == PhaseReady || s.Template() == "swap-tuning" {
				continue
			}
			if s.Skip == "" {
				t.Errorf("%s %s: not skipped on a finished cluster", hp.Host.ID(), s.Phase)
			}
			if s.Phase == PhaseJoinMaterial {
				t.Errorf("%s: join material fetched though every worker has joined", hp.Host.ID())
			}
		}
	}
}

func TestPlanMintsTokenWhenInitDoneButWorkerMissing(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	m := facts[c.Masters[0].Address]
	m.ControlPlane, m.Joined = true, true
	facts[c.Masters[0].Address] = m
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	var templatesRun []string
	for _, s := range p.Hosts[0].Steps {
		if s.Skip == "" {
			templatesRun = append(templatesRun, s.Template())
		}
	}
	if got := strings.Join(templatesRun, ","); got != "swap,swap-tuning,net-prereqs,token-create,ca-cert,admin-kubeconfig,node-swap-labels,pod-network-apply,pod-network-wait" {
		t.Errorf("master steps = %s", got)
	}
}

func TestBuildPlanReportsHostProblems(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	w := facts["192.168.122.51"]
	w.KubeadmVersion, w.CRISocket = "", ""
	facts["192.168.122.51"] = w
	w2 := facts["192.168.122.52"]
	w2.SwapFSType = "tmpfs"
	facts["192.168.122.52"] = w2
	_, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	fe, ok := err.(*hostfacts.FactsError)
	if !ok {
		t.Fatalf("want *FactsError, got %v", err)
	}
	msg := fe.Error()
	for _, want := range []string{"192.168.122.51: kubeadm is not installed", "192.168.122.51: no container runtime socket", "worker2/192.168.122.52: /swapfile is on tmpfs"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, []byte(got))
}

func TestCheckFactsVersionSkew(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.30.4", CgroupV2: true})
	for want, ok := range map[string]bool{"v1.30.1": true, "v1.29.9": true, "v1.31.0": false, "v1.28.0": false} {
		c.KubernetesVersion = want
		err := hostfacts.CheckFacts(c, facts)
		if (err == nil) != ok {
			t.Errorf("kubernetesVersion %s with kubeadm v1.30.4: %v", want, err)
		}
	}
}

// TestPrintMasksSecretInputs: a dry-run masks the token from the typed calls' Secret marking alone, even
// with a Redactor that knows nothing (the init and join documents and the minted token alike).
func TestPrintMasksSecretInputs(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	m := facts[c.Masters[0].Address]
	m.ControlPlane, m.Joined = true, true
	facts[c.Masters[0].Address] = m
	for _, legacy := range []string{"v1.37.2", "v1.17.1"} {
		p := planFor(t, c, legacy, true, false)
		p.MaskSecrets = true
		var out bytes.Buffer
		if err := p.Print(&out, output.NewRedactor()); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), p.Token) || !strings.Contains(out.String(), "<redacted>") {
			t.Errorf("%s: the token is not masked in the dry-run", legacy)
		}
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	p.MaskSecrets = true
	var out bytes.Buffer
	if err := p.Print(&out, output.NewRedactor()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "token-create") || strings.Contains(out.String(), p.Token) {
		t.Errorf("the minted token is not masked:\n%s", out.String())
	}
}

// Below 1.22 no kubeadm document carries nodeRegistration.kubeletExtraArgs: they go to KUBELET_EXTRA_ARGS.
func TestLegacyPlanKeepsKubeletExtraArgs(t *testing.T) {
	c := testCluster()
	c.NodeRegistration.KubeletExtraArgs = map[string]string{"node-labels": "role=db", "max-pods": "50"}
	p := planFor(t, c, "v1.21.0", true, false)
	var out bytes.Buffer
	if err := p.Print(&out, output.NewRedactor()); err != nil {
		t.Fatal(err)
	}
	for _, hp := range p.Hosts {
		found := false
		for _, s := range hp.Steps {
			for _, content := range s.Files {
				if strings.Contains(content, "--max-pods=50 --node-labels=role=db --fail-swap-on=false") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: kubeletExtraArgs not in the env file", hp.Host.ID())
		}
	}
	if !strings.Contains(out.String(), "--node-labels=role=db") || !strings.Contains(out.String(), "--max-pods=50") {
		t.Error("the plan text lacks the extra arguments")
	}
}
