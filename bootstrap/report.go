package bootstrap

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Status of one step on one host.
type Status string

const (
	StatusChanged     Status = "changed"
	StatusUnchanged   Status = "unchanged"    // ran, found nothing to do
	StatusAlreadyDone Status = "already done" // the facts showed it done; not run
	StatusFailed      Status = "FAILED"
	StatusNotRun      Status = "not run"
	StatusPlanned     Status = "planned" // dry-run
)

// StepResult is what happened to one step.
type StepResult struct {
	Phase    Phase
	Summary  string
	Status   Status
	Detail   string
	Err      error
	Duration time.Duration
}

// HostReport is one host's steps.
type HostReport struct {
	Host Host
	// Kubelet says how this host's kubelet tolerates swap.
	Kubelet string
	Steps   []StepResult
}

func (h *HostReport) failed() bool {
	for _, s := range h.Steps {
		if s.Status == StatusFailed {
			return true
		}
	}
	return false
}

func (h *HostReport) find(p Phase) *StepResult {
	for i := range h.Steps {
		if h.Steps[i].Phase == p {
			return &h.Steps[i]
		}
	}
	return nil
}

// Report is the outcome of a run, host by host.
type Report struct {
	Hosts          []*HostReport
	Interrupted    bool
	KubeconfigPath string
	Elapsed        time.Duration
}

// Exit codes.
const (
	ExitOK          = 0
	ExitHostFailed  = 1
	ExitBadInput    = 2
	ExitInterrupted = 130
)

// ExitCode is 0 when every host is done, 1 when some host failed, 130 when interrupted.
func (r *Report) ExitCode() int {
	if r.Interrupted {
		return ExitInterrupted
	}
	for _, h := range r.Hosts {
		if h.failed() {
			return ExitHostFailed
		}
	}
	return ExitOK
}

// Changes counts the steps that changed something.
func (r *Report) Changes() int {
	n := 0
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Status == StatusChanged {
				n++
			}
		}
	}
	return n
}

// Print writes the summary table: one row per host, one column per phase, then the failures in full.
func (r *Report) Print(w io.Writer, redact func(string) string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tROLE\tSWAP\tKUBELET\tKUBEADM\tRESULT")
	for _, h := range r.Hosts {
		kubeadmPhase := PhaseJoin
		if h.Host.Role == RoleMaster {
			kubeadmPhase = PhaseInit
		}
		result := "ok"
		switch {
		case h.failed():
			result = "FAILED"
		case r.Interrupted:
			result = "interrupted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.Host.ID(), h.Host.Role, cell(h.find(PhaseSwap)), kubeletCell(h), cell(h.find(kubeadmPhase)), result)
	}
	_ = tw.Flush()
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Status == StatusFailed && s.Err != nil {
				fmt.Fprintf(w, "%s: %s: %s\n", h.Host.ID(), s.Phase, redact(s.Err.Error()))
			}
		}
	}
	if r.KubeconfigPath != "" {
		fmt.Fprintf(w, "kubeconfig: %s (kubectl --kubeconfig %s get nodes)\n", r.KubeconfigPath, r.KubeconfigPath)
	}
	fmt.Fprintf(w, "%d change(s) in %s\n", r.Changes(), r.Elapsed.Round(100*time.Millisecond))
}

func cell(s *StepResult) string {
	if s == nil {
		return "-"
	}
	return string(s.Status)
}

func kubeletCell(h *HostReport) string {
	if s := h.find(PhaseKubelet); s != nil {
		return h.Kubelet + " (" + string(s.Status) + ")"
	}
	return h.Kubelet
}
