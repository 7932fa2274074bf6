package kubeadmcfg

import (
	"os"
	"strings"
	"testing"

	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
)

// testdata/kubelet-config-v1.37.2.yaml is /var/lib/kubelet/config.yaml as kubeadm v1.37.2 writes it for the
// lab: the KubeletConfiguration of testdata/kubeadm-v1.37.2/init-defaults-kubeletconfig.yaml
// (kubeadm config print init-defaults --component-configs KubeletConfiguration) with the lab's
// cgroupDriver: cgroupfs, failCgroupV1: false and failSwapOn: false.
func kubeadmKubeletConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/kubelet-config-v1.37.2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetKubeletSwap(t *testing.T) {
	orig := kubeadmKubeletConfig(t)
	tests := []struct {
		name       string
		in         string
		failSwapOn bool
		behavior   string
		want       string
	}{
		{"unchanged", orig, false, "", orig},
		{"enable LimitedSwap", orig, false, "LimitedSwap",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: LimitedSwap\n", 1)},
		{"enable NoSwap", orig, false, "NoSwap",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: NoSwap\n", 1)},
		{"disable", orig, true, "",
			strings.Replace(strings.Replace(orig, "failSwapOn: false\n", "failSwapOn: true\n", 1), "memorySwap: {}\n", "", 1)},
		{"LimitedSwap to NoSwap",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: LimitedSwap\n", 1), false, "NoSwap",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: NoSwap\n", 1)},
		{"LimitedSwap to none",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: LimitedSwap\n", 1), false, "",
			orig},
		{"LimitedSwap to disabled",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: LimitedSwap\n", 1), true, "",
			strings.Replace(strings.Replace(orig, "failSwapOn: false\n", "failSwapOn: true\n", 1), "memorySwap: {}\n", "", 1)},
		{"insert failSwapOn sorted",
			strings.Replace(orig, "failSwapOn: false\n", "", 1), false, "",
			orig},
		{"insert memorySwap sorted",
			strings.Replace(orig, "memorySwap: {}\n", "", 1), false, "LimitedSwap",
			strings.Replace(orig, "memorySwap: {}\n", "memorySwap:\n  swapBehavior: LimitedSwap\n", 1)},
		{"comments and blank lines kept",
			"# written by kubeadm\napiVersion: kubelet.config.k8s.io/v1beta1\n\n# swap\nfailSwapOn: true # default\nkind: KubeletConfiguration\nmemorySwap:\n  swapBehavior: NoSwap\n\n# the end\nsyncFrequency: 1m0s\n",
			false, "LimitedSwap",
			"# written by kubeadm\napiVersion: kubelet.config.k8s.io/v1beta1\n\n# swap\nfailSwapOn: false # default\nkind: KubeletConfiguration\nmemorySwap:\n  swapBehavior: LimitedSwap\n\n# the end\nsyncFrequency: 1m0s\n"},
		{"unsorted keys: append", "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n", false, "NoSwap",
			"kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nfailSwapOn: false\nmemorySwap:\n  swapBehavior: NoSwap\n"},
		{"no final newline", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration", false, "",
			"apiVersion: kubelet.config.k8s.io/v1beta1\nfailSwapOn: false\nkind: KubeletConfiguration"},
		{"flow memorySwap", "failSwapOn: false\nmemorySwap: {swapBehavior: NoSwap}\nzz: 1\n", false, "LimitedSwap",
			"failSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\nzz: 1\n"},
		{"quoted failSwapOn", "failSwapOn: \"false\"\n", false, "", "failSwapOn: false\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetKubeletSwap([]byte(tt.in), tt.failSwapOn, tt.behavior)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
			again, err := SetKubeletSwap(got, tt.failSwapOn, tt.behavior)
			if err != nil || string(again) != string(got) {
				t.Fatalf("not idempotent: %v\n%s", err, again)
			}
		})
	}
}

// TestSetKubeletSwapDecodes: the edited kubeadm file still decodes strictly into the official type.
func TestSetKubeletSwapDecodes(t *testing.T) {
	for _, behavior := range []string{"", "NoSwap", "LimitedSwap"} {
		for _, fail := range []bool{false, true} {
			out, err := SetKubeletSwap([]byte(kubeadmKubeletConfig(t)), fail, behavior)
			if err != nil {
				t.Fatal(err)
			}
			var kc kubeletv1beta1.KubeletConfiguration
			if err := strictDecode(out, &kc); err != nil {
				t.Fatalf("%v %q: %v", fail, behavior, err)
			}
			if kc.FailSwapOn == nil || *kc.FailSwapOn != fail || kc.MemorySwap.SwapBehavior != behavior {
				t.Errorf("%v %q: decoded failSwapOn %v, swapBehavior %q", fail, behavior, kc.FailSwapOn, kc.MemorySwap.SwapBehavior)
			}
			if kc.CgroupDriver != "cgroupfs" || kc.FailCgroupV1 == nil || *kc.FailCgroupV1 || kc.StaticPodPath != "/etc/kubernetes/manifests" {
				t.Errorf("other fields changed:\n%s", out)
			}
		}
	}
}

func TestSetKubeletSwapErrors(t *testing.T) {
	tests := []struct{ name, in, behavior, want string }{
		{"bad behavior", "kind: KubeletConfiguration\n", "UnlimitedSwap", "not one of"},
		{"empty", "", "", "empty"},
		{"two documents", "kind: KubeletConfiguration\n---\nkind: KubeletConfiguration\n", "", "more than one"},
		{"wrong kind", "kind: KubeProxyConfiguration\n", "", "not KubeletConfiguration"},
		{"wrong apiVersion", "apiVersion: kubeadm.k8s.io/v1beta4\n", "", "not kubelet.config.k8s.io"},
		{"list", "- a\n", "", "not a YAML mapping"},
		{"flow", "{kind: KubeletConfiguration}\n", "", "flow-style"},
		{"memorySwap scalar", "memorySwap: lots\n", "NoSwap", "not a mapping"},
		{"bad yaml", "a: [\n", "", "kubelet config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SetKubeletSwap([]byte(tt.in), false, tt.behavior)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
