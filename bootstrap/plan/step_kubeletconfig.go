package plan

import "github.com/swapboot/swapboot/templates"

// kubeletConfigKind writes /var/lib/kubelet/config.yaml and restarts the kubelet
// (templates/scripts/kubelet-config.sh).
type kubeletConfigKind struct {
	showsKubeletLog
	content string
}

func (kubeletConfigKind) Phase() Phase   { return PhaseKubelet }
func (kubeletConfigKind) Column() Column { return KubeletColumn() }
func (k kubeletConfigKind) Script(Runtime) (templates.Script, error) {
	return templates.KubeletConfig{Content: k.content}, nil
}

// kubeletConfigPath is the kubelet configuration kubeadm writes.
const kubeletConfigPath = "/var/lib/kubelet/config.yaml"

func kubeletConfigStep(content, summary string) Step {
	s := newStep(kubeletConfigKind{content: content}, summary)
	s.Files = map[string]string{kubeletConfigPath: content}
	return s
}
