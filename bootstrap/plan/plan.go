package plan

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// Phase names, in the order the executor runs them.
type Phase string

const (
	PhaseSwap         Phase = "swap"
	PhaseKubelet      Phase = "kubelet"
	PhaseInit         Phase = "init"
	PhaseJoinMaterial Phase = "join-material"
	PhaseJoin         Phase = "join"
	PhaseKubeconfig   Phase = "kubeconfig"
	PhaseReady        Phase = "ready"
	PhaseConfigMap    Phase = "configmap"
	PhaseReset        Phase = "reset"
)

// Stage is a group of phases the executor runs together: every host runs its steps of these phases in
// order, hosts in parallel (bounded) or, when Serial, one at a time (a rolling change).
type Stage struct {
	Phases []Phase
	Serial bool
	// StopOnFailure leaves the remaining hosts of a serial stage untouched once one fails.
	StopOnFailure bool
	// Roles restricts the stage to hosts of these roles (empty: all).
	Roles []cluster.Role
}

func (s Stage) Has(p Phase) bool {
	for _, q := range s.Phases {
		if q == p {
			return true
		}
	}
	return false
}

func (s Stage) ForRole(r cluster.Role) bool {
	if len(s.Roles) == 0 {
		return true
	}
	for _, q := range s.Roles {
		if q == r {
			return true
		}
	}
	return false
}

// upStages is the order of `swapboot up` and `add-node`: one phase at a time, hosts in parallel. Each plan
// gets its own copy.
func upStages() []Stage {
	return []Stage{{Phases: []Phase{PhaseSwap}}, {Phases: []Phase{PhaseKubelet}}, {Phases: []Phase{PhaseInit}},
		{Phases: []Phase{PhaseJoinMaterial}}, {Phases: []Phase{PhaseJoin}}, {Phases: []Phase{PhaseReady}}, {Phases: []Phase{PhaseKubeconfig}}}
}

// Collect says what the executor takes from a step's output.
type Collect int

const (
	CollectNothing     Collect = iota
	CollectInitOutput          // kubeadm init output: the join command, checked against the CA hash
	CollectJoinCommand         // kubeadm token create --print-join-command output
	CollectCACert              // ca.crt: the CA hash workers pin
	CollectKubeconfig          // admin.conf: saved on the controller
)

// Runtime holds values that exist only once the run has reached them (the CA hash after init). Steps that
// need them render at execution time from the same function the dry-run uses with PlaceholderRuntime.
type Runtime struct {
	CACertHashes []string
}

// placeholderHash stands for the CA hash in a dry-run; Display shows it as a readable placeholder.
const placeholderHash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// PlaceholderRuntime is the Runtime a dry-run renders with.
func PlaceholderRuntime() Runtime { return Runtime{CACertHashes: []string{placeholderHash}} }

// Step is one script run on one host.
type Step struct {
	Phase    Phase
	Template string
	// Summary says in a few words what the step does, for the plan and the report.
	Summary string
	// Skip is non-empty when the facts show the step is already done: it is not run.
	Skip string
	// Files are documents the script writes (path -> content), shown by plan --out; the script carries them.
	Files   map[string]string
	Collect Collect
	vars    func(Runtime) ([]templates.Var, error)
}

// Script renders the step's script for a runtime.
func (s Step) Script(rt Runtime) (string, error) {
	vars, err := s.vars(rt)
	if err != nil {
		return "", err
	}
	return templates.Render(s.Template, vars...)
}

// HostPlan is every step swapboot runs on one host, in order.
type HostPlan struct {
	Host  cluster.Host
	Facts hostfacts.Facts
	Steps []Step
}

// Plan is the whole of what `up` does: per host, the exact scripts and files.
type Plan struct {
	// Command names the plan in output ("up", "add-node", "swap enable", ...).
	Command string
	Stages  []Stage
	Cluster *cluster.Cluster
	Policy  KubeletPolicy
	Master  cluster.Host
	Hosts   []HostPlan
	// KubeletSetting says, for the report, what the plan makes of the kubelet's swap settings.
	KubeletSetting string
	// Token is the bootstrap token for init, or minted for joins when init is already done. Secret.
	Token string
	// Assumptions are the facts `swapboot plan` made up instead of asking the hosts.
	Assumptions []string
}

// PlanOptions tune the plan.
type PlanOptions struct {
	TokenTTL     time.Duration // init token lifetime (default 24h)
	JoinTokenTTL time.Duration // token minted for joins when init is already done (default 1h)
	// NewToken makes bootstrap tokens (tests pass a fixed one).
	NewToken func() (string, error)
}

