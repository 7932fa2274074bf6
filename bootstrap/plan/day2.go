package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
)

// AddNodeOptions configure `swapboot add-node`.
type AddNodeOptions struct {
	// Workers limits the run to these worker addresses (empty: every worker not yet joined).
	Workers     []string
	ReadyWithin time.Duration
}

// BuildAddNodePlan joins workers to a running cluster: a fresh token minted on the master, the CA hash from
// ca.crt, then swap, kubelet and join on each new worker exactly as `up` does, and a bounded wait until
// each is Ready. Masters listed in the file but not yet control planes join first, one at a time, as in up.
func BuildAddNodePlan(c *cluster.Cluster, facts map[string]hostfacts.Facts, opt PlanOptions, ao AddNodeOptions) (*Plan, error) {
	if !facts[c.Masters[0].Address].ControlPlane {
		return nil, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: c.Masters[0].ID(), Problem: "is not a control plane yet (no /etc/kubernetes/admin.conf)", Fix: "run swapboot up first"}}}
	}
	wanted := map[string]bool{}
	for _, w := range ao.Workers {
		wanted[w] = true
	}
	sub := *c
	sub.Workers = nil
	for _, w := range c.Workers {
		if len(wanted) > 0 && !wanted[w.Address] && !wanted[w.Name] {
			continue
		}
		delete(wanted, w.Address)
		delete(wanted, w.Name)
		sub.Workers = append(sub.Workers, w)
	}
	if len(wanted) > 0 {
		var missing []string
		for w := range wanted {
			missing = append(missing, w)
		}
		return nil, &PolicyError{Field: "--worker", Problem: "not a worker of the cluster file: " + strings.Join(missing, ", "), Fix: "add it under workers: first"}
	}
	if opt.PodNetworkLogLines == 0 {
		opt.PodNetworkLogLines = 40
	}
	p, err := BuildPlan(&sub, facts, opt)
	if err != nil {
		return nil, err
	}
	p.Command = "add-node"
	if ao.ReadyWithin == 0 {
		ao.ReadyWithin = 5 * time.Minute
	}
	// The pod network is the cluster's already: add-node applies nothing, it waits. With flannel the master
	// waits until flannel runs on the new nodes and they are Ready (as up does); with plugin none each new
	// node waits to be Ready, which it becomes once the user's CNI runs there.
	p.AfterRun = nil
	flannel := c.Networking.CNI.Plugin == cluster.CNIFlannel
	var newNodes []waitNode
	master := -1
	for i := range p.Hosts {
		hp := &p.Hosts[i]
		if hp.Host.Role == cluster.RoleMaster {
			hp.Steps = addNodeMasterSteps(c, hp)
			switch {
			case hp.Host.Address == c.Masters[0].Address:
				master = i
			case flannel && !masterJoined(c, facts, hp.Host):
				newNodes = append(newNodes, waitNode{address: hp.Host.Address, name: nodeNameOrPlaceholder(hp.Host, hp.Facts), joins: true})
			}
			continue
		}
		if hp.Facts.Joined {
			// Already in the cluster: reported as such, nothing else touched.
			hp.Steps = onlyPhase(hp.Steps, PhaseJoin)
			continue
		}
		if flannel {
			newNodes = append(newNodes, waitNode{address: hp.Host.Address, name: nodeNameOrPlaceholder(hp.Host, hp.Facts), joins: true})
			continue
		}
		hp.Steps = append(hp.Steps, readyStep(hp.Host, hp.Facts, ao.ReadyWithin))
	}
	if len(newNodes) > 0 && master >= 0 {
		p.Hosts[master].Steps = append(p.Hosts[master].Steps, podNetworkReadyStep(newNodes, ao.ReadyWithin, opt.PodNetworkLogLines))
	}
	return p, nil
}

// onlyPhase keeps the steps of the given phases.
func onlyPhase(steps []Step, phases ...Phase) []Step {
	var keep []Step
	for _, s := range steps {
		for _, p := range phases {
			if s.Phase == p {
				keep = append(keep, s)
			}
		}
	}
	return keep
}

