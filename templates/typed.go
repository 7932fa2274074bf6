package templates

import (
	"strconv"
	"strings"
	"time"
)

// Script is a typed call of one script: one struct per file in scripts/, one field per input, so a wrong
// script or input name does not compile. Render it with Render, show it with Display.
type Script interface {
	// Name is the script's file in scripts/, without ".sh".
	Name() string
	inputs() []input
}

// Secret is an input value that is never shown: Display prints RedactionMarker in its place, wherever
// the value appears in the script's inputs.
type Secret string

// RedactionMarker replaces a Secret in displayed scripts (the same marker output.Redactor uses).
const RedactionMarker = "<redacted>"

// input is one shell variable of a typed call.
type input struct {
	Var
	secret bool
}

func in(name, value string) input { return input{Var: Var{Name: name, Value: value}} }
func secretIn(name string, v Secret) input {
	return input{Var: Var{Name: name, Value: string(v)}, secret: true}
}
func lines(flags []string) string { return strings.Join(flags, "\n") }

// Render returns the script to run, its inputs assigned at the top.
func Render(s Script) (string, error) { return render(s.Name(), varsOf(s.inputs())...) }

// Display returns the script as Render does, with every Secret of the call masked.
func Display(s Script) (string, error) {
	secrets := Secrets(s)
	vars := varsOf(s.inputs())
	for i := range vars {
		for _, sec := range secrets {
			vars[i].Value = strings.ReplaceAll(vars[i].Value, sec, RedactionMarker)
		}
	}
	return render(s.Name(), vars...)
}

// Secrets are the values of the call's Secret fields (empty ones left out).
func Secrets(s Script) []string {
	var out []string
	for _, i := range s.inputs() {
		if i.secret && i.Value != "" {
			out = append(out, i.Value)
		}
	}
	if c, ok := s.(containsSecrets); ok {
		for _, v := range c.contained() {
			if v != "" {
				out = append(out, string(v))
			}
		}
	}
	return out
}

// containsSecrets is a call whose non-secret inputs embed a secret (the bootstrap token inside a kubeadm
// configuration or flag list): the secret is a field of the call, not a shell variable.
type containsSecrets interface {
	contained() []Secret
}

func varsOf(ins []input) []Var {
	vars := make([]Var, len(ins))
	for i, v := range ins {
		vars[i] = v.Var
	}
	return vars
}

// Facts reads everything swapboot needs to know about a host, changing nothing (scripts/facts.sh).
type Facts struct {
	SwapPath, SwapType, SwapDevice string
	SwapEncrypt                    bool
	SwapCryptName                  string
}

func (Facts) Name() string { return "facts" }
func (s Facts) inputs() []input {
	return []input{in("SWAP_PATH", s.SwapPath), in("SWAP_TYPE", s.SwapType), in("SWAP_DEVICE", s.SwapDevice),
		in("SWAP_ENCRYPT", strconv.FormatBool(s.SwapEncrypt)), in("SWAP_CRYPT_NAME", s.SwapCryptName)}
}

// Nodes lists the cluster's nodes from the master, and the pods of the pod network when one is named
// (scripts/nodes.sh).
type Nodes struct {
	CNINamespace, CNISelector string
	// SwapLabelKey and SwapTaintKey are the swap label's and taint's keys, shown per node.
	SwapLabelKey, SwapTaintKey string
}

func (Nodes) Name() string { return "nodes" }
func (s Nodes) inputs() []input {
	// kubectl's JSONPath needs the dots of a label key escaped.
	return []input{in("CNI_NAMESPACE", s.CNINamespace), in("CNI_SELECTOR", s.CNISelector),
		in("SWAP_LABEL_PATH", strings.ReplaceAll(s.SwapLabelKey, ".", `\.`)), in("SWAP_TAINT_KEY", s.SwapTaintKey)}
}

// Swap creates the swap file and its /etc/fstab line (scripts/swap.sh).
type Swap struct {
	SwapPath string
	SwapMiB  int64
	Method   string // dd | fallocate | btrfs
}

func (Swap) Name() string { return "swap" }
func (s Swap) inputs() []input {
	return []input{in("SWAP_PATH", s.SwapPath), in("SWAP_MIB", strconv.FormatInt(s.SwapMiB, 10)), in("METHOD", s.Method)}
}

