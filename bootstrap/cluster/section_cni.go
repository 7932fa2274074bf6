// Section networking.cni: the pod network swapboot applies, and its checks against the subnets and the
// hosts (checkCNI, called from build).

package cluster

import (
	"fmt"
	"math/bits"
	"net/netip"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/bootstrap/cni"
)

// cfgCNI is networking.cni as written (nodes nil when not set).
type cfgCNI struct {
	node    *yaml.Node // the cni: key
	plugin  cfgStr
	backend cfgStr
	repo    cfgStr
}

var (
	cfgPlugins  = []string{string(CNIFlannel), string(CNINone)}
	cfgBackends = []string{BackendVXLAN, BackendHostGW}
	// Other flannel backends, named so the message says they exist but are not offered.
	cfgOtherBackends = []string{"udp", "ipip", "wireguard", "ipsec", "alivpc", "alloc", "gce", "aws-vpc", "tencent-vpc", "extension"}
	// An image repository: a registry host (optionally :port) and path components, no tag or digest.
	cfgRepoRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*/?$`)
)

func (p *cfgParser) parseCNI(k, v *yaml.Node) *ConfigError {
	p.cni.node = k
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	return p.fields(v, "networking.cni", "cni", func(key string, _, v *yaml.Node) *ConfigError {
		field := "networking.cni." + key
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		switch key {
		case "plugin":
			p.cni.plugin = s
			return p.at(v, field).check(cfgCheckPlugin(s.val))
		case "backend":
			p.cni.backend = s
			return p.at(v, field).check(cfgCheckBackend(s.val))
		case "imageRepository":
			p.cni.repo = s
			return p.at(v, field).check(cfgCheckRepository(s.val))
		}
		return nil
	})
}

func cfgCheckPlugin(s string) (string, string) {
	if cfgContains(cfgPlugins, s) {
		return "", ""
	}
	prob := fmt.Sprintf("unknown plugin %s", cfgShow(s))
	if s == "" {
		prob = "is empty"
	}
	if alt := cfgSuggest(s, cfgPlugins); alt != "" {
		return prob, fmt.Sprintf("did you mean %s?", alt)
	}
	return prob, "use flannel (the default) or none (bring your own CNI: nodes stay NotReady until you apply one)"
}

func cfgCheckBackend(s string) (string, string) {
	if cfgContains(cfgBackends, s) {
		return "", ""
	}
	prob := fmt.Sprintf("unknown backend %s", cfgShow(s))
	if s == "" {
		prob = "is empty"
	}
	if alt := cfgSuggest(strings.ReplaceAll(s, "_", "-"), cfgBackends); alt != "" {
		return prob, fmt.Sprintf("did you mean %s?", alt)
	}
	if cfgContains(cfgOtherBackends, strings.ToLower(s)) {
		return fmt.Sprintf("flannel's %s backend is not offered by swapboot", cfgShow(s)), "use vxlan (the default) or host-gw (every node on one L2 network)"
	}
	return prob, "use vxlan (the default) or host-gw (every node on one L2 network)"
}

func cfgCheckRepository(s string) (string, string) {
	const eg = "e.g. registry.example:5000/flannel"
	if s == "" {
		return "", "" // the default repository
	}
	last := s[strings.LastIndex(s, "/")+1:]
	switch {
	case strings.Contains(s, "@") || (strings.Contains(s, "/") && strings.Contains(last, ":")):
		return fmt.Sprintf("%s names an image or tag, not a repository", cfgShow(s)), fmt.Sprintf("give only the repository: swapboot adds flannel:%s and flannel-cni-plugin:%s, %s", cni.FlannelVersion, cni.FlannelCNIPluginVersion, eg)
	case strings.Contains(s, "://"):
		return fmt.Sprintf("%s has a URL scheme", cfgShow(s)), "write the repository without it, " + eg
	case !cfgRepoRE.MatchString(s):
		return fmt.Sprintf("%s is not an image repository", cfgShow(s)), "write a registry host (optionally :port) and lowercase path, " + eg
	}
	return "", ""
}

// checkCNI fills c.Networking.CNI and checks it against the subnets and the hosts: flannel's settings
// only with flannel, an IPv4 pod network (the pinned manifest configures IPv4 only), and a /24 per node.
func (p *cfgParser) checkCNI(c *Cluster, hosts []*cfgHost) *ConfigError {
	k := p.cni
	plugin := DefaultCNIPlugin
	if k.plugin.node != nil {
		plugin = CNIPlugin(k.plugin.val)
	}
	if plugin == CNINone {
		for _, s := range []struct {
			name string
			v    cfgStr
		}{{"backend", k.backend}, {"imageRepository", k.repo}} {
			if s.v.node != nil {
				return p.fail(s.v.node, "networking.cni."+s.name, fmt.Sprintf("is set but networking.cni.plugin is none (line %d)", k.plugin.node.Line), "remove it (it configures flannel only), or set plugin: flannel")
			}
		}
		c.Networking.CNI = CNI{Plugin: CNINone}
		return nil
	}
	c.Networking.CNI = CNI{Plugin: CNIFlannel, Backend: DefaultCNIBackend, ImageRepository: strings.TrimSuffix(k.repo.val, "/")}
	if k.backend.node != nil {
		c.Networking.CNI.Backend = k.backend.val
	}
	pod := p.pod.val
	podAt, podField := p.pod.node, "networking.podSubnet"
	if podAt == nil {
		podAt, podField = k.node, "networking.cni"
	}
	if podAt == nil {
		podAt, podField = p.root, "networking"
	}
	if pod.Addr().Is6() {
		return p.fail(podAt, podField, fmt.Sprintf("podSubnet %s is IPv6, but the flannel %s manifest swapboot applies configures an IPv4 network only (net-conf.json Network)", pod, cni.FlannelVersion),
			"use IPv4 ranges for podSubnet and serviceSubnet, or set networking.cni.plugin: none and apply an IPv6-capable CNI yourself")
	}
	// The controller manager gives each node a /24 of podSubnet, and flannel takes its subnet from it.
	ranges := 1 << (24 - pod.Bits())
	if n := len(hosts); n > ranges {
		at, field := p.pod.node, "networking.podSubnet"
		if at == nil {
			at, field = hosts[ranges].node, hosts[ranges].path
		}
		masters := 0
		for _, h := range hosts {
			if h.role == RoleMaster {
				masters++
			}
		}
		need := 24 - bits.Len(uint(n-1))
		eg := netip.PrefixFrom(pod.Addr(), need).Masked()
		return p.fail(at, field, fmt.Sprintf("podSubnet %s holds %d node range(s) of /24 (flannel gives each node one) but the file lists %d hosts (%d master(s), %d worker(s))", pod, ranges, n, masters, n-masters),
			fmt.Sprintf("use a prefix of /%d or shorter, e.g. %s", need, eg))
	}
	return nil
}
