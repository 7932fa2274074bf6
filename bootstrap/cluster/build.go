// Defaults and cross-field checks, in one place: build turns the parsed sections into a Cluster.

package cluster

import (
	"fmt"
	"net/netip"
	"sort"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/swapboot/swapboot/bootstrap/versions"
)

// build checks what involves several fields, fills defaults and returns the Cluster.
func (p *cfgParser) build() (*Cluster, *ConfigError) {
	c := &Cluster{File: p.file}
	if p.name.node == nil {
		return nil, p.fail(p.root, "name", "is missing", "name the cluster, e.g. name: lab (the kubeconfig is written to lab.kubeconfig)")
	}
	c.Name = p.name.val
	if p.opts.KubernetesVersion != "" {
		p.versionNorm, _, _ = cfgCheckVersion(p.opts.KubernetesVersion) // checked in ParseWith
		p.versionFrom = p.opts.from()
	}
	c.KubernetesVersion = p.versionNorm

	// Hosts.
	var masters, workers []*cfgHost
	for _, h := range p.hosts {
		if h.role == RoleMaster {
			masters = append(masters, h)
		} else {
			workers = append(workers, h)
		}
	}
	switch {
	case p.masters == nil:
		return nil, p.fail(p.root, "masters", "is missing", "list the control-plane host, e.g. masters: [192.168.122.50]")
	case len(masters) == 0:
		return nil, p.fail(p.masters, "masters", "no master given", "list the control-plane host, e.g. masters: [192.168.122.50]")
	}
	byLine := append([]*cfgHost(nil), p.hosts...)
	sort.SliceStable(byLine, func(i, j int) bool { return byLine[i].node.Line < byLine[j].node.Line })
	seenAddr := map[netip.Addr]*cfgHost{}
	seenName := map[string]*cfgHost{}
	for _, h := range byLine {
		if first, dup := seenAddr[h.addr]; dup {
			return nil, p.fail(h.addrNode, h.addrField, fmt.Sprintf("%s is already listed as %s (line %d)", h.addr, first.path, first.node.Line), "list every host once")
		}
		seenAddr[h.addr] = h
		if h.name.node != nil {
			if first, dup := seenName[h.name.val]; dup {
				return nil, p.fail(h.name.node, h.path+".name", fmt.Sprintf("node name %s is already used by %s (line %d)", h.name.val, first.path, first.node.Line), "give every node its own name")
			}
			seenName[h.name.val] = h
		}
	}

	// SSH settings: defaults, then the cluster-wide ssh:, then each host's ssh:.
	base := SSH{User: DefaultSSHUser, Port: DefaultSSHPort}
	if p.ssh == nil || p.ssh.knownHosts.node == nil {
		at := p.root
		if p.ssh != nil {
			at = p.ssh.node
		}
		kh, err := p.expandPath(at, "ssh.knownHosts", DefaultKnownHosts)
		if err != nil {
			err.Problem = "cannot expand the default " + DefaultKnownHosts + ": the home directory is unknown ($HOME is not set)"
			return nil, err
		}
		base.KnownHosts = kh
	}
	var clusterBastion *Bastion
	if p.ssh != nil {
		cfgApplySSH(&base, p.ssh)
		if p.ssh.bastion != nil {
			clusterBastion = cfgBuildBastion(p.ssh.bastion, base)
		}
	}
	build := func(h *cfgHost) Host {
		s := base
		s.Bastion = nil
		if clusterBastion != nil {
			b := *clusterBastion
			s.Bastion = &b
		}
		if h.ssh != nil {
			cfgApplySSH(&s, h.ssh)
			if h.ssh.bastion != nil {
				s.Bastion = cfgBuildBastion(h.ssh.bastion, s)
			}
		}
		return Host{Address: h.addr.String(), Name: h.name.val, Role: h.role, SSH: s, Line: h.node.Line, Swap: h.swap}
	}
	for _, h := range masters {
		c.Masters = append(c.Masters, build(h))
	}
	for _, h := range workers {
		c.Workers = append(c.Workers, build(h))
	}

	// Networking.
	if err := p.checkSubnets(masters[0], byLine); err != nil {
		return nil, err
	}
	c.Networking = Networking{PodSubnet: p.pod.val.String(), ServiceSubnet: p.svc.val.String()}
	if err := p.checkCNI(c, byLine); err != nil {
		return nil, err
	}
	if err := p.checkControlPlane(c, masters, byLine); err != nil {
		return nil, err
	}

	// Swap.
	c.Swap = Swap{SizeBytes: DefaultSwapSizeBytes, Path: DefaultSwapPath, Behavior: DefaultSwapBehavior, Nodes: DefaultSwapNodes,
		Label: DefaultSwapLabel, Taint: DefaultSwapTaint}
	if p.swapLabel != nil {
		c.Swap.Label = *p.swapLabel
	}
	if p.swapTaint != nil {
		c.Swap.Taint = *p.swapTaint
	}
	c.Swap.ProtectSystemDaemons = DefaultSwapProtectSystemDaemons
	if p.swapProtect != nil {
		c.Swap.ProtectSystemDaemons = *p.swapProtect
	}
	c.Swap.Sysctl = p.swapSysctl
	if p.swapNodes.node != nil {
		c.Swap.Nodes = SwapNodes(p.swapNodes.val)
	}
	a := p.swapArea
	c.Swap.Type, c.Swap.Device = SwapTypeFile, a.device.val
	if a.typ.node != nil {
		c.Swap.Type = SwapType(a.typ.val)
	} else if a.device.node != nil {
		c.Swap.Type = SwapTypeDevice
	}
	if a.sizeNode != nil {
		c.Swap.SizeBytes = a.size
	}
	if a.path.node != nil {
		c.Swap.Path = a.path.val
	}
	if a.encrypt != nil {
		c.Swap.Encrypt = *a.encrypt
	}
	cfgHosts := append(append([]*cfgHost(nil), masters...), workers...)
	for i, h := range c.Hosts() {
		if err := p.checkHostSwap(c, h, cfgHosts[i].path+".swap"); err != nil {
			return nil, err
		}
	}
	if p.behavior.node != nil {
		c.Swap.Behavior = SwapBehavior(p.behavior.val)
		c.Swap.BehaviorLine = p.behavior.node.Line
	}

	// Settings that depend on the Kubernetes version: checked here for the file's version or the one
	// given instead of it (plan --kubernetes-version), at the line of the setting.
	if err := p.checkVersionGates(); err != nil {
		return nil, err
	}
	if len(p.kubelet) > 0 {
		c.Kubelet = p.kubelet
		c.KubeletCgroupDriverLine = p.kubeletDriverLine
	}
	if len(p.kubeProxy) > 0 {
		c.KubeProxy = p.kubeProxy
	}
	c.NodeRegistration = p.nodeReg
	if len(c.NodeRegistration.KubeletExtraArgs) == 0 {
		c.NodeRegistration.KubeletExtraArgs = nil
	}
	return c, nil
}

