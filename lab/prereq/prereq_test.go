package prereq

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// fakeMachine is a described machine: a healthy Debian 12 root VM unless a test changes a field.
type fakeMachine struct {
	root, apt   bool
	missing     []string
	installErr  error
	installed   []string // what Install was asked for
	paths       map[string]bool
	files       map[string]string
	free        uint64
	fsType      string
	installFree bool // Install really installs (the packages are then present)
}

func healthy() *fakeMachine {
	return &fakeMachine{
		root: true, apt: true, free: 50 * GiB, fsType: "ext4", installFree: true,
		paths: map[string]bool{"/proc/self/ns/net": true, "/proc/self/ns/mnt": true, "/proc/self/ns/pid": true,
			"/dev/fuse": true, "/dev/loop-control": true, "/proc/swaps": true,
			"/proc/sys/net/bridge/bridge-nf-call-iptables": true, "/sys/module/vxlan": true},
		files: map[string]string{
			"/proc/swaps":   "Filename\tType\tSize\tUsed\tPriority\n",
			"/proc/meminfo": "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n",
			"/proc/self/mountinfo": "30 24 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n" +
				"31 24 0:27 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids\n",
		},
	}
}

func (f *fakeMachine) IsRoot() bool { return f.root }
func (f *fakeMachine) HasAPT() bool { return f.apt }
func (f *fakeMachine) MissingPackages(pkgs []string) ([]string, error) {
	var out []string
	for _, p := range pkgs {
		if slices.Contains(f.missing, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
func (f *fakeMachine) Exists(p string) bool { return f.paths[p] }
func (f *fakeMachine) ReadFile(p string) ([]byte, error) {
	s, ok := f.files[p]
	if !ok {
		return nil, errors.New("no such file")
	}
	return []byte(s), nil
}
func (f *fakeMachine) FreeBytes(string) (uint64, string, error) { return f.free, f.fsType, nil }
func (f *fakeMachine) Install(pkgs []string, _ io.Writer) error {
	f.installed = append(f.installed, pkgs...)
	if f.installErr != nil {
		return f.installErr
	}
	if f.installFree {
		f.missing = nil
	}
	return nil
}

func need() Need {
	return Need{Hosts: 4, CacheRoot: "/var/cache/swapboot-lab", StateRoot: "/var/lib/swapboot-lab", GoCache: "/root/.cache/go-build", Build: true}
}

func run(m Machine, install bool) (int, string) {
	var out bytes.Buffer
	code := Report(Ensure(m, need(), install, &out), &out)
	return code, out.String()
}

func TestPackagesListIsReadWithoutComments(t *testing.T) {
	p := Packages()
	for _, want := range []string{"openssh-server", "containerd", "runc", "containernetworking-plugins", "sudo", "fuse3", "shellcheck", "iptables"} {
		if !slices.Contains(p, want) {
			t.Errorf("package list lacks %s (the fresh-machine run needs it): %v", want, p)
		}
	}
	for _, name := range p {
		if strings.ContainsAny(name, " #\t") {
			t.Errorf("package name %q keeps a comment or space", name)
		}
	}
}

func TestHealthyMachinePasses(t *testing.T) {
	code, out := run(healthy(), false)
	if code != 0 || out != "" {
		t.Fatalf("healthy machine: exit %d, output %q", code, out)
	}
}

func TestMissingPackageWithoutInstallPrintsTheInstallLine(t *testing.T) {
	m := healthy()
	m.missing = []string{"openssh-server", "shellcheck"}
	code, out := run(m, false)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	want := "apt-get update && apt-get install -y --no-install-recommends shellcheck openssh-server"
	if !strings.Contains(out, "missing Debian packages: shellcheck openssh-server") || !strings.Contains(out, want) {
		t.Fatalf("output lacks the missing packages or the install line %q:\n%s", want, out)
	}
	if len(m.installed) != 0 {
		t.Fatalf("installed %v without --install", m.installed)
	}
}

func TestNotRootStopsWithTheInstallLineAndInstallsNothing(t *testing.T) {
	m := healthy()
	m.root = false
	m.missing = []string{"containerd"}
	code, out := run(m, true)
	if code != 2 || len(m.installed) != 0 {
		t.Fatalf("exit %d, installed %v; want 2 and nothing installed", code, m.installed)
	}
	for _, want := range []string{"not running as root", "install -y --no-install-recommends containerd"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNoAptSaysSo(t *testing.T) {
	m := healthy()
	m.apt = false
	m.missing = []string{"fuse3"}
	code, out := run(m, true)
	if code != 2 || !strings.Contains(out, "apt-get is not available") || len(m.installed) != 0 {
		t.Fatalf("exit %d, installed %v, output:\n%s", code, m.installed, out)
	}
}

func TestInstallAsRootInstallsOnlyWhatIsMissing(t *testing.T) {
	m := healthy()
	m.missing = []string{"sudo", "runc"}
	code, out := run(m, true)
	if code != 0 {
		t.Fatalf("exit %d after install:\n%s", code, out)
	}
	if want := []string{"sudo", "runc"}; !slices.Equal(m.installed, want) {
		t.Fatalf("installed %v, want %v (file order)", m.installed, want)
	}
}

func TestFailedInstallIsAProblem(t *testing.T) {
	m := healthy()
	m.missing = []string{"sudo"}
	m.installErr = errors.New("apt-get install: exit status 100")
	code, out := run(m, true)
	if code != 2 || !strings.Contains(out, "apt-get install failed") || !strings.Contains(out, "--no-install-recommends sudo") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestKernelAndResourceProblemsOneMessageEach(t *testing.T) {
	m := healthy()
	delete(m.paths, "/dev/fuse")
	delete(m.paths, "/dev/loop-control")
	m.files["/proc/swaps"] = "Filename\tType\tSize\tUsed\tPriority\n" + strings.Repeat("/x file 1 0 -2\n", 26)
	m.files["/proc/meminfo"] = "MemAvailable:   1000000 kB\n"
	m.files["/proc/self/mountinfo"] = "31 24 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	m.free, m.fsType = 1*GiB, "xfs"
	code, out := run(m, false)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, want := range []string{
		"FUSE", "loop devices",
		"4 lab hosts need 4 swap areas but only 2 of the kernel's 28 are free (26 active)",
		"memory controller",
		"is on xfs, not ext4",
		"the first Kubernetes build needs about 10.0 GiB there",
		"1.0 GiB of memory available; the Kubernetes build (peak 2.7 GB) and the lab needs about 4.0 GiB",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if got := strings.Count(out, "\n  - "); got != 8 {
		t.Errorf("%d problems printed, want 8 (one per missing thing):\n%s", got, out)
	}
}

func TestCgroupV2MemoryControllerIsAccepted(t *testing.T) {
	m := healthy()
	m.files["/proc/self/mountinfo"] = "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	m.files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io memory pids\n"
	if code, out := run(m, false); code != 0 {
		t.Fatalf("cgroup v2 with memory: exit %d\n%s", code, out)
	}
}

func TestWarmCacheNeedsLessDiskAndMemory(t *testing.T) {
	m := healthy()
	m.free = 3 * GiB // enough for a lab, far too little for a cold build
	m.files["/proc/meminfo"] = "MemAvailable:   3000000 kB\n"
	n := need()
	n.Build = false
	var out bytes.Buffer
	if code := Report(Ensure(m, n, false, &out), &out); code != 0 {
		t.Fatalf("warm cache with 3 GiB disk and ~2.9 GiB memory: exit %d\n%s", code, out.String())
	}
}

func TestKernelModulesLoadedBuiltInOrLoadable(t *testing.T) {
	const rel = "6.1.0-99-amd64"
	for _, tc := range []struct {
		name   string
		change func(*fakeMachine)
		want   []string // problems expected, by module
	}{
		{"loaded or built in with their traces", func(*fakeMachine) {}, nil},
		{"neither anywhere", func(m *fakeMachine) {
			delete(m.paths, "/proc/sys/net/bridge/bridge-nf-call-iptables")
			delete(m.paths, "/sys/module/vxlan")
		}, []string{"no br_netfilter module", "no vxlan module"}},
		{"loadable from /lib/modules", func(m *fakeMachine) {
			delete(m.paths, "/proc/sys/net/bridge/bridge-nf-call-iptables")
			delete(m.paths, "/sys/module/vxlan")
			m.files["/proc/sys/kernel/osrelease"] = rel + "\n"
			m.files["/lib/modules/"+rel+"/modules.dep"] = "kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz\n" +
				"kernel/drivers/net/vxlan/vxlan.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\n"
		}, nil},
		{"built in per modules.builtin, vxlan missing", func(m *fakeMachine) {
			delete(m.paths, "/proc/sys/net/bridge/bridge-nf-call-iptables")
			delete(m.paths, "/sys/module/vxlan")
			m.files["/proc/sys/kernel/osrelease"] = rel + "\n"
			m.files["/lib/modules/"+rel+"/modules.builtin"] = "kernel/net/bridge/br_netfilter.ko\n"
		}, []string{"no vxlan module (not loaded, not built in, not in /lib/modules/" + rel + ")"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := healthy()
			tc.change(m)
			code, out := run(m, false)
			if len(tc.want) == 0 && code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			for _, w := range tc.want {
				if strings.Count(out, w) != 1 {
					t.Errorf("want one message with %q:\n%s", w, out)
				}
			}
			if len(tc.want) > 0 && !strings.Contains(out, "modprobe") {
				t.Errorf("the fix should say how to load it:\n%s", out)
			}
		})
	}
}
