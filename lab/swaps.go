package lab

import (
	"fmt"
	"strconv"
	"strings"
)

// SwapEntry is one line of /proc/swaps.
type SwapEntry struct {
	Path   string
	Type   string
	SizeKB int64
	UsedKB int64
	Prio   int64
}

// ParseSwaps parses /proc/swaps (paths are octal-escaped by the kernel).
func ParseSwaps(text string) []SwapEntry {
	var out []SwapEntry
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 5 {
			continue
		}
		e := SwapEntry{Path: unescapeOctal(f[0]), Type: f[1]}
		e.SizeKB, _ = strconv.ParseInt(f[2], 10, 64)
		e.UsedKB, _ = strconv.ParseInt(f[3], 10, 64)
		e.Prio, _ = strconv.ParseInt(f[4], 10, 64)
		out = append(out, e)
	}
	return out
}

// Probe says whether path is an active swap file on the host's own root and
// returns its size in bytes.
type Probe func(path string) (active bool, size int64)

// FilterSwaps keeps the entries of the machine's /proc/swaps that are active
// swap files of one host. All hosts' files print with host-relative paths
// (often all "/swapfile"), so each path is resolved inside the host's root;
// a path is one swap area at most, and when several areas share a path the
// one whose size matches the host's file is taken.
func FilterSwaps(all []SwapEntry, probe Probe) []SwapEntry {
	var out []SwapEntry
	done := map[string]bool{}
	for _, e := range all {
		if done[e.Path] || e.Type != "file" {
			continue
		}
		done[e.Path] = true
		active, size := probe(e.Path)
		if !active {
			continue
		}
		want := size/1024 - 4 // the header page is not usable swap
		best := -1
		for i, c := range all {
			if c.Path != e.Path || c.Type != "file" {
				continue
			}
			if best < 0 || abs64(c.SizeKB-want) < abs64(all[best].SizeKB-want) {
				best = i
			}
		}
		out = append(out, all[best])
	}
	return out
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// RenderSwaps prints entries in the kernel's /proc/swaps format.
func RenderSwaps(es []SwapEntry) string {
	var b strings.Builder
	b.WriteString("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")
	for _, e := range es {
		p := escapeSwapPath(e.Path)
		pad := 1
		if len(p) < 40 {
			pad = 40 - len(p)
		}
		typ := "file\t\t"
		if e.Type != "file" {
			typ = e.Type + "\t"
		}
		b.WriteString(p + strings.Repeat(" ", pad) + typ)
		fmt.Fprintf(&b, "%d\t", e.SizeKB)
		if e.SizeKB < 10000000 {
			b.WriteByte('\t')
		}
		fmt.Fprintf(&b, "%d\t", e.UsedKB)
		if e.UsedKB < 10000000 {
			b.WriteByte('\t')
		}
		fmt.Fprintf(&b, "%d\n", e.Prio)
	}
	return b.String()
}

func escapeSwapPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case ' ', '\t', '\n', '\\':
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FilterMeminfo rewrites SwapTotal and SwapFree of /proc/meminfo to the sum of
// the host's swap areas.
func FilterMeminfo(meminfo string, es []SwapEntry) string {
	var total, used int64
	for _, e := range es {
		total += e.SizeKB
		used += e.UsedKB
	}
	lines := strings.SplitAfter(meminfo, "\n")
	for i, l := range lines {
		var v int64
		switch {
		case strings.HasPrefix(l, "SwapTotal:"):
			v = total
		case strings.HasPrefix(l, "SwapFree:"):
			v = total - used
		default:
			continue
		}
		label := l[:strings.IndexByte(l, ':')+1]
		lines[i] = fmt.Sprintf("%-16s%8d kB\n", label, v)
	}
	return strings.Join(lines, "")
}
