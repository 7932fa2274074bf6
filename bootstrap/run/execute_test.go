package run

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
)

// fakeHost answers swapboot's scripts the way a real host's scripts would report, and records them.
type fakeHost struct {
	mu      sync.Mutex
	addr    string
	caPEM   []byte
	initOut string
	fail    map[string]error // template -> error
	scripts map[string]string
	closed  bool
}

func (f *fakeHost) Run(ctx context.Context, cmd sshexec.Cmd) (sshexec.Result, error) {
	lines := strings.SplitN(cmd.Script, "\n", 3)
	name := strings.TrimPrefix(lines[1], "# swapboot: ")
	f.mu.Lock()
	f.scripts[name] = cmd.Script
	err := f.fail[name]
	f.mu.Unlock()
	var out string
	switch name {
	case "swap":
		out = "@swapboot changed swap /swapfile created\n@swapboot changed fstab /swapfile none swap defaults 0 0\n"
	case "kubelet-env":
		out = "@swapboot changed kubelet-env done\n"
	case "init":
		out = "[init] Using Kubernetes version: v1.37.2\n" + f.initOut + "@swapboot changed init kubeadm init done\n"
	case "token-create":
		out = f.initOut + "@swapboot changed token created\n"
	case "ca-cert":
		out = string(f.caPEM)
	case "join":
		out = "This node has joined the cluster\n@swapboot changed join kubeadm join done\n"
	case "admin-kubeconfig":
		out = "apiVersion: v1\nkind: Config\n"
	case "kubelet-config", "kubelet-configmap", "swap-remove", "reset", "kubelet-restart":
		out = "@swapboot changed " + name + " done\n"
	case "reset-cleanup":
		out = "@swapboot changed removed interface cni0\n@swapboot changed removed /var/lib/cni\n"
	case "wait-ready":
		out = "@swapboot unchanged ready node is Ready\n"
	case "join-control-plane", "load-balancer", "upload-certs":
		out = "@swapboot changed " + name + " done\n"
	case "wait-control-plane":
		out = "@swapboot unchanged control-plane API server ready, etcd member healthy\n"
	case "kubelet-logs":
		out = "kubelet[42]: E1128 failed to run Kubelet: running with swap on is not supported\n"
	}
	if err != nil {
		out = "something went wrong on " + f.addr + "\n"
	}
	if cmd.Stdout != nil {
		_, _ = cmd.Stdout.Write([]byte(out))
	}
	res := sshexec.Result{Stdout: []byte(out)}
	if err != nil {
		res.ExitCode = 1
	}
	return res, err
}

func (f *fakeHost) Close() error { f.closed = true; return nil }

func testCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubernetes"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

type fakeCluster struct {
	hosts map[string]*fakeHost
	out   bytes.Buffer
	dir   string
	hash  string
}

func newFakeCluster(t *testing.T, c *cluster.Cluster, wrongHash bool) *fakeCluster {
	ca := testCA(t)
	hash, err := joinmaterial.CACertHash(ca)
	if err != nil {
		t.Fatal(err)
	}
	printed := hash
	if wrongHash {
		printed = "sha256:" + strings.Repeat("ab", 32)
	}
	initOut := fmt.Sprintf("Then you can join any number of worker nodes by running the following on each as root:\n\nkubeadm join %s:6443 --token %s \\\n\t--discovery-token-ca-cert-hash %s \n",
		c.Masters[0].Address, testToken, printed)
	fc := &fakeCluster{hosts: map[string]*fakeHost{}, dir: t.TempDir(), hash: hash}
	for _, h := range c.Hosts() {
		fc.hosts[h.Address] = &fakeHost{addr: h.Address, caPEM: ca, initOut: initOut, fail: map[string]error{}, scripts: map[string]string{}}
	}
	return fc
}

func (fc *fakeCluster) conns() map[string]Conn {
	m := map[string]Conn{}
	for a, h := range fc.hosts {
		m[a] = h
	}
	return m
}

func (fc *fakeCluster) execute(t *testing.T, p *plan.Plan) *Report {
	e := &Executor{Console: output.NewConsole(&fc.out, output.NewRedactor(p.Token)), Parallel: 4, KubeconfigDir: fc.dir}
	return e.Execute(context.Background(), p, fc.conns())
}

func TestExecuteBuildsTheCluster(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	r := fc.execute(t, planFor(t, c, "v1.37.2", true, false))
	if r.ExitCode() != exit.OK {
		t.Fatalf("exit %d:\n%s", r.ExitCode(), fc.out.String())
	}
	for _, w := range c.Workers {
		join := fc.hosts[w.Address].scripts["join"]
		if !strings.Contains(join, "- "+fc.hash) && !strings.Contains(join, fc.hash) {
			t.Errorf("%s: join does not pin the CA hash %s:\n%s", w.Address, fc.hash, join)
		}
	}
	kc := filepath.Join(fc.dir, "lab.kubeconfig")
	st, err := os.Stat(kc)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig %s: %v mode %v", kc, err, st)
	}
	if r.KubeconfigPath != kc {
		t.Errorf("report kubeconfig %q", r.KubeconfigPath)
	}
	if strings.Contains(fc.out.String(), testToken) || strings.Contains(fc.out.String(), "0123456789abcdef") {
		t.Errorf("the bootstrap token leaked into the output:\n%s", fc.out.String())
	}
	if strings.Contains(fc.out.String(), "@swapboot") {
		t.Errorf("protocol lines leaked into the output")
	}
	var table bytes.Buffer
	r.Print(&table, output.NewRedactor(testToken).Redact)
	if !strings.Contains(table.String(), "192.168.122.51") || !strings.Contains(table.String(), "failSwapOn=false LimitedSwap") {
		t.Errorf("table:\n%s", table.String())
	}
}

