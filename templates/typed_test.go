package templates

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/internal/golden"
)

// typedSamples are the typed calls with the same inputs as sampleInputs: they must render the golden files.
var typedSamples = []Script{
	Facts{SwapPath: "/swapfile", SwapType: "device", SwapDevice: "/dev/disk/by-id/virtio-spare", SwapEncrypt: true, SwapCryptName: "swapboot_swap"},
	Swap{SwapPath: "/swapfile", SwapMiB: 1024, Method: "fallocate"},
	SwapDevice{Device: "/dev/disk/by-id/virtio-spare", CryptName: "swapboot_swap"},
	SwapEncrypted{Kind: "file", Source: "/swapfile", SwapMiB: 1024, Method: "fallocate", CryptName: "swapboot_swap", CrypttabRest: "/swapfile /dev/urandom swap,cipher=aes-xts-plain64,size=512"},
	SwapZram{SwapMiB: 2048},
	KubeletEnv{EnvFile: "/etc/default/kubelet", Content: "KUBELET_EXTRA_ARGS='--node-labels=a=b --fail-swap-on=false'\n"},
	Init{KubeadmConfig: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n", NodeName: "m1", Redo: "the API does not answer through /etc/kubernetes/admin.conf"},
	Join{KubeadmFlags: []string{"10.0.0.1:6443", "--token", "abcdef.0123456789abcdef", "--ignore-preflight-errors=Swap"}, Token: "abcdef.0123456789abcdef"},
	CACert{},
	AdminKubeconfig{},
	KubeletLogs{Lines: 40},
	WaitReady{NodeName: "worker2", Timeout: 180 * time.Second},
	KubeletConfig{Content: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"},
	SwapTuning{SysctlFile: "/etc/sysctl.d/90-swapboot-swap.conf", SysctlOrig: "/var/lib/swapboot/sysctl.orig", SysctlContent: "vm.swappiness = 60\n", SliceDropIn: "/etc/systemd/system/system.slice.d/90-swapboot-noswap.conf", SliceContent: "[Slice]\nMemorySwapMax=0\n"},
	KubeletPatch{PatchFile: "/var/lib/swapboot/kubeadm-patches/kubeletconfiguration+merge.yaml", Content: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmemorySwap:\n  swapBehavior: LimitedSwap\n"},
	NodeSwapLabels{SwapNodes: []string{"worker1", "worker2"}, OtherNodes: []string{"m1"}, SetLabel: true, LabelKey: "feature.node.kubernetes.io/memory-swap", LabelValue: "true",
		SetTaint: true, TaintKey: "swapboot.io/swap", TaintValue: "true", TaintEffect: "NoSchedule"},
	KubeletConfigMap{ConfigMap: "kubelet-config", Content: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"},
	SwapRemove{SwapPath: "/swapfile", CryptName: "swapboot_swap"},
	Reset{EnvFile: "/etc/default/kubelet"},
	Nodes{CNINamespace: "kube-flannel", CNISelector: "app=flannel", SwapLabelKey: "feature.node.kubernetes.io/memory-swap", SwapTaintKey: "swapboot.io/swap"},
	NetPrereqs{ModulesFile: "/etc/modules-load.d/swapboot-k8s.conf", SysctlFile: "/etc/sysctl.d/90-swapboot-k8s.conf"},
	PodNetworkApply{Manifest: "---\nkind: Namespace\napiVersion: v1\nmetadata:\n  name: kube-flannel\n", ManifestPath: "/var/lib/swapboot/kube-flannel.yml", What: "flannel v0.28.4"},
	PodNetworkWait{Namespace: "kube-flannel", Selector: "app=flannel", Nodes: []string{"m1", "worker1"}, NotJoined: []string{"worker2"}, Timeout: 300 * time.Second, LogLines: 40},
	ResetCleanup{},
	KubeletRestart{},
	UploadCerts{KubeadmConfig: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\ncertificateKey: " + sampleKey + "\n", CertificateKey: sampleKey},
	JoinControlPlane{KubeadmConfig: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ncontrolPlane:\n  certificateKey: " + sampleKey + "\n",
		CRISocket: "unix:///run/containerd/containerd.sock", CertificateKey: sampleKey},
	WaitControlPlane{NodeName: "master-2", APIServer: "https://10.0.0.12:6443", Timeout: 300 * time.Second},
	LoadBalancerRemove{},
	ControlPlaneHealth{APIServer: "https://10.0.0.12:6443"},
	LoadBalancer{KeepalivedConf: "global_defs {\n}\n", CheckScript: "#!/bin/sh\ncurl -sfk https://127.0.0.1:6443/healthz\n", HAProxyCfg: "global\n    daemon\n"},
}

func TestTypedCallsCoverEveryScript(t *testing.T) {
	var names []string
	for _, s := range All() {
		names = append(names, s.Name())
		// Zero values still give every input the script declares, and no other.
		if _, err := Render(s); err != nil {
			t.Errorf("%T: %v", s, err)
		}
	}
	if got, want := strings.Join(sorted(names), ","), strings.Join(Names(), ","); got != want {
		t.Errorf("typed calls = %s\nscripts     = %s", got, want)
	}
}

func TestTypedCallsRenderTheGoldenFiles(t *testing.T) {
	for _, s := range typedSamples {
		got, err := Render(s)
		if err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		golden.Check(t, filepath.Join("testdata", s.Name()+".golden"), []byte(got))
	}
}

// TestTypedTokenCreate: the golden file's TTL is "1h"; the typed call spells durations as Go does.
func TestTypedTokenCreate(t *testing.T) {
	got, err := Render(TokenCreate{Token: "abcdef.0123456789abcdef", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want, err := render("token-create", Var{"TOKEN", "abcdef.0123456789abcdef"}, Var{"TTL", "1h0m0s"})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDisplayMasksSecrets(t *testing.T) {
	for _, s := range []Script{TokenCreate{Token: "abcdef.0123456789abcdef", TTL: time.Hour},
		Join{KubeadmFlags: []string{"--token=abcdef.0123456789abcdef"}, Token: "abcdef.0123456789abcdef"},
		Init{KubeadmConfig: "token: abcdef.0123456789abcdef\n", Token: "abcdef.0123456789abcdef"}} {
		got, err := Display(s)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got, "0123456789abcdef") || !strings.Contains(got, RedactionMarker) {
			t.Errorf("%s: secret not masked:\n%s", s.Name(), got)
		}
		if full, _ := Render(s); !strings.Contains(full, "abcdef.0123456789abcdef") {
			t.Errorf("%s: Render lost the secret", s.Name())
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
