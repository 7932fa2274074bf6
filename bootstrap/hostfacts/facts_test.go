package hostfacts

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

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

// TestUnfinishedInit: admin.conf alone is not a finished init; the API's answer and the master's Node
// decide, read from facts.sh's lines.
func TestUnfinishedInit(t *testing.T) {
	for _, tc := range []struct {
		out, node, want string
	}{
		{"control_plane=no", "", ""},
		{"control_plane=yes\nadmin_api=ok\napi_nodes=m1 w1", "", ""},
		{"control_plane=yes\nadmin_api=ok\napi_nodes=w1 master-a", "master-a", ""},
		{"control_plane=yes\nadmin_api=ok\napi_nodes=w1", "", "the API answers but has no Node m1"},
		{"control_plane=yes\nadmin_api=forbidden", "", "kubeadm's RBAC phases did not run"},
		{"control_plane=yes\nadmin_api=unanswered", "", "does not answer"},
		{"control_plane=yes\nadmin_api=no-kubectl", "", ""},
	} {
		out := "@swapboot fact hostname=M1\n@swapboot fact " + strings.ReplaceAll(tc.out, "\n", "\n@swapboot fact ") + "\n"
		f, err := ParseFacts(out)
		if err != nil {
			t.Fatal(err)
		}
		got := f.UnfinishedInit(cluster.Host{Address: "10.0.0.1", Name: tc.node})
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q node %q: %q, want %q", tc.out, tc.node, got, tc.want)
		}
	}
	f, _ := ParseFacts("@swapboot fact init_finalized=yes\n")
	if !f.InitFinalized {
		t.Error("init_finalized=yes not read")
	}
}
