package hostfacts

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// Facts is what templates/facts.sh reports about one host. Gathering changes nothing on the host.
type Facts struct {
	UID            int
	Hostname       string
	OS             string
	Kernel         string
	Arch           string
	MemKiB         int64
	KubeadmVersion string // "v1.37.2"; empty when kubeadm is missing
	KubeletVersion string
	CgroupV2       bool
	Systemd        bool
	// KubeletDropIn is the 10-kubeadm.conf the kubelet unit uses; KubeletEnvFile the env file it reads
	// KUBELET_EXTRA_ARGS from (/etc/default/kubelet or /etc/sysconfig/kubelet).
	KubeletDropIn     string
	KubeletEnvFile    string
	KubeletEnvExists  bool
	KubeletEnvContent string
	KubeletActive     string
	KubeletConfig     string // /var/lib/kubelet/config.yaml, when present
	CRISocket         string
	// RuntimeCgroupDriver is the container runtime's cgroup driver (systemd or cgroupfs; "" when it could
	// not be read: not containerd, or no containerd binary). The kubelet's cgroupDriver must match it.
	RuntimeCgroupDriver string
	// CNIBinDir is the directory the runtime runs CNI plugins from (containerd's CRI cni bin_dir; "" when
	// unknown: not containerd, or no containerd binary).
	CNIBinDir string
	// CNIPlugins says where each CNI plugin a pod network delegates to was found (bridge, portmap,
	// host-local, loopback: CNIBinDir first, then /opt/cni/bin); "" when in neither.
	CNIPlugins map[string]string
	// BrNetfilter: the br_netfilter module is loaded or built in. BridgeNFCallIptables and IPForward are
	// the sysctls' values ("" when unreadable).
	BrNetfilter          bool
	BridgeNFCallIptables string
	IPForward            string
	ControlPlane         bool // /etc/kubernetes/admin.conf exists
	// JoinLeftovers: an interrupted kubeadm join left /etc/kubernetes/bootstrap-kubelet.conf or pki/ca.crt
	// but no kubelet.conf.
	JoinLeftovers bool
	// InitFinalized: kubeadm init reached its kubelet-finalize phase (kubelet.conf points at the rotatable
	// client certificate): init finished, whatever the API answers now.
	InitFinalized bool
	// AdminAPI is what the API answered through admin.conf to the rights later steps need: "ok",
	// "forbidden", "unanswered", "no-kubectl"; "" without admin.conf.
	AdminAPI string
	// APINodes are the Nodes the API knows (read when AdminAPI is "ok").
	APINodes       []string
	Joined         bool // /etc/kubernetes/kubelet.conf exists
	SwapFSType     string
	SwapDirFreeKiB int64
	SwapFileBytes  int64 // -1 when the file does not exist
	SwapActiveKiB  int64 // 0 when the configured file is not active
	SwapsActive    int   // active swap areas, any path
	SwapsTotalKiB  int64
	FstabEntries   int
	SwapUsedKiB    int64
	// SwapAreas is every line of /proc/swaps with its kind (swapareas.go).
	SwapAreas []SwapArea
	// SwapbootSwapfile is the swap file swapboot created on this host (its marker), if any.
	SwapbootSwapfile string
	// SwapbootAreas are the other swap areas swapboot made here (its records): device, encrypted, zram.
	SwapbootAreas []string
	// Area: the configured area's kind-specific facts (swaparea.go).
	Area AreaFacts
	// KubeadmFlags is /var/lib/kubelet/kubeadm-flags.env (KUBELET_KUBEADM_ARGS).
	KubeadmFlags string
	// KubeletConfigMap and its content: on a control plane, the cluster-wide kubelet configuration.
	KubeletConfigMap        string
	KubeletConfigMapContent string
	// HA (ha.go): Interfaces maps each address of the host to its interface; LBMissing lists which of
	// keepalived, haproxy and curl are not installed.
	Interfaces map[string]string
	LBMissing  []string
	// ControlPlaneManifests: /etc/kubernetes/manifests holds etcd.yaml and kube-apiserver.yaml.
	ControlPlaneManifests bool
	// ClusterNodes are the Node names the API answered on a control plane; ClusterNodesKnown says it
	// answered (false: not a control plane, or the API did not answer).
	ClusterNodes      []string
	ClusterNodesKnown bool
}

// ParseFacts reads the "@swapboot fact key=value" lines of facts.sh output.
func ParseFacts(stdout string) (Facts, error) {
	f := Facts{SwapFileBytes: -1}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "@swapboot fact ")
		if !ok {
			continue
		}
		key, value, _ := strings.Cut(rest, "=")
		if err := f.set(key, value); err != nil {
			return f, fmt.Errorf("fact %s: %w", key, err)
		}
	}
	return f, sc.Err()
}

