// Package kubeadmcfg renders the kubeadm configuration documents swapboot uploads to its hosts, and edits
// a node's kubelet config.yaml for `swap enable/disable`. It is the only swapboot package importing
// k8s.io/kubernetes: documents are built with the official types (kubeadm.k8s.io/v1beta3 and v1beta4,
// kubelet.config.k8s.io/v1beta1, kubeproxy.config.k8s.io/v1alpha1) and hold only the fields swapboot or
// the user set: every field whose JSON form equals its type's zero value is dropped (see prune), so there
// is no `cpuManagerReconcilePeriod: 0s` and the like. apiVersion and kind come first, other keys sorted.
//
// Secrets (the bootstrap token) are never part of an error message.
package kubeadmcfg

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	bootstraptokenv1 "k8s.io/kubernetes/cmd/kubeadm/app/apis/bootstraptoken/v1"
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3"
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta4"

	"github.com/swapboot/swapboot/bootstrap/versions"
)

// APIVersion is a kubeadm configuration API version.
type APIVersion string

const (
	// V1beta3 is accepted by kubeadm 1.22 to 1.35 (deprecated in 1.31, removed in 1.36); swapboot uses it
	// for Kubernetes 1.22-1.30.
	V1beta3 APIVersion = versions.KubeadmV1beta3
	// V1beta4 is accepted by kubeadm 1.31 and newer.
	V1beta4 APIVersion = versions.KubeadmV1beta4
)

// InitParams is what RenderInit needs for the first master. Empty / zero fields are left to kubeadm's
// defaults unless stated otherwise.
type InitParams struct {
	APIVersion APIVersion
	// KubernetesVersion such as "v1.37.2"; "" lets kubeadm choose. When set it is checked against
	// APIVersion and the kubelet settings.
	KubernetesVersion string
	// NodeName "" lets kubeadm use the hostname.
	NodeName string
	// AdvertiseAddress is the master's IP address (kubeadm refuses a host name); "" lets kubeadm choose.
	AdvertiseAddress string
	// BindPort 0 = kubeadm's default (6443).
	BindPort int32
	// BootstrapToken "[a-z0-9]{6}.[a-z0-9]{16}" (required, secret).
	BootstrapToken string
	// TokenTTL 0 = kubeadm's default (24h).
	TokenTTL             time.Duration
	PodSubnet            string
	ServiceSubnet        string
	ControlPlaneEndpoint string // "" for a single master
	// CertificateKey encrypts the certificates init uploads for control-plane joins (64 hex, secret; set
	// with ControlPlaneEndpoint when there are several masters, "" otherwise).
	CertificateKey  string
	CRISocket       string // "" = kubeadm detects it
	ImagePullPolicy string // "", "Always", "IfNotPresent" or "Never"
	// IgnorePreflightErrors: "Swap" is always added; duplicates (case-insensitive) are dropped; a list
	// holding "all" renders as just [all].
	IgnorePreflightErrors []string
	// KubeletExtraArgs are flag names without "--": a map in v1beta3, a list of {name, value} sorted by name
	// in v1beta4.
	KubeletExtraArgs map[string]string
	Kubelet          KubeletParams
	// KubeletOverrides is the cluster file's `kubelet:` section; it is merged under swapboot's settings
	// (see CheckKubeletOverrides).
	KubeletOverrides map[string]any
	// KubeProxyOverrides is the cluster file's `kubeProxy:` section; no KubeProxyConfiguration document is
	// rendered when it is empty.
	KubeProxyOverrides map[string]any
	// PatchesDir is the node's kubeadm patches directory ("" = none): kubeadm applies its
	// kubeletconfiguration patch to the kubelet config it writes on this node.
	PatchesDir string
}

