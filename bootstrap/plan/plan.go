package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/templates"
)

// Phase names, in the order the executor runs them.
type Phase string

const (
	PhaseSwap         Phase = "swap"
	PhaseNetPrereqs   Phase = "net-prereqs"
	PhaseKubelet      Phase = "kubelet"
	PhaseInit         Phase = "init"
	PhaseJoinMaterial Phase = "join-material"
	PhaseJoin         Phase = "join"
	PhaseKubeconfig   Phase = "kubeconfig"
	PhaseLabels       Phase = "labels"
	PhasePodNetwork   Phase = "pod-network"
	PhaseReady        Phase = "ready"
	PhaseConfigMap    Phase = "configmap"
	PhaseReset        Phase = "reset"
	PhaseCleanup      Phase = "cleanup"
)

// Stage is a group of phases the executor runs together: every host runs its steps of these phases in
// order, hosts in parallel (bounded) or, when Serial, one at a time (a rolling change).
type Stage struct {
	Phases []Phase
	Serial bool
	// StopOnFailure leaves the remaining hosts of a serial stage untouched once one fails.
	StopOnFailure bool
	// StopNote, when set, replaces the report's hint after such a stop (default: --continue-on-error).
	StopNote string
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
//
// The pod network is applied after the joins, not right after init: flannel needs each node's podCIDR,
// which kube-controller-manager allocates from podSubnet when the node registers, so joined nodes get
// theirs either way; but a failed step holds back its host's later steps, and the master serves the
// join material, so an apply that fails must come after it. The kubeconfig is saved before the pod
// network for the same reason: a pod network that does not come up still leaves a usable kubeconfig.
func upStages() []Stage {
	return []Stage{{Phases: []Phase{PhaseSwap}}, {Phases: []Phase{PhaseNetPrereqs}}, {Phases: []Phase{PhaseKubelet}}, {Phases: []Phase{PhaseInit}},
		{Phases: []Phase{PhaseJoinMaterial}}, {Phases: []Phase{PhaseJoin}}, {Phases: []Phase{PhaseKubeconfig}}, {Phases: []Phase{PhaseLabels}},
		{Phases: []Phase{PhasePodNetwork}}, {Phases: []Phase{PhaseReady}}}
}

// Runtime holds values that exist only once the run has reached them (the CA hash after init). Steps that
// need them render at execution time from the same function the dry-run uses with PlaceholderRuntime.
type Runtime struct {
	CACertHashes []string
	// Joined are the hosts (addresses) whose kubeadm join succeeded in this run.
	Joined map[string]bool
	// Placeholder marks a dry-run's rendering, which shows every step as if the ones before it succeeded.
	Placeholder bool
}

// placeholderHash stands for the CA hash in a dry-run; Display shows it as a readable placeholder.
const placeholderHash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// PlaceholderRuntime is the Runtime a dry-run renders with.
func PlaceholderRuntime() Runtime {
	return Runtime{CACertHashes: []string{placeholderHash}, Placeholder: true}
}

// Step is one script run on one host: a step kind (kind.go, one step_<kind>.go file each) with what the
// plan decided for this host.
type Step struct {
	// Phase is Kind.Phase(), kept for the stages, the report and the tests.
	Phase Phase
	// Summary says in a few words what the step does, for the plan and the report.
	Summary string
	// Skip is non-empty when the facts show the step is already done: it is not run.
	Skip string
	// Files are documents the script writes (path -> content), shown by plan --out; the script carries them.
	Files map[string]string
	Kind  Kind
}

func newStep(k Kind, summary string) Step { return Step{Phase: k.Phase(), Summary: summary, Kind: k} }

// Template names the step's script.
func (s Step) Template() string {
	call, err := s.Kind.Script(PlaceholderRuntime())
	if err != nil {
		return ""
	}
	return call.Name()
}

// Script renders the step's script for a runtime.
func (s Step) Script(rt Runtime) (string, error) {
	call, err := s.Kind.Script(rt)
	if err != nil {
		return "", err
	}
	return templates.Render(call)
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
	// CertificateKey encrypts the certificates shared by the masters (several masters only). Secret.
	CertificateKey string
	// Assumptions are the facts `swapboot plan` made up instead of asking the hosts.
	Assumptions []string
	// Notes say what the plan decided beyond the steps (the pod network), in the plan's header.
	Notes []string
	// AfterRun is said at the end of the run's report (what the user still has to do).
	AfterRun []string
	// MaskSecrets masks every templates.Secret input of the steps' typed calls when the plan is printed
	// (the dry-run of a real run). Offline plans leave it off: their token is kubeadm's documentation
	// example, shown so `kubeadm config validate` accepts the written files.
	MaskSecrets bool
}

// PlanOptions tune the plan.
type PlanOptions struct {
	TokenTTL     time.Duration // init token lifetime (default 24h)
	JoinTokenTTL time.Duration // token minted for joins when init is already done (default 1h)
	// NewToken makes bootstrap tokens (tests pass a fixed one).
	NewToken func() (string, error)
	// PodNetworkWithin bounds the wait for the pod network and Ready nodes (default 5m); PodNetworkLogLines
	// is how much of a failing node's pod network log is shown (default 40).
	PodNetworkWithin   time.Duration
	PodNetworkLogLines int
	// NewCertificateKey makes the certificate key of a cluster with several masters (tests pass a fixed one).
	NewCertificateKey func() (string, error)
	// ControlPlaneWait bounds the wait after each control-plane join (default DefaultControlPlaneWait).
	ControlPlaneWait time.Duration
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
	if opt.NewCertificateKey == nil {
		opt.NewCertificateKey = joinmaterial.NewCertificateKey
	}
	if opt.ControlPlaneWait == 0 {
		opt.ControlPlaneWait = DefaultControlPlaneWait
	}
	if opt.PodNetworkWithin == 0 {
		opt.PodNetworkWithin = 5 * time.Minute
	}
	if opt.PodNetworkLogLines == 0 {
		opt.PodNetworkLogLines = 40
	}
	if err := checkHosts(c, facts); err != nil {
		return nil, err
	}
	master := c.Masters[0]
	policy, err := clusterPolicy(c, facts)
	if err != nil {
		return nil, err
	}
	if policy.CgroupDriver, err = withCgroupDriver(&policy, c, facts); err != nil {
		return nil, err
	}
	token, err := opt.NewToken()
	if err != nil {
		return nil, fmt.Errorf("bootstrap token: %w", err)
	}
	p := &Plan{Command: "up", Stages: upStages(), Cluster: c, Policy: policy, Master: master, Token: token, KubeletSetting: kubeletSummary(policy)}
	if c.ControlPlane != nil {
		if policy.Legacy {
			return nil, &PolicyError{Field: "controlPlane", Problem: "several masters need kubeadm " + policy.Version + " to take a configuration file", Fix: "use Kubernetes 1.22 or later"}
		}
		p.Stages = haStages(c)
	}
	if needsCertificateKey(c) {
		if p.CertificateKey, err = opt.NewCertificateKey(); err != nil {
			return nil, fmt.Errorf("certificate key: %w", err)
		}
	}
	podNet, err := podNetworkPlan(c, facts, opt)
	if err != nil {
		return nil, err
	}
	p.Notes, p.AfterRun = podNet.notes, podNet.afterRun

	// A worker whose earlier join did not finish is reset and joined again (UnfinishedJoin).
	joinRedo := map[string]string{}
	anyJoin := len(mastersToJoin(c, facts)) > 0
	for _, w := range c.Workers {
		joinRedo[w.Address] = facts[w.Address].UnfinishedJoin()
		if !facts[w.Address].Joined || joinRedo[w.Address] != "" {
			anyJoin = true
		}
	}
	for i, h := range c.Hosts() {
		f := facts[h.Address]
		hp := HostPlan{Host: h, Facts: f}
		hp.Steps = append(hp.Steps, swapStep(c, h, f), swapTuningStep(c, h, f, true), netPrereqsStep())
		if policy.PerNode {
			s, err := kubeletPatchStep(policy.NodeSwapBehavior(f.CgroupV2))
			if err != nil {
				return nil, fmt.Errorf("%s: kubelet: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
		}
		if policy.Legacy {
			s, err := upKubeletEnvStep(f, c.NodeRegistration.KubeletExtraArgs)
			if err != nil {
				return nil, fmt.Errorf("%s: kubelet: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
		}
		if h.Role == cluster.RoleMaster && c.ControlPlane != nil && c.ControlPlane.LoadBalancer == cluster.LBKeepalived {
			s, err := loadBalancerStep(c, i, f)
			if err != nil {
				return nil, fmt.Errorf("%s: load-balancer: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
		}
		switch {
		case h.Role == cluster.RoleMaster && i > 0:
			hp.Steps = append(hp.Steps, furtherMasterSteps(c, h, facts, policy, token, p.CertificateKey, opt.ControlPlaneWait)...)
		case h.Role == cluster.RoleMaster:
			redo, err := initRepair(c, h, facts)
			if err != nil {
				return nil, err
			}
			s, err := initStep(c, h, f, policy, token, opt.TokenTTL, redo, p.CertificateKey)
			if err != nil {
				return nil, fmt.Errorf("%s: init: %w", h.ID(), err)
			}
			hp.Steps = append(hp.Steps, s)
			if anyJoin {
				if f.ControlPlane && redo == "" {
					hp.Steps = append(hp.Steps, tokenCreateStep(token, opt.JoinTokenTTL))
				}
				up, err := haLeaderSteps(c, f, policy, facts, p.CertificateKey)
				if err != nil {
					return nil, err
				}
				hp.Steps = append(hp.Steps, up...)
				hp.Steps = append(hp.Steps, caCertStep())
			}
			hp.Steps = append(hp.Steps, kubeconfigStep("copy /etc/kubernetes/admin.conf to "+c.Name+".kubeconfig (0600)"))
			hp.Steps = append(hp.Steps, nodeSwapLabelsStep(c, c.Hosts(), facts, swapConfigured(c)))
			hp.Steps = append(hp.Steps, podNet.steps...)
		default:
			hp.Steps = append(hp.Steps, joinStep(c, h, f, policy, token, joinRedo[h.Address]))
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
	pol, err := DecideKubelet(v, c.Swap.Behavior, v1Hosts, len(c.Hosts()))
	var pe *PolicyError
	if errors.As(err, &pe) && pe.Field == "swap.behavior" && c.Swap.BehaviorLine > 0 {
		pe.File, pe.Line = c.File, c.Swap.BehaviorLine
	}
	return pol, err
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
