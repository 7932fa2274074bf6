package plan

import (
	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// swapRemoveKind turns off and removes the swap file swapboot created (templates/scripts/swap-remove.sh).
type swapRemoveKind struct{ path string }

func (swapRemoveKind) Phase() Phase   { return PhaseSwap }
func (swapRemoveKind) Column() Column { return swapKind{}.Column() }
func (k swapRemoveKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapRemove{SwapPath: k.path}, nil
}

// swapRemoveStep is skipped when the host has no swap file of swapboot's (and, when activeCounts, no
// active swap at all).
// The path is host h's (its own swap.path, or the cluster's), also for a host now configured without
// swap: what swapboot made there earlier is still removed.
func swapRemoveStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, activeCounts bool) Step {
	swap, _, _ := c.SwapOf(h)
	s := newStep(swapRemoveKind{path: swap.Path}, "swapoff and remove "+swap.Path+" and its /etc/fstab line (only if swapboot created it)")
	if f.SwapbootSwapfile != swap.Path && (!activeCounts || f.SwapActiveKiB == 0) {
		s.Skip = "no swap file of swapboot's at " + swap.Path
	}
	return s
}
