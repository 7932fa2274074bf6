package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Down stops and removes a lab completely. It rebuilds what to clean from the
// state directory and from the kernel (process table, cgroups, network
// namespaces, interfaces, mounts, loop devices), so it is safe after a crash,
// after a failed `up`, and when run twice.
func Down(o Options) error {
	start := time.Now()
	if err := o.Normalize(); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("lab down needs root")
	}
	unlock, err := lockLab(o.StateRoot, o.Name)
	if err != nil {
		return err
	}
	defer unlock()
	p := NewPaths(o.StateRoot, o.Name)
	st, _ := p.LoadState()
	prefix := o.CgroupPrefix
	if st != nil {
		prefix = st.CgroupPrefix
	}
	hosts := downHostSet(p, st, prefix)
	var errs []error
	phase := func(name string) {
		if os.Getenv("SWAPBOOT_LAB_DEBUG") != "" {
			fmt.Fprintf(o.Log, "lab %s: down: %s at %.2fs\n", o.Name, name, time.Since(start).Seconds())
		}
	}

	// 1. Swap off inside every running host (from inside its root only).
	for _, h := range hosts {
		if pid := hostInitPID(p.Host(h), CgroupName(prefix, h)); pid > 0 {
			if err := swapoffHelper(o, fmt.Sprintf("/proc/%d/root", pid), ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", h, err))
			}
		}
	}

	phase("swapoff done")

	// 2. Stop the guests (qemu), then the namespace hosts: the supervisors kill their host's PID 1 (which ends
	// the host's PID namespace) and remove the host's cgroups once empty.
	if err := stopVMs(p.Dir); err != nil {
		errs = append(errs, err)
	}
	sups := supervisorPIDs(p.Dir)
	for _, h := range hosts {
		for _, pr := range sups[h] {
			_ = unix.Kill(pr.PID, unix.SIGTERM)
		}
		if len(sups[h]) == 0 {
			if pid := hostInitPID(p.Host(h), CgroupName(prefix, h)); pid > 0 {
				_ = unix.Kill(pid, unix.SIGKILL)
			}
		}
	}
	if !waitFor(30*time.Second, func() bool { return labQuiet(p, prefix, o.Name) }) {
		// Whatever is left gets SIGKILL: supervisors and every process in
		// the lab's cgroups.
		for _, prs := range supervisorPIDs(p.Dir) {
			for _, pr := range prs {
				_ = unix.Kill(pr.PID, unix.SIGKILL)
			}
		}
		for _, pid := range labCgroupProcs(prefix, o.Name) {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		if !waitFor(30*time.Second, func() bool { return labQuiet(p, prefix, o.Name) }) {
			errs = append(errs, fmt.Errorf("processes remain: %v", labCgroupProcs(prefix, o.Name)))
		}
	}

	phase("hosts stopped")

	// 3. Cgroups (the supervisors normally removed them already).
	var cgs []string
	if st != nil {
		for _, h := range hosts {
			cgs = append(cgs, hostCgroupDirs(st, h)...)
		}
	}
	cgs = append(cgs, findCgroupDirs(prefix, o.Name)...)
	if err := removeCgroups(existing(cgs), 10*time.Second); err != nil {
		errs = append(errs, err)
	}

	phase("cgroups removed")

	// 4. Swap areas that outlived their host (killed without down, or a
	// crash): swap off from inside the host's root file system.
	loops := loopDevicesUnder(p.Dir)
	for _, h := range hosts {
		hp := p.Host(h)
		if len(activeSwapFilesUnder(hp.Root())) > 0 {
			if err := swapoffHelper(o, hp.Root(), ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", h, err))
			}
		}
		for dev, file := range loops {
			if file == hp.Disk() {
				if err := swapoffHelper(o, hp.Root(), dev); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", h, err))
				}
			}
		}
	}

	phase("dead swap checked")

	// 5. Network: sockets, veths, namespaces, bridge.
	netHosts := map[string]bool{}
	for _, h := range hosts {
		netHosts[h] = true
	}
	for _, n := range labNetnsNames(o.Name) {
		netHosts[n] = true
	}
	for _, l := range labLinks(o.Name) {
		if l != bridgeName(o.Name) {
			netHosts[l] = true
		}
	}
	for h := range netHosts {
		errs = append(errs, teardownHostNetwork(h)...)
	}
	if linkExists(bridgeName(o.Name)) {
		if _, err := run("ip", "link", "del", bridgeName(o.Name)); err != nil {
			errs = append(errs, err)
		}
	}

	phase("network removed")

	// 6. Mounts and loop devices of the lab in the machine's namespace.
	for _, m := range mountsUnder(p.Dir) {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("umount %s: %w", m, err))
		}
	}
	for dev := range loopDevicesUnder(p.Dir) {
		if _, err := run("losetup", "-d", dev); err != nil {
			errs = append(errs, err)
		}
	}

	phase("mounts and loops done")

	// 7. Files. An active swap file cannot be removed: a failure here means
	// swap is left.
	if err := os.RemoveAll(p.Dir); err != nil {
		errs = append(errs, fmt.Errorf("remove %s: %w (an active swap file cannot be removed: see lab status)", p.Dir, err))
	}
	if err := restoreInotify(o.StateRoot); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(o.StateRoot, "."+o.Name+".lock"))
	fmt.Fprintf(o.Log, "lab %s: down in %.1fs\n", o.Name, time.Since(start).Seconds())
	return nil
}

