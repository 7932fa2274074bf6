package run

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/internal/golden"
)

func TestParseSummarySwap(t *testing.T) {
	got := parseSummarySwap("@swapboot fact api=ok\nw1\tTrue\t10.0.0.2\t1073741824\n" +
		"@swapboot summary-swap w1\t12582912\t\n" +
		"@swapboot summary-swap w2\t0\t536870912\n" +
		"@swapboot summary-swap w3\t\t\n" + // a kubelet that reports no swap (before 1.28)
		"@swapboot summary-swap w4\tlots\t-1\n" + // not counts: not reported
		"@swapboot summary-swap w5\n" +
		"@swapboot summary-swap \t1\t2\n" + // no node: ignored
		"@swapboot cni-pod w1\tRunning\ttrue\n")
	str := func(p *int64) string {
		if p == nil {
			return "nil"
		}
		return strconv.FormatInt(*p, 10)
	}
	want := map[string][2]string{"w1": {"12582912", "nil"}, "w2": {"0", "536870912"}, "w3": {"nil", "nil"}, "w4": {"nil", "nil"}, "w5": {"nil", "nil"}}
	if len(got) != len(want) {
		t.Errorf("%d nodes, want %d: %v", len(got), len(want), got)
	}
	for node, w := range want {
		s, ok := got[node]
		if !ok || str(s.UsageBytes) != w[0] || str(s.AvailableBytes) != w[1] {
			t.Errorf("%s: usage %s available %s (found %v), want %v", node, str(s.UsageBytes), str(s.AvailableBytes), ok, w)
		}
	}
}

// swapKindsCluster is a cluster with a host for each kind of swap area, one without swap, one with
// several areas, and one that cannot be reached.
const swapKindsCluster = `name: lab
masters: [{address: 10.0.0.1, name: m1, swap: none}]
workers:
  - {address: 10.0.0.2, name: w-file}
  - {address: 10.0.0.3, name: w-device, swap: none}
  - {address: 10.0.0.4, name: w-zram, swap: none}
  - {address: 10.0.0.5, name: w-crypt, swap: none}
  - {address: 10.0.0.6, name: w-several}
  - {address: 10.0.0.7, name: w-down}
`

// swapKindsDial answers facts.sh and nodes.sh for swapKindsCluster's hosts.
func swapKindsDial(_ context.Context, h cluster.Host) (Conn, error) {
	areas := map[string]string{
		"10.0.0.1": "",
		"10.0.0.2": "/swapfile:file:1048572:12288:-2:",
		"10.0.0.3": "/dev/vdb:device:2097148:0:-2:",
		"10.0.0.4": "/dev/zram0:zram:1048572:51200:100:",
		"10.0.0.5": "/dev/dm-0:encrypted:524284:0:-2:swapboot_swap",
		"10.0.0.6": `/swapfile:file:1048572:0:-2: /dev/zram0:zram:524284:1024:100: /var/swap\040file:file:65532:0:-3:`,
	}
	a, ok := areas[h.Address]
	if !ok {
		return nil, errors.New("connection refused")
	}
	cfg := base64.StdEncoding.EncodeToString([]byte("failSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\n"))
	facts := "@swapboot fact kubelet_active=active\n@swapboot fact joined=yes\n@swapboot fact cgroup=v2\n@swapboot fact kubelet_version=v1.37.2\n" +
		"@swapboot fact kubelet_config=" + cfg + "\n@swapboot fact swap_areas=" + a + "\n@swapboot fact swaps_active=" + strconv.Itoa(len(strings.Fields(a))) + "\n"
	if strings.Contains(a, "/swapfile:") {
		facts += "@swapboot fact swap_active_kib=1048572\n@swapboot fact fstab_entries=1\n@swapboot fact swap_used_kib=12288\n"
	}
	if h.Role == cluster.RoleMaster {
		facts += "@swapboot fact control_plane=yes\n@swapboot fact admin_api=ok\n@swapboot fact init_finalized=yes\n@swapboot fact api_nodes=m1\n"
	}
	nodes := "@swapboot fact api=ok\n" +
		"m1\tTrue\t10.0.0.1\t0\t\t\n" +
		"w-file\tTrue\t10.0.0.2\t1073737728\ttrue\t\n" +
		"w-device\tTrue\t10.0.0.3\t2147479552\ttrue\tNoSchedule\n" +
		"w-zram\tTrue\t10.0.0.4\t1073737728\ttrue\t\n" +
		"w-crypt\tTrue\t10.0.0.5\t536866816\ttrue\t\n" +
		"w-several\tTrue\t10.0.0.6\t\ttrue\t\n" +
		"@swapboot summary-swap m1\t0\t\n" +
		"@swapboot summary-swap w-file\t12582912\t\n" +
		"@swapboot summary-swap w-device\t0\t\n" +
		"@swapboot summary-swap w-zram\t52428800\t1021313024\n" +
		// w-crypt's kubelet did not answer; w-several's is older than the Summary API's swap.
		"@swapboot summary-swap w-several\t\t\n"
	for _, n := range []string{"m1", "w-file", "w-device", "w-zram", "w-crypt", "w-several"} {
		nodes += "@swapboot cni-pod " + n + "\tRunning\ttrue\n"
	}
	return statusHost{facts: facts, nodes: nodes}, nil
}

