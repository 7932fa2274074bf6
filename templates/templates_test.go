package templates

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/quick"

	"github.com/swapboot/swapboot/internal/golden"
)

// sampleInputs gives every script realistic inputs, including values that need quoting.
var sampleInputs = map[string][]Var{
	"facts":             {{"SWAP_PATH", "/swapfile"}, {"SWAP_TYPE", "device"}, {"SWAP_DEVICE", "/dev/disk/by-id/virtio-spare"}, {"SWAP_ENCRYPT", "true"}, {"SWAP_CRYPT_NAME", "swapboot_swap"}},
	"swap-device":       {{"SWAP_DEVICE", "/dev/disk/by-id/virtio-spare"}, {"CRYPT_NAME", "swapboot_swap"}},
	"swap-encrypted":    {{"KIND", "file"}, {"SOURCE", "/swapfile"}, {"SWAP_MIB", "1024"}, {"METHOD", "fallocate"}, {"CRYPT_NAME", "swapboot_swap"}, {"CRYPTTAB_REST", "/swapfile /dev/urandom swap,cipher=aes-xts-plain64,size=512"}},
	"swap-zram":         varsOf(SwapZram{SwapMiB: 2048}.inputs()),
	"swap":              {{"SWAP_PATH", "/swapfile"}, {"SWAP_MIB", "1024"}, {"METHOD", "fallocate"}},
	"kubelet-env":       {{"ENV_FILE", "/etc/default/kubelet"}, {"CONTENT", "KUBELET_EXTRA_ARGS='--node-labels=a=b --fail-swap-on=false'\n"}},
	"init":              {{"KUBEADM_CONFIG", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"}, {"KUBEADM_FLAGS", ""}, {"NODE_NAME", "m1"}, {"REDO", "the API does not answer through /etc/kubernetes/admin.conf"}},
	"join":              {{"KUBEADM_CONFIG", ""}, {"KUBEADM_FLAGS", "10.0.0.1:6443\n--token\nabcdef.0123456789abcdef\n--ignore-preflight-errors=Swap"}, {"REDO", ""}},
	"ca-cert":           nil,
	"token-create":      {{"TOKEN", "abcdef.0123456789abcdef"}, {"TTL", "1h"}},
	"admin-kubeconfig":  nil,
	"kubelet-logs":      {{"LINES", "40"}},
	"wait-ready":        {{"NODE_NAME", "worker2"}, {"TIMEOUT_SECONDS", "180"}},
	"kubelet-config":    {{"CONTENT", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"}},
	"swap-tuning":       {{"SYSCTL_FILE", "/etc/sysctl.d/90-swapboot-swap.conf"}, {"SYSCTL_ORIG", "/var/lib/swapboot/sysctl.orig"}, {"SYSCTL_CONTENT", "vm.swappiness = 60\n"}, {"SLICE_DROPIN", "/etc/systemd/system/system.slice.d/90-swapboot-noswap.conf"}, {"SLICE_CONTENT", "[Slice]\nMemorySwapMax=0\n"}},
	"kubelet-patch":     {{"PATCH_FILE", "/var/lib/swapboot/kubeadm-patches/kubeletconfiguration+merge.yaml"}, {"CONTENT", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmemorySwap:\n  swapBehavior: LimitedSwap\n"}},
	"node-swap-labels":  {{"SWAP_NODES", "worker1\nworker2"}, {"OTHER_NODES", "m1"}, {"SET_LABEL", "yes"}, {"LABEL_KEY", "feature.node.kubernetes.io/memory-swap"}, {"LABEL_VALUE", "true"}, {"SET_TAINT", "yes"}, {"TAINT_KEY", "swapboot.io/swap"}, {"TAINT_VALUE", "true"}, {"TAINT_EFFECT", "NoSchedule"}},
	"kubelet-configmap": {{"CONFIGMAP", "kubelet-config"}, {"CONTENT", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n"}},
	"swap-remove":       {{"SWAP_PATH", "/swapfile"}, {"CRYPT_NAME", "swapboot_swap"}},
	"reset":             {{"ENV_FILE", "/etc/default/kubelet"}},
	"nodes":             {{"CNI_NAMESPACE", "kube-flannel"}, {"CNI_SELECTOR", "app=flannel"}, {"SWAP_LABEL_PATH", `feature\.node\.kubernetes\.io/memory-swap`}, {"SWAP_TAINT_KEY", "swapboot.io/swap"}},
	"net-prereqs":       {{"MODULES_FILE", "/etc/modules-load.d/swapboot-k8s.conf"}, {"SYSCTL_FILE", "/etc/sysctl.d/90-swapboot-k8s.conf"}},
	"pod-network-apply": {{"MANIFEST", "---\nkind: Namespace\napiVersion: v1\nmetadata:\n  name: kube-flannel\n"}, {"MANIFEST_PATH", "/var/lib/swapboot/kube-flannel.yml"}, {"WHAT", "flannel v0.28.4"}},
	"pod-network-wait":  {{"NAMESPACE", "kube-flannel"}, {"SELECTOR", "app=flannel"}, {"NODES", "m1\nworker1"}, {"NOT_JOINED", "worker2"}, {"TIMEOUT_SECONDS", "300"}, {"LOG_LINES", "40"}},
	"reset-cleanup":     nil,
	"kubelet-restart":   nil,
	"upload-certs":      {{"KUBEADM_CONFIG", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\ncertificateKey: " + sampleKey + "\n"}},
	"join-control-plane": {{"KUBEADM_CONFIG", "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ncontrolPlane:\n  certificateKey: " + sampleKey + "\n"},
		{"CRI_SOCKET", "unix:///run/containerd/containerd.sock"}},
	"wait-control-plane":   {{"NODE_NAME", "master-2"}, {"API_SERVER", "https://10.0.0.12:6443"}, {"TIMEOUT_SECONDS", "300"}},
	"load-balancer-remove": nil,
	"control-plane-health": {{"API_SERVER", "https://10.0.0.12:6443"}},
	"load-balancer":        {{"KEEPALIVED_CONF", "global_defs {\n}\n"}, {"CHECK_SCRIPT", "#!/bin/sh\ncurl -sfk https://127.0.0.1:6443/healthz\n"}, {"HAPROXY_CFG", "global\n    daemon\n"}},
}

// sampleKey is a certificate key for the samples (kubeadm's format: 64 hex digits).
const sampleKey = "8c6e1cfcd57cadfeed2ff3793cead1ff47fc86a1c6a6a93e78b12562ffda590d"

func TestEveryScriptHasSampleInputs(t *testing.T) {
	for _, name := range Names() {
		if _, ok := sampleInputs[name]; !ok {
			t.Errorf("script %s has no sample inputs in this test: add them so it gets a golden file and shellcheck", name)
		}
	}
}

func TestGoldenAndShellcheck(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal("shellcheck is required (Debian package shellcheck); .ci/run installs it")
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			got, err := render(name, sampleInputs[name]...)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", name+".golden"), got)
			cmd := exec.Command(shellcheck, "--shell=sh", "--severity=style", "-")
			cmd.Stdin = strings.NewReader(got)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s:\n%s", name, out)
			}
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, []byte(got))
}

func TestRenderRefusesWrongInputs(t *testing.T) {
	cases := map[string][]Var{
		"missing":   {{"SWAP_PATH", "/swapfile"}},
		"unknown":   {{"SWAP_PATH", "/s"}, {"SWAP_MIB", "1"}, {"METHOD", "dd"}, {"EXTRA", "x"}},
		"twice":     {{"SWAP_PATH", "/s"}, {"SWAP_PATH", "/t"}, {"SWAP_MIB", "1"}, {"METHOD", "dd"}},
		"bad name":  {{"swap_path", "/s"}},
		"no script": nil,
	}
	for name, vars := range cases {
		script := "swap"
		if name == "no script" {
			script = "does-not-exist"
		}
		if _, err := render(script, vars...); err == nil {
			t.Errorf("%s: Render accepted %v", name, vars)
		}
	}
}

// TestQuoteWithRealShell feeds arbitrary strings through Quote and checks that a real sh sees them verbatim.
func TestQuoteWithRealShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	roundTrip := func(s string) bool {
		s = strings.ReplaceAll(s, "\x00", "") // a shell word cannot hold NUL; the cluster file refuses it
		out, err := exec.Command(sh, "-c", "printf '%s' "+Quote(s)).Output()
		if err != nil {
			t.Logf("sh failed for %q: %v", s, err)
			return false
		}
		if string(out) != s {
			t.Logf("sh saw %q for %q", out, s)
		}
		return string(out) == s
	}
	fixed := []string{"", "'", "''", `"`, `\`, "$(reboot)", "`id`", "a b", "*", "~", "\n", "-n", "%s", "$HOME", "'\\''", "ünïcode", "!$#&;|<>(){}[]"}
	for _, s := range fixed {
		if !roundTrip(s) {
			t.Errorf("Quote(%q) does not survive sh", s)
		}
	}
	if err := quick.Check(roundTrip, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}

// TestRenderedScriptsAssignInputsVerbatim runs the header of a rendered script in sh and prints a variable.
func TestRenderedScriptsAssignInputsVerbatim(t *testing.T) {
	tricky := "KUBELET_EXTRA_ARGS=\"--x='$(touch /tmp/pwned)'\"\n`id`; rm -rf /\n"
	got, err := render("kubelet-env", Var{"ENV_FILE", "/etc/default/kubelet"}, Var{"CONTENT", tricky})
	if err != nil {
		t.Fatal(err)
	}
	header := got[:strings.Index(got, "# --- common")]
	out, err := exec.Command("sh", "-c", header+"printf '%s' \"$CONTENT\"\n}").Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != tricky {
		t.Errorf("sh saw %q, want %q", out, tricky)
	}
}

// TestScriptSurvivesCommandsReadingStdin runs a rendered script the way sshexec does (on sh's stdin) with a
// command that reads stdin: it must not eat the rest of the script.
func TestScriptSurvivesCommandsReadingStdin(t *testing.T) {
	got, err := render("kubelet-logs", Var{"LINES", "1"})
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Replace(got, "if command -v journalctl", "cat; echo after-cat\nif command -v journalctl", 1)
	cmd := exec.Command("sh", "-s")
	cmd.Stdin = strings.NewReader(script)
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "after-cat") {
		t.Errorf("the rest of the script was swallowed:\n%s", out)
	}
}

// The zram helper is installed as a script of its own (/usr/local/sbin/swapboot-zram): shellcheck it as one.
func TestZramHelperShellcheck(t *testing.T) {
	_, helper := zramFiles(1024)
	unit, _ := zramFiles(1024)
	if !strings.Contains(unit, "ExecStart=/usr/local/sbin/swapboot-zram start 1024\n") || strings.Contains(unit, "@MIB@") {
		t.Errorf("unit without its size:\n%s", unit)
	}
	cmd := exec.Command("shellcheck", "--shell=sh", "--severity=style", "-")
	cmd.Stdin = strings.NewReader(helper)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck swapboot-zram:\n%s", out)
	}
}
