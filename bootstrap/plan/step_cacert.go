package plan

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/templates"
)

// caCertKind reads the cluster CA certificate on the master (templates/scripts/ca-cert.sh): its hash is
// what workers pin, checked against the join command init or token-create printed.
type caCertKind struct{ quietOutput }

func (caCertKind) Phase() Phase                             { return PhaseJoinMaterial }
func (caCertKind) Script(Runtime) (templates.Script, error) { return templates.CACert{}, nil }

// TakeOutput computes the CA hash, checks it against the join command, and hands it to the join steps.
func (caCertKind) TakeOutput(st *RunState, out *Output) error {
	hash, err := joinmaterial.CACertHash(out.Stdout)
	if err != nil {
		return fmt.Errorf("/etc/kubernetes/pki/ca.crt: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.joinCmds) > 0 {
		if err := joinmaterial.VerifyJoinHash(hash, st.joinCmds); err != nil {
			return err
		}
	}
	st.rt.CACertHashes = []string{hash}
	out.Changed, out.Detail = false, "CA hash "+hash
	return nil
}

// Failed leaves the workers without join material.
func (caCertKind) Failed(st *RunState, err error) { st.setMaterialErr(err) }

func caCertStep() Step {
	return newStep(caCertKind{}, "read /etc/kubernetes/pki/ca.crt for the CA hash workers pin")
}
