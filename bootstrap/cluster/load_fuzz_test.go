package cluster

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/internal/golden"
)

// cfgSeedFiles are the cluster files the FuzzParse seed corpus is built from.
func cfgSeedFiles(t testing.TB) []string {
	var files []string
	for _, pattern := range []string{"testdata/clusterfiles/good/*.yaml", "testdata/clusterfiles/bad/*.yaml", "../../examples/*.yaml"} {
		files = append(files, cfgGlob(t, pattern)...)
	}
	return files
}

// cfgSeedName names the seed of a cluster file: good-minimal, bad-two-masters, examples-cluster.
func cfgSeedName(file string) string {
	return filepath.Base(filepath.Dir(file)) + "-" + strings.TrimSuffix(filepath.Base(file), ".yaml")
}

// TestParseFuzzSeedCorpus keeps testdata/fuzz/FuzzParse in step with the cluster files (written with
// -update).
func TestParseFuzzSeedCorpus(t *testing.T) {
	for _, file := range cfgSeedFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		seed := filepath.Join("testdata/fuzz/FuzzParse", cfgSeedName(file))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if golden.Updating() {
			if err := os.MkdirAll(filepath.Dir(seed), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(seed, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(seed)
		if err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale (run with -update): %v", seed, err)
		}
	}
}

// FuzzParse: Parse never panics; it returns either a *ConfigError (with a line >= 0 and a one-line
// message) or a Cluster that satisfies the model's invariants.
func FuzzParse(f *testing.F) {
	cfgPinHome(f)
	for _, file := range cfgSeedFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *ConfigError: %v", err, err)
			}
			if ce.Line < 0 || ce.File != "fuzz.yaml" || ce.Problem == "" {
				t.Fatalf("bad error %#v", ce)
			}
			if strings.ContainsAny(err.Error(), "\n\r\x00") {
				t.Fatalf("message is not one line: %q", err.Error())
			}
			if c != nil {
				t.Fatal("a Cluster and an error")
			}
			return
		}
		cfgCheckInvariants(t, c)
	})
}

// cfgCheckInvariants checks what every loaded Cluster guarantees to the rest of swapboot.
func cfgCheckInvariants(t *testing.T, c *Cluster) {
	t.Helper()
	if p, f := cfgCheckClusterName(c.Name); p != "" {
		t.Fatalf("name %q: %s; %s", c.Name, p, f)
	}
	if len(c.Masters) == 0 || (len(c.Masters) > 1 && c.ControlPlane == nil) {
		t.Fatalf("%d masters, control plane %+v", len(c.Masters), c.ControlPlane)
	}
	pod, err1 := netip.ParsePrefix(c.Networking.PodSubnet)
	svc, err2 := netip.ParsePrefix(c.Networking.ServiceSubnet)
	if err1 != nil || err2 != nil || pod.Overlaps(svc) || pod.Addr().Is4() != svc.Addr().Is4() {
		t.Fatalf("networking %+v", c.Networking)
	}
	seen := map[string]bool{}
	for _, h := range c.Hosts() {
		a, err := netip.ParseAddr(h.Address)
		if err != nil || a.String() != h.Address || seen[h.Address] || pod.Contains(a) || svc.Contains(a) {
			t.Fatalf("host %+v", h)
		}
		seen[h.Address] = true
		s := h.SSH
		if s.Port < 1 || s.Port > 65535 || s.User == "" || !strings.HasPrefix(s.KnownHosts, "/") || (s.KeyFile != "" && !strings.HasPrefix(s.KeyFile, "/")) {
			t.Fatalf("ssh %+v", s)
		}
		if p, _ := cfgCheckUser(s.User); p != "" {
			t.Fatalf("user %q", s.User)
		}
		if b := s.Bastion; b != nil && (b.Port < 1 || b.User == "" || !netip.MustParseAddr(b.Address).IsValid()) {
			t.Fatalf("bastion %+v", b)
		}
	}
	if c.Swap.SizeBytes < 64<<20 || c.Swap.SizeBytes > 1<<40 || c.Swap.SizeBytes%(1<<20) != 0 {
		t.Fatalf("swap size %d", c.Swap.SizeBytes)
	}
	if p, _ := cfgCheckSwapPath(c.Swap.Path); p != "" {
		t.Fatalf("swap path %q", c.Swap.Path)
	}
	if p, _ := cfgCheckBehavior(string(c.Swap.Behavior)); p != "" {
		t.Fatalf("behavior %q", c.Swap.Behavior)
	}
	if c.KubernetesVersion != "" {
		if v, p, _ := cfgCheckVersion(c.KubernetesVersion); p != "" || v != c.KubernetesVersion {
			t.Fatalf("version %q", c.KubernetesVersion)
		}
	}
}
