package plan

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// swapKind creates the swap file and its /etc/fstab line (templates/scripts/swap.sh).
type swapKind struct {
	path   string
	mib    int64
	method string
}

func (swapKind) Phase() Phase   { return PhaseSwap }
func (swapKind) Column() Column { return Column{Order: 10, Title: "SWAP"} }
func (k swapKind) Script(Runtime) (templates.Script, error) {
	return templates.Swap{SwapPath: k.path, SwapMiB: k.mib, Method: k.method}, nil
}

// swapMethod picks how the swap file is allocated: fallocate is instant but only safe where the
// filesystem supports preallocated swap files; dd from /dev/zero works everywhere else.
func swapMethod(fstype string) string {
	switch fstype {
	case "ext4", "ext2/ext3", "xfs":
		return "fallocate"
	case "btrfs":
		return "btrfs"
	default:
		return "dd"
	}
}

// swapStep sets up host h's swap area: a file, a device, zram, or a file or device behind dm-crypt. A host
// configured without swap skips it (and keeps any swap it has: the kubelet tolerates swap on every node).
func swapStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts) Step {
	swap, on, why := c.SwapOf(h)
	mib := hostfacts.MiB(swap.SizeBytes)
	var s Step
	switch {
	case swap.Encrypt:
		k := swapEncryptedKind{kind: "file", source: swap.Path, mib: mib, method: swapMethod(f.SwapFSType), crypttab: hostfacts.CrypttabFields(swap)}
		what := fmt.Sprintf("%d MiB swap file %s (%s)", mib, swap.Path, k.method)
		if swap.Type == cluster.SwapTypeDevice {
			k = swapEncryptedKind{kind: "device", source: swap.Device, crypttab: hostfacts.CrypttabFields(swap)}
			what = "device " + swap.Device
		}
		s = newStep(k, what+" encrypted with a new random key at every boot (/etc/crypttab), swap on /dev/mapper/"+cluster.SwapCryptName)
	case swap.Type == cluster.SwapTypeDevice:
		s = newStep(swapDeviceKind{device: swap.Device}, "swap on device "+swap.Device+", one /etc/fstab line")
	case swap.Type == cluster.SwapTypeZram:
		s = newStep(swapZramKind{mib: mib}, fmt.Sprintf("%d MiB zram swap (swapboot-zram.service)", mib))
	default:
		k := swapKind{path: swap.Path, mib: mib, method: swapMethod(f.SwapFSType)}
		s = newStep(k, fmt.Sprintf("%d MiB swap file at %s (%s), one /etc/fstab line", k.mib, k.path, k.method))
	}
	switch {
	case !on:
		s.Summary = "no swap on this host"
		s.Skip = "no swap on this host: " + why
	case hostfacts.SwapAsConfigured(swap, f):
		s.Skip = hostfacts.DescribeArea(swap) + activeAs(swap, f) + " already active, set up at boot"
	}
	return s
}

// activeAs is " (/dev/dm-0)" when the area is active under another name than the one configured (the
// mapping of an encrypted area, a zram device).
func activeAs(s cluster.Swap, f hostfacts.Facts) string {
	if f.Area.Name == "" || f.Area.Name == s.Path || f.Area.Name == s.Device {
		return ""
	}
	return " (" + f.Area.Name + ")"
}
