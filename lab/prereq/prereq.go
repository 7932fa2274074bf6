// Package prereq checks, before anything long starts, that this machine can
// build Kubernetes and run the lab: Debian packages, kernel features, free
// swap areas, cgroups, disk and memory. `make demo`, `make test` and
// `.ci/run` all go through it (`make prereqs`: lab/prereq/cmd/prereqs), so the package list lives
// in one file: debian-packages.txt.
package prereq

import (
	_ "embed"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

//go:embed debian-packages.txt
var packageList string

// Packages returns the Debian packages the lab and the tests need, in file order.
func Packages() []string {
	var out []string
	for _, line := range strings.Split(packageList, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Sizes the checks ask for. The Kubernetes build was measured at 1.2 GB of
// cache, about 2.5 GB of Go modules and 5-6 GB of Go build cache, peak RSS 2.7 GB.
const (
	GiB              = uint64(1) << 30
	buildCacheBytes  = 3 * GiB / 2  // the lab cache: binaries and images of one version
	goCacheBytes     = 17 * GiB / 2 // GOCACHE and GOMODCACHE for a cold build
	labDiskBytes     = 2 * GiB      // per lab: hosts' upper dirs, containerd state, swap files
	buildMemoryBytes = 4 * GiB
	labMemoryBytes   = 2 * GiB
	maxSwapAreas     = 28 // the kernel's limit measured here (the 29th swapon fails)
)

// Need says what the coming work needs.
type Need struct {
	Hosts     int    // lab hosts started at the same time (each takes one swap area)
	CacheRoot string // the Kubernetes build cache
	StateRoot string // where labs live (must be ext4)
	GoCache   string // GOCACHE and GOMODCACHE, for the disk estimate of a cold build
	// Build is true when the Kubernetes build has not run yet (no DONE in the cache).
	Build bool
}

// Machine is what the checks read. RealMachine reads this machine; tests
// describe one.
type Machine interface {
	IsRoot() bool
	HasAPT() bool
	// MissingPackages returns the packages of pkgs that dpkg does not list as installed.
	MissingPackages(pkgs []string) ([]string, error)
	// Exists reports whether a path exists (device nodes, /proc files).
	Exists(path string) bool
	ReadFile(path string) ([]byte, error)
	// FreeBytes is the space available to root on the file system holding path
	// (or its nearest existing parent), and that file system's type name.
	FreeBytes(path string) (free uint64, fsType string, err error)
	// Install installs Debian packages with apt-get, streaming its output to out.
	Install(pkgs []string, out io.Writer) error
}

// Problem is one missing thing: what is wrong and the command or step that fixes it.
type Problem struct {
	What string
	Fix  string
}

func (p Problem) String() string { return p.What + "\n    fix: " + p.Fix }

// InstallLine is the exact command that installs pkgs.
func InstallLine(pkgs []string) string {
	return "apt-get update && apt-get install -y --no-install-recommends " + strings.Join(pkgs, " ")
}

// Ensure installs the missing packages when it can (root and apt) and
// install is true, then checks everything. It returns every problem left.
func Ensure(m Machine, n Need, install bool, log io.Writer) []Problem {
	var problems []Problem
	if !m.IsRoot() {
		problems = append(problems, Problem{"not running as root: the lab creates namespaces, mounts and swap areas, and packages are installed with apt-get",
			"run it as root (sudo make ...)"})
	}
	missing, err := m.MissingPackages(Packages())
	switch {
	case err != nil:
		problems = append(problems, Problem{"cannot list the installed Debian packages: " + err.Error(), "this needs a Debian 12 machine with dpkg"})
	case len(missing) > 0 && install && m.IsRoot() && m.HasAPT():
		fmt.Fprintf(log, "prereqs: installing %d Debian packages: %s\n", len(missing), strings.Join(missing, " "))
		if err := m.Install(missing, log); err != nil {
			problems = append(problems, Problem{"apt-get install failed: " + err.Error(), InstallLine(missing)})
		} else if missing, err = m.MissingPackages(missing); err == nil && len(missing) > 0 {
			problems = append(problems, Problem{"still missing after apt-get install: " + strings.Join(missing, " "), InstallLine(missing)})
		}
	case len(missing) > 0:
		why := "missing Debian packages: " + strings.Join(missing, " ")
		if !m.HasAPT() {
			why += " (and apt-get is not available here)"
		}
		problems = append(problems, Problem{why, InstallLine(missing)})
	}
	return append(problems, checkMachine(m, n)...)
}

// checkMachine checks kernel features and modules, swap areas, cgroups, disk and memory.
func checkMachine(m Machine, n Need) []Problem {
	var problems []Problem
	add := func(what, fix string) { problems = append(problems, Problem{what, fix}) }
	for _, f := range []struct{ path, what string }{
		{"/proc/self/ns/net", "network namespaces (every lab host has its own network)"},
		{"/proc/self/ns/mnt", "mount namespaces (every lab host has its own root)"},
		{"/proc/self/ns/pid", "PID namespaces (systemd is PID 1 of every lab host)"},
		{"/dev/fuse", "FUSE (/dev/fuse: the hosts' views of /proc/swaps and /proc/meminfo)"},
		{"/dev/loop-control", "loop devices (/dev/loop-control: small-disk hosts)"},
		{"/proc/swaps", "swap support (/proc/swaps)"},
	} {
		if !m.Exists(f.path) {
			add("the kernel lacks "+f.what, "use a kernel with this feature (a Debian 12 VM has it); in a container, run privileged with /dev mounted")
		}
	}
	problems = append(problems, checkKernelModules(m)...)
	if b, err := m.ReadFile("/proc/swaps"); err == nil {
		used := 0
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
			if strings.TrimSpace(l) != "" {
				used++
			}
		}
		if free := maxSwapAreas - used; free < n.Hosts {
			add(fmt.Sprintf("%d lab hosts need %d swap areas but only %d of the kernel's %d are free (%d active)", n.Hosts, n.Hosts, free, maxSwapAreas, used),
				"stop other labs (bin/lab down --name NAME) or swap areas you started yourself")
		}
	}
	if err := checkCgroups(m); err != nil {
		add(err.Error(), "boot with the memory cgroup controller enabled (cgroup_enable=memory)")
	}
	if free, fs, err := m.FreeBytes(n.StateRoot); err != nil {
		add("cannot read the free space of "+n.StateRoot+": "+err.Error(), "create "+filepath.Dir(n.StateRoot))
	} else {
		if fs != "ext4" {
			add(fmt.Sprintf("%s is on %s, not ext4: the lab hosts' roots must be on ext4 so swapon works on their swap files", n.StateRoot, fs),
				"use --state-root on an ext4 file system")
		}
		if free < labDiskBytes {
			add(fmt.Sprintf("%s has %s free; a lab needs about %s", n.StateRoot, human(free), human(labDiskBytes)), "free disk space there")
		}
	}
	if n.Build {
		problems = append(problems, checkBuildDisk(m, n)...)
	}
	needMem, why := labMemoryBytes, "the lab"
	if n.Build {
		needMem, why = buildMemoryBytes, "the Kubernetes build (peak 2.7 GB) and the lab"
	}
	if avail, err := memAvailable(m); err != nil {
		add("cannot read MemAvailable from /proc/meminfo: "+err.Error(), "check /proc is mounted")
	} else if avail < needMem {
		add(fmt.Sprintf("%s of memory available; %s needs about %s", human(avail), why, human(needMem)), "stop other work or use a larger machine")
	}
	return problems
}

// checkBuildDisk wants room for the lab cache and the Go caches. When both
// report the same free space they are taken to share a file system, which
// must then hold both.
func checkBuildDisk(m Machine, n Need) []Problem {
	cacheFree, _, err := m.FreeBytes(n.CacheRoot)
	if err != nil {
		return []Problem{{"cannot read the free space of " + n.CacheRoot + ": " + err.Error(), "create " + filepath.Dir(n.CacheRoot)}}
	}
	fix := "free disk space, or point SWAPBOOT_LAB_CACHE / GOCACHE / GOMODCACHE at a larger disk"
	if n.GoCache == "" {
		if cacheFree < buildCacheBytes+goCacheBytes {
			return []Problem{{fmt.Sprintf("%s has %s free; the first Kubernetes build needs about %s (%s of lab cache, %s of Go caches)",
				n.CacheRoot, human(cacheFree), human(buildCacheBytes+goCacheBytes), human(buildCacheBytes), human(goCacheBytes)), fix}}
		}
		return nil
	}
	goFree, _, err := m.FreeBytes(n.GoCache)
	if err != nil {
		return []Problem{{"cannot read the free space of " + n.GoCache + ": " + err.Error(), "check GOCACHE"}}
	}
	if goFree == cacheFree {
		if cacheFree < buildCacheBytes+goCacheBytes {
			return []Problem{{fmt.Sprintf("%s has %s free; the first Kubernetes build needs about %s there (%s of lab cache, %s for the Go caches in %s)",
				n.CacheRoot, human(cacheFree), human(buildCacheBytes+goCacheBytes), human(buildCacheBytes), human(goCacheBytes), n.GoCache), fix}}
		}
		return nil
	}
	var problems []Problem
	if cacheFree < buildCacheBytes {
		problems = append(problems, Problem{fmt.Sprintf("%s has %s free; the Kubernetes build writes about %s there", n.CacheRoot, human(cacheFree), human(buildCacheBytes)), fix})
	}
	if goFree < goCacheBytes {
		problems = append(problems, Problem{fmt.Sprintf("%s has %s free; the first Kubernetes build fills about %s of Go caches", n.GoCache, human(goFree), human(goCacheBytes)), fix})
	}
	return problems
}

// checkCgroups wants the memory controller, in cgroup v1 or v2: the kubelet
// and the lab's per-host cgroups need it.
func checkCgroups(m Machine) error {
	b, err := m.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("cannot read /proc/self/mountinfo: %w", err)
	}
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 || !strings.HasPrefix(f[4], "/sys/fs/cgroup") {
			continue
		}
		switch g[0] {
		case "cgroup":
			found = found || hasOption(g[2], "memory")
		case "cgroup2":
			c, err := m.ReadFile(filepath.Join(f[4], "cgroup.controllers"))
			found = found || (err == nil && hasWord(string(c), "memory"))
		}
	}
	if !found {
		return fmt.Errorf("no cgroup hierarchy with the memory controller is mounted under /sys/fs/cgroup")
	}
	return nil
}

func hasOption(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func hasWord(s, want string) bool {
	for _, w := range strings.Fields(s) {
		if w == want {
			return true
		}
	}
	return false
}

func memAvailable(m Machine) (uint64, error) {
	b, err := m.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				return 0, fmt.Errorf("MemAvailable: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no MemAvailable line")
}

func human(b uint64) string {
	return fmt.Sprintf("%.1f GiB", float64(b)/float64(GiB))
}

// Report prints the problems, one each, and returns the exit code: 0 when
// there are none, 2 (bad input, as swapboot uses it) otherwise.
func Report(problems []Problem, out io.Writer) int {
	if len(problems) == 0 {
		return 0
	}
	fmt.Fprintf(out, "prereqs: this machine cannot run the lab yet (%d problem(s)):\n", len(problems))
	for _, p := range problems {
		fmt.Fprintln(out, "  - "+p.String())
	}
	return 2
}
