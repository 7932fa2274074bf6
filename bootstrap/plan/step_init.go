package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// initKind runs kubeadm init on the first master (templates/scripts/init.sh). Its output gives the join
// command (checked later against the CA hash); workers wait on its failure.
type initKind struct {
	showsKubeletLog
	config   string   // the kubeadm InitConfiguration (empty on the legacy path)
	flags    []string // kubeadm init flags (the legacy path)
	nodeName string
	token    templates.Secret // inside config or flags
	// redo is why an earlier kubeadm init did not finish: kubeadm reset -f of this master first
	// ("" = none; see initRepair).
	redo string
	// certKey (several masters) is inside config; init then uploads the certificates (--upload-certs).
	certKey templates.Secret
}

func (initKind) Phase() Phase   { return PhaseInit }
func (initKind) Column() Column { return kubeadmColumn() }
func (k initKind) Script(Runtime) (templates.Script, error) {
	flags := k.flags
	if k.certKey != "" {
		flags = append(append([]string(nil), flags...), "--upload-certs")
	}
	return templates.Init{KubeadmConfig: k.config, KubeadmFlags: flags, NodeName: k.nodeName, Token: k.token, CertificateKey: k.certKey, Redo: k.redo}, nil
}

// TakeOutput keeps the join command kubeadm init printed (only when init ran).
func (initKind) TakeOutput(st *RunState, out *Output) error {
	if !out.Changed {
		return nil
	}
	cmds, err := joinmaterial.ParseJoinCommands(string(out.Stdout))
	if err != nil {
		return fmt.Errorf("reading the join command from kubeadm init output: %w", err)
	}
	st.setJoinCommands(cmds)
	return nil
}

// Failed tells the workers' join steps that there is no control plane.
func (initKind) Failed(st *RunState, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.initFailed = err
}

func (st *RunState) setJoinCommands(cmds []joinmaterial.JoinCommand) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.joinCmds = cmds
}

// kubeadmColumn is shared by init and join.
func kubeadmColumn() Column { return Column{Order: 50, Title: "KUBEADM"} }

func initStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, p KubeletPolicy, token string, ttl time.Duration, redo, certKey string) (Step, error) {
	ignore := mergeIgnored(p.IgnorePreflight, c.NodeRegistration.IgnorePreflightErrors)
	k := initKind{nodeName: h.Name, token: templates.Secret(token), redo: redo, certKey: templates.Secret(certKey)}
	var s Step
	if p.Legacy {
		k.flags = legacyInitFlags(c, h, p, token, ttl, ignore)
		s = newStep(k, "kubeadm init with flags (pod network "+c.Networking.PodSubnet+", --ignore-preflight-errors="+strings.Join(ignore, ",")+")")
	} else {
		params := initParams(c, h, p, token, ttl, ignore)
		command, what := "kubeadm init --config /var/lib/swapboot/kubeadm-init.yaml", p.ConfigAPI+", failSwapOn: false"
		if p.CgroupDriver != "" {
			what += ", cgroupDriver: " + p.CgroupDriver
		}
		if c.ControlPlane != nil {
			params.ControlPlaneEndpoint, params.CertificateKey = c.ControlPlane.Endpoint, certKey
			what += ", controlPlaneEndpoint " + c.ControlPlane.Endpoint
			if certKey != "" {
				command += " --upload-certs"
			}
		}
		summary := command + " (" + what + ")"
		doc, err := kubeadmcfg.RenderInit(params)
		if err != nil {
			return Step{}, err
		}
		k.config = string(doc)
		s = newStep(k, summary)
		s.Files = map[string]string{"/var/lib/swapboot/kubeadm-init.yaml": k.config}
	}
	switch problem := f.UnfinishedInit(h); {
	case redo != "":
		s.Summary = "kubeadm reset -f, then " + s.Summary + ": the earlier kubeadm init did not finish (" + redo + "), and nothing has joined this control plane"
	case !f.ControlPlane:
	case problem != "":
		s.Skip = "kubeadm init finished earlier (kubelet.conf points at the rotatable certificate), though " + problem
	default:
		s.Skip = "already a control plane: the API answers through admin.conf with the rights swapboot needs, and knows this node"
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
			CgroupDriver:        p.CgroupDriver,
		},
		KubeletOverrides:   c.Kubelet,
		KubeProxyOverrides: c.KubeProxy,
	}
	if p.FailCgroupV1False {
		params.Kubelet.FailCgroupV1 = &falseVal
	}
	params.PatchesDir = patchesDir(p)
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

// patchesDir is the kubeadm patches directory init and join name: swapboot's, when each node has its own
// swap behaviour.
func patchesDir(p KubeletPolicy) string {
	if p.PerNode {
		return KubeletPatchDir
	}
	return ""
}
