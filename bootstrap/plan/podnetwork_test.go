package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/templates"
)

// realFacts are the assumed facts with hostnames, as a real run reads them.
func realFacts(c *cluster.Cluster) map[string]hostfacts.Facts {
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	for addr, f := range facts {
		f.Hostname = "host-" + strings.ReplaceAll(addr, ".", "-")
		facts[addr] = f
	}
	return facts
}

// stepsOf lists a host's steps as template names, in order.
func stepsOf(hp HostPlan) string {
	var names []string
	for _, s := range hp.Steps {
		names = append(names, s.Template())
	}
	return strings.Join(names, ",")
}

func TestUpPlanAppliesFlannelAfterTheJoinsThenWaits(t *testing.T) {
	c := testCluster()
	p, err := BuildPlan(c, realFacts(c), PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepsOf(p.Hosts[0]), "swap,swap-tuning,net-prereqs,init,ca-cert,admin-kubeconfig,node-swap-labels,pod-network-apply,pod-network-wait"; got != want {
		t.Errorf("master steps %s, want %s", got, want)
	}
	if got, want := stepsOf(p.Hosts[1]), "swap,swap-tuning,net-prereqs,join"; got != want {
		t.Errorf("worker steps %s, want %s", got, want)
	}
	var order []Phase
	for _, st := range p.Stages {
		order = append(order, st.Phases...)
	}
	if got := phaseList(order); got != "swap, net-prereqs, kubelet, init, join-material, join, kubeconfig, labels, pod-network, ready" {
		t.Errorf("stages %s", got)
	}
	call, err := findStep(t, p.Hosts[0], PhasePodNetwork).Kind.Script(PlaceholderRuntime())
	if err != nil {
		t.Fatal(err)
	}
	apply := call.(templates.PodNetworkApply)
	for _, want := range []string{`"Network": "10.244.0.0/16"`, `"Type": "vxlan"`, "image: flannel/flannel:v0.28.4", "image: flannel/flannel-cni-plugin:v1.9.1-flannel1", "path: /opt/cni/bin"} {
		if !strings.Contains(apply.Manifest, want) {
			t.Errorf("manifest lacks %q", want)
		}
	}
	wait, _ := findStep(t, p.Hosts[0], PhaseReady).Kind.Script(PlaceholderRuntime())
	if w := wait.(templates.PodNetworkWait); strings.Join(w.Nodes, ",") != "host-192-168-122-50,host-192-168-122-51,worker2" || w.Namespace != "kube-flannel" || w.Selector != "app=flannel" {
		t.Errorf("wait %+v", w)
	}
	if len(p.AfterRun) != 0 {
		t.Errorf("after run %v", p.AfterRun)
	}
}

// The cluster file's settings and the hosts' CNI bin dir reach the manifest the plan applies.
func TestUpPlanRendersTheManifestFromFileAndFacts(t *testing.T) {
	c := testCluster()
	c.Networking.PodSubnet = "10.245.0.0/16"
	c.Networking.CNI = cluster.CNI{Plugin: cluster.CNIFlannel, Backend: cluster.BackendHostGW, ImageRepository: "mirror.example:5000/fl"}
	facts := realFacts(c)
	for addr, f := range facts {
		f.CNIBinDir = "/usr/lib/cni"
		f.CNIPlugins = map[string]string{"bridge": "/usr/lib/cni", "portmap": "/usr/lib/cni", "host-local": "/usr/lib/cni", "loopback": "/usr/lib/cni"}
		facts[addr] = f
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	doc := findStep(t, p.Hosts[0], PhasePodNetwork).Files[flannelManifestPath]
	for _, want := range []string{`"Network": "10.245.0.0/16"`, `"Type": "host-gw"`, "image: mirror.example:5000/fl/flannel:v0.28.4", "image: mirror.example:5000/fl/flannel-cni-plugin:v1.9.1-flannel1", "path: /usr/lib/cni"} {
		if !strings.Contains(doc, want) {
			t.Errorf("manifest lacks %q", want)
		}
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "installed into /usr/lib/cni") {
		t.Errorf("notes %v", p.Notes)
	}
	// -o json carries the manifest as the step's document, and --scripts prints it in full.
	var js bytes.Buffer
	if err := p.Write(&js, output.NewRedactor(), Rendering{JSON: true}); err != nil {
		t.Fatal(err)
	}
	var pj PlanJSON
	if err := json.Unmarshal(js.Bytes(), &pj); err != nil {
		t.Fatal(err)
	}
	var inJSON string
	for _, s := range pj.Hosts[0].Steps {
		if s.Phase == PhasePodNetwork {
			inJSON = s.Documents[flannelManifestPath]
		}
	}
	if inJSON != doc {
		t.Errorf("the JSON plan's manifest differs from the applied one")
	}
	var text bytes.Buffer
	if err := p.Write(&text, output.NewRedactor(), Rendering{Scripts: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), templates.Quote(doc)) {
		t.Errorf("--scripts does not show the manifest")
	}
}

func TestUpPlanWithPluginNone(t *testing.T) {
	c := testCluster()
	c.Networking.CNI = cluster.CNI{Plugin: cluster.CNINone}
	facts := realFacts(c)
	for addr, f := range facts {
		f.CNIPlugins = nil // no CNI plugins at all: not checked with none
		facts[addr] = f
	}
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stepsOf(p.Hosts[0]), "swap,swap-tuning,net-prereqs,init,ca-cert,admin-kubeconfig,node-swap-labels"; got != want {
		t.Errorf("master steps %s, want %s", got, want)
	}
	if len(p.AfterRun) != 1 || !strings.Contains(p.AfterRun[0], "stay NotReady until you apply a CNI") {
		t.Errorf("after run %v", p.AfterRun)
	}
	var out bytes.Buffer
	if err := p.PrintSummary(&out, output.NewRedactor()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "# pod network: none") || strings.Contains(out.String(), "pod-network-apply") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestUpPlanRefusesMissingCNIPlugins(t *testing.T) {
	c := testCluster()
	facts := realFacts(c)
	w := facts["192.168.122.52"]
	w.CNIPlugins = map[string]string{"bridge": "", "portmap": "", "host-local": "/opt/cni/bin", "loopback": "/opt/cni/bin"}
	facts["192.168.122.52"] = w
	w1 := facts["192.168.122.51"]
	w1.KubeadmVersion = "" // reported with it, in one error
	facts["192.168.122.51"] = w1
	_, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	var fe *hostfacts.FactsError
	if !errors.As(err, &fe) || len(fe.Problems) != 2 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "worker2/192.168.122.52: CNI plugins flannel needs are missing: bridge, portmap (looked in /opt/cni/bin)") || !strings.Contains(err.Error(), "containernetworking-plugins") {
		t.Errorf("message %v", err)
	}
}

func TestAddNodePlanWaitsForFlannelOnTheNewNodes(t *testing.T) {
	c := testCluster()
	facts := realFacts(c)
	for _, addr := range []string{"192.168.122.50", "192.168.122.51"} {
		f := facts[addr]
		f.Joined = true
		f.ControlPlane = addr == "192.168.122.50"
		facts[addr] = f
	}
	p, err := BuildAddNodePlan(c, facts, PlanOptions{NewToken: fixedToken}, AddNodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]HostPlan{}
	for _, hp := range p.Hosts {
		byAddr[hp.Host.Address] = hp
	}
	if got, want := stepsOf(byAddr["192.168.122.50"]), "token-create,ca-cert,node-swap-labels,pod-network-wait"; got != want {
		t.Errorf("master steps %s, want %s", got, want)
	}
	if got, want := stepsOf(byAddr["192.168.122.52"]), "swap,swap-tuning,net-prereqs,join"; got != want {
		t.Errorf("new worker steps %s, want %s", got, want)
	}
	wait, _ := findStep(t, byAddr["192.168.122.50"], PhaseReady).Kind.Script(PlaceholderRuntime())
	if w := wait.(templates.PodNetworkWait); strings.Join(w.Nodes, ",") != "worker2" {
		t.Errorf("waits for %v, want the new node only", w.Nodes)
	}

	c.Networking.CNI = cluster.CNI{Plugin: cluster.CNINone}
	p, err = BuildAddNodePlan(c, facts, PlanOptions{NewToken: fixedToken}, AddNodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, hp := range p.Hosts {
		if hp.Host.Address == "192.168.122.52" && stepsOf(hp) != "swap,swap-tuning,net-prereqs,join,wait-ready" {
			t.Errorf("plugin none: new worker steps %s", stepsOf(hp))
		}
		if hp.Host.Role == cluster.RoleMaster && stepsOf(hp) != "token-create,ca-cert,node-swap-labels" {
			t.Errorf("plugin none: master steps %s", stepsOf(hp))
		}
	}
}
