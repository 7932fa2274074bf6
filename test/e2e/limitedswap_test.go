package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/swapboot/swapboot/lab"
)

// The pods of the swap proof: the container touches swapTouch, more than its limit, less than the limit
// plus the swap KEP-2400's formula gives it on the guest (checked against the node's own numbers). Pages
// being swapped out sit in the swap cache, counted against memory.max and memory.swap.max at once: under
// emulation's slow disk that was 143 MiB when a first sizing (1 GiB swap, a 263 MiB swap limit for 128 MiB
// past the limit) was OOM-killed, so the margin asked for is swapCacheMargin on top.
const (
	swapRequest = "768Mi"
	swapLimit   = "896Mi"
	swapTouch   = 1024 // MiB
	pageSize    = 4096
	// spareDisk is the guest's empty second disk (lab.Options.VMSpareDisk), given to swap.
	spareDisk = "/dev/disk/by-id/virtio-spare"
	// swapCacheMargin is what the formula's swap limit must leave beyond what the pod needs past its limit.
	swapCacheMargin = 256 << 20
	// guestSwap is the swap file's size (the cluster file's swap.size).
	guestSwap = "2G"
)

// TestLimitedSwapOnVMWorker is issue 14's proof, on a namespace master (the machine's cgroup v1) and one
// vm worker (a qemu guest, cgroup v2), with behavior auto and a 2 GiB swap file:
//   - up gives the master NoSwap and the guest LimitedSwap (each node's own, through its kubeadm patch),
//     read back from the running kubelets (configz) and from status; every node Ready;
//   - on the guest a Burstable pod whose container touches more than its memory limit keeps running: its
//     cgroup's memory.swap.max is the formula's value (request / node memory x node swap) and
//     memory.swap.current is above zero; the same pod made Guaranteed is OOM-killed with memory.swap.max 0;
//   - the Burstable pod on the cgroup v1 master (NoSwap) is OOM-killed: the kubelet sets its
//     memory+swap limit to its memory limit (docs/versions.md);
//   - swap disable, then swap enable, on the guest: the proof holds again.
func TestLimitedSwapOnVMWorker(t *testing.T) {
	defer timed(t, "TestLimitedSwapOnVMWorker total")()
	before := memAvailableMiB(t)
	e := startLab(t, "lswap", "10.95.0.0/24", 2, func(o *lab.Options) { o.VMWorkers, o.VMSpareDisk = 1, guestSwap })
	e.memBefore = before
	masterIP, guestIP := e.ip(0), e.ip(1)
	e.clusterFile = e.withLine(filepath.Join(e.dir, "cluster.yaml"), filepath.Join(e.dir, "cluster-swap.yaml"), "swap:", "swap: {size: "+guestSwap+", path: /swapfile, behavior: auto}")
	// The guest's swap is its spare disk (issue 15's dedicated device); encrypted later (the sysctl subtest).
	e.clusterFile = e.withLine(e.clusterFile, e.clusterFile, "workers:", "workers: [{address: "+guestIP+", swap: {device: "+spareDisk+"}}]")
	var master, guest string // node names

	t.Run("up: NoSwap on the cgroup v1 master, LimitedSwap on the cgroup v2 guest, all Ready", func(t *testing.T) {
		defer timed(t, "up with a vm worker")()
		// The guest runs under software emulation: its flannel and kube-proxy pods start in minutes.
		if code, out := e.up("--pod-network-timeout", "12m"); code != 0 {
			t.Fatalf("up: exit %d\n%s", code, out)
		}
		if out, err := e.waitNodesReady(2, 5*time.Minute); err != nil {
			t.Fatalf("nodes: %v\n%s", err, out)
		}
		st, _ := e.status(e.clusterFile, nil)
		m, g := st[masterIP], st[guestIP]
		master, guest = m.NodeName, g.NodeName
		if kinds := areaKinds(g); kinds != "device" {
			t.Errorf("status shows the guest's swap areas as %q, want device", kinds)
		}
		if m.Cgroup != "v1" || m.SwapBehavior != "NoSwap" || g.Cgroup != "v2" || g.SwapBehavior != "LimitedSwap" {
			t.Errorf("status: master cgroup %s %s, guest cgroup %s %s; want v1 NoSwap, v2 LimitedSwap", m.Cgroup, m.SwapBehavior, g.Cgroup, g.SwapBehavior)
		}
		if !m.OK || !g.OK {
			t.Errorf("status problems: master %s; guest %s", m.problems(), g.problems())
		}
		if g.NodeSwapCapacity == nil || *g.NodeSwapCapacity < 2000<<20 {
			t.Errorf("the guest reports swap capacity %v to the API, want about 2 GiB", g.NodeSwapCapacity)
		}
		for node, want := range map[string]string{master: "NoSwap", guest: "LimitedSwap"} {
			if got := e.runningSwapBehavior(node); got != want {
				t.Errorf("%s's running kubelet (configz) has swapBehavior %q, want %q", node, got, want)
			}
		}
		for name, want := range map[string]string{e.name(0): "NoSwap", e.name(1): "LimitedSwap"} {
			if patch := e.host(name, "cat", "/var/lib/swapboot/kubeadm-patches/kubeletconfiguration+merge.yaml"); !strings.Contains(patch, "swapBehavior: "+want) {
				t.Errorf("%s's kubeadm patch:\n%s\nwant swapBehavior %s", name, patch, want)
			}
		}
		// No swap for the guest's system daemons (protectSystemDaemons, cgroup v2 only).
		if got := e.systemSliceSwapMax(); got != "0" {
			t.Errorf("the guest's system.slice memory.swap.max is %q, want 0", got)
		}
		// The cluster's ConfigMap keeps what every node tolerates; the guest's own setting is its patch's.
		if cm, err := e.kubectlOut("-n", "kube-system", "get", "configmap", "kubelet-config", "-o", "jsonpath={.data.kubelet}"); err != nil || !strings.Contains(cm, "swapBehavior: NoSwap") {
			t.Errorf("kubelet-config ConfigMap: %v\n%s", err, cm)
		}
	})
	if master == "" || guest == "" {
		t.Fatal("no cluster to prove swap on")
	}

	t.Run("the guest's swap is its spare disk, in /etc/fstab", func(t *testing.T) {
		e.checkDeviceSwap(t)
	})

	t.Run("on the guest a Burstable pod swaps past its memory limit; a Guaranteed one is OOM-killed", func(t *testing.T) {
		defer timed(t, "swap proof on the guest")()
		e.limitedSwapProof(t, guest, "1")
	})

	t.Run("on the cgroup v1 master (NoSwap) the Burstable pod is OOM-killed", func(t *testing.T) {
		defer timed(t, "Burstable pod on the cgroup v1 master")()
		first, reason := e.runToEnd(t, "burstable-v1", master, swapRequest, swapLimit)
		t.Logf("cgroup v1 master: memory.memsw.limit_in_bytes %s, container ended %s", first, reason)
		if reason != "OOMKilled" {
			t.Errorf("the Burstable pod on the cgroup v1 master ended %q, want OOMKilled (NoSwap: memory+swap limit = memory limit)", reason)
		}
		if want := strconv.FormatInt(quantity(swapLimit), 10); first != want {
			t.Errorf("its memory.memsw.limit_in_bytes is %q, want the memory limit %s", first, want)
		}
	})

	t.Run("swap disable, then enable, on the guest: the proof holds again", func(t *testing.T) {
		defer timed(t, "swap disable and enable on the guest")()
		if code, out := e.cmd("swap", "disable", "--yes", "--node", guestIP, "--ready-timeout", "8m"); code != 0 {
			t.Fatalf("swap disable: exit %d\n%s", code, out)
		}
		st, _ := e.status(e.clusterFile, nil)
		if g := st[guestIP]; !g.FailSwapOn || g.SwapBehavior != "" || g.SwapAreas != 0 {
			t.Errorf("after swap disable the guest has failSwapOn %v, behaviour %q, %d swap areas", g.FailSwapOn, g.SwapBehavior, g.SwapAreas)
		}
		if got := e.systemSliceSwapMax(); got != "max" {
			t.Errorf("after swap disable the guest's system.slice memory.swap.max is %q, want max", got)
		}
		e.checkNoSwapAreas(t)
		if code, out := e.cmd("swap", "enable", "--node", guestIP, "--ready-timeout", "8m"); code != 0 {
			t.Fatalf("swap enable: exit %d\n%s", code, out)
		}
		st, _ = e.status(e.clusterFile, nil)
		if g := st[guestIP]; g.FailSwapOn || g.SwapBehavior != "LimitedSwap" || !g.OK {
			t.Errorf("after swap enable the guest has failSwapOn %v, behaviour %q, problems %s", g.FailSwapOn, g.SwapBehavior, g.problems())
		}
		if got := e.runningSwapBehavior(guest); got != "LimitedSwap" {
			t.Errorf("the guest's running kubelet has swapBehavior %q after swap enable", got)
		}
		if got := e.systemSliceSwapMax(); got != "0" {
			t.Errorf("after swap enable the guest's system.slice memory.swap.max is %q, want 0", got)
		}
		e.checkDeviceSwap(t)
		e.limitedSwapProof(t, guest, "2")
	})

	// vm sysctls are global to a kernel: only the guest has its own, so the masters get no swap here
	// (swap.nodes: workers) and with it none of swap's settings; the machine's value must not move.
	// The guest's swap device becomes encrypted in the same up (dm-crypt under emulation is too slow
	// for the swap proof's margins, so the proof ran on the plain device).
	t.Run("swap.sysctl and an encrypted swap device on the guest, both back after a reboot, gone after swap disable", func(t *testing.T) {
		machine := readSwappiness(t)
		before := strings.TrimSpace(e.host(e.name(1), "cat", "/proc/sys/vm/swappiness"))
		file := e.withLine(e.clusterFile, filepath.Join(e.dir, "cluster-sysctl.yaml"), "swap:", "swap: {size: "+guestSwap+", path: /swapfile, behavior: auto, nodes: workers, sysctl: {swappiness: 42, watermarkScaleFactor: 200}}")
		file = e.withLine(file, file, "workers:", "workers: [{address: "+guestIP+", swap: {device: "+spareDisk+", encrypt: true}}]")
		if code, out := e.swapbootRun("", "up", "--kubeconfig-dir", e.dir, "--pod-network-timeout", "12m", file); code != 0 {
			t.Fatalf("up: exit %d\n%s", code, out)
		}
		if got := e.host(e.name(1), "sh", "-c", "cat /proc/sys/vm/swappiness /proc/sys/vm/watermark_scale_factor"); strings.Fields(got)[0] != "42" || strings.Fields(got)[1] != "200" {
			t.Errorf("the guest's swappiness and watermark_scale_factor: %q, want 42 200", got)
		}
		if _, out := e.hostTry(e.name(0), "ls", "/etc/sysctl.d/90-swapboot-swap.conf"); !strings.Contains(out, "No such file") {
			t.Errorf("the master (no swap: swap.nodes workers) got swapboot's sysctl file: %s", out)
		}
		if now := readSwappiness(t); now != machine {
			t.Errorf("the machine's vm.swappiness moved from %s to %s", machine, now)
		}

		// After a reboot of the guest: the encrypted swap is back with a new key, and the settings too.
		keyBefore := e.checkEncryptedSwap(t)
		if res := e.run(nil, "up", "--kubeconfig-dir", e.dir, "--pod-network-timeout", "12m", file); res.code != 0 || len(res.report.changed()) != 0 {
			t.Errorf("a second up on the encrypted swap: exit %d, changed %v", res.code, res.report.changed())
		}
		if e.checkEncryptedSwap(t) != keyBefore {
			t.Error("a second up reopened the encrypted swap")
		}
		e.rebootGuest(t)
		if out, err := e.waitNodesReady(2, 8*time.Minute); err != nil {
			t.Fatalf("nodes after the guest's reboot: %v\n%s", err, out)
		}
		if after := e.checkEncryptedSwap(t); after == keyBefore {
			t.Error("after the reboot the encrypted swap has the key it had before")
		}
		if got := e.host(e.name(1), "sh", "-c", "cat /proc/sys/vm/swappiness /proc/sys/vm/watermark_scale_factor"); strings.Fields(got)[0] != "42" || strings.Fields(got)[1] != "200" {
			t.Errorf("after the reboot the guest's swappiness and watermark_scale_factor: %q, want 42 200", got)
		}
		if got := e.systemSliceSwapMax(); got != "0" {
			t.Errorf("after the reboot the guest's system.slice memory.swap.max is %q, want 0", got)
		}
		st, _ := e.status(file, nil)
		if st[guestIP].NodeSwapCapacity == nil || *st[guestIP].NodeSwapCapacity < 2000<<20 {
			t.Errorf("after the reboot the guest reports swap capacity %v to the API, want about 2 GiB", st[guestIP].NodeSwapCapacity)
		}
		if kinds := areaKinds(st[guestIP]); kinds != "encrypted" {
			t.Errorf("status shows the guest's swap areas as %q, want encrypted", kinds)
		}

		if code, out := e.swapbootRun("", "swap", "disable", "--yes", "--node", guestIP, "--ready-timeout", "8m", file); code != 0 {
			t.Fatalf("swap disable: exit %d\n%s", code, out)
		}
		if got := strings.TrimSpace(e.host(e.name(1), "cat", "/proc/sys/vm/swappiness")); got != before {
			t.Errorf("after swap disable the guest's swappiness is %s, want the earlier %s", got, before)
		}
		if _, out := e.hostTry(e.name(1), "sh", "-c", "ls /etc/sysctl.d/90-swapboot-swap.conf /var/lib/swapboot/sysctl.orig /etc/systemd/system/system.slice.d 2>&1"); strings.Count(out, "No such file") != 3 {
			t.Errorf("swap disable left swap's settings on the guest:\n%s", out)
		}
		e.checkNoSwapAreas(t)
	})

	t.Run("zram on the guest: active, counted by the kubelet; then reset removes every swap file of swapboot's", func(t *testing.T) {
		defer timed(t, "zram on the guest, reset")()
		file := e.withLine(e.clusterFile, filepath.Join(e.dir, "cluster-zram.yaml"), "workers:", "workers: [{address: "+guestIP+", swap: {type: zram, size: 1G, encrypt: false}}]")
		if code, out := e.swapbootRun("", "swap", "enable", "--node", guestIP, "--ready-timeout", "8m", file); code != 0 {
			t.Fatalf("swap enable: exit %d\n%s", code, out)
		}
		swaps := e.host(e.name(1), "awk", "NR > 1 {print $1, $2, $3}", "/proc/swaps")
		if f := strings.Fields(swaps); len(f) != 3 || !strings.HasPrefix(f[0], "/dev/zram") || f[1] != "partition" || f[2] != "1048572" {
			t.Errorf("the guest's /proc/swaps: %q, want one zram device of 1 GiB", swaps)
		}
		if got := strings.TrimSpace(e.host(e.name(1), "systemctl", "is-enabled", "swapboot-zram.service")); got != "enabled" {
			t.Errorf("swapboot-zram.service is %q", got)
		}
		st, _ := e.status(file, nil)
		if c := st[guestIP].NodeSwapCapacity; c == nil || *c < 1000<<20 || *c > 1<<30 {
			t.Errorf("with zram the guest reports swap capacity %v to the API, want about 1 GiB", c)
		}
		if kinds := areaKinds(st[guestIP]); kinds != "zram" {
			t.Errorf("status shows the guest's swap areas as %q, want zram", kinds)
		}
		if code, out := e.swapbootRun("", "reset", "--yes", file); code != 0 {
			t.Fatalf("reset: exit %d\n%s", code, out)
		}
		e.checkNoSwapAreas(t)
		_, left := e.hostTry(e.name(1), "sh", "-c", "for p in /etc/systemd/system/swapboot-zram.service /usr/local/sbin/swapboot-zram /run/swapboot/zram-device /var/lib/swapboot /etc/sysctl.d/90-swapboot-swap.conf /etc/systemd/system/system.slice.d/90-swapboot-noswap.conf; do [ -e $p ] && echo $p; done; ls /sys/block | grep zram || true")
		if strings.TrimSpace(left) != "" {
			t.Errorf("reset left on the guest:\n%s", left)
		}
	})

	t.Run("a swap device that holds a file system is refused before anything changes", func(t *testing.T) {
		e.host(e.name(1), "mkfs.ext4", "-q", "-F", "-L", "data", spareDisk)
		file := e.withLine(e.clusterFile, filepath.Join(e.dir, "cluster-fsdevice.yaml"), "workers:", "workers: [{address: "+guestIP+", swap: {device: "+spareDisk+"}}]")
		code, out := e.swapbootRun("", "up", "--kubeconfig-dir", e.dir, file)
		if code != 1 || !strings.Contains(out, spareDisk+" holds a ext4 file system") {
			t.Errorf("up with an ext4 swap device: exit %d, want 1 (a host problem) naming the file system\n%s", code, out)
		}
		if got := strings.TrimSpace(e.host(e.name(1), "blkid", "-p", "-o", "value", "-s", "LABEL", spareDisk)); got != "data" {
			t.Errorf("the refused device's file system label is %q after up, want data (untouched)", got)
		}
		if _, out := e.hostTry(e.name(0), "ls", "/etc/kubernetes/admin.conf"); !strings.Contains(out, "No such file") {
			t.Errorf("the refused up changed the master: %s", out)
		}
	})
}