// Ranges proposed in messages when a subnet collides.
var cfgPodCandidates = []string{DefaultPodSubnet, "10.32.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "fd00:10:244::/56", "fd00:20:244::/56"}
var cfgSvcCandidates = []string{DefaultServiceSubnet, "172.30.0.0/16", "10.112.0.0/16", "192.168.128.0/20", "fd00:10:96::/108", "fd00:20:96::/108"}

func (p *cfgParser) checkSubnets(master *cfgHost, hosts []*cfgHost) *ConfigError {
	if p.pod.node == nil {
		p.pod.val = netip.MustParsePrefix(DefaultPodSubnet)
	}
	if p.svc.node == nil {
		p.svc.val = netip.MustParsePrefix(DefaultServiceSubnet)
	}
	pod, svc := p.pod.val, p.svc.val
	desc := func(name string, s cfgPrefix) string {
		if s.node == nil {
			return fmt.Sprintf("%s %s (the default)", name, s.val)
		}
		return fmt.Sprintf("%s %s", name, s.val)
	}
	// later returns the subnet to blame: the one set in the file (the later one if both are).
	later := func() (string, cfgPrefix, string, cfgPrefix) {
		if p.svc.node != nil && (p.pod.node == nil || p.svc.node.Line >= p.pod.node.Line) {
			return "serviceSubnet", p.svc, "podSubnet", p.pod
		}
		return "podSubnet", p.pod, "serviceSubnet", p.svc
	}
	suggest := func(which string, v6 bool, avoid netip.Prefix) string {
		cands := cfgPodCandidates
		if which == "serviceSubnet" {
			cands = cfgSvcCandidates
		}
	next:
		for _, c := range cands {
			pr := netip.MustParsePrefix(c)
			if pr.Addr().Is6() != v6 || pr.Overlaps(avoid) {
				continue
			}
			for _, h := range hosts {
				if pr.Contains(h.addr) {
					continue next
				}
			}
			return ", e.g. " + c
		}
		return ""
	}
	if pod.Addr().Is6() != svc.Addr().Is6() {
		name, s, other, o := later()
		return p.fail(s.node, "networking."+name, fmt.Sprintf("%s is %s but %s is %s", desc(name, s), cfgFamily(s.val), desc(other, o), cfgFamily(o.val)), "use the same IP family for both (dual-stack is not supported)"+suggest(name, o.val.Addr().Is6(), o.val))
	}
	if pod.Overlaps(svc) {
		name, s, other, o := later()
		return p.fail(s.node, "networking."+name, fmt.Sprintf("%s overlaps %s", desc(name, s), desc(other, o)), "choose ranges that do not overlap"+suggest(name, o.val.Addr().Is6(), o.val))
	}
	if master.addr.Is6() != svc.Addr().Is6() {
		if p.svc.node != nil {
			return p.fail(p.svc.node, "networking.serviceSubnet", fmt.Sprintf("%s is %s but the master %s is %s", desc("serviceSubnet", p.svc), cfgFamily(svc), master.addr, cfgAddrFamily(master.addr)), "the API server's address and the service range must be of the same IP family")
		}
		fix := "set networking.podSubnet and serviceSubnet to IPv6 ranges, e.g. fd00:10:244::/56 and fd00:10:96::/108"
		if master.addr.Is4() {
			fix = "set networking.podSubnet and serviceSubnet to IPv4 ranges, e.g. " + DefaultPodSubnet + " and " + DefaultServiceSubnet
		}
		return p.fail(master.addrNode, master.addrField, fmt.Sprintf("the master %s is %s but %s is %s", master.addr, cfgAddrFamily(master.addr), desc("serviceSubnet", p.svc), cfgFamily(svc)), fix)
	}
	for _, h := range hosts {
		for _, s := range []struct {
			name string
			p    cfgPrefix
			o    netip.Prefix
		}{{"podSubnet", p.pod, svc}, {"serviceSubnet", p.svc, pod}} {
			if !s.p.val.Contains(h.addr) {
				continue
			}
			if s.p.node != nil {
				return p.fail(s.p.node, "networking."+s.name, fmt.Sprintf("%s contains %s %s (line %d)", desc(s.name, s.p), h.path, h.addr, h.node.Line), "choose a range that contains no host address"+suggest(s.name, h.addr.Is6(), s.o))
			}
			return p.fail(h.addrNode, h.addrField, fmt.Sprintf("%s is inside %s", h.addr, desc(s.name, s.p)), "set networking."+s.name+" to a range that contains no host address"+suggest(s.name, h.addr.Is6(), s.o))
		}
	}
	return nil
}

// checkVersionGates refuses, at its line, the first setting (in file order) the Kubernetes version
// cannot honour: kubelet:, kubeProxy: and nodeRegistration.imagePullPolicy need a kubeadm config file
// (versions.ConfigFileFrom); swap.behavior needs the version that has it (versions.SwapBehaviorProblem).
func (p *cfgParser) checkVersionGates() *ConfigError {
	if p.versionNorm == "" {
		return nil
	}
	v := version.MustParseSemantic(p.versionNorm)
	which := "kubernetesVersion is " + p.versionNorm
	if p.versionFrom != "" {
		which = "Kubernetes " + p.versionNorm + " from " + p.versionFrom
	}
	var first *ConfigError
	if versions.Legacy(v.Minor()) {
		for _, s := range []struct {
			field string
			set   bool
		}{{"kubelet", len(p.kubelet) > 0}, {"kubeProxy", len(p.kubeProxy) > 0}, {"nodeRegistration.imagePullPolicy", p.nodeReg.ImagePullPolicy != ""}, {"controlPlane", p.cp != nil && p.cp.endpoint.node != nil}} {
			if s.set {
				first = cfgFirst(first, p.fail(p.keyNode(s.field), s.field, fmt.Sprintf("needs Kubernetes 1.%d or later (%s)", versions.ConfigFileFrom, which), fmt.Sprintf("remove it (older kubeadm takes no configuration file), or use kubernetesVersion v1.%d.0 or later", versions.ConfigFileFrom)))
			}
		}
	}
	if p.behavior.node != nil {
		if prob, fix := versions.SwapBehaviorProblem(v.Minor(), p.versionNorm, p.behavior.val); prob != "" {
			if p.versionFrom != "" {
				prob += " (" + which + ")"
			}
			first = cfgFirst(first, p.fail(p.behavior.node, "swap.behavior", prob, fix))
		}
	}
	return first
}
