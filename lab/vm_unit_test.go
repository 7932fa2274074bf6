package lab

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestPlanHostsVMWorkersAreTheLastWorkers(t *testing.T) {
	o := Options{Name: "lab", Hosts: 4, VMWorkers: 2, VMSpareDisk: "1G"}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	st, err := planHosts(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range st.Hosts {
		want := i >= 2
		if h.VM != want || (want && (h.VMMemoryBytes != 3<<30 || h.VMSpareBytes != 1<<30)) || (!want && h.VMMemoryBytes != 0) {
			t.Errorf("host %d: %+v", i, h)
		}
	}
	o.SmallDisk = map[string]string{"w3": "64M"}
	if _, err := planHosts(o, nil); err == nil || !strings.Contains(err.Error(), "lab-w3 is a vm host") {
		t.Errorf("small disk on a vm host: %v", err)
	}
	o.SmallDisk, o.VMMemory = nil, "512M"
	if _, err := planHosts(o, nil); err == nil || !strings.Contains(err.Error(), "--vm-memory 512M") {
		t.Errorf("too little memory: %v", err)
	}
}

func TestVMSeedHoldsTheGuestsFiles(t *testing.T) {
	hosts := []Host{{Name: "lab-m1", IP: "10.77.0.11", Index: 0}, {Name: "lab-w1", IP: "10.77.0.12", Index: 1, VM: true}}
	s := HostSetup{Lab: "lab", Host: hosts[1], AllHosts: hosts, AuthorizedPK: "ssh-ed25519 AAAA lab"}
	b, err := vmSeed(s, 24, "10.77.0.1", "PRIVATE", "ssh-ed25519 BBBB root@lab-w1")
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%512 != 0 {
		t.Errorf("seed of %d bytes is not whole sectors", len(b))
	}
	files := map[string]string{}
	modes := map[string]int64{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(tr)
		files[h.Name], modes[h.Name] = string(c), h.Mode
	}
	if files["etc/hostname"] != "lab-w1\n" || files["root/.ssh/authorized_keys"] != "ssh-ed25519 AAAA lab\n" {
		t.Errorf("hostname/authorized_keys: %q", files)
	}
	if files["etc/ssh/ssh_host_ed25519_key"] != "PRIVATE" || modes["etc/ssh/ssh_host_ed25519_key"] != 0o600 {
		t.Errorf("host key %q mode %o", files["etc/ssh/ssh_host_ed25519_key"], modes["etc/ssh/ssh_host_ed25519_key"])
	}
	nw := files["etc/systemd/network/10-swapboot-lab.network"]
	for _, want := range []string{"Name=eth0", "Address=10.77.0.12/24", "Gateway=10.77.0.1"} {
		if !strings.Contains(nw, want) {
			t.Errorf("networkd config lacks %q:\n%s", want, nw)
		}
	}
	// The pod network is flannel's (swapboot) or the static one (lab network), never the seed's.
	for n := range files {
		if strings.HasPrefix(n, "etc/cni/") {
			t.Errorf("the seed has a CNI configuration %s", n)
		}
	}
}

func TestQemuArgsGiveCgroupV2AndTheLabNetwork(t *testing.T) {
	h := Host{Name: "lab-w1", IP: "10.77.0.12", VM: true, VMMemoryBytes: 3 << 30, VMSpareBytes: 1 << 30}
	args := strings.Join(qemuArgs(HostPaths{Dir: "/s/hosts/lab-w1"}, h, &State{VMImage: "/c/vm/x"}), " ")
	for _, want := range []string{"-accel tcg,thread=multi", "-m 3072", "systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all", "tsc=reliable",
		"-kernel /c/vm/x/vmlinuz", "file=/s/hosts/lab-w1/disk.qcow2,format=qcow2,if=none,id=root", "virtio-blk-pci,drive=root",
		"file=/s/hosts/lab-w1/seed.tar,format=raw,if=none,id=seed,readonly=on", "virtio-blk-pci,drive=seed", "virtio-blk-pci,drive=spare,serial=spare", "tap,id=n0,ifname=lab-w1,script=no", "mac=52:54:00:4d:00:0c", "-pidfile /s/hosts/lab-w1/qemu.pid"} {
		if !strings.Contains(args, want) {
			t.Errorf("qemu args lack %q:\n%s", want, args)
		}
	}
	// The image's seed unit reads /dev/vdb: root, seed, spare must be created in this order.
	if r, sd, sp := strings.Index(args, "drive=root"), strings.Index(args, "drive=seed"), strings.Index(args, "drive=spare"); !(r < sd && sd < sp) {
		t.Errorf("drive order root %d, seed %d, spare %d:\n%s", r, sd, sp, args)
	}
	if strings.Contains(args, "if=virtio") {
		t.Errorf("if=virtio drives are created after the -device ones, which would change the guest's disk names:\n%s", args)
	}
}
