package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/internal/atomicfile"
)

// RunOptions configure every command that changes hosts (up, add-node, swap enable/disable, reset,
// kubeconfig): they share one pipeline and differ only in how the plan is built.
type RunOptions struct {
	// ClusterFile is the cluster file's path, or its name in messages when ClusterData holds its
	// contents (read from stdin: "<stdin>").
	ClusterFile string
	ClusterData []byte
	DryRun      bool
	// Rendering is how a dry-run prints its plan (summary, --scripts, -o json); with JSON a real run
	// prints its report as JSON on Out at the end and its progress on Progress.
	Rendering plan.Rendering
	// Progress receives the human progress and report table when Rendering.JSON (stderr); nil: Out.
	Progress io.Writer
	// Parallel bounds the hosts changed at once; FactsParallel the connections and read-only fact
	// gathering, which cost the controller little (default 64).
	Parallel        int
	FactsParallel   int
	KubeconfigDir   string
	KubeconfigPath  string // overrides KubeconfigDir/<name>.kubeconfig
	KubeletLogLines int
	Dial            Dialer
	// CheckLocal, when set, checks the local setup (key files, ssh-agent) before any host is contacted.
	CheckLocal LocalCheck
	Out        io.Writer
	Logger     *slog.Logger
	Plan       plan.PlanOptions
	// Confirm is asked before a destructive plan runs (reset); nil means yes.
	Confirm func(*plan.Plan) (bool, error)
	// OnlyMaster connects to the first master only (kubeconfig).
	OnlyMaster bool
	// Exclude leaves these workers (address or name) out of this run, e.g. one that is down.
	Exclude []string
	// StepTimeout bounds each remote step.
	StepTimeout time.Duration
	// ReportFile receives the report as JSON (secrets masked), for CI and benchmarks.
	ReportFile string
	// Timeout bounds the whole run (--timeout; 0: no limit of its own). When it passes the run stops and
	// Run returns a *TimeoutError (exit.TimedOut), not an interruption.
	Timeout time.Duration
}

// Planner builds a command's plan from the cluster file and the hosts' facts.
type Planner func(c *cluster.Cluster, facts map[string]hostfacts.Facts) (*plan.Plan, error)

// Run is the pipeline: cluster file -> connections -> facts -> plan -> execute -> report. The error it
// returns carries the process exit code (exit.Code of the run's context and error); nil means every
// host is done.
func Run(ctx context.Context, o RunOptions, planner Planner) error {
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	log := orDiscard(o.Logger)
	done := stage(log, "load", "file", o.ClusterFile, "dryRun", o.DryRun, "parallel", o.Parallel, "factsParallel", o.factsParallel(),
		"timeout", o.Timeout, "stepTimeout", o.StepTimeout, "exclude", o.Exclude, "onlyMaster", o.OnlyMaster)
	c, err := cluster.LoadFrom(o.ClusterFile, o.ClusterData)
	var scope *cluster.Cluster
	if err == nil {
		scope, err = runScope(c, o)
	}
	if err != nil {
		done(err)
		return exit.WithCode(exit.BadInput, err)
	}
	done(nil, "cluster", scope.Name, "masters", len(scope.Masters), "workers", len(scope.Workers))
	for _, w := range c.Warnings {
		fmt.Fprintln(o.progress(), "warning: "+w)
	}
	// Local setup (key files, the ssh-agent) is checked once, before any host is dialled.
	if err := checkLocal(o.CheckLocal, scope.Hosts()); err != nil {
		return err
	}

	done = stage(log, "connect", "hosts", len(scope.Hosts()))
	conns, err := Connect(ctx, loggedDial(o.Dial, log), scope.Hosts(), o.factsParallel())
	if err != nil {
		done(err)
		return o.stoppedEarly(ctx, scope, "connecting", err)
	}
	done(nil)
	defer CloseAll(conns)

	done = stage(log, "facts", "hosts", len(conns))
	facts, err := GatherFacts(ctx, scope, conns, o.factsParallel())
	if err != nil {
		done(err)
		return o.stoppedEarly(ctx, scope, "reading facts", err)
	}
	done(nil)

	done = stage(log, "plan")
	p, err := planner(scope, facts)
	if err != nil {
		done(err)
		return stopped(ctx, o.Timeout, "planning", false, err)
	}
	done(nil, "command", p.Command, "hosts", len(p.Hosts), "stages", len(p.Stages))

	redactor := output.NewRedactor(p.Token, p.CertificateKey)
	if o.DryRun {
		done = stage(log, "execute", "dryRun", true)
		if !o.Rendering.JSON {
			fmt.Fprintf(o.Out, "# dry run of swapboot %s: nothing below has been run\n", p.Command)
		}
		p.MaskSecrets = true
		err := p.Write(o.Out, redactor, o.Rendering)
		done(err)
		return exit.WithCode(exit.OK, err)
	}
	if o.Confirm != nil {
		ok, err := o.Confirm(p)
		if err != nil {
			return exit.WithCode(exit.BadInput, err)
		}
		if !ok {
			log.Debug("not confirmed", "command", p.Command)
			return exit.WithCode(exit.OK, errors.New("nothing done"))
		}
	}
	done = stage(log, "execute", "command", p.Command, "parallel", o.Parallel)
	exec := &Executor{Console: output.NewConsole(o.progress(), redactor), Logger: o.Logger, Parallel: o.Parallel, KubeconfigDir: o.KubeconfigDir,
		KubeconfigPath: o.KubeconfigPath, KubeletLogLines: o.KubeletLogLines, StepTimeout: o.StepTimeout}
	report := exec.Execute(ctx, p, conns)
	done(nil, "changes", report.Changes(), "interrupted", report.Interrupted, "timedOut", report.TimedOut)

	done = stage(log, "report", "file", o.ReportFile)
	fmt.Fprintln(o.progress())
	report.Print(o.progress(), redactor.Redact)
	if err := o.writeReport(report, redactor); err != nil {
		done(err)
		return err
	}
	done(nil, "exitCode", report.ExitCode())
	switch code := report.ExitCode(); code {
	case exit.TimedOut:
		return stopped(ctx, o.Timeout, "running the plan", true, ctx.Err())
	case exit.Interrupted:
		return exit.WithCode(code, errors.New("interrupted: the table above shows what was done and what was not"))
	case exit.HostFailed:
		return exit.WithCode(code, fmt.Errorf("some hosts failed; fix the cause and run swapboot %s again: finished steps are skipped", p.Command))
	}
	return nil
}

