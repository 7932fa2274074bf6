package plan

// A control plane with several masters (cluster file controlPlane:): the first master runs kubeadm init
// with the endpoint and uploads the shared certificates; the others join as control planes one at a time,
// each followed by a wait until its API server and etcd member are healthy; workers join through the
// endpoint. With loadBalancer: keepalived every master gets keepalived and haproxy before init.

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

const (
	// PhaseLoadBalancer configures keepalived and haproxy on the masters (loadBalancer: keepalived).
	PhaseLoadBalancer Phase = "load-balancer"
	// PhaseControlPlane joins the further masters, one at a time.
	PhaseControlPlane Phase = "control-plane"
)

// DefaultControlPlaneWait bounds the wait for a joined master's API server and etcd member.
const DefaultControlPlaneWait = 5 * time.Minute

// haStages is upStages with the load balancer before init and the serial control-plane joins between the
// join material and the workers' joins.
func haStages(c *cluster.Cluster) []Stage {
	masters := []cluster.Role{cluster.RoleMaster}
	st := []Stage{{Phases: []Phase{PhaseSwap}}, {Phases: []Phase{PhaseNetPrereqs}}, {Phases: []Phase{PhaseKubelet}}}
	if c.ControlPlane.LoadBalancer == cluster.LBKeepalived {
		st = append(st, Stage{Phases: []Phase{PhaseLoadBalancer}, Roles: masters})
	}
	return append(st, Stage{Phases: []Phase{PhaseInit}}, Stage{Phases: []Phase{PhaseJoinMaterial}},
		// etcd membership changes must be serial: one master joins, becomes healthy, then the next.
		Stage{Phases: []Phase{PhaseControlPlane}, Serial: true, StopOnFailure: true, Roles: masters,
			StopNote: "fix the cause and run swapboot up again: it finishes the join"},
		Stage{Phases: []Phase{PhaseJoin}}, Stage{Phases: []Phase{PhaseKubeconfig}}, Stage{Phases: []Phase{PhaseLabels}}, Stage{Phases: []Phase{PhasePodNetwork}},
		Stage{Phases: []Phase{PhaseReady}})
}

// joinEndpoint is where nodes join: the control-plane endpoint, or the single master's API server.
func joinEndpoint(c *cluster.Cluster) string {
	if c.ControlPlane != nil {
		return c.ControlPlane.Endpoint
	}
	return apiServerEndpoint(c.Masters[0])
}

// mastersToJoin are the masters after the first that are not yet complete control planes, in file order
// (the order they join).
func mastersToJoin(c *cluster.Cluster, facts map[string]hostfacts.Facts) []cluster.Host {
	var out []cluster.Host
	for _, m := range c.Masters[1:] {
		if !masterJoined(c, facts, m) {
			out = append(out, m)
		}
	}
	return out
}

// masterJoined: a further master is a control plane when it has every file of one and, when the first
// master's API listed the nodes, its Node exists. A join that stopped half-way (kubeadm 1.31+ writes the
// etcd manifest before the kubelet's bootstrap) leaves the files without a Node: it is joined again.
func masterJoined(c *cluster.Cluster, facts map[string]hostfacts.Facts, m cluster.Host) bool {
	f := facts[m.Address]
	if !hostfacts.ControlPlaneComplete(f) {
		return false
	}
	lead := facts[c.Masters[0].Address]
	if !lead.ClusterNodesKnown {
		return true // the API did not answer: the files are all there is to go by
	}
	name := hostfacts.NodeName(m, f)
	for _, n := range lead.ClusterNodes {
		if n == name {
			return true
		}
	}
	return false
}

// needsCertificateKey: only a cluster with further masters uploads certificates.
func needsCertificateKey(c *cluster.Cluster) bool { return c.ControlPlane != nil && len(c.Masters) > 1 }

// ownAPIServer is a master's own API server URL.
func ownAPIServer(h cluster.Host) string {
	return "https://" + net.JoinHostPort(h.Address, strconv.Itoa(cluster.APIServerPort))
}

// furtherMasterSteps are a further master's control-plane join and the wait after it.
func furtherMasterSteps(c *cluster.Cluster, h cluster.Host, facts map[string]hostfacts.Facts, p KubeletPolicy, token, key string, wait time.Duration) []Step {
	f := facts[h.Address]
	complete := masterJoined(c, facts, h)
	join := joinControlPlaneStep(c, h, p, token, key, complete)
	ready := waitControlPlaneStep(h, f, wait)
	if complete {
		join.Skip = "already a control plane (its node is registered; admin.conf, kubelet.conf, etcd and API server manifests exist)"
		ready.Skip = join.Skip
	}
	return []Step{join, ready}
}

// haLeaderSteps: when the first master is already a control plane and masters still have to join, the
// certificates are uploaded again with this run's key (kubeadm deleted them 2 h after init).
func haLeaderSteps(c *cluster.Cluster, f hostfacts.Facts, p KubeletPolicy, facts map[string]hostfacts.Facts, key string) ([]Step, error) {
	if !needsCertificateKey(c) || !f.ControlPlane || len(mastersToJoin(c, facts)) == 0 {
		return nil, nil
	}
	s, err := uploadCertsStep(c, p, key)
	if err != nil {
		return nil, fmt.Errorf("%s: upload-certs: %w", c.Masters[0].ID(), err)
	}
	return []Step{s}, nil
}

// haHeader is what the plan's header says about the endpoint and the join order.
func (p *Plan) haHeader() []string {
	cp := p.Cluster.ControlPlane
	if cp == nil {
		return nil
	}
	lines := []string{fmt.Sprintf("control-plane endpoint %s (loadBalancer: %s); workers join through it", cp.Endpoint, cp.LoadBalancer)}
	if len(p.Cluster.Masters) > 1 {
		order := ""
		for i, m := range p.Cluster.Masters[1:] {
			if i > 0 {
				order += ", "
			}
			order += m.ID()
		}
		lines = append(lines, fmt.Sprintf("kubeadm init on %s; then control-plane joins one at a time, each waiting until its API server and etcd member are healthy: %s", p.Cluster.Masters[0].ID(), order))
	}
	return lines
}
