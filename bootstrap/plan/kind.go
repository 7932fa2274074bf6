package plan

import (
	"sync"

	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
	"github.com/swapboot/swapboot/templates"
)

// A step kind lives in one file (step_<kind>.go): its constructor, its typed inputs, its script and the
// hooks below it implements. The executor (bootstrap/run) is generic: it renders Script, runs it, and
// calls the optional hooks the kind implements; it never branches on a phase or template name.
// A new step kind is its own file plus its template in templates/.

// Kind is what every step kind declares.
type Kind interface {
	// Phase is the phase the step belongs to; stages select steps by phase.
	Phase() Phase
	// Script is the typed call of the step's script for a runtime (the dry-run uses PlaceholderRuntime).
	Script(rt Runtime) (templates.Script, error)
}

// OutputHook is a kind that takes something from its script's output. It may rewrite out.Changed and
// out.Detail, which the report shows; an error fails the step.
type OutputHook interface {
	TakeOutput(st *RunState, out *Output) error
}

// FailureHook is a kind whose failure other steps wait on (init, join material): it records the failure.
type FailureHook interface {
	Failed(st *RunState, err error)
}

// Gate is a kind that waits for something another host provides: Blocked says why it cannot run yet
// ("" when it can).
type Gate interface {
	Blocked(st *RunState) string
}

// KubeletLog is a kind whose failure prints the tail of the kubelet log (kubeadm's own error usually
// hides the cause).
type KubeletLog interface {
	ShowKubeletLog() bool
}

// Quiet is a kind whose output is data (a certificate, a kubeconfig), not shown on the console.
type Quiet interface {
	QuietOutput() bool
}

// Reported is a kind shown in a column of the report's table.
type Reported interface {
	Column() Column
}

// Column is a column of the report's table; columns are shown in Order, and kinds with the same Column
// share it (init and join both fill KUBEADM).
type Column struct {
	Order int
	Title string
}

// KubeletColumn also shows the kubelet's swap setting of hosts that have no kubelet step.
func KubeletColumn() Column { return Column{Order: 20, Title: "KUBELET"} }

// Small embeddable declarations for the hooks that are only a yes.
type showsKubeletLog struct{}

func (showsKubeletLog) ShowKubeletLog() bool { return true }

type quietOutput struct{}

func (quietOutput) QuietOutput() bool { return true }

// Output is what a step's script printed and what the executor made of its @swapboot lines.
type Output struct {
	Stdout  []byte
	Changed bool
	Detail  string
}

// RunState is what the steps of one execution share across hosts; the hooks of the kinds read and write
// it (each under the lock, through the methods in their own files).
type RunState struct {
	// KubeconfigPath is where the admin kubeconfig is saved; set once, before the run.
	KubeconfigPath string

	mu              sync.Mutex
	rt              Runtime
	joinCmds        []joinmaterial.JoinCommand
	materialErr     error
	initFailed      error
	savedKubeconfig string
	joined          map[string]bool
	// HA (ha.go): the certificate upload's and the control-plane joins' failures.
	certsErr        error
	controlPlaneErr error
}

// NewRunState starts the shared state of one execution.
func NewRunState(kubeconfigPath string) *RunState {
	return &RunState{KubeconfigPath: kubeconfigPath}
}

// Runtime is the run-time values known so far (the CA hash once the join material is read).
func (s *RunState) Runtime() Runtime {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.rt
	rt.Joined = map[string]bool{}
	for addr := range s.joined {
		rt.Joined[addr] = true
	}
	return rt
}

// setJoined records a host whose kubeadm join succeeded in this run.
func (s *RunState) setJoined(address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.joined == nil {
		s.joined = map[string]bool{}
	}
	s.joined[address] = true
}

// SavedKubeconfig is the path the admin kubeconfig was saved to ("" if it was not).
func (s *RunState) SavedKubeconfig() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.savedKubeconfig
}