// BuildPlan decides every step from the cluster file and the facts of every host (keyed by address).
// It changes nothing and contacts nothing.
func BuildPlan(c *cluster.Cluster, facts map[string]hostfacts.Facts, opt PlanOptions) (*Plan, error) {
	if opt.TokenTTL == 0 {
		opt.TokenTTL = 24 * time.Hour
	}
	if opt.JoinTokenTTL == 0 {
		opt.JoinTokenTTL = time.Hour
	}
	if opt.NewToken == nil {
		opt.NewToken = joinmaterial.NewBootstrapToken
	}
	if err := hostfacts.CheckFacts(c, facts); err != nil {
		return nil, err
	}
	master := c.Masters[0]
	policy, err := clusterPolicy(c, facts)
	if err != nil {
		return nil, err
	}
	token, err := opt.NewToken()
	if err != nil {
		return nil, fmt.Errorf("bootstrap token: %w", err)
	}
	p := &Plan{Command: "up", Stages: upStages(), Cluster: c, Policy: policy, Master: master, Token: token, KubeletSetting: kubeletSummary(policy)}

	anyJoin := false
	for _, w := range c.Workers {
		if !facts[w.Address].Joined {
			anyJoin = true
		}
	}
	for _, h := range c.Hosts() {
		f := facts[h.Address]
		hp := HostPlan{Host: h, Facts: f}
		hp.Steps = append(hp.Steps, swapStep(c, f))
		if policy.Legacy {
			s, err := kubeletEnvStep(f)
			if err != nil {
				return nil, fmt.Errorf("%s: kubelet: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
		}
		if h.Role == cluster.RoleMaster {
			s, err := initStep(c, h, f, policy, token, opt.TokenTTL)
			if err != nil {
				return nil, fmt.Errorf("%s: init: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
			if anyJoin {
				if f.ControlPlane {
					hp.Steps = append(hp.Steps, tokenCreateStep(token, opt.JoinTokenTTL))
				}
				hp.Steps = append(hp.Steps, Step{Phase: PhaseJoinMaterial, Template: "ca-cert", Summary: "read /etc/kubernetes/pki/ca.crt for the CA hash workers pin",
					Collect: CollectCACert, vars: noVars})
			}
		} else {
			hp.Steps = append(hp.Steps, joinStep(c, h, f, policy, token))
		}
		if h.Role == cluster.RoleMaster {
			hp.Steps = append(hp.Steps, Step{Phase: PhaseKubeconfig, Template: "admin-kubeconfig",
				Summary: "copy /etc/kubernetes/admin.conf to " + c.Name + ".kubeconfig (0600)", Collect: CollectKubeconfig, vars: noVars})
		}
		p.Hosts = append(p.Hosts, hp)
	}
	return p, nil
}

// clusterPolicy decides the kubelet's swap settings for the cluster: the version is the file's
// kubernetesVersion or else what kubeadm on the first master reports, and every host's cgroup counts.
func clusterPolicy(c *cluster.Cluster, facts map[string]hostfacts.Facts) (KubeletPolicy, error) {
	kv := c.KubernetesVersion
	if kv == "" {
		kv = facts[c.Masters[0].Address].KubeadmVersion
	}
	v, err := ParseVersion(kv)
	if err != nil {
		return KubeletPolicy{}, err
	}
	var v1Hosts []string
	for _, h := range c.Hosts() {
		if !facts[h.Address].CgroupV2 {
			v1Hosts = append(v1Hosts, h.ID())
		}
	}
	return DecideKubelet(v, c.Swap.Behavior, v1Hosts)
}

func noVars(Runtime) ([]templates.Var, error) { return nil, nil }

func fixedVars(vars ...templates.Var) func(Runtime) ([]templates.Var, error) {
	return func(Runtime) ([]templates.Var, error) { return vars, nil }
}

// swapMethod picks how the swap file is allocated: fallocate is instant but only safe where the
// filesystem supports preallocated swap files; dd from /dev/zero works everywhere else.
func swapMethod(fstype string) string {
	switch fstype {
	case "ext4", "ext2/ext3", "xfs":
		return "fallocate"
	case "btrfs":
		return "btrfs"
	default:
		return "dd"
	}
}

func swapStep(c *cluster.Cluster, f hostfacts.Facts) Step {
	mib := hostfacts.MiB(c.Swap.SizeBytes)
	method := swapMethod(f.SwapFSType)
	s := Step{Phase: PhaseSwap, Template: "swap",
		Summary: fmt.Sprintf("%d MiB swap file at %s (%s), one /etc/fstab line", mib, c.Swap.Path, method),
		vars: fixedVars(templates.Var{Name: "SWAP_PATH", Value: c.Swap.Path},
			templates.Var{Name: "SWAP_MIB", Value: strconv.FormatInt(mib, 10)},
			templates.Var{Name: "METHOD", Value: method})}
	if hostfacts.SwapAsConfigured(c.Swap, f) {
		s.Skip = fmt.Sprintf("%s already active at %d MiB, in /etc/fstab", c.Swap.Path, mib)
	}
	return s
}

func kubeletEnvStep(f hostfacts.Facts) (Step, error) {
	if f.KubeletEnvFile == "" {
		return Step{}, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: f.Hostname,
			Problem: "the kubelet's 10-kubeadm.conf drop-in (or its EnvironmentFile for KUBELET_EXTRA_ARGS) was not found",
			Fix:     "install the kubeadm package, which ships the drop-in"}}}
	}
	merged, err := MergeFailSwapOn(f.KubeletEnvContent)
	if err != nil {
		return Step{}, fmt.Errorf("%s: %w", f.KubeletEnvFile, err)
	}
	s := Step{Phase: PhaseKubelet, Template: "kubelet-env",
		Summary: "--fail-swap-on=false in KUBELET_EXTRA_ARGS of " + f.KubeletEnvFile + ", systemctl daemon-reload",
		Files:   map[string]string{f.KubeletEnvFile: merged},
		vars: fixedVars(templates.Var{Name: "ENV_FILE", Value: f.KubeletEnvFile},
			templates.Var{Name: "CONTENT", Value: merged})}
	if f.KubeletEnvExists && merged == f.KubeletEnvContent {
		s.Skip = f.KubeletEnvFile + " already has --fail-swap-on=false"
	}
	return s, nil
}

func apiServerEndpoint(master cluster.Host) string {
	return net.JoinHostPort(master.Address, "6443")
}

func initStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, p KubeletPolicy, token string, ttl time.Duration) (Step, error) {
	ignore := mergeIgnored(p.IgnorePreflight, c.NodeRegistration.IgnorePreflightErrors)
	s := Step{Phase: PhaseInit, Template: "init", Collect: CollectInitOutput}
	var config string
	var flags []string
	if p.Legacy {
		flags = legacyInitFlags(c, h, p, token, ttl, ignore)
		s.Summary = "kubeadm init with flags (pod network " + c.Networking.PodSubnet + ", --ignore-preflight-errors=" + strings.Join(ignore, ",") + ")"
	} else {
		doc, err := kubeadmcfg.RenderInit(initParams(c, h, p, token, ttl, ignore))
		if err != nil {
			return s, err
		}
		config = string(doc)
		s.Files = map[string]string{"/var/lib/swapboot/kubeadm-init.yaml": config}
		s.Summary = "kubeadm init --config /var/lib/swapboot/kubeadm-init.yaml (" + p.ConfigAPI + ", failSwapOn: false)"
	}
	s.vars = fixedVars(templates.Var{Name: "KUBEADM_CONFIG", Value: config},
		templates.Var{Name: "KUBEADM_FLAGS", Value: strings.Join(flags, "\n")},
		templates.Var{Name: "NODE_NAME", Value: h.Name})
	if f.ControlPlane {
		s.Skip = "/etc/kubernetes/admin.conf exists: already a control plane"
	}
	return s, nil
}

