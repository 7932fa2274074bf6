package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// sizes are the host counts of the scaling curve; the fan-out figure compares sizes[0] with 50.
var sizes = []int{1, 10, 25, 50, 100}

const (
	fanoutHosts = 50
	rounds      = 5 // every size is measured once per round; figures use the median
)

// BenchmarkHosts: figures 2 (fan-out and controller memory), 3 (connections of `status`), 4 (swap file
// creation) and 5 (scaling curve of `status` and `plan`), on hosts without the Kubernetes payload.
func BenchmarkHosts(b *testing.B) {
	requireRoot(b)
	printHeader()
	fmt.Printf("%s: load average %s\n", b.Name(), loadavg())
	defer func() { fmt.Printf("%s: load average at its end %s\n", b.Name(), loadavg()) }()
	swapboot, labBin := binaries(b)
	l := startHostsLab(b, sizes[len(sizes)-1])
	tmp := b.TempDir()
	hosts := l.state.Hosts

	all := l.endpoints(b, sizes[len(sizes)-1])
	files := map[int]string{}
	for _, n := range sizes {
		files[n] = l.clusterFile(b, filepath.Join(tmp, fmt.Sprintf("n%d", n)), all[:n], nil)
	}
	realHosts := l.clusterFile(b, filepath.Join(tmp, "hosts"), all[:len(hosts)], nil)
	fmt.Printf("status runs: %d lab hosts without Kubernetes, no swap; sizes above %d are extra addresses on the same hosts (%s)\n",
		len(hosts), len(hosts), endpointNote(all, len(hosts)))

	// Warm-up, and a check that every endpoint answers: the first login to a host starts its user manager.
	for _, n := range []int{sizes[len(sizes)-1], 1} {
		statusRun(b, l, swapboot, files[n], n, n)
	}

	// Figure 3: one SSH connection per host per command.
	perHost := l.loginsDuring(b, hosts, func() { statusRun(b, l, swapboot, realHosts, len(hosts), 10) })
	connectionsFigure("3-status", fmt.Sprintf("status on %d hosts (facts: 1 script per host)", len(hosts)), perHost, nil)
	perAddr := l.loginsDuring(b, hosts, func() { statusRun(b, l, swapboot, files[len(all)], len(all), 10) })
	total := 0
	for _, n := range perAddr {
		total += n
	}
	figure("3-status", check(total == len(all)), "status on %d endpoints: %d connections accepted in all (one per address)", len(all), total)

	// Figures 2 and 5: every size once per round, interleaved, so drifting load hits all sizes alike.
	type key struct{ n, parallel int }
	status := map[key]series{}
	plans := map[int]series{}
	for round := 0; round < rounds; round++ {
		for _, n := range sizes {
			for _, p := range parallelisms(n) {
				status[key{n, p}] = append(status[key{n, p}], statusRun(b, l, swapboot, files[n], n, p))
			}
			r := measure(b, nil, time.Minute, false, swapboot, "plan", "--scripts", "--kubernetes-version", k8sVersion, files[n])
			if r.Exit != 0 {
				b.Fatalf("swapboot plan on %d hosts: exit %d", n, r.Exit)
			}
			plans[n] = append(plans[n], r)
		}
	}

	// Figure 2.
	one := status[key{1, 10}].median()
	for _, p := range []int{fanoutHosts, 10} {
		s := status[key{fanoutHosts, p}]
		m := s.median()
		ratio := m.Wall.Seconds() / one.Wall.Seconds()
		figure("2-fanout", check(ratio <= 3.0), "status %d hosts --facts-parallel %d / 1 host = %s / %s = %.2f (target <= 3.0; min %s / %s)",
			fanoutHosts, p, secs(m.Wall), secs(one.Wall), ratio, secs(s.min()), secs(status[key{1, 10}].min()))
		b.ReportMetric(ratio, fmt.Sprintf("fanout%d-p%d/1", fanoutHosts, p))
	}
	for _, n := range []int{fanoutHosts, sizes[len(sizes)-1]} {
		var s series
		for _, p := range parallelisms(n) {
			s = append(s, status[key{n, p}]...)
		}
		rss := s.maxRSS()
		var pass *bool
		if n == fanoutHosts {
			pass = check(rss <= 100*1000) // 100 MB
		}
		figure("2-rss", pass, "controller peak RSS, status on %d hosts: %s (%d KiB; target <= 100 MB at %d)", n, mib(rss), rss, fanoutHosts)
		b.ReportMetric(float64(rss)/1024, fmt.Sprintf("rss%d-MiB", n))
	}
	// Where the time goes: CPU per endpoint in the controller and in the hosts, and how busy the machine was.
	for _, n := range []int{1, fanoutHosts} {
		p := parallelisms(n)[len(parallelisms(n))-1]
		s := status[key{n, p}]
		ctl, hostsCPU, mach := s.medianCPU()
		wall := s.median().Wall
		figure("2-cpu", nil, "status %d hosts --facts-parallel %d: controller CPU %s (%s/host), hosts' CPU %s (%s/host), machine busy %s of %s available (%.0f%%)",
			n, p, ms(ctl), ms(ctl/time.Duration(n)), ms(hostsCPU), ms(hostsCPU/time.Duration(n)), ms(mach),
			ms(wall*time.Duration(runtime.NumCPU())), 100*mach.Seconds()/(wall.Seconds()*float64(runtime.NumCPU())))
	}
	parts := status[key{fanoutHosts, fanoutHosts}]
	figure("2-cpu", nil, "hosts' CPU per connection at %d hosts: %s", fanoutHosts, cpuParts(parts, fanoutHosts))
	ctl, hostsCPU, _ := parts.medianCPU()
	floor := (ctl + hostsCPU) / time.Duration(runtime.NumCPU())
	figure("2-cpu", nil, "floor on this machine for %d hosts: (hosts' CPU %s + controller CPU %s) / %d CPUs = %s = %.1f x the 1-host time",
		fanoutHosts, ms(hostsCPU), ms(ctl), runtime.NumCPU(), secs(floor), floor.Seconds()/one.Wall.Seconds())
	figure("2-cpu", nil, "%s", sshCost(b, l, labBin, hosts[1], 10))
	figure("2-cpu", nil, "%s", factsCost(b, l, hosts[1], 10, []factsVariant{fullFacts, noSystemctl}))

	// Figure 5.
	fmt.Printf("\nfigure 5: scaling (median of %d runs; wall, peak RSS; no swap on these hosts)\n", rounds)
	fmt.Printf("| hosts | lab hosts | status --facts-parallel 10 | status --facts-parallel N | vs 1 host (p10 / pN) | peak RSS | plan (offline) | plan vs 1 host |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|\n")
	for _, n := range sizes {
		p10 := status[key{n, 10}].median()
		pn := status[key{n, n}].median()
		if n <= 10 {
			pn = p10
		}
		var s series
		for _, p := range parallelisms(n) {
			s = append(s, status[key{n, p}]...)
		}
		pl := plans[n].median()
		fmt.Printf("| %d | %s | %s | %s | %.1f / %.1f | %s | %s | %.1f |\n", n, shape(n, len(hosts)), secs(p10.Wall), secs(pn.Wall),
			p10.Wall.Seconds()/one.Wall.Seconds(), pn.Wall.Seconds()/one.Wall.Seconds(), mib(s.maxRSS()), secs(pl.Wall),
			pl.Wall.Seconds()/plans[1].median().Wall.Seconds())
	}
	fmt.Println("`up --dry-run` needs kubeadm on the hosts (these have none: it stops at the facts check), so the offline `plan` is measured here; BenchmarkCluster measures the real `up --dry-run` on the Kubernetes lab.")
	fmt.Println()

	// Figure 4.
	swapFigure(b, l, swapboot, labBin, tmp, hosts[len(hosts)-1])
}

