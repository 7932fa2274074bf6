package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
)

func TestUpBadInputContactsNoHost(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nswap: {size: lots}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dials := 0
	dial := func(context.Context, cluster.Host) (Conn, error) { dials++; return nil, errors.New("must not dial") }
	var out bytes.Buffer
	err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: dial, Out: &out, Parallel: 2}, upPlanner)
	code := exit.Code(nil, err)
	if code != exit.BadInput || err == nil {
		t.Fatalf("code %d err %v", code, err)
	}
	var ce *cluster.ConfigError
	if !errors.As(err, &ce) || ce.Line != 3 {
		t.Errorf("want a ConfigError at line 3, got %v", err)
	}
	if dials != 0 {
		t.Errorf("%d SSH connection(s) opened for a bad file", dials)
	}
}

func TestUpUnreachableHostChangesNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cluster.Cluster{Masters: []cluster.Host{{Address: "10.0.0.1"}}, Workers: []cluster.Host{{Address: "10.0.0.2"}}}
	fc := newFakeCluster(t, c, false)
	dial := func(_ context.Context, h cluster.Host) (Conn, error) {
		if h.Address == "10.0.0.2" {
			return nil, errors.New("connection refused")
		}
		return fc.hosts[h.Address], nil
	}
	err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: dial, Out: &bytes.Buffer{}, Parallel: 2}, upPlanner)
	code := exit.Code(nil, err)
	var ue *UnreachableError
	if code != exit.HostFailed || !errors.As(err, &ue) || len(ue.Failures) != 1 {
		t.Fatalf("code %d err %v", code, err)
	}
	if len(fc.hosts["10.0.0.1"].scripts) != 0 || !fc.hosts["10.0.0.1"].closed {
		t.Errorf("reachable host ran %v (closed=%v)", fc.hosts["10.0.0.1"].scripts, fc.hosts["10.0.0.1"].closed)
	}
}

func TestExcludeLeavesAnUnreachableWorkerOut(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2, 10.0.0.3]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // Connect dials in parallel
	var dialed []string
	dial := func(_ context.Context, h cluster.Host) (Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		dialed = append(dialed, h.Address)
		return nil, errors.New("stop here")
	}
	err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: dial, Out: &bytes.Buffer{}, Parallel: 1, Exclude: []string{"10.0.0.3"}},
		func(*cluster.Cluster, map[string]hostfacts.Facts) (*plan.Plan, error) {
			return nil, errors.New("unreached")
		})
	if len(dialed) != 2 || dialed[0] == "10.0.0.3" || dialed[1] == "10.0.0.3" {
		t.Errorf("dialed %v (err %v)", dialed, err)
	}
	for _, bad := range []string{"10.0.0.1", "10.9.9.9"} {
		err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: dial, Out: &bytes.Buffer{}, Exclude: []string{bad}}, nil)
		code := exit.Code(nil, err)
		if code != exit.BadInput {
			t.Errorf("--exclude %s: code %d err %v", bad, code, err)
		}
	}
}

// upPlanner is the planner of `swapboot up`.
func upPlanner(c *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
	return plan.BuildPlan(c, f, plan.PlanOptions{})
}

// A local setup problem (no key file, no agent) is one message, exit 2, before any host is contacted.
func TestLocalSetupErrorContactsNoHost(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2, 10.0.0.3]\nssh: {keyFile: "+filepath.Join(dir, "missing")+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sshNoAgent := file + ".agent.yaml"
	if err := os.WriteFile(sshNoAgent, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{file, sshNoAgent} {
		dials := 0
		dial := func(context.Context, cluster.Host) (Conn, error) { dials++; return nil, errors.New("must not dial") }
		check := SSHLocalCheck(sshexec.Options{UseAgent: false})
		err := Run(context.Background(), RunOptions{ClusterFile: f, Dial: dial, CheckLocal: check, Out: &bytes.Buffer{}}, upPlanner)
		var le *sshexec.LocalSetupError
		if exit.Code(nil, err) != exit.BadInput || !errors.As(err, &le) || len(le.Problems) != 1 {
			t.Errorf("%s: got %v (exit %d), want one local setup problem, exit 2", f, err, exit.Code(nil, err))
		}
		if dials != 0 {
			t.Errorf("%s: %d hosts dialled", f, dials)
		}
		serr := ClusterStatus(context.Background(), StatusOptions{ClusterFile: f, Dial: dial, CheckLocal: check, Out: &bytes.Buffer{}})
		if exit.Code(nil, serr) != exit.BadInput || dials != 0 {
			t.Errorf("status %s: got %v, %d dials", f, serr, dials)
		}
	}
}

// The connect failure list names each host once, then what failed and what to check.
func TestUnreachableNamesTheHostOnce(t *testing.T) {
	e := &UnreachableError{Step: "connect", Failures: []HostError{{Host: cluster.Host{Address: "10.0.0.2"},
		Err: &sshexec.DialError{Host: "10.0.0.2", Port: 22, Reason: sshexec.DialRefused}}}}
	want := "1 host(s) failed at connect; nothing was changed:\n  10.0.0.2: connect: connection refused on port 22; check that sshd runs on the host and listens on port 22 (ssh.port in the cluster file)"
	if e.Error() != want {
		t.Errorf("\n got %s\nwant %s", e.Error(), want)
	}
}

// --report is written when connecting fails: every host, the unreachable one with its error.
func TestReportWrittenWhenConnectFails(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(file, []byte("name: lab\nmasters: [10.0.0.1]\nworkers: [10.0.0.2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cluster.Cluster{Masters: []cluster.Host{{Address: "10.0.0.1"}}, Workers: []cluster.Host{{Address: "10.0.0.2"}}}
	fc := newFakeCluster(t, c, false)
	dial := func(_ context.Context, h cluster.Host) (Conn, error) {
		if h.Address == "10.0.0.2" {
			return nil, &sshexec.DialError{Host: h.Address, Port: 22, Reason: sshexec.DialRefused}
		}
		return fc.hosts[h.Address], nil
	}
	reportFile := filepath.Join(dir, "report.json")
	err := Run(context.Background(), RunOptions{ClusterFile: file, Dial: dial, Out: &bytes.Buffer{}, ReportFile: reportFile}, upPlanner)
	if exit.Code(nil, err) != exit.HostFailed {
		t.Fatalf("exit %d: %v", exit.Code(nil, err), err)
	}
	data, rerr := os.ReadFile(reportFile)
	if rerr != nil {
		t.Fatalf("no report: %v", rerr)
	}
	var got struct {
		SchemaVersion int    `json:"schemaVersion"`
		FailedAt      string `json:"failedAt"`
		ExitCode      int    `json:"exitCode"`
		Hosts         []struct {
			Host   string   `json:"host"`
			Errors []string `json:"errors"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != ReportSchemaVersion || got.FailedAt != "connect" || got.ExitCode != exit.HostFailed || len(got.Hosts) != 2 {
		t.Fatalf("report: %s", data)
	}
	for _, h := range got.Hosts {
		switch {
		case h.Host == "10.0.0.2" && (len(h.Errors) != 1 || h.Errors[0] != "connect: connection refused on port 22; check that sshd runs on the host and listens on port 22 (ssh.port in the cluster file)"):
			t.Errorf("unreachable host: %v", h.Errors)
		case h.Host == "10.0.0.1" && len(h.Errors) != 0:
			t.Errorf("reachable host has errors: %v", h.Errors)
		}
	}
}
