package run

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// SummarySwap is a node's swap as its kubelet reports it in the Summary API (stats/summary, node.swap,
// kubelets since 1.28), in bytes; a field is nil when the kubelet does not report it (available: only
// when the node's cgroup has a swap limit).
type SummarySwap struct {
	UsageBytes     *int64 `json:"swapUsageBytes,omitempty"`
	AvailableBytes *int64 `json:"swapAvailableBytes,omitempty"`
}

// parseSummarySwap reads nodes.sh's "@swapboot summary-swap NODE<TAB>USAGE<TAB>AVAILABLE" lines: per node
// whose kubelet answered, what it reported (a value that is not a count is taken as not reported).
func parseSummarySwap(out string) map[string]SummarySwap {
	nodes := map[string]SummarySwap{}
	for _, f := range taggedLines(out, "summary-swap", 1) {
		var s SummarySwap
		if len(f) > 1 {
			s.UsageBytes = count(f[1])
		}
		if len(f) > 2 {
			s.AvailableBytes = count(f[2])
		}
		nodes[f[0]] = s
	}
	return nodes
}

// taggedLines are the tab-separated fields of nodes.sh's "@swapboot TAG ..." lines that have at least min
// fields and a node name first.
func taggedLines(out, tag string, min int) [][]string {
	var lines [][]string
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "@swapboot "+tag+" ")
		if !ok {
			continue
		}
		if f := strings.Split(rest, "\t"); len(f) >= min && f[0] != "" {
			lines = append(lines, f)
		}
	}
	return lines
}

// count reads a non-negative number of nodes.sh's output (nil when it is not one).
func count(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// swapColumns are the table's swap columns: what /proc/swaps says (the kinds of the areas and their
// total size; what is used of them), and what the API says (the capacity in the node's status; the
// usage, and the available swap when reported, from the kubelet's Summary API).
func swapColumns(s NodeStatus) (swap, used, apiSwap, apiUsed string) {
	swap, used, apiSwap, apiUsed = "-", "-", "-", "-"
	if s.ProcSwaps != nil {
		size, inUse := hostfacts.SwapTotals(s.ProcSwaps)
		swap, used = "off", mib(inUse<<10)
		if len(s.ProcSwaps) > 0 {
			swap = swapKinds(s.ProcSwaps) + " " + mib(size<<10)
		}
	}
	if s.NodeSwapCapacity != nil {
		apiSwap = mib(*s.NodeSwapCapacity)
	}
	if s.SummarySwap != nil && s.SummarySwap.UsageBytes != nil {
		apiUsed = mib(*s.SummarySwap.UsageBytes)
		if s.SummarySwap.AvailableBytes != nil {
			apiUsed += " (" + mib(*s.SummarySwap.AvailableBytes) + " available)"
		}
	}
	return swap, used, apiSwap, apiUsed
}

// swapKinds names the kinds of the areas, each once, in /proc/swaps order: file, zram+file, ...
func swapKinds(areas []hostfacts.SwapArea) string {
	var kinds []string
	seen := map[hostfacts.SwapKind]bool{}
	for _, a := range areas {
		if !seen[a.Kind] {
			seen[a.Kind] = true
			kinds = append(kinds, string(a.Kind))
		}
	}
	return strings.Join(kinds, "+")
}

// printSwapAreas lists every host's swap areas under the table, one line each.
func printSwapAreas(w io.Writer, statuses []NodeStatus) {
	header := false
	for _, s := range statuses {
		for _, a := range s.ProcSwaps {
			if !header {
				fmt.Fprintln(w, "\nswap areas (/proc/swaps)")
				header = true
			}
			name := a.Name
			if a.Mapper != "" {
				name += " (" + a.Mapper + ")"
			}
			fmt.Fprintf(w, "  %s: %s %s %s, %s used, priority %d\n", s.Host, a.Kind, name, mib(a.SizeKiB<<10), mib(a.UsedKiB<<10), a.Priority)
		}
	}
}

// mib words a size in bytes in MiB, rounded to the nearest, as the table's other columns.
func mib(bytes int64) string { return fmt.Sprintf("%dMiB", (bytes+1<<19)>>20) }
