package plan

import (
	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// uploadCertsKind uploads the control-plane certificates again with this run's certificate key
// (templates/scripts/upload-certs.sh), on a first master that is already a control plane.
type uploadCertsKind struct {
	config string
	key    templates.Secret
}

func (uploadCertsKind) Phase() Phase { return PhaseJoinMaterial }
func (k uploadCertsKind) Script(Runtime) (templates.Script, error) {
	return templates.UploadCerts{KubeadmConfig: k.config, CertificateKey: k.key}, nil
}

// Failed holds the control-plane joins: they cannot decrypt certificates that were not uploaded.
func (uploadCertsKind) Failed(st *RunState, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.certsErr = err
}

func uploadCertsStep(c *cluster.Cluster, p KubeletPolicy, key string) (Step, error) {
	doc, err := kubeadmcfg.RenderUploadCerts(kubeadmcfg.UploadCertsParams{APIVersion: kubeadmcfg.APIVersion(p.ConfigAPI),
		KubernetesVersion: p.Version, ControlPlaneEndpoint: c.ControlPlane.Endpoint, CertificateKey: key})
	if err != nil {
		return Step{}, err
	}
	s := newStep(uploadCertsKind{config: string(doc), key: templates.Secret(key)},
		"kubeadm init phase upload-certs --upload-certs with a fresh certificate key, for the masters that still have to join")
	s.Files = map[string]string{"/var/lib/swapboot/kubeadm-upload-certs.yaml": string(doc)}
	return s, nil
}
