// Section controlPlane: the endpoint in front of several masters. Its checks against the hosts and the
// subnets are in checkControlPlane, called from build.go.

package cluster

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/util/validation"
)

type cfgControlPlane struct {
	node     *yaml.Node
	endpoint cfgStr
	host     string
	addr     netip.Addr // valid when the endpoint's host is an IP address
	port     int
	lb       cfgStr
}

const cfgEndpointExample = "192.168.122.10:6443"

func (p *cfgParser) parseControlPlane(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	cp := &cfgControlPlane{node: v}
	err := p.fields(v, "controlPlane", "controlPlane", func(key string, k, v *yaml.Node) *ConfigError {
		field := "controlPlane." + key
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		switch key {
		case "endpoint":
			cp.endpoint = s
			var prob, fix string
			cp.host, cp.addr, cp.port, prob, fix = cfgCheckEndpoint(s.val)
			return p.check(v, field, prob, fix)
		case "loadBalancer":
			cp.lb = s
			switch LoadBalancer(s.val) {
			case LBExternal, LBKeepalived:
				return nil
			}
			fix := "write external (your load balancer already serves the endpoint) or keepalived (swapboot configures keepalived and haproxy on the masters)"
			if l := LoadBalancer(strings.ToLower(s.val)); l == LBExternal || l == LBKeepalived {
				fix = "did you mean " + string(l) + "? the value is case-sensitive"
			}
			return p.fail(v, field, fmt.Sprintf("%s is not a load balancer swapboot knows", cfgShow(s.val)), fix)
		}
		return nil
	})
	p.cp = cp
	return err
}

// cfgCheckEndpoint accepts host:port, the host an IP address (IPv6 in brackets) or a DNS name.
func cfgCheckEndpoint(s string) (string, netip.Addr, int, string, string) {
	const fix = "write host:port, e.g. " + cfgEndpointExample + " or [fd00::10]:6443 or api.example.internal:6443"
	if s == "" {
		return "", netip.Addr{}, 0, "is empty", fix
	}
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		if a, aerr := netip.ParseAddr(strings.Trim(s, "[]")); aerr == nil {
			return "", netip.Addr{}, 0, fmt.Sprintf("%s has no port", cfgShow(s)), fmt.Sprintf("add the port the load balancer listens on, e.g. %s", net.JoinHostPort(a.String(), "6443"))
		}
		if len(validation.IsDNS1123Subdomain(s)) == 0 {
			return "", netip.Addr{}, 0, fmt.Sprintf("%s has no port", cfgShow(s)), fmt.Sprintf("add the port the load balancer listens on, e.g. %s:6443", s)
		}
		return "", netip.Addr{}, 0, fmt.Sprintf("%s is not host:port", cfgShow(s)), fix
	}
	port, perr := strconv.Atoi(portText)
	if perr != nil || port < 1 || port > 65535 || !cfgAllDigits(portText) {
		return "", netip.Addr{}, 0, fmt.Sprintf("port %s is not a port number (1-65535)", cfgShow(portText)), fix
	}
	if a, aerr := netip.ParseAddr(host); aerr == nil {
		if a.Zone() != "" || a.Is4In6() || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
			return "", netip.Addr{}, 0, fmt.Sprintf("%s cannot be the address in front of the masters", a), fix
		}
		return host, a, port, "", ""
	}
	if host == "" || len(validation.IsDNS1123Subdomain(host)) != 0 {
		return "", netip.Addr{}, 0, fmt.Sprintf("%s is neither an IP address nor a DNS name", cfgShow(host)), fix
	}
	return host, netip.Addr{}, port, "", ""
}

// checkControlPlane checks the endpoint against the masters, the hosts and the subnets, and fills
// c.ControlPlane and the warnings. One master without controlPlane: stays exactly as before (nil).
func (p *cfgParser) checkControlPlane(c *Cluster, masters, hosts []*cfgHost) *ConfigError {
	cp := p.cp
	if cp == nil || cp.endpoint.node == nil {
		if len(masters) > 1 {
			at := masters[1].node
			fix := "add controlPlane: {endpoint: " + cfgEndpointExample + ", loadBalancer: external} for your load balancer, or loadBalancer: keepalived to have swapboot run one on the masters"
			return p.fail(at, "masters", fmt.Sprintf("%d masters need controlPlane.endpoint, the address in front of every master's API server", len(masters)), fix)
		}
		if cp != nil && cp.lb.node != nil {
			return p.fail(cp.lb.node, "controlPlane.endpoint", "is missing: loadBalancer needs the endpoint it serves", "add endpoint: host:port, e.g. endpoint: "+cfgEndpointExample)
		}
		return nil
	}
	lb := LBExternal
	if cp.lb.node != nil {
		lb = LoadBalancer(cp.lb.val)
	}
	at, field := cp.endpoint.node, "controlPlane.endpoint"
	if cp.addr.IsValid() {
		for _, h := range hosts {
			if h.addr != cp.addr {
				continue
			}
			if lb == LBKeepalived {
				return p.fail(at, field, fmt.Sprintf("%s is %s's own address (line %d); with loadBalancer: keepalived it must be a free address that moves between the masters", cp.addr, h.path, h.node.Line), "choose an unused address in the masters' subnet as the virtual IP")
			}
		}
		for _, s := range []struct {
			name string
			pr   netip.Prefix
		}{{"podSubnet", p.pod.val}, {"serviceSubnet", p.svc.val}} {
			if s.pr.Contains(cp.addr) {
				return p.fail(at, field, fmt.Sprintf("%s is inside networking.%s %s", cp.addr, s.name, s.pr), "the endpoint must be reachable outside the cluster's networks: choose an address outside "+s.pr.String())
			}
		}
		if m := masters[0].addr; m.Is4() != cp.addr.Is4() {
			return p.fail(at, field, fmt.Sprintf("%s is %s but the master %s is %s", cp.addr, cfgAddrFamily(cp.addr), m, cfgAddrFamily(m)), "use an endpoint of the masters' IP family")
		}
	}
	if lb == LBKeepalived {
		if !cp.addr.IsValid() {
			return p.fail(at, field, fmt.Sprintf("%s is a DNS name; with loadBalancer: keepalived the endpoint's host is the virtual IP", cfgShow(cp.host)), "write the virtual IP and a port other than the API server's 6443, e.g. 192.168.122.10:8443")
		}
		if cp.port == APIServerPort {
			return p.fail(at, field, fmt.Sprintf("port %d is the API server's own port; with loadBalancer: keepalived haproxy on every master listens on the endpoint's port", APIServerPort), "use another port for the endpoint, e.g. "+net.JoinHostPort(cp.addr.String(), "8443"))
		}
	}
	c.ControlPlane = &ControlPlane{Endpoint: net.JoinHostPort(cp.host, strconv.Itoa(cp.port)), Host: cp.host, Port: cp.port, LoadBalancer: lb, Line: at.Line}
	if n := len(masters); n > 1 && n%2 == 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: masters: %d masters tolerate no more failures than %d (etcd needs a majority); an odd number is better", p.file, p.masters.Line, n, n-1))
	}
	return nil
}
