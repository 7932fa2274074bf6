// Package versions is the one table of every Kubernetes version rule swapboot knows. The loader
// (bootstrap/cluster), the kubelet policy (bootstrap/plan) and the document renderer
// (bootstrap/kubeadmcfg) all read it; moving a boundary is a change of one line below. The sources for
// every rule are in docs/versions.md.
package versions

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
)

// The rules, by Kubernetes minor version (1.x). "From" is the first minor a rule applies to.
const (
	// OldestMinor and NewestMinor bound the supported range.
	OldestMinor = 17
	NewestMinor = 37

	// ConfigFileFrom: kubeadm gets a config file (API v1beta3) from here; below is the legacy path
	// (kubeadm flags, --fail-swap-on=false in KUBELET_EXTRA_ARGS, no kubelet/kubeProxy documents).
	ConfigFileFrom = 22
	// V1beta4From: the kubeadm config API v1beta4 is used from here (kubeadm accepts it from 1.31).
	V1beta4From = 31
	// V1beta3Last: the newest kubeadm that still accepts v1beta3.
	V1beta3Last = 35

	// SwapBehaviorFrom: the kubelet has memorySwap.swapBehavior (LimitedSwap) from here.
	SwapBehaviorFrom = 22
	// LimitedSwapBetaFrom: LimitedSwap is beta from here (alpha before); `auto` picks it on cgroup v2 hosts.
	LimitedSwapBetaFrom = 28
	// NoSwapFrom: the NoSwap behavior exists, and the NodeSwap feature gate is no longer set
	// (it is needed from SwapBehaviorFrom up to the minor before this one: 1.22-1.29).
	NoSwapFrom = 30

	// FailCgroupV1FieldFrom: the kubelet has failCgroupV1.
	FailCgroupV1FieldFrom = 31
	// FailCgroupV1From: the kubelet refuses cgroup v1 unless failCgroupV1: false (and kubeadm's
	// SystemVerification preflight check is ignored).
	FailCgroupV1From = 35

	// SystemdCgroupDriverDefaultFrom: kubeadm sets the kubelet's cgroupDriver to systemd when the
	// KubeletConfiguration leaves it out (the kubelet's own default is cgroupfs); swapboot sets it to the
	// container runtime's driver from here. Below, on the legacy path, swapboot passes no kubelet config.
	SystemdCgroupDriverDefaultFrom = 22

	// UnversionedKubeletConfigMapFrom: the kubelet-config ConfigMap is "kubelet-config" from here and
	// "kubelet-config-1.X" before. templates/scripts/facts.sh finds the one a cluster has by listing them.
	UnversionedKubeletConfigMapFrom = 24
)

// The kubeadm config API versions.
const (
	KubeadmV1beta3 = "kubeadm.k8s.io/v1beta3"
	KubeadmV1beta4 = "kubeadm.k8s.io/v1beta4"
)

// Range is the supported range for messages: "1.17 to 1.37".
func Range() string { return fmt.Sprintf("1.%d to 1.%d", OldestMinor, NewestMinor) }

// Supported reports whether swapboot supports Kubernetes 1.minor.
func Supported(major, minor uint) bool {
	return major == 1 && minor >= OldestMinor && minor <= NewestMinor
}

// Error is a version swapboot refuses: what is wrong and how to fix it.
type Error struct {
	Value, Problem, Fix string
}

func (e *Error) Error() string { return e.Problem + "; " + e.Fix }

var (
	versionRE   = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	minorOnlyRE = regexp.MustCompile(`^v?[0-9]+\.[0-9]+$`)
)

// Parse is the one parser of a Kubernetes version a user writes (the cluster file's kubernetesVersion,
// plan --kubernetes-version) or kubeadm reports: "v1.30.4" or "1.30.4", a pre-release kept
// ("v1.30.4-rc.1"); no blanks, no build metadata, no leading zeros, no missing patch; in the supported
// range. Errors are *Error. Normalize gives the form swapboot writes ("v" + v.String()).
func Parse(s string) (*version.Version, error) {
	show := fmt.Sprintf("%q", s)
	if s == "" {
		return nil, &Error{s, "is empty", "write a version such as v1.37.2"}
	}
	if minorOnlyRE.MatchString(s) {
		return nil, &Error{s, show + " has no patch version", "write the full version, e.g. v" + strings.TrimPrefix(s, "v") + ".0"}
	}
	if !versionRE.MatchString(s) {
		return nil, &Error{s, show + " is not a Kubernetes version", "write a version such as v1.37.2"}
	}
	v, err := version.ParseSemantic(strings.TrimPrefix(s, "v"))
	if err != nil {
		return nil, &Error{s, show + " is not a Kubernetes version", "write a version such as v1.37.2"}
	}
	if !Supported(v.Major(), v.Minor()) {
		return nil, &Error{s, "Kubernetes v" + v.String() + " is not supported", "swapboot supports " + Range() + "; choose a version in that range"}
	}
	return v, nil
}

// Normalize is the version as swapboot writes it: "v1.30.4", "v1.30.4-rc.1".
func Normalize(v *version.Version) string { return "v" + v.String() }

// SwapBehaviorProblem says why Kubernetes 1.minor cannot honour the cluster file's swap.behavior (auto,
// NoSwap or LimitedSwap) whatever the hosts are; "" when it can. version names it in the message.
func SwapBehaviorProblem(minor uint, version, behavior string) (problem, fix string) {
	switch {
	case behavior == "" || behavior == "auto":
		return "", ""
	case Legacy(minor):
		return fmt.Sprintf("Kubernetes %s has no swap behaviours (they start in 1.%d)", version, SwapBehaviorFrom),
			fmt.Sprintf("use behavior: auto, or Kubernetes >= 1.%d for LimitedSwap (>= 1.%d for NoSwap)", SwapBehaviorFrom, NoSwapFrom)
	case behavior == "NoSwap" && minor < NoSwapFrom:
		return fmt.Sprintf("NoSwap exists from Kubernetes 1.%d; %s does not know it", NoSwapFrom, version),
			"use behavior: auto (or LimitedSwap on cgroup v2)"
	}
	return "", ""
}

// Legacy reports whether 1.minor takes the pre-config-file path.
func Legacy(minor uint) bool { return minor < ConfigFileFrom }

// KubeadmAPI is the kubeadm config API swapboot writes for 1.minor ("" on the legacy path).
func KubeadmAPI(minor uint) string {
	switch {
	case Legacy(minor):
		return ""
	case minor < V1beta4From:
		return KubeadmV1beta3
	}
	return KubeadmV1beta4
}

// KubeadmAccepts says why kubeadm 1.minor refuses the config API api ("" when it accepts it).
func KubeadmAccepts(api string, minor uint) string {
	switch {
	case api == KubeadmV1beta3 && (minor < ConfigFileFrom || minor > V1beta3Last):
		return fmt.Sprintf("it is accepted by kubeadm 1.%d to 1.%d", ConfigFileFrom, V1beta3Last)
	case api == KubeadmV1beta4 && minor < V1beta4From:
		return fmt.Sprintf("it is accepted from kubeadm 1.%d", V1beta4From)
	}
	return ""
}

// NodeSwapGate reports whether a swap behavior on 1.minor needs the NodeSwap feature gate.
func NodeSwapGate(minor uint) bool { return minor >= SwapBehaviorFrom && minor < NoSwapFrom }
