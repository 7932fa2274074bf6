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
func swapRemoveStep(c *cluster.Cluster, f hostfacts.Facts, activeCounts bool) Step {
	s := newStep(swapRemoveKind{path: c.Swap.Path}, "swapoff and remove "+c.Swap.Path+" and its /etc/fstab line (only if swapboot created it)")
	if f.SwapbootSwapfile != c.Swap.Path && (!activeCounts || f.SwapActiveKiB == 0) {
		s.Skip = "no swap file of swapboot's at " + c.Swap.Path
	}
	return s
}
