package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cni"

	"github.com/swapboot/swapboot/templates"
)

// podNetworkReadyKind waits, bounded, on the first master until the pod network's DaemonSet runs on the
// given nodes and they are Ready (templates/scripts/pod-network-wait.sh); on timeout the script shows
// each failing node's conditions and its pod's log.
type podNetworkReadyKind struct {
	nodes    []waitNode
	timeout  time.Duration
	logLines int
}

// waitNode is a node a wait expects: those that join in this run only once their join succeeded.
type waitNode struct {
	address, name string
	joins         bool
}

func (podNetworkReadyKind) Phase() Phase   { return PhaseReady }
func (podNetworkReadyKind) Column() Column { return Column{Order: 60, Title: "READY"} }

// Script waits for the nodes already in the cluster and those whose join succeeded; a node whose join
// failed is reported by its join step and would only make the wait run out its time.
func (k podNetworkReadyKind) Script(rt Runtime) (templates.Script, error) {
	call := templates.PodNetworkWait{Namespace: cni.FlannelNamespace, Selector: cni.FlannelSelector, Timeout: k.timeout, LogLines: k.logLines}
	for _, n := range k.nodes {
		if n.joins && !rt.Joined[n.address] && !rt.Placeholder {
			call.NotJoined = append(call.NotJoined, n.name)
			continue
		}
		call.Nodes = append(call.Nodes, n.name)
	}
	return call, nil
}

func podNetworkReadyStep(nodes []waitNode, timeout time.Duration, logLines int) Step {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.name
	}
	return newStep(podNetworkReadyKind{nodes: nodes, timeout: timeout, logLines: logLines},
		fmt.Sprintf("wait up to %s until flannel runs on %s and each is Ready", timeout, strings.Join(names, ", ")))
}