// areaKinds are the kinds of a host's swap areas as status shows them, comma-separated.
func areaKinds(s nodeStatus) string {
	var kinds []string
	for _, a := range s.ProcSwaps {
		kinds = append(kinds, a.Kind)
	}
	return strings.Join(kinds, ",")
}

// checkDeviceSwap checks the guest's swap is its spare disk itself, with one /etc/fstab line.
func (e *env) checkDeviceSwap(t *testing.T) {
	t.Helper()
	g := e.name(1)
	real := strings.TrimSpace(e.host(g, "readlink", "-f", spareDisk))
	swaps := strings.Fields(e.host(g, "awk", "NR > 1 {print $1, $2, $3}", "/proc/swaps"))
	if len(swaps) != 3 || swaps[0] != real || swaps[1] != "partition" || swaps[2] != "2097148" {
		t.Errorf("the guest's /proc/swaps: %v, want %s (%s) of 2 GiB", swaps, real, spareDisk)
	}
	if got := strings.TrimSpace(e.host(g, "grep", "-F", spareDisk, "/etc/fstab")); got != spareDisk+" none swap defaults 0 0" {
		t.Errorf("the guest's fstab line for %s: %q", spareDisk, got)
	}
}

// checkEncryptedSwap checks the guest's swap is its spare disk behind swapboot's dm-crypt mapping, set up
// at boot by /etc/crypttab and /etc/fstab, and returns a digest of the mapping's key (never the key).
func (e *env) checkEncryptedSwap(t *testing.T) string {
	t.Helper()
	g := e.name(1)
	swaps := strings.Fields(e.host(g, "awk", "NR > 1 {print $1, $2, $3}", "/proc/swaps"))
	if len(swaps) != 3 || !strings.HasPrefix(swaps[0], "/dev/dm-") || swaps[2] != "2097148" {
		t.Errorf("the guest's /proc/swaps: %v, want one dm device of 2 GiB", swaps)
		return ""
	}
	dm := strings.TrimPrefix(swaps[0], "/dev/")
	if got := strings.Fields(e.host(g, "cat", "/sys/block/"+dm+"/dm/name", "/sys/block/"+dm+"/dm/uuid")); len(got) != 2 || got[0] != "swapboot_swap" || !strings.HasPrefix(got[1], "CRYPT-PLAIN-") {
		t.Errorf("%s: name and uuid %v, want swapboot_swap and a plain dm-crypt mapping", dm, got)
	}
	if got := strings.TrimSpace(e.host(g, "sh", "-c", "grep -v '^#' /etc/crypttab; grep swapboot_swap /etc/fstab")); got != "swapboot_swap "+spareDisk+" /dev/urandom swap,cipher=aes-xts-plain64,size=512\n/dev/mapper/swapboot_swap none swap defaults 0 0" {
		t.Errorf("the guest's crypttab and fstab lines:\n%s", got)
	}
	// What is on the disk is ciphertext: no signature blkid knows (exit 2).
	if code, out := e.hostTry(g, "blkid", "-p", spareDisk); code != 2 {
		t.Errorf("blkid -p %s: exit %d %s, want nothing found on the encrypted disk", spareDisk, code, out)
	}
	table := e.host(g, "dmsetup", "table", "--showkeys", "swapboot_swap")
	f := strings.Fields(table)
	if len(f) < 5 || f[2] != "crypt" || f[3] != "aes-xts-plain64" || len(f[4]) != 128 {
		t.Errorf("the mapping is not aes-xts-plain64 with a 512-bit key (%d fields)", len(f))
		return ""
	}
	sum := sha256.Sum256([]byte(f[4]))
	return hex.EncodeToString(sum[:])
}

