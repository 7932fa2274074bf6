package plan

import (
	"fmt"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// waitControlPlaneKind waits, bounded, until a joined master's API server is ready and its etcd member
// healthy (templates/scripts/wait-control-plane.sh): the next master joins only then.
type waitControlPlaneKind struct {
	showsKubeletLog
	node      string
	apiServer string
	timeout   time.Duration
}

func (waitControlPlaneKind) Phase() Phase   { return PhaseControlPlane }
func (waitControlPlaneKind) Column() Column { return Column{Order: 55, Title: "CONTROL PLANE"} }
func (k waitControlPlaneKind) Script(Runtime) (templates.Script, error) {
	return templates.WaitControlPlane{NodeName: k.node, APIServer: k.apiServer, Timeout: k.timeout}, nil
}

// Failed: an unhealthy new member stops the run like a failed join.
func (waitControlPlaneKind) Failed(st *RunState, err error) { st.setControlPlaneErr(err) }

func waitControlPlaneStep(h cluster.Host, f hostfacts.Facts, timeout time.Duration) Step {
	name := hostfacts.NodeName(h, f)
	shown := name
	if shown == "" {
		shown = h.Address
	}
	return newStep(waitControlPlaneKind{node: name, apiServer: ownAPIServer(h), timeout: timeout},
		fmt.Sprintf("wait up to %s until %s's API server is ready and its etcd member healthy", timeout, shown))
}
