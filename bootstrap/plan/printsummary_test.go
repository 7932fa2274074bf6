package plan

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/output"
)

// TestSummaryGolden pins the readable plan (the default of plan and --dry-run) for a few bands.
func TestSummaryGolden(t *testing.T) {
	for _, name := range []string{"v1.17.1-cgroupv1", "v1.30.14-cgroupv1", "v1.30.14-cgroupv2", "v1.37.2-cgroupv1", "v1.37.2-cgroupv2"} {
		t.Run(name, func(t *testing.T) {
			version, cg, _ := strings.Cut(name, "-cgroup")
			p := planFor(t, testCluster(), version, cg == "v2", false)
			var out bytes.Buffer
			if err := p.Write(&out, output.NewRedactor(), Rendering{}); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "summary", name+".golden"), out.String())
			if strings.Contains(out.String(), testToken) || strings.Contains(out.String(), placeholderHash) {
				t.Errorf("the summary shows the token or the raw CA hash placeholder:\n%s", out.String())
			}
		})
	}
}

// TestScriptsRenderingIsPrint: --scripts is the full plan, byte for byte (the plans/*.golden files).
func TestScriptsRenderingIsPrint(t *testing.T) {
	p := planFor(t, testCluster(), "v1.30.14", true, false)
	var full, scripts bytes.Buffer
	if err := p.Print(&full, output.NewRedactor()); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(&scripts, output.NewRedactor(), Rendering{Scripts: true}); err != nil {
		t.Fatal(err)
	}
	if full.String() != scripts.String() {
		t.Error("--scripts differs from Plan.Print")
	}
	compareGolden(t, filepath.Join("testdata", "plans", "v1.30.14-cgroupv2.golden"), scripts.String())
}

// TestPlanJSON pins the plan's JSON and checks it parses, carries its schema version, marks the
// placeholders and never shows the token (neither in inputs, documents nor rendered scripts).
func TestPlanJSON(t *testing.T) {
	for _, scripts := range []bool{false, true} {
		for _, mask := range []bool{false, true} {
			p := planFor(t, testCluster(), "v1.30.14", true, false)
			p.MaskSecrets = mask
			var out bytes.Buffer
			if err := p.Write(&out, output.NewRedactor(), Rendering{JSON: true, Scripts: scripts}); err != nil {
				t.Fatal(err)
			}
			if !scripts && !mask {
				compareGolden(t, filepath.Join("testdata", "json", "v1.30.14-cgroupv2.golden"), out.String())
			}
			var got PlanJSON
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("scripts=%v: not JSON: %v", scripts, err)
			}
			if got.SchemaVersion != 1 || got.Command != "up" || len(got.Hosts) != 3 {
				t.Errorf("scripts=%v: schemaVersion %d, command %q, %d hosts", scripts, got.SchemaVersion, got.Command, len(got.Hosts))
			}
			if strings.Contains(out.String(), testToken) || strings.Contains(out.String(), strings.Split(testToken, ".")[1]) {
				t.Errorf("scripts=%v mask=%v: the JSON shows the token", scripts, mask)
			}
			for _, w := range []string{PlaceholderCAHash, PlaceholderSecret, `"/var/lib/swapboot/kubeadm-init.yaml"`, `"script": "swap.sh"`} {
				if !strings.Contains(out.String(), w) {
					t.Errorf("scripts=%v: the JSON lacks %q", scripts, w)
				}
			}
			hasScript := strings.Contains(out.String(), `"rendered": "#!/bin/sh`)
			if hasScript != scripts {
				t.Errorf("scripts=%v: rendered scripts present: %v", scripts, hasScript)
			}
		}
	}
}
