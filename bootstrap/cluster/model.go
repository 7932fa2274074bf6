package cluster

import (
	"fmt"
	"strings"
)

// Cluster is a validated cluster file. Load fills every default, so the rest of swapboot never
// re-derives one.
type Cluster struct {
	// File is the path the cluster was read from, for messages.
	File string
	Name string
	// KubernetesVersion is empty when the file leaves it to kubeadm on the first master.
	KubernetesVersion string
	Masters           []Host
	Workers           []Host
	// ControlPlane is the endpoint in front of several masters (nil: one master, reached at its own
	// address, exactly as before HA existed).
	ControlPlane *ControlPlane `json:",omitempty"`
	Networking   Networking
	Swap         Swap
	// Kubelet, KubeProxy and NodeRegistration are merged into the documents swapboot generates.
	// They are kept as plain YAML maps here; bootstrap/kubeadmcfg checks them against the official types.
	Kubelet          map[string]any
	KubeProxy        map[string]any
	NodeRegistration NodeRegistration
	// KubeletCgroupDriverLine is the line of kubelet.cgroupDriver in the file (0 when left out), for the
	// message when a host's container runtime uses another driver.
	KubeletCgroupDriverLine int `json:"-"`
	// Warnings are problems the file may keep (an even number of masters); commands print them.
	Warnings []string `json:",omitempty"`
}

// LoadBalancer is what serves controlPlane.endpoint.
type LoadBalancer string

const (
	// LBExternal: the user's load balancer already serves the endpoint (the default).
	LBExternal LoadBalancer = "external"
	// LBKeepalived: swapboot configures keepalived (the endpoint's IP as VRRP virtual IP) and haproxy on
	// the masters.
	LBKeepalived LoadBalancer = "keepalived"
)

// ControlPlane is the cluster file's controlPlane: section.
type ControlPlane struct {
	// Endpoint is "host:port" (IPv6 in brackets), kubeadm's controlPlaneEndpoint.
	Endpoint string
	// Host and Port are Endpoint split.
	Host         string
	Port         int
	LoadBalancer LoadBalancer
	// Line is where endpoint: is written, for messages.
	Line int `json:"-"`
}

// APIServerPort is the port every master's own API server listens on (kubeadm's default bind port).
const APIServerPort = 6443

// HA says whether the cluster has more than one master.
func (c *Cluster) HA() bool { return len(c.Masters) > 1 }

// Role of a host in the cluster.
type Role string

const (
	RoleMaster Role = "master"
	RoleWorker Role = "worker"
)

// Host is one machine of the cluster with its effective SSH settings (cluster defaults merged in).
type Host struct {
	Address string
	// Name is the node name; empty means the host's own hostname.
	Name string
	Role Role
	SSH  SSH
	// Line is where the host is declared in the cluster file, for messages.
	Line int
	// Swap is the host's own swap: field (nil: the cluster's swap:, with swap.nodes). Use Cluster.SwapOf.
	Swap *HostSwap
}

// HostSwap is a host's swap: field: none, or the size and path that replace the cluster's (zero: the
// cluster's). The behaviour stays the cluster's: the kubelet's swap settings are chosen per node from
// its cgroup version (plan.KubeletPolicy).
type HostSwap struct {
	None      bool
	SizeBytes int64
	Path      string
	// Type, Device and Encrypt replace the cluster's when set (Type "" and Encrypt nil: the cluster's;
	// a host's device: implies type device, its path: type file).
	Type    SwapType
	Device  string
	Encrypt *bool
	// Line is where the host's swap: is, for the checks of the merged settings.
	Line int `json:"-"`
}

// ID is how a host is named in output: its address (and node name when set).
func (h Host) ID() string {
	if h.Name != "" && h.Name != h.Address {
		return h.Name + "/" + h.Address
	}
	return h.Address
}

// SSH holds how swapboot reaches a host.
type SSH struct {
	User       string
	Port       int
	KeyFile    string // "~" already expanded; empty means ssh-agent only
	KnownHosts string // "~" already expanded
	// HostKey pins the host's public key ("ssh-ed25519 AAAA..."); it overrides KnownHosts.
	HostKey string
	Bastion *Bastion
}

// Bastion is a jump host.
type Bastion struct {
	Address    string
	Port       int
	User       string
	KeyFile    string
	KnownHosts string
	HostKey    string
}

type Networking struct {
	PodSubnet     string
	ServiceSubnet string
	CNI           CNI
}

// CNIPlugin is the cluster file's networking.cni.plugin: the pod network swapboot applies.
type CNIPlugin string

const (
	// CNIFlannel applies the pinned flannel release's manifest (bootstrap/cni).
	CNIFlannel CNIPlugin = "flannel"
	// CNINone applies nothing: the nodes stay NotReady until the user applies a CNI.
	CNINone CNIPlugin = "none"
)

// Flannel backends swapboot renders into net-conf.json.
const (
	BackendVXLAN  = "vxlan"
	BackendHostGW = "host-gw"
)

// CNI is the cluster file's networking.cni.
type CNI struct {
	Plugin CNIPlugin
	// Backend is flannel's backend (vxlan or host-gw); empty with CNINone.
	Backend string
	// ImageRepository replaces the repository of flannel's images (a mirror); empty means the default.
	ImageRepository string
}