func initParams(c *cluster.Cluster, h cluster.Host, p KubeletPolicy, token string, ttl time.Duration, ignore []string) kubeadmcfg.InitParams {
	falseVal := false
	params := kubeadmcfg.InitParams{
		APIVersion:            kubeadmcfg.APIVersion(p.ConfigAPI),
		KubernetesVersion:     p.Version,
		NodeName:              h.Name,
		AdvertiseAddress:      h.Address,
		BootstrapToken:        token,
		TokenTTL:              ttl,
		PodSubnet:             c.Networking.PodSubnet,
		ServiceSubnet:         c.Networking.ServiceSubnet,
		CRISocket:             c.NodeRegistration.CRISocket,
		ImagePullPolicy:       c.NodeRegistration.ImagePullPolicy,
		IgnorePreflightErrors: ignore,
		KubeletExtraArgs:      c.NodeRegistration.KubeletExtraArgs,
		Kubelet: kubeadmcfg.KubeletParams{
			FailSwapOn:          &falseVal,
			SwapBehavior:        p.SwapBehavior,
			NodeSwapFeatureGate: p.NodeSwapGate,
		},
		KubeletOverrides:   c.Kubelet,
		KubeProxyOverrides: c.KubeProxy,
	}
	if p.FailCgroupV1False {
		params.Kubelet.FailCgroupV1 = &falseVal
	}
	return params
}