// addNodeMasterSteps: the first master is not changed, only the join material is read (a token minted,
// with masters to join the certificates uploaded again). A further master listed in the file but not yet
// a control plane gets every step of up (it joins, one at a time); one that is keeps only its skipped
// join. With loadBalancer: keepalived every master's configuration is rendered again: haproxy and the
// VRRP peers must know the new masters.
func addNodeMasterSteps(c *cluster.Cluster, hp *HostPlan) []Step {
	// A further master's join step is skipped when it already is a control plane (masterJoined).
	lb := PhaseLoadBalancer
	if c.ControlPlane == nil || c.ControlPlane.LoadBalancer != cluster.LBKeepalived {
		lb = ""
	}
	if hp.Host.Address == c.Masters[0].Address {
		return onlyPhase(hp.Steps, lb, PhaseJoinMaterial, PhaseLabels)
	}
	for _, s := range hp.Steps {
		if s.Phase == PhaseControlPlane && s.Skip != "" {
			return onlyPhase(hp.Steps, lb, PhaseControlPlane)
		}
	}
	return hp.Steps
}

// SwapChangeOptions configure `swapboot swap enable|disable`.
type SwapChangeOptions struct {
	Enable bool
	// Nodes limits the change to these node names or addresses (empty: every host).
	Nodes           []string
	ContinueOnError bool
	ReadyWithin     time.Duration
}

// BuildSwapChangePlan turns swap on (or off) on a running cluster, one node at a time: the swap file, the
// kubelet configuration (failSwapOn and the swap behaviour chosen by the same rules as `up`), a kubelet
// restart and a wait until the node is Ready again; and the cluster's kubelet-config ConfigMap, so nodes
// joined or upgraded later keep the setting.
func BuildSwapChangePlan(c *cluster.Cluster, facts map[string]hostfacts.Facts, o SwapChangeOptions) (*Plan, error) {
	if err := hostfacts.CheckFacts(c, facts); err != nil {
		return nil, err
	}
	master := c.Masters[0]
	mf := facts[master.Address]
	if !mf.ControlPlane {
		return nil, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: master.ID(), Problem: "is not a control plane (no /etc/kubernetes/admin.conf)", Fix: "build the cluster with swapboot up"}}}
	}
	policy, err := clusterPolicy(c, facts)
	if err != nil {
		return nil, err
	}
	if o.ReadyWithin == 0 {
		o.ReadyWithin = 3 * time.Minute
	}
	wanted := map[string]bool{}
	for _, n := range o.Nodes {
		wanted[n] = true
	}
	command := "swap disable"
	if o.Enable {
		command = "swap enable"
	}
	p := &Plan{Command: command, Cluster: c, Policy: policy, Master: master, KubeletSetting: swapSettingText(o.Enable, policy.SwapBehavior),
		Stages: []Stage{
			{Phases: []Phase{PhaseConfigMap}},
			{Phases: []Phase{PhaseSwap, PhaseKubelet, PhaseReady}, Serial: true, StopOnFailure: !o.ContinueOnError},
			{Phases: []Phase{PhaseLabels}},
		}}
	if !policy.Legacy && mf.KubeletConfigMap != "" {
		cm, err := swapConfig(mf.KubeletConfigMapContent, o.Enable, policy.SwapBehavior)
		if err != nil {
			return nil, fmt.Errorf("%s: configmap %s: %w", master.ID(), mf.KubeletConfigMap, err)
		}
		s := kubeletConfigMapStep(mf.KubeletConfigMap, cm, "kube-system/"+mf.KubeletConfigMap+": "+swapSettingText(o.Enable, policy.SwapBehavior))
		if cm == mf.KubeletConfigMapContent {
			s.Skip = "kube-system/" + mf.KubeletConfigMap + " already has " + swapSettingText(o.Enable, policy.SwapBehavior)
		}
		p.Hosts = append(p.Hosts, HostPlan{Host: master, Facts: mf, Steps: []Step{s}})
	}
	var changed []cluster.Host
	for _, h := range c.Hosts() {
		f := facts[h.Address]
		if len(wanted) > 0 && !wanted[h.Address] && !wanted[h.Name] && !wanted[hostfacts.NodeName(h, f)] {
			continue
		}
		changed = append(changed, h)
		if !f.Joined && !f.ControlPlane {
			return nil, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: h.ID(), Problem: "is not part of the cluster", Fix: "join it with swapboot add-node"}}}
		}
		steps, err := swapChangeSteps(c, h, f, policy, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.ID(), err)
		}
		if i := hostIndex(p, h); i >= 0 {
			p.Hosts[i].Steps = append(p.Hosts[i].Steps, steps...)
		} else {
			p.Hosts = append(p.Hosts, HostPlan{Host: h, Facts: f, Steps: steps})
		}
	}
	// The nodes changed get (enable) or lose (disable) the swap label and taint, through the master.
	swapOn := func(h cluster.Host) bool { return o.Enable && swapConfigured(c)(h) }
	labels := nodeSwapLabelsStep(c, changed, facts, swapOn)
	if i := hostIndex(p, master); i >= 0 {
		p.Hosts[i].Steps = append(p.Hosts[i].Steps, labels)
	} else {
		p.Hosts = append(p.Hosts, HostPlan{Host: master, Facts: mf, Steps: []Step{labels}})
	}
	return p, nil
}

