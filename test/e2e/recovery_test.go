package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// TestRecovery is issue 16 on one 3-host lab, in order: a cluster file whose cgroupDriver the runtimes do
// not use is refused before any change; a master whose kubelet is broken during kubeadm init leaves a
// half-finished init that the next `up` repairs (kubeadm reset of that master, init again) once the
// kubelet is repaired, with the cgroup driver taken from the runtime; status says what the API answered
// (refused, forbidden, no cluster), with the real kubectl's messages; and `reset` leaves nothing that
// swapboot or kubeadm made, checked file by file against the hosts before the first `up`.
func TestRecovery(t *testing.T) {
	defer timed(t, "TestRecovery total")()
	e := startLab(t, "recov", "10.94.0.0/24", 3, nil)
	m1, w1, w2 := e.ip(0), e.ip(1), e.ip(2)
	all := e.hostNames()
	baseline := map[string]hostSnapshot{}
	for _, n := range all {
		baseline[n] = e.snapshot(n)
	}
	// The lab's containerd uses cgroupfs (SystemdCgroup = false: lab/containerd.go); its cluster file
	// sets the kubelet's cgroupDriver to match. These files say systemd, or nothing.
	systemdFile := e.withKubelet("systemd.yaml", "kubelet: {cgroupDriver: systemd, failCgroupV1: false}")
	e.clusterFile = e.withKubelet("cluster.yaml", "kubelet: {failCgroupV1: false}")

	t.Run("a cgroupDriver the runtime does not use is refused before any change", func(t *testing.T) {
		res := e.run(nil, "up", "--kubeconfig-dir", e.dir, systemdFile)
		if res.code != 2 {
			t.Errorf("exit %d, want 2", res.code)
		}
		for _, want := range []string{systemdFile + ":", "kubelet.cgroupDriver", "sets systemd", "uses cgroupfs", m1, "remove kubelet.cgroupDriver"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		e.untouched(all...)
		for _, n := range all {
			if _, out := e.hostTry(n, "sh", "-c", "ls -d /etc/kubernetes/pki /var/lib/kubelet/config.yaml 2>/dev/null; true"); strings.TrimSpace(out) != "" {
				t.Errorf("%s: kubeadm ran: %s", n, out)
			}
		}
	})

	t.Run("hosts whose runtimes use different cgroup drivers are refused before any change", func(t *testing.T) {
		// w1's containerd switched to the systemd driver for this subtest, then back.
		const toSystemd = "sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml && systemctl restart containerd"
		const toCgroupfs = "sed -i 's/SystemdCgroup = true/SystemdCgroup = false/' /etc/containerd/config.toml && systemctl restart containerd"
		e.host(e.name(1), "sh", "-c", toSystemd)
		defer e.host(e.name(1), "sh", "-c", toCgroupfs)
		res := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
		if res.code != 2 {
			t.Errorf("exit %d, want 2", res.code)
		}
		for _, want := range []string{"different cgroup drivers", "systemd on " + w1, "cgroupfs on " + m1, "same driver"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		e.untouched(all...)
	})

	t.Run("the dry-run says the kubelet gets the runtime's cgroup driver", func(t *testing.T) {
		res := e.run(nil, "up", "--dry-run", e.clusterFile)
		if res.code != 0 || !strings.Contains(res.out, "kubelet cgroupDriver: cgroupfs, the container runtime's") ||
			!strings.Contains(res.out, "cgroupDriver: cgroupfs)") {
			t.Errorf("exit %d; the dry-run does not say cgroupDriver: cgroupfs", res.code)
		}
	})

	// The kubelet is broken on purpose during init: a drop-in makes every start exit at once, as a host
	// problem would. kubeadm would wait 4 minutes for a healthy kubelet; --step-timeout stops the init
	// step after 45 s instead, once admin.conf and the static Pod manifests are written: the same
	// half-finished state a kubelet dying during wait-control-plane leaves (admin.conf, no RBAC phases,
	// kubelet.conf not finalized).
	const brokenDropIn = "/etc/systemd/system/kubelet.service.d/99-recovery-test-broken.conf"
	breakKubelet := "mkdir -p /etc/systemd/system/kubelet.service.d && printf '[Service]\\nExecStart=\\nExecStart=/bin/false\\n' > " + brokenDropIn + " && systemctl daemon-reload"
	repairKubelet := "rm -f " + brokenDropIn + " && systemctl daemon-reload"

	t.Run("a kubelet broken during init: up fails with the kubelet log", func(t *testing.T) {
		e.host(e.name(0), "sh", "-c", breakKubelet)
		res := e.run(nil, "up", "--kubeconfig-dir", e.dir, "--step-timeout", "45s", e.clusterFile)
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		if s := res.report.step(m1, "init"); s != "FAILED" {
			t.Errorf("init: %q, want FAILED", s)
		}
		if !regexp.MustCompile(`kubelet\.service: (Main process exited|Failed with result)`).MatchString(res.out) {
			t.Error("the output does not show the kubelet log")
		}
		// The report tells each step once: the failed init, then the steps it kept from running.
		for _, phase := range []string{"init", "join-material", "kubeconfig"} {
			if n := len(regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(m1)+`: `+phase+`: `).FindAllString(res.out, -1)); n != 1 {
				t.Errorf("the report tells %s's %s %d times, want once", m1, phase, n)
			}
		}
		for _, w := range []string{w1, w2} {
			if s := res.report.step(w, "join"); s == "changed" || s == "FAILED" {
				t.Errorf("%s join: %q, want not run", w, s)
			}
		}
		if _, out := e.hostTry(e.name(0), "sh", "-c", "ls /etc/kubernetes/admin.conf; grep -c kubelet-client-current /etc/kubernetes/kubelet.conf; true"); !strings.HasPrefix(out, "/etc/kubernetes/admin.conf\n0") {
			t.Fatalf("not the half-finished state this test is about (admin.conf, kubelet.conf not finalized): %q", out)
		}
	})

	t.Run("status says the API refused the connection, and that init did not finish", func(t *testing.T) {
		if api := e.apiState(t); api != "refused" {
			t.Errorf("api %q, want refused (kube-apiserver is not running)", api)
		}
		if res := e.run(nil, "status", e.clusterFile); !strings.Contains(res.out, m1+": kubeadm init did not finish: the API does not answer") {
			t.Error("status does not name the half-finished init")
		}
	})

	// w2's kubelet is broken now too, so its join stops half-way (kubelet started, never registered):
	// --step-timeout stops kubeadm join's 4-minute wait for the kubelet's TLS bootstrap.
	t.Run("after the master's kubelet is repaired, up resets the half-finished init; a worker's join stops half-way", func(t *testing.T) {
		e.host(e.name(0), "sh", "-c", repairKubelet)
		e.host(e.name(2), "sh", "-c", breakKubelet)
		dry := e.run(nil, "up", "--dry-run", e.clusterFile)
		if !strings.Contains(dry.out, "kubeadm reset -f, then kubeadm init") || !strings.Contains(dry.out, "the earlier kubeadm init did not finish") {
			t.Errorf("the dry-run does not say the init is redone and why")
		}
		res := e.run(nil, "up", "--kubeconfig-dir", e.dir, "--step-timeout", "100s", e.clusterFile)
		if res.code != 1 {
			t.Errorf("exit %d, want 1 (%s's join fails)", res.code, w2)
		}
		if s := res.report.step(m1, "init"); s != "changed" {
			t.Fatalf("init: %q", s)
		}
		if s := res.report.step(w1, "join"); s != "changed" {
			t.Errorf("%s join: %q", w1, s)
		}
		if s := res.report.step(w2, "join"); s != "FAILED" {
			t.Errorf("%s join: %q, want FAILED", w2, s)
		}
		if n := strings.Count(res.out, "kubeadm reset -f of this master"); n != 1 || strings.Contains(res.out, "kubeadm reset -f of this worker") {
			t.Errorf("%d master resets announced, want 1, and no worker reset (the workers had never joined)", n)
		}
		if _, out := e.hostTry(e.name(2), "sh", "-c", "test -f /etc/kubernetes/bootstrap-kubelet.conf && echo bootstrap; test -f /etc/kubernetes/kubelet.conf && echo kubelet; true"); strings.TrimSpace(out) != "bootstrap" {
			t.Fatalf("not the half-joined state this test is about (bootstrap-kubelet.conf, no kubelet.conf): %q", out)
		}
	})

	// The kubelet is stopped before the repair: once running it would finish the TLS bootstrap by itself
	// from bootstrap-kubelet.conf (then up finds the worker joined, which is right too, but is not the
	// path under test).
	t.Run("after the worker's kubelet is repaired, up resets and joins it again", func(t *testing.T) {
		e.host(e.name(2), "sh", "-c", "systemctl stop kubelet && "+repairKubelet)
		res := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
		if res.code != 0 {
			t.Fatalf("exit %d", res.code)
		}
		if s := res.report.step(w2, "join"); s != "changed" || !strings.Contains(res.out, "kubeadm reset -f, then kubeadm join") || !strings.Contains(res.out, "an earlier kubeadm join stopped before the kubelet got its credentials") {
			t.Errorf("%s join: %q, or the reset and its reason are not said", w2, s)
		}
		if s := res.report.step(w1, "join"); s != "unchanged" && s != "already done" {
			t.Errorf("%s join: %q, want left alone", w1, s)
		}
		if out, err := e.waitNodesReady(3, 3*time.Minute); err != nil {
			t.Fatalf("nodes: %v\n%s", err, out)
		}
		for _, n := range all {
			if cfg := e.host(n, "cat", "/var/lib/kubelet/config.yaml"); !strings.Contains(cfg, "cgroupDriver: cgroupfs") {
				t.Errorf("%s: the kubelet does not use cgroupfs:\n%s", n, cfg)
			}
		}
		again := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
		if again.code != 0 || !strings.Contains(again.out, "already a control plane") {
			t.Errorf("a second up: exit %d, or init not reported as done", again.code)
		}
	})

	t.Run("forbidden: status says so, and a finished init is not reset", func(t *testing.T) {
		// kubernetes-admin's rights come from this binding (kubeadm 1.29+); super-admin.conf recreates it.
		e.host(e.name(0), "kubectl", "--kubeconfig", "/etc/kubernetes/super-admin.conf", "delete", "clusterrolebinding", "kubeadm:cluster-admins")
		defer e.host(e.name(0), "kubectl", "--kubeconfig", "/etc/kubernetes/super-admin.conf", "create", "clusterrolebinding", "kubeadm:cluster-admins", "--clusterrole=cluster-admin", "--group=kubeadm:cluster-admins")
		if api := e.apiState(t); api != "forbidden" {
			t.Errorf("api %q, want forbidden", api)
		}
		dry := e.run(nil, "up", "--dry-run", e.clusterFile)
		if strings.Contains(dry.out, "kubeadm reset -f, then kubeadm init") || !strings.Contains(dry.out, "kubeadm init finished earlier") {
			t.Errorf("a finished init whose admin is forbidden is planned for a reset, or not explained")
		}
	})

	// nodes.sh words status from kubectl's own messages; these are the real kubectl's, against the real
	// API: admin.conf is changed for a moment (kept in /root and put back).
	t.Run("status says unauthorized and unreachable from the real kubectl's messages", func(t *testing.T) {
		const kc = "kubectl --kubeconfig /etc/kubernetes/admin.conf config "
		e.host(e.name(0), "cp", "-p", "/etc/kubernetes/admin.conf", "/root/admin.conf.recovery-test")
		defer e.host(e.name(0), "mv", "/root/admin.conf.recovery-test", "/etc/kubernetes/admin.conf")
		e.host(e.name(0), "sh", "-c", kc+"unset users.kubernetes-admin.client-certificate-data && "+kc+"unset users.kubernetes-admin.client-key-data && "+kc+"set-credentials kubernetes-admin --token=abcdef.0123456789abcdef")
		if api := e.apiState(t); api != "unauthorized" {
			t.Errorf("api %q with credentials the API does not accept, want unauthorized", api)
		}
		// An address of the lab's subnet that no host has: no route to host.
		e.host(e.name(0), "sh", "-c", kc+"set-cluster kubernetes --server=https://10.94.0.99:6443")
		if api := e.apiState(t); api != "unreachable" {
			t.Errorf("api %q with a server nobody answers for, want unreachable", api)
		}
	})

	t.Run("reset removes what swapboot and kubeadm made, and lists it", func(t *testing.T) {
		res := e.run(nil, "reset", "--yes", e.clusterFile)
		if res.code != 0 {
			t.Fatalf("reset: exit %d", res.code)
		}
		for _, want := range []string{"removed interface cni0", "removed /var/lib/cni", "chains KUBE-", "removed /etc/kubernetes/pki (empty)", "removed /var/lib/swapboot (empty)"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("the reset output does not list %q", want)
			}
		}
		for _, n := range all {
			e.checkResetHost(t, n, baseline[n])
		}
		if api := e.apiState(t); api != "no-cluster" {
			t.Errorf("api %q after reset, want no-cluster", api)
		}
	})

	// Issue 15's per-role and per-host swap, on the same hosts: the master gets none (swap.nodes: workers),
	// w1 none (its own swap: none), w2 its own size and path; all Ready, status says each is as configured,
	// and reset again leaves nothing.
	t.Run("swap per role and per host: up, status, reset", func(t *testing.T) {
		file := e.withLine(e.clusterFile, filepath.Join(e.dir, "perhost.yaml"), "swap:", "swap: {size: 256M, path: /swapfile, behavior: auto, nodes: workers, taint: true}")
		file = e.withLine(file, file, "workers:", "workers: [{address: "+w1+", swap: none}, {address: "+w2+", swap: {size: 320M, path: /swapfile-own}}]")
		if res := e.run(nil, "up", "--kubeconfig-dir", e.dir, file); res.code != 0 {
			t.Fatalf("up: exit %d", res.code)
		}
		if out, err := e.waitNodesReady(3, 3*time.Minute); err != nil {
			t.Fatalf("nodes: %v\n%s", err, out)
		}
		for i, want := range []string{"", "", "/swapfile-own\tfile\t327676"} {
			if got := strings.TrimSpace(e.host(e.name(i), "sh", "-c", "awk 'NR > 1 { print $1 \"\\t\" $2 \"\\t\" $3 }' /proc/swaps")); got != want {
				t.Errorf("%s's swap areas: %q, want %q", e.name(i), got, want)
			}
		}
		st, res := e.status(file, nil)
		if res.code != 0 {
			t.Errorf("status: exit %d, want 0 (every host as configured)", res.code)
		}
		for _, ip := range []string{m1, w1, w2} {
			if !st[ip].OK || st[ip].FailSwapOn {
				t.Errorf("status %s: ok %v, failSwapOn %v, problems %s", ip, st[ip].OK, st[ip].FailSwapOn, st[ip].problems())
			}
		}
		if st[w2].SwapAreas != 1 || st[m1].SwapAreas != 0 || st[w1].SwapAreas != 0 {
			t.Errorf("status swap areas: master %d, w1 %d, w2 %d; want 0, 0, 1", st[m1].SwapAreas, st[w1].SwapAreas, st[w2].SwapAreas)
		}
		// Only w2 has swap: it alone carries the swap label and taint (Node Feature Discovery's label).
		for ip, want := range map[string][2]string{m1: {"", ""}, w1: {"", ""}, w2: {"true", "NoSchedule"}} {
			if st[ip].SwapLabel != want[0] || st[ip].SwapTaint != want[1] {
				t.Errorf("status %s: swap label %q taint %q, want %q %q", ip, st[ip].SwapLabel, st[ip].SwapTaint, want[0], want[1])
			}
		}
		// The scheduler keeps pods off the swap node unless they tolerate its taint; one that tolerates it
		// and asks for the label lands there.
		plain := e.scheduledOn(t, "no-toleration", "")
		swapPod := e.scheduledOn(t, "tolerates-swap", `"tolerations":[{"key":"swapboot.io/swap","operator":"Exists","effect":"NoSchedule"}],"nodeSelector":{"feature.node.kubernetes.io/memory-swap":"true"}`)
		if plain != st[w1].NodeName || swapPod != st[w2].NodeName {
			t.Errorf("a pod without the toleration ran on %q (want %q), one with it on %q (want %q)", plain, st[w1].NodeName, swapPod, st[w2].NodeName)
		}
		if res := e.run(nil, "reset", "--yes", file); res.code != 0 {
			t.Fatalf("reset: exit %d", res.code)
		}
		for _, n := range all {
			e.checkResetHost(t, n, baseline[n])
		}
	})
}

