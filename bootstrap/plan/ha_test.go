package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/output"
)

func haPlan(t *testing.T, c *cluster.Cluster, edit func(map[string]hostfacts.Facts)) *Plan {
	t.Helper()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	if edit != nil {
		edit(facts)
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: testkit.FixedToken, NewCertificateKey: testkit.FixedCertificateKey})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// phasesOf is a host's steps as "phase:template" (skipped ones marked).
func phasesOf(p *Plan, addr string) string {
	var out []string
	for _, hp := range p.Hosts {
		if hp.Host.Address != addr {
			continue
		}
		for _, s := range hp.Steps {
			e := string(s.Phase) + ":" + s.Template()
			if s.Skip != "" {
				e += "(skip)"
			}
			out = append(out, e)
		}
	}
	return strings.Join(out, " ")
}

func stagesOf(p *Plan) string {
	var out []string
	for _, st := range p.Stages {
		e := phaseList(st.Phases)
		if st.Serial && st.StopOnFailure {
			e += "(serial)"
		}
		out = append(out, e)
	}
	return strings.Join(out, " ")
}

// TestHAPlanFresh: keepalived before init on every master, init with the endpoint and the uploaded
// certificates on the first, the others join one at a time each with its wait, workers through the endpoint.
func TestHAPlanFresh(t *testing.T) {
	c := testkit.HACluster()
	p := haPlan(t, c, nil)
	if got, want := stagesOf(p), "swap net-prereqs kubelet load-balancer init join-material control-plane(serial) join kubeconfig labels pod-network ready"; got != want {
		t.Errorf("stages %s\nwant   %s", got, want)
	}
	for addr, want := range map[string]string{
		"192.168.122.50": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer init:init join-material:ca-cert kubeconfig:admin-kubeconfig labels:node-swap-labels pod-network:pod-network-apply ready:pod-network-wait",
		"192.168.122.53": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane control-plane:wait-control-plane",
		"192.168.122.54": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane control-plane:wait-control-plane",
		"192.168.122.51": "swap:swap swap:swap-tuning net-prereqs:net-prereqs join:join",
	} {
		if got := phasesOf(p, addr); got != want {
			t.Errorf("%s: %s\nwant %s", addr, got, want)
		}
	}
	if p.CertificateKey != testkit.CertificateKey {
		t.Errorf("certificate key %q", p.CertificateKey)
	}
	init, _ := stepNamed(t, p.Hosts[0], "init").Script(PlaceholderRuntime())
	for _, want := range []string{"controlPlaneEndpoint: 192.168.122.10:8443", "certificateKey: " + testkit.CertificateKey, "- 192.168.122.10\n", "KUBEADM_FLAGS='--upload-certs'"} {
		if !strings.Contains(init, want) {
			t.Errorf("init script lacks %q", want)
		}
	}
	join, _ := stepNamed(t, p.Hosts[1], "join-control-plane").Script(PlaceholderRuntime())
	for _, want := range []string{"apiServerEndpoint: 192.168.122.10:8443", "advertiseAddress: 192.168.122.53", "certificateKey: " + testkit.CertificateKey, "name: master2"} {
		if !strings.Contains(join, want) {
			t.Errorf("control-plane join lacks %q:\n%s", want, join)
		}
	}
	worker, _ := stepNamed(t, p.Hosts[3], "join").Script(PlaceholderRuntime())
	if !strings.Contains(worker, "apiServerEndpoint: 192.168.122.10:8443") || strings.Contains(worker, "controlPlane:") {
		t.Errorf("worker join does not go through the endpoint as a worker:\n%s", worker)
	}
	lb := stepNamed(t, p.Hosts[0], "load-balancer").Files[KeepalivedConfPath]
	if !strings.Contains(lb, "state MASTER") || !strings.Contains(lb, "192.168.122.53\n        192.168.122.54") || !strings.Contains(lb, "interface eth0") {
		t.Errorf("first master's keepalived.conf:\n%s", lb)
	}
	if lb2 := stepNamed(t, p.Hosts[1], "load-balancer").Files[KeepalivedConfPath]; !strings.Contains(lb2, "state BACKUP") || !strings.Contains(lb2, "priority 100") {
		t.Errorf("second master's keepalived.conf:\n%s", lb2)
	}
}

// TestHAPlanShowsOrderAndMasksTheKey: the dry-run names the endpoint and the join order, and never
// shows the certificate key, in the summary, the scripts and the JSON.
func TestHAPlanShowsOrderAndMasksTheKey(t *testing.T) {
	p := haPlan(t, testkit.HACluster(), nil)
	p.MaskSecrets = true
	r := output.NewRedactor(p.Token, p.CertificateKey)
	for _, how := range []Rendering{{}, {Scripts: true}, {JSON: true, Scripts: true}} {
		var b bytes.Buffer
		if err := p.Write(&b, r, how); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, testkit.CertificateKey) || strings.Contains(out, testkit.CertificateKey[:32]) {
			t.Errorf("%+v: the certificate key is shown", how)
		}
		if how.JSON {
			continue
		}
		for _, want := range []string{"control-plane endpoint 192.168.122.10:8443 (loadBalancer: keepalived)", "control-plane joins one at a time, each waiting until its API server and etcd member are healthy: master2/192.168.122.53, 192.168.122.54"} {
			if !strings.Contains(out, want) {
				t.Errorf("%+v: plan lacks %q", how, want)
			}
		}
	}
	var b bytes.Buffer
	_ = p.Write(&b, r, Rendering{})
	if !strings.Contains(b.String(), "== stage 7: control-plane (one host at a time, stops at the first failure)\n  master2/192.168.122.53 (master)") {
		t.Errorf("summary lacks the serial control-plane stage:\n%s", b.String())
	}
}

