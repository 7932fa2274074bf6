package plan

import "github.com/swapboot/swapboot/templates"

// kubeletRestartKind restarts the kubelet (templates/scripts/kubelet-restart.sh).
type kubeletRestartKind struct{ showsKubeletLog }

func (kubeletRestartKind) Phase() Phase   { return PhaseKubelet }
func (kubeletRestartKind) Column() Column { return KubeletColumn() }
func (kubeletRestartKind) Script(Runtime) (templates.Script, error) {
	return templates.KubeletRestart{}, nil
}

func kubeletRestartStep(skip string) Step {
	s := newStep(kubeletRestartKind{}, "restart the kubelet")
	s.Skip = skip
	return s
}
