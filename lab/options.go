package lab

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strings"
)

// Defaults used by the CLI and the tests.
const (
	DefaultStateRoot    = "/var/lib/swapboot-lab"
	DefaultCacheRoot    = "/var/cache/swapboot-lab"
	DefaultSubnet       = "10.77.0.0/24"
	DefaultCgroupPrefix = "swapboot-lab"
	DefaultK8sVersion   = "v1.37.2"
	DefaultName         = "lab"
	PodSubnet           = "10.244.0.0/16"
	ServiceSubnet       = "10.96.0.0/12"
)

// Options describe one lab. Zero values are replaced by the defaults.
type Options struct {
	Name         string
	Hosts        int
	Subnet       string
	StateRoot    string
	CacheRoot    string
	CgroupPrefix string
	// OldDebLayout lists hosts (full or short names, e.g. "w1") that get the old
	// deb layout: /etc/systemd/system/kubelet.service.d/10-kubeadm.conf and no
	// /etc/default/kubelet.
	OldDebLayout []string
	// SmallDisk maps hosts (full or short names) to a root disk size such as
	// "64M": those hosts get an ext4 loop image as root.
	SmallDisk map[string]string
	// Masters is how many of the Hosts are masters (default 1): m1..mN, then the workers (roles.go).
	Masters int
	// LoadBalancer in front of several masters: keepalived (default; the masters keep keepalived and
	// haproxy, the endpoint is the subnet's .10:8443) or external (one more host, <name>-lb, with haproxy).
	LoadBalancer string
	NoKubernetes bool
	NoBuild      bool // do not run the Kubernetes or flannel build when the cache is missing
	K8sVersion   string
	BuildScript  string // lab/k8sbuild/build.sh; found from the working directory when empty
	// FlannelBuildScript is lab/flannelbuild/build.sh; found like BuildScript when empty.
	FlannelBuildScript string
	// StaticPodNetwork applies the lab's own per-host pod network (bridge CNI, a /24 per host, routes)
	// after the images are imported, for clusters with cni.plugin: none. Off by default: swapboot
	// installs flannel, whose images every host has.
	StaticPodNetwork bool
	// VMWorkers: the last VMWorkers workers are qemu guests (vm.go) with
	// VMMemory of memory (default DefaultVMMemory) and, when VMSpareDisk is
	// set (e.g. "1G"), an empty spare disk /dev/disk/by-id/virtio-spare.
	VMWorkers   int
	VMMemory    string
	VMSpareDisk string
	Log         io.Writer
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,9}$`)

// Normalize fills defaults and validates the options that do not need the host count.
func (o *Options) Normalize() error {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if !nameRE.MatchString(o.Name) {
		return fmt.Errorf("lab name %q: want 1-10 characters [a-z0-9], starting with a letter (interface names are limited to 15 characters)", o.Name)
	}
	if o.Subnet == "" {
		o.Subnet = DefaultSubnet
	}
	if o.StateRoot == "" {
		o.StateRoot = DefaultStateRoot
	}
	if o.CacheRoot == "" {
		o.CacheRoot = os.Getenv("SWAPBOOT_LAB_CACHE")
		if o.CacheRoot == "" {
			o.CacheRoot = DefaultCacheRoot
		}
	}
	if o.CgroupPrefix == "" {
		o.CgroupPrefix = DefaultCgroupPrefix
	}
	if o.K8sVersion == "" {
		o.K8sVersion = DefaultK8sVersion
	}
	if o.VMMemory == "" {
		o.VMMemory = DefaultVMMemory
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	return o.checkRoles()
}

// HostNames returns the host names of an n-host lab: the first is the master.
func HostNames(name string, n int) []string {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if i == 0 {
			out = append(out, name+"-m1")
		} else {
			out = append(out, fmt.Sprintf("%s-w%d", name, i))
		}
	}
	return out
}

// HostIP returns the address of host i (0-based) in subnet: .11, .12, ...
// The bridge (gateway) gets the first address.
func HostIP(subnet string, i int) (ip netip.Addr, gw netip.Addr, bits int, err error) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return ip, gw, 0, fmt.Errorf("subnet %q: %w", subnet, err)
	}
	p = p.Masked()
	if !p.Addr().Is4() || p.Bits() > 24 {
		return ip, gw, 0, fmt.Errorf("subnet %q: want an IPv4 prefix of /24 or larger", subnet)
	}
	base := p.Addr().As4()
	gw = netip.AddrFrom4([4]byte{base[0], base[1], base[2], base[3] + 1})
	n := 11 + i
	if n > 254 {
		return ip, gw, 0, fmt.Errorf("too many hosts for the address plan")
	}
	ip = netip.AddrFrom4([4]byte{base[0], base[1], base[2], base[3] + byte(n)})
	return ip, gw, p.Bits(), nil
}

// matchHost reports whether spec ("lab-w1" or "w1") names host.
func matchHost(lab, host, spec string) bool {
	spec = strings.TrimSpace(spec)
	return spec == host || lab+"-"+spec == host
}

// ParseSizeBytes parses sizes like 64M, 1G, 512K or plain bytes.
func ParseSizeBytes(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "I")
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			s = s[:len(s)-1]
		}
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
