package kubeadmcfg

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/version"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3"
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta4"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/swapboot/swapboot/internal/golden"
)

const (
	testToken = "abcdef.0123456789abcdef"
	testHash  = "sha256:6499b4a8b24b6c9e2c3f5c6a1c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3c90"
	testKey   = "8c6e1cfcd57cadfeed2ff3793cead1ff47fc86a1c6a6a93e78b12562ffda590d"
)

// initCase is one golden file of RenderInit. The params follow swapboot's policy: failSwapOn false
// everywhere; cgroup v2 hosts get LimitedSwap (with the NodeSwap gate before 1.30); cgroup v1 hosts get
// no swap behavior (LimitedSwap needs cgroup v2) and failCgroupV1: false from 1.35.
type initCase struct {
	api      APIVersion
	version  string
	cgroupV1 bool
	lab      bool // the lab's overrides
	ha       bool // several masters: endpoint and certificate key
}

func (c initCase) name() string {
	api := strings.TrimPrefix(string(c.api), "kubeadm.k8s.io/")
	v := version.MustParseGeneric(c.version)
	cg := "cgv2"
	if c.cgroupV1 {
		cg = "cgv1"
	}
	n := fmt.Sprintf("init-%s-%d.%d-%s", api, v.Major(), v.Minor(), cg)
	if c.lab {
		n += "-lab"
	}
	if c.ha {
		n += "-ha"
	}
	return n
}

func (c initCase) params() InitParams {
	v := version.MustParseGeneric(c.version)
	p := InitParams{
		APIVersion:        c.api,
		KubernetesVersion: c.version,
		NodeName:          "master-1",
		AdvertiseAddress:  "192.0.2.10",
		BootstrapToken:    testToken,
		TokenTTL:          24 * time.Hour,
		PodSubnet:         "10.244.0.0/16",
		ServiceSubnet:     "10.96.0.0/12",
		Kubelet:           KubeletParams{FailSwapOn: boolPtr(false)},
	}
	if c.cgroupV1 {
		if v.AtLeast(version.MajorMinor(1, 35)) {
			p.Kubelet.FailCgroupV1 = boolPtr(false)
		}
	} else {
		p.Kubelet.SwapBehavior = "LimitedSwap"
		p.Kubelet.NodeSwapFeatureGate = v.LessThan(version.MajorMinor(1, 30))
	}
	if c.lab {
		p.CRISocket = "unix:///run/containerd/containerd.sock"
		p.ImagePullPolicy = "Never"
		p.IgnorePreflightErrors = []string{"Swap", "SystemVerification"}
		p.KubeletOverrides = map[string]any{"cgroupDriver": "cgroupfs"}
		p.KubeProxyOverrides = map[string]any{"conntrack": map[string]any{"maxPerCore": 0}}
	} else {
		p.KubeletExtraArgs = map[string]string{"node-ip": "192.0.2.10", "max-pods": "150"}
	}
	if c.ha {
		p.ControlPlaneEndpoint = "192.0.2.5:8443"
		p.CertificateKey = testKey
	}
	return p
}

func initCases() []initCase {
	var cases []initCase
	for _, v := range []struct {
		api APIVersion
		ver string
	}{
		{V1beta3, "v1.22.0"}, {V1beta3, "v1.28.0"}, {V1beta3, "v1.30.0"},
		{V1beta4, "v1.31.0"}, {V1beta4, "v1.34.0"}, {V1beta4, "v1.37.2"},
	} {
		for _, cg1 := range []bool{true, false} {
			for _, lab := range []bool{false, true} {
				cases = append(cases, initCase{v.api, v.ver, cg1, lab, false})
			}
		}
	}
	return append(cases, initCase{V1beta3, "v1.30.0", true, true, true}, initCase{V1beta4, "v1.37.2", true, true, true})
}

type joinCase struct {
	name string
	p    JoinParams
}