// progress is where a run's human output goes: Out, or with -o json Progress (stderr), so that Out
// carries only the JSON report.
func (o RunOptions) progress() io.Writer {
	switch {
	case !o.Rendering.JSON:
		return o.Out
	case o.Progress != nil:
		return o.Progress
	}
	return io.Discard
}

// writeReport writes --report FILE and, with -o json, the same JSON on Out (secrets masked).
func (o RunOptions) writeReport(r *Report, redactor *output.Redactor) error {
	if o.ReportFile == "" && !o.Rendering.JSON {
		return nil
	}
	data, err := r.JSON(redactor.Redact)
	if err == nil && o.ReportFile != "" {
		_, err = atomicfile.Write(o.ReportFile, append(data, '\n'), 0o644)
	}
	if err == nil && o.Rendering.JSON {
		_, err = o.Out.Write(append(data, '\n'))
	}
	if err != nil {
		return exit.WithCode(exit.HostFailed, fmt.Errorf("writing the report: %w", err))
	}
	return nil
}

// stoppedEarly ends a run that could not connect to or read every host: the report (most useful then)
// lists every host, those not reached with their error; err keeps its exit code.
func (o RunOptions) stoppedEarly(ctx context.Context, scope *cluster.Cluster, stage string, err error) error {
	stop := stopped(ctx, o.Timeout, stage, false, err)
	r := earlyReport(scope, ctx.Err() != nil, err)
	r.TimedOut = exit.Code(ctx, err) == exit.TimedOut
	if werr := o.writeReport(r, output.NewRedactor()); werr != nil {
		return exit.WithCode(exit.Code(ctx, stop), fmt.Errorf("%w (and %v)", stop, werr))
	}
	return stop
}

func (o RunOptions) factsParallel() int {
	if o.FactsParallel > 0 {
		return o.FactsParallel
	}
	return DefaultFactsParallel
}

// DefaultFactsParallel bounds connections and fact gathering: read-only, and cheap for the controller
// (about 5 ms of CPU and 0.2 MiB per host, docs/performance.md).
const DefaultFactsParallel = 64

// runScope is the part of the cluster this run works on.
func runScope(c *cluster.Cluster, o RunOptions) (*cluster.Cluster, error) {
	scope := *c
	if o.OnlyMaster {
		scope.Workers = nil
	}
	if len(o.Exclude) == 0 {
		return &scope, nil
	}
	excluded := map[string]bool{}
	for _, x := range o.Exclude {
		excluded[x] = true
	}
	for _, m := range c.Masters {
		if excluded[m.Address] || (m.Name != "" && excluded[m.Name]) {
			return nil, &plan.PolicyError{Field: "--exclude", Problem: m.ID() + " is a master; only workers can be left out", Fix: "fix the master's connection, or remove --exclude " + m.Address}
		}
	}
	scope.Workers = nil
	for _, w := range c.Workers {
		if excluded[w.Address] || (w.Name != "" && excluded[w.Name]) {
			delete(excluded, w.Address)
			delete(excluded, w.Name)
			continue
		}
		scope.Workers = append(scope.Workers, w)
	}
	for x := range excluded {
		return nil, &plan.PolicyError{Field: "--exclude", Problem: x + " is not a worker of " + c.File, Fix: "name a worker by its address or name"}
	}
	return &scope, nil
}