// downHostSet is every host name the lab may have: from the state, the host
// directories, the network namespaces and the supervisors.
func downHostSet(p Paths, st *State, prefix string) []string {
	set := map[string]bool{}
	if st != nil {
		for _, h := range st.Hosts {
			set[h.Name] = true
		}
	}
	if ents, err := os.ReadDir(p.HostsDir()); err == nil {
		for _, e := range ents {
			set[e.Name()] = true
		}
	}
	lab := filepath.Base(p.Dir)
	for _, n := range labNetnsNames(lab) {
		set[n] = true
	}
	for h := range supervisorPIDs(p.Dir) {
		set[h] = true
	}
	for _, d := range findCgroupDirs(prefix, lab) {
		set[strings.TrimPrefix(filepath.Base(d), prefix+"-")] = true
	}
	out := make([]string, 0, len(set))
	for h := range set {
		if isLabHostName(lab, h) {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// labQuiet reports that no supervisor runs (zombies awaiting their parent do
// not count) and the lab's cgroups hold no process.
func labQuiet(p Paths, prefix, lab string) bool {
	for _, prs := range supervisorPIDs(p.Dir) {
		for _, pr := range prs {
			if pr.State != "Z" {
				return false
			}
		}
	}
	return len(labCgroupProcs(prefix, lab)) == 0
}

func waitFor(d time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func existing(paths []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// swapoffHelper runs `_swapoff ROOT [LOOPDEV]` in a private mount namespace.
func swapoffHelper(o Options, root, loopDev string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"_swapoff", root}
	if loopDev != "" {
		args = append(args, loopDev)
	}
	cmd := exec.Command(self, args...)
	cmd.Path = "/proc/self/exe"
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if s := strings.TrimSpace(string(out)); s != "" {
		fmt.Fprintf(o.Log, "lab %s: %s\n", o.Name, strings.ReplaceAll(s, "\n", "; "))
	}
	if err != nil {
		return fmt.Errorf("swapoff in %s: %v", root, err)
	}
	return nil
}

// RunSwapoff is the hidden helper `_swapoff ROOT [LOOPDEV]`. With LOOPDEV the
// host is gone but its loop-image root is still held by a swap area: the
// device is mounted again (same super block) on ROOT in this private mount
// namespace first.
func RunSwapoff(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: _swapoff ROOT [LOOPDEV]")
	}
	if len(args) > 1 {
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return err
		}
		if err := unix.Mount(args[1], args[0], "ext4", 0, ""); err != nil {
			return fmt.Errorf("mount %s on %s: %w", args[1], args[0], err)
		}
	}
	return RunSwapoffHelper(args[0])
}
