package lab

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Hierarchy is one mounted cgroup hierarchy of the machine.
type Hierarchy struct {
	Mount   string // e.g. /sys/fs/cgroup/memory
	FSType  string // cgroup or cgroup2
	Options string // controllers / name=systemd (v1) or "" (v2)
	Current string // this process's cgroup path in it, e.g. /process_api/x
}

// Key identifies the hierarchy in /proc/PID/cgroup ("memory", "name=systemd", "" for v2).
func (h Hierarchy) Key() string { return h.Options }

// Hierarchies lists the machine's cgroup hierarchies mounted under /sys/fs/cgroup.
func Hierarchies() ([]Hierarchy, error) {
	mi, err := readMountInfo("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	cur, err := procCgroups("self")
	if err != nil {
		return nil, err
	}
	var out []Hierarchy
	seen := map[string]bool{}
	for _, m := range mi {
		if !strings.HasPrefix(m.Point, "/sys/fs/cgroup") || seen[m.Point] {
			continue
		}
		var h Hierarchy
		switch m.FSType {
		case "cgroup":
			var ctl []string
			for _, o := range strings.Split(m.SuperOpts, ",") {
				if o == "rw" || o == "ro" || strings.HasPrefix(o, "release_agent") || o == "clone_children" || o == "noprefix" || o == "xattr" || strings.HasPrefix(o, "cpuset_v2") || o == "favordynmods" {
					continue
				}
				ctl = append(ctl, o)
			}
			h = Hierarchy{Mount: m.Point, FSType: "cgroup", Options: strings.Join(ctl, ",")}
		case "cgroup2":
			h = Hierarchy{Mount: m.Point, FSType: "cgroup2"}
		default:
			continue
		}
		seen[m.Point] = true
		h.Current = cur[h.Key()]
		if h.Current == "" {
			h.Current = "/"
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup hierarchies under /sys/fs/cgroup")
	}
	return out, nil
}

// procCgroups parses /proc/PID/cgroup into key -> path (key "" is cgroup2).
func procCgroups(pid string) (map[string]string, error) {
	f, err := os.Open("/proc/" + pid + "/cgroup")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 {
			out[parts[1]] = parts[2]
		}
	}
	return out, sc.Err()
}

// hostCgroupDirs returns the directory of the host cgroup in every hierarchy.
func hostCgroupDirs(st *State, host string) []string {
	var out []string
	for _, h := range st.Hierarchies {
		out = append(out, filepath.Join(h.Mount, h.Current, CgroupName(st.CgroupPrefix, host)))
	}
	return out
}

// selfCgroupDirs returns this process's current cgroup directories.
func selfCgroupDirs() ([]string, error) {
	hs, err := Hierarchies()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		out = append(out, filepath.Join(h.Mount, h.Current))
	}
	return out, nil
}

// createCgroups makes the host cgroup in every hierarchy (copying cpuset
// cpus/mems so tasks can join).
func createCgroups(dirs []string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			p := filepath.Join(d, f)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			if b, _ := os.ReadFile(p); strings.TrimSpace(string(b)) != "" {
				continue
			}
			parent, err := os.ReadFile(filepath.Join(filepath.Dir(d), f))
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, parent, 0o644); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return nil
}

// joinCgroups moves process pid (0 = self) into dirs.
func joinCgroups(dirs []string, pid int) error {
	if pid == 0 {
		pid = os.Getpid()
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			return fmt.Errorf("join %s: %w", d, err)
		}
	}
	return nil
}

// cgroupPIDs lists every process in dir and its descendants.
func cgroupPIDs(dir string) []int {
	var out []int
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(filepath.Join(p, "cgroup.procs"))
		if err != nil {
			return nil
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
		return nil
	})
	return out
}

// removeCgroups waits (up to timeout) until dirs hold no process, then removes
// them depth first. Processes still present after the timeout are reported.
func removeCgroups(dirs []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var pids []int
		for _, d := range dirs {
			pids = append(pids, cgroupPIDs(d)...)
		}
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroups still hold processes %v", pids)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var errs []string
	for _, d := range dirs {
		var all []string
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				all = append(all, p)
			}
			return nil
		})
		sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
		for _, p := range all {
			var err error
			for i := 0; i < 50; i++ { // a just-emptied cgroup can be busy for a moment
				if err = os.Remove(p); err == nil || isNotExist(err) {
					err = nil
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("remove cgroups: %s", strings.Join(errs, "; "))
	}
	return nil
}

// findCgroupDirs scans every hierarchy (to a small depth) for directories
// named <prefix>-<lab>-*: what a crashed lab may have left.
func findCgroupDirs(prefix, lab string) []string {
	hs, err := Hierarchies()
	if err != nil {
		return nil
	}
	want := CgroupName(prefix, lab+"-")
	var out []string
	for _, h := range hs {
		base := h.Mount
		_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(base, p)
			depth := strings.Count(rel, "/")
			if strings.HasPrefix(d.Name(), want) {
				out = append(out, p)
				return filepath.SkipDir
			}
			if depth >= 3 || strings.HasPrefix(d.Name(), "kubepods") {
				return filepath.SkipDir
			}
			return nil
		})
	}
	return out
}