// TestHAPlanRerun: the first master is a control plane, master2 joined, the third half-joined: the
// certificates are uploaded again with this run's key, a token minted, master2 left alone, the third joined.
func TestHAPlanRerun(t *testing.T) {
	c := testkit.HACluster()
	p := haPlan(t, c, func(f map[string]hostfacts.Facts) {
		for _, a := range []string{"192.168.122.50", "192.168.122.53"} {
			h := f[a]
			h.ControlPlane, h.Joined, h.ControlPlaneManifests = true, true, true
			f[a] = h
		}
		h := f["192.168.122.54"]
		h.ControlPlane = true // admin.conf written, the join stopped before kubelet.conf
		f["192.168.122.54"] = h
		w := f["192.168.122.51"]
		w.Joined = true
		f["192.168.122.51"] = w
	})
	for addr, want := range map[string]string{
		"192.168.122.50": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer init:init(skip) join-material:token-create join-material:upload-certs join-material:ca-cert kubeconfig:admin-kubeconfig labels:node-swap-labels pod-network:pod-network-apply ready:pod-network-wait",
		"192.168.122.53": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane(skip) control-plane:wait-control-plane(skip)",
		"192.168.122.54": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane control-plane:wait-control-plane",
		"192.168.122.51": "swap:swap swap:swap-tuning net-prereqs:net-prereqs join:join(skip)",
	} {
		if got := phasesOf(p, addr); got != want {
			t.Errorf("%s: %s\nwant %s", addr, got, want)
		}
	}
	up, _ := stepNamed(t, p.Hosts[0], "upload-certs").Script(PlaceholderRuntime())
	if !strings.Contains(up, "certificateKey: "+testkit.CertificateKey) || !strings.Contains(up, "kubeadm init phase upload-certs --upload-certs") {
		t.Errorf("upload-certs script:\n%s", up)
	}
}

// TestHAPlanConverged: everything in place: no join material, no upload, every join skipped.
func TestHAPlanConverged(t *testing.T) {
	c := testkit.HACluster()
	c.ControlPlane.LoadBalancer = cluster.LBExternal
	p := haPlan(t, c, func(f map[string]hostfacts.Facts) {
		for a, h := range f {
			h.Joined = true
			if a != "192.168.122.51" {
				h.ControlPlane, h.ControlPlaneManifests = true, true
			}
			f[a] = h
		}
	})
	if got, want := stagesOf(p), "swap net-prereqs kubelet init join-material control-plane(serial) join kubeconfig labels pod-network ready"; got != want {
		t.Errorf("external: stages %s, want %s", got, want)
	}
	if got, want := phasesOf(p, "192.168.122.50"), "swap:swap swap:swap-tuning net-prereqs:net-prereqs init:init(skip) kubeconfig:admin-kubeconfig labels:node-swap-labels pod-network:pod-network-apply ready:pod-network-wait"; got != want {
		t.Errorf("first master: %s\nwant %s", got, want)
	}
	if got := phasesOf(p, "192.168.122.54"); got != "swap:swap swap:swap-tuning net-prereqs:net-prereqs control-plane:join-control-plane(skip) control-plane:wait-control-plane(skip)" {
		t.Errorf("third master: %s", got)
	}
}

// TestSingleMasterHasNoHAParts: one master without controlPlane: gets no key, no HA step, no endpoint.
func TestSingleMasterHasNoHAParts(t *testing.T) {
	c := testkit.Cluster()
	p := haPlan(t, c, nil)
	if p.CertificateKey != "" || len(p.Stages) != len(upStages()) || len(p.haHeader()) != 0 {
		t.Errorf("single master: key %q, %d stages, header %q", p.CertificateKey, len(p.Stages), p.haHeader())
	}
	init, _ := stepNamed(t, p.Hosts[0], "init").Script(PlaceholderRuntime())
	if strings.Contains(init, "certificateKey") || strings.Contains(init, "upload-certs") || strings.Contains(init, "controlPlaneEndpoint") {
		t.Errorf("single-master init has HA parts:\n%s", init)
	}
}