func joinCases() []joinCase {
	return []joinCase{
		{"join-v1beta3", JoinParams{
			APIVersion: V1beta3, NodeName: "worker-1", APIServerEndpoint: "192.0.2.10:6443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			KubeletExtraArgs: map[string]string{"node-ip": "192.0.2.11", "max-pods": "150"},
		}},
		{"join-v1beta3-lab", JoinParams{
			APIVersion: V1beta3, NodeName: "worker-1", APIServerEndpoint: "192.0.2.10:6443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			CRISocket: "unix:///run/containerd/containerd.sock", ImagePullPolicy: "Never",
			IgnorePreflightErrors: []string{"Swap", "SystemVerification"},
		}},
		{"join-v1beta4", JoinParams{
			APIVersion: V1beta4, NodeName: "worker-1", APIServerEndpoint: "192.0.2.10:6443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			KubeletExtraArgs: map[string]string{"node-ip": "192.0.2.11", "max-pods": "150"},
		}},
		{"join-v1beta4-lab", JoinParams{
			APIVersion: V1beta4, NodeName: "worker-1", APIServerEndpoint: "192.0.2.10:6443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			CRISocket: "unix:///run/containerd/containerd.sock", ImagePullPolicy: "Never",
			IgnorePreflightErrors: []string{"Swap", "SystemVerification"},
		}},
		{"join-control-plane-v1beta3", JoinParams{
			APIVersion: V1beta3, NodeName: "master-2", APIServerEndpoint: "192.0.2.5:8443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			IgnorePreflightErrors: []string{"Swap"},
			ControlPlane:          &JoinControlPlane{AdvertiseAddress: "192.0.2.11", CertificateKey: testKey},
		}},
		{"join-control-plane-v1beta4-lab", JoinParams{
			APIVersion: V1beta4, NodeName: "master-2", APIServerEndpoint: "192.0.2.5:8443",
			BootstrapToken: testToken, CACertHashes: []string{testHash},
			CRISocket: "unix:///run/containerd/containerd.sock", ImagePullPolicy: "Never",
			IgnorePreflightErrors: []string{"Swap", "SystemVerification"},
			ControlPlane:          &JoinControlPlane{AdvertiseAddress: "192.0.2.11", CertificateKey: testKey},
		}},
	}
}

func uploadCertsCases() map[string]UploadCertsParams {
	return map[string]UploadCertsParams{
		"upload-certs-v1beta4": {APIVersion: V1beta4, KubernetesVersion: "v1.37.2", ControlPlaneEndpoint: "192.0.2.5:8443", CertificateKey: testKey},
		"upload-certs-v1beta3": {APIVersion: V1beta3, KubernetesVersion: "v1.30.0", ControlPlaneEndpoint: "192.0.2.5:8443", CertificateKey: testKey},
	}
}

func TestRenderUploadCertsGolden(t *testing.T) {
	for name, p := range uploadCertsCases() {
		t.Run(name, func(t *testing.T) {
			got, err := RenderUploadCerts(p)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, got)
		})
	}
	bad := uploadCertsCases()["upload-certs-v1beta4"]
	bad.CertificateKey = strings.ToUpper(testKey)
	if _, err := RenderUploadCerts(bad); err == nil || strings.Contains(err.Error(), testKey[:16]) || strings.Contains(err.Error(), bad.CertificateKey[:16]) {
		t.Errorf("an upper-case key: err %v (want an error that does not show the key)", err)
	}
}

// TestHADocuments: the endpoint is in the API server's SANs, the key in InitConfiguration; a control-plane
// join carries its own address and the key; a bad key is refused without being shown.
func TestHADocuments(t *testing.T) {
	b, err := RenderInit(initCase{V1beta4, "v1.37.2", true, true, true}.params())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"certificateKey: " + testKey + "\n", "controlPlaneEndpoint: 192.0.2.5:8443\n", "certSANs:\n  - 192.0.2.5\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("init document lacks %q:\n%s", want, b)
		}
	}
	single, err := RenderInit(initCase{V1beta4, "v1.37.2", true, true, false}.params())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(single), "certificateKey") || strings.Contains(string(single), "certSANs") || strings.Contains(string(single), "controlPlaneEndpoint") {
		t.Errorf("single-master init has HA fields:\n%s", single)
	}
	jp := joinCases()[5].p
	jp.ControlPlane = &JoinControlPlane{AdvertiseAddress: "192.0.2.11", CertificateKey: "not-hex-" + testKey[:20]}
	if _, err := RenderJoin(jp); err == nil || strings.Contains(err.Error(), testKey[:20]) {
		t.Errorf("bad key: err %v (want an error that does not show the key)", err)
	}
	jp.ControlPlane = &JoinControlPlane{AdvertiseAddress: "master-2", CertificateKey: testKey}
	if _, err := RenderJoin(jp); err == nil {
		t.Error("a host name as advertise address was accepted")
	}
	p := initCase{V1beta4, "v1.37.2", true, true, true}.params()
	p.CertificateKey = "abc"
	if _, err := RenderInit(p); err == nil {
		t.Error("a short certificate key was accepted")
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

func TestRenderInitGolden(t *testing.T) {
	for _, c := range initCases() {
		t.Run(c.name(), func(t *testing.T) {
			got, err := RenderInit(c.params())
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name(), got)
		})
	}
}

