// Command swapboot bootstraps kubeadm clusters whose nodes run with swap. main holds flags and wiring only;
// the pipeline lives under bootstrap/ (docs/design.md maps it).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	pipeline "github.com/swapboot/swapboot/bootstrap/run"
	"github.com/swapboot/swapboot/sshexec"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:      "swapboot",
		Usage:     "bootstrap kubeadm clusters whose nodes run with swap",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "debug logs on stderr"},
		},
		Commands: []*cli.Command{upCommand(stdout, stderr), planCommand(stdout), addNodeCommand(stdout, stderr), swapCommand(stdout, stderr),
			statusCommand(stdout, stderr), resetCommand(stdout, stderr), kubeconfigCommand(stdout, stderr), initCommand(stdout)},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors itself
	}
	err := app.Run(args)
	if err != nil && !exit.HasCode(err) {
		err = exit.WithCode(exit.BadInput, err) // urfave/cli usage errors
	}
	if err != nil && !exit.Silent(err) {
		fmt.Fprintln(stderr, "swapboot:", err)
	}
	return exit.Code(nil, err)
}

func connectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "parallel", Value: 10, Usage: "hosts changed at the same time"},
		&cli.IntFlag{Name: "facts-parallel", Value: pipeline.DefaultFactsParallel, Usage: "hosts connected to and read at the same time (read-only work; status uses it too)"},
		&cli.BoolFlag{Name: "trust-new-host-keys", Usage: "accept and record the key of a host missing from known_hosts (trust on first use); a changed key is always refused"},
		&cli.DurationFlag{Name: "dial-timeout", Value: 10 * time.Second, Usage: "SSH connection timeout per host"},
		&cli.DurationFlag{Name: "keepalive", Value: 15 * time.Second, Usage: "SSH keepalive interval; a host that misses 3 in a row is reported lost"},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "the whole run"},
		&cli.DurationFlag{Name: "step-timeout", Value: 10 * time.Minute, Usage: "each remote step (kubeadm init, a join, ...); the remote command is stopped when it passes"},
		&cli.BoolFlag{Name: "ask-sudo-password", Usage: "prompt once for the sudo password of non-root users (or set SWAPBOOT_SUDO_PASSWORD)"},
		&cli.StringFlag{Name: "report", Usage: "also write the run's report as JSON to this file (secrets masked)"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "leave this worker (address or name) out of the run, e.g. one that is down (repeatable)"},
	}
}

func upCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "up",
		Usage:     "create or complete the cluster described by CLUSTER_FILE, with swap on every node",
		ArgsUsage: "CLUSTER_FILE",
		Flags: append(connectionFlags(),
			&cli.BoolFlag{Name: "dry-run", Usage: "gather facts and print every script and file, changing nothing"},
			&cli.StringFlag{Name: "kubeconfig-dir", Value: ".", Usage: "where <name>.kubeconfig is written"},
			&cli.IntFlag{Name: "kubelet-log-lines", Value: 40, Usage: "kubelet log lines shown when init or join fails"},
		),
		Action: runAction(stdout, stderr, func(_ *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildPlan(cl, f, o.Plan)
			}
		}),
	}
}

func planCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "print what `up` would do for a Kubernetes version and cgroup version, contacting no host",
		ArgsUsage: "CLUSTER_FILE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kubernetes-version", Usage: "assumed kubeadm/kubelet version on every host (default: the file's kubernetesVersion)"},
			&cli.StringFlag{Name: "cgroup", Value: "v2", Usage: "assumed cgroup version of every host: v1 or v2"},
			&cli.BoolFlag{Name: "old-deb-layout", Usage: "assume the pre-2023 deb packages' kubelet drop-in layout"},
			&cli.StringFlag{Name: "out", Usage: "also write every rendered script and file under this directory"},
		},
		Action: func(c *cli.Context) error {
			file, err := oneArg(c)
			if err != nil {
				return err
			}
			if cg := c.String("cgroup"); cg != "v1" && cg != "v2" {
				return exit.WithCode(exit.BadInput, fmt.Errorf("--cgroup %q: use v1 or v2", cg))
			}
			err = plan.PlanOffline(plan.PlanOfflineOptions{
				ClusterFile: file,
				Assume: hostfacts.Assumptions{
					KubernetesVersion: c.String("kubernetes-version"),
					CgroupV2:          c.String("cgroup") == "v2",
					OldDebLayout:      c.Bool("old-deb-layout"),
				},
				OutDir: c.String("out"),
				Out:    stdout,
			})
			if err != nil {
				return exit.WithCode(exit.BadInput, err)
			}
			return nil
		},
	}
}