// startHostsLab starts n hosts, or as many as the lab accepts: lab.Up refuses more hosts than free swap
// areas, even for hosts that never swap. Extra addresses on the hosts then stand in for the rest.
func startHostsLab(b *testing.B, n int) *benchLab {
	b.Helper()
	l, err := tryStartLab(b, n, false)
	if err == nil {
		return l
	}
	if !strings.Contains(err.Error(), "swap areas") {
		b.Fatalf("lab up %d hosts: %v", n, err)
	}
	if err := lab.Down(labOptions(n, false)); err != nil {
		b.Fatalf("lab down: %v", err)
	}
	free := lab.MaxSwapAreas - swapAreas()
	m := min(25, free)
	fmt.Printf("lab: %d hosts requested; lab.Up refused (%v), so %d hosts\n", n, err, m)
	if m < 1 {
		b.Skip("no free swap area on the machine: the lab starts no host")
	}
	return startLab(b, m, false)
}

// parallelisms are the --facts-parallel values measured for n hosts: the default 10, and all at once.
func parallelisms(n int) []int {
	if n <= 10 {
		return []int{10}
	}
	return []int{10, n}
}

// statusRun runs `swapboot status -o json` and checks that every host answered with its facts (the exit
// code is 1: these hosts have no kubelet).
func statusRun(b *testing.B, l *benchLab, swapboot, file string, n, parallel int) run {
	b.Helper()
	r := measure(b, l, 5*time.Minute, true, swapboot, "status", "-o", "json", "--facts-parallel", strconv.Itoa(parallel), file)
	var st []struct {
		Host      string   `json:"host"`
		Reachable bool     `json:"reachable"`
		Problems  []string `json:"problems"`
	}
	if err := json.Unmarshal([]byte(r.Out), &st); err != nil || len(st) != n {
		b.Fatalf("swapboot status (%d hosts): exit %d, %d rows (%v)\n%s", n, r.Exit, len(st), err, tail(r.Out, 30))
	}
	for _, s := range st {
		for _, p := range s.Problems {
			if !s.Reachable || strings.HasPrefix(p, "facts") || strings.HasPrefix(p, "unreachable") {
				b.Fatalf("swapboot status: %s: %s", s.Host, p)
			}
		}
	}
	r.Out = ""
	return r
}

