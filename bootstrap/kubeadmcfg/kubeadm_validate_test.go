package kubeadmcfg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/version"
)

// These tests run a real kubeadm (`kubeadm config validate --config`) when the lab has built it:
// $SWAPBOOT_LAB_CACHE/k8s/<version>/bin/kubeadm (default cache /var/cache/swapboot-lab). They skip
// otherwise.

// referenceDir holds real kubeadm v1.37.2 outputs, kept in the repository (see its README.md).
const referenceDir = "testdata/kubeadm-v1.37.2"

func kubeadmBinary(t *testing.T, ver string) string {
	t.Helper()
	cache := os.Getenv("SWAPBOOT_LAB_CACHE")
	if cache == "" {
		cache = "/var/cache/swapboot-lab"
	}
	bin := filepath.Join(cache, "k8s", ver, "bin", "kubeadm")
	if st, err := os.Stat(bin); err != nil || st.Mode()&0o111 == 0 {
		return ""
	}
	return bin
}

// kubeadmValidate runs `kubeadm config validate --config file` and returns its output followed by
// "rc=<exit code>", the format of the reference validate-*.txt files.
func kubeadmValidate(t *testing.T, bin, file string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "config", "validate", "--config", file)
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent")
	out, err := cmd.CombinedOutput()
	rc := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rc = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", bin, err)
	}
	return normalizeValidate(fmt.Sprintf("%src=%d\n", out, rc))
}

var oldAPIKindRE = regexp.MustCompile(`\(kind: "[A-Za-z]+"\)`)

// normalizeValidate hides the kind in kubeadm's old-API error: kubeadm checks the documents in map order,
// so the kind it names (InitConfiguration or ClusterConfiguration) changes from run to run.
func normalizeValidate(s string) string {
	return oldAPIKindRE.ReplaceAllString(s, `(kind: "<kind>")`)
}

// TestKubeadmValidateReference checks the binary against the recorded outputs of the reference samples, so
// the golden checks below are known to run a kubeadm that behaves as recorded.
func TestKubeadmValidateReference(t *testing.T) {
	bin := kubeadmBinary(t, "v1.37.2")
	if bin == "" {
		t.Skip("kubeadm v1.37.2 not built yet (lab cache k8s/v1.37.2/bin/kubeadm)")
	}
	samples, _ := filepath.Glob(filepath.Join(referenceDir, "configs", "sample-*.yaml"))
	if len(samples) == 0 {
		t.Fatalf("reference samples missing from %s (they are part of the repository)", referenceDir)
	}
	for _, s := range samples {
		name := strings.TrimSuffix(filepath.Base(s), ".yaml")
		want, err := os.ReadFile(filepath.Join(referenceDir, "validate-"+name+".txt"))
		if err != nil {
			continue // no recorded output (sample-dryrun)
		}
		t.Run(name, func(t *testing.T) {
			if got := kubeadmValidate(t, bin, s); got != normalizeValidate(string(want)) {
				t.Errorf("kubeadm config validate %s:\n%s--- recorded\n%s", s, got, want)
			}
		})
	}
}

var kubernetesVersionRE = regexp.MustCompile(`(?m)^kubernetesVersion: (\S+)$`)

// TestKubeadmValidateGoldens validates every golden file with kubeadm: with the kubeadm of the file's
// kubernetesVersion (v1.37.2 for join files; kubeadm refuses to deploy another minor version) the answer
// must be "ok"; v1beta3 files must also give, with kubeadm v1.37.2, the old-API error recorded for
// sample-v1beta3.yaml (kind aside, see normalizeValidate).
func TestKubeadmValidateGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	ran := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			v1beta3 := strings.Contains(string(b), "apiVersion: kubeadm.k8s.io/v1beta3\n")
			ver := "v1.37.2"
			if m := kubernetesVersionRE.FindSubmatch(b); m != nil {
				ver = string(m[1])
			} else if v1beta3 {
				ver = cachedV1beta3Kubeadm(t)
			}
			skipped := []string{}
			if v1beta3 {
				if bin := kubeadmBinary(t, "v1.37.2"); bin == "" {
					skipped = append(skipped, "kubeadm v1.37.2 not built")
				} else if rec, err := os.ReadFile(filepath.Join(referenceDir, "validate-sample-v1beta3.txt")); err != nil {
					skipped = append(skipped, err.Error())
				} else {
					ran++
					if got := kubeadmValidate(t, bin, f); got != normalizeValidate(string(rec)) {
						t.Errorf("kubeadm v1.37.2 config validate %s:\n%s--- recorded for sample-v1beta3\n%s", f, got, rec)
					}
				}
			}
			if ver == "" {
				skipped = append(skipped, "no kubeadm 1.28-1.35 built to validate a v1beta3 join")
			} else if version.MustParseGeneric(ver).LessThan(version.MajorMinor(1, 28)) {
				skipped = append(skipped, "kubeadm "+ver+" has no `config validate` (added in 1.28)")
			} else if bin := kubeadmBinary(t, ver); bin == "" {
				skipped = append(skipped, fmt.Sprintf("kubeadm %s not built (lab cache k8s/%s/bin/kubeadm)", ver, ver))
			} else {
				ran++
				if got := kubeadmValidate(t, bin, f); got != "ok\nrc=0\n" {
					t.Errorf("kubeadm %s config validate %s:\n%s", ver, f, got)
				}
			}
			if len(skipped) > 0 {
				t.Skip(strings.Join(skipped, "; "))
			}
		})
	}
	t.Logf("ran kubeadm config validate %d times on %d golden files", ran, len(files))
}

// cachedV1beta3Kubeadm returns the version of a built kubeadm that validates v1beta3 (1.28 to 1.35), or "".
func cachedV1beta3Kubeadm(t *testing.T) string {
	cache := os.Getenv("SWAPBOOT_LAB_CACHE")
	if cache == "" {
		cache = "/var/cache/swapboot-lab"
	}
	dirs, _ := filepath.Glob(filepath.Join(cache, "k8s", "v1.*"))
	for _, d := range dirs {
		v, err := version.ParseGeneric(filepath.Base(d))
		if err == nil && v.AtLeast(version.MajorMinor(1, 28)) && v.LessThan(version.MajorMinor(1, 36)) && kubeadmBinary(t, filepath.Base(d)) != "" {
			return filepath.Base(d)
		}
	}
	return ""
}
