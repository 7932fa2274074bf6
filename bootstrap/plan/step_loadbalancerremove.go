package plan

import "github.com/swapboot/swapboot/templates"

// loadBalancerRemoveKind undoes loadBalancer: keepalived on a master at reset
// (templates/scripts/load-balancer-remove.sh). It is its own step, after kubeadm reset, so the reset
// script stays the same for every cluster.
type loadBalancerRemoveKind struct{}

func (loadBalancerRemoveKind) Phase() Phase { return PhaseLoadBalancer }
func (loadBalancerRemoveKind) Script(Runtime) (templates.Script, error) {
	return templates.LoadBalancerRemove{}, nil
}

func loadBalancerRemoveStep() Step {
	return newStep(loadBalancerRemoveKind{}, "stop keepalived and haproxy; remove their configuration swapboot wrote")
}
