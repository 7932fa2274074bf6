package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// The words `up` ends with when it applies no pod network (bootstrap/plan/podnetwork.go): users search
// for them, so the test holds them as they are printed.
const (
	cniNoneRunNote  = "no pod network applied (networking.cni.plugin: none): the nodes stay NotReady until you apply a CNI add-on"
	cniNonePlanNote = "pod network: none (networking.cni.plugin: none): nodes stay NotReady until a CNI is applied"
	labCNIConfig    = "/etc/cni/net.d/10-swapboot-lab.conflist"
)

// TestCNINoneOnStaticPodNetwork is `networking.cni.plugin: none` on a lab whose hosts bring their own pod
// network (lab up --static-pod-network: a bridge CNI config with a /24 per host, and routes), as every
// cluster had before swapboot installed flannel: the plan applies and awaits no pod network and says so,
// `up` says the nodes stay NotReady until a CNI is applied, nothing of flannel reaches the cluster or the
// hosts, the nodes turn Ready through the hosts' own CNI and a pod on the worker answers a pod on the
// master, status has no CNI pod to show, a second `up` changes nothing, and `reset` removes what swapboot
// and kubeadm made (checked against the hosts before the first up) but keeps the hosts' own CNI config.
// Its own lab: the static network and flannel must not meet on one host.
func TestCNINoneOnStaticPodNetwork(t *testing.T) {
	defer timed(t, "TestCNINoneOnStaticPodNetwork total")()
	e := startLab(t, "cninone", "10.89.0.0/24", 2, func(o *lab.Options) { o.StaticPodNetwork = true })
	m1, w1 := e.ip(0), e.ip(1)
	master, worker := e.name(0), e.name(1)
	all := e.hostNames()
	baseline := map[string]hostSnapshot{}
	for _, n := range all {
		baseline[n] = e.snapshot(n)
		if code, out := e.hostTry(n, "cat", labCNIConfig); code != 0 || !strings.Contains(out, `"name": "swapboot-lab"`) {
			t.Fatalf("%s: the lab's static pod network is not there (%s): exit %d\n%s", n, labCNIConfig, code, out)
		}
	}
	// podSubnet is the lab's: its hosts' ranges (lab.HostPodCIDR) are /24s inside it.
	e.clusterFile = e.withNetworking("{podSubnet: " + lab.PodSubnet + ", serviceSubnet: " + lab.ServiceSubnet + ", cni: {plugin: none}}")
	up := func() runOut { return e.run(nil, "up", "--kubeconfig-dir", e.dir, e.clusterFile) }

	t.Run("the plan has no pod network step and says the nodes stay NotReady", func(t *testing.T) {
		defer timed(t, "dry-run")()
		res := e.run(nil, "up", "--dry-run", "-o", "json", e.clusterFile)
		if res.code != 0 {
			t.Fatalf("up --dry-run -o json: exit %d", res.code)
		}
		start := strings.Index(res.out, "{\n")
		var p struct {
			Notes []string `json:"notes"`
			Hosts []struct {
				Address string `json:"address"`
				Steps   []struct {
					Phase     string            `json:"phase"`
					Script    string            `json:"script"`
					Documents map[string]string `json:"documents"`
				} `json:"steps"`
			} `json:"hosts"`
		}
		if start < 0 || json.NewDecoder(strings.NewReader(res.out[start:])).Decode(&p) != nil {
			t.Fatalf("no plan JSON in the dry-run's output")
		}
		if !anyContains(p.Notes, cniNonePlanNote) {
			t.Errorf("the plan's notes lack %q: %q", cniNonePlanNote, p.Notes)
		}
		steps := 0
		for _, h := range p.Hosts {
			for _, s := range h.Steps {
				steps++
				if s.Phase == "pod-network" || strings.HasPrefix(s.Script, "pod-network") {
					t.Errorf("%s: a pod network step in the plan: %s (%s)", h.Address, s.Phase, s.Script)
				}
				for name, doc := range s.Documents {
					if strings.Contains(doc, "kube-flannel") {
						t.Errorf("%s: %s step carries a flannel document %s", h.Address, s.Phase, name)
					}
				}
			}
		}
		if len(p.Hosts) != 2 || steps == 0 {
			t.Errorf("the plan has %d hosts and %d steps, want 2 hosts with steps", len(p.Hosts), steps)
		}
	})

	t.Run("up: the cluster is built, and the summary says the nodes stay NotReady until a CNI is applied", func(t *testing.T) {
		defer timed(t, "first up")()
		res := up()
		if res.code != 0 {
			t.Fatalf("up: exit %d", res.code)
		}
		if !regexp.MustCompile(`(?m)^note: ` + regexp.QuoteMeta(cniNoneRunNote)).MatchString(res.out) {
			t.Errorf("the report does not end with the note %q", cniNoneRunNote)
		}
		if res.report == nil || !anyContains(res.report.Notes, cniNoneRunNote) {
			t.Errorf("the JSON report's notes lack the note: %+v", res.report)
		}
		for _, addr := range []string{m1, w1} {
			if s := res.report.step(addr, "pod-network"); s != "" {
				t.Errorf("%s: a pod-network step ran: %s", addr, s)
			}
		}
		if s := res.report.step(w1, "join"); s != "changed" {
			t.Errorf("%s join: %q, want changed", w1, s)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("the nodes turn Ready through the hosts' own pod network; nothing of flannel is there", func(t *testing.T) {
		defer timed(t, "Ready, no flannel")()
		if out, err := e.waitNodesReady(2, 180*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
		if out, err := e.kubectlOut("get", "namespace", "kube-flannel"); err == nil || !strings.Contains(out, "NotFound") {
			t.Errorf("namespace kube-flannel: %v\n%s", err, out)
		}
		if out, err := e.kubectlOut("get", "daemonsets", "--all-namespaces", "-o", "name"); err != nil || strings.Contains(out, "flannel") {
			t.Errorf("DaemonSets: %v\n%s", err, out)
		}
		for _, n := range all {
			_, left := e.hostTry(n, "sh", "-c", "ls -d /run/flannel /etc/cni/net.d/10-flannel.conflist /opt/cni/bin/flannel 2>/dev/null; ip -o link show dev flannel.1 2>/dev/null; true")
			if strings.TrimSpace(left) != "" {
				t.Errorf("%s: flannel's files or interface:\n%s", n, left)
			}
			if got := strings.TrimSpace(e.host(n, "ls", "-A", "/etc/cni/net.d")); got != "10-swapboot-lab.conflist" {
				t.Errorf("%s: /etc/cni/net.d holds %q, want only the lab's config", n, got)
			}
		}
	})

	t.Run("a pod on the worker gets an address of the worker's lab range and answers a pod on the master", func(t *testing.T) {
		defer timed(t, "pods")()
		e.webPod("web", worker)
		e.runToolsPod("client", master, "sleep", "3600")
		ip := e.podIP("web")
		if want := strings.TrimSuffix(lab.HostPodCIDR(e.state.Hosts[1]), "0/24"); !strings.HasPrefix(ip, want) {
			t.Errorf("pod IP %s is outside %s, the worker's range of the lab's network", ip, lab.HostPodCIDR(e.state.Hosts[1]))
		}
		if got, err := e.fetch("client", "http://"+ip+":8080/"); err != nil || strings.TrimSpace(got) != "hello from "+worker {
			t.Fatalf("pod on %s -> pod on %s by IP: %v %q", master, worker, err, got)
		}
	})

	t.Run("status: every node Ready, no CNI pod to show", func(t *testing.T) {
		defer timed(t, "status")()
		statuses, res := e.status(e.clusterFile, nil)
		if res.code != 0 {
			t.Errorf("status -o json: exit %d", res.code)
		}
		for _, addr := range []string{m1, w1} {
			s, ok := statuses[addr]
			switch {
			case !ok:
				t.Errorf("%s: not in status", addr)
			case s.Ready != "True" || !s.OK || len(s.Problems) != 0:
				t.Errorf("%s: ready %q ok %v problems %s", addr, s.Ready, s.OK, s.problems())
			case s.CNIPod != "":
				t.Errorf("%s: cniPod %q, want none reported with cni.plugin: none", addr, s.CNIPod)
			}
		}
		code, out := e.cmd("status")
		if code != 0 {
			t.Errorf("status: exit %d", code)
		}
		// The table's CNI column, read at the header's offset (tabwriter aligns the columns).
		col := -1
		rows := 0
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "HOST ") {
				col = strings.Index(line, " CNI ") + 1
				continue
			}
			f := strings.Fields(line)
			if col <= 0 || len(f) == 0 || (f[0] != m1 && f[0] != w1) || len(line) <= col {
				continue
			}
			rows++
			if cell := strings.Fields(line[col:]); len(cell) == 0 || cell[0] != "-" {
				t.Errorf("%s: CNI column %q, want -", f[0], cell)
			}
			if strings.Contains(line, "flannel") {
				t.Errorf("status names flannel: %s", line)
			}
		}
		if col <= 0 || rows != 2 {
			t.Errorf("status table: CNI column at %d, %d host rows, want 2:\n%s", col, rows, out)
		}
	})

	t.Run("a second up changes nothing and says the same", func(t *testing.T) {
		defer timed(t, "second up")()
		res := up()
		if res.code != 0 {
			t.Fatalf("second up: exit %d", res.code)
		}
		if changed := res.report.changed(); len(changed) != 0 || res.report.Changes != 0 {
			t.Errorf("the second up changed %v (changes %d)", changed, res.report.Changes)
		}
		if !strings.Contains(res.out, "0 change(s)") || !strings.Contains(res.out, "note: "+cniNoneRunNote) {
			t.Errorf("the second up does not end with the note and 0 change(s)")
		}
	})

	t.Run("reset removes what swapboot and kubeadm made and keeps the hosts' own pod network", func(t *testing.T) {
		defer timed(t, "reset")()
		if res := e.run(nil, "reset", "--yes", e.clusterFile); res.code != 0 {
			t.Fatalf("reset: exit %d", res.code)
		}
		for i, n := range all {
			// Against the hosts after lab up, before the first up: the lab's conflist, its iptables rule
			// and interfaces are in that snapshot, so removing them fails here as leaving kubeadm's does.
			e.checkResetHost(t, n, baseline[n])
			if left := e.flannelLeftovers(n); len(left) != 0 {
				t.Errorf("%s: left after reset: %v", n, left)
			}
			if code, out := e.hostTry(n, "cat", labCNIConfig); code != 0 || !strings.Contains(out, lab.HostPodCIDR(e.state.Hosts[i])) {
				t.Errorf("%s: the host's own CNI config %s is gone or changed after reset: exit %d\n%s", n, labCNIConfig, code, out)
			}
			routes := e.host(n, "ip", "route", "show")
			for j, other := range e.state.Hosts {
				if j != i && !strings.Contains(routes, lab.HostPodCIDR(other)+" via "+other.IP) {
					t.Errorf("%s: the lab's route to %s's pods is gone after reset:\n%s", n, other.Name, routes)
				}
			}
		}
	})
}

// anyContains reports whether one of list holds s.
func anyContains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}