// runContext ends on Ctrl-C, SIGTERM or --timeout.
func runContext(c *cli.Context) (context.Context, func()) {
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, c.Duration("timeout"))
	return ctx, func() { cancel(); stop() }
}

func runOptions(c *cli.Context, file string, stdout, stderr io.Writer) pipeline.RunOptions {
	ssh := sshOptions(c, stderr)
	return pipeline.RunOptions{
		ClusterFile:     file,
		DryRun:          c.Bool("dry-run"),
		Parallel:        c.Int("parallel"),
		FactsParallel:   c.Int("facts-parallel"),
		KubeconfigDir:   c.String("kubeconfig-dir"),
		KubeletLogLines: c.Int("kubelet-log-lines"),
		Dial:            pipeline.SSHDialer(ssh),
		CheckLocal:      pipeline.SSHLocalCheck(ssh),
		Out:             stdout,
		Logger:          logger(c, stderr),
		ReportFile:      c.String("report"),
		StepTimeout:     c.Duration("step-timeout"),
		Exclude:         c.StringSlice("exclude"),
	}
}

func oneArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", exit.WithCode(exit.BadInput, fmt.Errorf("%s takes one argument, the cluster file (see swapboot %s --help)", c.Command.Name, c.Command.Name))
	}
	return c.Args().First(), nil
}

func logger(c *cli.Context, stderr io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if c.Bool("verbose") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// sshOptions wires the secrets prompts: environment variables first, then the terminal.
func sshOptions(c *cli.Context, stderr io.Writer) sshexec.Options {
	opts := sshexec.Options{
		DialTimeout:     c.Duration("dial-timeout"),
		KeepAlive:       c.Duration("keepalive"),
		TrustOnFirstUse: c.Bool("trust-new-host-keys"),
		UseAgent:        os.Getenv("SSH_AUTH_SOCK") != "",
		Logger:          logger(c, stderr),
		Passphrase:      passphrases(stderr),
	}
	if pw, ok := os.LookupEnv("SWAPBOOT_SUDO_PASSWORD"); ok {
		opts.SudoPassword = func(string) ([]byte, error) { return []byte(pw), nil }
	} else if c.Bool("ask-sudo-password") {
		pw, err := promptSecret(stderr, "sudo password: ")
		opts.SudoPassword = func(string) ([]byte, error) { return pw, err }
	}
	return opts
}

// passphrases asks once per key file, however many hosts use it.
func passphrases(stderr io.Writer) func(string) ([]byte, error) {
	var mu sync.Mutex
	asked := map[string][]byte{}
	return func(keyFile string) ([]byte, error) {
		if p, ok := os.LookupEnv("SWAPBOOT_KEY_PASSPHRASE"); ok {
			return []byte(p), nil
		}
		mu.Lock()
		defer mu.Unlock()
		if p, ok := asked[keyFile]; ok {
			return p, nil
		}
		p, err := promptSecret(stderr, "passphrase for "+keyFile+": ")
		if err == nil {
			asked[keyFile] = p
		}
		return p, err
	}
}

func promptSecret(stderr io.Writer, prompt string) ([]byte, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, errors.New("no terminal to ask on; set the matching SWAPBOOT_* environment variable")
	}
	fmt.Fprint(stderr, prompt)
	defer fmt.Fprintln(stderr)
	return term.ReadPassword(fd)
}