// withKubelet writes a copy of the lab's cluster file whose kubelet: line is kubeletLine.
func (e *env) withKubelet(file, kubeletLine string) string {
	e.t.Helper()
	return e.withLine(filepath.Join(e.dir, "cluster.yaml"), filepath.Join(e.dir, file), "kubelet:", kubeletLine)
}

// withLine writes to dst a copy of the cluster file src whose line starting with prefix (a top-level
// field) is line, and returns dst.
func (e *env) withLine(src, dst, prefix, line string) string {
	e.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		e.t.Fatal(err)
	}
	var lines []string
	found := false
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, prefix) {
			l, found = line, true
		}
		lines = append(lines, l)
	}
	if !found {
		e.t.Fatalf("%s has no %s line", src, prefix)
	}
	if err := os.WriteFile(dst, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return dst
}

// apiState is what `status -o json` says the master's API answered.
func (e *env) apiState(t *testing.T) string {
	t.Helper()
	res := e.run(nil, "status", "-o", "json", e.clusterFile)
	start := regexp.MustCompile(`(?m)^\[$`).FindStringIndex(res.out)
	end := strings.LastIndex(res.out, "]")
	var list []struct {
		Address string `json:"address"`
		API     string `json:"api"`
	}
	if start == nil || end < start[0] || json.Unmarshal([]byte(res.out[start[0]:end+1]), &list) != nil {
		t.Fatalf("status -o json: exit %d, no JSON:\n%s", res.code, res.out)
	}
	for _, s := range list {
		if s.Address == e.ip(0) {
			return s.API
		}
	}
	return ""
}

