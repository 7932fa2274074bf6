package plan

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/versions"
)

// KubeletPolicy is how swapboot makes the kubelet of one Kubernetes version tolerate swap. It is a pure
// function of the version, the cluster file and the hosts' cgroup versions (see DecideKubelet); the
// sources for every rule are in docs/versions.md.
type KubeletPolicy struct {
	Version string
	// Legacy (< 1.22): --fail-swap-on=false in KUBELET_EXTRA_ARGS of the kubelet env file, and kubeadm flags
	// instead of a config file.
	Legacy bool
	// ConfigAPI is the kubeadm config API ("kubeadm.k8s.io/v1beta3" or ".../v1beta4"); empty when Legacy.
	ConfigAPI string
	// SwapBehavior is memorySwap.swapBehavior ("" leaves it unset).
	SwapBehavior string
	// PerNode: behavior auto on 1.30+ with hosts on both cgroup versions. SwapBehavior (NoSwap) is the
	// cluster's kubelet-config ConfigMap; each node gets its own behaviour (NodeSwapBehavior) through a
	// kubeadm patch of the kubeletconfiguration target at init and join, and from swap enable.
	PerNode bool
	// NodeSwapGate sets featureGates.NodeSwap=true (only 1.22-1.29, only with a behavior).
	NodeSwapGate bool
	// FailCgroupV1False sets failCgroupV1: false (kubelet >= 1.35 on cgroup v1 hosts refuses to start otherwise).
	FailCgroupV1False bool
	// CgroupDriver is the kubelet's cgroupDriver ("" leaves kubeadm's default); see decideCgroupDriver.
	CgroupDriver string
	// IgnorePreflight are the preflight checks init and join ignore.
	IgnorePreflight []string
	// Notes explain each choice, for the plan.
	Notes []string
}

// PolicyError is a cluster file setting that the Kubernetes version or the hosts cannot honour.
type PolicyError struct {
	Field   string
	Problem string
	Fix     string
	// File and Line name the setting in the cluster file when it is one (Line 0: no line).
	File string
	Line int
}

// ExitCode: a setting the version, the hosts or a flag cannot honour is bad input.
func (e *PolicyError) ExitCode() int { return exit.BadInput }

func (e *PolicyError) Error() string {
	where := ""
	if e.File != "" && e.Line > 0 {
		where = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	}
	return fmt.Sprintf("%s%s: %s; %s", where, e.Field, e.Problem, e.Fix)
}

// ParseVersion is versions.Parse, the one version parser.
func ParseVersion(s string) (*version.Version, error) { return versions.Parse(s) }