// KubeletParams are swapboot's own KubeletConfiguration settings.
type KubeletParams struct {
	// FailSwapOn nil = unset (the kubelet's default is true); swapboot sets false.
	FailSwapOn *bool
	// SwapBehavior is memorySwap.swapBehavior: "", "NoSwap" (1.30+) or "LimitedSwap".
	SwapBehavior string
	// NodeSwapFeatureGate renders featureGates: {NodeSwap: true}. Only valid with a SwapBehavior on
	// 1.22-1.29 (the kubelet refuses a swapBehavior without the gate there; later versions enable it by
	// default and will drop it).
	NodeSwapFeatureGate bool
	// FailCgroupV1 nil = unset; swapboot sets false on cgroup v1 hosts for >= 1.35. The field exists
	// since 1.31.
	FailCgroupV1 *bool
	// CgroupDriver is cgroupDriver ("" leaves kubeadm's default: systemd since 1.22); swapboot sets the
	// container runtime's driver. A user value that differs is refused (the plan refuses it first).
	CgroupDriver string
}

// JoinParams is what RenderJoin needs for a worker.
type JoinParams struct {
	APIVersion APIVersion
	NodeName   string
	// APIServerEndpoint is "host:port", for example "10.0.0.1:6443".
	APIServerEndpoint string
	BootstrapToken    string
	// CACertHashes are "sha256:<64 lower-case hex>"; at least one is required.
	CACertHashes          []string
	CRISocket             string
	ImagePullPolicy       string
	IgnorePreflightErrors []string
	KubeletExtraArgs      map[string]string
	// ControlPlane, when set, makes this a control-plane join (ha.go).
	ControlPlane *JoinControlPlane
	// PatchesDir: as in InitParams.
	PatchesDir string
}

