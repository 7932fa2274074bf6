package plan

import (
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// nodeSwapLabelsKind labels and taints the nodes with swap, and takes both off the others, through the
// first master's API (templates/scripts/node-swap-labels.sh).
type nodeSwapLabelsKind struct{ call templates.NodeSwapLabels }

func (nodeSwapLabelsKind) Phase() Phase                               { return PhaseLabels }
func (nodeSwapLabelsKind) Column() Column                             { return Column{Order: 55, Title: "LABELS"} }
func (k nodeSwapLabelsKind) Script(Runtime) (templates.Script, error) { return k.call, nil }

// nodeSwapLabelsStep covers hosts: those with swap (Cluster.SwapOf, and swapOn) get the label and taint
// the cluster file asks for, the others lose them.
func nodeSwapLabelsStep(c *cluster.Cluster, hosts []cluster.Host, facts map[string]hostfacts.Facts, swapOn func(cluster.Host) bool) Step {
	call := templates.NodeSwapLabels{SetLabel: c.Swap.Label, LabelKey: cluster.SwapLabelKey, LabelValue: cluster.SwapLabelValue,
		SetTaint: c.Swap.Taint, TaintKey: cluster.SwapTaintKey, TaintValue: cluster.SwapTaintValue, TaintEffect: cluster.SwapTaintEffect}
	for _, h := range hosts {
		name := nodeNameOrPlaceholder(h, facts[h.Address])
		if swapOn(h) {
			call.SwapNodes = append(call.SwapNodes, name)
		} else {
			call.OtherNodes = append(call.OtherNodes, name)
		}
	}
	var what []string
	if c.Swap.Label {
		what = append(what, "label "+cluster.SwapLabelKey+"="+cluster.SwapLabelValue)
	}
	if c.Swap.Taint {
		what = append(what, "taint "+cluster.SwapTaintKey+"="+cluster.SwapTaintValue+":"+cluster.SwapTaintEffect)
	} else {
		what = append(what, "no taint "+cluster.SwapTaintKey)
	}
	summary := strings.Join(what, ", ") + " on the nodes with swap (" + orNone(call.SwapNodes) + "); off the others (" + orNone(call.OtherNodes) + ")"
	return newStep(nodeSwapLabelsKind{call: call}, summary)
}

// swapConfigured: the host gets swap from the cluster file.
func swapConfigured(c *cluster.Cluster) func(cluster.Host) bool {
	return func(h cluster.Host) bool {
		_, on, _ := c.SwapOf(h)
		return on
	}
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
