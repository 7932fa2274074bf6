package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/cmdline"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	pipeline "github.com/swapboot/swapboot/bootstrap/run"
)

// Day-2 commands: flags and wiring. add-node, swap, reset and kubeconfig run the same pipeline as up
// (pipeline.Run with their own planner); status only reads (pipeline.ClusterStatus); init prints a sample;
// completion prints a shell completion script.

// runAction is the action of every command that changes hosts: prepare adjusts the run options from the
// command's flags and returns the command's planner.
func runAction(s streams, prepare func(*cli.Context, *pipeline.RunOptions) pipeline.Planner) cli.ActionFunc {
	return checkedRunAction(s, func(c *cli.Context, o *pipeline.RunOptions) (pipeline.Planner, error) { return prepare(c, o), nil })
}

// checkedRunAction is runAction whose prepare can refuse the run before any host is contacted.
func checkedRunAction(s streams, prepare func(*cli.Context, *pipeline.RunOptions) (pipeline.Planner, error)) cli.ActionFunc {
	return func(c *cli.Context) error {
		file, err := clusterFile(c, s)
		if err != nil {
			return err
		}
		o := runOptions(c, file, s)
		planner, err := prepare(c, &o)
		if err != nil {
			return err
		}
		ctx, done := runContext(c)
		defer done()
		return pipeline.Run(ctx, o, planner)
	}
}

// confirmRemoval is for the commands that remove something: without --yes (or --dry-run) they ask on
// a terminal, and without a terminal they stop before contacting any host.
func confirmRemoval(c *cli.Context, s streams, o *pipeline.RunOptions, what string) error {
	if c.Bool("yes") {
		return nil
	}
	t := s.terminalIO()
	if err := cmdline.NeedsYes(cmdline.CommandPath(c), false, o.DryRun, t); err != nil {
		return err
	}
	o.Confirm = func(p *plan.Plan) (bool, error) {
		var hosts []string
		for _, hp := range p.Hosts {
			hosts = append(hosts, hp.Host.ID())
		}
		return cmdline.Confirm(t, fmt.Sprintf("This %s on %s.", what, strings.Join(hosts, ", ")))
	}
	return nil
}

func yesFlag() cli.Flag {
	return &cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation (CI; needed when stdin is not a terminal)"}
}

// removingAction is runAction for a command that removes something: it asks first (confirmRemoval).
func removingAction(s streams, what string, prepare func(*cli.Context, *pipeline.RunOptions) pipeline.Planner) cli.ActionFunc {
	return checkedRunAction(s, func(c *cli.Context, o *pipeline.RunOptions) (pipeline.Planner, error) {
		planner := prepare(c, o)
		return planner, confirmRemoval(c, s, o, what)
	})
}

func addNodeCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "add-node",
		Usage:     "join workers of CLUSTER_FILE (or the ones named) that are not yet in the cluster",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: flags(connectFlags(true), changeFlags(true), []cli.Flag{
			nodeFlag("address or name of a worker to join (default: every worker not yet joined)"),
			readyTimeoutFlag(5*time.Minute, "how long to wait for each new node to be Ready"),
		}),
		Action: runAction(s, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			ao := plan.AddNodeOptions{Workers: cmdline.Hosts(c.StringSlice("node")), ReadyWithin: c.Duration("ready-timeout")}
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildAddNodePlan(cl, f, o.Plan, ao)
			}
		}),
	}
}

func swapCommand(s streams) *cli.Command {
	sub := func(enable bool) *cli.Command {
		name, usage := "disable", "turn swap off on running nodes, one at a time, and restore the kubelet's default"
		if enable {
			name, usage = "enable", "turn swap on in a running cluster, one node at a time, and make the kubelet tolerate it"
		}
		fl := flags(connectFlags(true), changeFlags(false), []cli.Flag{
			nodeFlag("node name or address to change (default: every node)"),
			&cli.BoolFlag{Name: "continue-on-error", Usage: "go on with the next node when one does not come back Ready"},
			readyTimeoutFlag(3*time.Minute, "how long to wait for each node to be Ready again"),
		})
		prepare := func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			o.Parallel = 1 // a rolling change: the plan's stages say so, this only keeps the default honest
			so := plan.SwapChangeOptions{Enable: enable, Nodes: cmdline.Hosts(c.StringSlice("node")), ContinueOnError: c.Bool("continue-on-error"), ReadyWithin: c.Duration("ready-timeout")}
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildSwapChangePlan(cl, f, so)
			}
		}
		action := runAction(s, prepare)
		if !enable {
			fl = append(fl, yesFlag())
			action = removingAction(s, "turns swap off, one node at a time, and removes the swap files swapboot created", prepare)
		}
		return &cli.Command{Name: name, Usage: usage, ArgsUsage: "[CLUSTER_FILE|-]", Flags: fl, Action: action}
	}
	return &cli.Command{Name: "swap", Usage: "turn swap on or off in a running cluster", Subcommands: []*cli.Command{sub(true), sub(false)}}
}

func statusCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show every host's swap, kubelet and node state; exit 0 only when all are Ready with swap as configured",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: flags(connectFlags(true), []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "output format: table or json", Action: cmdline.OneOf("output", "table", "json")},
		}),
		Action: func(c *cli.Context) error {
			file, err := clusterFile(c, s)
			if err != nil {
				return err
			}
			ctx, done := runContext(c)
			defer done()
			ssh := sshOptions(c, s.err)
			return pipeline.ClusterStatus(ctx, pipeline.StatusOptions{ClusterFile: file.Name, ClusterData: file.Data, Parallel: c.Int("facts-parallel"),
				Dial: pipeline.SSHDialer(ssh), CheckLocal: pipeline.SSHLocalCheck(ssh), Output: c.String("output"), Out: s.out,
				Timeout: c.Duration("timeout"), Logger: logger(c, s.err)})
		},
	}
}

func resetCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "reset",
		Usage:     "kubeadm reset every host (workers first), and remove the swap files swapboot created",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: flags(connectFlags(true), changeFlags(true), []cli.Flag{
			&cli.BoolFlag{Name: "keep-swap", Usage: "leave the swap files on"},
			yesFlag(),
		}),
		Action: removingAction(s, "runs kubeadm reset -f and removes swapboot's swap files", func(c *cli.Context, _ *pipeline.RunOptions) pipeline.Planner {
			keep := c.Bool("keep-swap")
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildResetPlan(cl, f, plan.ResetOptions{KeepSwap: keep}), nil
			}
		}),
	}
}

func kubeconfigCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "kubeconfig",
		Usage:     "write the cluster's admin kubeconfig (mode 0600), read from the first master",
		ArgsUsage: "[CLUSTER_FILE|-]",
		Flags: flags(connectFlags(false), []cli.Flag{
			&cli.DurationFlag{Name: "step-timeout", Value: 10 * time.Minute, Usage: "the remote copy; stopped when it passes", Action: cmdline.Positive("step-timeout")},
			&cli.StringFlag{Name: "file", Aliases: []string{"kubeconfig-out"}, TakesFile: true, Usage: "file to write (default <name>.kubeconfig)", Action: cmdline.FileInExistingDir("file")},
			outputFlag("text: progress and the report table; json: the run report as JSON on stdout, progress on stderr", "-o is the output format (text or json); write the file with --file FILE"),
		}),
		Action: runAction(s, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			o.OnlyMaster, o.KubeconfigDir, o.KubeconfigPath = true, ".", c.String("file")
			return plan.BuildKubeconfigPlan
		}),
	}
}

func initCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "print a cluster file: the hosts given, every optional field commented out with its default",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Value: "lab", Usage: "cluster name (the kubeconfig is written to <name>.kubeconfig)"},
			&cli.StringSliceFlag{Name: "masters", Usage: "master address (repeatable, or A,B)"},
			&cli.StringSliceFlag{Name: "workers", Usage: "worker address (repeatable, or C,D)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &cmdline.UsageError{Problem: "swapboot init takes no arguments, got " + strings.Join(c.Args().Slice(), " "),
					Fix: "name hosts with --masters A --workers B,C and redirect the output: swapboot init ... > cluster.yaml"}
			}
			text, err := cluster.InitFile(cluster.InitOptions{Name: c.String("name"),
				Masters: cmdline.Hosts(c.StringSlice("masters")), Workers: cmdline.Hosts(c.StringSlice("workers"))})
			if err != nil {
				return exit.WithCode(exit.BadInput, err)
			}
			_, err = io.WriteString(s.out, text)
			return err
		},
	}
}

// completionValues are the few-word values the completion scripts offer.
func completionValues() cmdline.FlagValues {
	return cmdline.FlagValues{"output": {"text", "json"}, "status output": {"table", "json"}, "cgroup": {"v1", "v2"}}
}

func completionCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script: source <(swapboot completion bash)",
		ArgsUsage: strings.Join(cmdline.Shells(), "|"),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &cmdline.UsageError{Problem: "swapboot completion takes the shell's name", Fix: "write swapboot completion bash, zsh or fish"}
			}
			return cmdline.Completion(s.out, c.App, c.Args().First(), completionValues())
		},
	}
}
