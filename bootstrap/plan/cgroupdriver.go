package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/versions"
)

// decideCgroupDriver chooses the kubelet's cgroupDriver for the cluster: the cluster file's
// kubelet.cgroupDriver when it sets one, else the container runtime's driver the facts read. The kubelet
// configuration is one for the whole cluster (joining nodes get it from the kubelet-config ConfigMap), so
// every host's runtime must use the same driver; a kubelet whose driver differs from its runtime's fails
// to start pods. It returns the driver to set ("" leaves kubeadm's default) and a note for the plan, or a
// *PolicyError naming the hosts and both drivers, before anything is changed.
func decideCgroupDriver(c *cluster.Cluster, facts map[string]hostfacts.Facts, minor uint) (string, string, error) {
	byDriver := map[string][]string{}
	var unknown []string
	for _, h := range c.Hosts() {
		d := facts[h.Address].RuntimeCgroupDriver
		if d == "" {
			unknown = append(unknown, h.ID())
			continue
		}
		byDriver[d] = append(byDriver[d], h.ID())
	}
	file, _ := c.Kubelet["cgroupDriver"].(string)
	if file != "" {
		for _, d := range sortedDrivers(byDriver) {
			if d == file {
				continue
			}
			hosts := byDriver[d]
			return "", "", &PolicyError{Field: "kubelet.cgroupDriver", File: c.File, Line: c.KubeletCgroupDriverLine,
				Problem: fmt.Sprintf("the cluster file sets %s, but the container runtime of %s uses %s (the kubelet would fail to run pods there)", file, strings.Join(hosts, ", "), d),
				Fix:     fmt.Sprintf("remove kubelet.cgroupDriver (swapboot then uses the runtime's driver), or configure %s's runtime for %s (containerd: SystemdCgroup = %v in its runc options, then restart containerd)", strings.Join(hosts, ", "), file, file == "systemd")}
		}
		return file, "kubelet cgroupDriver: " + file + ", from the cluster file" + unknownSuffix(unknown), nil
	}
	if len(byDriver) > 1 {
		var parts []string
		for _, d := range sortedDrivers(byDriver) {
			parts = append(parts, d+" on "+strings.Join(byDriver[d], ", "))
		}
		return "", "", &PolicyError{Field: "container runtime cgroup driver",
			Problem: "the hosts' container runtimes use different cgroup drivers: " + strings.Join(parts, "; ") + " (the kubelet configuration is the same on every node)",
			Fix:     "configure every host's runtime with the same driver (containerd: SystemdCgroup in its runc options, then restart containerd)"}
	}
	if versions.Legacy(minor) {
		for d := range byDriver {
			return "", fmt.Sprintf("kubelet cgroupDriver: not set below 1.%d (no kubelet configuration is passed); the container runtimes use %s: if the kubelet's driver differs, set cgroup-driver: %s in nodeRegistration.kubeletExtraArgs", versions.ConfigFileFrom, d, d), nil
		}
		return "", "", nil
	}
	for d := range byDriver {
		return d, "kubelet cgroupDriver: " + d + ", the container runtime's (kubeadm's default is systemd)" + unknownSuffix(unknown), nil
	}
	return "", fmt.Sprintf("kubelet cgroupDriver: left to kubeadm (systemd since 1.%d): the container runtime's driver could not be read", versions.SystemdCgroupDriverDefaultFrom), nil
}

// withCgroupDriver decides the driver for policy p (its version) and adds the note.
func withCgroupDriver(p *KubeletPolicy, c *cluster.Cluster, facts map[string]hostfacts.Facts) (string, error) {
	v, err := ParseVersion(p.Version)
	if err != nil {
		return "", err
	}
	d, note, err := decideCgroupDriver(c, facts, v.Minor())
	if note != "" {
		p.Notes = append(p.Notes, note)
	}
	return d, err
}

func sortedDrivers(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func unknownSuffix(hosts []string) string {
	if len(hosts) == 0 {
		return ""
	}
	return " (not read on " + strings.Join(hosts, ", ") + ")"
}
