package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// InitSpec is what the supervisor hands to the host's init stage.
type InitSpec struct {
	Hostname    string      `json:"hostname"`
	HostDir     string      `json:"hostDir"`
	Disk        string      `json:"disk,omitempty"` // loop image root; "" = directory root
	ExtraLowers []string    `json:"extraLowers,omitempty"`
	Container   string      `json:"container"`
	Hierarchies []Hierarchy `json:"hierarchies"`
}

const initSpecEnv = "SWAPBOOT_LAB_INIT_SPEC"

// fuseFD is the /dev/fuse descriptor the supervisor passes to the init
// stage; mountedFD is the pipe on which the init stage reports the mount.
const (
	fuseFD    = 3
	mountedFD = 4
)

// RunInit is the host's init stage (hidden helper `_init`). It runs as PID 1
// of the host's new PID namespace inside fresh mount, UTS, IPC and cgroup
// namespaces, builds the host's filesystem, and execs systemd.
func RunInit() error {
	var spec InitSpec
	if err := json.Unmarshal([]byte(os.Getenv(initSpecEnv)), &spec); err != nil {
		return fmt.Errorf("init spec: %w", err)
	}
	hp := HostPaths{Dir: spec.HostDir}
	if err := buildHostFS(spec, hp); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
		return err
	}
	root := hp.Root()
	if err := unix.Chdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	env := []string{
		"container=" + spec.Container,
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C.UTF-8",
	}
	return syscall.Exec("/lib/systemd/systemd", []string{"/lib/systemd/systemd"}, env)
}

type mountStep struct {
	src, dst, fstype string
	flags            uintptr
	data             string
}

func doMount(m mountStep) error {
	if err := unix.Mount(m.src, m.dst, m.fstype, m.flags, m.data); err != nil {
		return fmt.Errorf("mount %s on %s (%s, %q): %w", m.src, m.dst, m.fstype, m.data, err)
	}
	return nil
}

func bindRO(path string) error {
	if err := doMount(mountStep{path, path, "", unix.MS_BIND | unix.MS_REC, ""}); err != nil {
		return err
	}
	return doMount(mountStep{"", path, "", unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""})
}

// buildHostFS mounts the host's tree under its root (lab facts, section 4).
func buildHostFS(spec InitSpec, hp HostPaths) error {
	root := hp.Root()
	if err := doMount(mountStep{"", "/", "", unix.MS_REC | unix.MS_PRIVATE, ""}); err != nil {
		return err
	}
	if spec.Disk != "" {
		// mount(8) sets up the loop device with autoclear: it goes away with
		// the host's mount namespace.
		if out, err := exec.Command("mount", "-t", "ext4", "-o", "loop", spec.Disk, root).CombinedOutput(); err != nil {
			return fmt.Errorf("mount %s: %v: %s", spec.Disk, err, out)
		}
	} else if err := doMount(mountStep{root, root, "", unix.MS_BIND, ""}); err != nil {
		return err
	}
	for _, d := range overlayDirs {
		lowers := []string{"/" + d}
		if d == "usr" {
			lowers = append(append([]string{}, spec.ExtraLowers...), lowers...)
		}
		opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lowers, ":"), hp.Upper(d), hp.Work(d))
		if err := doMount(mountStep{"overlay", filepath.Join(root, d), "overlay", 0, opts}); err != nil {
			return err
		}
	}
	cd := filepath.Join(root, "var/lib/containerd")
	if err := os.MkdirAll(cd, 0o711); err != nil {
		return err
	}
	if err := doMount(mountStep{hp.Containerd(), cd, "", unix.MS_BIND, ""}); err != nil {
		return err
	}
	// /dev: minimal, plus /dev/kmsg (the kubelet opens it).
	dev := filepath.Join(root, "dev")
	if err := doMount(mountStep{"tmpfs", dev, "tmpfs", unix.MS_NOSUID | unix.MS_STRICTATIME, "mode=755,size=65536k"}); err != nil {
		return err
	}
	if err := populateDev(dev); err != nil {
		return err
	}
	// /proc: fresh for the new PID namespace; /proc/sys read-only except net.
	proc := filepath.Join(root, "proc")
	if err := doMount(mountStep{"proc", proc, "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""}); err != nil {
		return err
	}
	if err := mountSwapView(root, dev, proc); err != nil {
		return err
	}
	if err := bindRO(filepath.Join(proc, "sys")); err != nil {
		return err
	}
	if err := doMount(mountStep{filepath.Join(proc, "sys/net"), filepath.Join(proc, "sys/net"), "", unix.MS_BIND | unix.MS_REC, ""}); err != nil {
		return err
	}
	// A bind mount keeps the read-only flag of the mount it comes from: make net writable again, so that
	// the host can set its own network namespace's sysctls (ip_forward, bridge-nf-call-iptables) as a
	// node does.
	if err := doMount(mountStep{"", filepath.Join(proc, "sys/net"), "", unix.MS_BIND | unix.MS_REMOUNT | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""}); err != nil {
		return err
	}
	if err := mountPrivateTunables(proc, filepath.Join(dev, ".tunables")); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(proc, "sysrq-trigger")); err == nil {
		if err := bindRO(filepath.Join(proc, "sysrq-trigger")); err != nil {
			return err
		}
	}
	// /sys: read-only, with fresh cgroup mounts inside the cgroup namespace.
	sys := filepath.Join(root, "sys")
	if err := doMount(mountStep{"sysfs", sys, "sysfs", unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""}); err != nil {
		return err
	}
	if err := mountCgroups(filepath.Join(sys, "fs/cgroup"), spec.Hierarchies); err != nil {
		return err
	}
	return doMount(mountStep{"tmpfs", filepath.Join(root, "run"), "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=755,size=10%"})
}

