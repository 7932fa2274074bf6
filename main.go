// Command swapboot bootstraps kubeadm clusters whose nodes run with swap. main holds flags and wiring only;
// the command-line logic (argv normalisation, flag checks, completion, confirmation) is bootstrap/cmdline
// and the pipeline lives under bootstrap/ (docs/design.md maps it).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/cmdline"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	pipeline "github.com/swapboot/swapboot/bootstrap/run"
	"github.com/swapboot/swapboot/sshexec"
)

// version and commit are set at build time with -ldflags "-X main.version=... -X main.commit=..."
// (the commit also comes from Go's VCS stamp when the build has one).
var version, commit = "dev", ""

func main() {
	s := streams{in: os.Stdin, out: os.Stdout, err: os.Stderr, terminal: term.IsTerminal(int(os.Stdin.Fd()))}
	os.Exit(run(context.Background(), os.Args, s))
}

// streams are the process's standard streams; tests pass their own.
type streams struct {
	in       io.Reader
	out, err io.Writer
	terminal bool // in is a terminal a person can answer on
}

func (s streams) terminalIO() cmdline.Terminal {
	return cmdline.Terminal{In: s.in, Out: s.err, IsTerminal: s.terminal}
}

// renamed are spellings the commands no longer take, refused with the new one.
func renamed() []cmdline.Renamed {
	return []cmdline.Renamed{
		{Command: "add-node", Flag: "worker", Fix: "name the workers with --node ADDR (repeatable, or ADDR1,ADDR2)"},
		{Command: "status", Flag: "parallel", Fix: "status changes nothing; bound its connections with --facts-parallel N"},
		{Command: "swap enable", Flag: "parallel", Fix: "swap enable changes one node at a time; bound the connections with --facts-parallel N"},
		{Command: "swap disable", Flag: "parallel", Fix: "swap disable changes one node at a time; bound the connections with --facts-parallel N"},
	}
}

func newApp(s streams) *cli.App {
	return &cli.App{
		Name:        "swapboot",
		Usage:       "bootstrap kubeadm clusters whose nodes run with swap",
		Version:     version,
		HideVersion: true, // --version below prints more than urfave/cli's version line
		Writer:      s.out,
		ErrWriter:   s.err,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "debug logs on stderr"},
			&cli.BoolFlag{Name: "version", Usage: "print the release, commit, Go version and supported Kubernetes range"},
		},
		Before: func(c *cli.Context) error {
			if !c.Bool("version") {
				return nil
			}
			info, _ := debug.ReadBuildInfo()
			fmt.Fprint(s.out, cmdline.VersionText("swapboot", version, commit, info))
			return cli.Exit("", exit.OK)
		},
		Commands: []*cli.Command{upCommand(s), planCommand(s), addNodeCommand(s), swapCommand(s),
			statusCommand(s), resetCommand(s), kubeconfigCommand(s), initCommand(s), completionCommand(s)},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors itself
	}
}

// run is the whole process: argv is normalised (flags anywhere, see cmdline.Normalize), then run.
func run(ctx context.Context, args []string, s streams) int {
	app := newApp(s)
	norm, err := cmdline.Normalize(app, args, renamed())
	if err == nil {
		err = app.RunContext(ctx, norm)
	}
	return exitCode(err, s.err)
}

// exitCode prints err (one line, unless it has nothing to say) and returns the process exit code:
// errors carry their code (exit.Code); what urfave/cli returns on its own is a usage error.
func exitCode(err error, stderr io.Writer) int {
	if err != nil && !exit.HasCode(err) {
		err = exit.WithCode(exit.BadInput, err) // urfave/cli usage errors
	}
	if err != nil && !exit.Silent(err) {
		fmt.Fprintln(stderr, "swapboot:", err)
	}
	return exit.Code(nil, err)
}