// DecideKubelet chooses the kubelet swap settings for Kubernetes version v, the cluster file's behavior,
// the hosts on cgroup v1 (named, for messages) and the number of hosts in all.
func DecideKubelet(v *version.Version, behavior cluster.SwapBehavior, cgroupV1Hosts []string, hostCount int) (KubeletPolicy, error) {
	p := KubeletPolicy{Version: "v" + v.String(), IgnorePreflight: []string{"Swap"}}
	minor := v.Minor()
	sort.Strings(cgroupV1Hosts)
	allV2 := len(cgroupV1Hosts) == 0
	v1List := strings.Join(cgroupV1Hosts, ", ")
	if behavior == "" {
		behavior = cluster.SwapAuto
	}

	if behavior == cluster.SwapLimitedSwap && !allV2 {
		return p, &PolicyError{Field: "swap.behavior", Problem: "LimitedSwap needs cgroup v2, and these hosts use cgroup v1: " + v1List + " (the kubelet refuses to start)",
			Fix: "use behavior: auto (NoSwap on cgroup v1), or move the hosts to cgroup v2"}
	}
	if prob, fix := versions.SwapBehaviorProblem(minor, p.Version, string(behavior)); prob != "" {
		return p, &PolicyError{Field: "swap.behavior", Problem: prob, Fix: fix}
	}
	switch {
	case versions.Legacy(minor):
		p.Legacy = true
		p.Notes = append(p.Notes,
			"kubelet < 1.22 has no swap settings in its config: --fail-swap-on=false goes into KUBELET_EXTRA_ARGS in the kubelet env file on every host",
			"kubeadm < 1.22 gets flags, not a config file (swapboot's config API support starts at v1beta3)")
	case minor < versions.NoSwapFrom:
		p.ConfigAPI = versions.KubeadmAPI(minor)
		switch behavior {
		case cluster.SwapLimitedSwap:
			p.SwapBehavior, p.NodeSwapGate = "LimitedSwap", versions.NodeSwapGate(minor)
			if minor < versions.LimitedSwapBetaFrom {
				p.Notes = append(p.Notes, "LimitedSwap is alpha before 1.28 (NodeSwap feature gate set)")
			}
		case cluster.SwapAuto:
			if allV2 && minor >= versions.LimitedSwapBetaFrom {
				p.SwapBehavior, p.NodeSwapGate = "LimitedSwap", versions.NodeSwapGate(minor)
				p.Notes = append(p.Notes, "auto: every host uses cgroup v2 and NodeSwap is beta: LimitedSwap, with the NodeSwap feature gate (off by default before 1.30)")
			} else {
				p.Notes = append(p.Notes, "auto: failSwapOn: false only; no swap behaviour (NoSwap does not exist before 1.30, LimitedSwap needs cgroup v2 and 1.28+)")
			}
		}
		p.Notes = append(p.Notes, "failSwapOn: false goes into the KubeletConfiguration passed to kubeadm init; joining nodes get it from the kubelet-config ConfigMap")
	default:
		p.ConfigAPI = versions.KubeadmAPI(minor)
		switch behavior {
		case cluster.SwapNoSwap:
			p.SwapBehavior = "NoSwap"
		case cluster.SwapLimitedSwap:
			p.SwapBehavior = "LimitedSwap"
		case cluster.SwapAuto:
			if allV2 {
				p.SwapBehavior = "LimitedSwap"
				p.Notes = append(p.Notes, "auto: every host uses cgroup v2: LimitedSwap (pods may swap within their memory limit)")
			} else {
				p.SwapBehavior = "NoSwap"
				p.Notes = append(p.Notes, "auto: cgroup v1 hosts ("+v1List+"): NoSwap (the kubelet tolerates swap, pods get none; LimitedSwap is fatal on cgroup v1)")
				if len(cgroupV1Hosts) < hostCount {
					p.PerNode = true
					p.Notes = append(p.Notes, "auto, per node: the cgroup v2 hosts get LimitedSwap through a kubeadm patch ("+KubeletPatchFile+"), the cluster's kubelet-config ConfigMap keeps NoSwap")
				}
			}
		}
		p.Notes = append(p.Notes, "failSwapOn: false goes into the KubeletConfiguration passed to kubeadm init; joining nodes get it from the kubelet-config ConfigMap")
	}
	if !allV2 && minor >= versions.FailCgroupV1From {
		p.FailCgroupV1False = true
		p.IgnorePreflight = append(p.IgnorePreflight, "SystemVerification")
		p.Notes = append(p.Notes, "cgroup v1 hosts ("+v1List+") with kubelet >= 1.35: failCgroupV1: false and SystemVerification ignored, or the kubelet refuses to start")
	}
	return p, nil
}

// NodeSwapBehavior is the swapBehavior of one node: its own (LimitedSwap on cgroup v2, NoSwap on v1)
// when the policy is per node, the cluster's otherwise.
func (p KubeletPolicy) NodeSwapBehavior(cgroupV2 bool) string {
	switch {
	case !p.PerNode:
		return p.SwapBehavior
	case cgroupV2:
		return "LimitedSwap"
	default:
		return "NoSwap"
	}
}
