package run

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/plan"
)

// TestRealRunWithJSONOutput: with -o json a real run prints exactly one JSON document, the report, on
// stdout (so `swapboot up -o json | jq` works), and its human progress and table on the progress writer.
func TestRealRunWithJSONOutput(t *testing.T) {
	file := writeCluster(t)
	fc := newFakeCluster(t, &cluster.Cluster{Masters: []cluster.Host{{Address: "10.0.0.1"}}, Workers: []cluster.Host{{Address: "10.0.0.2"}}}, false)
	dial := func(_ context.Context, h cluster.Host) (Conn, error) { return fc.hosts[h.Address], nil }
	var stdout, progress bytes.Buffer
	o := RunOptions{ClusterFile: file, Dial: dial, Out: &stdout, Progress: &progress, Parallel: 2,
		KubeconfigDir: t.TempDir(), Rendering: plan.Rendering{JSON: true}}
	if err := Run(context.Background(), o, assumedPlanner); exit.Code(nil, err) != exit.OK {
		t.Fatalf("run: %v\nprogress:\n%s", err, progress.String())
	}
	dec := json.NewDecoder(&stdout)
	var report struct {
		SchemaVersion int `json:"schemaVersion"`
		ExitCode      int `json:"exitCode"`
		Hosts         []struct {
			Host  string `json:"host"`
			Steps []struct {
				Status string `json:"status"`
			} `json:"steps"`
		} `json:"hosts"`
	}
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("stdout is not a JSON report: %v", err)
	}
	if dec.More() {
		t.Errorf("stdout holds more than the one JSON report")
	}
	if report.SchemaVersion != ReportSchemaVersion || report.ExitCode != exit.OK || len(report.Hosts) != 2 {
		t.Errorf("report: %+v", report)
	}
	for _, h := range report.Hosts {
		if len(h.Steps) == 0 {
			t.Errorf("%s: no steps in the JSON report", h.Host)
		}
	}
	if !strings.Contains(progress.String(), "[10.0.0.1]") || !strings.Contains(progress.String(), "10.0.0.2") {
		t.Errorf("the progress writer lacks the hosts' prefixed progress:\n%s", progress.String())
	}
}
