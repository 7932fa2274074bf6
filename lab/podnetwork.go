package lab

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// Network is the lab's pod-network addon, run after the cluster exists: it
// reads each node's spec.podCIDR with the master's kubectl and admin.conf,
// writes a bridge + host-local CNI config for it on each host, routes every
// host's netns to the other nodes' pod ranges, enables forwarding in the
// host netns only, and rejects forwarded traffic to the service range that
// kube-proxy has not translated (avoids a 30 s CoreDNS stall).
func Network(o Options) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	unlock, err := lockLab(o.StateRoot, o.Name)
	if err != nil {
		return err
	}
	defer unlock()
	p := NewPaths(o.StateRoot, o.Name)
	st, err := p.LoadState()
	if err != nil {
		return fmt.Errorf("lab %s: %w", o.Name, err)
	}
	var master Host
	for _, h := range st.Hosts {
		if h.Role == "master" {
			master = h
			break
		}
	}
	cidrs, err := nodePodCIDRs(o, master.Name, st, 60*time.Second)
	if err != nil {
		return err
	}
	for _, h := range st.Hosts {
		cidr, ok := cidrs[h.Name]
		if !ok {
			continue // not a node (yet)
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
			oc, ok := cidrs[other.Name]
			if !ok || other.Name == h.Name {
				continue
			}
			if _, err := run("ip", "-n", h.Name, "route", "replace", oc, "via", other.IP); err != nil {
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

// nodePodCIDRs maps host name to its node's spec.podCIDR, waiting until every
// node has one.
func nodePodCIDRs(o Options, master string, st *State, timeout time.Duration) (map[string]string, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := hostOutput(o, master, nil, "kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "get", "nodes", "-o", "json")
		if err == nil {
			m, missing, perr := parseNodeCIDRs(out, st)
			if perr == nil && len(missing) == 0 {
				return m, nil
			}
			if perr != nil {
				err = perr
			} else {
				err = fmt.Errorf("nodes without podCIDR: %v", missing)
			}
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(time.Second)
	}
}

// parseNodeCIDRs reads `kubectl get nodes -o json`; nodes map to hosts by
// name or InternalIP.
func parseNodeCIDRs(js string, st *State) (map[string]string, []string, error) {
	var nl struct {
		Items []struct {
			Metadata struct{ Name string } `json:"metadata"`
			Spec     struct {
				PodCIDR string `json:"podCIDR"`
			} `json:"spec"`
			Status struct {
				Addresses []struct{ Type, Address string } `json:"addresses"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(js), &nl); err != nil {
		return nil, nil, err
	}
	out := map[string]string{}
	var missing []string
	for _, n := range nl.Items {
		host := ""
		for _, h := range st.Hosts {
			if h.Name == n.Metadata.Name {
				host = h.Name
			}
			for _, a := range n.Status.Addresses {
				if a.Type == "InternalIP" && a.Address == h.IP {
					host = h.Name
				}
			}
		}
		if host == "" {
			continue
		}
		if _, err := netip.ParsePrefix(n.Spec.PodCIDR); err != nil {
			missing = append(missing, n.Metadata.Name)
			continue
		}
		out[host] = n.Spec.PodCIDR
	}
	return out, missing, nil
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
