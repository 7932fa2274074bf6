package e2e

// High-availability control plane (issue 13) on the lab: three masters behind keepalived's virtual IP
// (losing the master that holds it), three masters behind the lab's haproxy host, and a control-plane
// join that fails and is finished by the next run. Run under the shared lock:
//   SWAPBOOT_E2E_HA=1 flock /tmp/swapboot-e2e.lock go test -count=1 -v -timeout 60m -run 'TestHA' ./test/e2e/

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// haLab starts a lab of masters + workers with the given load balancer. The HA tests take about 15
// minutes together (three control planes each), more than `make test` may grow by: they run with
// SWAPBOOT_E2E_HA=1 (make e2e-ha; .ci/run runs them after make test).
func haLab(t *testing.T, name, subnet string, masters, workers int, lb string) *env {
	t.Helper()
	if os.Getenv("SWAPBOOT_E2E_HA") == "" {
		t.Skip("high-availability e2e tests run with SWAPBOOT_E2E_HA=1 (make e2e-ha)")
	}
	before := memAvailableMiB(t)
	e := startLab(t, name, subnet, masters+workers, func(o *lab.Options) { o.Masters, o.LoadBalancer = masters, lb })
	e.memBefore = before
	return e
}

// memAvailableMiB is the machine's MemAvailable (for the budget note: the lab's memory with 3 control planes).
func memAvailableMiB(t *testing.T) int {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemAvailable:" {
			n, _ := strconv.Atoi(f[1])
			return n >> 10
		}
	}
	return 0
}

// labMemory logs the memory of the lab's hosts: each host cgroup's usage (cgroup v1 memory hierarchy),
// and how much MemAvailable dropped since before the lab (other work on the machine counts too).
func (e *env) labMemory(what string) {
	total := 0
	var parts []string
	for _, h := range e.state.Hosts {
		for _, hy := range e.state.Hierarchies {
			if !strings.Contains(hy.Options, "memory") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(hy.Mount, hy.Current, lab.CgroupName(e.opts.CgroupPrefix, h.Name), "memory.usage_in_bytes"))
			if err != nil {
				continue
			}
			n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			total += n >> 20
			parts = append(parts, fmt.Sprintf("%s %dMiB", h.Name, n>>20))
		}
	}
	e.t.Logf("MEMORY %s: hosts' cgroups %d MiB (%s); MemAvailable dropped by %d MiB", what, total, strings.Join(parts, ", "), e.memBefore-memAvailableMiB(e.t))
}

// vipHolder is the master whose eth0 holds the virtual IP ("" when none does).
func (e *env) vipHolder(vip string) string {
	for _, h := range e.state.Hosts {
		if h.Role != "master" {
			continue
		}
		out, _ := exec.Command("ip", "-n", h.Name, "-4", "addr", "show", "dev", "eth0").CombinedOutput()
		if strings.Contains(string(out), " "+vip+"/") {
			return h.Name
		}
	}
	return ""
}

// kubectlRetry runs kubectl until it succeeds or timeout passes (the endpoint moves after a failover).
func (e *env) kubectlRetry(timeout time.Duration, args ...string) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := e.kubectlOut(args...)
		if err == nil || time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(3 * time.Second)
	}
}

func (e *env) etcdMembers(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		out, err := e.kubectlOut("-n", "kube-system", "get", "pods", "-l", "component=etcd", "--no-headers")
		if err == nil && strings.Count(out, " Running ") == want && strings.Count(out, "\n") == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %d running etcd members: %v\n%s", want, err, out)
		}
		time.Sleep(3 * time.Second)
	}
}