// SwapDevice gives a disk or partition to swap with its /etc/fstab line (scripts/swap-device.sh).
type SwapDevice struct{ Device, CryptName string }

func (SwapDevice) Name() string { return "swap-device" }
func (s SwapDevice) inputs() []input {
	return []input{in("SWAP_DEVICE", s.Device), in("CRYPT_NAME", s.CryptName)}
}

// SwapEncrypted puts a swap file or device behind dm-crypt with a random key per boot
// (scripts/swap-encrypted.sh).
type SwapEncrypted struct {
	Kind, Source string // file | device, and its path
	SwapMiB      int64  // the file's size
	Method       string // how the file is allocated
	CryptName    string
	CrypttabRest string // source, key file, options
}

func (SwapEncrypted) Name() string { return "swap-encrypted" }
func (s SwapEncrypted) inputs() []input {
	return []input{in("KIND", s.Kind), in("SOURCE", s.Source), in("SWAP_MIB", strconv.FormatInt(s.SwapMiB, 10)), in("METHOD", s.Method),
		in("CRYPT_NAME", s.CryptName), in("CRYPTTAB_REST", s.CrypttabRest)}
}

// SwapZram sets up swapboot-zram.service, a zram swap device of SwapMiB (scripts/swap-zram.sh).
type SwapZram struct{ SwapMiB int64 }

func (SwapZram) Name() string { return "swap-zram" }
func (s SwapZram) inputs() []input {
	unit, helper := zramFiles(s.SwapMiB)
	return []input{in("SWAP_MIB", strconv.FormatInt(s.SwapMiB, 10)), in("UNIT_CONTENT", unit), in("HELPER_CONTENT", helper)}
}

// zramFiles are swapboot-zram.service for a device of mib MiB, and its helper (files/).
func zramFiles(mib int64) (unit, helper string) {
	u, _ := scripts.ReadFile("files/swapboot-zram.service")
	h, _ := scripts.ReadFile("files/swapboot-zram")
	return strings.ReplaceAll(string(u), "@MIB@", strconv.FormatInt(mib, 10)), string(h)
}

// SwapRemove turns off and removes every swap area swapboot made on the host (scripts/swap-remove.sh).
type SwapRemove struct{ SwapPath, CryptName string }

func (SwapRemove) Name() string { return "swap-remove" }
func (s SwapRemove) inputs() []input {
	return []input{in("SWAP_PATH", s.SwapPath), in("CRYPT_NAME", s.CryptName)}
}

// KubeletEnv writes the kubelet's environment file (scripts/kubelet-env.sh).
type KubeletEnv struct{ EnvFile, Content string }

func (KubeletEnv) Name() string { return "kubelet-env" }
func (s KubeletEnv) inputs() []input {
	return []input{in("ENV_FILE", s.EnvFile), in("CONTENT", s.Content)}
}

// KubeletConfig writes /var/lib/kubelet/config.yaml and restarts the kubelet (scripts/kubelet-config.sh).
type KubeletConfig struct{ Content string }

func (KubeletConfig) Name() string      { return "kubelet-config" }
func (s KubeletConfig) inputs() []input { return []input{in("CONTENT", s.Content)} }

// SwapTuning writes (or, with empty contents, removes) swapboot's vm sysctl file and its system.slice
// drop-in (scripts/swap-tuning.sh).
type SwapTuning struct {
	SysctlFile, SysctlContent string
	// SysctlOrig keeps the values before swapboot's first change, restored when the file is removed.
	SysctlOrig                string
	SliceDropIn, SliceContent string
}

func (SwapTuning) Name() string { return "swap-tuning" }
func (s SwapTuning) inputs() []input {
	return []input{in("SYSCTL_FILE", s.SysctlFile), in("SYSCTL_ORIG", s.SysctlOrig), in("SYSCTL_CONTENT", s.SysctlContent),
		in("SLICE_DROPIN", s.SliceDropIn), in("SLICE_CONTENT", s.SliceContent)}
}

// KubeletPatch writes a node's kubeadm patch of its kubelet configuration (scripts/kubelet-patch.sh).
type KubeletPatch struct{ PatchFile, Content string }

