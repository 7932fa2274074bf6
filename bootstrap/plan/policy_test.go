package plan

import (
	"errors"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

func TestDecideKubelet(t *testing.T) {
	v1 := []string{"m1"}
	cases := []struct {
		version  string
		behavior cluster.SwapBehavior
		v1Hosts  []string
		hosts    int           // hosts in all (0: as many as v1Hosts, at least 1: every host alike)
		want     KubeletPolicy // Notes not compared
		wantErr  bool
	}{
		{"1.17.1", cluster.SwapAuto, v1, 0, KubeletPolicy{Legacy: true, IgnorePreflight: []string{"Swap"}}, false},
		{"1.21.14", cluster.SwapAuto, nil, 0, KubeletPolicy{Legacy: true, IgnorePreflight: []string{"Swap"}}, false},
		{"1.17.1", cluster.SwapLimitedSwap, nil, 0, KubeletPolicy{}, true},
		{"1.22.0", cluster.SwapAuto, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", IgnorePreflight: []string{"Swap"}}, false},
		{"1.22.0", cluster.SwapLimitedSwap, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", SwapBehavior: "LimitedSwap", NodeSwapGate: true, IgnorePreflight: []string{"Swap"}}, false},
		{"1.28.3", cluster.SwapAuto, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", SwapBehavior: "LimitedSwap", NodeSwapGate: true, IgnorePreflight: []string{"Swap"}}, false},
		{"1.28.3", cluster.SwapAuto, v1, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", IgnorePreflight: []string{"Swap"}}, false},
		{"1.29.0", cluster.SwapNoSwap, nil, 0, KubeletPolicy{}, true},
		{"1.28.3", cluster.SwapLimitedSwap, v1, 0, KubeletPolicy{}, true},
		{"1.30.4", cluster.SwapAuto, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", SwapBehavior: "LimitedSwap", IgnorePreflight: []string{"Swap"}}, false},
		{"1.30.4", cluster.SwapAuto, v1, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", SwapBehavior: "NoSwap", IgnorePreflight: []string{"Swap"}}, false},
		{"1.31.0", cluster.SwapNoSwap, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "NoSwap", IgnorePreflight: []string{"Swap"}}, false},
		{"1.34.1", cluster.SwapAuto, v1, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "NoSwap", IgnorePreflight: []string{"Swap"}}, false},
		{"1.35.0", cluster.SwapAuto, v1, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "NoSwap", FailCgroupV1False: true, IgnorePreflight: []string{"Swap", "SystemVerification"}}, false},
		{"1.37.2", cluster.SwapAuto, nil, 0, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "LimitedSwap", IgnorePreflight: []string{"Swap"}}, false},
		{"1.37.2", cluster.SwapLimitedSwap, v1, 0, KubeletPolicy{}, true},
		// Hosts on both cgroup versions: per node from 1.30 (NoSwap in the ConfigMap), not before, not when
		// the behaviour is the file's.
		{"1.30.4", cluster.SwapAuto, v1, 2, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", SwapBehavior: "NoSwap", PerNode: true, IgnorePreflight: []string{"Swap"}}, false},
		{"1.37.2", cluster.SwapAuto, v1, 3, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "NoSwap", PerNode: true, FailCgroupV1False: true, IgnorePreflight: []string{"Swap", "SystemVerification"}}, false},
		{"1.29.2", cluster.SwapAuto, v1, 2, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta3", IgnorePreflight: []string{"Swap"}}, false},
		{"1.37.2", cluster.SwapNoSwap, v1, 2, KubeletPolicy{ConfigAPI: "kubeadm.k8s.io/v1beta4", SwapBehavior: "NoSwap", FailCgroupV1False: true, IgnorePreflight: []string{"Swap", "SystemVerification"}}, false},
		{"1.37.2", cluster.SwapLimitedSwap, v1, 2, KubeletPolicy{}, true},
	}
	for _, c := range cases {
		name := c.version + "/" + string(c.behavior)
		hosts := max(c.hosts, len(c.v1Hosts), 1)
		if len(c.v1Hosts) == hosts {
			name += "/cgroupv1"
		} else if len(c.v1Hosts) > 0 {
			name += "/mixed"
		}
		t.Run(name, func(t *testing.T) {
			got, err := DecideKubelet(version.MustParseGeneric(c.version), c.behavior, c.v1Hosts, hosts)
			if c.wantErr {
				var pe *PolicyError
				if !errors.As(err, &pe) {
					t.Fatalf("want a *PolicyError, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Notes) == 0 {
				t.Error("no notes explaining the choice")
			}
			got.Notes, got.Version = nil, ""
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// The invariants from docs/versions.md, over every supported minor and both cgroup versions.
func TestDecideKubeletInvariants(t *testing.T) {
	for minor := 17; minor <= 37; minor++ {
		for _, hosts := range []struct {
			v1  []string
			all int
		}{{nil, 2}, {[]string{"h"}, 1}, {[]string{"h"}, 2}} {
			v1 := hosts.v1
			for _, b := range []cluster.SwapBehavior{cluster.SwapAuto, cluster.SwapNoSwap, cluster.SwapLimitedSwap} {
				v := version.MajorMinor(1, uint(minor))
				p, err := DecideKubelet(v, b, v1, hosts.all)
				if err != nil {
					continue
				}
				// A cgroup v1 node never gets LimitedSwap, a cgroup v2 node gets it only where the cluster has
				// it or the policy is per node (auto, 1.30+, both cgroup versions).
				if p.NodeSwapBehavior(false) == "LimitedSwap" && len(v1) > 0 {
					t.Errorf("1.%d %s: a cgroup v1 node gets LimitedSwap", minor, b)
				}
				if p.PerNode != (b == cluster.SwapAuto && minor >= 30 && len(v1) > 0 && len(v1) < hosts.all) {
					t.Errorf("1.%d %s %v of %d: PerNode=%v", minor, b, v1, hosts.all, p.PerNode)
				}
				if p.PerNode && (p.NodeSwapBehavior(true) != "LimitedSwap" || p.NodeSwapBehavior(false) != "NoSwap" || p.SwapBehavior != "NoSwap") {
					t.Errorf("1.%d: per node: v2 %q, v1 %q, cluster %q", minor, p.NodeSwapBehavior(true), p.NodeSwapBehavior(false), p.SwapBehavior)
				}
				if !p.PerNode && (p.NodeSwapBehavior(true) != p.SwapBehavior || p.NodeSwapBehavior(false) != p.SwapBehavior) {
					t.Errorf("1.%d: not per node, yet a node's behaviour differs from the cluster's %q", minor, p.SwapBehavior)
				}
				if p.SwapBehavior == "UnlimitedSwap" {
					t.Errorf("1.%d: UnlimitedSwap", minor)
				}
				if p.SwapBehavior == "NoSwap" && minor < 30 {
					t.Errorf("1.%d: NoSwap before 1.30", minor)
				}
				if p.SwapBehavior == "LimitedSwap" && len(v1) > 0 {
					t.Errorf("1.%d: LimitedSwap on cgroup v1", minor)
				}
				if p.NodeSwapGate && (minor < 22 || minor > 29 || p.SwapBehavior == "") {
					t.Errorf("1.%d: NodeSwap gate with behavior %q", minor, p.SwapBehavior)
				}
				if (minor < 22) != p.Legacy {
					t.Errorf("1.%d: legacy=%v", minor, p.Legacy)
				}
				if minor >= 31 && p.ConfigAPI != "kubeadm.k8s.io/v1beta4" || minor >= 22 && minor < 31 && p.ConfigAPI != "kubeadm.k8s.io/v1beta3" {
					t.Errorf("1.%d: config API %q", minor, p.ConfigAPI)
				}
				if p.IgnorePreflight[0] != "Swap" {
					t.Errorf("1.%d: Swap not ignored first: %v", minor, p.IgnorePreflight)
				}
			}
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, ok := range map[string]bool{"v1.37.2": true, "1.17.0": true, "v1.16.9": false, "v1.38.0": false, "latest": false, "": false} {
		_, err := ParseVersion(in)
		if (err == nil) != ok {
			t.Errorf("ParseVersion(%q) err=%v", in, err)
		}
	}
}
