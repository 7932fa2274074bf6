package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/joinmaterial"
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

// runState is what the phases of one execution share.
type runState struct {
	mu          sync.Mutex
	rt          plan.Runtime
	joinCmds    []joinmaterial.JoinCommand
	materialErr error
	initFailed  error
}

// Execute runs the plan. It never stops at the first failure: each host goes as far as it can, and
// workers wait only for what they need (a control plane and the join material).
func (e *Executor) Execute(ctx context.Context, p *plan.Plan, conns map[string]Conn) *Report {
	start := time.Now()
	report := &Report{}
	reports := map[string]*HostReport{}
	for _, hp := range p.Hosts {
		hr := &HostReport{Host: hp.Host, Kubelet: p.KubeletSetting}
		for _, s := range hp.Steps {
			hr.Steps = append(hr.Steps, StepResult{Phase: s.Phase, Summary: s.Summary, Status: StatusNotRun})
		}
		reports[hp.Host.Address] = hr
		report.Hosts = append(report.Hosts, hr)
	}
	st := &runState{}
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
			e.runStage(ctx, p, hp, stage, conns[hp.Host.Address], hr, st)
			if stage.Serial && stage.StopOnFailure && hr.failed() {
				stopped.Do(func() {
					stop = hp.Host.ID() + " failed; the remaining nodes were not touched (--continue-on-error to go on)"
				})
			}
		})
		if kc := reports[p.Master.Address].find(plan.PhaseKubeconfig); kc != nil && (kc.Status == StatusChanged || kc.Status == StatusUnchanged) {
			report.KubeconfigPath = kc.Detail
		}
	}
	report.Interrupted = ctx.Err() != nil
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

func (e *Executor) runStage(ctx context.Context, p *plan.Plan, hp plan.HostPlan, stage plan.Stage, conn Conn, hr *HostReport, st *runState) {
	h := hp.Host
	for i, step := range hp.Steps {
		if !stage.Has(step.Phase) {
			continue
		}
		res := &hr.Steps[i]
		if reason := e.blocked(ctx, hr, step, st, i); reason != "" {
			res.Status, res.Detail = StatusNotRun, reason
			continue
		}
		if step.Skip != "" {
			res.Status, res.Detail = StatusAlreadyDone, step.Skip
			e.say(h, "%s: already done: %s", step.Phase, step.Skip)
			continue
		}
		st.mu.Lock()
		rt := st.rt
		st.mu.Unlock()
		started := time.Now()
		err := e.runStep(ctx, p, h, step, conn, rt, res, st)
		res.Duration = time.Since(started)
		if err != nil {
			res.Status, res.Err = StatusFailed, fmt.Errorf("%s: %s: %w", h.ID(), step.Phase, err)
			e.say(h, "%s: FAILED after %s: %v", step.Phase, res.Duration.Round(time.Millisecond), err)
			e.logger().Error("step failed", "host", h.ID(), "step", step.Phase, "err", e.Console.Redactor().Redact(err.Error()))
			// After an interrupt the kubelet's log says nothing about the cause, and the user wants out.
			if ctx.Err() == nil {
				switch step.Phase {
				case plan.PhaseInit, plan.PhaseJoin, plan.PhaseKubelet, plan.PhaseReady:
					e.showKubeletLog(ctx, conn, h)
				}
			}
			switch step.Phase {
			case plan.PhaseInit:
				st.mu.Lock()
				st.initFailed = err
				st.mu.Unlock()
			case plan.PhaseJoinMaterial:
				st.mu.Lock()
				st.materialErr = err
				st.mu.Unlock()
			}
			continue
		}
		e.logger().Info("step done", "host", h.ID(), "step", step.Phase, "status", res.Status, "duration", res.Duration)
	}
}

// blocked says why a step cannot run: an earlier step of the host failed, or (workers) the control plane
// or the join material is missing, or the run was interrupted.
func (e *Executor) blocked(ctx context.Context, hr *HostReport, step plan.Step, st *runState, index int) string {
	if ctx.Err() != nil {
		return "interrupted"
	}
	for _, earlier := range hr.Steps[:index] {
		if earlier.Status == StatusFailed {
			return "an earlier step failed (" + string(earlier.Phase) + ")"
		}
	}
	if step.Phase == plan.PhaseJoin && step.Skip == "" {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.initFailed != nil {
			return "kubeadm init failed on the master"
		}
		if st.materialErr != nil {
			return "no join material: " + st.materialErr.Error()
		}
		if len(st.rt.CACertHashes) == 0 {
			return "no join material from the master"
		}
	}
	return ""
}

func (e *Executor) runStep(ctx context.Context, p *plan.Plan, h cluster.Host, step plan.Step, conn Conn, rt plan.Runtime, res *StepResult, st *runState) error {
	script, err := step.Script(rt)
	if err != nil {
		return err
	}
	quiet := step.Collect == plan.CollectCACert || step.Collect == plan.CollectKubeconfig
	e.say(h, "%s: %s", step.Phase, step.Summary)
	out, err := e.run(ctx, conn, h, script, quiet)
	if err != nil {
		return err
	}
	changed, unchanged := output.Reports(string(out.Stdout))
	res.Status = StatusUnchanged
	if len(changed) > 0 {
		res.Status = StatusChanged
		res.Detail = strings.Join(changed, "; ")
	} else {
		res.Detail = strings.Join(unchanged, "; ")
	}
	switch step.Collect {
	case plan.CollectInitOutput:
		if res.Status == StatusChanged {
			cmds, err := joinmaterial.ParseJoinCommands(string(out.Stdout))
			if err != nil {
				return fmt.Errorf("reading the join command from kubeadm init output: %w", err)
			}
			st.mu.Lock()
			st.joinCmds = cmds
			st.mu.Unlock()
		}
	case plan.CollectJoinCommand:
		cmds, err := joinmaterial.ParseJoinCommands(string(out.Stdout))
		if err != nil {
			return fmt.Errorf("reading the join command from kubeadm token create: %w", err)
		}
		st.mu.Lock()
		st.joinCmds = cmds
		st.mu.Unlock()
	case plan.CollectCACert:
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
		res.Status, res.Detail = StatusUnchanged, "CA hash "+hash
	case plan.CollectKubeconfig:
		path := e.KubeconfigPath
		if path == "" {
			path = filepath.Join(e.KubeconfigDir, p.Cluster.Name+".kubeconfig")
		}
		changed, err := writeFileAtomic(path, out.Stdout, 0o600)
		if err != nil {
			return fmt.Errorf("saving the admin kubeconfig: %w", err)
		}
		res.Status, res.Detail = StatusUnchanged, path
		if changed {
			res.Status = StatusChanged
		}
	}
	e.say(h, "%s: %s %s", step.Phase, res.Status, res.Detail)
	return nil
}

// showKubeletLog prints the tail of the kubelet log: kubeadm's own error usually hides the cause.
func (e *Executor) showKubeletLog(ctx context.Context, conn Conn, h cluster.Host) {
	lines := e.KubeletLogLines
	if lines <= 0 {
		lines = 40
	}
	script, err := templates.Render("kubelet-logs", templates.Var{Name: "LINES", Value: fmt.Sprint(lines)})
	if err != nil || conn == nil {
		return
	}
	logCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	e.say(h, "last %d lines of the kubelet log:", lines)
	_, _ = e.run(logCtx, conn, cluster.Host{Address: h.ID() + " kubelet"}, script, false)
}

// writeFileAtomic writes through a temp file and rename; it reports whether the content changed.
func writeFileAtomic(path string, data []byte, mode os.FileMode) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, os.Chmod(path, mode)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), path)
}