func hostIndex(p *Plan, h cluster.Host) int {
	for i, hp := range p.Hosts {
		if hp.Host.Address == h.Address {
			return i
		}
	}
	return -1
}

// swapSettingText words the swap settings with behavior (the cluster's or one node's).
func swapSettingText(enable bool, behavior string) string {
	if !enable {
		return "failSwapOn default (true), no swap behaviour"
	}
	if behavior == "" {
		return "failSwapOn: false"
	}
	return "failSwapOn: false, swapBehavior: " + behavior
}

// swapConfig edits a KubeletConfiguration document's swap settings, keeping everything else.
func swapConfig(content string, enable bool, behavior string) (string, error) {
	if content == "" {
		return "", errors.New("no kubelet configuration found")
	}
	if !enable {
		behavior = ""
	}
	out, err := kubeadmcfg.SetKubeletSwap([]byte(content), !enable, behavior)
	return string(out), err
}

// swapChangeSteps: with a per-node policy each node gets its own behaviour (and its kubeadm patch, which
// an upgrade given --patches keeps), the ConfigMap the cluster's.
func swapChangeSteps(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, p KubeletPolicy, o SwapChangeOptions) ([]Step, error) {
	var steps []Step
	var kubelet Step
	behavior := p.NodeSwapBehavior(f.CgroupV2)
	setting := swapSettingText(o.Enable, behavior)
	if p.Legacy {
		var content string
		var err error
		if o.Enable {
			content, err = MergeFailSwapOn(f.KubeletEnvContent)
		} else {
			content, err = RemoveFailSwapOn(f.KubeletEnvContent)
		}
		if err != nil {
			return nil, err
		}
		kubelet = kubeletEnvStep(f, content, f.KubeletEnvFile+": "+setting+", kubelet restarted",
			f.KubeletEnvFile+" already has "+setting)
		steps = append(steps, kubelet, kubeletRestartStep(kubelet.Skip))
	} else {
		content, err := swapConfig(f.KubeletConfig, o.Enable, behavior)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kubeletConfigPath, err)
		}
		if p.PerNode && o.Enable {
			patch, err := kubeletPatchStep(behavior)
			if err != nil {
				return nil, err
			}
			steps = append(steps, patch)
		}
		kubelet = kubeletConfigStep(content, kubeletConfigPath+": "+setting+", kubelet restarted")
		if content == f.KubeletConfig && f.KubeletActive == "active" {
			kubelet.Skip = kubeletConfigPath + " already has " + setting
		}
		steps = append(steps, kubelet)
	}
	if o.Enable {
		// Swap first: the kubelet reads /proc/swaps once, when it starts.
		steps = append([]Step{swapStep(c, h, f), swapTuningStep(c, h, f, true)}, steps...)
	} else {
		remove := swapRemoveStep(c, h, f, true)
		// Swap off first: a kubelet with failSwapOn true does not start while swap is on.
		steps = append([]Step{remove, swapTuningStep(c, h, f, false)}, steps...)
	}
	ready := readyStep(h, f, o.ReadyWithin)
	if kubelet.Skip != "" {
		ready.Skip = "kubelet not restarted"
	}
	return append(steps, ready), nil
}

