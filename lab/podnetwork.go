package lab

import (
	"fmt"
	"os/exec"
	"strings"
)

// HostPodCIDR is the pod range of a lab host: 10.244.<index>.0/24 inside PodSubnet. The ranges are fixed
// per host (as a CNI add-on with its own IPAM would do) so a node is Ready as soon as it joins, also when
// it joins later (add-node); the controller manager's node.spec.podCIDR is not used by the bridge plugin.
func HostPodCIDR(h Host) string { return fmt.Sprintf("10.244.%d.0/24", h.Index) }

// Network applies the lab's pod network again (lab up applies it); it is idempotent.
func Network(o Options) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	unlock, err := lockLab(o.StateRoot, o.Name)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := NewPaths(o.StateRoot, o.Name).LoadState()
	if err != nil {
		return fmt.Errorf("lab %s: %w", o.Name, err)
	}
	return applyPodNetwork(o, st)
}

// applyPodNetwork is the lab's pod-network add-on and node preparation: per host, a bridge + host-local
// CNI config for its range, routes to the other hosts' ranges, IPv4 forwarding (a kubeadm prerequisite,
// in the host's netns only), and a REJECT for forwarded traffic to the service range that kube-proxy has
// not translated yet (avoids a 30 s CoreDNS stall).
func applyPodNetwork(o Options, st *State) error {
	for _, h := range st.Hosts {
		cidr := HostPodCIDR(h)
		if h.VM { // the same, over SSH (vm.go); the others route to it below
			if err := applyVMPodNetwork(o, st, h); err != nil {
				return err
			}
			fmt.Fprintf(o.Log, "lab %s: %s pod network %s (vm)\n", o.Name, h.Name, cidr)
			continue
		}
		if _, err := hostOutput(o, h.Name, strings.NewReader(CNIConfig(cidr)), "sh", "-c",
			"mkdir -p /etc/cni/net.d && cat > /etc/cni/net.d/.10-swapboot-lab.conflist.tmp && mv /etc/cni/net.d/.10-swapboot-lab.conflist.tmp /etc/cni/net.d/10-swapboot-lab.conflist"); err != nil {
			return err
		}
		ns := []string{"nsenter", "--net=" + netnsPath(h.Name)}
		if _, err := run(ns[0], append(ns[1:], "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")...); err != nil {
			return err
		}
		for _, other := range st.Hosts {
			if other.Name == h.Name {
				continue
			}
			if _, err := run("ip", "-n", h.Name, "route", "replace", HostPodCIDR(other), "via", other.IP); err != nil {
				return err
			}
		}
		rule := []string{"FORWARD", "-d", ServiceSubnet, "-j", "REJECT"}
		check := exec.Command(ns[0], append(append(ns[1:], "iptables", "-C"), rule...)...)
		if check.Run() != nil {
			if _, err := run(ns[0], append(append(ns[1:], "iptables", "-A"), rule...)...); err != nil {
				return err
			}
		}
		fmt.Fprintf(o.Log, "lab %s: %s pod network %s\n", o.Name, h.Name, cidr)
	}
	return nil
}

// CNIConfig is a node's bridge + host-local configuration for its pod range.
func CNIConfig(podCIDR string) string {
	return fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "swapboot-lab",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": %q}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, podCIDR)
}
