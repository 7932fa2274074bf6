package plan

import (
	"errors"
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/cni"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// checkHosts is every check of the hosts before anything changes, in one error so users fix them all in
// one go: hostfacts.CheckFacts, then what the pod network needs (hostfacts.CheckPodNetwork).
func checkHosts(c *cluster.Cluster, facts map[string]hostfacts.Facts) error {
	var problems []hostfacts.HostProblem
	if err := hostfacts.CheckFacts(c, facts); err != nil {
		var fe *hostfacts.FactsError
		if !errors.As(err, &fe) {
			return err
		}
		problems = fe.Problems
	}
	problems = append(problems, hostfacts.CheckPodNetwork(c, c.Hosts(), facts)...)
	if len(problems) > 0 {
		return &hostfacts.FactsError{Problems: problems}
	}
	return nil
}

// podNetworkDecision is what `up` does about the pod network: the master's steps (apply, then wait), the
// plan's notes, and what the report says at the end.
type podNetworkDecision struct {
	steps    []Step
	notes    []string
	afterRun []string
}

// podNetworkPlan decides the pod network of an `up` from the cluster file and the hosts' facts (checked
// already by checkHosts).
func podNetworkPlan(c *cluster.Cluster, facts map[string]hostfacts.Facts, opt PlanOptions) (podNetworkDecision, error) {
	if c.Networking.CNI.Plugin != cluster.CNIFlannel {
		const none = "pod network: none (networking.cni.plugin: none): nodes stay NotReady until a CNI is applied"
		return podNetworkDecision{notes: []string{none}, afterRun: []string{"no pod network applied (networking.cni.plugin: none): the nodes stay NotReady until you apply a CNI add-on (kubectl apply -f <its manifest>)"}}, nil
	}
	binDir, _ := hostfacts.ClusterCNIBinDir(c.Hosts(), facts) // disagreement was refused by checkHosts
	apply, err := podNetworkStep(c, binDir)
	if err != nil {
		return podNetworkDecision{}, fmt.Errorf("%s: %s: %w", c.Masters[0].ID(), PhasePodNetwork, err)
	}
	var nodes []waitNode
	for _, h := range c.Hosts() {
		f := facts[h.Address]
		joins := h.Role == cluster.RoleWorker && !f.Joined
		if h.Role == cluster.RoleMaster && h.Address != c.Masters[0].Address {
			joins = !masterJoined(c, facts, h)
		}
		nodes = append(nodes, waitNode{address: h.Address, name: nodeNameOrPlaceholder(h, f), joins: joins})
	}
	flanneld, plugin := cni.FlannelImages(c.Networking.CNI.ImageRepository)
	notes := []string{
		fmt.Sprintf("pod network: flannel %s, backend %s, Network %s (podSubnet), images %s and %s", cni.FlannelVersion, c.Networking.CNI.Backend, c.Networking.PodSubnet, flanneld, plugin),
		fmt.Sprintf("pod network: the flannel CNI plugin is installed into %s, where every host's container runtime runs CNI plugins from", binDir),
	}
	return podNetworkDecision{steps: []Step{apply, podNetworkReadyStep(nodes, opt.PodNetworkWithin, opt.PodNetworkLogLines)}, notes: notes}, nil
}

// nodeNameOrPlaceholder is the node's name; an offline plan, whose facts have no hostnames, shows a
// placeholder instead (a real run always reads the hostname).
func nodeNameOrPlaceholder(h cluster.Host, f hostfacts.Facts) string {
	if n := hostfacts.NodeName(h, f); n != "" {
		return n
	}
	return "<hostname of " + h.Address + ">"
}