func (KubeletPatch) Name() string { return "kubelet-patch" }
func (s KubeletPatch) inputs() []input {
	return []input{in("PATCH_FILE", s.PatchFile), in("CONTENT", s.Content)}
}

// NodeSwapLabels puts the swap label and taint on the nodes with swap and takes them off the others
// (scripts/node-swap-labels.sh).
type NodeSwapLabels struct {
	SwapNodes, OtherNodes []string
	SetLabel, SetTaint    bool
	LabelKey, LabelValue  string
	TaintKey, TaintValue  string
	TaintEffect           string
}

func (NodeSwapLabels) Name() string { return "node-swap-labels" }
func (s NodeSwapLabels) inputs() []input {
	return []input{in("SWAP_NODES", lines(s.SwapNodes)), in("OTHER_NODES", lines(s.OtherNodes)), in("SET_LABEL", yesNo(s.SetLabel)),
		in("LABEL_KEY", s.LabelKey), in("LABEL_VALUE", s.LabelValue), in("SET_TAINT", yesNo(s.SetTaint)),
		in("TAINT_KEY", s.TaintKey), in("TAINT_VALUE", s.TaintValue), in("TAINT_EFFECT", s.TaintEffect)}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// KubeletConfigMap writes the kubelet-config ConfigMap's kubelet document (scripts/kubelet-configmap.sh).
type KubeletConfigMap struct{ ConfigMap, Content string }

func (KubeletConfigMap) Name() string { return "kubelet-configmap" }
func (s KubeletConfigMap) inputs() []input {
	return []input{in("CONFIGMAP", s.ConfigMap), in("CONTENT", s.Content)}
}

// KubeletRestart restarts the kubelet (scripts/kubelet-restart.sh).
type KubeletRestart struct{}

func (KubeletRestart) Name() string    { return "kubelet-restart" }
func (KubeletRestart) inputs() []input { return nil }

// KubeletLogs prints the tail of the kubelet log (scripts/kubelet-logs.sh).
type KubeletLogs struct{ Lines int }

func (KubeletLogs) Name() string      { return "kubelet-logs" }
func (s KubeletLogs) inputs() []input { return []input{in("LINES", strconv.Itoa(s.Lines))} }

// Init runs kubeadm init (scripts/init.sh): with a configuration, or with flags on the legacy path.
type Init struct {
	KubeadmConfig string
	KubeadmFlags  []string
	NodeName      string
	// Token is the bootstrap token KubeadmConfig or KubeadmFlags carry.
	Token Secret
	// Redo is why an earlier init did not finish: kubeadm reset -f first ("" = none).
	Redo string
	// CertificateKey (several masters) is the key KubeadmConfig carries.
	CertificateKey Secret
}

func (Init) Name() string { return "init" }
func (s Init) inputs() []input {
	return []input{in("KUBEADM_CONFIG", s.KubeadmConfig), in("KUBEADM_FLAGS", lines(s.KubeadmFlags)), in("NODE_NAME", s.NodeName), in("REDO", s.Redo)}
}
func (s Init) contained() []Secret { return []Secret{s.Token, s.CertificateKey} }

// Join runs kubeadm join (scripts/join.sh): with a configuration, or with flags on the legacy path.
type Join struct {
	KubeadmConfig string
	KubeadmFlags  []string
	// Token is the bootstrap token KubeadmConfig or KubeadmFlags carry.
	Token Secret
	// Redo is why an earlier join did not finish: kubeadm reset -f first ("" = none).
	Redo string
}

func (Join) Name() string { return "join" }
func (s Join) inputs() []input {
	return []input{in("KUBEADM_CONFIG", s.KubeadmConfig), in("KUBEADM_FLAGS", lines(s.KubeadmFlags)), in("REDO", s.Redo)}
}
func (s Join) contained() []Secret { return []Secret{s.Token} }

// TokenCreate mints a bootstrap token and prints the join command (scripts/token-create.sh).
type TokenCreate struct {
	Token Secret
	TTL   time.Duration
}

func (TokenCreate) Name() string { return "token-create" }
func (s TokenCreate) inputs() []input {
	return []input{secretIn("TOKEN", s.Token), in("TTL", s.TTL.String())}
}

// CACert prints the cluster CA certificate (scripts/ca-cert.sh).
type CACert struct{}

func (CACert) Name() string    { return "ca-cert" }
func (CACert) inputs() []input { return nil }

// AdminKubeconfig prints /etc/kubernetes/admin.conf (scripts/admin-kubeconfig.sh).
type AdminKubeconfig struct{}

func (AdminKubeconfig) Name() string    { return "admin-kubeconfig" }
func (AdminKubeconfig) inputs() []input { return nil }

// WaitReady waits, bounded, until a node is Ready (scripts/wait-ready.sh).
type WaitReady struct {
	NodeName string
	Timeout  time.Duration // whole seconds are used
}

func (WaitReady) Name() string { return "wait-ready" }
func (s WaitReady) inputs() []input {
	return []input{in("NODE_NAME", s.NodeName), in("TIMEOUT_SECONDS", strconv.Itoa(int(s.Timeout.Seconds())))}
}

// NetPrereqs loads br_netfilter and sets the pod network's sysctls, persisted (scripts/net-prereqs.sh).
type NetPrereqs struct{ ModulesFile, SysctlFile string }

func (NetPrereqs) Name() string { return "net-prereqs" }
func (s NetPrereqs) inputs() []input {
	return []input{in("MODULES_FILE", s.ModulesFile), in("SYSCTL_FILE", s.SysctlFile)}
}

// PodNetworkApply applies a pod network manifest through the admin kubeconfig (scripts/pod-network-apply.sh).
type PodNetworkApply struct {
	// Manifest is a rendered document (RenderDocument), kept at ManifestPath on the master.
	Manifest, ManifestPath string
	What                   string
}

func (PodNetworkApply) Name() string { return "pod-network-apply" }
func (s PodNetworkApply) inputs() []input {
	return []input{in("MANIFEST", s.Manifest), in("MANIFEST_PATH", s.ManifestPath), in("WHAT", s.What)}
}

// PodNetworkWait waits, bounded, until the pod network runs on the nodes and they are Ready
// (scripts/pod-network-wait.sh).
type PodNetworkWait struct {
	Namespace, Selector string
	Nodes               []string
	// NotJoined are planned nodes whose join did not succeed in this run: not waited for, only named.
	NotJoined []string
	Timeout   time.Duration // whole seconds are used
	LogLines  int
}

func (PodNetworkWait) Name() string { return "pod-network-wait" }
func (s PodNetworkWait) inputs() []input {
	return []input{in("NAMESPACE", s.Namespace), in("SELECTOR", s.Selector), in("NODES", lines(s.Nodes)), in("NOT_JOINED", lines(s.NotJoined)),
		in("TIMEOUT_SECONDS", strconv.Itoa(int(s.Timeout.Seconds()))), in("LOG_LINES", strconv.Itoa(s.LogLines))}
}

// FlannelManifest is a document, not a script: the pinned flannel release's kube-flannel manifest
// (documents/kube-flannel.yml), rendered with RenderDocument.
type FlannelManifest struct {
	// Network is net-conf.json's Network (the cluster's podSubnet); Backend its Backend Type.
	Network, Backend string
	// FlannelImage and CNIPluginImage are the two images (cni.FlannelImages).
	FlannelImage, CNIPluginImage string
	// CNIBinDir is the host directory the install-cni-plugin init container copies the plugin into.
	CNIBinDir string
}

func (FlannelManifest) Name() string { return "kube-flannel" }
func (FlannelManifest) document()    {}
func (d FlannelManifest) inputs() []input {
	return []input{in("NETWORK", d.Network), in("BACKEND", d.Backend), in("FLANNEL_IMAGE", d.FlannelImage),
		in("CNI_PLUGIN_IMAGE", d.CNIPluginImage), in("CNI_BIN_DIR", d.CNIBinDir)}
}

// Reset runs kubeadm reset -f and restores the kubelet env file (scripts/reset.sh).
type Reset struct{ EnvFile string }

func (Reset) Name() string      { return "reset" }
func (s Reset) inputs() []input { return []input{in("ENV_FILE", s.EnvFile)} }

// ResetCleanup removes what kubeadm reset leaves and Kubernetes, the pod network and swapboot made
// (scripts/reset-cleanup.sh).
type ResetCleanup struct{}

func (ResetCleanup) Name() string    { return "reset-cleanup" }
func (ResetCleanup) inputs() []input { return nil }

// All is one zero-valued call of every script, for tests that check the calls match the scripts.
func All() []Script {
	return []Script{Facts{}, Nodes{}, Swap{}, SwapDevice{}, SwapEncrypted{}, SwapZram{}, SwapRemove{}, SwapTuning{}, KubeletEnv{}, KubeletConfig{}, KubeletPatch{}, NodeSwapLabels{}, KubeletConfigMap{}, KubeletRestart{},
		KubeletLogs{}, Init{}, Join{}, TokenCreate{}, CACert{}, AdminKubeconfig{}, WaitReady{}, Reset{},
		NetPrereqs{}, PodNetworkApply{}, PodNetworkWait{}, ResetCleanup{},
		UploadCerts{}, JoinControlPlane{}, WaitControlPlane{}, LoadBalancer{}, LoadBalancerRemove{}, ControlPlaneHealth{}}
}

// AllDocuments is one zero-valued call of every document.
func AllDocuments() []Document { return []Document{FlannelManifest{}} }

// UploadCerts uploads the control-plane certificates again with a fresh key (scripts/upload-certs.sh).
type UploadCerts struct {
	KubeadmConfig string
	// CertificateKey is the key KubeadmConfig carries.
	CertificateKey Secret
}

func (UploadCerts) Name() string          { return "upload-certs" }
func (s UploadCerts) inputs() []input     { return []input{in("KUBEADM_CONFIG", s.KubeadmConfig)} }
func (s UploadCerts) contained() []Secret { return []Secret{s.CertificateKey} }

// JoinControlPlane joins a further master (scripts/join-control-plane.sh).
type JoinControlPlane struct {
	KubeadmConfig string
	CRISocket     string
	// Token and CertificateKey are the secrets KubeadmConfig carries.
	Token          Secret
	CertificateKey Secret
}

func (JoinControlPlane) Name() string { return "join-control-plane" }
func (s JoinControlPlane) inputs() []input {
	return []input{in("KUBEADM_CONFIG", s.KubeadmConfig), in("CRI_SOCKET", s.CRISocket)}
}
func (s JoinControlPlane) contained() []Secret { return []Secret{s.Token, s.CertificateKey} }

// WaitControlPlane waits, bounded, until a master's API server and etcd member are healthy
// (scripts/wait-control-plane.sh).
type WaitControlPlane struct {
	NodeName  string
	APIServer string        // https://address:6443
	Timeout   time.Duration // whole seconds are used
}

func (WaitControlPlane) Name() string { return "wait-control-plane" }
func (s WaitControlPlane) inputs() []input {
	return []input{in("NODE_NAME", s.NodeName), in("API_SERVER", s.APIServer), in("TIMEOUT_SECONDS", strconv.Itoa(int(s.Timeout.Seconds())))}
}

// LoadBalancer writes keepalived's and haproxy's configuration and (re)starts them
// (scripts/load-balancer.sh).
type LoadBalancer struct {
	KeepalivedConf string
	CheckScript    string
	HAProxyCfg     string
}

func (LoadBalancer) Name() string { return "load-balancer" }
func (s LoadBalancer) inputs() []input {
	return []input{in("KEEPALIVED_CONF", s.KeepalivedConf), in("CHECK_SCRIPT", s.CheckScript), in("HAPROXY_CFG", s.HAProxyCfg)}
}

// LoadBalancerRemove undoes LoadBalancer on reset (scripts/load-balancer-remove.sh).
type LoadBalancerRemove struct{}

func (LoadBalancerRemove) Name() string    { return "load-balancer-remove" }
func (LoadBalancerRemove) inputs() []input { return nil }

// ControlPlaneHealth reads a master's API server, etcd member and endpoint health, changing nothing
// (scripts/control-plane-health.sh).
type ControlPlaneHealth struct {
	APIServer string // https://address:6443
}

func (ControlPlaneHealth) Name() string      { return "control-plane-health" }
func (s ControlPlaneHealth) inputs() []input { return []input{in("API_SERVER", s.APIServer)} }