func TestExecuteJoinFailureDoesNotStopOtherWorkers(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	fc.hosts["192.168.122.51"].fail["join"] = &sshexec.ExitError{Host: "192.168.122.51", Code: 1}
	r := fc.execute(t, planFor(t, c, "v1.37.2", true, false))
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d, want 1", r.ExitCode())
	}
	if fc.hosts["192.168.122.52"].scripts["join"] == "" {
		t.Error("the healthy worker did not join")
	}
	// The pod network's wait expects the master and the worker that joined, not the one that failed.
	wait := fc.hosts["192.168.122.50"].scripts["pod-network-wait"]
	if !strings.Contains(wait, "NOT_JOINED='<hostname of 192.168.122.51>'") || !strings.Contains(wait, "NODES='<hostname of 192.168.122.50>\nworker2'") {
		t.Errorf("the pod network wait does not leave out the worker whose join failed:\n%s", wait)
	}
	if fc.hosts["192.168.122.51"].scripts["kubelet-logs"] == "" || !strings.Contains(fc.out.String(), "running with swap on is not supported") {
		t.Errorf("kubelet log tail not shown:\n%s", fc.out.String())
	}
	var ee *sshexec.ExitError
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Status == StatusFailed && !errors.As(s.Err, &ee) {
				t.Errorf("failure lost its type: %v", s.Err)
			}
			if s.Status == StatusFailed && !strings.HasPrefix(s.Err.Error(), "192.168.122.51: join: ") {
				t.Errorf("error lacks host and step: %v", s.Err)
			}
		}
	}
}

func TestExecuteInitFailureLeavesWorkersUnjoined(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	fc.hosts["192.168.122.50"].fail["init"] = &sshexec.ExitError{Host: "192.168.122.50", Code: 1}
	r := fc.execute(t, planFor(t, c, "v1.37.2", true, false))
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d", r.ExitCode())
	}
	for _, w := range c.Workers {
		if fc.hosts[w.Address].scripts["join"] != "" {
			t.Errorf("%s joined although init failed", w.Address)
		}
	}
	if fc.hosts["192.168.122.50"].scripts["kubelet-logs"] == "" {
		t.Error("no kubelet log after a failed init")
	}
}

func TestExecuteRefusesMismatchedCAHash(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, true)
	r := fc.execute(t, planFor(t, c, "v1.37.2", true, false))
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d", r.ExitCode())
	}
	var mismatch *joinmaterial.HashMismatchError
	found := false
	for _, s := range r.Hosts[0].Steps {
		if s.Status == StatusFailed && errors.As(s.Err, &mismatch) {
			found = true
		}
	}
	if !found {
		t.Error("no HashMismatchError on the master")
	}
	for _, w := range c.Workers {
		if fc.hosts[w.Address].scripts["join"] != "" {
			t.Errorf("%s joined with an unverified CA hash", w.Address)
		}
	}
}

func TestExecuteStopsOnCancel(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := planFor(t, c, "v1.37.2", true, false)
	r := (&Executor{Console: output.NewConsole(&fc.out, output.NewRedactor(p.Token)), Parallel: 2, KubeconfigDir: fc.dir}).Execute(ctx, p, fc.conns())
	if r.ExitCode() != exit.Interrupted {
		t.Fatalf("exit %d", r.ExitCode())
	}
	for _, h := range fc.hosts {
		if len(h.scripts) != 0 {
			t.Errorf("%s ran %v after cancel", h.addr, h.scripts)
		}
	}
}

// TestReportTellsAFailedPhaseOnce: join material is two steps on the master (a fresh token, then the CA
// certificate); when the token fails, the report names join-material once, as FAILED, not again as
// "not run: an earlier step failed (join-material)".
func TestReportTellsAFailedPhaseOnce(t *testing.T) {
	c := testCluster()
	fc := newFakeCluster(t, c, false)
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	m := facts[c.Masters[0].Address]
	m.ControlPlane = true
	facts[c.Masters[0].Address] = m
	p, err := plan.BuildPlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken})
	if err != nil {
		t.Fatal(err)
	}
	fc.hosts[c.Masters[0].Address].fail["token-create"] = &sshexec.ExitError{Host: c.Masters[0].Address, Code: 1}
	r := fc.execute(t, p)
	if r.ExitCode() != exit.HostFailed {
		t.Fatalf("exit %d", r.ExitCode())
	}
	var out bytes.Buffer
	r.Print(&out, output.NewRedactor(testToken).Redact)
	master := c.Masters[0].ID() + ": " + string(plan.PhaseJoinMaterial) + ":"
	if n := strings.Count(out.String(), master); n != 1 {
		t.Errorf("%q told %d times, want once:\n%s", master, n, out.String())
	}
	if !strings.Contains(out.String(), master+" "+c.Masters[0].Address+": remote script exited") {
		t.Errorf("the failure is not told:\n%s", out.String())
	}
}