// RenderInit renders the --config of `kubeadm init`: InitConfiguration, ClusterConfiguration,
// KubeletConfiguration and, when KubeProxyOverrides is not empty, KubeProxyConfiguration, separated by
// "---" lines.
func RenderInit(p InitParams) ([]byte, error) {
	ver, err := checkVersions(p.APIVersion, p.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	var errs []error
	if err := checkToken(p.BootstrapToken); err != nil {
		errs = append(errs, err)
	}
	if p.TokenTTL < 0 {
		errs = append(errs, fmt.Errorf("token TTL %v is negative", p.TokenTTL))
	}
	if p.AdvertiseAddress != "" {
		if _, err := netip.ParseAddr(p.AdvertiseAddress); err != nil {
			errs = append(errs, fmt.Errorf("advertise address %q is not an IP address (kubeadm needs one)", p.AdvertiseAddress))
		}
	}
	if p.BindPort < 0 || p.BindPort > 65535 {
		errs = append(errs, fmt.Errorf("bind port %d is out of range", p.BindPort))
	}
	for _, s := range []struct{ name, v string }{{"pod subnet", p.PodSubnet}, {"service subnet", p.ServiceSubnet}} {
		if err := checkSubnets(s.name, s.v); err != nil {
			errs = append(errs, err)
		}
	}
	if p.ControlPlaneEndpoint != "" {
		if err := checkEndpoint("control plane endpoint", p.ControlPlaneEndpoint, false); err != nil {
			errs = append(errs, err)
		}
	}
	if p.CertificateKey != "" {
		if err := checkCertificateKey(p.CertificateKey); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, checkNodeRegistration(p.NodeName, p.ImagePullPolicy, p.KubeletExtraArgs)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	kubeletDoc, err := renderKubelet(p.Kubelet, ver, p.KubeletOverrides)
	if err != nil {
		return nil, err
	}
	var proxyDoc []byte
	if len(p.KubeProxyOverrides) > 0 {
		kp, keep, err := decodeKubeProxyOverrides(p.KubeProxyOverrides)
		if err != nil {
			return nil, err
		}
		kp.APIVersion = kubeproxyv1alpha1.SchemeGroupVersion.String()
		kp.Kind = "KubeProxyConfiguration"
		if proxyDoc, err = renderDocument(kp, keep); err != nil {
			return nil, err
		}
	}

	token, err := bootstraptokenv1.NewBootstrapTokenString(p.BootstrapToken)
	if err != nil {
		return nil, errors.New("bootstrap token is not of the form [a-z0-9]{6}.[a-z0-9]{16}")
	}
	bt := bootstraptokenv1.BootstrapToken{Token: token}
	if p.TokenTTL > 0 {
		bt.TTL = &metav1.Duration{Duration: p.TokenTTL}
	}
	preflight := preflightErrors(p.IgnorePreflightErrors)

	var initObj, clusterObj any
	switch p.APIVersion {
	case V1beta3:
		initObj = &v1beta3.InitConfiguration{
			TypeMeta:        typeMeta(p.APIVersion, "InitConfiguration"),
			BootstrapTokens: []bootstraptokenv1.BootstrapToken{bt},
			NodeRegistration: v1beta3.NodeRegistrationOptions{
				Name: p.NodeName, CRISocket: p.CRISocket, ImagePullPolicy: corev1.PullPolicy(p.ImagePullPolicy),
				IgnorePreflightErrors: preflight, KubeletExtraArgs: extraArgsMap(p.KubeletExtraArgs),
			},
			LocalAPIEndpoint: v1beta3.APIEndpoint{AdvertiseAddress: p.AdvertiseAddress, BindPort: p.BindPort},
		}
		clusterObj = &v1beta3.ClusterConfiguration{
			TypeMeta:             typeMeta(p.APIVersion, "ClusterConfiguration"),
			Networking:           v1beta3.Networking{PodSubnet: p.PodSubnet, ServiceSubnet: p.ServiceSubnet},
			KubernetesVersion:    p.KubernetesVersion,
			ControlPlaneEndpoint: p.ControlPlaneEndpoint,
		}
	case V1beta4:
		initObj = &v1beta4.InitConfiguration{
			TypeMeta:        typeMeta(p.APIVersion, "InitConfiguration"),
			BootstrapTokens: []bootstraptokenv1.BootstrapToken{bt},
			NodeRegistration: v1beta4.NodeRegistrationOptions{
				Name: p.NodeName, CRISocket: p.CRISocket, ImagePullPolicy: corev1.PullPolicy(p.ImagePullPolicy),
				IgnorePreflightErrors: preflight, KubeletExtraArgs: extraArgsList(p.KubeletExtraArgs),
			},
			LocalAPIEndpoint: v1beta4.APIEndpoint{AdvertiseAddress: p.AdvertiseAddress, BindPort: p.BindPort},
		}
		clusterObj = &v1beta4.ClusterConfiguration{
			TypeMeta:             typeMeta(p.APIVersion, "ClusterConfiguration"),
			Networking:           v1beta4.Networking{PodSubnet: p.PodSubnet, ServiceSubnet: p.ServiceSubnet},
			KubernetesVersion:    p.KubernetesVersion,
			ControlPlaneEndpoint: p.ControlPlaneEndpoint,
		}
	}
	setPatches(initObj, p.PatchesDir)
	applyInitHA(initObj, clusterObj, p)
	initDoc, err := renderDocument(initObj, nil)
	if err != nil {
		return nil, err
	}
	clusterDoc, err := renderDocument(clusterObj, nil)
	if err != nil {
		return nil, err
	}
	docs := [][]byte{initDoc, clusterDoc, kubeletDoc}
	if proxyDoc != nil {
		docs = append(docs, proxyDoc)
	}
	return joinDocuments(docs), nil
}

// RenderJoin renders the --config of `kubeadm join` for a worker: one JoinConfiguration with bootstrap
// token discovery. There is no KubeletConfiguration: kubeadm join ignores it, joining nodes get the
// cluster's kubelet-config ConfigMap written at init.
func RenderJoin(p JoinParams) ([]byte, error) {
	if _, err := checkVersions(p.APIVersion, ""); err != nil {
		return nil, err
	}
	var errs []error
	if err := checkToken(p.BootstrapToken); err != nil {
		errs = append(errs, err)
	}
	if err := checkEndpoint("API server endpoint", p.APIServerEndpoint, true); err != nil {
		errs = append(errs, err)
	}
	if len(p.CACertHashes) == 0 {
		errs = append(errs, errors.New("no CA certificate hash (sha256:<hex>) given"))
	}
	for _, h := range p.CACertHashes {
		if !caHashRE.MatchString(h) {
			errs = append(errs, fmt.Errorf("CA certificate hash %q does not match sha256:<64 lower-case hex digits>", h))
		}
	}
	errs = append(errs, checkJoinControlPlane(p.ControlPlane)...)
	errs = append(errs, checkNodeRegistration(p.NodeName, p.ImagePullPolicy, p.KubeletExtraArgs)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	preflight := preflightErrors(p.IgnorePreflightErrors)
	hashes := append([]string(nil), p.CACertHashes...)

	var obj any
	switch p.APIVersion {
	case V1beta3:
		obj = &v1beta3.JoinConfiguration{
			TypeMeta: typeMeta(p.APIVersion, "JoinConfiguration"),
			NodeRegistration: v1beta3.NodeRegistrationOptions{
				Name: p.NodeName, CRISocket: p.CRISocket, ImagePullPolicy: corev1.PullPolicy(p.ImagePullPolicy),
				IgnorePreflightErrors: preflight, KubeletExtraArgs: extraArgsMap(p.KubeletExtraArgs),
			},
			Discovery: v1beta3.Discovery{BootstrapToken: &v1beta3.BootstrapTokenDiscovery{
				Token: p.BootstrapToken, APIServerEndpoint: p.APIServerEndpoint, CACertHashes: hashes,
			}},
		}
	case V1beta4:
		obj = &v1beta4.JoinConfiguration{
			TypeMeta: typeMeta(p.APIVersion, "JoinConfiguration"),
			NodeRegistration: v1beta4.NodeRegistrationOptions{
				Name: p.NodeName, CRISocket: p.CRISocket, ImagePullPolicy: corev1.PullPolicy(p.ImagePullPolicy),
				IgnorePreflightErrors: preflight, KubeletExtraArgs: extraArgsList(p.KubeletExtraArgs),
			},
			Discovery: v1beta4.Discovery{BootstrapToken: &v1beta4.BootstrapTokenDiscovery{
				Token: p.BootstrapToken, APIServerEndpoint: p.APIServerEndpoint, CACertHashes: hashes,
			}},
		}
	}
	setPatches(obj, p.PatchesDir)
	applyJoinControlPlane(obj, p.ControlPlane)
	return renderDocument(obj, nil)
}

// setPatches names the node's kubeadm patches directory in an Init- or JoinConfiguration ("" leaves none).
func setPatches(obj any, dir string) {
	if dir == "" {
		return
	}
	switch o := obj.(type) {
	case *v1beta3.InitConfiguration:
		o.Patches = &v1beta3.Patches{Directory: dir}
	case *v1beta4.InitConfiguration:
		o.Patches = &v1beta4.Patches{Directory: dir}
	case *v1beta3.JoinConfiguration:
		o.Patches = &v1beta3.Patches{Directory: dir}
	case *v1beta4.JoinConfiguration:
		o.Patches = &v1beta4.Patches{Directory: dir}
	}
}

// RenderKubeletSwapPatch renders a node's kubeadm patch of the kubeletconfiguration target (a JSON merge
// patch, file name "kubeletconfiguration+merge.yaml"): memorySwap.swapBehavior, with the KubeletConfiguration's
// own apiVersion and kind (the same values as the document it patches: a merge changes nothing there, and
// the file says what it is).
func RenderKubeletSwapPatch(swapBehavior string) ([]byte, error) {
	switch swapBehavior {
	case "NoSwap", "LimitedSwap":
	default:
		return nil, fmt.Errorf("swap behavior %q is not one of NoSwap, LimitedSwap", swapBehavior)
	}
	kc := &kubeletv1beta1.KubeletConfiguration{MemorySwap: kubeletv1beta1.MemorySwapConfiguration{SwapBehavior: swapBehavior}}
	kc.APIVersion, kc.Kind = kubeletv1beta1.SchemeGroupVersion.String(), "KubeletConfiguration"
	return renderDocument(kc, nil)
}

// renderKubelet renders the KubeletConfiguration: the user's overrides, then swapboot's swap settings on top.
func renderKubelet(kp KubeletParams, ver *version.Version, overrides map[string]any) ([]byte, error) {
	if err := checkKubeletParams(kp, ver); err != nil {
		return nil, err
	}
	kc, keep, err := decodeKubeletOverrides(overrides)
	if err != nil {
		return nil, err
	}
	if kc == nil {
		kc = &kubeletv1beta1.KubeletConfiguration{}
	}
	kc.APIVersion = kubeletv1beta1.SchemeGroupVersion.String()
	kc.Kind = "KubeletConfiguration"
	if kp.FailSwapOn != nil {
		kc.FailSwapOn = boolPtr(*kp.FailSwapOn)
	}
	kc.MemorySwap.SwapBehavior = kp.SwapBehavior
	if kp.NodeSwapFeatureGate {
		if kc.FeatureGates == nil {
			kc.FeatureGates = map[string]bool{}
		}
		kc.FeatureGates["NodeSwap"] = true
	}
	if kp.FailCgroupV1 != nil {
		if kc.FailCgroupV1 != nil && *kc.FailCgroupV1 != *kp.FailCgroupV1 {
			return nil, fmt.Errorf("%s.failCgroupV1: swapboot sets %v on this host; remove it", kubeletSection, *kp.FailCgroupV1)
		}
		kc.FailCgroupV1 = boolPtr(*kp.FailCgroupV1)
	}
	if kp.CgroupDriver != "" {
		if kc.CgroupDriver != "" && kc.CgroupDriver != kp.CgroupDriver {
			return nil, fmt.Errorf("%s.cgroupDriver: the container runtime uses %s; remove it or set %s", kubeletSection, kp.CgroupDriver, kp.CgroupDriver)
		}
		kc.CgroupDriver = kp.CgroupDriver
	}
	return renderDocument(kc, keep)
}

// checkVersions checks the API version and that kubeadm of kubernetesVersion ("" = unknown) accepts it.
func checkVersions(api APIVersion, kubernetesVersion string) (*version.Version, error) {
	if api != V1beta3 && api != V1beta4 {
		return nil, fmt.Errorf("kubeadm API version %q is not supported (want %s or %s)", api, V1beta3, V1beta4)
	}
	if kubernetesVersion == "" {
		return nil, nil
	}
	ver, err := version.ParseGeneric(kubernetesVersion)
	if err != nil {
		return nil, fmt.Errorf("version %q is not a Kubernetes version such as v1.37.2", kubernetesVersion)
	}
	if why := versions.KubeadmAccepts(string(api), ver.Minor()); why != "" {
		return nil, fmt.Errorf("kubeadm %s does not accept %s (%s)", kubernetesVersion, api, why)
	}
	return ver, nil
}

func checkKubeletParams(kp KubeletParams, ver *version.Version) error {
	switch kp.SwapBehavior {
	case "", "NoSwap", "LimitedSwap":
	default:
		return fmt.Errorf("swap behavior %q is not one of NoSwap, LimitedSwap", kp.SwapBehavior)
	}
	if kp.NodeSwapFeatureGate && kp.SwapBehavior == "" {
		return errors.New("the NodeSwap feature gate is only rendered together with a swap behavior")
	}
	switch kp.CgroupDriver {
	case "", "systemd", "cgroupfs":
	default:
		return fmt.Errorf("cgroup driver %q is not one of systemd, cgroupfs", kp.CgroupDriver)
	}
	if ver == nil {
		return nil
	}
	minor := ver.Minor()
	if kp.SwapBehavior != "" && minor < versions.SwapBehaviorFrom {
		return fmt.Errorf("the kubelet of %s has no memorySwap.swapBehavior (added in 1.%d)", ver, versions.SwapBehaviorFrom)
	}
	if kp.SwapBehavior == "NoSwap" && minor < versions.NoSwapFrom {
		return fmt.Errorf("the kubelet of %s does not know swap behavior NoSwap (added in 1.%d)", ver, versions.NoSwapFrom)
	}
	if kp.SwapBehavior != "" && versions.NodeSwapGate(minor) && !kp.NodeSwapFeatureGate {
		return fmt.Errorf("the kubelet of %s refuses a swap behavior without the NodeSwap feature gate", ver)
	}
	if kp.NodeSwapFeatureGate && !versions.NodeSwapGate(minor) {
		return fmt.Errorf("the NodeSwap feature gate must not be set for %s (on by default since 1.%d, locked since 1.34)", ver, versions.NoSwapFrom)
	}
	if kp.FailCgroupV1 != nil && minor < versions.FailCgroupV1FieldFrom {
		return fmt.Errorf("the kubelet of %s has no failCgroupV1 (added in 1.%d)", ver, versions.FailCgroupV1FieldFrom)
	}
	return nil
}

var caHashRE = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

// checkToken validates a bootstrap token without ever printing it.
func checkToken(token string) error {
	if token == "" {
		return errors.New("no bootstrap token given")
	}
	if !bootstraputil.IsValidBootstrapToken(token) {
		return errors.New("bootstrap token is not of the form [a-z0-9]{6}.[a-z0-9]{16}")
	}
	return nil
}

// checkSubnets accepts "" or a comma-separated list of CIDRs (dual stack).
func checkSubnets(name, v string) error {
	if v == "" {
		return nil
	}
	for _, s := range strings.Split(v, ",") {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("%s %q is not a CIDR (or comma-separated CIDRs)", name, v)
		}
	}
	return nil
}

// checkEndpoint accepts "host:port" and, unless portRequired, a bare host name or IP address.
func checkEndpoint(name, v string, portRequired bool) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		_, addrErr := netip.ParseAddr(v)
		if portRequired || strings.Contains(v, ":") && addrErr != nil {
			return fmt.Errorf("%s %q is not host:port", name, v)
		}
		host, port = v, ""
	}
	if host == "" || strings.ContainsAny(host, " /") {
		return fmt.Errorf("%s %q has no valid host", name, v)
	}
	if port != "" || portRequired {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%s %q has an invalid port", name, v)
		}
	}
	return nil
}

