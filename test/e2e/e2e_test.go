// Package e2e runs swapboot against real hosts: the lab's namespace hosts with systemd, sshd, containerd,
// kubeadm and kubelet (lab/). It needs root; `make test` runs it.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// repoRoot is two levels up from this package.
func repoRoot(t *testing.T) string {
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func requireRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end lab test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "\n*** SKIPPING the lab end-to-end tests: they need root (network, mount, PID namespaces, swapon). Run make test as root. ***")
		t.Skip("needs root")
	}
}

// buildSwapboot compiles the CLI under test.
func buildSwapboot(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "swapboot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// env is one lab and the swapboot binary that works on it.
type env struct {
	t        *testing.T
	swapboot string
	opts     lab.Options
	state    *lab.State
	dir      string // lab state dir: cluster.yaml, kubeconfig
	kubectl  string
	outputs  []string // everything swapboot printed, for the secrets check
	// clusterFile is the file swapboot is run with (the lab's, or a subset of it).
	clusterFile string
	// memBefore is the machine's MemAvailable in MiB before the lab started (ha_test.go).
	memBefore int
}

// up runs `swapboot up` on the cluster file and returns its exit code and output.
func (e *env) up(args ...string) (int, string) {
	e.t.Helper()
	report := filepath.Join(e.t.TempDir(), "report.json")
	return e.swapbootRun(report, append([]string{"up", "--kubeconfig-dir", e.dir, "--report", report}, append(args, e.clusterFile)...)...)
}

// cmd runs any swapboot command on the cluster file (appended last).
func (e *env) cmd(args ...string) (int, string) {
	e.t.Helper()
	return e.swapbootRun("", append(args, e.clusterFile)...)
}

func (e *env) swapbootRun(report string, args ...string) (int, string) {
	e.t.Helper()
	args = append([]string{"--verbose"}, args...)
	cmd := exec.Command(e.swapboot, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("swapboot: %v", err)
	}
	e.t.Logf("swapboot %s -> exit %d\n%s", strings.Join(args, " "), code, out.String())
	if data, err := os.ReadFile(report); report != "" && err == nil {
		out.WriteString("\n--- report.json ---\n")
		out.Write(data)
	}
	e.outputs = append(e.outputs, out.String())
	return code, out.String()
}

// host runs a command inside a lab host (not over SSH) and returns its output.
func (e *env) host(name string, argv ...string) string {
	e.t.Helper()
	var out, errOut bytes.Buffer
	code, err := lab.Exec(e.opts, name, argv, nil, &out, &errOut)
	if err != nil || code != 0 {
		e.t.Fatalf("%s: %v: exit %d %v\n%s%s", name, argv, code, err, out.String(), errOut.String())
	}
	return out.String()
}

func (e *env) kubectlOut(args ...string) (string, error) {
	args = append([]string{"--kubeconfig", filepath.Join(e.dir, e.opts.Name+".kubeconfig")}, args...)
	out, err := exec.Command(e.kubectl, args...).CombinedOutput()
	return string(out), err
}

// waitNodeReady waits until the node exists and is Ready: kubeadm join returns once the kubelet has its
// credentials, and the Node object appears a moment later (kubectl wait fails at once on a missing node).
func (e *env) waitNodeReady(node string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := e.kubectlOut("get", "node", node)
		if err == nil {
			return e.kubectlOut("wait", "--for=condition=Ready", "node/"+node, fmt.Sprintf("--timeout=%ds", int(time.Until(deadline).Seconds())+1))
		}
		if time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(time.Second)
	}
}

// waitNodesReady waits until the API knows count nodes and all of them are Ready.
func (e *env) waitNodesReady(count int, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := e.kubectlOut("get", "nodes", "--no-headers")
		if err == nil && strings.Count(out, "\n") == count && strings.Count(out, " Ready ") == count {
			return out, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("want %d Ready nodes", count)
			}
			return out, err
		}
		time.Sleep(2 * time.Second)
	}
}