func populateDev(dev string) error {
	nodes := []struct {
		name         string
		major, minor uint32
	}{{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}}
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, n := range nodes {
		if err := unix.Mknod(filepath.Join(dev, n.name), unix.S_IFCHR|0o666, int(unix.Mkdev(n.major, n.minor))); err != nil {
			return fmt.Errorf("mknod %s: %w", n.name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dev, "kmsg"), nil, 0o600); err != nil {
		return err
	}
	if err := doMount(mountStep{"/dev/kmsg", filepath.Join(dev, "kmsg"), "", unix.MS_BIND, ""}); err != nil {
		return err
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if err := os.MkdirAll(filepath.Join(dev, d), 0o755); err != nil {
			return err
		}
	}
	if err := doMount(mountStep{"devpts", filepath.Join(dev, "pts"), "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"}); err != nil {
		return err
	}
	if err := doMount(mountStep{"shm", filepath.Join(dev, "shm"), "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777,size=65536k"}); err != nil {
		return err
	}
	if err := doMount(mountStep{"mqueue", filepath.Join(dev, "mqueue"), "mqueue", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""}); err != nil {
		return err
	}
	links := map[string]string{"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "core": "/proc/kcore"}
	for n, t := range links {
		if err := os.Symlink(t, filepath.Join(dev, n)); err != nil {
			return err
		}
	}
	return nil
}

// mountSwapView mounts the supervisor's FUSE file system (fd 3) on a scratch
// directory, binds its swaps and meminfo over the host's /proc files, and
// detaches the scratch mount.
func mountSwapView(root, dev, proc string) error {
	scratch := filepath.Join(dev, ".swapview")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return err
	}
	opts := fmt.Sprintf("fd=%d,rootmode=40555,user_id=0,group_id=0,allow_other", fuseFD)
	if err := doMount(mountStep{"swapboot-lab", scratch, "fuse.swapboot-lab", unix.MS_NOSUID | unix.MS_NODEV, opts}); err != nil {
		return err
	}
	// Let the supervisor answer the FUSE handshake; the binds below wait for it.
	if _, err := unix.Write(mountedFD, []byte{1}); err != nil {
		return fmt.Errorf("notify supervisor: %w", err)
	}
	_ = unix.Close(mountedFD)
	_ = unix.Close(fuseFD)
	for _, f := range []string{"swaps", "meminfo"} {
		if err := doMount(mountStep{filepath.Join(scratch, f), filepath.Join(proc, f), "", unix.MS_BIND, ""}); err != nil {
			return err
		}
	}
	if err := unix.Unmount(scratch, unix.MNT_DETACH); err != nil {
		return err
	}
	return os.Remove(scratch)
}

// mountCgroups mounts a tmpfs with the machine's hierarchies (seen through the
// host's cgroup namespace) and makes the tmpfs read-only.
func mountCgroups(dir string, hs []Hierarchy) error {
	if err := doMount(mountStep{"tmpfs", dir, "tmpfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=755"}); err != nil {
		return err
	}
	for _, h := range hs {
		p := filepath.Join(dir, filepath.Base(h.Mount))
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := doMount(mountStep{h.FSType, p, h.FSType, unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, h.Options}); err != nil {
			return err
		}
	}
	return doMount(mountStep{"", dir, "", unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=755"})
}