// connectFlags are the flags of every command that opens SSH connections. factsParallel: the command
// connects to more than one host.
func connectFlags(factsParallel bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "trust-new-host-keys", Usage: "accept and record the key of a host missing from known_hosts (trust on first use); a changed key is always refused"},
		&cli.DurationFlag{Name: "dial-timeout", Value: 10 * time.Second, Usage: "SSH connection timeout per host", Action: cmdline.Positive("dial-timeout")},
		&cli.DurationFlag{Name: "keepalive", Value: 15 * time.Second, Usage: "SSH keepalive interval; a host that misses 3 in a row is reported lost", Action: cmdline.Positive("keepalive")},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "the whole run; when it passes the run stops with exit code 124", Action: cmdline.Positive("timeout")},
		&cli.BoolFlag{Name: "ask-sudo-password", Usage: "prompt once for the sudo password of non-root users (or set SWAPBOOT_SUDO_PASSWORD)"},
	}
	if factsParallel {
		flags = append(flags, &cli.IntFlag{Name: "facts-parallel", Value: pipeline.DefaultFactsParallel, Usage: "hosts connected to and read at the same time (read-only work)", Action: cmdline.AtLeast("facts-parallel", 1)})
	}
	return flags
}

// changeFlags are the flags of the commands that change hosts through the pipeline. parallel: hosts
// are changed in parallel (not a rolling change).
func changeFlags(parallel bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "dry-run", Usage: "gather facts and print the plan (a summary per host; --scripts: every script), changing nothing"},
		scriptsFlag(),
		outputFlag("text: progress and the report table; json: the same JSON as --report on stdout at the end, progress on stderr (with --dry-run: the plan as JSON)", ""),
		&cli.DurationFlag{Name: "step-timeout", Value: 10 * time.Minute, Usage: "each remote step (kubeadm init, a join, ...); the remote command is stopped when it passes", Action: cmdline.Positive("step-timeout")},
		&cli.StringFlag{Name: "report", TakesFile: true, Usage: "also write the run's report as JSON to this file (secrets masked)", Action: cmdline.FileInExistingDir("report")},
		&cli.StringSliceFlag{Name: "exclude", Usage: "leave this worker (address or name) out of the run, e.g. one that is down (repeatable, or A,B)"},
		&cli.IntFlag{Name: "kubelet-log-lines", Value: 40, Usage: "kubelet log lines shown when a step fails", Action: cmdline.AtLeast("kubelet-log-lines", 0)},
	}
	if parallel {
		flags = append(flags, &cli.IntFlag{Name: "parallel", Value: 10, Usage: "hosts changed at the same time", Action: cmdline.AtLeast("parallel", 1)})
	}
	return flags
}

// scriptsFlag prints every script body in full instead of the plan's summary (plan, --dry-run).
func scriptsFlag() cli.Flag {
	return &cli.BoolFlag{Name: "scripts", Usage: "print every script and document in full instead of the summary (with -o json: add each step's script)"}
}

// outputFlag is -o, the output format of every command that prints a plan or a report: text or json.
// fix, when set, is the hint for a value that is neither (kubeconfig's -o used to be a file).
func outputFlag(usage, fix string) cli.Flag {
	check := cmdline.OneOf("output", "text", "json")
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output format: " + usage,
		Action: func(c *cli.Context, v string) error {
			err := check(c, v)
			var ue *cmdline.UsageError
			if fix != "" && errors.As(err, &ue) {
				ue.Fix = fix
			}
			return err
		}}
}

// rendering is how the command prints its plan (plan, --dry-run) and whether a run's report is JSON.
func rendering(c *cli.Context) plan.Rendering {
	return plan.Rendering{Scripts: c.Bool("scripts"), JSON: c.String("output") == "json"}
}

func nodeFlag(usage string) cli.Flag {
	return &cli.StringSliceFlag{Name: "node", Usage: usage + " (repeatable, or ADDR1,ADDR2)"}
}

func readyTimeoutFlag(d time.Duration, usage string) cli.Flag {
	return &cli.DurationFlag{Name: "ready-timeout", Value: d, Usage: usage, Action: cmdline.Positive("ready-timeout")}
}