// connectionsFigure prints how many connections each host accepted during one command.
func connectionsFigure(name, what string, perHost map[string]int, steps map[string]int) {
	bad := []string{}
	names := make([]string, 0, len(perHost))
	for h := range perHost {
		names = append(names, h)
	}
	sort.Strings(names)
	total := 0
	var detail []string
	for _, h := range names {
		total += perHost[h]
		if perHost[h] != 1 {
			bad = append(bad, fmt.Sprintf("%s=%d", h, perHost[h]))
		}
		if steps != nil {
			detail = append(detail, fmt.Sprintf("%s: %d connection(s), %d step(s)", h, perHost[h], steps[h]))
		}
	}
	line := fmt.Sprintf("%s: %d connections / %d hosts = %.2f per host", what, total, len(names), float64(total)/float64(len(names)))
	if len(bad) > 0 {
		line += " (not 1: " + strings.Join(bad, " ") + ")"
	}
	if len(detail) > 0 {
		line += "; " + strings.Join(detail, "; ")
	}
	figure(name, check(len(bad) == 0), "%s (target: exactly 1 per host)", line)
}

func endpointNote(eps []endpoint, hosts int) string {
	if len(eps) <= hosts {
		return "no extra addresses needed"
	}
	return fmt.Sprintf("%s..%s; each address is its own SSH connection, sshd process and facts.sh run", eps[hosts].IP, eps[len(eps)-1].IP)
}

func shape(n, hosts int) string {
	if n <= hosts {
		return fmt.Sprintf("%d hosts", n)
	}
	return fmt.Sprintf("%d addresses on %d hosts", n, hosts)
}

// cpuParts splits the hosts' median CPU time per connection by what used it.
func cpuParts(s series, n int) string {
	var out []string
	for _, part := range cpuUnits {
		var d []time.Duration
		for _, r := range s {
			d = append(d, time.Duration(r.Hosts.Parts[part.label])*time.Microsecond)
		}
		out = append(out, fmt.Sprintf("%s %s", part.label, ms(medianDur(d)/time.Duration(n))))
	}
	_, hostsCPU, _ := s.medianCPU()
	return fmt.Sprintf("%s in all: %s", ms(hostsCPU/time.Duration(n)), strings.Join(out, ", "))
}