func (e *env) hostNames() []string {
	var names []string
	for _, h := range e.state.Hosts {
		names = append(names, h.Name)
	}
	return names
}

// withoutLastWorker writes a copy of the lab's cluster file without its last worker (added later by
// add-node) and returns its path.
func (e *env) withoutLastWorker() string {
	e.t.Helper()
	data, err := os.ReadFile(e.clusterFile)
	if err != nil {
		e.t.Fatal(err)
	}
	var ips []string
	for _, h := range e.state.Hosts[1 : len(e.state.Hosts)-1] {
		ips = append(ips, h.IP)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "workers:") {
			line = "workers: [" + strings.Join(ips, ", ") + "]"
		}
		lines = append(lines, line)
	}
	path := filepath.Join(e.dir, "cluster-3.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

func (e *env) swapOn(host string) bool {
	return strings.Contains(e.host(host, "cat", "/proc/swaps"), "/swapfile")
}

// checkStatusSwap: status shows each host's swap file by its kind and size in the table and in -o json,
// and the swap its kubelet reports in the Summary API, read here from the kubelet through the API: the
// same usage plus available (their sum, the node's swap limit, does not move as pages swap in and out).
func (e *env) checkStatusSwap(t *testing.T, table string, swapKiB int64) {
	t.Helper()
	st, _ := e.status(e.clusterFile, nil)
	row := regexp.MustCompile(`(?m)^(\S+)\s+\S+\s+true\s+\S+\s+\S+\s+file (\d+)MiB\s+\d+MiB\s+(\d+)MiB\s+\d+MiB`)
	rows := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		rows[m[1]] = m
	}
	for _, s := range st {
		if m := rows[s.Host]; m == nil || m[2] != strconv.FormatInt((swapKiB+512)>>10, 10) || m[3] != m[2] {
			t.Errorf("%s: the table's row %q; want file %dMiB in SWAP and API SWAP, numbers in USED and API USED", s.Host, m, swapKiB>>10)
		}
		if !strings.Contains(table, s.Host+": file /swapfile "+strconv.FormatInt(swapKiB>>10, 10)+"MiB") {
			t.Errorf("%s: no swap areas line for /swapfile in the table", s.Host)
		}
		var file bool
		for _, a := range s.ProcSwaps {
			file = file || (a.Name == "/swapfile" && a.Kind == "file" && a.SizeKiB > swapKiB-8 && a.SizeKiB <= swapKiB)
		}
		if !file {
			t.Errorf("%s: procSwaps %+v, want the file /swapfile of about %d KiB", s.Host, s.ProcSwaps, swapKiB)
		}
		out, err := e.kubectlOut("get", "--raw", "/api/v1/nodes/"+s.NodeName+"/proxy/stats/summary")
		var summary struct {
			Node struct {
				Swap *kubeletSwap `json:"swap"`
			} `json:"node"`
		}
		if err != nil || json.Unmarshal([]byte(out), &summary) != nil || summary.Node.Swap == nil || summary.Node.Swap.UsageBytes == nil {
			t.Errorf("%s: the kubelet's Summary API has no node.swap: %v\n%.300s", s.NodeName, err, out)
			continue
		}
		k, got := summary.Node.Swap, s.SummarySwap
		t.Logf("%s: status summarySwap %s, the kubelet now %s", s.NodeName, swapBytes(got), swapBytes(k))
		if got == nil || got.UsageBytes == nil || (got.AvailableBytes == nil) != (k.AvailableBytes == nil) {
			t.Errorf("%s: status summarySwap %s, the kubelet reports %s", s.NodeName, swapBytes(got), swapBytes(k))
		} else if k.AvailableBytes != nil && *got.UsageBytes+*got.AvailableBytes != *k.UsageBytes+*k.AvailableBytes {
			t.Errorf("%s: status summarySwap %s, the kubelet reports %s: not the same swap limit", s.NodeName, swapBytes(got), swapBytes(k))
		}
	}
}

