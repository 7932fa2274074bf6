// Section networking:. The subnets are checked against the hosts in build.go (checkSubnets); cni: is
// section_cni.go.

package cluster

import (
	"fmt"
	"net/netip"
	"strings"

	"gopkg.in/yaml.v3"
)

func (p *cfgParser) parseNetworking(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	return p.fields(v, "networking", "networking", func(key string, k, v *yaml.Node) *ConfigError {
		field := "networking." + key
		if key == "cni" {
			return p.parseCNI(k, v)
		}
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		pr, prob, fix := cfgCheckSubnet(s.val, key == "serviceSubnet")
		if prob != "" {
			return p.fail(v, field, prob, fix)
		}
		if key == "podSubnet" {
			p.pod = cfgPrefix{pr, v}
		} else {
			p.svc = cfgPrefix{pr, v}
		}
		return nil
	})
}

// cfgCheckSubnet accepts one canonical CIDR of a size Kubernetes can use.
func cfgCheckSubnet(s string, service bool) (netip.Prefix, string, string) {
	eg := DefaultPodSubnet
	if service {
		eg = DefaultServiceSubnet
	}
	if s == "" {
		return netip.Prefix{}, "is empty", fmt.Sprintf("write a CIDR such as %s, or remove the line for that default", eg)
	}
	if strings.Contains(s, ",") {
		return netip.Prefix{}, fmt.Sprintf("%s lists several ranges", cfgShow(s)), "dual-stack is not supported; give one CIDR, e.g. " + eg
	}
	if !strings.Contains(s, "/") {
		return netip.Prefix{}, fmt.Sprintf("%s has no prefix length", cfgShow(s)), "write a CIDR such as " + eg
	}
	pr, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Sprintf("%s is not a valid CIDR", cfgShow(s)), "write a CIDR such as " + eg
	}
	if pr.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Sprintf("%s is an IPv4-mapped IPv6 range", cfgShow(s)), "write it as an IPv4 CIDR such as " + eg
	}
	if m := pr.Masked(); m != pr {
		return netip.Prefix{}, fmt.Sprintf("%s has bits set after the prefix", cfgShow(s)), fmt.Sprintf("did you mean %s?", m)
	}
	bits, ones := pr.Addr().BitLen(), pr.Bits()
	v6 := pr.Addr().Is6()
	if service {
		switch max := "/12"; {
		case bits-ones > 20:
			if v6 {
				max = "/108"
			}
			return netip.Prefix{}, fmt.Sprintf("%s is too large: Kubernetes allows at most 2^20 service addresses", s), "use a prefix of " + max + " or longer, e.g. " + cfgAlt(v6, DefaultServiceSubnet, "fd00:10:96::/108")
		case bits-ones < 4:
			min := "/28"
			if v6 {
				min = "/124"
			}
			return netip.Prefix{}, fmt.Sprintf("%s is too small: kubeadm gives the 10th address to cluster DNS", s), "use a prefix of " + min + " or shorter, e.g. " + cfgAlt(v6, DefaultServiceSubnet, "fd00:10:96::/108")
		}
		return pr, "", ""
	}
	// The controller manager gives each node a /24 (IPv4) or /64 (IPv6) from the pod subnet, and at most
	// 2^16 of them.
	node := 24
	if v6 {
		node = 64
	}
	switch {
	case ones > node:
		return netip.Prefix{}, fmt.Sprintf("%s is too small: every node gets a /%d from it", s, node), fmt.Sprintf("use a prefix of /%d or shorter, e.g. %s", node, cfgAlt(v6, DefaultPodSubnet, "fd00:10:244::/56"))
	case node-ones > 16:
		return netip.Prefix{}, fmt.Sprintf("%s is too large: it would hold more than 65536 node ranges of /%d", s, node), fmt.Sprintf("use a prefix of /%d or longer, e.g. %s", node-16, cfgAlt(v6, DefaultPodSubnet, "fd00:10:244::/56"))
	}
	return pr, "", ""
}

func cfgAlt(v6 bool, v4s, v6s string) string {
	if v6 {
		return v6s
	}
	return v4s
}

func cfgFamily(p netip.Prefix) string { return cfgAddrFamily(p.Addr()) }

func cfgAddrFamily(a netip.Addr) string {
	if a.Is6() {
		return "IPv6"
	}
	return "IPv4"
}