func (f *Facts) set(key, v string) error {
	var err error
	num := func() int64 {
		if v == "" {
			return 0
		}
		n, e := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if e != nil {
			err = e
		}
		return n
	}
	decode := func() string {
		b, e := base64.StdEncoding.DecodeString(v)
		if e != nil {
			err = e
		}
		return string(b)
	}
	switch key {
	case "uid":
		f.UID = int(num())
	case "hostname":
		f.Hostname = v
	case "os":
		f.OS = v
	case "kernel":
		f.Kernel = v
	case "arch":
		f.Arch = v
	case "mem_kib":
		f.MemKiB = num()
	case "kubeadm_version":
		f.KubeadmVersion = v
	case "kubelet_version":
		f.KubeletVersion = v
	case "cgroup":
		f.CgroupV2 = v == "v2"
	case "init":
		f.Systemd = v == "systemd"
	case "kubelet_dropin":
		f.KubeletDropIn = v
	case "kubelet_env_file":
		f.KubeletEnvFile = v
	case "kubelet_env_exists":
		f.KubeletEnvExists = v == "yes"
	case "kubelet_env_content":
		f.KubeletEnvContent = decode()
	case "kubelet_active":
		f.KubeletActive = v
	case "kubelet_config":
		f.KubeletConfig = decode()
	case "cri_socket":
		f.CRISocket = v
	case "runtime_cgroup_driver":
		f.RuntimeCgroupDriver = v
	case "cni_bin_dir":
		f.CNIBinDir = v
	case "cni_plugins":
		f.CNIPlugins = map[string]string{}
		for _, pair := range strings.Fields(v) {
			name, dir, _ := strings.Cut(pair, "=")
			f.CNIPlugins[name] = dir
		}
	case "br_netfilter":
		f.BrNetfilter = v == "yes"
	case "bridge_nf_call_iptables":
		f.BridgeNFCallIptables = v
	case "ip_forward":
		f.IPForward = v
	case "join_leftovers":
		f.JoinLeftovers = v == "yes"
	case "init_finalized":
		f.InitFinalized = v == "yes"
	case "admin_api":
		f.AdminAPI = v
	case "api_nodes":
		f.APINodes = strings.Fields(v)
	case "control_plane":
		f.ControlPlane = v == "yes"
	case "joined":
		f.Joined = v == "yes"
	case "swap_fstype":
		f.SwapFSType = v
	case "swap_dir_free_kib":
		f.SwapDirFreeKiB = num()
	case "swap_file_bytes":
		f.SwapFileBytes = num()
	case "swap_active_kib":
		f.SwapActiveKiB = num()
	case "swaps_active":
		f.SwapsActive = int(num())
	case "swaps_total_kib":
		f.SwapsTotalKiB = num()
	case "fstab_entries":
		f.FstabEntries = int(num())
	case "swap_used_kib":
		f.SwapUsedKiB = num()
	case "swap_areas":
		f.SwapAreas, err = parseSwapAreas(v)
	case "swapboot_swapfile":
		f.SwapbootSwapfile = v
	case "swapboot_areas":
		f.SwapbootAreas = strings.Fields(v)
	case "swap_area":
		f.Area.Name = v
	case "swap_crypttab":
		f.Area.Crypttab = v
	case "swap_crypttab_entries":
		f.Area.CrypttabEntries = int(num())
	case "swap_device":
		f.Area.Device, f.Area.DeviceKnown = v, true
	case "swap_device_kib":
		f.Area.DeviceKiB = num()
	case "swap_device_fstype":
		f.Area.DeviceFSType = v
	case "swap_device_pttype":
		f.Area.DevicePTType = v
	case "swap_device_mounts":
		f.Area.DeviceMounts = strings.Fields(v)
	case "swap_device_holders":
		f.Area.DeviceHolders = strings.Fields(v)
	case "dm_crypt":
		f.Area.DMCrypt = v == "yes"
	case "systemd_cryptsetup":
		f.Area.SystemdCryptsetup = v
	case "zram":
		f.Area.Zram = v == "yes"
	case "zramctl":
		f.Area.Zramctl = v == "yes"
	case "kubeadm_flags":
		f.KubeadmFlags = decode()
	case "kubelet_configmap":
		f.KubeletConfigMap = v
	case "kubelet_configmap_content":
		f.KubeletConfigMapContent = decode()
	case "addresses":
		f.Interfaces = parseAddresses(v)
	case "lb_missing":
		f.LBMissing = strings.Fields(v)
	case "cp_manifests":
		f.ControlPlaneManifests = v == "yes"
	case "cluster_nodes":
		f.ClusterNodes, f.ClusterNodesKnown = strings.Fields(v), true
	}
	// Unknown keys are ignored: a newer facts.sh may report more than this swapboot reads.
	return err
}

// NodeName is the name the API server knows a host by: its name in the cluster file, else its hostname.
func NodeName(h cluster.Host, f Facts) string {
	if h.Name != "" {
		return h.Name
	}
	return strings.ToLower(f.Hostname)
}

// SwapAsConfigured is the one rule for "swap is already as configured", used by the plan (the swap step
// is skipped), the checks (no space needed) and status. It mirrors the swap scripts' own tests: the area
// is active with exactly one entry that brings it back at boot (an /etc/fstab line; zram: its enabled
// unit; encrypted: also swapboot's one /etc/crypttab line); a file or zram at the configured size
// (/proc/swaps does not count the header page, so up to 4 KiB less), a device at whatever size it has.
func SwapAsConfigured(want cluster.Swap, f Facts) bool {
	if f.SwapActiveKiB <= 0 || f.FstabEntries != 1 {
		return false
	}
	if want.Encrypt && (f.Area.CrypttabEntries != 1 || f.Area.Crypttab != CrypttabFields(want)) {
		return false
	}
	if want.Type == cluster.SwapTypeDevice {
		return true
	}
	diff := KiB(want.SizeBytes) - f.SwapActiveKiB
	return diff >= 0 && diff <= 4
}

// KiB and MiB convert a size in bytes, rounding down: the one place sizes change unit.
func KiB(bytes int64) int64 { return bytes >> 10 }

func MiB(bytes int64) int64 { return bytes >> 20 }