// swapFigure is figure 4: a 1 GiB swap file on ext4 in a lab host, swapboot's swap step against the
// 2020 seed's sequence, each through `lab ssh` right after a warm-up login, alternating, 3 times.
func swapFigure(b *testing.B, l *benchLab, swapboot, labBin, tmp string, h lab.Host) {
	b.Helper()
	if !requireSwapSlots(b, 1) {
		figure("4-swap", nil, "skipped: the machine has no swap area to spare")
		return
	}
	const path, seedPath = "/swapbench", "/seedswap"
	eps := []endpoint{{IP: h.IP, Host: h}}
	file := l.clusterFile(b, filepath.Join(tmp, "swap1g"), eps, map[string]string{"swap:": "swap: {size: 1G, path: " + path + ", behavior: auto}"})
	planDir := filepath.Join(tmp, "plan1g")
	if r := runCmd(b, time.Minute, nil, true, swapboot, "plan", "--kubernetes-version", k8sVersion, "--out", planDir, file); r.Exit != 0 {
		b.Fatalf("swapboot plan --out: exit %d\n%s", r.Exit, r.Out)
	}
	script := filepath.Join(planDir, h.IP, "01-swap-swap.sh")
	if data, err := os.ReadFile(script); err != nil || !strings.Contains(string(data), "METHOD='fallocate'") {
		b.Fatalf("%s: want the fallocate method for ext4 (%v)", script, err)
	}
	seed := "cd / && fallocate -l 1G " + seedPath + " && dd if=/dev/zero of=" + seedPath + " bs=1024 count=1048576 && mkswap " + seedPath + " && swapon " + seedPath
	// Each remote command also reports its own duration inside the host (without the SSH login).
	timed := func(cmd string) string {
		return `s=$(date +%s%N); ` + cmd + `; rc=$?; echo "@bench-ns $(($(date +%s%N) - s))"; exit $rc`
	}
	var ours, theirs series
	inHost := map[string][]time.Duration{}
	for i := 0; i < 3; i++ {
		for _, m := range []struct {
			path string
			s    *series
			cmd  []string
			in   string
		}{{path, &ours, []string{timed("sh -s")}, script}, {seedPath, &theirs, []string{timed("(" + seed + ")")}, ""}} {
			warm := runCmd(b, time.Minute, nil, true, labBin, "ssh", "--name", labName, h.Name, "true")
			if warm.Exit != 0 {
				b.Fatalf("lab ssh %s true: exit %d\n%s", h.Name, warm.Exit, warm.Out)
			}
			var in io.Reader
			if m.in != "" {
				data, err := os.ReadFile(m.in)
				if err != nil {
					b.Fatal(err)
				}
				in = bytes.NewReader(data)
			}
			r := runCmd(b, 5*time.Minute, in, true, labBin, append([]string{"ssh", "--name", labName, h.Name}, m.cmd...)...)
			holes, active, cerr := swapFileState(l, h, m.path)
			cleanupSwap(b, l, h, m.path) // swapoff inside the host, rm
			if r.Exit != 0 || cerr != nil {
				b.Fatalf("swap file %s: exit %d, %v\n%s", m.path, r.Exit, cerr, tail(r.Out, 20))
			}
			if holes != "" || !active {
				b.Errorf("swap file %s: holes: %q, active: %v", m.path, holes, active)
			}
			*m.s = append(*m.s, r)
			for _, line := range strings.Split(r.Out, "\n") {
				if v, ok := strings.CutPrefix(line, "@bench-ns "); ok {
					n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					inHost[m.path] = append(inHost[m.path], time.Duration(n))
				}
			}
		}
	}
	a, s := ours.median(), theirs.median()
	ratio := s.Wall.Seconds() / a.Wall.Seconds()
	figure("4-swap", check(ratio >= 10), "1 GiB swap file on ext4, 2020 seed / swapboot = %s / %s = %.1fx (target >= 10x; through lab ssh; no holes, swapon accepted both, median of %d runs each)",
		secs(s.Wall), secs(a.Wall), ratio, len(ours))
	ia, is := medianDur(inHost[path]), medianDur(inHost[seedPath])
	if ia > 0 && is > 0 {
		figure("4-swap", nil, "the same inside the host, without the SSH login: %s / %s = %.0fx", secs(is), ms(ia), is.Seconds()/ia.Seconds())
	}
	b.ReportMetric(ratio, "swap-seed/swapboot")
}

// swapFileState checks a swap file inside the host: st_blocks*512 >= st_size (no holes) and that the
// kernel lists it as active swap (the host's own view of /proc/swaps).
func swapFileState(l *benchLab, h lab.Host, path string) (holes string, active bool, err error) {
	out, err := l.exec(h.Name, "stat", "-c", "%b %B %s", path)
	if err != nil {
		return "", false, err
	}
	f := strings.Fields(out)
	if len(f) != 3 {
		return "", false, fmt.Errorf("stat %s: %q", path, out)
	}
	blocks, _ := strconv.ParseInt(f[0], 10, 64)
	unit, _ := strconv.ParseInt(f[1], 10, 64)
	size, _ := strconv.ParseInt(f[2], 10, 64)
	if blocks*unit < size {
		holes = fmt.Sprintf("%d blocks of %d bytes for %d bytes", blocks, unit, size)
	}
	swaps, err := l.exec(h.Name, "cat", "/proc/swaps")
	if err != nil {
		return holes, false, err
	}
	for _, e := range lab.ParseSwaps(swaps) {
		if e.Path == path {
			active = true
		}
	}
	return holes, active, nil
}

// cleanupSwap turns the file off inside the host (never from the machine's namespace) and removes it and
// what swapboot's step recorded.
func cleanupSwap(b *testing.B, l *benchLab, h lab.Host, path string) {
	b.Helper()
	script := fmt.Sprintf(`if awk 'NR > 1 {print $1}' /proc/swaps | grep -qx %[1]s; then swapoff %[1]s; fi
rm -f %[1]s %[1]s.swapboot-new /var/lib/swapboot/swapfile
sed -i '\|^%[1]s |d' /etc/fstab`, path)
	if _, err := l.exec(h.Name, "sh", "-c", script); err != nil {
		b.Errorf("cleaning up swap file %s on %s: %v", path, h.Name, err)
	}
}
