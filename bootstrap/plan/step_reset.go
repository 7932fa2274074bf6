package plan

import (
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// resetKind runs kubeadm reset -f and restores the kubelet env file swapboot changed
// (templates/scripts/reset.sh).
type resetKind struct{ envFile string }

func (resetKind) Phase() Phase   { return PhaseReset }
func (resetKind) Column() Column { return Column{Order: 40, Title: "RESET"} }
func (k resetKind) Script(Runtime) (templates.Script, error) {
	return templates.Reset{EnvFile: k.envFile}, nil
}

func resetStep(f hostfacts.Facts) Step {
	return newStep(resetKind{envFile: f.KubeletEnvFile}, "kubeadm reset -f; restore the kubelet env file if swapboot changed it")
}
