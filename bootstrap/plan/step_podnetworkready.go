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
	nodes    []string
	timeout  time.Duration
	logLines int
}

func (podNetworkReadyKind) Phase() Phase   { return PhaseReady }
func (podNetworkReadyKind) Column() Column { return Column{Order: 60, Title: "READY"} }
func (k podNetworkReadyKind) Script(Runtime) (templates.Script, error) {
	return templates.PodNetworkWait{Namespace: cni.FlannelNamespace, Selector: cni.FlannelSelector, Nodes: k.nodes, Timeout: k.timeout, LogLines: k.logLines}, nil
}

func podNetworkReadyStep(nodes []string, timeout time.Duration, logLines int) Step {
	return newStep(podNetworkReadyKind{nodes: nodes, timeout: timeout, logLines: logLines},
		fmt.Sprintf("wait up to %s until flannel runs on %s and each is Ready", timeout, strings.Join(nodes, ", ")))
}
