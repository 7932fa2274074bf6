package lab

// Roles of lab hosts for a control plane with several masters: masters m1..mN, workers w1.., and with
// --load-balancer external one more host, <name>-lb, running Debian's haproxy in front of the masters.
// With keepalived the masters keep the machine's keepalived and haproxy units (swapboot configures them);
// VRRP between the hosts needs nothing from the lab: swapboot's keepalived uses unicast peers, which a
// Linux bridge forwards like any other traffic.

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// Load balancers of a lab with several masters.
const (
	LBKeepalived = "keepalived"
	LBExternal   = "external"
	// KeepalivedPort is the endpoint's port with keepalived: haproxy on every master listens there, the
	// API servers keep 6443.
	KeepalivedPort = 8443
)

// checkRoles validates Masters and LoadBalancer against the host count.
func (o *Options) checkRoles() error {
	if o.Masters == 0 {
		o.Masters = 1
	}
	if o.Masters < 1 || (o.Hosts > 0 && o.Masters > o.Hosts) {
		return fmt.Errorf("--masters %d: want 1 to the number of hosts (%d)", o.Masters, o.Hosts)
	}
	switch o.LoadBalancer {
	case "":
		if o.Masters > 1 {
			o.LoadBalancer = LBKeepalived
		}
	case LBKeepalived, LBExternal:
	default:
		return fmt.Errorf("--load-balancer %q: want keepalived or external", o.LoadBalancer)
	}
	return nil
}

// labHosts names the hosts and gives their roles: masters, workers, then the load-balancer host.
func labHosts(o Options) (names, roles []string) {
	for i := 0; i < o.Hosts; i++ {
		if i < o.Masters {
			names, roles = append(names, fmt.Sprintf("%s-m%d", o.Name, i+1)), append(roles, "master")
		} else {
			names, roles = append(names, fmt.Sprintf("%s-w%d", o.Name, i-o.Masters+1)), append(roles, "worker")
		}
	}
	if o.LoadBalancer == LBExternal {
		names, roles = append(names, o.Name+"-lb"), append(roles, "lb")
	}
	return names, roles
}

// endpoint is the control-plane endpoint of the lab: the subnet's .10 (a free address: hosts start at
// .11) with keepalived, the load-balancer host's :6443 with external.
func endpoint(o Options, st *State) string {
	switch o.LoadBalancer {
	case LBKeepalived:
		p := netip.MustParsePrefix(o.Subnet).Masked().Addr().As4()
		p[3] += 10
		return fmt.Sprintf("%s:%d", netip.AddrFrom4(p), KeepalivedPort)
	case LBExternal:
		for _, h := range st.Hosts {
			if h.Role == "lb" {
				return h.IP + ":6443"
			}
		}
	}
	return ""
}

// keptUnits are the machine's units a host keeps besides unitsKept.
func keptUnits(loadBalancer string, h Host) map[string]bool {
	switch {
	case h.Role == "master" && loadBalancer == LBKeepalived:
		return map[string]bool{"keepalived.service": true, "haproxy.service": true}
	case h.Role == "lb":
		return map[string]bool{"haproxy.service": true}
	}
	return nil
}

// prepareLBHost: the load-balancer host runs no kubelet, and haproxy in front of every master's :6443.
func prepareLBHost(hp HostPaths, h Host, st *State) error {
	if h.Role != "lb" {
		return nil
	}
	etc := hp.Upper("etc")
	kubelet := filepath.Join(etc, "systemd/system/kubelet.service")
	_ = os.Remove(filepath.Join(etc, "systemd/system/multi-user.target.wants/kubelet.service"))
	_ = os.Remove(kubelet)
	if err := os.MkdirAll(filepath.Dir(kubelet), 0o755); err != nil {
		return err
	}
	if err := os.Symlink("/dev/null", kubelet); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(etc, "haproxy/haproxy.cfg"), []byte(lbHAProxyConfig(st)), 0o644)
}

// lbHAProxyConfig is the external load balancer's haproxy: TCP on :6443 to every master's API server,
// each used while its /healthz answers.
func lbHAProxyConfig(st *State) string {
	var b strings.Builder
	b.WriteString(`# swapboot-lab: the external load balancer of the control-plane endpoint.
global
    log /dev/log local0
    daemon

defaults
    log global
    mode tcp
    option tcplog
    timeout connect 5s
    timeout client 35s
    timeout server 35s
    timeout check 10s

frontend apiserver
    bind :6443
    default_backend apiserver

backend apiserver
    option httpchk
    http-check connect ssl
    http-check send meth GET uri /healthz
    http-check expect status 200
    balance roundrobin
`)
	for _, h := range st.Hosts {
		if h.Role == "master" {
			fmt.Fprintf(&b, "    server %s %s:6443 check check-ssl verify none inter 3s fall 3 rise 2\n", h.Name, h.IP)
		}
	}
	return b.String()
}
