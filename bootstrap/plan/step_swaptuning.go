package plan

import (
	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// Where swapboot keeps the settings that go with swap on a host.
const (
	SwapSysctlFile  = "/etc/sysctl.d/90-swapboot-swap.conf"
	swapSysctlOrig  = "/var/lib/swapboot/sysctl.orig"
	SystemSliceFile = "/etc/systemd/system/system.slice.d/90-swapboot-noswap.conf"
	// systemSliceNoSwap keeps system daemons (system.slice: sshd, containerd, the kubelet) out of swap.
	systemSliceNoSwap = "# swapboot: no swap for system daemons (KEP-2400's advice; swap.protectSystemDaemons)\n[Slice]\nMemorySwapMax=0\n"
)

// swapTuningKind writes or removes swapboot's vm sysctl file and system.slice drop-in
// (templates/scripts/swap-tuning.sh).
type swapTuningKind struct{ sysctl, slice string }

func (swapTuningKind) Phase() Phase   { return PhaseSwap }
func (swapTuningKind) Column() Column { return swapKind{}.Column() }
func (k swapTuningKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapTuning{SysctlFile: SwapSysctlFile, SysctlOrig: swapSysctlOrig, SysctlContent: k.sysctl, SliceDropIn: SystemSliceFile, SliceContent: k.slice}, nil
}

// swapTuningStep: a host with swap gets swap.sysctl and, on cgroup v2 with protectSystemDaemons, the
// system.slice drop-in; a host without swap (or when on is false: swap disable) has both removed.
func swapTuningStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, on bool) Step {
	var k swapTuningKind
	if _, hasSwap, _ := c.SwapOf(h); hasSwap && on {
		k.sysctl = c.Swap.Sysctl.Lines()
		if c.Swap.ProtectSystemDaemons && f.CgroupV2 {
			k.slice = systemSliceNoSwap
		}
	}
	summary := "no swap settings of swapboot's (removed if there)"
	switch {
	case k.sysctl != "" && k.slice != "":
		summary = "vm sysctls in " + SwapSysctlFile + "; no swap for system.slice (" + SystemSliceFile + ")"
	case k.sysctl != "":
		summary = "vm sysctls in " + SwapSysctlFile
	case k.slice != "":
		summary = "no swap for system.slice (" + SystemSliceFile + ")"
	}
	s := newStep(k, summary)
	s.Files = map[string]string{}
	if k.sysctl != "" {
		s.Files[SwapSysctlFile] = k.sysctl
	}
	if k.slice != "" {
		s.Files[SystemSliceFile] = k.slice
	}
	return s
}
