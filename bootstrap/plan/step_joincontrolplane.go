package plan

import (
	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// joinControlPlaneKind joins a further master as a control plane (templates/scripts/join-control-plane.sh)
// through the endpoint, with the CA hash read from the first master: rendered at run time.
type joinControlPlaneKind struct {
	showsKubeletLog
	configAPI  string
	patchesDir string
	endpoint   string
	address    string
	token      templates.Secret
	key        templates.Secret
	nodeName   string
	ignore     []string
	nodeReg    cluster.NodeRegistration
	// complete: already a control plane; the step is skipped and waits for nothing.
	complete bool
}

func (joinControlPlaneKind) Phase() Phase   { return PhaseControlPlane }
func (joinControlPlaneKind) Column() Column { return kubeadmColumn() }

func (k joinControlPlaneKind) Script(rt Runtime) (templates.Script, error) {
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
		ControlPlane:          &kubeadmcfg.JoinControlPlane{AdvertiseAddress: k.address, CertificateKey: string(k.key)},
		PatchesDir:            k.patchesDir,
	})
	if err != nil {
		return nil, err
	}
	return templates.JoinControlPlane{KubeadmConfig: string(doc), CRISocket: k.nodeReg.CRISocket, Token: k.token, CertificateKey: k.key}, nil
}

// TakeOutput records the join, so the pod network's wait expects this node.
func (k joinControlPlaneKind) TakeOutput(st *RunState, _ *Output) error {
	st.setJoined(k.address)
	return nil
}

// Blocked holds the join until the first master is a control plane, the join material is read, the
// certificates are uploaded and no earlier control-plane join failed.
func (k joinControlPlaneKind) Blocked(st *RunState) string {
	if k.complete {
		return ""
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.initFailed != nil:
		return "kubeadm init failed on the first master"
	case st.materialErr != nil:
		return "no join material: " + st.materialErr.Error()
	case len(st.rt.CACertHashes) == 0:
		return "no join material from the first master"
	case st.certsErr != nil:
		return "the certificates were not uploaded: " + st.certsErr.Error()
	case st.controlPlaneErr != nil:
		return "an earlier control-plane join failed"
	}
	return ""
}

// Failed stops the rest of the run: later masters and the workers wait for a healthy control plane.
func (joinControlPlaneKind) Failed(st *RunState, err error) { st.setControlPlaneErr(err) }

func (st *RunState) setControlPlaneErr(err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.controlPlaneErr == nil {
		st.controlPlaneErr = err
	}
}

func joinControlPlaneStep(c *cluster.Cluster, h cluster.Host, p KubeletPolicy, token, key string, complete bool) Step {
	k := joinControlPlaneKind{configAPI: p.ConfigAPI, patchesDir: patchesDir(p), endpoint: c.ControlPlane.Endpoint, address: h.Address, token: templates.Secret(token),
		key: templates.Secret(key), nodeName: h.Name, ignore: mergeIgnored(p.IgnorePreflight, c.NodeRegistration.IgnorePreflightErrors), nodeReg: c.NodeRegistration, complete: complete}
	return newStep(k, "kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml as a control plane ("+k.endpoint+", "+p.ConfigAPI+", advertise "+h.Address+")")
}
