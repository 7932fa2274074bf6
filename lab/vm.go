package lab

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A vm host is a Debian guest under qemu's software emulation (no KVM here),
// for what namespace hosts cannot have on this machine: a kernel of its own
// with cgroup v2 and its memory controller. Its files live in the host's
// directory like a namespace host's; its TAP device on the lab bridge has the
// host's name (so lab down and lab status find it like a veth).

// Defaults of vm hosts.
const (
	DefaultVMMemory = "3G"
	vmCPUs          = 2
	// vmBootTimeout bounds the wait for sshd and systemd of a guest: ~45 s on
	// an idle 2-core machine, several times that when other guests or builds
	// compete for the cores.
	vmBootTimeout = 6 * time.Minute
)

func (h HostPaths) Overlay() string  { return filepath.Join(h.Dir, "disk.qcow2") }
func (h HostPaths) Seed() string     { return filepath.Join(h.Dir, "seed.tar") }
func (h HostPaths) Spare() string    { return filepath.Join(h.Dir, "spare.img") }
func (h HostPaths) QemuPID() string  { return filepath.Join(h.Dir, "qemu.pid") }
func (h HostPaths) QemuLog() string  { return filepath.Join(h.Dir, "qemu.log") }
func (h HostPaths) HostKey() string  { return filepath.Join(h.Dir, "ssh_host_ed25519_key.pub") }
func (h HostPaths) VMConfig() string { return filepath.Join(h.Dir, "qemu.args") }

// prepareVM writes a guest's files: a copy-on-write overlay of the image's
// disk, the seed archive, the spare disk. It returns the guest's public host key line.
func prepareVM(hp HostPaths, s HostSetup, st *State) (string, error) {
	if err := os.MkdirAll(hp.Dir, 0o755); err != nil {
		return "", err
	}
	base := filepath.Join(st.VMImage, "disk.img")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, hp.Overlay()).CombinedOutput(); err != nil {
		return "", fmt.Errorf("qemu-img create %s: %v: %s", hp.Overlay(), err, out)
	}
	priv, pub, err := newKeyPair("root@" + s.Host.Name)
	if err != nil {
		return "", err
	}
	seed, err := vmSeed(s, st.PrefixBits, st.Gateway, string(priv), pub)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(hp.Seed(), seed, 0o600); err != nil {
		return "", err
	}
	if err := writeFileAtomic(hp.HostKey(), []byte(pub+"\n"), 0o644); err != nil {
		return "", err
	}
	if s.Host.VMSpareBytes > 0 {
		f, err := os.OpenFile(hp.Spare(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return "", err
		}
		err = f.Truncate(s.Host.VMSpareBytes)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	return pub, nil
}

// setupTap creates the guest's TAP device on the lab bridge.
func setupTap(lab string, h Host) error {
	if !linkExists(vethName(h.Name)) {
		if _, err := run("ip", "tuntap", "add", "dev", vethName(h.Name), "mode", "tap"); err != nil {
			return err
		}
	}
	_, err := run("ip", "link", "set", vethName(h.Name), "master", bridgeName(lab), "up")
	return err
}

// vmMAC is a locally administered MAC address derived from the host's address.
func vmMAC(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return "52:54:00:00:00:01"
	}
	b := a.As4()
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[1], b[2], b[3])
}