// SwapBehavior is the cluster file's swap.behavior.
type SwapBehavior string

const (
	SwapAuto        SwapBehavior = "auto"
	SwapNoSwap      SwapBehavior = "NoSwap"
	SwapLimitedSwap SwapBehavior = "LimitedSwap"
)

type Swap struct {
	// Type is the kind of swap area: a file at Path, the block device Device, or a zram device.
	Type SwapType
	// SizeBytes is a whole number of MiB: the swap file's or the zram device's (a device's is its own).
	SizeBytes int64
	Path      string
	Device    string
	// Encrypt puts the file or device behind dm-crypt (plain mode, a new random key at every boot).
	Encrypt  bool
	Behavior SwapBehavior
	// BehaviorLine is the line of swap.behavior in the file (0 when left out), for the messages of checks
	// that need the hosts' Kubernetes version.
	BehaviorLine int `json:"-"`
	// Nodes says which hosts get swap: all, or workers only (masters then still tolerate swap).
	Nodes SwapNodes
	// Label puts SwapLabel on the nodes that get swap (and takes it off the others); Taint puts SwapTaint on
	// them, so that only pods tolerating it land there.
	Label bool
	Taint bool
	// ProtectSystemDaemons: no swap for system.slice on cgroup v2 hosts with swap (MemorySwapMax=0).
	ProtectSystemDaemons bool
	// Sysctl are the vm settings written on hosts with swap (nil: none).
	Sysctl *SwapSysctl
}

// SwapType is swap.type.
type SwapType string

const (
	SwapTypeFile   SwapType = "file"
	SwapTypeDevice SwapType = "device"
	SwapTypeZram   SwapType = "zram"
)

// SwapCryptName is the dm-crypt mapping of an encrypted swap area (/dev/mapper/swapboot_swap): no dash,
// so its systemd unit names need no escaping.
const SwapCryptName = "swapboot_swap"

// SwapSysctl is swap.sysctl: the vm settings the Kubernetes docs name for swap nodes (nil: not set).
type SwapSysctl struct {
	Swappiness, MinFreeKbytes, WatermarkScaleFactor *int64
}

// Lines renders the settings as an /etc/sysctl.d file ("" when none is set).
func (s *SwapSysctl) Lines() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	for _, kv := range []struct {
		key string
		v   *int64
	}{{"vm.swappiness", s.Swappiness}, {"vm.min_free_kbytes", s.MinFreeKbytes}, {"vm.watermark_scale_factor", s.WatermarkScaleFactor}} {
		if kv.v != nil {
			fmt.Fprintf(&b, "%s = %d\n", kv.key, *kv.v)
		}
	}
	return b.String()
}

// SwapLabel is the label of nodes with swap: Node Feature Discovery's own for swap, so that clusters
// running NFD see one label. SwapTaint's key is swapboot's.
const (
	SwapLabelKey    = "feature.node.kubernetes.io/memory-swap"
	SwapLabelValue  = "true"
	SwapTaintKey    = "swapboot.io/swap"
	SwapTaintValue  = "true"
	SwapTaintEffect = "NoSchedule"
)

// SwapNodes is swap.nodes.
type SwapNodes string

const (
	SwapNodesAll     SwapNodes = "all"
	SwapNodesWorkers SwapNodes = "workers"
)

// SwapOf is the swap host h gets: the cluster's swap: with the host's own size and path, and on says
// whether it gets swap at all (a host's swap: none, or swap.nodes: workers for a master without a swap:
// of its own, means none; why says which).
func (c *Cluster) SwapOf(h Host) (s Swap, on bool, why string) {
	s = c.Swap
	switch {
	case h.Swap != nil && h.Swap.None:
		return s, false, "swap: none for this host"
	case h.Swap != nil:
		hs := h.Swap
		switch {
		case hs.Type != "":
			s.Type = hs.Type
		case hs.Device != "":
			s.Type = SwapTypeDevice
		case s.Type == SwapTypeDevice && (hs.Path != "" || hs.SizeBytes > 0):
			// A host that gives a file's size or path instead of the cluster's device gets a file.
			s.Type = SwapTypeFile
		}
		if hs.SizeBytes > 0 {
			s.SizeBytes = hs.SizeBytes
		}
		if hs.Path != "" {
			s.Path = hs.Path
		}
		if hs.Device != "" {
			s.Device = hs.Device
		}
		if hs.Encrypt != nil {
			s.Encrypt = *hs.Encrypt
		}
		return s, true, ""
	case h.Role == RoleMaster && c.Swap.Nodes == SwapNodesWorkers:
		return s, false, "swap.nodes: workers (masters get no swap)"
	}
	return s, true, ""
}

// NodeRegistration settings applied to every node's init/join configuration.
type NodeRegistration struct {
	CRISocket             string
	ImagePullPolicy       string
	IgnorePreflightErrors []string
	KubeletExtraArgs      map[string]string
}

// Hosts returns masters then workers.
func (c *Cluster) Hosts() []Host {
	all := make([]Host, 0, len(c.Masters)+len(c.Workers))
	all = append(all, c.Masters...)
	return append(all, c.Workers...)
}