// hostSnapshot is what a host holds that swapboot or kubeadm could have made: its files (every file the
// host wrote over the shared /etc and /var: the overlays' upper layers, and its own root's /opt and
// /root), with a content hash, its network interfaces and its iptables chains.
type hostSnapshot struct {
	files  map[string]string // path -> "dir", "link", or the sha256 of the content
	links  []string
	chains []string
}

// snapshot reads host n from the machine's side (its overlay layers) and from inside (interfaces, chains).
func (e *env) snapshot(n string) hostSnapshot {
	e.t.Helper()
	hp := lab.NewPaths(e.opts.StateRoot, e.opts.Name).Host(n)
	s := hostSnapshot{files: map[string]string{}}
	for _, tree := range []struct{ dir, as string }{
		{hp.Upper("etc"), "/etc"}, {hp.Upper("var"), "/var"}, {filepath.Join(hp.Root(), "opt"), "/opt"}, {filepath.Join(hp.Root(), "root"), "/root"},
	} {
		_ = filepath.WalkDir(tree.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(tree.dir, p)
			path := filepath.Join(tree.as, rel)
			switch {
			case d.IsDir():
				s.files[path] = "dir"
			case d.Type()&fs.ModeSymlink != 0:
				s.files[path] = "link"
			case d.Type().IsRegular():
				data, err := os.ReadFile(p)
				if err == nil {
					sum := sha256.Sum256(data)
					s.files[path] = hex.EncodeToString(sum[:8])
				}
			default:
				s.files[path] = "special"
			}
			return nil
		})
	}
	s.links = strings.Fields(e.host(n, "sh", "-c", "ls /sys/class/net"))
	_, chains := e.hostTry(n, "sh", "-c", iptablesListing)
	s.chains = strings.Split(strings.TrimSpace(chains), "\n")
	sort.Strings(s.chains)
	return s
}

