package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// BenchmarkCluster: figure 1 (`swapboot up` on 1 master + 2 workers against its critical path), figure 3
// for `up` and for `status` on a cluster, and the real `up --dry-run` at 1 and 3 hosts, on the lab with
// the Kubernetes payload (real swap: 3 files of the lab cluster file's size).
func BenchmarkCluster(b *testing.B) {
	requireRoot(b)
	printHeader()
	fmt.Printf("%s: load average %s\n", b.Name(), loadavg())
	defer func() { fmt.Printf("%s: load average at its end %s\n", b.Name(), loadavg()) }()
	swapboot, _ := binaries(b)
	if _, err := os.Stat(filepath.Join(lab.K8sDir(lab.DefaultCacheRoot, k8sVersion), "DONE")); err != nil && os.Getenv("SWAPBOOT_LAB_CACHE") == "" {
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING figure 1: Kubernetes %s is not built in %s yet (make demo, or bin/lab up 1, builds it once, ~12 min) ***\n",
			k8sVersion, lab.DefaultCacheRoot)
		b.Skip("Kubernetes build missing")
	}
	if _, err := os.Stat(filepath.Join(lab.FlannelDir(lab.DefaultCacheRoot), "DONE")); err != nil && os.Getenv("SWAPBOOT_LAB_CACHE") == "" {
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING figure 1: flannel is not built in %s yet (make flannel builds it once, about a minute) ***\n", lab.DefaultCacheRoot)
		b.Skip("flannel build missing")
	}
	if !requireSwapSlots(b, 3) {
		b.Skip("not enough free swap areas on the machine for a 3-node cluster with swap")
	}
	l := startLab(b, 3, true)
	tmp := b.TempDir()
	hosts := l.state.Hosts
	file := lab.NewPaths(l.opts.StateRoot, l.opts.Name).ClusterFile()
	master := l.clusterFile(b, filepath.Join(tmp, "master"), l.endpoints(b, 1), nil)

	// What facts.sh costs on a host with kubeadm and kubelet (before up, as the dry run sees it).
	figure("2-cpu", nil, "Kubernetes lab: %s", factsCost(b, l, hosts[1], 10, []factsVariant{fullFacts, noSystemctl, noVersions}))

	// The real dry run (facts from hosts with kubeadm and kubelet, plan, every script printed), before up.
	dry := map[int]series{}
	for round := 0; round < 3; round++ {
		for _, f := range []struct {
			n    int
			file string
		}{{1, master}, {3, file}} {
			r := measure(b, l, 2*time.Minute, true, swapboot, "up", "--dry-run", "--scripts", f.file)
			if r.Exit != 0 || !strings.Contains(r.Out, "# dry run") {
				b.Fatalf("swapboot up --dry-run (%d hosts): exit %d\n%s", f.n, r.Exit, tail(r.Out, 30))
			}
			r.Out = ""
			dry[f.n] = append(dry[f.n], r)
		}
	}
	d1, d3 := dry[1].median(), dry[3].median()
	figure("5-dryrun", nil, "up --dry-run on the Kubernetes lab: 1 host %s, 3 hosts %s (%.2fx), peak RSS %s (median of 3)",
		secs(d1.Wall), secs(d3.Wall), d3.Wall.Seconds()/d1.Wall.Seconds(), mib(max(dry[1].maxRSS(), dry[3].maxRSS())))

	// Figure 1 and figure 3 for up.
	report := filepath.Join(tmp, "report.json")
	var up run
	perHost := l.loginsDuring(b, hosts, func() {
		up = measure(b, l, 20*time.Minute, true, swapboot, "up", "--kubeconfig-dir", tmp, "--report", report, file)
	})
	if up.Exit != 0 {
		b.Fatalf("swapboot up: exit %d\n%s", up.Exit, tail(up.Out, 60))
	}
	rep := readReport(b, report)
	steps := map[string]int{}
	byIP := map[string]string{}
	for _, h := range hosts {
		byIP[h.IP] = h.Name
	}
	for _, h := range rep.Hosts {
		steps[byIP[h.Host]] = len(h.Steps)
	}
	connectionsFigure("3-up", "up on 1 master + 2 workers", perHost, steps)

	phase := func(name string) (slowest time.Duration, on string) {
		for _, h := range rep.Hosts {
			for _, s := range h.Steps {
				if s.Phase == name && s.Duration > slowest {
					slowest, on = s.Duration, h.Host
				}
			}
		}
		return slowest, on
	}
	swap, _ := phase("swap")
	initD, _ := phase("init")
	join, _ := phase("join")
	critical := swap + initD + join
	ratio := up.Wall.Seconds() / critical.Seconds()
	figure("1-up", check(ratio <= 1.15), "up wall / critical path = %s / %s = %.3f (target <= 1.15); critical path = slowest swap %s + init %s + slowest join %s",
		secs(up.Wall), secs(critical), ratio, secs(swap), secs(initD), secs(join))
	b.ReportMetric(ratio, "up-wall/critical-path")

	// Where the rest went: stages are barriers, so each stage lasts as long as its slowest step.
	var stages []string
	var staged time.Duration
	for _, p := range []string{"swap", "kubelet", "init", "join-material", "join", "ready", "kubeconfig"} {
		if d, on := phase(p); on != "" {
			stages = append(stages, fmt.Sprintf("%s %s", p, secs(d)))
			staged += d
		}
	}
	elapsed := time.Duration(rep.ElapsedNanos)
	figure("1-up", nil, "breakdown: outside the executor (start, connect, facts, plan, table, report) %s; executor %s = stages %s + between stages %s; controller peak RSS %s",
		secs(up.Wall-elapsed), secs(elapsed), strings.Join(stages, ", "), secs(elapsed-staged), mib(up.MaxRSS))
	figure("1-up", nil, "swap on the cluster: %s", swapSummary(b, l))

	// Figure 3 for status on the cluster (facts, then the node list on the master: two sessions there).
	var st run
	perHost = l.loginsDuring(b, hosts, func() {
		st = measure(b, l, 2*time.Minute, true, swapboot, "status", file)
	})
	if st.Exit != 0 {
		fmt.Printf("status after up: exit %d (nodes may not be Ready yet)\n%s\n", st.Exit, tail(st.Out, 10))
	}
	connectionsFigure("3-status", fmt.Sprintf("status on the 3-node cluster (%s)", secs(st.Wall)), perHost, nil)
}

