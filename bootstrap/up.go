package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// UpOptions configure `swapboot up`.
type UpOptions struct {
	ClusterFile     string
	DryRun          bool
	Parallel        int
	KubeconfigDir   string
	KubeletLogLines int
	Dial            Dialer
	Out             io.Writer
	Logger          *slog.Logger
	Plan            PlanOptions
}

// Up runs the whole pipeline: cluster file -> connections -> facts -> plan -> execute -> report. It returns
// the process exit code and the error that explains it.
func Up(ctx context.Context, o UpOptions) (int, error) {
	c, err := Load(o.ClusterFile)
	if err != nil {
		return ExitBadInput, err
	}
	conns, err := Connect(ctx, o.Dial, c.Hosts(), o.Parallel)
	if err != nil {
		return exitFor(ctx, err), err
	}
	defer CloseAll(conns)
	facts, err := GatherFacts(ctx, c, conns, o.Parallel)
	if err != nil {
		return exitFor(ctx, err), err
	}
	plan, err := BuildPlan(c, facts, o.Plan)
	if err != nil {
		return exitFor(ctx, err), err
	}
	redactor := NewRedactor(plan.Token)
	if o.DryRun {
		fmt.Fprintln(o.Out, "# dry run: nothing below has been run")
		return ExitOK, plan.Print(o.Out, redactor)
	}
	exec := &Executor{Out: o.Out, Logger: o.Logger, Parallel: o.Parallel, KubeconfigDir: o.KubeconfigDir,
		KubeletLogLines: o.KubeletLogLines, Redactor: redactor}
	report := exec.Execute(ctx, plan, conns)
	fmt.Fprintln(o.Out)
	report.Print(o.Out, redactor.Redact)
	code := report.ExitCode()
	switch code {
	case ExitInterrupted:
		return code, errors.New("interrupted: the table above shows what was done and what was not")
	case ExitHostFailed:
		return code, errors.New("some hosts failed; fix the cause and run swapboot up again: finished steps are skipped")
	}
	return code, nil
}

// exitFor maps the errors of the phases before any change to exit codes.
func exitFor(ctx context.Context, err error) int {
	var cfg *ConfigError
	var pol *PolicyError
	switch {
	case ctx.Err() != nil:
		return ExitInterrupted
	case errors.As(err, &cfg), errors.As(err, &pol):
		return ExitBadInput
	default:
		return ExitHostFailed
	}
}
