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

// swapStep makes host h's swap file; a host configured without swap skips it (and keeps any swap it has:
// the kubelet tolerates swap on every node).
func swapStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts) Step {
	swap, on, why := c.SwapOf(h)
	k := swapKind{path: swap.Path, mib: hostfacts.MiB(swap.SizeBytes), method: swapMethod(f.SwapFSType)}
	s := newStep(k, fmt.Sprintf("%d MiB swap file at %s (%s), one /etc/fstab line", k.mib, k.path, k.method))
	switch {
	case !on:
		s.Summary = "no swap on this host"
		s.Skip = "no swap on this host: " + why
	case hostfacts.SwapAsConfigured(swap, f):
		s.Skip = fmt.Sprintf("%s already active at %d MiB, in /etc/fstab", swap.Path, k.mib)
	}
	return s
}