func legacyInitFlags(c *cluster.Cluster, h cluster.Host, p KubeletPolicy, token string, ttl time.Duration, ignore []string) []string {
	flags := []string{
		"--kubernetes-version=" + p.Version,
		"--apiserver-advertise-address=" + h.Address,
		"--pod-network-cidr=" + c.Networking.PodSubnet,
		"--service-cidr=" + c.Networking.ServiceSubnet,
		"--token=" + token,
		"--token-ttl=" + ttl.String(),
		"--ignore-preflight-errors=" + strings.Join(ignore, ","),
	}
	if h.Name != "" {
		flags = append(flags, "--node-name="+h.Name)
	}
	if c.NodeRegistration.CRISocket != "" {
		flags = append(flags, "--cri-socket="+c.NodeRegistration.CRISocket)
	}
	return flags
}

func tokenCreateStep(token string, ttl time.Duration) Step {
	return Step{Phase: PhaseJoinMaterial, Template: "token-create", Collect: CollectJoinCommand,
		Summary: "mint a fresh bootstrap token (ttl " + ttl.String() + ") for the workers that still have to join",
		vars:    fixedVars(templates.Var{Name: "TOKEN", Value: token}, templates.Var{Name: "TTL", Value: ttl.String()})}
}

func joinStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, p KubeletPolicy, token string) Step {
	ignore := mergeIgnored(p.IgnorePreflight, c.NodeRegistration.IgnorePreflightErrors)
	endpoint := apiServerEndpoint(c.Masters[0])
	s := Step{Phase: PhaseJoin, Template: "join",
		Summary: "kubeadm join " + endpoint + " (--ignore-preflight-errors=" + strings.Join(ignore, ",") + ")"}
	if !p.Legacy {
		s.Summary = "kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml (" + endpoint + ", " + p.ConfigAPI + ")"
	}
	s.vars = func(rt Runtime) ([]templates.Var, error) {
		var config string
		var flags []string
		if p.Legacy {
			flags = []string{endpoint, "--token=" + token}
			for _, hash := range rt.CACertHashes {
				flags = append(flags, "--discovery-token-ca-cert-hash="+hash)
			}
			flags = append(flags, "--ignore-preflight-errors="+strings.Join(ignore, ","))
			if h.Name != "" {
				flags = append(flags, "--node-name="+h.Name)
			}
			if c.NodeRegistration.CRISocket != "" {
				flags = append(flags, "--cri-socket="+c.NodeRegistration.CRISocket)
			}
		} else {
			doc, err := kubeadmcfg.RenderJoin(kubeadmcfg.JoinParams{
				APIVersion:            kubeadmcfg.APIVersion(p.ConfigAPI),
				NodeName:              h.Name,
				APIServerEndpoint:     endpoint,
				BootstrapToken:        token,
				CACertHashes:          rt.CACertHashes,
				CRISocket:             c.NodeRegistration.CRISocket,
				ImagePullPolicy:       c.NodeRegistration.ImagePullPolicy,
				IgnorePreflightErrors: ignore,
				KubeletExtraArgs:      c.NodeRegistration.KubeletExtraArgs,
			})
			if err != nil {
				return nil, err
			}
			config = string(doc)
		}
		return []templates.Var{{Name: "KUBEADM_CONFIG", Value: config}, {Name: "KUBEADM_FLAGS", Value: strings.Join(flags, "\n")}}, nil
	}
	if f.Joined {
		s.Skip = "/etc/kubernetes/kubelet.conf exists: already joined"
	}
	return s
}

// mergeIgnored is swapboot's preflight exceptions plus the user's, without duplicates; "all" alone wins.
func mergeIgnored(ours, users []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range append(append([]string{}, ours...), users...) {
		if strings.EqualFold(name, "all") {
			return []string{"all"}
		}
		if !seen[strings.ToLower(name)] {
			seen[strings.ToLower(name)] = true
			out = append(out, name)
		}
	}
	return out
}

// kubeletSummary says, for the report, what the policy makes of the kubelet's swap settings.
func kubeletSummary(p KubeletPolicy) string {
	if p.Legacy {
		return "--fail-swap-on=false"
	}
	s := "failSwapOn=false"
	if p.SwapBehavior != "" {
		s += " " + p.SwapBehavior
	}
	return s
}
