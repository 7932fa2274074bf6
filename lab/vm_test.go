package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// TestVMHost boots a lab of a namespace master and one vm worker (a qemu
// guest) and checks what the guest is for: strict SSH, cgroup v2 with the
// memory controller, systemd, containerd, the Kubernetes payload and images,
// swap, the spare disk; then that lab down leaves nothing. Run it under the
// shared e2e lock: a guest under software emulation takes both cores.
func TestVMHost(t *testing.T) {
	requireRoot(t)
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is missing: make prereqs installs it")
	}
	o := testOptions(t, 2)
	o.NoKubernetes = false
	o.VMWorkers, o.VMSpareDisk = 1, "64M"
	st := upForTest(t, o)
	p := NewPaths(o.StateRoot, o.Name)
	vm := st.Hosts[1]
	if !vm.VM || st.Hosts[0].VM || vm.Role != "worker" {
		t.Fatalf("hosts: %+v", st.Hosts)
	}

	r, err := Status(o)
	if err != nil || !r.Healthy() || !r.Hosts[1].VM || r.Hosts[1].InitPID != vmPID(p.Host(vm.Name)) {
		t.Fatalf("status: %+v %v", r, err)
	}
	if cf, _ := os.ReadFile(p.ClusterFile()); !strings.Contains(string(cf), "workers: ["+vm.IP+"]") {
		t.Errorf("cluster file does not list the guest as a worker:\n%s", cf)
	}

	c := dialHost(t, p, vm) // the lab's known_hosts, strict
	defer c.Close()
	out := func(cmd string) string {
		t.Helper()
		s, err := sshOutput(c, cmd)
		if err != nil {
			t.Fatalf("%s: %v: %s", cmd, err, s)
		}
		return s
	}
	if got := out("stat -f -c %T /sys/fs/cgroup"); got != "cgroup2fs" {
		t.Errorf("/sys/fs/cgroup is %q, want cgroup2fs", got)
	}
	if got := out("cat /sys/fs/cgroup/cgroup.controllers"); !strings.Contains(" "+got+" ", " memory ") {
		t.Errorf("cgroup v2 controllers %q lack memory", got)
	}
	if got := out("cat /proc/1/comm; hostname; systemctl is-active containerd ssh"); got != "systemd\n"+vm.Name+"\nactive\nactive" {
		t.Errorf("PID 1, host name, containerd, ssh: %q", got)
	}
	if got := out("kubelet --version"); got != "Kubernetes "+o.K8sVersion {
		t.Errorf("kubelet --version: %q", got)
	}
	images, err := readImages(K8sDir(o.CacheRoot, o.K8sVersion))
	if err != nil {
		t.Fatal(err)
	}
	listed := "\n" + out("ctr -n k8s.io images ls -q") + "\n"
	for _, img := range images {
		if !strings.Contains(listed, "\n"+img+"\n") {
			t.Errorf("image %s not in the guest's containerd:%s", img, listed)
		}
	}
	swap := out("dd if=/dev/zero of=/swapfile bs=1M count=64 status=none && chmod 600 /swapfile && mkswap /swapfile >/dev/null && swapon /swapfile && awk '$1 == \"/swapfile\" {print $2}' /proc/swaps; swapoff /swapfile && rm /swapfile")
	if swap != "file" {
		t.Errorf("swap file in the guest: /proc/swaps type %q", swap)
	}
	if got := out("blockdev --getsize64 /dev/disk/by-id/virtio-spare"); got != "67108864" {
		t.Errorf("spare disk size %q, want 64M", got)
	}
	// The guest and the namespace master reach each other on the lab bridge.
	if got := out("timeout 20 bash -c '</dev/tcp/" + st.Hosts[0].IP + "/22' && echo open"); got != "open" {
		t.Errorf("guest -> master sshd: %q", got)
	}
	// lab exec goes over SSH for a guest.
	var b strings.Builder
	if code, err := Exec(o, "w1", []string{"cat", "/etc/hostname"}, nil, &b, &b); err != nil || code != 0 || strings.TrimSpace(b.String()) != vm.Name {
		t.Errorf("lab exec w1: %d %v %q", code, err, b.String())
	}

	// Strict host keys: another key for the guest's address is refused.
	bad := filepath.Join(t.TempDir(), "known_hosts")
	masterKey, _ := os.ReadFile(filepath.Join(p.Dir, "known_hosts"))
	var wrong string
	for _, l := range strings.Split(string(masterKey), "\n") {
		if f := strings.Fields(l); len(f) == 3 && strings.HasPrefix(f[0], st.Hosts[0].IP+",") {
			wrong = vm.IP + " " + f[1] + " " + f[2] + "\n"
		}
	}
	if err := os.WriteFile(bad, []byte(wrong), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := SSHClientConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HostKeyCallback, err = knownhosts.New(bad); err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 60 * time.Second
	if c2, err := ssh.Dial("tcp", vm.IP+":22", cfg); err == nil {
		c2.Close()
		t.Errorf("a wrong host key for %s was accepted", vm.IP)
	}
	// upForTest's cleanup runs lab down and checks that nothing remains
	// (TAP device, qemu, cgroups, files).
}
