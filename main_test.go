package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"swapboot"}, args...), streams{in: strings.NewReader(""), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runCLI(t, "--help")
	if code != 0 || !strings.Contains(out, "up ") || !strings.Contains(out, "plan ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestPlanShowsThreeKubeletPaths(t *testing.T) {
	for version, want := range map[string][]string{
		"v1.17.1": {"KUBELET_EXTRA_ARGS=--fail-swap-on=false", "--ignore-preflight-errors=Swap"},
		"v1.30.4": {"kubeadm.k8s.io/v1beta3", "failSwapOn: false", "swapBehavior: NoSwap"},
		"v1.37.2": {"kubeadm.k8s.io/v1beta4", "failSwapOn: false", "failCgroupV1: false"},
	} {
		// minimal.yaml: the annotated example sets kubelet:, kubeProxy: and imagePullPolicy, which 1.17 refuses.
		code, out, errOut := runCLI(t, "plan", "--kubernetes-version", version, "--cgroup", "v1", "examples/minimal.yaml")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", version, code, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: plan lacks %q", version, w)
			}
		}
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nmasters: [10.0.0.1]\nnetworking: {podSubent: 10.1.0.0/16}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan", "--kubernetes-version", "v1.30.0", bad}, {"up", bad}, {"up"}, {"plan", "--cgroup", "v3", bad}} {
		code, out, errOut := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, code, out, errOut)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 0 && args[0] != "up" {
			t.Errorf("%v: more than one line of error:\n%s", args, errOut)
		}
	}
	_, _, errOut := runCLI(t, "plan", "--kubernetes-version", "v1.30.0", bad)
	if !strings.Contains(errOut, "bad.yaml:3") || !strings.Contains(errOut, "podSubent") {
		t.Errorf("message lacks file:line and field: %s", errOut)
	}
}

// TestPlanOutValidatesWithKubeadm writes the files and, when a kubeadm binary is at hand (the lab builds
// one), checks the kubeadm config with `kubeadm config validate`.
func TestPlanOutValidatesWithKubeadm(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "plan", "--kubernetes-version", "v1.37.2", "--out", dir, "examples/cluster.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	initCfg := filepath.Join(dir, "192.168.122.50", "files", "var", "lib", "swapboot", "kubeadm-init.yaml")
	if _, err := os.Stat(initCfg); err != nil {
		t.Fatal(err)
	}
	kubeadm := "/var/cache/swapboot-lab/k8s/v1.37.2/bin/kubeadm"
	if v := os.Getenv("SWAPBOOT_LAB_CACHE"); v != "" {
		kubeadm = filepath.Join(v, "k8s", "v1.37.2", "bin", "kubeadm")
	}
	if _, err := os.Stat(kubeadm); err != nil {
		t.Skipf("no kubeadm at %s (the lab builds it): not validating", kubeadm)
	}
	if out, err := exec.Command(kubeadm, "config", "validate", "--config", initCfg).CombinedOutput(); err != nil {
		t.Errorf("kubeadm config validate: %v\n%s", err, out)
	}
}

// init prints defaults: the file it writes plans with no ignored preflight error but Swap and no node
// label; hosts the loader would refuse are refused with exit 2.
func TestInitPrintsDefaults(t *testing.T) {
	code, out, errOut := runCLI(t, "init", "--masters", "192.168.122.50", "--workers", "192.168.122.51")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"v1.21.0", "v1.37.2"} {
		code, plan, errOut := runCLI(t, "plan", "--kubernetes-version", version, "--cgroup", "v2", file)
		if code != 0 {
			t.Fatalf("%s: plan of init's file: exit %d: %s", version, code, errOut)
		}
		for _, bad := range []string{"SystemVerification", "node-labels", "lab=true", "maxPods", "mode: iptables"} {
			if strings.Contains(plan, bad) {
				t.Errorf("%s: plan of init's file contains %q", version, bad)
			}
		}
	}
	for _, args := range [][]string{{"init", "--masters", "192.168.122.50", "--workers", "192.168.122.50"}, {"init", "--masters", "192.168.122.50:22"}, {"init"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