// iptablesListing prints, per iptables backend in use in the host's network namespace, every chain that is
// not built in and every rule, with the backend and table ("iptables-nft nat :KUBE-SERVICES"). Empty
// tables are not listed: a table existing proves nothing. Legacy tables are read only when they exist
// (reading them would create them).
const iptablesListing = `for s in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
	command -v $s-save >/dev/null || continue
	case $s in
	iptables-legacy) [ -n "$(cat /proc/net/ip_tables_names 2>/dev/null)" ] || continue ;;
	ip6tables-legacy) [ -n "$(cat /proc/net/ip6_tables_names 2>/dev/null)" ] || continue ;;
	esac
	$s-save 2>/dev/null | awk -v s=$s '/^\*/ {t = substr($0, 2)} /^:/ && $1 !~ /^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/ {print s, t, $1} /^-A/ {print s, t, $0}'
done; true`

// leftAfterReset are the changes a host may show after reset compared with before the first up, each with
// why it is not something swapboot or kubeadm made and should remove. Every other new or changed file,
// interface or chain fails the test.
var leftAfterReset = []struct{ prefix, why string }{
	{"/var/log/", "logs: the journal, containerd's and the pods' logs are the admin's record of what happened"},
	{"/var/lib/systemd/", "systemd's own state (timers, random seed, unit invocation records)"},
	{"/var/lib/containerd", "the container runtime's image store and state: the user's runtime, not Kubernetes'"},
	{"/var/tmp/", "systemd's private temporary directories"},
	{"/var/cache/", "caches of the host's tools"},
	{"/etc/systemd/system/kubelet.service.d", "the directory this test's broken-kubelet drop-in was written to (the drop-in itself is gone)"},
	{"/var/lib/kubelet", "kubeadm reset empties it but keeps the directory; it belongs to the kubelet package"},
	{"/root/.", "root's shell and tool state (e.g. .ssh from the lab's logins)"},
}

