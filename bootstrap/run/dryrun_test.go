package run

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/bootstrap/plan"
)

// TestDryRunPrintsThePlanSummary: up --dry-run prints, after its one header line, exactly what the plan
// printer makes of the same plan for the same facts (the summary by default, JSON with -o json), and
// never the token.
func TestDryRunPrintsThePlanSummary(t *testing.T) {
	file := writeCluster(t)
	fc := newFakeCluster(t, &cluster.Cluster{Masters: []cluster.Host{{Address: "10.0.0.1"}}, Workers: []cluster.Host{{Address: "10.0.0.2"}}}, false)
	dial := func(_ context.Context, h cluster.Host) (Conn, error) { return fc.hosts[h.Address], nil }
	for _, how := range []plan.Rendering{{}, {JSON: true}, {JSON: true, Scripts: true}} {
		var out, progress bytes.Buffer
		o := RunOptions{ClusterFile: file, DryRun: true, Rendering: how, Dial: dial, Out: &out, Progress: &progress, Parallel: 2, KubeconfigDir: t.TempDir()}
		if err := Run(context.Background(), o, assumedPlanner); exit.Code(nil, err) != exit.OK {
			t.Fatalf("%+v: %v", how, err)
		}
		c, err := cluster.LoadFrom(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := assumedPlanner(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		p.MaskSecrets = true
		var want bytes.Buffer
		if err := p.Write(&want, output.NewRedactor(p.Token), how); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !how.JSON {
			header, rest, _ := strings.Cut(got, "\n")
			if header != "# dry run of swapboot up: nothing below has been run" {
				t.Errorf("header %q", header)
			}
			got = rest
		} else if !json.Valid(out.Bytes()) {
			t.Errorf("%+v: stdout is not JSON:\n%s", how, got)
		}
		if got != want.String() {
			t.Errorf("%+v: the dry run differs from the plan:\n%s\nwant\n%s", how, got, want.String())
		}
		if strings.Contains(got, testkit.Token) {
			t.Errorf("%+v: the dry run shows the token", how)
		}
	}
}