// ResetOptions configure `swapboot reset`.
type ResetOptions struct {
	KeepSwap bool
}

// BuildResetPlan takes the cluster apart: workers first, then masters: kubeadm reset -f, the swap file and
// fstab line swapboot created (unless KeepSwap), and swapboot's kubelet env file change; then what kubeadm
// reset leaves and Kubernetes, the pod network and swapboot made (step_resetcleanup.go).
func BuildResetPlan(c *cluster.Cluster, facts map[string]hostfacts.Facts, o ResetOptions) *Plan {
	p := &Plan{Command: "reset", Cluster: c, Master: c.Masters[0],
		Stages: []Stage{{Phases: []Phase{PhaseReset, PhaseSwap, PhaseCleanup}, Roles: []cluster.Role{cluster.RoleWorker}}, {Phases: []Phase{PhaseReset, PhaseSwap, PhaseCleanup}, Roles: []cluster.Role{cluster.RoleMaster}}}}
	hosts := c.Hosts()
	if c.ControlPlane != nil {
		hosts = haResetOrder(p, c)
	}
	for _, h := range hosts {
		f := facts[h.Address]
		steps := []Step{resetStep(f)}
		if h.Role == cluster.RoleMaster && c.ControlPlane != nil && c.ControlPlane.LoadBalancer == cluster.LBKeepalived {
			steps = append(steps, loadBalancerRemoveStep())
		}
		if !o.KeepSwap {
			steps = append(steps, swapRemoveStep(c, h, f, false))
		}
		steps = append(steps, resetCleanupStep())
		p.Hosts = append(p.Hosts, HostPlan{Host: h, Facts: f, Steps: steps})
	}
	return p
}

// haResetOrder: with several masters, the workers (in parallel), then the masters one at a time, the
// further ones from the last in the file, the first master last: kubeadm reset removes each master's etcd
// member, so the cluster keeps a quorum until only the first one is left.
func haResetOrder(p *Plan, c *cluster.Cluster) []cluster.Host {
	p.Stages[1] = Stage{Phases: []Phase{PhaseReset, PhaseLoadBalancer, PhaseSwap}, Serial: true, StopOnFailure: true, Roles: []cluster.Role{cluster.RoleMaster},
		StopNote: "fix the cause and run swapboot reset again"}
	hosts := append([]cluster.Host(nil), c.Workers...)
	for i := len(c.Masters) - 1; i >= 0; i-- {
		hosts = append(hosts, c.Masters[i])
	}
	return hosts
}

// BuildKubeconfigPlan copies the admin kubeconfig from the first master.
func BuildKubeconfigPlan(c *cluster.Cluster, facts map[string]hostfacts.Facts) (*Plan, error) {
	m := c.Masters[0]
	if !facts[m.Address].ControlPlane {
		return nil, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: m.ID(), Problem: "is not a control plane (no /etc/kubernetes/admin.conf)", Fix: "run swapboot up first"}}}
	}
	return &Plan{Command: "kubeconfig", Cluster: c, Master: m, Stages: []Stage{{Phases: []Phase{PhaseKubeconfig}}},
		Hosts: []HostPlan{{Host: m, Facts: facts[m.Address], Steps: []Step{kubeconfigStep("copy /etc/kubernetes/admin.conf (0600)")}}}}, nil
}