// checkNoSwapAreas checks the guest has no swap and none of swapboot's swap lines.
func (e *env) checkNoSwapAreas(t *testing.T) {
	t.Helper()
	_, out := e.hostTry(e.name(1), "sh", "-c", "awk 'NR > 1' /proc/swaps; grep -s swapboot /etc/crypttab /etc/fstab; ls /dev/mapper | grep swapboot; systemctl list-units --no-legend 'systemd-cryptsetup@*' 'swapboot-zram*'; true")
	if strings.TrimSpace(out) != "" {
		t.Errorf("the guest still has swap or swapboot's swap lines:\n%s", out)
	}
}

// rebootGuest reboots the vm worker and waits until it answers again with a new boot id.
func (e *env) rebootGuest(t *testing.T) {
	t.Helper()
	g := e.name(1)
	bootID := e.host(g, "cat", "/proc/sys/kernel/random/boot_id")
	e.host(g, "sh", "-c", "nohup sh -c 'sleep 1; systemctl reboot' >/dev/null 2>&1 &")
	deadline := time.Now().Add(8 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Second)
		var out strings.Builder
		if code, err := lab.Exec(e.opts, g, []string{"cat", "/proc/sys/kernel/random/boot_id"}, nil, &out, io.Discard); err == nil && code == 0 && out.String() != bootID {
			return
		}
	}
	t.Fatalf("the guest did not come back within 8 minutes of its reboot")
}