// qemuArgs is the guest's qemu command line (without the binary).
func qemuArgs(hp HostPaths, h Host, st *State) []string {
	kernel := []string{
		"console=ttyS0", "root=/dev/vda", "rw", "net.ifnames=0",
		// cgroup v2 with every controller: the reason vm hosts exist.
		"systemd.unified_cgroup_hierarchy=1", "cgroup_no_v1=all",
		// Without it the guest's clock is the HPET: every clock read costs
		// ~40x more and Go daemons crawl (measured).
		"tsc=reliable", "mitigations=off",
		"systemd.hostname=" + h.Name, "systemd.firstboot=no",
	}
	args := []string{
		"-name", h.Name,
		"-accel", "tcg,thread=multi", "-cpu", "max", "-smp", strconv.Itoa(vmCPUs),
		"-m", strconv.FormatInt(h.VMMemoryBytes>>20, 10),
		"-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none",
		"-serial", "file:" + hp.Console(),
		"-kernel", filepath.Join(st.VMImage, "vmlinuz"), "-initrd", filepath.Join(st.VMImage, "initrd.img"),
		"-append", strings.Join(kernel, " "),
		// Explicit devices, in this order: the guest sees vda (root), vdb (the
		// seed its image reads), vdc (/dev/disk/by-id/virtio-spare).
		"-drive", "file=" + hp.Overlay() + ",format=qcow2,if=none,id=root,cache=writeback,discard=unmap",
		"-device", "virtio-blk-pci,drive=root,serial=root",
		"-drive", "file=" + hp.Seed() + ",format=raw,if=none,id=seed,readonly=on",
		"-device", "virtio-blk-pci,drive=seed,serial=seed",
	}
	if h.VMSpareBytes > 0 {
		args = append(args, "-drive", "file="+hp.Spare()+",format=raw,if=none,id=spare,cache=writeback,discard=unmap",
			"-device", "virtio-blk-pci,drive=spare,serial=spare")
	}
	return append(args,
		"-netdev", "tap,id=n0,ifname="+vethName(h.Name)+",script=no,downscript=no",
		"-device", "virtio-net-pci,netdev=n0,mac="+vmMAC(h.IP),
		"-device", "virtio-rng-pci",
		"-pidfile", hp.QemuPID(),
	)
}

