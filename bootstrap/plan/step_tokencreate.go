package plan

import (
	"fmt"
	"time"

	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/templates"
)

// tokenCreateKind mints a bootstrap token on a running control plane for the workers still to join
// (templates/scripts/token-create.sh). Its output is the join command.
type tokenCreateKind struct {
	token templates.Secret
	ttl   time.Duration
}

func (tokenCreateKind) Phase() Phase { return PhaseJoinMaterial }
func (k tokenCreateKind) Script(Runtime) (templates.Script, error) {
	return templates.TokenCreate{Token: k.token, TTL: k.ttl}, nil
}

// TakeOutput keeps the join command `kubeadm token create --print-join-command` printed.
func (tokenCreateKind) TakeOutput(st *RunState, out *Output) error {
	cmds, err := joinmaterial.ParseJoinCommands(string(out.Stdout))
	if err != nil {
		return fmt.Errorf("reading the join command from kubeadm token create: %w", err)
	}
	st.setJoinCommands(cmds)
	return nil
}

// Failed leaves the workers without join material.
func (tokenCreateKind) Failed(st *RunState, err error) { st.setMaterialErr(err) }

func (st *RunState) setMaterialErr(err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.materialErr = err
}

func tokenCreateStep(token string, ttl time.Duration) Step {
	return newStep(tokenCreateKind{token: templates.Secret(token), ttl: ttl},
		"mint a fresh bootstrap token (ttl "+ttl.String()+") for the workers that still have to join")
}
