package plan

import (
	"fmt"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// waitReadyKind waits, bounded, until a node is Ready (templates/scripts/wait-ready.sh).
type waitReadyKind struct {
	showsKubeletLog
	node    string
	timeout time.Duration
}

func (waitReadyKind) Phase() Phase   { return PhaseReady }
func (waitReadyKind) Column() Column { return Column{Order: 60, Title: "READY"} }
func (k waitReadyKind) Script(Runtime) (templates.Script, error) {
	return templates.WaitReady{NodeName: k.node, Timeout: k.timeout}, nil
}

func readyStep(h cluster.Host, f hostfacts.Facts, timeout time.Duration) Step {
	name := hostfacts.NodeName(h, f)
	return newStep(waitReadyKind{node: name, timeout: timeout}, fmt.Sprintf("wait up to %s until node %s is Ready", timeout, name))
}