// upReport is the part of `--report` the harness reads.
type upReport struct {
	Hosts []struct {
		Host  string `json:"host"`
		Role  string `json:"role"`
		Steps []struct {
			Phase    string        `json:"phase"`
			Status   string        `json:"status"`
			Duration time.Duration `json:"durationNanos"`
		} `json:"steps"`
	} `json:"hosts"`
	ElapsedNanos int64 `json:"elapsedNanos"`
	ExitCode     int   `json:"exitCode"`
}

func readReport(b *testing.B, file string) upReport {
	b.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	var r upReport
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatalf("%s: %v", file, err)
	}
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Status != "changed" && s.Status != "unchanged" {
				b.Fatalf("%s: step %s is %q after a fresh up", h.Host, s.Phase, s.Status)
			}
		}
	}
	return r
}

// swapSummary lists the swap each host of the cluster has, from inside the host.
func swapSummary(b *testing.B, l *benchLab) string {
	var out []string
	for _, h := range l.state.Hosts {
		swaps, err := l.exec(h.Name, "cat", "/proc/swaps")
		if err != nil {
			b.Fatal(err)
		}
		var files []string
		for _, e := range lab.ParseSwaps(swaps) {
			files = append(files, fmt.Sprintf("%s %d MiB", e.Path, e.SizeKB/1024))
		}
		out = append(out, h.Name+": "+strings.Join(files, ", "))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}
