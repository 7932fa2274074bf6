package hostfacts

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/versions"
)

// HostProblem is something about one host that stops the run before anything changes.
type HostProblem struct {
	Host    string
	Problem string
	Fix     string
}

// FactsError lists every host problem found, so users fix them all in one go.
type FactsError struct{ Problems []HostProblem }

// ExitCode: hosts that cannot be brought into the cluster as they are.
func (e *FactsError) ExitCode() int { return exit.HostFailed }

func (e *FactsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) found before changing anything:", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Host, p.Problem)
		if p.Fix != "" {
			fmt.Fprintf(&b, "; %s", p.Fix)
		}
	}
	return b.String()
}

// Filesystems the kernel cannot swap to (or not reliably).
var noSwapFS = map[string]bool{"tmpfs": true, "overlayfs": true, "overlay": true, "nfs": true, "nfs4": true,
	"ramfs": true, "zfs": true, "squashfs": true, "fuseblk": true, "fuse": true, "cifs": true, "smb2": true}

// CheckFacts reports every host that cannot be brought into the cluster as it is.
func CheckFacts(c *cluster.Cluster, facts map[string]Facts) error {
	var problems []HostProblem
	add := func(h cluster.Host, problem, fix string) {
		problems = append(problems, HostProblem{h.ID(), problem, fix})
	}
	byMinor := map[string][]string{}
	for _, h := range c.Hosts() {
		f, ok := facts[h.Address]
		if !ok {
			add(h, "no facts gathered", "")
			continue
		}
		if f.KubeadmVersion == "" {
			add(h, "kubeadm is not installed", "install kubeadm, kubelet and kubectl (swapboot does not install packages)")
		} else {
			byMinor[minorOf(f.KubeadmVersion)] = append(byMinor[minorOf(f.KubeadmVersion)], h.ID())
		}
		if f.KubeletVersion == "" {
			add(h, "kubelet is not installed", "install the kubelet package of the same version as kubeadm")
		} else if f.KubeadmVersion != "" && minorOf(f.KubeletVersion) != minorOf(f.KubeadmVersion) {
			add(h, fmt.Sprintf("kubelet %s does not match kubeadm %s", f.KubeletVersion, f.KubeadmVersion), "install matching versions")
		}
		if f.CRISocket == "" && c.NodeRegistration.CRISocket == "" {
			add(h, "no container runtime socket (containerd, CRI-O or cri-dockerd) found", "install and start a container runtime, or set nodeRegistration.criSocket")
		}
		if swap, on, _ := c.SwapOf(h); on && !SwapAsConfigured(swap, f) {
			for _, p := range areaProblems(swap, f) {
				add(h, p.Problem, p.Fix)
			}
		}
		if h.Role == cluster.RoleWorker && f.ControlPlane {
			add(h, "is listed as a worker but is a control plane (/etc/kubernetes/admin.conf exists)", "list it under masters, or reset it")
		}
	}
	if c.KubernetesVersion != "" {
		if mf, ok := facts[c.Masters[0].Address]; ok && mf.KubeadmVersion != "" {
			if problem := versionSkew(c.KubernetesVersion, mf.KubeadmVersion); problem != "" {
				add(c.Masters[0], problem, "set kubernetesVersion to the installed kubeadm's minor version (or one below), or install the matching kubeadm")
			}
		}
	}
	if len(byMinor) > 1 {
		var parts []string
		for minor, hosts := range byMinor {
			parts = append(parts, minor+": "+strings.Join(hosts, ", "))
		}
		sort.Strings(parts)
		problems = append(problems, HostProblem{"cluster", "kubeadm versions differ between hosts (" + strings.Join(parts, "; ") + ")", "install the same Kubernetes minor version everywhere"})
	}
	problems = append(problems, checkHA(c, facts)...)
	if len(problems) > 0 {
		return &FactsError{Problems: problems}
	}
	return nil
}

func minorOf(v string) string {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return v
	}
	return "v" + parts[0] + "." + parts[1]
}

// versionSkew says what is wrong when kubeadm cannot deploy the requested version: kubeadm deploys its own
// minor version or the one before.
func versionSkew(want, kubeadm string) string {
	w, err1 := versions.Parse(want)
	k, err2 := versions.Parse(kubeadm)
	if err1 != nil || err2 != nil {
		return ""
	}
	if w.Minor() > k.Minor() || w.Minor()+1 < k.Minor() {
		return fmt.Sprintf("kubernetesVersion %s cannot be deployed by kubeadm %s", want, kubeadm)
	}
	return ""
}
