package plan

import (
	"net"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// joinKind runs kubeadm join on a worker (templates/scripts/join.sh). It waits for the control plane and
// the CA hash read from the master, so its script is rendered at run time.
type joinKind struct {
	showsKubeletLog
	address       string
	legacy        bool
	configAPI     string
	patchesDir    string
	endpoint      string
	token         templates.Secret
	nodeName      string
	ignore        []string
	nodeReg       cluster.NodeRegistration
	alreadyJoined bool
	// redo is why an earlier join did not finish: kubeadm reset -f first ("" = none).
	redo string
}

func (joinKind) Phase() Phase   { return PhaseJoin }
func (joinKind) Column() Column { return kubeadmColumn() }

func (k joinKind) Script(rt Runtime) (templates.Script, error) {
	config, err := k.config(rt)
	if err != nil {
		return nil, err
	}
	return templates.Join{KubeadmConfig: config, KubeadmFlags: k.flags(rt), Token: k.token, Redo: k.redo}, nil
}

// config is the JoinConfiguration the script writes ("" on the legacy path, which uses flags).
func (k joinKind) config(rt Runtime) (string, error) {
	if k.legacy {
		return "", nil
	}
	doc, err := kubeadmcfg.RenderJoin(kubeadmcfg.JoinParams{
		APIVersion:            kubeadmcfg.APIVersion(k.configAPI),
		NodeName:              k.nodeName,
		APIServerEndpoint:     k.endpoint,
		BootstrapToken:        string(k.token),
		CACertHashes:          rt.CACertHashes,
		CRISocket:             k.nodeReg.CRISocket,
		ImagePullPolicy:       k.nodeReg.ImagePullPolicy,
		IgnorePreflightErrors: k.ignore,
		KubeletExtraArgs:      k.nodeReg.KubeletExtraArgs,
		PatchesDir:            k.patchesDir,
	})
	return string(doc), err
}

func (k joinKind) flags(rt Runtime) []string {
	if !k.legacy {
		return nil
	}
	flags := []string{k.endpoint, "--token=" + string(k.token)}
	for _, hash := range rt.CACertHashes {
		flags = append(flags, "--discovery-token-ca-cert-hash="+hash)
	}
	flags = append(flags, "--ignore-preflight-errors="+strings.Join(k.ignore, ","))
	if k.nodeName != "" {
		flags = append(flags, "--node-name="+k.nodeName)
	}
	if k.nodeReg.CRISocket != "" {
		flags = append(flags, "--cri-socket="+k.nodeReg.CRISocket)
	}
	return flags
}

// Blocked holds a worker that still has to join until init succeeded and the join material is read.
func (k joinKind) Blocked(st *RunState) string {
	if k.alreadyJoined {
		return ""
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.initFailed != nil {
		return "kubeadm init failed on the master"
	}
	if st.materialErr != nil {
		return "no join material: " + st.materialErr.Error()
	}
	if len(st.rt.CACertHashes) == 0 {
		return "no join material from the master"
	}
	if st.controlPlaneErr != nil {
		return "a control-plane join failed"
	}
	return ""
}

// TakeOutput records the join, so the waits after it expect this node (and not the ones whose join failed).
func (k joinKind) TakeOutput(st *RunState, _ *Output) error {
	st.setJoined(k.address)
	return nil
}

func apiServerEndpoint(master cluster.Host) string {
	return net.JoinHostPort(master.Address, "6443")
}

func joinStep(c *cluster.Cluster, h cluster.Host, f hostfacts.Facts, p KubeletPolicy, token, redo string) Step {
	k := joinKind{address: h.Address, legacy: p.Legacy, configAPI: p.ConfigAPI, patchesDir: patchesDir(p), endpoint: joinEndpoint(c), token: templates.Secret(token), nodeName: h.Name,
		ignore: mergeIgnored(p.IgnorePreflight, c.NodeRegistration.IgnorePreflightErrors), nodeReg: c.NodeRegistration, alreadyJoined: f.Joined && redo == "", redo: redo}
	summary := "kubeadm join " + k.endpoint + " (--ignore-preflight-errors=" + strings.Join(k.ignore, ",") + ")"
	if !p.Legacy {
		summary = "kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml (" + k.endpoint + ", " + p.ConfigAPI + ")"
	}
	s := newStep(k, summary)
	switch {
	case redo != "":
		s.Summary = "kubeadm reset -f, then " + summary + ": " + redo
	case f.Joined:
		s.Skip = "/etc/kubernetes/kubelet.conf exists: already joined"
	}
	return s
}
