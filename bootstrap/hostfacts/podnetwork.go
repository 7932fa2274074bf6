package hostfacts

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// DefaultCNIBinDir is where CNI plugins live when the runtime does not say otherwise (containerd's and
// the kube-flannel manifest's default).
const DefaultCNIBinDir = "/opt/cni/bin"

// FlannelDelegates are the CNI plugins the flannel CNI plugin and its conflist call: flannel delegates to
// bridge (which uses host-local for addresses), the conflist chains portmap, and the runtime itself runs
// loopback for every pod.
var FlannelDelegates = []string{"bridge", "portmap", "host-local", "loopback"}

// CNIPluginsPackage is the Debian/Ubuntu package with those plugins (installed into /usr/lib/cni).
const CNIPluginsPackage = "containernetworking-plugins"

// RuntimeCNIBinDir is where the host's runtime runs CNI plugins from: its configured bin dir, or
// DefaultCNIBinDir when the facts could not read one.
func RuntimeCNIBinDir(f Facts) string {
	if f.CNIBinDir == "" {
		return DefaultCNIBinDir
	}
	return f.CNIBinDir
}

// ClusterCNIBinDir is the CNI bin dir every host's runtime agrees on: the kube-flannel manifest copies
// the flannel plugin there on every node, so it must be one directory. When the hosts disagree it
// returns a problem naming the hosts of each directory.
func ClusterCNIBinDir(hosts []cluster.Host, facts map[string]Facts) (string, *HostProblem) {
	byDir := map[string][]string{}
	for _, h := range hosts {
		d := RuntimeCNIBinDir(facts[h.Address])
		byDir[d] = append(byDir[d], h.ID())
	}
	if len(byDir) <= 1 {
		for d := range byDir {
			return d, nil
		}
		return DefaultCNIBinDir, nil
	}
	var parts []string
	for d, hs := range byDir {
		parts = append(parts, d+": "+strings.Join(hs, ", "))
	}
	sort.Strings(parts)
	return "", &HostProblem{Host: "cluster", Problem: "the container runtimes run CNI plugins from different directories (" + strings.Join(parts, "; ") + "), and the pod network's manifest installs its plugin into one",
		Fix: "set the same cni bin_dir in every host's containerd configuration (/etc/containerd/config.toml) and restart containerd"}
}

// CheckPodNetwork reports what stops the cluster file's pod network on these hosts, before anything
// changes: with flannel, a CNI plugin it delegates to that the runtime cannot find, and runtimes that
// disagree on their CNI bin dir. With plugin none there is nothing to check here (the kernel settings
// are set by the net-prereqs step either way).
func CheckPodNetwork(c *cluster.Cluster, hosts []cluster.Host, facts map[string]Facts) []HostProblem {
	if c.Networking.CNI.Plugin != cluster.CNIFlannel {
		return nil
	}
	var problems []HostProblem
	for _, h := range hosts {
		f, ok := facts[h.Address]
		if !ok {
			continue // CheckFacts reports it
		}
		dir := RuntimeCNIBinDir(f)
		var missing, elsewhere []string
		for _, p := range FlannelDelegates {
			switch at := f.CNIPlugins[p]; {
			case at == "":
				missing = append(missing, p)
			case f.CNIBinDir != "" && at != f.CNIBinDir:
				elsewhere = append(elsewhere, p+" (in "+at+")")
			}
		}
		looked := dir
		if dir != DefaultCNIBinDir {
			looked += " and " + DefaultCNIBinDir
		}
		if len(missing) > 0 {
			problems = append(problems, HostProblem{Host: h.ID(),
				Problem: fmt.Sprintf("CNI plugins flannel needs are missing: %s (looked in %s)", strings.Join(missing, ", "), looked),
				Fix:     fmt.Sprintf("install them: on Debian/Ubuntu apt-get install %s (into /usr/lib/cni, where Debian's containerd looks), or the CNI plugins release into %s; or set networking.cni.plugin: none", CNIPluginsPackage, dir)})
		}
		if len(elsewhere) > 0 {
			problems = append(problems, HostProblem{Host: h.ID(),
				Problem: fmt.Sprintf("CNI plugins flannel needs are not where the container runtime looks (%s): %s", f.CNIBinDir, strings.Join(elsewhere, ", ")),
				Fix:     fmt.Sprintf("install them into %s (or point containerd's cni bin_dir at their directory and restart containerd)", f.CNIBinDir)})
		}
	}
	if _, p := ClusterCNIBinDir(hosts, facts); p != nil {
		problems = append(problems, *p)
	}
	return problems
}
