package plan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

func writeClusterFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func planOffline(file, version string) (string, error) {
	var out bytes.Buffer
	err := PlanOffline(PlanOfflineOptions{ClusterFile: file, Assume: hostfacts.Assumptions{KubernetesVersion: version, CgroupV2: true}, Out: &out})
	return out.String(), err
}

// --kubernetes-version goes through the file's parser and version checks: same refusals, file:line.
func TestPlanVersionFlagHasTheFilesRules(t *testing.T) {
	base := "name: lab\nmasters: [192.168.122.50]\n"
	withSections := writeClusterFile(t, base+"kubelet:\n  maxPods: 50\nkubeProxy:\n  mode: iptables\nnodeRegistration:\n  imagePullPolicy: Never\n")
	_, err := planOffline(withSections, "v1.17.1")
	var ce *cluster.ConfigError
	if !errors.As(err, &ce) || ce.Line != 3 || ce.Field != "kubelet" || !strings.Contains(err.Error(), "--kubernetes-version") {
		t.Errorf("kubelet: with --kubernetes-version v1.17.1: got %v, want a ConfigError at line 3 naming the flag", err)
	}
	if exit.Code(nil, err) != exit.BadInput {
		t.Errorf("exit %d, want %d", exit.Code(nil, err), exit.BadInput)
	}

	plain := writeClusterFile(t, base)
	for _, bad := range []string{"v1.30", "v1.30.04", " v1.30.4", "v1.30.4+k3s1", "latest", "v1.16.0"} {
		_, err := planOffline(plain, bad)
		if !errors.As(err, &ce) || ce.File != "--kubernetes-version" || exit.Code(nil, err) != exit.BadInput {
			t.Errorf("--kubernetes-version %q: got %v, want a refusal naming the flag", bad, err)
		}
		if _, ferr := cluster.Parse("c.yaml", []byte(base+"kubernetesVersion: \""+bad+"\"\n")); ferr == nil {
			t.Errorf("the file accepts %q", bad)
		}
	}

	noSwap := writeClusterFile(t, base+"swap:\n  behavior: NoSwap\n")
	_, err = planOffline(noSwap, "v1.28.0")
	if !errors.As(err, &ce) || ce.Line != 4 || ce.Field != "swap.behavior" || !strings.Contains(err.Error(), "from --kubernetes-version") {
		t.Errorf("NoSwap with --kubernetes-version v1.28.0: got %v, want file:4 naming the flag", err)
	}
	_, err = planOffline(writeClusterFile(t, base+"kubernetesVersion: v1.28.0\nswap:\n  behavior: NoSwap\n"), "")
	if !errors.As(err, &ce) || ce.Line != 5 || !strings.Contains(err.Error(), "NoSwap exists from Kubernetes 1.30") {
		t.Errorf("NoSwap with kubernetesVersion v1.28.0: got %v, want file:5", err)
	}
}

// A pre-release version is kept, from the file and from the flag.
func TestPlanKeepsPreRelease(t *testing.T) {
	file := writeClusterFile(t, "name: lab\nmasters: [192.168.122.50]\nkubernetesVersion: v1.30.4-rc.1\n")
	for _, flag := range []string{"", "v1.30.4-rc.1"} {
		out, err := planOffline(file, flag)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "kubernetesVersion: v1.30.4-rc.1") {
			t.Errorf("flag %q: the plan lost the pre-release", flag)
		}
	}
}

// When the version is only known from the hosts, a swap.behavior it cannot honour still names file:line.
func TestPolicyErrorNamesTheLine(t *testing.T) {
	c, err := cluster.Parse("c.yaml", []byte("name: lab\nmasters: [192.168.122.50]\nswap:\n  behavior: NoSwap\n"))
	if err != nil {
		t.Fatal(err)
	}
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.28.0", CgroupV2: true})
	_, err = BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err == nil || !strings.HasPrefix(err.Error(), "c.yaml:4: swap.behavior: NoSwap exists from Kubernetes 1.30") {
		t.Errorf("got %v", err)
	}
}

// plan --out never mixes two runs: a folder it wrote is replaced file by file (others' files stay), a
// folder it did not write is refused with exit 2.
func TestPlanOutDoesNotMixRuns(t *testing.T) {
	file := writeClusterFile(t, "name: lab\nmasters: [192.168.122.50]\n")
	dir := filepath.Join(t.TempDir(), "out")
	run := func(version string) error {
		return PlanOffline(PlanOfflineOptions{ClusterFile: file, Assume: hostfacts.Assumptions{KubernetesVersion: version, CgroupV2: true}, OutDir: dir, Out: &bytes.Buffer{}})
	}
	initCfg := filepath.Join(dir, "192.168.122.50", "files", "var", "lib", "swapboot", "kubeadm-init.yaml")
	if err := run("v1.37.2"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(initCfg); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "192.168.122.50", "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("v1.17.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(initCfg); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the 1.37 kubeadm config is still there after the 1.17 plan (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "192.168.122.50", "files", "etc", "default", "kubelet")); err != nil {
		t.Errorf("the 1.17 env file is missing: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file swapboot did not write was removed: %v", err)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dir = foreign
	err := run("v1.37.2")
	var oe *OutDirError
	if !errors.As(err, &oe) || exit.Code(nil, err) != exit.BadInput {
		t.Errorf("a non-empty folder swapboot did not write: got %v", err)
	}
}
