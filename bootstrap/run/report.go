package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/plan"
)

// Status of one step on one host.
type Status string

const (
	StatusChanged     Status = "changed"
	StatusUnchanged   Status = "unchanged"    // ran, found nothing to do
	StatusAlreadyDone Status = "already done" // the facts showed it done; not run
	StatusFailed      Status = "FAILED"
	StatusNotRun      Status = "not run"
)

// StepResult is what happened to one step.
type StepResult struct {
	Phase    plan.Phase    `json:"phase"`
	Summary  string        `json:"summary"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Err      error         `json:"-"`
	Duration time.Duration `json:"durationNanos"`
	// Column is the table column the step's kind fills (zero: none).
	Column plan.Column `json:"-"`
}

// HostReport is one host's steps.
type HostReport struct {
	Host cluster.Host
	// Kubelet says how this host's kubelet tolerates swap.
	Kubelet string
	Steps   []StepResult
	// Err is the host's failure before any step (connect, facts), when the run stopped there.
	Err error
}

func (h *HostReport) failed() bool {
	if h.Err != nil {
		return true
	}
	for _, s := range h.Steps {
		if s.Status == StatusFailed {
			return true
		}
	}
	return false
}

// Report is the outcome of a run, host by host.
type Report struct {
	// FailedAt names the step before the plan where the run stopped (connect, facts); "" when it got
	// to the plan.
	FailedAt string
	Hosts    []*HostReport
	// Interrupted: the run's context ended before the plan did (Ctrl-C, SIGTERM or the run's time
	// limit); TimedOut: it ended because the time limit passed (exit.Code of that context).
	Interrupted    bool
	TimedOut       bool
	KubeconfigPath string
	Elapsed        time.Duration
	// Notes are the plan's words for the end of the run (plan.Plan.AfterRun).
	Notes []string
}

// ExitCode is 0 when every host is done, 1 when some host failed, 124 when the run's time limit
// passed, 130 when interrupted.
func (r *Report) ExitCode() int {
	switch {
	case r.TimedOut:
		return exit.TimedOut
	case r.Interrupted:
		return exit.Interrupted
	}
	for _, h := range r.Hosts {
		if h.failed() {
			return exit.HostFailed
		}
	}
	return exit.OK
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

// ReportSchemaVersion is the "schemaVersion" of the JSON report (README.md, "Machine-readable output");
// it changes when a field is removed or changes meaning, not when one is added.
const ReportSchemaVersion = 1

// earlyReport is the report of a run that stopped before its plan: every host in scope, those that could
// not be reached or read with their error.
func earlyReport(scope *cluster.Cluster, interrupted bool, err error) *Report {
	r := &Report{Interrupted: interrupted}
	byAddr := map[string]error{}
	var ue *UnreachableError
	if errors.As(err, &ue) {
		r.FailedAt = ue.Step
		for _, f := range ue.Failures {
			byAddr[f.Host.Address] = &hostStepError{step: ue.Step, host: f.Host, err: f.Err}
		}
	}
	for _, h := range scope.Hosts() {
		r.Hosts = append(r.Hosts, &HostReport{Host: h, Err: byAddr[h.Address]})
	}
	return r
}

// hostStepError is one host's failure in a step before the plan, worded as in UnreachableError.
type hostStepError struct {
	step string
	host cluster.Host
	err  error
}

func (e *hostStepError) Error() string { return e.step + ": " + hostlessMessage(e.err, e.step, e.host) }
func (e *hostStepError) Unwrap() error { return e.err }

// reportJSON is the machine-readable report (--report FILE), with secrets masked.
type reportJSON struct {
	SchemaVersion int    `json:"schemaVersion"`
	FailedAt      string `json:"failedAt,omitempty"`
	Hosts         []struct {
		Host  string       `json:"host"`
		Role  cluster.Role `json:"role"`
		Steps []StepResult `json:"steps"`
		Error []string     `json:"errors,omitempty"`
	} `json:"hosts"`
	Interrupted    bool     `json:"interrupted"`
	KubeconfigPath string   `json:"kubeconfig,omitempty"`
	Notes          []string `json:"notes,omitempty"`
	Changes        int      `json:"changes"`
	ElapsedNanos   int64    `json:"elapsedNanos"`
	ExitCode       int      `json:"exitCode"`
}

// JSON renders the report for tools and benchmarks.
func (r *Report) JSON(redact func(string) string) ([]byte, error) {
	var out reportJSON
	for _, h := range r.Hosts {
		row := struct {
			Host  string       `json:"host"`
			Role  cluster.Role `json:"role"`
			Steps []StepResult `json:"steps"`
			Error []string     `json:"errors,omitempty"`
		}{Host: h.Host.ID(), Role: h.Host.Role}
		if h.Err != nil {
			row.Error = append(row.Error, redact(h.Err.Error()))
		}
		for _, s := range h.Steps {
			s.Detail = redact(s.Detail)
			row.Steps = append(row.Steps, s)
			if s.Err != nil {
				row.Error = append(row.Error, redact(s.Err.Error()))
			}
		}
		out.Hosts = append(out.Hosts, row)
	}
	out.SchemaVersion, out.FailedAt = ReportSchemaVersion, r.FailedAt
	out.Interrupted, out.KubeconfigPath, out.Changes, out.Notes = r.Interrupted, r.KubeconfigPath, r.Changes(), r.Notes
	out.ElapsedNanos, out.ExitCode = int64(r.Elapsed), r.ExitCode()
	return json.MarshalIndent(out, "", "  ")
}

// columns are the table's columns: those the hosts' step kinds declare, and KUBELET when a host has a
// kubelet setting to show, in their order. Steps without a column (join material, kubeconfig) are on the
// master only and told below the table.
func (r *Report) columns() []plan.Column {
	seen := map[plan.Column]bool{}
	var cols []plan.Column
	add := func(c plan.Column) {
		if c.Title != "" && !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
	}
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			add(s.Column)
		}
		if h.Kubelet != "" {
			add(plan.KubeletColumn())
		}
	}
	sort.SliceStable(cols, func(i, j int) bool { return cols[i].Order < cols[j].Order })
	return cols
}

// Print writes the summary table (one row per host), then every failure in full. redact masks secrets.
func (r *Report) Print(w io.Writer, redact func(string) string) {
	cols := r.columns()
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.Title
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tROLE\t"+strings.Join(titles, "\t")+"\tRESULT")
	for _, h := range r.Hosts {
		cells := []string{h.Host.ID(), string(h.Host.Role)}
		for _, col := range cols {
			s := h.inColumn(col)
			text := "-"
			if s != nil {
				text = string(s.Status)
			}
			if col == plan.KubeletColumn() && h.Kubelet != "" {
				if s != nil {
					text = h.Kubelet + " (" + text + ")"
				} else {
					text = h.Kubelet
				}
			}
			cells = append(cells, text)
		}
		result := "ok"
		switch {
		case h.failed():
			result = "FAILED"
		case r.Interrupted:
			result = "interrupted"
		case h.notRun():
			result = "not done"
		}
		fmt.Fprintln(tw, strings.Join(append(cells, result), "\t"))
	}
	_ = tw.Flush()
	for _, h := range r.Hosts {
		// A phase can hold more than one step (join material: the token, then the CA certificate). The
		// report names steps by phase, so once a phase failed on a host its later steps are not listed
		// again as "not run": the phase is told once, by its failure.
		failedPhase := map[plan.Phase]bool{}
		for _, s := range h.Steps {
			switch {
			case s.Status == StatusFailed && s.Err != nil:
				failedPhase[s.Phase] = true
				fmt.Fprintf(w, "%s\n", redact(s.Err.Error()))
			case s.Status == StatusNotRun && s.Detail != "" && !failedPhase[s.Phase]:
				fmt.Fprintf(w, "%s: %s: not run: %s\n", h.Host.ID(), s.Phase, redact(s.Detail))
			}
		}
	}
	if r.KubeconfigPath != "" {
		fmt.Fprintf(w, "kubeconfig: %s (kubectl --kubeconfig %s get nodes)\n", r.KubeconfigPath, r.KubeconfigPath)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "%d change(s) in %s\n", r.Changes(), r.Elapsed.Round(100*time.Millisecond))
}

// inColumn is the host's first step in the column.
func (h *HostReport) inColumn(c plan.Column) *StepResult {
	for i := range h.Steps {
		if h.Steps[i].Column == c {
			return &h.Steps[i]
		}
	}
	return nil
}

func (h *HostReport) notRun() bool {
	for _, s := range h.Steps {
		if s.Status == StatusNotRun {
			return true
		}
	}
	return false
}