func checkNodeRegistration(nodeName, pullPolicy string, extraArgs map[string]string) []error {
	var errs []error
	if nodeName != "" && (strings.ToLower(nodeName) != nodeName || strings.ContainsAny(nodeName, " /_")) {
		errs = append(errs, fmt.Errorf("node name %q is not a lower-case DNS name", nodeName))
	}
	switch pullPolicy {
	case "", string(corev1.PullAlways), string(corev1.PullIfNotPresent), string(corev1.PullNever):
	default:
		errs = append(errs, fmt.Errorf("image pull policy %q is not one of Always, IfNotPresent, Never", pullPolicy))
	}
	for _, k := range sortedKeys(extraArgs) {
		if k == "" || strings.HasPrefix(k, "-") || strings.ContainsAny(k, " =") {
			errs = append(errs, fmt.Errorf("kubelet extra argument %q must be a flag name without leading dashes", k))
		}
	}
	return errs
}

// preflightErrors puts "Swap" first, drops case-insensitive duplicates and empty entries, and reduces a
// list holding "all" to [all] (kubeadm refuses "all" together with other checks).
func preflightErrors(in []string) []string {
	out := []string{"Swap"}
	seen := map[string]bool{"swap": true}
	for _, e := range in {
		e = strings.TrimSpace(e)
		l := strings.ToLower(e)
		if l == "all" {
			return []string{"all"}
		}
		if e == "" || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, e)
	}
	return out
}

func extraArgsMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func extraArgsList(m map[string]string) []v1beta4.Arg {
	if len(m) == 0 {
		return nil
	}
	out := make([]v1beta4.Arg, 0, len(m))
	for k, v := range m {
		out = append(out, v1beta4.Arg{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func typeMeta(api APIVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: string(api), Kind: kind}
}

func boolPtr(b bool) *bool { return &b }