// startVM starts qemu detached (it outlives `lab up`) inside the host's
// cgroups, so lab down finds it there also without its pid file.
func startVM(p Paths, h Host, st *State) error {
	hp := p.Host(h.Name)
	dirs := hostCgroupDirs(st, h.Name)
	if err := createCgroups(dirs); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	logf, err := os.OpenFile(hp.QemuLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	qargs := qemuArgs(hp, h, st)
	if err := os.WriteFile(hp.VMConfig(), []byte(strings.Join(qargs, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	// A small shell moves itself into the host's cgroups, then becomes qemu.
	script := `n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; n=$((n-1)); done; exec "$@"`
	args := append([]string{"-c", script, "swapboot-lab-vm", strconv.Itoa(len(dirs))}, dirs...)
	args = append(args, append([]string{"qemu-system-x86_64"}, qargs...)...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = hp.Dir
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start qemu of %s: %w", h.Name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if vmPID(hp) > 0 {
			return nil
		}
		select {
		case <-done:
			deadline = time.Time{}
		case <-time.After(50 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(hp.QemuLog())
	return fmt.Errorf("qemu of %s did not start: %s", h.Name, lastLines(string(b), 10))
}

// vmPID returns the PID of the host's running qemu, or 0. The pid file is
// checked against the process (its -pidfile argument), so a recycled PID is
// never used.
func vmPID(hp HostPaths) int {
	pid := readPID(hp.QemuPID())
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(b), "\x00"+hp.QemuPID()+"\x00") {
		return 0
	}
	return pid
}

// vmProcs finds the lab's qemu processes from the process table (by their
// -pidfile under the lab directory), also when pid files are gone.
func vmProcs(labDir string) map[string][]int {
	out := map[string][]int{}
	prefix := filepath.Join(labDir, "hosts") + "/"
	for _, pr := range listProcs() {
		if len(pr.Argv) == 0 || filepath.Base(pr.Argv[0]) != "qemu-system-x86_64" || pr.State == "Z" {
			continue
		}
		for i, a := range pr.Argv[:len(pr.Argv)-1] {
			if a == "-pidfile" && strings.HasPrefix(pr.Argv[i+1], prefix) {
				host := filepath.Base(filepath.Dir(pr.Argv[i+1]))
				out[host] = append(out[host], pr.PID)
			}
		}
	}
	return out
}

// stopVMs ends every qemu of the lab (the guests' disks are thrown away, so
// there is nothing to shut down cleanly): SIGTERM, then SIGKILL.
func stopVMs(labDir string) error {
	procs := vmProcs(labDir)
	if len(procs) == 0 {
		return nil
	}
	for _, pids := range procs {
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGTERM)
		}
	}
	if waitFor(10*time.Second, func() bool { return len(vmProcs(labDir)) == 0 }) {
		return nil
	}
	for _, pids := range vmProcs(labDir) {
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
	if !waitFor(10*time.Second, func() bool { return len(vmProcs(labDir)) == 0 }) {
		return fmt.Errorf("qemu processes remain: %v", vmProcs(labDir))
	}
	return nil
}

// vmSSHCommand runs argv on a vm host over SSH with the lab key and strict
// host key checking (lab exec and the lab's own commands on a guest).
func vmSSHCommand(p Paths, h Host, argv []string) *exec.Cmd {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	args := []string{"-i", p.Key(), "-o", "UserKnownHostsFile=" + p.KnownHosts(), "-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "-o", "HostKeyAlgorithms=ssh-ed25519",
		"-l", "root", h.IP, "--", strings.Join(quoted, " ")}
	cmd := exec.Command("ssh", args...)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8"}
	return cmd
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// planVM marks h as a vm host with the options' memory and spare disk.
func planVM(o Options, h *Host) error {
	h.VM = true
	n, err := ParseSizeBytes(o.VMMemory)
	if err != nil {
		return fmt.Errorf("--vm-memory %s: %w", o.VMMemory, err)
	}
	if n < 1<<30 {
		return fmt.Errorf("--vm-memory %s: at least 1G (the kubelet, containerd and the pods live in it)", o.VMMemory)
	}
	h.VMMemoryBytes = n
	if o.VMSpareDisk != "" {
		if h.VMSpareBytes, err = ParseSizeBytes(o.VMSpareDisk); err != nil {
			return fmt.Errorf("--vm-spare-disk %s: %w", o.VMSpareDisk, err)
		}
	}
	return nil
}

// importVMImages imports, over SSH, the image tarballs the guest's image was
// built without (e.g. flannel's, built after the image): the image records
// the tarballs it has in IMAGES.
func importVMImages(o Options, h Host, imageDir string) error {
	b, _ := os.ReadFile(filepath.Join(imageDir, "IMAGES"))
	have := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	tars, _ := filepath.Glob(filepath.Join(o.CacheRoot, "flannel", "*", "images", "*.tar"))
	k8sTars, _ := filepath.Glob(filepath.Join(K8sDir(o.CacheRoot, o.K8sVersion), "images", "*.tar"))
	for _, t := range append(k8sTars, tars...) {
		if have[t] {
			continue
		}
		f, err := os.Open(t)
		if err != nil {
			return err
		}
		_, err = hostOutput(o, h.Name, f, "ctr", "-n", "k8s.io", "images", "import", "-")
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: import %s: %w", h.Name, filepath.Base(t), err)
		}
	}
	return nil
}

// applyVMPodNetwork is applyPodNetwork's per-host part for a guest, over SSH:
// the CNI configuration of its range, routes to the other hosts' ranges, and
// the REJECT of untranslated service traffic (forwarding is on in the image).
// Like the namespace hosts' routes it does not outlive a reboot of the guest.
func applyVMPodNetwork(o Options, st *State, h Host) error {
	var b strings.Builder
	b.WriteString("set -e\nmkdir -p /etc/cni/net.d\ncat > /etc/cni/net.d/.10-swapboot-lab.conflist.tmp\n")
	b.WriteString("mv /etc/cni/net.d/.10-swapboot-lab.conflist.tmp /etc/cni/net.d/10-swapboot-lab.conflist\n")
	for _, other := range st.Hosts {
		if other.Name != h.Name {
			fmt.Fprintf(&b, "ip route replace %s via %s\n", HostPodCIDR(other), other.IP)
		}
	}
	fmt.Fprintf(&b, "iptables -C FORWARD -d %[1]s -j REJECT 2>/dev/null || iptables -A FORWARD -d %[1]s -j REJECT\n", ServiceSubnet)
	_, err := hostOutput(o, h.Name, strings.NewReader(CNIConfig(HostPodCIDR(h))), "sh", "-c", b.String())
	return err
}
