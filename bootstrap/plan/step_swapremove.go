package plan

import (
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// swapRemoveKind turns off and removes the swap file swapboot created (templates/scripts/swap-remove.sh).
type swapRemoveKind struct{ path string }

func (swapRemoveKind) Phase() Phase   { return PhaseSwap }
func (swapRemoveKind) Column() Column { return swapKind{}.Column() }
func (k swapRemoveKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapRemove{SwapPath: k.path, CryptName: cluster.SwapCryptName}, nil
}

// swapRemoveStep is skipped when the host has no swap area of swapboot's (and, when activeCounts, the
// configured one is not active either). It removes every area swapboot recorded on the host, also for a
// host now configured without swap or with another area: what swapboot made earlier is still removed.
func swapRemoveStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, activeCounts bool) Step {
	swap, _, _ := c.SwapOf(h)
	s := newStep(swapRemoveKind{path: swap.Path}, "swapoff and remove the swap areas swapboot made here"+madeList(f)+", with their /etc/fstab and /etc/crypttab lines")
	if !f.SwapbootMadeAny() && (!activeCounts || f.SwapActiveKiB == 0) {
		s.Skip = "no swap area of swapboot's here"
	}
	return s
}

// madeList names the areas swapboot recorded on the host, for the step's summary.
func madeList(f hostfacts.Facts) string {
	made := append([]string(nil), f.SwapbootAreas...)
	if f.SwapbootSwapfile != "" {
		made = append(made, "file "+f.SwapbootSwapfile)
	}
	if len(made) == 0 {
		return ""
	}
	return " (" + strings.Join(made, ", ") + ")"
}
