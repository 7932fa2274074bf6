package hostfacts

// Facts of a control plane with several masters behind loadBalancer: keepalived.

import (
	"net/netip"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// parseAddresses reads "eth0=10.0.0.11/24 eth0=fe80::1/64 ..." into address -> interface.
func parseAddresses(v string) map[string]string {
	out := map[string]string{}
	for _, field := range strings.Fields(v) {
		name, cidr, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		if p, err := netip.ParsePrefix(cidr); err == nil {
			out[p.Addr().String()] = name
		}
	}
	return out
}

// Interface is the interface holding the host's own address ("" when the facts do not show it).
func Interface(h cluster.Host, f Facts) string { return f.Interfaces[h.Address] }

// checkHA: with loadBalancer: keepalived every master needs keepalived, haproxy and curl (the check of
// the local API server), and its address on an interface (the virtual IP is added there).
func checkHA(c *cluster.Cluster, facts map[string]Facts) []HostProblem {
	if c.ControlPlane == nil || c.ControlPlane.LoadBalancer != cluster.LBKeepalived {
		return nil
	}
	var problems []HostProblem
	for _, m := range c.Masters {
		f, ok := facts[m.Address]
		if !ok {
			continue
		}
		if len(f.LBMissing) > 0 {
			problems = append(problems, HostProblem{m.ID(), strings.Join(f.LBMissing, ", ") + " not installed (loadBalancer: keepalived runs keepalived and haproxy on every master)",
				"install the packages keepalived, haproxy and curl on every master (swapboot installs no packages), or use loadBalancer: external with your own load balancer"})
		}
		if Interface(m, f) == "" {
			problems = append(problems, HostProblem{m.ID(), "no interface holds " + m.Address + " (the virtual IP " + c.ControlPlane.Host + " is added to that interface)",
				"list the master by an address configured on one of its interfaces"})
		}
	}
	return problems
}

// ControlPlaneComplete says a master is a working control plane: admin.conf, kubelet.conf and the etcd and
// API server manifests exist (a control-plane join that stopped half-way leaves only some of them).
func ControlPlaneComplete(f Facts) bool { return f.ControlPlane && f.Joined && f.ControlPlaneManifests }