// TestAddNodeJoinsNewMasters: a running cluster of one master gets two more masters and a worker from
// the file: the certificates are uploaded again, the new masters join one at a time, then the worker.
func TestAddNodeJoinsNewMasters(t *testing.T) {
	c := testkit.HACluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	lead := facts["192.168.122.50"]
	lead.ControlPlane, lead.Joined, lead.ControlPlaneManifests = true, true, true
	facts["192.168.122.50"] = lead
	m2 := facts["192.168.122.53"]
	m2.ControlPlane, m2.Joined, m2.ControlPlaneManifests = true, true, true
	facts["192.168.122.53"] = m2
	p, err := BuildAddNodePlan(c, facts, PlanOptions{NewToken: testkit.FixedToken, NewCertificateKey: testkit.FixedCertificateKey}, AddNodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"192.168.122.50": "load-balancer:load-balancer join-material:token-create join-material:upload-certs join-material:ca-cert labels:node-swap-labels ready:pod-network-wait",
		"192.168.122.53": "load-balancer:load-balancer control-plane:join-control-plane(skip) control-plane:wait-control-plane(skip)",
		"192.168.122.54": "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane control-plane:wait-control-plane",
		"192.168.122.51": "swap:swap swap:swap-tuning net-prereqs:net-prereqs join:join",
	} {
		if got := phasesOf(p, addr); got != want {
			t.Errorf("%s: %s\nwant %s", addr, got, want)
		}
	}
	if !strings.Contains(stagesOf(p), "control-plane(serial)") {
		t.Errorf("stages %s", stagesOf(p))
	}
	// The pod network's wait expects the new master and the new worker, not the masters already in.
	wait, _ := stepNamed(t, p.Hosts[0], "pod-network-wait").Script(PlaceholderRuntime())
	if !strings.Contains(wait, "NODES='<hostname of 192.168.122.54>\n<hostname of 192.168.122.51>'") {
		t.Errorf("add-node's wait:\n%s", wait)
	}
}

// TestHAResetOrder: workers first, then the masters one at a time, the first master last; keepalived's
// files are removed on every master after its kubeadm reset.
func TestHAResetOrder(t *testing.T) {
	c := testkit.HACluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2"})
	p := BuildResetPlan(c, facts, ResetOptions{})
	var order []string
	for _, hp := range p.Hosts {
		order = append(order, hp.Host.Address)
	}
	if got, want := strings.Join(order, " "), "192.168.122.51 192.168.122.54 192.168.122.53 192.168.122.50"; got != want {
		t.Errorf("order %s, want %s", got, want)
	}
	if st := p.Stages[1]; !st.Serial || !st.StopOnFailure || !st.ForRole(cluster.RoleMaster) || st.ForRole(cluster.RoleWorker) {
		t.Errorf("master stage %+v", st)
	}
	if got := phasesOf(p, "192.168.122.53"); got != "reset:reset load-balancer:load-balancer-remove swap:swap-remove(skip) cleanup:reset-cleanup" {
		t.Errorf("master2: %s", got)
	}
	if got := phasesOf(p, "192.168.122.51"); got != "reset:reset swap:swap-remove(skip) cleanup:reset-cleanup" {
		t.Errorf("worker: %s", got)
	}
	single := BuildResetPlan(testkit.Cluster(), facts, ResetOptions{})
	if single.Stages[1].Serial || single.Hosts[0].Host.Role != cluster.RoleMaster {
		t.Errorf("single master reset changed: %+v", single.Stages)
	}
}

// TestHAPlanHalfJoinedMaster: master2 has every file of a control plane but the API has no Node for it
// (its join stopped after kubeadm wrote the etcd manifest): it is joined again, with the certificates
// uploaded again. When the API did not list the nodes, the files are trusted.
func TestHAPlanHalfJoinedMaster(t *testing.T) {
	c := testkit.HACluster()
	edit := func(known bool) func(map[string]hostfacts.Facts) {
		return func(f map[string]hostfacts.Facts) {
			for _, a := range []string{"192.168.122.50", "192.168.122.53", "192.168.122.54"} {
				h := f[a]
				h.ControlPlane, h.Joined, h.ControlPlaneManifests = true, true, true
				f[a] = h
			}
			lead := f["192.168.122.50"]
			lead.ClusterNodes, lead.ClusterNodesKnown = []string{"m1", "192.168.122.54"}, known
			f["192.168.122.50"] = lead
			m3 := f["192.168.122.54"]
			m3.Hostname = "192.168.122.54"
			f["192.168.122.54"] = m3
		}
	}
	p := haPlan(t, c, edit(true))
	if got := phasesOf(p, "192.168.122.53"); got != "swap:swap swap:swap-tuning net-prereqs:net-prereqs load-balancer:load-balancer control-plane:join-control-plane control-plane:wait-control-plane" {
		t.Errorf("half-joined master2: %s", got)
	}
	if got := phasesOf(p, "192.168.122.54"); !strings.Contains(got, "join-control-plane(skip)") {
		t.Errorf("registered master3: %s", got)
	}
	if got := phasesOf(p, "192.168.122.50"); !strings.Contains(got, "join-material:upload-certs") {
		t.Errorf("first master: %s", got)
	}
	p = haPlan(t, c, edit(false))
	if got := phasesOf(p, "192.168.122.53"); !strings.Contains(got, "join-control-plane(skip)") {
		t.Errorf("nodes unknown: master2 %s", got)
	}
}