// resetMustRemove is the table of what swapboot, kubeadm, the pod network and kube-proxy create: none of it
// may exist after reset (unless it was there before the first up).
var resetMustRemove = []string{
	"/etc/kubernetes/admin.conf", "/etc/kubernetes/kubelet.conf", "/etc/kubernetes/pki", "/etc/kubernetes/manifests/kube-apiserver.yaml",
	"/var/lib/etcd", "/var/lib/swapboot", "/var/lib/swapboot/swapfile", "/var/lib/cni", "/run/flannel",
	"/etc/cni/net.d/10-flannel.conflist", "/opt/cni/bin/flannel", "/swapfile",
	"/var/lib/kubelet/config.yaml", "/var/lib/kubelet/kubeadm-flags.env", "/var/lib/kubelet/pki",
	"/etc/modules-load.d/swapboot-k8s.conf",
}

// copiedUp: a directory of the shared /etc or /var that the host's overlay copied into its upper layer
// when a file was written in it (swapboot's file in /etc/sysctl.d, since removed); the directory itself
// is the machine's, which the host had before the first up.
func copiedUp(p string) bool {
	if !strings.HasPrefix(p, "/etc/") && !strings.HasPrefix(p, "/var/") {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// checkResetHost compares host n after reset with its snapshot from before the first up.
func (e *env) checkResetHost(t *testing.T, n string, before hostSnapshot) {
	t.Helper()
	_, present := e.hostTry(n, "sh", "-c", "for p in "+strings.Join(resetMustRemove, " ")+" /etc/sysctl.d/*swapboot*; do [ -e \"$p\" ] && echo \"$p\"; done; grep -c swapfile /etc/fstab; true")
	if got := strings.Fields(present); len(got) != 1 || got[0] != "0" {
		t.Errorf("%s after reset still has (paths, then the count of fstab lines for /swapfile): %v", n, got)
	}
	after := e.snapshot(n)
	allowed := func(p string) bool {
		for _, l := range leftAfterReset {
			if strings.HasPrefix(p, l.prefix) {
				return true
			}
		}
		return false
	}
	var extra []string
	for p, v := range after.files {
		if _, ok := before.files[p]; !ok && v == "dir" && copiedUp(p) {
			continue
		}
		if was, ok := before.files[p]; (!ok || was != v) && !allowed(p) {
			extra = append(extra, p+" ("+v+")")
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("%s: files new or changed since before the first up:\n  %s", n, strings.Join(extra, "\n  "))
	}
	var gone []string
	for p := range before.files {
		if _, ok := after.files[p]; !ok && !allowed(p) {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		t.Errorf("%s: files that were there before the first up are gone:\n  %s", n, strings.Join(gone, "\n  "))
	}
	if strings.Join(after.links, " ") != strings.Join(before.links, " ") {
		t.Errorf("%s: interfaces %v, before the first up %v", n, after.links, before.links)
	}
	if strings.Join(after.chains, "\n") != strings.Join(before.chains, "\n") {
		t.Errorf("%s: iptables chains after reset:\n%s\nbefore the first up:\n%s", n, strings.Join(after.chains, "\n"), strings.Join(before.chains, "\n"))
	}
}

// scheduledOn starts a pod of the tools image through the scheduler, with spec fields extra (JSON, may be
// empty), waits until it is Ready and returns its node.
func (e *env) scheduledOn(t *testing.T, name, extra string) string {
	t.Helper()
	spec := `{"spec":{` + extra + `}}`
	if extra == "" {
		spec = `{"spec":{}}`
	}
	if out, err := e.kubectlOut("run", name, "--image="+lab.ToolsImage, "--image-pull-policy=Never", "--restart=Never", "--overrides="+spec, "--command", "--", "sleep", "3600"); err != nil {
		t.Fatalf("kubectl run %s: %v\n%s", name, err, out)
	}
	if out, err := e.kubectlOut("wait", "--for=condition=Ready", "pod/"+name, "--timeout=120s"); err != nil {
		desc, _ := e.kubectlOut("describe", "pod", name)
		t.Fatalf("pod %s not Ready: %v\n%s\n%s", name, err, out, desc)
	}
	node, _ := e.kubectlOut("get", "pod", name, "-o", "jsonpath={.spec.nodeName}")
	return node
}