func swapBytes(s *kubeletSwap) string {
	if s == nil {
		return "none"
	}
	str := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	}
	return "usage " + str(s.UsageBytes) + " available " + str(s.AvailableBytes)
}

func TestUpOnRealHosts(t *testing.T) {
	e := startLab(t, "e2e", "10.78.0.0/24", 4, nil)
	const swapKiB = 256 * 1024
	fullFile := e.clusterFile
	e.clusterFile = e.withoutLastWorker()
	three := e.hostNames()[:3]

	t.Run("fresh hosts: up builds a 3-node cluster with swap", func(t *testing.T) {
		code, out := e.up()
		if code != 0 {
			t.Fatalf("swapboot up exit %d", code)
		}
		if !strings.Contains(out, "kubeconfig:") {
			t.Errorf("no kubeconfig line in the report")
		}
		if out, err := e.waitNodesReady(3, 180*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
		for _, h := range three {
			swaps := e.host(h, "cat", "/proc/swaps")
			if !strings.Contains(swaps, "/swapfile") {
				t.Errorf("%s: /swapfile not active:\n%s", h, swaps)
			}
			for _, line := range strings.Split(swaps, "\n") {
				f := strings.Fields(line)
				if len(f) < 3 || f[0] != "/swapfile" {
					continue
				}
				if kib, err := strconv.Atoi(f[2]); err != nil || kib < swapKiB-8 || kib > swapKiB {
					t.Errorf("%s: swap size %s KiB, want about %d", h, f[2], swapKiB)
				}
			}
			if n := strings.Count(e.host(h, "awk", "$1 == \"/swapfile\"", "/etc/fstab"), "\n"); n != 1 {
				t.Errorf("%s: %d fstab entries for /swapfile, want 1", h, n)
			}
			if got := strings.TrimSpace(e.host(h, "systemctl", "is-active", "kubelet")); got != "active" {
				t.Errorf("%s: kubelet %s", h, got)
			}
			if cfg := e.host(h, "cat", "/var/lib/kubelet/config.yaml"); !strings.Contains(cfg, "failSwapOn: false") {
				t.Errorf("%s: /var/lib/kubelet/config.yaml lacks failSwapOn: false", h)
			}
		}
	})

	t.Run("no bootstrap token in anything swapboot printed", func(t *testing.T) {
		master := e.state.Hosts[0].Name
		list := e.host(master, "kubeadm", "token", "list", "--kubeconfig", "/etc/kubernetes/admin.conf")
		tokens := 0
		for _, line := range strings.Split(list, "\n")[1:] {
			f := strings.Fields(line)
			if len(f) == 0 || !strings.Contains(f[0], ".") {
				continue
			}
			tokens++
			secret := f[0][strings.Index(f[0], ".")+1:]
			for _, out := range e.outputs {
				if strings.Contains(out, secret) {
					t.Errorf("the secret part of bootstrap token %s... appears in swapboot's output", f[0][:6])
				}
			}
		}
		if tokens == 0 {
			t.Fatalf("no bootstrap token on the master to look for:\n%s", list)
		}
	})

	t.Run("a pod pinned to a worker runs", func(t *testing.T) {
		worker := e.state.Hosts[1].Name
		overrides := fmt.Sprintf(`{"spec":{"nodeName":%q}}`, worker)
		if out, err := e.kubectlOut("run", "pinned", "--image="+e.state.PauseImage, "--image-pull-policy=Never", "--overrides="+overrides); err != nil {
			t.Fatalf("kubectl run: %v\n%s", err, out)
		}
		if out, err := e.kubectlOut("wait", "--for=condition=Ready", "pod/pinned", "--timeout=120s"); err != nil {
			desc, _ := e.kubectlOut("describe", "pod", "pinned")
			t.Fatalf("pod not Ready: %v\n%s\n%s", err, out, desc)
		}
	})

	t.Run("flannel: each node turned Ready only once flannel ran on it", func(t *testing.T) {
		starts, ready := e.flannelPodStarts(), e.nodeReadySince()
		for _, h := range three {
			start, ran := starts[h]
			since, isReady := ready[h]
			switch {
			case !ran || !isReady:
				t.Errorf("%s: flannel pod running %v, node Ready %v", h, ran, isReady)
			case since.Before(start):
				t.Errorf("%s: Ready since %s, before its flannel pod started (%s): something else gave it a pod network", h, since, start)
			}
		}
	})

	t.Run("pods reach each other across nodes by pod IP, and a Service by its DNS name", func(t *testing.T) {
		w1, w2 := e.state.Hosts[1].Name, e.state.Hosts[2].Name
		e.webPod("web", w1)
		e.runToolsPod("client", w2, "sleep", "3600")
		ip := e.podIP("web")
		if !strings.HasPrefix(ip, "10.244.") {
			t.Errorf("pod IP %s is outside podSubnet 10.244.0.0/16", ip)
		}
		if got, err := e.fetch("client", "http://"+ip+":8080/"); err != nil || strings.TrimSpace(got) != "hello from "+w1 {
			t.Fatalf("pod on %s -> pod on %s by IP: %v %q", w2, w1, err, got)
		}
		if out, err := e.kubectlOut("expose", "pod", "web", "--port=80", "--target-port=8080", "--name=web"); err != nil {
			t.Fatalf("expose: %v\n%s", err, out)
		}
		if out, err := e.kubectlOut("-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=120s"); err != nil {
			t.Fatalf("CoreDNS not available: %v\n%s", err, out)
		}
		// CoreDNS and kube-proxy learn a new Service from their watches, within seconds.
		got, err := e.fetch("client", "http://web.default.svc.cluster.local/")
		for deadline := time.Now().Add(60 * time.Second); (err != nil || strings.TrimSpace(got) != "hello from "+w1) && time.Now().Before(deadline); {
			time.Sleep(2 * time.Second)
			got, err = e.fetch("client", "http://web.default.svc.cluster.local/")
		}
		if err != nil || strings.TrimSpace(got) != "hello from "+w1 {
			t.Fatalf("pod on %s -> Service web by its DNS name: %v %q", w2, err, got)
		}
	})

	t.Run("second up changes nothing", func(t *testing.T) {
		code, out := e.up()
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		if !strings.Contains(out, "0 change(s)") {
			t.Errorf("second run changed something")
		}
		for _, h := range three {
			if n := strings.Count(e.host(h, "awk", "$1 == \"/swapfile\"", "/etc/fstab"), "\n"); n != 1 {
				t.Errorf("%s: %d fstab entries after a second run", h, n)
			}
		}
	})

	t.Run("kubelet drop-in and env file are the packages' own", func(t *testing.T) {
		for _, h := range three {
			if got := e.host(h, "cat", "/etc/default/kubelet"); got != "KUBELET_EXTRA_ARGS=\n" {
				t.Errorf("%s: /etc/default/kubelet = %q", h, got)
			}
			show := e.host(h, "systemctl", "show", "kubelet", "-p", "DropInPaths", "-p", "EnvironmentFiles")
			if !strings.Contains(show, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf") || !strings.Contains(show, "/etc/default/kubelet") {
				t.Errorf("%s: systemctl show kubelet:\n%s", h, show)
			}
		}
	})

	t.Run("a failing join exits 1, shows the kubelet log, and the next run completes", func(t *testing.T) {
		w := e.state.Hosts[2].Name
		e.host(w, "kubeadm", "reset", "-f")
		if out, err := e.kubectlOut("delete", "node", w); err != nil {
			t.Logf("delete node: %v %s", err, out)
		}
		e.host(w, "systemctl", "stop", "containerd")
		code, out := e.up()
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if !strings.Contains(out, "kubelet log") {
			t.Errorf("no kubelet log tail in the output")
		}
		e.host(w, "systemctl", "start", "containerd")
		if code, _ := e.up(); code != 0 {
			t.Fatalf("resume: exit %d", code)
		}
		if out, err := e.waitNodeReady(w, 180*time.Second); err != nil {
			t.Fatalf("%s not Ready after resume: %v\n%s", w, err, out)
		}
	})

	t.Run("add-node joins the fourth host and waits until it is Ready", func(t *testing.T) {
		e.clusterFile = fullFile
		w3 := e.state.Hosts[3].Name
		code, out := e.cmd("add-node")
		if code != 0 {
			t.Fatalf("add-node exit %d", code)
		}
		if !strings.Contains(out, "already joined") {
			t.Errorf("add-node did not report the joined workers as skipped")
		}
		if out, err := e.kubectlOut("get", "node", w3, "--no-headers"); err != nil || !strings.Contains(out, " Ready ") {
			t.Fatalf("%s not Ready: %v\n%s", w3, err, out)
		}
		if !e.swapOn(w3) {
			t.Errorf("%s: no swap after add-node", w3)
		}
	})

	t.Run("add-node: the new worker gets a flannel subnet and its pod is reachable from a pod on the master", func(t *testing.T) {
		w3, master := e.state.Hosts[3].Name, e.state.Hosts[0].Name
		if sub := e.flannelSubnet(w3); !strings.HasPrefix(sub, "10.244.") {
			t.Errorf("%s: flannel subnet %s outside podSubnet 10.244.0.0/16", w3, sub)
		}
		e.webPod("web3", w3)
		e.runToolsPod("client-m", master, "sleep", "3600")
		if got, err := e.fetch("client-m", "http://"+e.podIP("web3")+":8080/"); err != nil || strings.TrimSpace(got) != "hello from "+w3 {
			t.Fatalf("pod on %s -> pod on %s: %v %q", master, w3, err, got)
		}
	})

	t.Run("status: table and json, exit 0 when all is well and 1 when a kubelet is down", func(t *testing.T) {
		code, out := e.cmd("status")
		if code != 0 {
			t.Fatalf("status exit %d:\n%s", code, out)
		}
		e.checkStatusSwap(t, out, swapKiB)
		code, out = e.cmd("status", "-o", "json")
		if code != 0 || !strings.Contains(out, `"ready": "True"`) || !strings.Contains(out, `"failSwapOn": false`) {
			t.Fatalf("status json exit %d:\n%s", code, out)
		}
		w1 := e.state.Hosts[1].Name
		e.host(w1, "systemctl", "stop", "kubelet")
		code, out = e.cmd("status")
		e.host(w1, "systemctl", "start", "kubelet")
		if code != 1 || !strings.Contains(out, "kubelet is inactive") {
			t.Errorf("status with a stopped kubelet: exit %d\n%s", code, out)
		}
	})

	t.Run("kubeconfig writes a working admin kubeconfig", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "admin.conf")
		if code, _ := e.cmd("kubeconfig", "--file", file); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", file, err, st)
		}
		if out, err := exec.Command(e.kubectl, "--kubeconfig", file, "get", "nodes").CombinedOutput(); err != nil {
			t.Fatalf("kubectl with the written kubeconfig: %v\n%s", err, out)
		}
	})

	t.Run("swap disable leaves a Ready cluster without swap", func(t *testing.T) {
		if code, _ := e.cmd("swap", "disable", "--yes"); code != 0 {
			t.Fatalf("exit %d", code)
		}
		for _, h := range e.hostNames() {
			if e.swapOn(h) {
				t.Errorf("%s: swap still on", h)
			}
			if cfg := e.host(h, "cat", "/var/lib/kubelet/config.yaml"); strings.Contains(cfg, "failSwapOn: false") {
				t.Errorf("%s: failSwapOn still false", h)
			}
		}
		if out, err := e.waitNodesReady(len(e.state.Hosts), 120*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
	})

	t.Run("swap enable on a cluster without swap: nodes stay Ready and the ConfigMap carries failSwapOn false", func(t *testing.T) {
		if code, _ := e.cmd("swap", "enable"); code != 0 {
			t.Fatalf("exit %d", code)
		}
		for _, h := range e.hostNames() {
			if !e.swapOn(h) {
				t.Errorf("%s: swap off", h)
			}
			if cfg := e.host(h, "cat", "/var/lib/kubelet/config.yaml"); !strings.Contains(cfg, "failSwapOn: false") {
				t.Errorf("%s: failSwapOn not false", h)
			}
		}
		cm, err := e.kubectlOut("-n", "kube-system", "get", "configmap", "kubelet-config", "-o", "jsonpath={.data.kubelet}")
		if err != nil || !strings.Contains(cm, "failSwapOn: false") {
			t.Errorf("kubelet-config ConfigMap: %v\n%s", err, cm)
		}
		if out, err := e.waitNodesReady(len(e.state.Hosts), 120*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
	})

	t.Run("reset removes the cluster and swapboot's swap; a fresh up works on the same hosts", func(t *testing.T) {
		if code, _ := e.cmd("reset", "--yes"); code != 0 {
			t.Fatalf("reset exit %d", code)
		}
		for _, h := range e.hostNames() {
			if e.swapOn(h) {
				t.Errorf("%s: swap still on after reset", h)
			}
			if out := e.host(h, "sh", "-c", "ls /etc/kubernetes/*.conf 2>/dev/null || true"); strings.TrimSpace(out) != "" {
				t.Errorf("%s: kubeadm files left: %s", h, out)
			}
		}
		for _, h := range e.hostNames() {
			if left := e.flannelLeftovers(h); len(left) != 0 {
				t.Errorf("%s: flannel left %v after reset", h, left)
			}
		}
		// The fresh cluster uses another podSubnet and flannel's host-gw backend.
		e.clusterFile = e.withNetworking("{podSubnet: 10.245.0.0/16, serviceSubnet: 10.96.0.0/12, cni: {backend: host-gw}}")
		if code, _ := e.up(); code != 0 {
			t.Fatalf("up after reset: exit %d", code)
		}
		if out, err := e.waitNodesReady(4, 180*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
		master := e.state.Hosts[0].Name
		want := map[string]string{} // host -> the route the master's flannel adds for it
		for i, h := range e.hostNames() {
			sub := e.flannelSubnet(h)
			if !strings.HasPrefix(sub, "10.245.") {
				t.Errorf("%s: flannel subnet %s outside podSubnet 10.245.0.0/16", h, sub)
			}
			if i > 0 {
				want[h] = strings.TrimSuffix(sub, ".1/24") + ".0/24 via " + e.ip(i)
			}
		}
		// The master's flanneld adds a node's route when it sees that node's lease, which may come a
		// moment after the node is Ready: polled, bounded.
		var routes string
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(2 * time.Second) {
			routes = e.host(master, "ip", "route", "show")
			missing := 0
			for _, r := range want {
				if !strings.Contains(routes, r) {
					missing++
				}
			}
			if missing == 0 || time.Now().After(deadline) {
				break
			}
		}
		for h, r := range want {
			if !strings.Contains(routes, r) {
				t.Errorf("%s: no host-gw route %s on the master within 60s:\n%s", h, r, routes)
			}
		}
		w1, w2 := e.state.Hosts[1].Name, e.state.Hosts[2].Name
		e.webPod("web-gw", w1)
		e.runToolsPod("client-gw", w2, "sleep", "3600")
		if got, err := e.fetch("client-gw", "http://"+e.podIP("web-gw")+":8080/"); err != nil || strings.TrimSpace(got) != "hello from "+w1 {
			t.Fatalf("host-gw: pod on %s -> pod on %s: %v %q", w2, w1, err, got)
		}
	})

}
