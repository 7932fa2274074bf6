package run

import (
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/cni"
	"github.com/swapboot/swapboot/templates"
)

// States of a node's pod network pod in `status` (NodeStatus.CNIPod) besides a pod phase.
const (
	CNIPodRunning  = "Running"
	CNIPodNotReady = "not ready"
	CNIPodNone     = "none"
)

// nodesCall is nodes.sh for the cluster: with flannel it also lists flannel's pods (the namespace and
// labels of the pinned kube-flannel manifest).
func nodesCall(c *cluster.Cluster) templates.Nodes {
	call := templates.Nodes{SwapLabelKey: cluster.SwapLabelKey, SwapTaintKey: cluster.SwapTaintKey}
	if c.Networking.CNI.Plugin == cluster.CNIFlannel {
		call.CNINamespace, call.CNISelector = cni.FlannelNamespace, cni.FlannelSelector
	}
	return call
}

// parseCNIPods reads nodes.sh's "@swapboot cni-pod NODE<TAB>PHASE<TAB>READY..." lines: per node, Running
// when the pod runs with every container ready, "not ready" when it runs otherwise, else its phase.
func parseCNIPods(out string) map[string]string {
	pods := map[string]string{}
	for _, f := range taggedLines(out, "cni-pod", 2) {
		state := f[1]
		if state == "Running" {
			state = CNIPodRunning
			if len(f) < 3 || f[2] == "" || strings.Contains(f[2], "false") {
				state = CNIPodNotReady
			}
		}
		// A node with two pods (a rolling update) counts as running when one is.
		if pods[f[0]] != CNIPodRunning {
			pods[f[0]] = state
		}
	}
	return pods
}