func TestRenderJoinGolden(t *testing.T) {
	for _, c := range joinCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := RenderJoin(c.p)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, got)
		})
	}
}

// TestGoldenSet makes sure no stale golden file is left behind.
func TestGoldenSet(t *testing.T) {
	want := map[string]bool{}
	for _, c := range initCases() {
		want[c.name()+".golden"] = true
	}
	for _, c := range joinCases() {
		want[c.name+".golden"] = true
	}
	for name := range uploadCertsCases() {
		want[name+".golden"] = true
	}
	files, _ := filepath.Glob("testdata/*.golden")
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("stale golden file %s", f)
		}
	}
}

// rendered returns every rendered output (all golden cases) by name.
func rendered(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, c := range initCases() {
		b, err := RenderInit(c.params())
		if err != nil {
			t.Fatal(err)
		}
		out[c.name()] = b
	}
	for _, c := range joinCases() {
		b, err := RenderJoin(c.p)
		if err != nil {
			t.Fatal(err)
		}
		out[c.name] = b
	}
	return out
}

func splitDocs(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(b, []byte("---\n")) {
		docs = append(docs, d)
	}
	return docs
}

// TestNoUnsetZeroValues: no rendered document holds a zero value swapboot or the user did not set.
func TestNoUnsetZeroValues(t *testing.T) {
	// kind/path of the zero values that are set on purpose.
	allowed := map[string]bool{
		"KubeletConfiguration.failSwapOn":             true,
		"KubeletConfiguration.failCgroupV1":           true,
		"KubeProxyConfiguration.conntrack.maxPerCore": true,
	}
	for name, b := range rendered(t) {
		text := strings.ReplaceAll(string(b), "maxPerCore: 0\n", "")
		for _, bad := range []string{": 0s", ": 0\n", `: ""`, ": null", ": {}", ": []", "cpuManagerReconcilePeriod", "creationTimestamp", "taints", "logging", "unsafeSkipCAVerification"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s contains %q:\n%s", name, bad, b)
			}
		}
		for _, doc := range splitDocs(b) {
			var m map[string]any
			if err := yaml.Unmarshal(doc, &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			kind, _ := m["kind"].(string)
			walkLeaves(kind, m, func(path string, v any) {
				if isZero(v) && !allowed[path] {
					t.Errorf("%s: %s is the zero value %#v", name, path, v)
				}
			})
		}
	}
}

func walkLeaves(path string, v any, f func(string, any)) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			f(path, t)
		}
		for k, e := range t {
			walkLeaves(path+"."+k, e, f)
		}
	case []any:
		if len(t) == 0 {
			f(path, t)
		}
		for i, e := range t {
			walkLeaves(fmt.Sprintf("%s[%d]", path, i), e, f)
		}
	default:
		f(path, v)
	}
}

func isZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case string:
		return t == "" || t == "0s" || t == "0"
	case float64:
		return t == 0
	case int64:
		return t == 0
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// officialType returns a new official object for a document's apiVersion and kind.
func officialType(apiVersion, kind string) any {
	switch apiVersion + "/" + kind {
	case "kubeadm.k8s.io/v1beta3/InitConfiguration":
		return &v1beta3.InitConfiguration{}
	case "kubeadm.k8s.io/v1beta3/ClusterConfiguration":
		return &v1beta3.ClusterConfiguration{}
	case "kubeadm.k8s.io/v1beta3/JoinConfiguration":
		return &v1beta3.JoinConfiguration{}
	case "kubeadm.k8s.io/v1beta4/InitConfiguration":
		return &v1beta4.InitConfiguration{}
	case "kubeadm.k8s.io/v1beta4/ClusterConfiguration":
		return &v1beta4.ClusterConfiguration{}
	case "kubeadm.k8s.io/v1beta4/JoinConfiguration":
		return &v1beta4.JoinConfiguration{}
	case "kubelet.config.k8s.io/v1beta1/KubeletConfiguration":
		return &kubeletv1beta1.KubeletConfiguration{}
	case "kubeproxy.config.k8s.io/v1alpha1/KubeProxyConfiguration":
		return &kubeproxyv1alpha1.KubeProxyConfiguration{}
	}
	return nil
}

