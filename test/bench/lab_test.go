package bench

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/swapboot/swapboot/lab"
)

// The lab this harness may use (agreed with the other users of the machine).
const (
	labName      = "bench"
	labSubnet    = "10.80.0.0/24"
	cgroupPrefix = "swapboot-bench"
	// k8sVersion is the version the lab builds and the offline plans assume.
	k8sVersion = "v1.37.2"
)

func labOptions(hosts int, kubernetes bool) lab.Options {
	return lab.Options{Name: labName, Hosts: hosts, Subnet: labSubnet, CgroupPrefix: cgroupPrefix,
		NoKubernetes: !kubernetes, NoBuild: true, K8sVersion: k8sVersion,
		BuildScript: filepath.Join(repoRoot(), "lab", "k8sbuild", "build.sh"), Log: prefixWriter{"lab: "},
		// The lab's own pod network until swapboot installs flannel (issue 12).
		StaticPodNetwork: kubernetes}
}

// prefixWriter sends the lab's progress lines to stderr.
type prefixWriter struct{ prefix string }

func (w prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		fmt.Fprintln(os.Stderr, w.prefix+line)
	}
	return len(p), nil
}

// benchLab is a running lab.
type benchLab struct {
	opts  lab.Options
	state *lab.State
	dir   string
	cg2   string // cgroup2 directory holding the hosts' cgroups ("" when not found)
}

// startLab removes a leftover lab of the same name, starts a new one and registers its teardown before
// anything can fail.
func startLab(b *testing.B, hosts int, kubernetes bool) *benchLab {
	b.Helper()
	l, err := tryStartLab(b, hosts, kubernetes)
	if err != nil {
		b.Fatalf("lab up %d hosts: %v", hosts, err)
	}
	return l
}