// systemSliceSwapMax is memory.swap.max of the guest's system.slice.
func (e *env) systemSliceSwapMax() string {
	e.t.Helper()
	return strings.TrimSpace(e.host(e.name(1), "cat", "/sys/fs/cgroup/system.slice/memory.swap.max"))
}

// readSwappiness is this machine's vm.swappiness.
func readSwappiness(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/vm/swappiness")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// limitedSwapProof runs the Burstable pod (kept running, checked) and the Guaranteed pod (OOM-killed) on
// node; suffix names this round's pods.
func (e *env) limitedSwapProof(t *testing.T, node, suffix string) {
	t.Helper()
	memCap, swapCap := e.nodeMemory(t, node)
	request, limit := quantity(swapRequest), quantity(swapLimit)
	formula := int64(float64(request) / float64(memCap) * float64(swapCap))
	over := int64(swapTouch)<<20 - limit
	t.Logf("%s: memory capacity %d MiB, swap capacity %d MiB: swap limit %d MiB for a %s request; the pod touches %d MiB past its %s limit",
		node, memCap>>20, swapCap>>20, formula>>20, swapRequest, over>>20, swapLimit)
	if formula < over+swapCacheMargin {
		t.Fatalf("the guest's sizes leave no clear margin: swap limit %d MiB for %d MiB past the limit and %d MiB of swap cache (guest memory, the swap file or the pod changed)", formula>>20, over>>20, swapCacheMargin>>20)
	}

	burstable := "burstable-" + suffix
	e.applyHogPod(t, burstable, node, swapRequest, swapLimit)
	e.waitLog(t, burstable, fmt.Sprintf("memhog: holding %d MiB", swapTouch), 6*time.Minute)
	cg, err := e.kubectlOut("exec", burstable, "--", "cat", "/sys/fs/cgroup/memory.swap.max", "/sys/fs/cgroup/memory.swap.current", "/sys/fs/cgroup/memory.max")
	if err != nil {
		t.Fatalf("reading the container's cgroup: %v\n%s", err, cg)
	}
	f := strings.Fields(cg)
	if len(f) != 3 {
		t.Fatalf("the container's cgroup: %q", cg)
	}
	swapMax, _ := strconv.ParseInt(f[0], 10, 64)
	swapCurrent, _ := strconv.ParseInt(f[1], 10, 64)
	memMax, _ := strconv.ParseInt(f[2], 10, 64)
	t.Logf("%s: memory.max %d MiB, memory.swap.max %d (formula %d), memory.swap.current %d MiB", burstable, memMax>>20, swapMax, formula, swapCurrent>>20)
	e.labMemory("a Burstable pod holding " + strconv.Itoa(swapTouch) + " MiB on the guest")
	// The kernel keeps the limit in pages: the written value rounded down to one.
	if swapMax != formula/pageSize*pageSize {
		t.Errorf("memory.swap.max %d, want the formula's %d rounded down to a page (%d)", swapMax, formula, formula/pageSize*pageSize)
	}
	if swapCurrent <= 0 {
		t.Errorf("memory.swap.current %d while the pod holds more than its limit", swapCurrent)
	}
	if memMax != limit {
		t.Errorf("memory.max %d, want the limit %d", memMax, limit)
	}
	if st, _ := e.kubectlOut("get", "pod", burstable, "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount} {.status.qosClass}"); st != "Running 0 Burstable" {
		t.Errorf("%s: phase, restarts, QoS = %q, want Running 0 Burstable", burstable, st)
	}
	if out, err := e.kubectlOut("delete", "pod", burstable, "--wait", "--timeout=3m"); err != nil {
		t.Errorf("delete %s: %v\n%s", burstable, err, out)
	}

	guaranteed := "guaranteed-" + suffix
	first, reason := e.runToEnd(t, guaranteed, node, swapLimit, swapLimit)
	if reason != "OOMKilled" || first != "0" {
		t.Errorf("%s: memory.swap.max %q, ended %q; want 0 and OOMKilled", guaranteed, first, reason)
	}
}

// nodeMemory is what node's kubelet uses in KEP-2400's formula: its memory capacity and swap capacity
// (status.capacity.memory and status.nodeInfo.swap.capacity are machineInfo's MemoryCapacity and
// SwapCapacity).
func (e *env) nodeMemory(t *testing.T, node string) (memory, swap int64) {
	t.Helper()
	out, err := e.kubectlOut("get", "node", node, "-o", "jsonpath={.status.capacity.memory} {.status.nodeInfo.swap.capacity}")
	f := strings.Fields(out)
	if err != nil || len(f) != 2 {
		t.Fatalf("node %s memory and swap: %v %q", node, err, out)
	}
	mem, err := resource.ParseQuantity(f[0])
	if err != nil {
		t.Fatalf("node %s memory %q: %v", node, f[0], err)
	}
	swap, err = strconv.ParseInt(f[1], 10, 64)
	if err != nil || swap <= 0 {
		t.Fatalf("node %s swap capacity %q", node, f[1])
	}
	return mem.Value(), swap
}

// applyHogPod starts memhog in the tools image on node (nodeName: no scheduler, so the master's taint does
// not matter) with the memory request and limit given (equal: a Guaranteed pod, which also needs its CPU
// request equal to its limit). Its first log line is the container's swap limit: memory.swap.max on
// cgroup v2, memory.memsw.limit_in_bytes on v1.
func (e *env) applyHogPod(t *testing.T, name, node, request, limit string) {
	t.Helper()
	cpu := ""
	if request == limit {
		cpu = ", cpu: 500m"
	}
	manifest := fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  nodeName: %s
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: hog
    image: %s
    imagePullPolicy: Never
    command: [sh, -c, "cat /sys/fs/cgroup/memory.swap.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes; exec memhog -step 64 %d"]
    resources:
      requests: {memory: %s%s}
      limits: {memory: %s%s}
`, name, node, lab.ToolsImage, swapTouch, request, cpu, limit, cpu)
	// Not under t.TempDir(): a subtest's name may hold a comma, which kubectl -f takes for a list.
	path := filepath.Join(e.dir, name+".yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := e.kubectlOut("apply", "-f", path); err != nil {
		t.Fatalf("apply %s: %v\n%s", name, err, out)
	}
}

// waitLog waits until pod's log has want; it fails at once when the pod's container has ended.
func (e *env) waitLog(t *testing.T, pod, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		logs, _ := e.kubectlOut("logs", pod)
		if strings.Contains(logs, want) {
			return
		}
		ended, _ := e.kubectlOut("get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.terminated.reason}")
		if ended != "" || time.Now().After(deadline) {
			desc, _ := e.kubectlOut("describe", "pod", pod)
			first, _, _ := strings.Cut(logs, "\n")
			t.Fatalf("%s: no %q (container ended: %q); first log line (its swap limit) %q, last:\n%s\n%s", pod, want, ended, first, lastLines(logs, 10), desc)
		}
		time.Sleep(3 * time.Second)
	}
}

// runToEnd runs a memhog pod until its container ends, and returns its first log line (the container's
// swap limit) and why it ended; the pod is deleted.
func (e *env) runToEnd(t *testing.T, name, node, request, limit string) (first, reason string) {
	t.Helper()
	e.applyHogPod(t, name, node, request, limit)
	deadline := time.Now().Add(6 * time.Minute)
	for reason == "" {
		if time.Now().After(deadline) {
			desc, _ := e.kubectlOut("describe", "pod", name)
			t.Fatalf("%s did not end within 6 minutes\n%s", name, desc)
		}
		time.Sleep(3 * time.Second)
		reason, _ = e.kubectlOut("get", "pod", name, "-o", "jsonpath={.status.containerStatuses[0].state.terminated.reason}")
	}
	logs, _ := e.kubectlOut("logs", name)
	first, _, _ = strings.Cut(logs, "\n")
	if out, err := e.kubectlOut("delete", "pod", name, "--wait", "--timeout=3m"); err != nil {
		t.Errorf("delete %s: %v\n%s", name, err, out)
	}
	return strings.TrimSpace(first), reason
}

// runningSwapBehavior is memorySwap.swapBehavior of node's running kubelet, from its configz endpoint
// through the API server ("" when unset).
func (e *env) runningSwapBehavior(node string) string {
	e.t.Helper()
	out, err := e.kubectlOut("get", "--raw", "/api/v1/nodes/"+node+"/proxy/configz")
	var cfg struct {
		KubeletConfig struct {
			MemorySwap struct {
				SwapBehavior string `json:"swapBehavior"`
			} `json:"memorySwap"`
		} `json:"kubeletconfig"`
	}
	if err != nil || json.Unmarshal([]byte(out), &cfg) != nil {
		e.t.Fatalf("configz of %s: %v\n%s", node, err, out)
	}
	return cfg.KubeletConfig.MemorySwap.SwapBehavior
}

// quantity is a resource quantity's value in bytes.
func quantity(s string) int64 {
	q := resource.MustParse(s)
	return q.Value()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
