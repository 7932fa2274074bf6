// Sections masters: and workers:.

package cluster

import (
	"fmt"
	"net/netip"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/util/validation"
)

type cfgHost struct {
	path      string // masters[0]
	node      *yaml.Node
	addrField string // masters[0] or masters[0].address
	addrNode  *yaml.Node
	addr      netip.Addr
	name      cfgStr
	role      Role
	ssh       *cfgSSH
	swap      *HostSwap
}

func (p *cfgParser) parseHosts(v *yaml.Node, key string, role Role) ([]*cfgHost, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	example := "192.168.122.50"
	if role == RoleWorker {
		example = "192.168.122.51"
	}
	switch v.Kind {
	case yaml.ScalarNode:
		val := v.Value
		if val == "" {
			val = example
		}
		return nil, p.fail(v, key, "expected a list of hosts, got "+cfgDescribe(v), fmt.Sprintf("write it as a list: %s: [%s]", key, cfgQuoteControl(val)))
	case yaml.MappingNode:
		return nil, p.fail(v, key, "expected a list of hosts, got a mapping", fmt.Sprintf("start each host with \"- \", e.g. %s: [{address: %s}]", key, example))
	case yaml.SequenceNode:
	default:
		return nil, p.fail(v, key, "expected a list of hosts, got "+cfgDescribe(v), fmt.Sprintf("write e.g. %s: [%s]", key, example))
	}
	var hosts []*cfgHost
	for i, e := range v.Content {
		h := &cfgHost{path: fmt.Sprintf("%s[%d]", key, i), node: e, role: role}
		switch e.Kind {
		case yaml.ScalarNode:
			h.addrField, h.addrNode = h.path, e
			if e.ShortTag() == "!!null" {
				return nil, p.fail(e, h.path, "empty host entry", fmt.Sprintf("give the host's IP address, e.g. - %s, or remove the dash", example))
			}
			var prob, fix string
			h.addr, prob, fix = cfgCheckAddress(e.Value)
			if err := p.check(e, h.path, prob, fix); err != nil {
				return nil, err
			}
		case yaml.MappingNode:
			err := p.fields(e, h.path, "host", func(key string, k, v *yaml.Node) *ConfigError {
				field := h.path + "." + key
				var err *ConfigError
				switch key {
				case "address":
					var a cfgStr
					if a, err = p.str(v, field); err == nil && a.node != nil {
						h.addrField, h.addrNode = field, v
						var prob, fix string
						h.addr, prob, fix = cfgCheckAddress(a.val)
						err = p.check(v, field, prob, fix)
					}
				case "name":
					if h.name, err = p.str(v, field); err == nil && h.name.node != nil {
						err = p.at(v, field).check(cfgCheckNodeName(h.name.val))
					}
				case "ssh":
					h.ssh, err = p.parseSSH(v, field, "host.ssh")
				case "swap":
					h.swap, err = p.parseHostSwap(v, field)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			if h.addrNode == nil {
				return nil, p.fail(e, h.path+".address", "is missing", fmt.Sprintf("give the host's IP address, e.g. {address: %s}", example))
			}
		default:
			return nil, p.fail(e, h.path, "expected an IP address or a mapping with address:, got "+cfgDescribe(e), fmt.Sprintf("write - %s or - {address: %s, name: node1}", example, example))
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// cfgCheckAddress accepts an IPv4 or IPv6 literal (no host names, zones or ports).
func cfgCheckAddress(s string) (netip.Addr, string, string) {
	const fix = "write the host's IPv4 or IPv6 address, e.g. 192.168.122.50 (host names are not accepted)"
	if s == "" {
		return netip.Addr{}, "is empty", fix
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		switch {
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			return netip.Addr{}, fmt.Sprintf("%s has brackets", cfgShow(s)), fmt.Sprintf("write the IPv6 address without them: %s", strings.Trim(s, "[]"))
		case strings.Contains(s, "/"):
			return netip.Addr{}, fmt.Sprintf("%s is a range, not an address", cfgShow(s)), fix
		}
		if host, port, ok := strings.Cut(s, ":"); ok && !strings.Contains(port, ":") {
			if _, err := netip.ParseAddr(host); err == nil && cfgAllDigits(port) {
				return netip.Addr{}, fmt.Sprintf("%s contains a port", cfgShow(s)), fmt.Sprintf("give the port under the host's ssh: {address: %s, ssh: {port: %s}}", host, port)
			}
		}
		return netip.Addr{}, fmt.Sprintf("%s is not an IP address", cfgShow(s)), fix
	}
	switch {
	case a.Zone() != "":
		return netip.Addr{}, fmt.Sprintf("%s has an IPv6 zone", cfgShow(s)), "zones (%eth0) are not supported; use a global or unique-local address"
	case a.Is4In6():
		return netip.Addr{}, fmt.Sprintf("%s is an IPv4-mapped IPv6 address", cfgShow(s)), fmt.Sprintf("write the IPv4 address: %s", a.Unmap())
	case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netip.Addr{}, fmt.Sprintf("%s cannot be a host's address", cfgShow(s)), fix
	}
	return a, "", ""
}

func cfgAllDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func cfgCheckNodeName(s string) (string, string) {
	if s == "" {
		return "is empty", "give a node name such as worker1, or remove the line to use the host's hostname"
	}
	if len(validation.IsDNS1123Subdomain(s)) == 0 {
		return "", ""
	}
	prob := fmt.Sprintf("%s is not a valid node name", cfgShow(s))
	if alt := strings.ReplaceAll(strings.ToLower(s), "_", "-"); alt != s && len(validation.IsDNS1123Subdomain(alt)) == 0 {
		return prob, fmt.Sprintf("did you mean %s? node names are lowercase DNS names", alt)
	}
	return prob, "use lowercase letters, digits, - and . (starting and ending with a letter or digit), at most 253 characters"
}
