package run

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
)

// orderRecorder wraps the fake hosts and records which host ran which script, in order.
type orderRecorder struct {
	h   *fakeHost
	log *[]string
	ch  chan struct{}
}

func (o orderRecorder) Run(ctx context.Context, cmd sshexec.Cmd) (sshexec.Result, error) {
	name := strings.TrimPrefix(strings.SplitN(cmd.Script, "\n", 3)[1], "# swapboot: ")
	o.ch <- struct{}{}
	*o.log = append(*o.log, o.h.addr+":"+name)
	<-o.ch
	return o.h.Run(ctx, cmd)
}
func (o orderRecorder) Close() error { return o.h.Close() }

func haRun(t *testing.T, failOn, failScript string) (*fakeCluster, *Report, []string) {
	t.Helper()
	c := testkit.HACluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	p, err := plan.BuildPlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken, NewCertificateKey: testkit.FixedCertificateKey})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFakeCluster(t, c, false)
	for _, h := range fc.hosts {
		// init with --upload-certs prints the control-plane join with the key: it must never be shown.
		h.initOut = "  kubeadm join 192.168.122.10:8443 --token " + testToken + " \\\n\t--discovery-token-ca-cert-hash " + fc.hash + " \\\n\t--control-plane --certificate-key " + testkit.CertificateKey + "\n\n" +
			strings.ReplaceAll(h.initOut, "192.168.122.50:6443", "192.168.122.10:8443")
	}
	if failOn != "" {
		fc.hosts[failOn].fail[failScript] = &sshexec.ExitError{Host: failOn, Code: 1}
	}
	var order []string
	lock := make(chan struct{}, 1)
	conns := map[string]Conn{}
	for a, h := range fc.hosts {
		conns[a] = orderRecorder{h: h, log: &order, ch: lock}
	}
	e := &Executor{Console: output.NewConsole(&fc.out, output.NewRedactor(p.Token, p.CertificateKey)), Parallel: 4, KubeconfigDir: fc.dir}
	r := e.Execute(context.Background(), p, conns)
	var table bytes.Buffer
	r.Print(&table, output.NewRedactor(p.Token, p.CertificateKey).Redact)
	fc.out.Write(table.Bytes())
	return fc, r, order
}

func indexOf(order []string, e string) int {
	for i, o := range order {
		if o == e {
			return i
		}
	}
	return -1
}

// TestExecuteHA: the load balancers before init, then master2 joins and is waited on before the third
// master joins, the worker after both; the certificate key never reaches the output.
func TestExecuteHA(t *testing.T) {
	fc, r, order := haRun(t, "", "")
	if r.ExitCode() != exit.OK {
		t.Fatalf("exit %d:\n%s", r.ExitCode(), fc.out.String())
	}
	seq := []string{"192.168.122.50:init", "192.168.122.50:ca-cert", "192.168.122.53:join-control-plane", "192.168.122.53:wait-control-plane",
		"192.168.122.54:join-control-plane", "192.168.122.54:wait-control-plane", "192.168.122.51:join"}
	for i := 1; i < len(seq); i++ {
		if a, b := indexOf(order, seq[i-1]), indexOf(order, seq[i]); a < 0 || b < 0 || a > b {
			t.Errorf("%s (at %d) does not come before %s (at %d): %v", seq[i-1], a, seq[i], b, order)
		}
	}
	for _, m := range []string{"192.168.122.50", "192.168.122.53", "192.168.122.54"} {
		if i := indexOf(order, m+":load-balancer"); i < 0 || i > indexOf(order, "192.168.122.50:init") {
			t.Errorf("%s: load balancer not configured before init: %v", m, order)
		}
	}
	if strings.Contains(fc.out.String(), testkit.CertificateKey) {
		t.Errorf("the certificate key leaked:\n%s", fc.out.String())
	}
	if s := fc.hosts["192.168.122.53"].scripts["join-control-plane"]; !strings.Contains(s, "- "+fc.hash) || !strings.Contains(s, "certificateKey: "+testkit.CertificateKey) {
		t.Errorf("control-plane join lacks the CA hash or the key:\n%s", s)
	}
}

// TestExecuteHAControlPlaneJoinFailureStops: master2's join fails: its kubelet log is shown, the third
// master and the worker are not touched, the run fails.
func TestExecuteHAControlPlaneJoinFailureStops(t *testing.T) {
	fc, r, order := haRun(t, "192.168.122.53", "join-control-plane")
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d, want 1", r.ExitCode())
	}
	if fc.hosts["192.168.122.53"].scripts["kubelet-logs"] == "" || !strings.Contains(fc.out.String(), "running with swap on is not supported") {
		t.Errorf("master2's kubelet log not shown:\n%s", fc.out.String())
	}
	for _, e := range []string{"192.168.122.53:wait-control-plane", "192.168.122.54:join-control-plane", "192.168.122.51:join"} {
		if indexOf(order, e) >= 0 {
			t.Errorf("%s ran after master2's join failed: %v", e, order)
		}
	}
	if !strings.Contains(fc.out.String(), "a control-plane join failed") || !strings.Contains(fc.out.String(), "run swapboot up again: it finishes the join") {
		t.Errorf("the worker's report does not say why it did not join:\n%s", fc.out.String())
	}
}

// TestExecuteHAUnhealthyMemberStops: the wait after master2's join times out: the run stops there too.
func TestExecuteHAUnhealthyMemberStops(t *testing.T) {
	_, r, order := haRun(t, "192.168.122.53", "wait-control-plane")
	if r.ExitCode() != exit.HostFailed || indexOf(order, "192.168.122.54:join-control-plane") >= 0 || indexOf(order, "192.168.122.51:join") >= 0 {
		t.Errorf("exit %d, order %v", r.ExitCode(), order)
	}
}

// TestExecuteHAConvergedReportsAlreadyDone: a second run over a complete cluster reports the further
// masters' joins as already done (not as waiting for join material, which a converged run does not read).
func TestExecuteHAConvergedReportsAlreadyDone(t *testing.T) {
	c := testkit.HACluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	for a, f := range facts {
		f.ControlPlane, f.Joined, f.ControlPlaneManifests = a != "192.168.122.51", true, a != "192.168.122.51"
		facts[a] = f
	}
	p, err := plan.BuildPlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken, NewCertificateKey: testkit.FixedCertificateKey})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFakeCluster(t, c, false)
	r := fc.execute(t, p)
	if r.ExitCode() != exit.OK {
		t.Fatalf("exit %d:\n%s", r.ExitCode(), fc.out.String())
	}
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Phase == plan.PhaseControlPlane && s.Status != StatusAlreadyDone {
				t.Errorf("%s %s: %s %s", h.Host.ID(), s.Phase, s.Status, s.Detail)
			}
		}
	}
}