// TestHAKeepalived: 3 masters + 1 worker behind keepalived: all Ready, 3 etcd members, kubectl through
// the endpoint; the master holding the virtual IP is lost: the IP moves, kubectl through the endpoint
// works, a new pod runs; the master comes back and a second up changes nothing.
func TestHAKeepalived(t *testing.T) {
	defer timed(t, "TestHAKeepalived")()
	e := haLab(t, "hak", "10.91.0.0/24", 3, 1, lab.LBKeepalived)
	vip := strings.Split(e.state.Endpoint, ":")[0]
	done := timed(t, "up (3 masters, 1 worker, keepalived)")
	r := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
	done()
	if r.code != 0 {
		t.Fatalf("up: exit %d", r.code)
	}
	if out, err := e.waitNodesReady(4, 5*time.Minute); err != nil {
		t.Fatalf("nodes: %v\n%s", err, out)
	}
	e.etcdMembers(t, 3)
	e.labMemory("3 control planes + 1 worker, keepalived")
	if out, err := e.kubectlOut("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"); err != nil || out != "https://"+e.state.Endpoint {
		t.Fatalf("kubeconfig server %q (%v), want the endpoint %s", out, err, e.state.Endpoint)
	}
	if strings.Contains(r.out, "certificateKey: ") && !strings.Contains(r.out, "certificateKey: <redacted>") {
		t.Errorf("a certificate key in the output")
	}
	st, out := e.status(e.clusterFile, nil)
	if out.code != 0 {
		t.Errorf("status: exit %d\n%s %v", out.code, out.out, st)
	}

	holder := e.vipHolder(vip)
	if holder == "" {
		t.Fatalf("no master holds the virtual IP %s", vip)
	}
	done = timed(t, "failover: "+holder+" lost until the endpoint answers")
	if err := lab.StopHost(e.opts, holder); err != nil {
		t.Fatalf("stop %s: %v", holder, err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for e.vipHolder(vip) == "" || e.vipHolder(vip) == holder {
		if time.Now().After(deadline) {
			t.Fatalf("the virtual IP did not move from %s", holder)
		}
		time.Sleep(time.Second)
	}
	t.Logf("virtual IP moved from %s to %s", holder, e.vipHolder(vip))
	if out, err := e.kubectlRetry(2*time.Minute, "get", "nodes"); err != nil {
		t.Fatalf("kubectl through the endpoint after losing %s: %v\n%s", holder, err, out)
	}
	done()
	if out, err := e.kubectlRetry(time.Minute, "run", "ha-after-failover", "--image="+e.state.PauseImage, "--image-pull-policy=Never", "--restart=Never"); err != nil {
		t.Fatalf("create a pod: %v\n%s", err, out)
	}
	if out, err := e.kubectlOut("wait", "--for=condition=Ready", "pod/ha-after-failover", "--timeout=180s"); err != nil {
		t.Fatalf("the new pod does not run: %v\n%s", err, out)
	}

	done = timed(t, "bring "+holder+" back until 4 nodes are Ready")
	if err := lab.StartHost(e.opts, holder); err != nil {
		t.Fatalf("start %s: %v", holder, err)
	}
	// Back means its API server and etcd member are healthy again: swapboot status checks both per master.
	for deadline := time.Now().Add(5 * time.Minute); ; {
		st, out := e.status(e.clusterFile, nil)
		if out.code == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy again: exit %d\n%s %v", holder, out.code, out.out, st)
		}
		time.Sleep(5 * time.Second)
	}
	done()
	e.etcdMembers(t, 3)
	done = timed(t, "second up")
	r = e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
	done()
	if r.code != 0 {
		t.Fatalf("second up: exit %d", r.code)
	}
	if ch := r.report.changed(); len(ch) != 0 {
		t.Errorf("second up changed %v", ch)
	}

	// reset: workers, then the masters one at a time, the first last; keepalived's and haproxy's files go,
	// the package's own haproxy.cfg comes back.
	done = timed(t, "reset")
	r = e.run(nil, "reset", "--yes", e.clusterFile)
	done()
	if r.code != 0 {
		t.Fatalf("reset: exit %d", r.code)
	}
	order := []string{}
	for _, l := range strings.Split(r.out, "\n") {
		if strings.Contains(l, "] reset: kubeadm reset -f") {
			order = append(order, strings.Trim(strings.Fields(l)[0], "[]"))
		}
	}
	if got, want := strings.Join(order, " "), strings.Join([]string{e.ip(3), e.ip(2), e.ip(1), e.ip(0)}, " "); got != want {
		t.Errorf("reset order %s, want %s", got, want)
	}
	for _, h := range e.state.Hosts[:3] {
		out := e.host(h.Name, "sh", "-c", "for f in /etc/keepalived/keepalived.conf /etc/keepalived/check_apiserver.sh; do [ ! -e $f ] || echo left $f; done; "+
			"head -1 /etc/haproxy/haproxy.cfg; systemctl is-active keepalived haproxy || true")
		if strings.Contains(out, "left ") || strings.Contains(out, "Written by swapboot") || strings.Contains(out, "\nactive") {
			t.Errorf("%s after reset:\n%s", h.Name, out)
		}
	}
}

// TestHAExternal: 3 masters + 1 worker behind the lab's haproxy host: all Ready.
func TestHAExternal(t *testing.T) {
	defer timed(t, "TestHAExternal")()
	e := haLab(t, "hax", "10.92.0.0/24", 3, 1, lab.LBExternal)
	done := timed(t, "up (3 masters, 1 worker, external haproxy)")
	r := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
	done()
	if r.code != 0 {
		t.Fatalf("up: exit %d", r.code)
	}
	if out, err := e.waitNodesReady(4, 5*time.Minute); err != nil {
		t.Fatalf("nodes: %v\n%s", err, out)
	}
	e.etcdMembers(t, 3)
	e.labMemory("3 control planes + 1 worker + haproxy host")
	if out, err := e.kubectlOut("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"); err != nil || out != "https://"+e.state.Endpoint {
		t.Errorf("kubeconfig server %q (%v), want %s", out, err, e.state.Endpoint)
	}
}

// TestHAFailingControlPlaneJoin: the second master's kubelet cannot start: its control-plane join fails,
// the run stops there with its kubelet log (the third master and the worker untouched); with the kubelet
// repaired the next up completes the cluster.
func TestHAFailingControlPlaneJoin(t *testing.T) {
	defer timed(t, "TestHAFailingControlPlaneJoin")()
	e := haLab(t, "haf", "10.93.0.0/24", 3, 1, lab.LBKeepalived)
	m2, m3, w1 := e.state.Hosts[1], e.state.Hosts[2], e.state.Hosts[3]
	// An unknown kubelet flag: the kubelet exits at once, every time systemd starts it.
	e.host(m2.Name, "sh", "-c", "echo 'KUBELET_EXTRA_ARGS=--no-such-flag-swapboot-test' > /etc/default/kubelet")
	done := timed(t, "up with a broken kubelet on "+m2.Name)
	r := e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
	done()
	if r.code != 1 {
		t.Fatalf("up: exit %d, want 1", r.code)
	}
	if !strings.Contains(r.out, "kubelet log") || !strings.Contains(r.out, "no-such-flag-swapboot-test") {
		t.Errorf("the output lacks %s's kubelet log", m2.Name)
	}
	if s := r.report.step(m2.IP, "control-plane"); !strings.EqualFold(s, "failed") {
		t.Errorf("%s control-plane step %q, want failed", m2.Name, s)
	}
	for _, h := range []string{m3.IP, w1.IP} {
		for _, ph := range []string{"control-plane", "join"} {
			if s := r.report.step(h, ph); strings.EqualFold(s, "changed") || strings.EqualFold(s, "failed") {
				t.Errorf("%s %s ran (%s) after the failed control-plane join", h, ph, s)
			}
		}
	}
	e.host(m2.Name, "sh", "-c", "echo 'KUBELET_EXTRA_ARGS=' > /etc/default/kubelet")
	done = timed(t, "up after the repair")
	r = e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile)
	done()
	if r.code != 0 {
		t.Fatalf("second up: exit %d", r.code)
	}
	if out, err := e.waitNodesReady(4, 5*time.Minute); err != nil {
		t.Fatalf("nodes: %v\n%s", err, out)
	}
	e.etcdMembers(t, 3)
}
