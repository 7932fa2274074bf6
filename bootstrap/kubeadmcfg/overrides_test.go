package kubeadmcfg

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fromYAML decodes a cluster file section the way bootstrap.Load does (gopkg.in/yaml.v3).
func fromYAML(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCheckKubeletOverrides(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error; none = valid
	}{
		{"empty", ``, nil},
		{"lab", `cgroupDriver: cgroupfs`, nil},
		{"many good", `
cgroupDriver: systemd
maxPods: 150
evictionHard: {memory.available: 100Mi}
featureGates: {KubeletTracing: false}
imageMinimumGCAge: 2m
clusterDNS: [10.96.0.10]
kubeReserved: {cpu: 100m, memory: 256Mi}
logging: {verbosity: 2, options: {json: {infoBufferSize: 1Mi}}}
shutdownGracePeriod: 30s
cgroupsPerQOS: true
`, nil},
		{"unknown field", `cgroupDrivr: cgroupfs`, []string{"kubelet.cgroupDrivr: unknown field"}},
		{"case matters", `CgroupDriver: cgroupfs`, []string{"kubelet.CgroupDriver: unknown field"}},
		{"wrong type bool", `cgroupsPerQOS: "yes"`, []string{`kubelet.cgroupsPerQOS: wrong type: expected boolean, got string "yes"`}},
		{"wrong type int", `maxPods: many`, []string{`kubelet.maxPods: wrong type: expected integer (int32), got string "many"`}},
		{"fraction for int", `maxPods: 1.5`, []string{`kubelet.maxPods: wrong type: expected integer (int32)`}},
		{"wrong type object", `logging: verbose`, []string{`kubelet.logging: wrong type: expected object`}},
		{"wrong type list", `clusterDNS: 10.96.0.10`, []string{`kubelet.clusterDNS: wrong type: expected list`}},
		{"wrong list element", `clusterDNS: [10.96.0.10, 5]`, []string{`kubelet.clusterDNS[1]: wrong type: expected string, got number 5`}},
		{"bad duration", `imageMinimumGCAge: soon`, []string{`kubelet.imageMinimumGCAge: invalid value string "soon"`}},
		{"number in string map", `kubeReserved: {memory: 5}`, []string{"kubelet.kubeReserved.memory: wrong type: expected string, got number 5"}},
		{"bad quantity", `logging: {options: {json: {infoBufferSize: lots}}}`, []string{`kubelet.logging.options.json.infoBufferSize: invalid value string "lots"`}},
		{"nested unknown", `logging: {options: {json: {infoBufferSise: 1Mi}}}`, []string{"kubelet.logging.options.json.infoBufferSise: unknown field"}},
		{"nested unknown 2", `authentication: {webhook: {cacheTTLL: 2m}}`, []string{"kubelet.authentication.webhook.cacheTTLL: unknown field"}},
		{"owned failSwapOn", `failSwapOn: false`, []string{"kubelet.failSwapOn: swapboot sets failSwapOn"}},
		{"owned memorySwap", `memorySwap: {swapBehavior: LimitedSwap}`, []string{"kubelet.memorySwap: owned by swapboot; use swap.behavior"}},
		{"owned NodeSwap gate", `featureGates: {NodeSwap: true, KubeletTracing: true}`, []string{"kubelet.featureGates.NodeSwap: owned by swapboot"}},
		{"owned kind", `kind: KubeletConfiguration`, []string{"kubelet.kind: set by swapboot"}},
		{"several", "cgroupDrivr: x\nfailSwapOn: true\nmaxPods: x\n", []string{"kubelet.cgroupDrivr: unknown field", "kubelet.failSwapOn", "kubelet.maxPods: wrong type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckKubeletOverrides(fromYAML(t, tt.yaml))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCheckKubeProxyOverrides(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"empty", ``, ""},
		{"lab", `conntrack: {maxPerCore: 0}`, ""},
		{"good", "mode: iptables\nconntrack: {maxPerCore: 0, tcpEstablishedTimeout: 24h}\niptables: {masqueradeAll: true}\nclusterCIDR: 10.244.0.0/16\n", ""},
		{"unknown field", `conntrak: {maxPerCore: 0}`, "kubeProxy.conntrak: unknown field"},
		{"nested unknown field", `conntrack: {maxPerCor: 0}`, "kubeProxy.conntrack.maxPerCor: unknown field"},
		{"wrong type", `conntrack: {maxPerCore: none}`, `kubeProxy.conntrack.maxPerCore: wrong type: expected integer (int32), got string "none"`},
		{"wrong type duration", `conntrack: {tcpEstablishedTimeout: 5}`, `kubeProxy.conntrack.tcpEstablishedTimeout: invalid value number 5`},
		{"owned apiVersion", `apiVersion: kubeproxy.config.k8s.io/v1alpha1`, "kubeProxy.apiVersion: set by swapboot"},
		{"non-string key", "conntrack:\n  1: x\n", "kubeProxy.conntrack: key 1 is not a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckKubeProxyOverrides(fromYAML(t, tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestOverridesMerged: user overrides reach the rendered KubeletConfiguration, under swapboot's settings.
func TestOverridesMerged(t *testing.T) {
	p := validInit()
	p.Kubelet.SwapBehavior = "NoSwap"
	p.KubeletOverrides = fromYAML(t, "cgroupDriver: cgroupfs\nfeatureGates: {KubeletTracing: true}\nmaxPods: 150\n")
	b, err := RenderInit(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
featureGates:
  KubeletTracing: true
maxPods: 150
memorySwap:
  swapBehavior: NoSwap
`
	if got := string(splitDocs(b)[2]); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
