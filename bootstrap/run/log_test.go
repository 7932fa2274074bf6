package run

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/internal/syncbuf"
)

// syncBuffer collects what hosts write in parallel.
type syncBuffer = syncbuf.Buffer

// assumedPlanner plans `up` for the version the tests' fake hosts pretend to run.
func assumedPlanner(c *cluster.Cluster, _ map[string]hostfacts.Facts) (*plan.Plan, error) {
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	return plan.BuildPlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken})
}

// TestRunLogsItsStages: with a debug logger the pipeline itself says where it is, stage by stage and
// connection by connection, for a dry run, a full run and a run that stops at connect.
func TestRunLogsItsStages(t *testing.T) {
	file := writeCluster(t)
	fc := newFakeCluster(t, &cluster.Cluster{Masters: []cluster.Host{{Address: "10.0.0.1"}}, Workers: []cluster.Host{{Address: "10.0.0.2"}}}, false)
	dial := func(_ context.Context, h cluster.Host) (Conn, error) { return fc.hosts[h.Address], nil }
	for _, tc := range []struct {
		name   string
		dryRun bool
		dial   Dialer
		code   int
		want   []string
		avoid  []string
	}{
		{"dry run", true, dial, exit.OK,
			[]string{"msg=stage stage=load file=" + file, "msg=\"stage done\" stage=load", "msg=stage stage=connect hosts=2",
				"msg=connecting host=10.0.0.1", "msg=connected host=10.0.0.2", "msg=stage stage=facts", "msg=stage stage=plan",
				"msg=\"stage done\" stage=plan", "command=up", "msg=stage stage=execute dryRun=true", "msg=\"stage done\" stage=execute"},
			[]string{"stage=report", "stage failed"}},
		{"run", false, dial, exit.OK,
			[]string{"msg=stage stage=load", "msg=stage stage=connect", "msg=stage stage=facts", "msg=stage stage=plan",
				"msg=stage stage=execute command=up", "msg=\"stage done\" stage=execute", "msg=stage stage=report", "msg=\"stage done\" stage=report"},
			[]string{"stage failed"}},
		{"refused", true, func(context.Context, cluster.Host) (Conn, error) { return nil, errors.New("connection refused") }, exit.HostFailed,
			[]string{"msg=stage stage=load", "msg=connecting host=10.0.0.1", "msg=\"connect failed\" host=10.0.0.1", "msg=\"stage failed (the error is printed at the end)\" stage=connect"},
			[]string{"stage=facts", "stage=plan"}},
	} {
		var log syncBuffer
		o := RunOptions{ClusterFile: file, DryRun: tc.dryRun, Dial: tc.dial, Out: &bytes.Buffer{}, Parallel: 2, KubeconfigDir: t.TempDir(),
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		err := Run(context.Background(), o, assumedPlanner)
		if code := exit.Code(nil, err); code != tc.code {
			t.Errorf("%s: code %d, want %d (%v)\n%s", tc.name, code, tc.code, err, log.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(log.String(), w) {
				t.Errorf("%s: the log lacks %q:\n%s", tc.name, w, log.String())
			}
		}
		for _, a := range tc.avoid {
			if strings.Contains(log.String(), a) {
				t.Errorf("%s: the log has %q:\n%s", tc.name, a, log.String())
			}
		}
	}
}

func TestStatusLogsItsStages(t *testing.T) {
	file := writeCluster(t)
	var log syncBuffer
	err := ClusterStatus(context.Background(), StatusOptions{ClusterFile: file, Out: &bytes.Buffer{},
		Dial:   func(context.Context, cluster.Host) (Conn, error) { return nil, errors.New("connection refused") },
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if code := exit.Code(nil, err); code != exit.HostFailed {
		t.Errorf("code %d (%v)", code, err)
	}
	for _, w := range []string{"msg=stage stage=load file=" + file, "msg=\"stage done\" stage=load", "msg=stage stage=\"connect and facts\"",
		"msg=\"connect failed\" host=10.0.0.2", "msg=stage stage=report", "allOK=false"} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("the log lacks %q:\n%s", w, log.String())
		}
	}
}
