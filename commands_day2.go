package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	pipeline "github.com/swapboot/swapboot/bootstrap/run"
)

// Day-2 commands: flags and wiring. add-node, swap, reset and kubeconfig run the same pipeline as up
// (pipeline.Run with their own planner); status only reads (pipeline.ClusterStatus); init prints a sample.

// runAction is the action of every command that changes hosts: prepare adjusts the run options from the
// command's flags and returns the command's planner.
func runAction(stdout, stderr io.Writer, prepare func(*cli.Context, *pipeline.RunOptions) pipeline.Planner) cli.ActionFunc {
	return func(c *cli.Context) error {
		file, err := oneArg(c)
		if err != nil {
			return err
		}
		ctx, done := runContext(c)
		defer done()
		o := runOptions(c, file, stdout, stderr)
		planner := prepare(c, &o)
		return pipeline.Run(ctx, o, planner)
	}
}

func changeFlags() []cli.Flag {
	return append(connectionFlags(),
		&cli.BoolFlag{Name: "dry-run", Usage: "gather facts and print every script and file, changing nothing"},
		&cli.IntFlag{Name: "kubelet-log-lines", Value: 40, Usage: "kubelet log lines shown when a step fails"},
	)
}

func addNodeCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "add-node",
		Usage:     "join workers of CLUSTER_FILE (or the ones named) that are not yet in the cluster",
		ArgsUsage: "CLUSTER_FILE",
		Flags: append(changeFlags(),
			&cli.StringSliceFlag{Name: "worker", Usage: "address or name of a worker to join (repeatable; default: every worker not yet joined)"},
			&cli.DurationFlag{Name: "ready-timeout", Value: 5 * time.Minute, Usage: "how long to wait for each new node to be Ready"},
		),
		Action: runAction(stdout, stderr, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			ao := plan.AddNodeOptions{Workers: c.StringSlice("worker"), ReadyWithin: c.Duration("ready-timeout")}
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildAddNodePlan(cl, f, o.Plan, ao)
			}
		}),
	}
}

func swapCommand(stdout, stderr io.Writer) *cli.Command {
	sub := func(enable bool) *cli.Command {
		name, usage := "disable", "turn swap off on running nodes, one at a time, and restore the kubelet's default"
		if enable {
			name, usage = "enable", "turn swap on in a running cluster, one node at a time, and make the kubelet tolerate it"
		}
		return &cli.Command{
			Name:      name,
			Usage:     usage,
			ArgsUsage: "CLUSTER_FILE",
			Flags: append(changeFlags(),
				&cli.StringSliceFlag{Name: "node", Usage: "node name or address to change (repeatable; default: every node)"},
				&cli.BoolFlag{Name: "continue-on-error", Usage: "go on with the next node when one does not come back Ready"},
				&cli.DurationFlag{Name: "ready-timeout", Value: 3 * time.Minute, Usage: "how long to wait for each node to be Ready again"},
			),
			Action: runAction(stdout, stderr, func(c *cli.Context, _ *pipeline.RunOptions) pipeline.Planner {
				so := plan.SwapChangeOptions{Enable: enable, Nodes: c.StringSlice("node"), ContinueOnError: c.Bool("continue-on-error"), ReadyWithin: c.Duration("ready-timeout")}
				return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
					return plan.BuildSwapChangePlan(cl, f, so)
				}
			}),
		}
	}
	return &cli.Command{Name: "swap", Usage: "turn swap on or off in a running cluster", Subcommands: []*cli.Command{sub(true), sub(false)}}
}

func statusCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show every host's swap, kubelet and node state; exit 0 only when all are Ready with swap as configured",
		ArgsUsage: "CLUSTER_FILE",
		Flags: append(connectionFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "table or json"},
		),
		Action: func(c *cli.Context) error {
			file, err := oneArg(c)
			if err != nil {
				return err
			}
			ctx, done := runContext(c)
			defer done()
			ssh := sshOptions(c, stderr)
			return pipeline.ClusterStatus(ctx, pipeline.StatusOptions{ClusterFile: file, Parallel: c.Int("facts-parallel"),
				Dial: pipeline.SSHDialer(ssh), CheckLocal: pipeline.SSHLocalCheck(ssh), Output: c.String("output"), Out: stdout})
		},
	}
}

func resetCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "reset",
		Usage:     "kubeadm reset every host (workers first), and remove the swap files swapboot created",
		ArgsUsage: "CLUSTER_FILE",
		Flags: append(changeFlags(),
			&cli.BoolFlag{Name: "keep-swap", Usage: "leave the swap files on"},
			&cli.BoolFlag{Name: "yes", Usage: "do not ask for confirmation (CI)"},
		),
		Action: runAction(stdout, stderr, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			if !c.Bool("yes") {
				o.Confirm = func(p *plan.Plan) (bool, error) { return confirm(stderr, p) }
			}
			keep := c.Bool("keep-swap")
			return func(cl *cluster.Cluster, f map[string]hostfacts.Facts) (*plan.Plan, error) {
				return plan.BuildResetPlan(cl, f, plan.ResetOptions{KeepSwap: keep}), nil
			}
		}),
	}
}

// confirm asks on the terminal; without one, reset needs --yes.
func confirm(stderr io.Writer, p *plan.Plan) (bool, error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return false, errors.New("reset asks for confirmation on a terminal; pass --yes to run it without one")
	}
	var hosts []string
	for _, hp := range p.Hosts {
		hosts = append(hosts, hp.Host.ID())
	}
	fmt.Fprintf(stderr, "This runs kubeadm reset -f on %s and removes swapboot's swap files. Type yes to go on: ", strings.Join(hosts, ", "))
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	return strings.TrimSpace(line) == "yes", nil
}

func kubeconfigCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "kubeconfig",
		Usage:     "write the cluster's admin kubeconfig (mode 0600)",
		ArgsUsage: "CLUSTER_FILE",
		Flags: append(connectionFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "file to write (default <name>.kubeconfig)"},
		),
		Action: runAction(stdout, stderr, func(c *cli.Context, o *pipeline.RunOptions) pipeline.Planner {
			o.OnlyMaster, o.KubeconfigDir, o.KubeconfigPath = true, ".", c.String("output")
			return plan.BuildKubeconfigPlan
		}),
	}
}

func initCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "print a cluster file: the hosts given, every optional field commented out with its default",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Value: "lab", Usage: "cluster name (the kubeconfig is written to <name>.kubeconfig)"},
			&cli.StringSliceFlag{Name: "masters", Usage: "master addresses (comma-separated)"},
			&cli.StringSliceFlag{Name: "workers", Usage: "worker addresses (comma-separated)"},
		},
		Action: func(c *cli.Context) error {
			text, err := cluster.InitFile(cluster.InitOptions{Name: c.String("name"), Masters: c.StringSlice("masters"), Workers: c.StringSlice("workers")})
			if err != nil {
				return exit.WithCode(exit.BadInput, err)
			}
			_, err = io.WriteString(stdout, text)
			return err
		},
	}
}