// status shows every swap area with its kind (file, device, zram, encrypted, several, none), used and
// total from /proc/swaps, next to what the API says: the capacity in the node's status, the usage (and
// the available swap when reported) from the kubelet's Summary API; -o json carries every field.
func TestStatusShowsSwapAreasByKindAndTheAPIsView(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(file, []byte(swapKindsCluster), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "json"} {
		var out bytes.Buffer
		err := ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Dial: swapKindsDial, Out: &out, Output: format})
		if err == nil {
			t.Errorf("%s: status passed with an unreachable host", format)
		}
		ext := map[string]string{"table": ".txt", "json": ".json"}[format]
		golden.Check(t, filepath.Join("testdata", "status-swap-kinds"+ext), out.Bytes())
		if format != "json" {
			continue
		}
		var st []NodeStatus
		if err := json.Unmarshal(out.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		several := st[5]
		if len(several.ProcSwaps) != 3 || several.ProcSwaps[2].Name != "/var/swap file" || several.ProcSwaps[1].Kind != hostfacts.SwapKindZram {
			t.Errorf("w-several's areas in json: %+v", several.ProcSwaps)
		}
		if s := st[3].SummarySwap; s == nil || s.UsageBytes == nil || *s.UsageBytes != 52428800 || s.AvailableBytes == nil || *s.AvailableBytes != 1021313024 {
			t.Errorf("w-zram's summarySwap in json: %+v", s)
		}
		if st[4].SummarySwap != nil || st[4].ProcSwaps[0].Mapper != "swapboot_swap" {
			t.Errorf("w-crypt: summarySwap %+v (its kubelet did not answer), areas %+v", st[4].SummarySwap, st[4].ProcSwaps)
		}
		if st[0].ProcSwaps == nil || len(st[0].ProcSwaps) != 0 || st[6].ProcSwaps != nil {
			t.Errorf("no swap must be an empty list, an unreachable host null: %v %v", st[0].ProcSwaps, st[6].ProcSwaps)
		}
	}
}

// A node labelled but not tainted ends its nodes.sh line with an empty column (a tab): its label is kept.
func TestParseNodesKeepsALabelWithoutATaint(t *testing.T) {
	_, nodes := parseNodes("@swapboot fact api=ok\nw1\tTrue\t10.0.0.2\t1073741824\ttrue\t\nw2\tTrue\t10.0.0.3\t1073741824\ttrue\tNoSchedule\nw3\tTrue\t10.0.0.4\t0\t\t\n")
	for name, want := range map[string][2]string{"w1": {"true", ""}, "w2": {"true", "NoSchedule"}, "w3": {"", ""}} {
		if n := nodes[name]; n.SwapLabel != want[0] || n.SwapTaint != want[1] {
			t.Errorf("%s: label %q taint %q, want %q", name, n.SwapLabel, n.SwapTaint, want)
		}
	}
}
