package hostfacts

import "testing"

// TestParseFactsReadsTheRuntimeCgroupDriver: facts.sh's runtime_cgroup_driver line (containerd's
// SystemdCgroup of the runc options) is kept; its absence leaves it unknown.
func TestParseFactsReadsTheRuntimeCgroupDriver(t *testing.T) {
	for out, want := range map[string]string{
		"@swapboot fact runtime_cgroup_driver=cgroupfs\n":                    "cgroupfs",
		"@swapboot fact runtime_cgroup_driver=systemd\n":                     "systemd",
		"@swapboot fact runtime_cgroup_driver=\n":                            "",
		"@swapboot fact cri_socket=unix:///run/containerd/containerd.sock\n": "",
	} {
		f, err := ParseFacts(out)
		if err != nil || f.RuntimeCgroupDriver != want {
			t.Errorf("%q: %q (%v), want %q", out, f.RuntimeCgroupDriver, err, want)
		}
	}
}