// tryStartLab is startLab returning lab.Up's error (the teardown is registered all the same).
func tryStartLab(b *testing.B, hosts int, kubernetes bool) (*benchLab, error) {
	b.Helper()
	o := labOptions(hosts, kubernetes)
	if r, err := lab.Status(o); err == nil && !r.Empty() {
		fmt.Fprintf(os.Stderr, "bench: removing a leftover lab %s\n", labName)
		if err := lab.Down(o); err != nil {
			b.Fatalf("lab down (leftover): %v", err)
		}
	}
	b.Cleanup(func() { stopLab(b, o) })
	started := time.Now()
	st, err := lab.Up(o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: lab %s up with %d hosts in %.1fs\n", labName, hosts, time.Since(started).Seconds())
	_ = o.Normalize()
	l := &benchLab{opts: o, state: st, dir: lab.NewPaths(o.StateRoot, o.Name).Dir}
	for _, h := range st.Hierarchies {
		if h.FSType == "cgroup2" {
			l.cg2 = filepath.Join(h.Mount, h.Current)
		}
	}
	return l, nil
}

// stopLab tears the lab down and checks that nothing of it remains, its swap files included (the
// machine-wide count is not compared: other labs come and go meanwhile).
func stopLab(b *testing.B, o lab.Options) {
	started := time.Now()
	if err := lab.Down(o); err != nil {
		b.Errorf("lab down: %v", err)
	}
	if r, err := lab.Status(o); err != nil || !r.Empty() {
		b.Errorf("lab %s left something behind after down: %+v (%v)", o.Name, r, err)
	}
	fmt.Fprintf(os.Stderr, "bench: lab %s down in %.1fs\n", o.Name, time.Since(started).Seconds())
}

// swapAreas counts the machine's active swap areas (every lab's and every other user's).
func swapAreas() int {
	data, err := os.ReadFile("/proc/swaps")
	if err != nil {
		return 0
	}
	return len(lab.ParseSwaps(string(data)))
}

// requireSwapSlots skips when taking n more swap areas would crowd the machine's other users.
func requireSwapSlots(b *testing.B, n int) bool {
	if free := lab.MaxSwapAreas - swapAreas(); free < n+2 {
		fmt.Fprintf(os.Stderr, "bench: only %d swap areas free machine-wide; not taking %d\n", free, n)
		return false
	}
	return true
}

// exec runs argv inside a host (nsenter, no SSH) and returns stdout.
func (l *benchLab) exec(host string, argv ...string) (string, error) {
	var out, errOut bytes.Buffer
	code, err := lab.Exec(l.opts, host, argv, nil, &out, &errOut)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit %d", code)
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s: %s: %v: %s", host, strings.Join(argv, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// endpoint is one address swapboot connects to: a lab host's own address, or an extra address of a
// host (when the benchmark wants more SSH endpoints than the lab could start hosts).
type endpoint struct {
	IP    string
	Host  lab.Host
	Alias bool
}

// endpoints returns n endpoints: every lab host once, then extra addresses on the hosts in turn
// (10.80.0.100 and up). Extra addresses are added to the hosts on first use.
func (l *benchLab) endpoints(b *testing.B, n int) []endpoint {
	b.Helper()
	hosts := l.state.Hosts
	var eps []endpoint
	var add []endpoint
	for i := 0; i < n; i++ {
		h := hosts[i%len(hosts)]
		if i < len(hosts) {
			eps = append(eps, endpoint{IP: h.IP, Host: h})
			continue
		}
		p := netip.MustParsePrefix(labSubnet).Masked().Addr().As4()
		last := 100 + i - len(hosts)
		if last > 254 || last <= 11+len(hosts) {
			b.Fatalf("no room in %s for %d endpoints on %d hosts", labSubnet, n, len(hosts))
		}
		ep := endpoint{IP: netip.AddrFrom4([4]byte{p[0], p[1], p[2], byte(last)}).String(), Host: h, Alias: true}
		eps = append(eps, ep)
		if !l.hasAlias(ep.IP) {
			add = append(add, ep)
		}
	}
	var g errgroup.Group
	g.SetLimit(8)
	for _, ep := range add {
		g.Go(func() error {
			dev, err := l.device(ep.Host)
			if err != nil {
				return err
			}
			_, err = l.exec(ep.Host.Name, "ip", "addr", "add", ep.IP+"/32", "dev", dev)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatalf("extra addresses: %v", err)
	}
	for _, ep := range add {
		l.markAlias(ep.IP)
	}
	return eps
}

var (
	aliasMu sync.Mutex
	aliases = map[string]bool{}
)

func (l *benchLab) hasAlias(ip string) bool {
	aliasMu.Lock()
	defer aliasMu.Unlock()
	return aliases[l.state.Name+"/"+ip]
}

func (l *benchLab) markAlias(ip string) {
	aliasMu.Lock()
	defer aliasMu.Unlock()
	aliases[l.state.Name+"/"+ip] = true
}

// device is the host's interface carrying its lab address.
func (l *benchLab) device(h lab.Host) (string, error) {
	out, err := l.exec(h.Name, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 4 && strings.HasPrefix(f[3], h.IP+"/") {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s: no interface with %s", h.Name, h.IP)
}

// clusterFile writes a copy of the lab's cluster file for the endpoints (the first is the master) with a
// known_hosts file that also lists the extra addresses; edit changes other lines ("swap: ...").
func (l *benchLab) clusterFile(b *testing.B, dir string, eps []endpoint, edit map[string]string) string {
	b.Helper()
	p := lab.NewPaths(l.opts.StateRoot, l.opts.Name)
	kh, err := os.ReadFile(p.KnownHosts())
	if err != nil {
		b.Fatal(err)
	}
	keys := map[string]string{} // host name -> "type key"
	for _, line := range strings.Split(string(kh), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		for _, name := range strings.Split(f[0], ",") {
			keys[name] = f[1] + " " + f[2]
		}
	}
	var khOut strings.Builder
	khOut.Write(kh)
	var workers []string
	for i, ep := range eps {
		if ep.Alias {
			fmt.Fprintf(&khOut, "%s %s\n", ep.IP, keys[ep.Host.Name])
		}
		if i > 0 {
			workers = append(workers, ep.IP)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	khFile := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(khFile, []byte(khOut.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(p.ClusterFile())
	if err != nil {
		b.Fatal(err)
	}
	want := map[string]string{
		"masters:": "masters: [" + eps[0].IP + "]",
		"workers:": "workers: [" + strings.Join(workers, ", ") + "]",
	}
	for k, v := range edit {
		want[k] = v
	}
	var lines []string
	seen := map[string]bool{}
	khRE := regexp.MustCompile(`knownHosts: [^,}]+`)
	for _, line := range strings.Split(string(src), "\n") {
		for prefix, repl := range want {
			if strings.HasPrefix(line, prefix) {
				line, seen[prefix] = repl, true
			}
		}
		if strings.HasPrefix(line, "ssh:") {
			line, seen["knownHosts"] = khRE.ReplaceAllString(line, "knownHosts: "+khFile), khRE.MatchString(line)
		}
		lines = append(lines, line)
	}
	for prefix := range want {
		if !seen[prefix] {
			b.Fatalf("the lab's cluster file has no %q line:\n%s", prefix, src)
		}
	}
	if !seen["knownHosts"] {
		b.Fatalf("the lab's cluster file names no knownHosts:\n%s", src)
	}
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		b.Fatal(err)
	}
	return file
}

// acceptedLogins counts, per host, the SSH connections its sshd accepted so far (from its journal).
func (l *benchLab) acceptedLogins(b *testing.B, hosts []lab.Host) map[string]int {
	b.Helper()
	counts := make(map[string]int, len(hosts))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(8)
	for _, h := range hosts {
		g.Go(func() error {
			// --sync: journald stores every line logged before it returns (sshd's arrive asynchronously).
			out, err := l.exec(h.Name, "sh", "-c", "journalctl --sync && journalctl -u ssh --no-pager -o cat")
			if err != nil {
				return err
			}
			mu.Lock()
			counts[h.Name] = strings.Count(out, "Accepted publickey")
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatalf("reading sshd journals: %v", err)
	}
	return counts
}

// loginsDuring counts the connections each host accepted while run ran. journald in a busy host can
// store sshd's lines late (even after journalctl --sync), so each count is read until three reads
// half a second apart agree: a late line then shows, and one from before never lands in the run.
func (l *benchLab) loginsDuring(b *testing.B, hosts []lab.Host, run func()) map[string]int {
	b.Helper()
	before := l.stableLogins(b, hosts)
	run()
	after := l.stableLogins(b, hosts)
	delta := map[string]int{}
	for _, h := range hosts {
		delta[h.Name] = after[h.Name] - before[h.Name]
	}
	return delta
}

func (l *benchLab) stableLogins(b *testing.B, hosts []lab.Host) map[string]int {
	b.Helper()
	last := l.acceptedLogins(b, hosts)
	same := 0
	for i := 0; i < 30 && same < 2; i++ {
		time.Sleep(500 * time.Millisecond)
		next := l.acceptedLogins(b, hosts)
		if equalCounts(last, next) {
			same++
		} else {
			same = 0
		}
		last = next
	}
	return last
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// cpuUnits are the parts of a host whose CPU time is reported separately (cgroup2 paths inside a host).
var cpuUnits = []struct{ label, path string }{
	{"sshd", "system.slice/ssh.service"},
	{"login session (facts.sh)", "user.slice"},
	{"root's user manager", "user.slice/user-0.slice/user@0.service"},
	{"systemd PID 1", "init.scope"},
	{"dbus+logind+journald", ""},
}

// hostCPU is CPU time used inside the lab hosts, in microseconds: the hosts' total and per part.
type hostCPU struct {
	Total int64
	Parts map[string]int64
}

// cpuUsage reads the hosts' cgroup2 CPU counters (zero when cgroup2 is not mounted).
func (l *benchLab) cpuUsage() hostCPU {
	u := hostCPU{Parts: map[string]int64{}}
	if l.cg2 == "" {
		return u
	}
	for _, h := range l.state.Hosts {
		base := filepath.Join(l.cg2, lab.CgroupName(l.state.CgroupPrefix, h.Name))
		u.Total += usageUsec(filepath.Join(base, "cpu.stat"))
		for _, part := range cpuUnits {
			if part.path != "" {
				u.Parts[part.label] += usageUsec(filepath.Join(base, part.path, "cpu.stat"))
				continue
			}
			for _, unit := range []string{"dbus.service", "systemd-logind.service", "systemd-journald.service"} {
				u.Parts[part.label] += usageUsec(filepath.Join(base, "system.slice", unit, "cpu.stat"))
			}
		}
	}
	return u
}

func (u hostCPU) sub(v hostCPU) hostCPU {
	d := hostCPU{Total: u.Total - v.Total, Parts: map[string]int64{}}
	for k, x := range u.Parts {
		d.Parts[k] = x - v.Parts[k]
	}
	// Session scopes vanish with their sessions: their time is what user.slice has beyond the user manager.
	d.Parts["login session (facts.sh)"] -= d.Parts["root's user manager"]
	return d
}

func usageUsec(file string) int64 {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "usage_usec "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// machineBusy is the machine's busy CPU time so far (all CPUs, every process), in microseconds.
func machineBusy() int64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return busy * 1e6 / 100 // USER_HZ is 100 on Linux
}
