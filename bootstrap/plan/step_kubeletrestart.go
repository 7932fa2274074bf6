package plan

import "github.com/swapboot/swapboot/templates"

// kubeletRestartKind restarts the kubelet (templates/scripts/kubelet-restart.sh).
type kubeletRestartKind struct{ showsKubeletLog }

func (kubeletRestartKind) Phase() Phase                          { return PhaseKubelet }
func (kubeletRestartKind) Template() string                      { return "kubelet-restart" }
func (kubeletRestartKind) Column() Column                        { return KubeletColumn() }
func (kubeletRestartKind) Vars(Runtime) ([]templates.Var, error) { return nil, nil }

func kubeletRestartStep(skip string) Step {
	s := newStep(kubeletRestartKind{}, "restart the kubelet")
	s.Skip = skip
	return s
}