// strictDecode decodes a YAML document into obj the way the Kubernetes components do (case-sensitive,
// unknown and duplicate fields are errors).
func strictDecode(doc []byte, obj any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(j, obj)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		return fmt.Errorf("strict decoding: %v", strict)
	}
	return nil
}

// TestRoundTripStrict decodes every rendered document back into its official type with strict decoding
// (a misspelt field fails), and renders it again: the bytes must not change.
func TestRoundTripStrict(t *testing.T) {
	for name, b := range rendered(t) {
		kinds := []string{}
		for _, doc := range splitDocs(b) {
			var tm struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			kinds = append(kinds, tm.Kind)
			obj := officialType(tm.APIVersion, tm.Kind)
			if obj == nil {
				t.Fatalf("%s: unexpected document %s %s", name, tm.APIVersion, tm.Kind)
			}
			if err := strictDecode(doc, obj); err != nil {
				t.Fatalf("%s %s: %v\n%s", name, tm.Kind, err, doc)
			}
			again, err := renderDocument(obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, doc) {
				t.Errorf("%s %s: re-rendered differently:\n%s--- was\n%s", name, tm.Kind, again, doc)
			}
		}
		want := "InitConfiguration ClusterConfiguration KubeletConfiguration"
		switch {
		case strings.HasPrefix(name, "join"):
			want = "JoinConfiguration"
		case strings.HasSuffix(name, "-lab"), strings.HasSuffix(name, "-lab-ha"):
			want += " KubeProxyConfiguration"
		}
		if got := strings.Join(kinds, " "); got != want {
			t.Errorf("%s: documents %s, want %s", name, got, want)
		}
	}
}

// TestRenderedContent checks the settings that matter, on the decoded documents.
func TestRenderedContent(t *testing.T) {
	for _, c := range initCases() {
		b, err := RenderInit(c.params())
		if err != nil {
			t.Fatal(err)
		}
		docs := splitDocs(b)
		var kc kubeletv1beta1.KubeletConfiguration
		if err := strictDecode(docs[2], &kc); err != nil {
			t.Fatal(err)
		}
		v := version.MustParseGeneric(c.version)
		if kc.FailSwapOn == nil || *kc.FailSwapOn {
			t.Errorf("%s: failSwapOn %v", c.name(), kc.FailSwapOn)
		}
		wantV1 := c.cgroupV1 && v.AtLeast(version.MajorMinor(1, 35))
		if (kc.FailCgroupV1 != nil) != wantV1 || wantV1 && *kc.FailCgroupV1 {
			t.Errorf("%s: failCgroupV1 %v", c.name(), kc.FailCgroupV1)
		}
		wantGate := !c.cgroupV1 && v.LessThan(version.MajorMinor(1, 30))
		if _, ok := kc.FeatureGates["NodeSwap"]; ok != wantGate {
			t.Errorf("%s: featureGates %v", c.name(), kc.FeatureGates)
		}
		if c.lab != (kc.CgroupDriver == "cgroupfs") {
			t.Errorf("%s: cgroupDriver %q", c.name(), kc.CgroupDriver)
		}
		if !bytes.Contains(docs[0], []byte("- Swap\n")) {
			t.Errorf("%s: no Swap in ignorePreflightErrors", c.name())
		}
		if c.api == V1beta4 && !c.lab && !bytes.Contains(docs[0], []byte("  kubeletExtraArgs:\n  - name: max-pods\n    value: \"150\"\n  - name: node-ip\n")) {
			t.Errorf("%s: kubeletExtraArgs not a sorted list:\n%s", c.name(), docs[0])
		}
		if c.api == V1beta3 && !c.lab && !bytes.Contains(docs[0], []byte("  kubeletExtraArgs:\n    max-pods: \"150\"\n    node-ip: 192.0.2.10\n")) {
			t.Errorf("%s: kubeletExtraArgs not a map:\n%s", c.name(), docs[0])
		}
	}
	b, err := RenderJoin(joinCases()[2].p)
	if err != nil {
		t.Fatal(err)
	}
	var jc v1beta4.JoinConfiguration
	if err := strictDecode(b, &jc); err != nil {
		t.Fatal(err)
	}
	if d := jc.Discovery.BootstrapToken; d == nil || d.Token != testToken || !reflect.DeepEqual(d.CACertHashes, []string{testHash}) || d.APIServerEndpoint != "192.0.2.10:6443" {
		t.Errorf("join discovery %+v", jc.Discovery)
	}
}

