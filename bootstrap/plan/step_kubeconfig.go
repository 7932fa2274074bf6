package plan

import (
	"fmt"

	"github.com/swapboot/swapboot/internal/atomicfile"
	"github.com/swapboot/swapboot/templates"
)

// kubeconfigKind copies /etc/kubernetes/admin.conf from the master into a local file (0600)
// (templates/scripts/admin-kubeconfig.sh).
type kubeconfigKind struct{ quietOutput }

func (kubeconfigKind) Phase() Phase { return PhaseKubeconfig }
func (kubeconfigKind) Script(Runtime) (templates.Script, error) {
	return templates.AdminKubeconfig{}, nil
}

// TakeOutput saves the kubeconfig at st.KubeconfigPath.
func (kubeconfigKind) TakeOutput(st *RunState, out *Output) error {
	changed, err := atomicfile.Write(st.KubeconfigPath, out.Stdout, 0o600)
	if err != nil {
		return fmt.Errorf("saving the admin kubeconfig: %w", err)
	}
	out.Changed, out.Detail = changed, st.KubeconfigPath
	st.mu.Lock()
	defer st.mu.Unlock()
	st.savedKubeconfig = st.KubeconfigPath
	return nil
}

func kubeconfigStep(summary string) Step { return newStep(kubeconfigKind{}, summary) }
