package run

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
	"github.com/swapboot/swapboot/templates"
)

// Executor runs plans over open connections: phases in order, hosts inside a phase in bounded parallel.
type Executor struct {
	Logger   *slog.Logger
	Parallel int
	// KubeconfigDir is where <cluster name>.kubeconfig is written, unless KubeconfigPath names the file.
	KubeconfigDir   string
	KubeconfigPath  string
	KubeletLogLines int
	// Console carries every host line: protocol lines dropped, secrets masked, host prefixed.
	Console *output.Console
	// StepTimeout bounds each remote step (0: only the run's own deadline).
	StepTimeout time.Duration
}

func (e *Executor) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return e.Logger
}

// say prints one line for a host.
func (e *Executor) say(h cluster.Host, format string, args ...any) {
	e.Console.Say(h.ID(), format, args...)
}

// run executes one script on a host, streaming its output, and returns the result.
func (e *Executor) run(ctx context.Context, conn Conn, h cluster.Host, script string, quiet bool) (sshexec.Result, error) {
	cmd := sshexec.Cmd{Script: script, Timeout: e.StepTimeout}
	if !quiet {
		// One writer per stream, so partial lines of stdout and stderr never mix.
		stdout, stderr := e.Console.Host(h.ID()), e.Console.Host(h.ID())
		defer stdout.Close()
		defer stderr.Close()
		cmd.Stdout, cmd.Stderr = stdout, stderr
	}
	return conn.Run(ctx, cmd)
}

// Execute runs the plan. It never stops at the first failure: each host goes as far as it can, and
// workers wait only for what they need (a control plane and the join material).
func (e *Executor) Execute(ctx context.Context, p *plan.Plan, conns map[string]Conn) *Report {
	start := time.Now()
	report := &Report{Notes: p.AfterRun}
	reports := map[string]*HostReport{}
	for _, hp := range p.Hosts {
		hr := &HostReport{Host: hp.Host, Kubelet: p.KubeletSetting}
		for _, s := range hp.Steps {
			res := StepResult{Phase: s.Phase, Summary: s.Summary, Status: StatusNotRun}
			if k, ok := s.Kind.(plan.Reported); ok {
				res.Column = k.Column()
			}
			hr.Steps = append(hr.Steps, res)
		}
		reports[hp.Host.Address] = hr
		report.Hosts = append(report.Hosts, hr)
	}
	kubeconfig := e.KubeconfigPath
	if kubeconfig == "" {
		kubeconfig = filepath.Join(e.KubeconfigDir, p.Cluster.Name+".kubeconfig")
	}
	st := plan.NewRunState(kubeconfig)
	for _, stage := range p.Stages {
		var work []plan.HostPlan
		for _, hp := range p.Hosts {
			if stage.ForRole(hp.Host.Role) && hasStage(hp, stage) {
				work = append(work, hp)
			}
		}
		limit := e.Parallel
		if stage.Serial {
			limit = 1
		}
		var stopped sync.Once
		stop := ""
		forEach(ctx, limit, work, func(ctx context.Context, hp plan.HostPlan) {
			hr := reports[hp.Host.Address]
			if stop != "" {
				for i, s := range hp.Steps {
					if stage.Has(s.Phase) {
						hr.Steps[i].Detail = stop
					}
				}
				return
			}
			e.runStage(ctx, hp, stage, conns[hp.Host.Address], hr, st)
			if stage.Serial && stage.StopOnFailure && hr.failed() {
				stopped.Do(func() {
					note := stage.StopNote
					if note == "" {
						note = "--continue-on-error to go on"
					}
					stop = hp.Host.ID() + " failed; the remaining nodes were not touched (" + note + ")"
				})
			}
		})
	}
	report.KubeconfigPath = st.SavedKubeconfig()
	stop := exit.Code(ctx, ctx.Err()) // OK while the run's context is live
	report.Interrupted, report.TimedOut = stop != exit.OK, stop == exit.TimedOut
	report.Elapsed = time.Since(start)
	return report
}

func hasStage(hp plan.HostPlan, stage plan.Stage) bool {
	for _, s := range hp.Steps {
		if stage.Has(s.Phase) {
			return true
		}
	}
	return false
}

