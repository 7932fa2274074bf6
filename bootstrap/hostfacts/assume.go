package hostfacts

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// Assumptions describe hosts for `swapboot plan`, which contacts nothing.
type Assumptions struct {
	KubernetesVersion string
	CgroupV2          bool
	// OldDebLayout: the drop-in at /etc/systemd/system/kubelet.service.d and no /etc/default/kubelet, as the
	// pre-2023 apt packages had it; otherwise the pkgs.k8s.io layout.
	OldDebLayout bool
}

// AssumedFacts makes up the facts of a fresh host, and says what it assumed.
func AssumedFacts(c *cluster.Cluster, a Assumptions) (map[string]Facts, []string) {
	cg := "v1"
	if a.CgroupV2 {
		cg = "v2"
	}
	f := Facts{
		UID: 0, OS: "debian 12", Arch: "x86_64",
		KubeadmVersion: a.KubernetesVersion, KubeletVersion: a.KubernetesVersion,
		CgroupV2: a.CgroupV2, Systemd: true,
		KubeletDropIn:     "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
		KubeletEnvFile:    "/etc/default/kubelet",
		KubeletEnvExists:  true,
		KubeletEnvContent: "KUBELET_EXTRA_ARGS=\n",
		CRISocket:         "unix:///run/containerd/containerd.sock",
		SwapFSType:        "ext4", SwapDirFreeKiB: 100 << 20, SwapFileBytes: -1,
	}
	layout := "pkgs.k8s.io packages (drop-in in /usr/lib/systemd/system/kubelet.service.d, /etc/default/kubelet with KUBELET_EXTRA_ARGS=)"
	if a.OldDebLayout {
		f.KubeletDropIn = "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
		f.KubeletEnvExists, f.KubeletEnvContent = false, ""
		layout = "pre-2023 deb packages (drop-in in /etc/systemd/system/kubelet.service.d, no /etc/default/kubelet)"
	}
	facts := map[string]Facts{}
	var devices bool
	for _, h := range c.Hosts() {
		hf := f
		// What an encrypted area and zram need, and a swap device that is empty (its size unknown: 8 GiB).
		hf.Area = AreaFacts{DMCrypt: true, SystemdCryptsetup: "/usr/lib/systemd/systemd-cryptsetup", Zram: true, Zramctl: true}
		if s, on, _ := c.SwapOf(h); on && s.Type == cluster.SwapTypeDevice {
			hf.Area.Device, hf.Area.DeviceKnown, hf.Area.DeviceKiB = s.Device, true, 8<<20
			devices = true
		}
		hf.Hostname = h.Name
		hf.CNIBinDir, hf.BrNetfilter = DefaultCNIBinDir, true
		hf.CNIPlugins = map[string]string{}
		for _, p := range FlannelDelegates {
			hf.CNIPlugins[p] = DefaultCNIBinDir
		}
		hf.Interfaces = map[string]string{h.Address: "eth0"}
		facts[h.Address] = hf
	}
	notes := []string{
		fmt.Sprintf("every host: kubeadm and kubelet %s, cgroup %s, systemd, containerd", a.KubernetesVersion, cg),
		"every host: " + layout,
		"every host: no swap active, not yet part of a cluster, ext4 at the swap path with room to spare, dm_crypt, zram, systemd-cryptsetup and zramctl available",
		"every host: containerd runs CNI plugins from " + DefaultCNIBinDir + ", where bridge, portmap, host-local and loopback are",
	}
	if devices {
		notes = append(notes, "every swap device: empty (no file system, partition table or mount), 8 GiB")
	}
	if c.ControlPlane != nil && c.ControlPlane.LoadBalancer == cluster.LBKeepalived {
		notes = append(notes, "every master: keepalived, haproxy and curl installed; its address on eth0")
	}
	return facts, notes
}