func flags(groups ...[]cli.Flag) []cli.Flag {
	var all []cli.Flag
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

func upCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "up",
		Usage:     "create or complete the cluster described by CLUSTER_FILE, with swap on every node",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: flags(connectFlags(true), changeFlags(true), []cli.Flag{
			&cli.StringFlag{Name: "kubeconfig-dir", Value: ".", TakesFile: true, Usage: "where <name>.kubeconfig is written", Action: cmdline.ExistingDir("kubeconfig-dir")},
			&cli.DurationFlag{Name: "pod-network-timeout", Value: 5 * time.Minute, Usage: "how long to wait, after applying the pod network (flannel), until it runs on every node and each is Ready", Action: cmdline.Positive("pod-network-timeout")},
		}),
		Action: runAction(s, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			o.Plan.PodNetworkWithin = c.Duration("pod-network-timeout")
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildPlan(cl, f, o.Plan)
			}
		}),
	}
}

func planCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "print what `up` would do for a Kubernetes version and cgroup version, contacting no host",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kubernetes-version", Usage: "assumed kubeadm/kubelet version on every host (default: the file's kubernetesVersion)"},
			&cli.StringFlag{Name: "cgroup", Value: "v2", Usage: "assumed cgroup version of every host: v1 or v2", Action: cmdline.OneOf("cgroup", "v1", "v2")},
			&cli.BoolFlag{Name: "old-deb-layout", Usage: "assume the pre-2023 deb packages' kubelet drop-in layout"},
			&cli.StringFlag{Name: "out", TakesFile: true, Usage: "also write every rendered script and file under this directory"},
			scriptsFlag(),
			outputFlag("text or json (the plan as JSON, schemaVersion 1; secrets masked)", ""),
		},
		Action: func(c *cli.Context) error {
			file, err := clusterFile(c, s)
			if err != nil {
				return err
			}
			debugf(c, s, "plan", "file", file.Name)
			err = plan.PlanOffline(plan.PlanOfflineOptions{
				ClusterFile: file.Name,
				ClusterData: file.Data,
				Assume: hostfacts.Assumptions{
					KubernetesVersion: c.String("kubernetes-version"),
					CgroupV2:          c.String("cgroup") == "v2",
					OldDebLayout:      c.Bool("old-deb-layout"),
				},
				OutDir:    c.String("out"),
				Out:       s.out,
				Rendering: rendering(c),
			})
			if err != nil {
				return exit.WithCode(exit.BadInput, err)
			}
			return nil
		},
	}
}

// clusterFile is the command's cluster file argument: a path, - (stdin) or ./cluster.yaml.
func clusterFile(c *cli.Context, s streams) (*cmdline.ClusterFile, error) {
	return cmdline.OpenClusterFile(cmdline.CommandPath(c), c.Args().Slice(), s.in)
}

// runContext ends on Ctrl-C or SIGTERM; the run's --timeout is the pipeline's own (RunOptions.Timeout).
func runContext(c *cli.Context) (context.Context, func()) {
	return signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
}

// runOptions builds the SSH options once: building them can ask for the sudo password.
func runOptions(c *cli.Context, file *cmdline.ClusterFile, s streams) pipeline.RunOptions {
	ssh := sshOptions(c, s.err)
	return pipeline.RunOptions{
		ClusterFile:     file.Name,
		ClusterData:     file.Data,
		DryRun:          c.Bool("dry-run"),
		Rendering:       rendering(c),
		Progress:        s.err,
		Parallel:        c.Int("parallel"),
		FactsParallel:   c.Int("facts-parallel"),
		KubeconfigDir:   c.String("kubeconfig-dir"),
		KubeletLogLines: c.Int("kubelet-log-lines"),
		Dial:            pipeline.SSHDialer(ssh),
		CheckLocal:      pipeline.SSHLocalCheck(ssh),
		Out:             s.out,
		Logger:          logger(c, s.err),
		ReportFile:      c.String("report"),
		StepTimeout:     c.Duration("step-timeout"),
		Exclude:         cmdline.Hosts(c.StringSlice("exclude")),
		Timeout:         c.Duration("timeout"),
	}
}

// debugf logs what a command was asked to do, with --verbose (the pipeline logs its own stages; plan
// contacts no host and runs no pipeline).
func debugf(c *cli.Context, s streams, msg string, args ...any) {
	logger(c, s.err).Debug(msg, append([]any{"command", cmdline.CommandPath(c)}, args...)...)
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
