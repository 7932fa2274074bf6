package plan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/output"
)

// TestPlanNamesTheKubeletFiles: the summary and -o json of a plan name each host's kubelet drop-in, its env
// file and the env file's own arguments swapboot keeps (the old deb layout, an argument of the admin's).
func TestPlanNamesTheKubeletFiles(t *testing.T) {
	c := testCluster()
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true, OldDebLayout: true})
	for a, f := range facts {
		f.KubeletEnvExists, f.KubeletEnvContent = true, "KUBELET_EXTRA_ARGS=\"--node-ip="+a+" --fail-swap-on=false\"\n"
		facts[a] = f
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	var sum bytes.Buffer
	if err := p.Write(&sum, output.NewRedactor(), Rendering{}); err != nil {
		t.Fatal(err)
	}
	m := c.Masters[0]
	want := "# " + m.ID() + ": kubelet drop-in /etc/systemd/system/kubelet.service.d/10-kubeadm.conf, env file /etc/default/kubelet (arguments kept: --node-ip=" + m.Address + ")"
	if !strings.Contains(sum.String(), want+"\n") {
		t.Errorf("the summary lacks %q:\n%s", want, sum.String())
	}
	var js bytes.Buffer
	if err := p.Write(&js, output.NewRedactor(), Rendering{JSON: true}); err != nil {
		t.Fatal(err)
	}
	var got PlanJSON
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	wantJSON := KubeletFiles{DropIn: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", EnvFile: "/etc/default/kubelet", EnvFileExists: true,
		KeptArgs: []string{"--node-ip=" + m.Address}}
	if !reflect.DeepEqual(got.Hosts[0].KubeletFiles, wantJSON) {
		t.Errorf("json kubeletFiles %+v, want %+v", got.Hosts[0].KubeletFiles, wantJSON)
	}
}

func TestKeptExtraArgs(t *testing.T) {
	for content, want := range map[string][]string{
		"":                      {},
		"KUBELET_EXTRA_ARGS=\n": {},
		"KUBELET_EXTRA_ARGS=--a=1 --fail-swap-on":                                              {"--a=1"},
		"KUBELET_EXTRA_ARGS=--old\n# c\nKUBELET_EXTRA_ARGS='--b --fail-swap-on=false --c=2'\n": {"--b", "--c=2"},
	} {
		if got := KeptExtraArgs(content); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", content, got, want)
		}
	}
}
