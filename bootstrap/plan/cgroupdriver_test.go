package plan

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/output"
)

// factsWithDrivers is the assumed facts of c for version with each host's runtime driver set from drivers
// (by address; hosts not named keep "": not read).
func factsWithDrivers(c *cluster.Cluster, version string, drivers map[string]string) map[string]hostfacts.Facts {
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: version, CgroupV2: true})
	for addr, d := range drivers {
		f := facts[addr]
		f.RuntimeCgroupDriver = d
		facts[addr] = f
	}
	return facts
}

func allDrivers(c *cluster.Cluster, d string) map[string]string {
	m := map[string]string{}
	for _, h := range c.Hosts() {
		m[h.Address] = d
	}
	return m
}

// initDocument is the kubeadm config of the plan's init step.
func initDocument(t *testing.T, p *Plan) string {
	t.Helper()
	for _, hp := range p.Hosts {
		for _, s := range hp.Steps {
			if s.Phase == PhaseInit {
				return s.Files["/var/lib/swapboot/kubeadm-init.yaml"] + "\n" + s.Summary
			}
		}
	}
	t.Fatal("no init step")
	return ""
}

// TestCgroupDriverFollowsTheRuntime: without kubelet.cgroupDriver in the file, the kubelet gets the
// runtime's driver, in the kubeadm config, the init step's summary and a note; unknown runtimes leave
// kubeadm's default and say so.
func TestCgroupDriverFollowsTheRuntime(t *testing.T) {
	for _, tc := range []struct {
		name, driver, want, note string
	}{
		{"cgroupfs runtimes", "cgroupfs", "cgroupDriver: cgroupfs", "kubelet cgroupDriver: cgroupfs, the container runtime's"},
		{"systemd runtimes", "systemd", "cgroupDriver: systemd", "kubelet cgroupDriver: systemd, the container runtime's"},
		{"unknown runtimes", "", "", "left to kubeadm (systemd since 1.22)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCluster()
			p, err := BuildPlan(c, factsWithDrivers(c, "v1.37.2", allDrivers(c, tc.driver)), PlanOptions{NewToken: fixedToken})
			if err != nil {
				t.Fatal(err)
			}
			doc := initDocument(t, p)
			if tc.want != "" && !strings.Contains(doc, tc.want) {
				t.Errorf("init document lacks %q:\n%s", tc.want, doc)
			}
			if tc.want == "" && strings.Contains(doc, "cgroupDriver") {
				t.Errorf("init document sets a cgroupDriver though no runtime's was read:\n%s", doc)
			}
			if !strings.Contains(strings.Join(p.Policy.Notes, "\n"), tc.note) {
				t.Errorf("notes lack %q: %q", tc.note, p.Policy.Notes)
			}
		})
	}
}

// TestCgroupDriverSummaryGolden pins the readable dry-run of a cluster whose runtimes use cgroupfs.
func TestCgroupDriverSummaryGolden(t *testing.T) {
	c := testCluster()
	p, err := BuildPlan(c, factsWithDrivers(c, "v1.37.2", allDrivers(c, "cgroupfs")), PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := p.Write(&out, output.NewRedactor(), Rendering{}); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("testdata", "summary", "v1.37.2-runtime-cgroupfs.golden"), out.String())
	var js bytes.Buffer
	if err := p.Write(&js, output.NewRedactor(), Rendering{JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `cgroupDriver: cgroupfs`) || !strings.Contains(js.String(), "kubelet cgroupDriver: cgroupfs, the container runtime's") {
		t.Error("-o json does not show the cgroup driver chosen")
	}
}

// TestCgroupDriverFromTheFile: the file's driver is used when every runtime that was read agrees.
func TestCgroupDriverFromTheFile(t *testing.T) {
	c := testCluster()
	c.Kubelet = map[string]any{"cgroupDriver": "cgroupfs"}
	c.KubeletCgroupDriverLine = 7
	drivers := allDrivers(c, "cgroupfs")
	drivers[c.Workers[0].Address] = ""
	p, err := BuildPlan(c, factsWithDrivers(c, "v1.37.2", drivers), PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(initDocument(t, p), "cgroupDriver: cgroupfs") {
		t.Error("the file's cgroupDriver is not in the init document")
	}
	note := strings.Join(p.Policy.Notes, "\n")
	if !strings.Contains(note, "kubelet cgroupDriver: cgroupfs, from the cluster file (not read on "+c.Workers[0].ID()+")") {
		t.Errorf("notes: %q", p.Policy.Notes)
	}
}

// TestCgroupDriverRefusals: a file driver a runtime does not use, and runtimes that disagree, are policy
// errors (exit 2) naming the hosts and both drivers, at the file's line when the file set it.
func TestCgroupDriverRefusals(t *testing.T) {
	c := testCluster()
	worker := c.Workers[0]
	for _, tc := range []struct {
		name     string
		file     string
		version  string
		odd      string // the driver of the first worker; the others use cgroupfs
		wantLine bool
		want     []string
	}{
		{"file systemd, runtime cgroupfs", "systemd", "v1.37.2", "cgroupfs", true,
			[]string{"cluster.yaml:7: kubelet.cgroupDriver:", "sets systemd", "uses cgroupfs", c.Masters[0].ID(), "remove kubelet.cgroupDriver", "SystemdCgroup = true"}},
		{"file cgroupfs, one runtime systemd", "cgroupfs", "v1.37.2", "systemd", true,
			[]string{"cluster.yaml:7: kubelet.cgroupDriver:", "sets cgroupfs", "of " + worker.ID() + " uses systemd", "SystemdCgroup = false"}},
		{"runtimes disagree", "", "v1.37.2", "systemd", false,
			[]string{"different cgroup drivers", "systemd on " + worker.ID(), "cgroupfs on " + c.Masters[0].ID(), "same driver"}},
		{"runtimes disagree, legacy", "", "v1.17.1", "systemd", false,
			[]string{"different cgroup drivers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := *c
			cc.File = "cluster.yaml"
			if tc.file != "" {
				cc.Kubelet = map[string]any{"cgroupDriver": tc.file}
				cc.KubeletCgroupDriverLine = 7
			}
			drivers := allDrivers(&cc, "cgroupfs")
			drivers[worker.Address] = tc.odd
			_, err := BuildPlan(&cc, factsWithDrivers(&cc, tc.version, drivers), PlanOptions{NewToken: fixedToken})
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("want a PolicyError, got %v", err)
			}
			if pe.ExitCode() != exit.BadInput {
				t.Errorf("exit code %d", pe.ExitCode())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%s", w, err)
				}
			}
		})
	}
}

// TestCgroupDriverLegacyLeavesTheKubelet: below 1.22 there is no kubelet configuration to set it in.
func TestCgroupDriverLegacyLeavesTheKubelet(t *testing.T) {
	c := testCluster()
	p, err := BuildPlan(c, factsWithDrivers(c, "v1.17.1", allDrivers(c, "systemd")), PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if p.Policy.CgroupDriver != "" || strings.Contains(initDocument(t, p), "cgroup") {
		t.Errorf("legacy plan sets cgroupDriver %q", p.Policy.CgroupDriver)
	}
	if !strings.Contains(strings.Join(p.Policy.Notes, "\n"), "the container runtimes use systemd: if the kubelet's driver differs, set cgroup-driver: systemd in nodeRegistration.kubeletExtraArgs") {
		t.Errorf("notes: %q", p.Policy.Notes)
	}
}