func validInit() InitParams {
	return initCase{V1beta4, "v1.37.2", true, true, false}.params()
}

func validJoin() JoinParams { return joinCases()[3].p }

func TestRenderErrors(t *testing.T) {
	badToken := "abcdef.0123456789ABCDEF"
	tests := []struct {
		name string
		edit func(*InitParams)
		want string
	}{
		{"no api", func(p *InitParams) { p.APIVersion = "" }, "API version"},
		{"v1beta2", func(p *InitParams) { p.APIVersion = "kubeadm.k8s.io/v1beta2" }, "not supported"},
		{"v1beta3 on 1.36", func(p *InitParams) {
			p.APIVersion = V1beta3
			p.Kubelet.FailCgroupV1 = nil
			p.KubernetesVersion = "v1.36.0"
		}, "accepted by kubeadm 1.22 to 1.35"},
		{"v1beta4 on 1.30", func(p *InitParams) { p.KubernetesVersion = "v1.30.0"; p.Kubelet.FailCgroupV1 = nil }, "from kubeadm 1.31"},
		{"bad version", func(p *InitParams) { p.KubernetesVersion = "latest" }, "not a Kubernetes version"},
		{"no token", func(p *InitParams) { p.BootstrapToken = "" }, "no bootstrap token"},
		{"bad token", func(p *InitParams) { p.BootstrapToken = badToken }, "bootstrap token is not of the form"},
		{"host name address", func(p *InitParams) { p.AdvertiseAddress = "master.example" }, "not an IP address"},
		{"bad pod subnet", func(p *InitParams) { p.PodSubnet = "10.244.0.0/33" }, "pod subnet"},
		{"bad pull policy", func(p *InitParams) { p.ImagePullPolicy = "never" }, "image pull policy"},
		{"bad extra arg", func(p *InitParams) { p.KubeletExtraArgs = map[string]string{"--node-ip": "x"} }, "without leading dashes"},
		{"bad behavior", func(p *InitParams) { p.Kubelet.SwapBehavior = "UnlimitedSwap" }, "not one of"},
		{"gate without behavior", func(p *InitParams) { p.Kubelet.NodeSwapFeatureGate = true }, "only rendered together"},
		{"gate on 1.37", func(p *InitParams) { p.Kubelet.SwapBehavior = "NoSwap"; p.Kubelet.NodeSwapFeatureGate = true }, "must not be set"},
		{"behavior without gate on 1.28", func(p *InitParams) {
			p.APIVersion, p.KubernetesVersion, p.Kubelet.FailCgroupV1, p.Kubelet.SwapBehavior = V1beta3, "v1.28.0", nil, "LimitedSwap"
		}, "without the NodeSwap feature gate"},
		{"NoSwap on 1.28", func(p *InitParams) {
			p.APIVersion, p.KubernetesVersion, p.Kubelet.FailCgroupV1, p.Kubelet.SwapBehavior, p.Kubelet.NodeSwapFeatureGate = V1beta3, "v1.28.0", nil, "NoSwap", true
		}, "does not know swap behavior NoSwap"},
		{"failCgroupV1 on 1.30", func(p *InitParams) { p.APIVersion, p.KubernetesVersion = V1beta3, "v1.30.0" }, "no failCgroupV1"},
		{"owned override", func(p *InitParams) { p.KubeletOverrides = map[string]any{"failSwapOn": true} }, "kubelet.failSwapOn"},
		{"failCgroupV1 conflict", func(p *InitParams) { p.KubeletOverrides = map[string]any{"failCgroupV1": true} }, "kubelet.failCgroupV1: swapboot sets false"},
		{"bad proxy override", func(p *InitParams) { p.KubeProxyOverrides = map[string]any{"conntrak": map[string]any{}} }, "kubeProxy.conntrak: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validInit()
			tt.edit(&p)
			_, err := RenderInit(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), badToken) || strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "0123456789") {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
	// Same value as swapboot's: accepted.
	p := validInit()
	p.KubeletOverrides = map[string]any{"failCgroupV1": false, "cgroupDriver": "cgroupfs"}
	if _, err := RenderInit(p); err != nil {
		t.Errorf("failCgroupV1 false twice: %v", err)
	}
}

func TestRenderJoinErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*JoinParams)
		want string
	}{
		{"bad token", func(p *JoinParams) { p.BootstrapToken = "abcdef.0123456789abcde" }, "bootstrap token is not of the form"},
		{"no hash", func(p *JoinParams) { p.CACertHashes = nil }, "no CA certificate hash"},
		{"upper-case hash", func(p *JoinParams) { p.CACertHashes = []string{strings.ToUpper(testHash)} }, "does not match"},
		{"short hash", func(p *JoinParams) { p.CACertHashes = []string{testHash[:70]} }, "does not match"},
		{"md5 hash", func(p *JoinParams) { p.CACertHashes = []string{"md5:" + testHash[7:]} }, "does not match"},
		{"no port", func(p *JoinParams) { p.APIServerEndpoint = "192.0.2.10" }, "not host:port"},
		{"bad port", func(p *JoinParams) { p.APIServerEndpoint = "192.0.2.10:0" }, "invalid port"},
		{"bad api", func(p *JoinParams) { p.APIVersion = "v1beta4" }, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validJoin()
			tt.edit(&p)
			_, err := RenderJoin(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "0123456789") {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

func TestPreflightErrors(t *testing.T) {
	tests := []struct{ in, want []string }{
		{nil, []string{"Swap"}},
		{[]string{"SystemVerification"}, []string{"Swap", "SystemVerification"}},
		{[]string{"Swap", "swap", "SystemVerification", "systemverification", ""}, []string{"Swap", "SystemVerification"}},
		{[]string{"Swap", "All", "SystemVerification"}, []string{"all"}},
	}
	for _, tt := range tests {
		if got := preflightErrors(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("preflightErrors(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEndpoints(t *testing.T) {
	for _, tt := range []struct {
		v       string
		portReq bool
		ok      bool
	}{
		{"10.0.0.1:6443", true, true},
		{"[fd00::1]:6443", true, true},
		{"lb.example:6443", true, true},
		{"lb.example", true, false},
		{"lb.example", false, true},
		{"fd00::1", false, true},
		{"lb.example:x", false, false},
		{":6443", false, false},
	} {
		err := checkEndpoint("endpoint", tt.v, tt.portReq)
		if (err == nil) != tt.ok {
			t.Errorf("checkEndpoint(%q, %v) = %v", tt.v, tt.portReq, err)
		}
	}
}

// TestPruneKeepsUserZeros: a zero value the user wrote in an override stays; zero values nobody wrote go.
func TestPruneKeepsUserZeros(t *testing.T) {
	p := validInit()
	p.KubeletOverrides = map[string]any{"cgroupDriver": "cgroupfs", "imageMinimumGCAge": "0s", "logging": map[string]any{}}
	b, err := RenderInit(p)
	if err != nil {
		t.Fatal(err)
	}
	kubelet := string(splitDocs(b)[2])
	for _, want := range []string{"imageMinimumGCAge: 0s\n", "logging: {}\n"} {
		if !strings.Contains(kubelet, want) {
			t.Errorf("missing %q in\n%s", want, kubelet)
		}
	}
	if strings.Contains(kubelet, "flushFrequency") || strings.Contains(kubelet, "syncFrequency") {
		t.Errorf("unset zero values rendered:\n%s", kubelet)
	}
}

// TestJSONFields covers the inline TypeMeta and embedded structs.
func TestJSONFields(t *testing.T) {
	f := jsonFields(reflect.TypeFor[v1beta4.APIServer]())
	var names []string
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "certSANs,extraArgs,extraEnvs,extraVolumes" {
		t.Errorf("APIServer fields %s", got)
	}
	f = jsonFields(reflect.TypeFor[kubeletv1beta1.KubeletConfiguration]())
	for _, k := range []string{"apiVersion", "kind", "failSwapOn", "memorySwap"} {
		if _, ok := f[k]; !ok {
			t.Errorf("KubeletConfiguration has no %s", k)
		}
	}
}

// A node's swap patch holds memorySwap.swapBehavior and nothing else but the type's own apiVersion and kind;
// a behaviour the kubelet does not know is refused.
func TestRenderKubeletSwapPatch(t *testing.T) {
	got, err := RenderKubeletSwapPatch("LimitedSwap")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmemorySwap:\n  swapBehavior: LimitedSwap\n" {
		t.Errorf("patch:\n%s", got)
	}
	for _, bad := range []string{"", "UnlimitedSwap", "limitedswap"} {
		if _, err := RenderKubeletSwapPatch(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