func (e *Executor) runStage(ctx context.Context, hp plan.HostPlan, stage plan.Stage, conn Conn, hr *HostReport, st *plan.RunState) {
	h := hp.Host
	for i, step := range hp.Steps {
		if !stage.Has(step.Phase) {
			continue
		}
		res := &hr.Steps[i]
		if reason := blocked(ctx, hr, step, st, i); reason != "" {
			res.Status, res.Detail = StatusNotRun, reason
			continue
		}
		if step.Skip != "" {
			res.Status, res.Detail = StatusAlreadyDone, step.Skip
			e.say(h, "%s: already done: %s", step.Phase, step.Skip)
			continue
		}
		started := time.Now()
		err := e.runStep(ctx, h, step, conn, st, res)
		res.Duration = time.Since(started)
		if err != nil {
			res.Status, res.Err = StatusFailed, fmt.Errorf("%s: %s: %w", h.ID(), step.Phase, err)
			e.say(h, "%s: FAILED after %s: %v", step.Phase, res.Duration.Round(time.Millisecond), err)
			e.logger().Error("step failed", "host", h.ID(), "step", step.Phase, "err", e.Console.Redactor().Redact(err.Error()))
			// After an interrupt the kubelet's log says nothing about the cause, and the user wants out.
			if k, ok := step.Kind.(plan.KubeletLog); ok && k.ShowKubeletLog() && ctx.Err() == nil {
				e.showKubeletLog(ctx, conn, h)
			}
			if k, ok := step.Kind.(plan.FailureHook); ok {
				k.Failed(st, err)
			}
			continue
		}
		e.logger().Info("step done", "host", h.ID(), "step", step.Phase, "status", res.Status, "duration", res.Duration)
	}
}

// blocked says why a step cannot run: the run was interrupted, an earlier step of the host failed, or
// the step's kind waits for something another host has not provided (Gate).
func blocked(ctx context.Context, hr *HostReport, step plan.Step, st *plan.RunState, index int) string {
	if ctx.Err() != nil {
		return "interrupted"
	}
	for _, earlier := range hr.Steps[:index] {
		if earlier.Status == StatusFailed {
			return "an earlier step failed (" + string(earlier.Phase) + ")"
		}
	}
	if g, ok := step.Kind.(plan.Gate); ok {
		return g.Blocked(st)
	}
	return ""
}

// runStep renders the step's script with the run-time values known so far, runs it, reads its
// @swapboot report lines, and hands the output to the kind's OutputHook.
func (e *Executor) runStep(ctx context.Context, h cluster.Host, step plan.Step, conn Conn, st *plan.RunState, res *StepResult) error {
	script, err := step.Script(st.Runtime())
	if err != nil {
		return err
	}
	q, ok := step.Kind.(plan.Quiet)
	e.say(h, "%s: %s", step.Phase, step.Summary)
	out, err := e.run(ctx, conn, h, script, ok && q.QuietOutput())
	if err != nil {
		return err
	}
	changed, unchanged := output.Reports(string(out.Stdout))
	o := &plan.Output{Stdout: out.Stdout, Changed: len(changed) > 0, Detail: strings.Join(unchanged, "; ")}
	if o.Changed {
		o.Detail = strings.Join(changed, "; ")
	}
	res.setOutcome(o)
	if k, ok := step.Kind.(plan.OutputHook); ok {
		if err := k.TakeOutput(st, o); err != nil {
			return err
		}
		res.setOutcome(o)
	}
	e.say(h, "%s: %s %s", step.Phase, res.Status, res.Detail)
	return nil
}

func (r *StepResult) setOutcome(o *plan.Output) {
	r.Status, r.Detail = StatusUnchanged, o.Detail
	if o.Changed {
		r.Status = StatusChanged
	}
}

// showKubeletLog prints the tail of the kubelet log: kubeadm's own error usually hides the cause.
func (e *Executor) showKubeletLog(ctx context.Context, conn Conn, h cluster.Host) {
	lines := e.KubeletLogLines
	if lines <= 0 {
		lines = 40
	}
	script, err := templates.Render(templates.KubeletLogs{Lines: lines})
	if err != nil || conn == nil {
		return
	}
	logCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	e.say(h, "last %d lines of the kubelet log:", lines)
	_, _ = e.run(logCtx, conn, cluster.Host{Address: h.ID() + " kubelet"}, script, false)
}
