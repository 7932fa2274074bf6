// Command lab runs the swapboot real-cluster lab: namespace hosts with real
// systemd, sshd and containerd (see package github.com/swapboot/swapboot/lab).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/swapboot/swapboot/lab"
	"github.com/urfave/cli/v2"
)

func main() {
	// Hidden helpers (_host, _init, _swapoff) re-execute this binary.
	lab.HelperMain()

	nameFlag := &cli.StringFlag{Name: "name", Value: lab.DefaultName, Usage: "lab name (1-10 of [a-z0-9])", EnvVars: []string{"SWAPBOOT_LAB_NAME"}}
	stateFlag := &cli.StringFlag{Name: "state-root", Value: lab.DefaultStateRoot, Usage: "where labs keep their state (must be ext4)"}
	opts := func(c *cli.Context) lab.Options {
		return lab.Options{Name: c.String("name"), StateRoot: c.String("state-root"), Log: os.Stderr}
	}
	app := &cli.App{
		Name:  "lab",
		Usage: "real-cluster lab for swapboot: namespace hosts with systemd, sshd, containerd",
		Commands: []*cli.Command{
			{
				Name:      "up",
				Usage:     "create and start N hosts (the first is the master)",
				ArgsUsage: "N",
				Flags: []cli.Flag{
					nameFlag, stateFlag,
					&cli.StringFlag{Name: "subnet", Value: lab.DefaultSubnet, Usage: "host network (hosts get .11, .12, ...)"},
					&cli.StringFlag{Name: "cgroup-prefix", Value: lab.DefaultCgroupPrefix, Usage: "prefix of the hosts' cgroups"},
					&cli.StringSliceFlag{Name: "old-deb-layout", Usage: "hosts (e.g. w1) with the old deb kubelet drop-in path and no /etc/default/kubelet"},
					&cli.StringSliceFlag{Name: "small-disk", Usage: "HOST=SIZE: loop-image ext4 root of SIZE (e.g. w1=64M)"},
					&cli.BoolFlag{Name: "no-kubernetes", Usage: "hosts without the Kubernetes payload"},
					&cli.IntFlag{Name: "masters", Value: 1, Usage: "how many of the N hosts are masters (m1..mK; the cluster file gets controlPlane: with more than one)"},
					&cli.StringFlag{Name: "load-balancer", Usage: "with several masters: keepalived (default; endpoint .10:8443 on the masters) or external (one more host, <name>-lb, running haproxy)"},
					&cli.BoolFlag{Name: "no-build", Usage: "fail instead of running lab/k8sbuild/build.sh or lab/flannelbuild/build.sh when a cache is missing"},
					&cli.StringFlag{Name: "k8s-version", Value: lab.DefaultK8sVersion},
					&cli.StringFlag{Name: "build-script", Usage: "path of lab/k8sbuild/build.sh (found automatically)"},
					&cli.StringFlag{Name: "flannel-build-script", Usage: "path of lab/flannelbuild/build.sh (found automatically)"},
					&cli.BoolFlag{Name: "static-pod-network", Usage: "apply the lab's own pod network (as lab network does), for clusters with cni.plugin: none; by default swapboot installs flannel"},
					&cli.IntFlag{Name: "vm-workers", Usage: "the last K workers are qemu guests (cgroup v2 Debian; image built once into the cache)"},
					&cli.StringFlag{Name: "vm-memory", Value: lab.DefaultVMMemory, Usage: "memory of each vm guest"},
					&cli.StringFlag{Name: "vm-spare-disk", Usage: "SIZE: an empty spare disk in each vm guest (/dev/disk/by-id/virtio-spare)"},
				},
				Action: func(c *cli.Context) error {
					n, err := strconv.Atoi(c.Args().First())
					if err != nil || c.NArg() != 1 {
						return cli.Exit("usage: lab up N [flags]", 2)
					}
					o := opts(c)
					o.Hosts, o.Subnet, o.CgroupPrefix = n, c.String("subnet"), c.String("cgroup-prefix")
					for _, v := range c.StringSlice("old-deb-layout") {
						o.OldDebLayout = append(o.OldDebLayout, strings.Split(v, ",")...)
					}
					for _, v := range c.StringSlice("small-disk") {
						host, size, ok := strings.Cut(v, "=")
						if !ok {
							return cli.Exit("--small-disk wants HOST=SIZE", 2)
						}
						if o.SmallDisk == nil {
							o.SmallDisk = map[string]string{}
						}
						o.SmallDisk[host] = size
					}
					o.NoKubernetes, o.NoBuild = c.Bool("no-kubernetes"), c.Bool("no-build")
					o.Masters, o.LoadBalancer = c.Int("masters"), c.String("load-balancer")
					o.K8sVersion, o.BuildScript = c.String("k8s-version"), c.String("build-script")
					o.FlannelBuildScript, o.StaticPodNetwork = c.String("flannel-build-script"), c.Bool("static-pod-network")
					o.VMWorkers, o.VMMemory, o.VMSpareDisk = c.Int("vm-workers"), c.String("vm-memory"), c.String("vm-spare-disk")
					if _, err := lab.Up(o); err != nil {
						return cli.Exit(fmt.Sprintf("lab up: %v\n(the partial lab is kept for inspection; remove it with: lab down --name %s)", err, o.Name), 1)
					}
					return nil
				},
			},
			{
				Name:  "down",
				Usage: "stop and remove a lab completely (safe to repeat, works after crashes)",
				Flags: []cli.Flag{nameFlag, stateFlag},
				Action: func(c *cli.Context) error {
					if err := lab.Down(opts(c)); err != nil {
						return cli.Exit("lab down: "+err.Error(), 1)
					}
					return nil
				},
			},
			{
				Name:  "status",
				Usage: "list what exists of a lab; exit 1 on leftovers or a partial lab",
				Flags: []cli.Flag{nameFlag, stateFlag},
				Action: func(c *cli.Context) error {
					r, err := lab.Status(opts(c))
					if err != nil {
						return cli.Exit(err.Error(), 1)
					}
					r.Print(os.Stdout)
					if !r.Empty() && !r.Healthy() {
						return cli.Exit("", 1)
					}
					return nil
				},
			},
			{
				Name:      "ssh",
				Usage:     "run a command on a host over real SSH with the lab key",
				ArgsUsage: "HOST CMD...",
				Flags:     []cli.Flag{nameFlag, stateFlag},
				Action: func(c *cli.Context) error {
					if c.NArg() < 2 {
						return cli.Exit("usage: lab ssh HOST CMD...", 2)
					}
					code, err := lab.SSHRun(opts(c), c.Args().First(), strings.Join(c.Args().Tail(), " "), os.Stdin, os.Stdout, os.Stderr)
					if err != nil {
						return cli.Exit("lab ssh: "+err.Error(), 255)
					}
					return cli.Exit("", code)
				},
			},
			{
				Name:      "exec",
				Usage:     "run a command inside a host without SSH (nsenter into all its namespaces)",
				ArgsUsage: "HOST CMD...",
				Flags:     []cli.Flag{nameFlag, stateFlag},
				Action: func(c *cli.Context) error {
					if c.NArg() < 1 {
						return cli.Exit("usage: lab exec HOST CMD...", 2)
					}
					code, err := lab.Exec(opts(c), c.Args().First(), c.Args().Tail(), os.Stdin, os.Stdout, os.Stderr)
					if err != nil {
						return cli.Exit("lab exec: "+err.Error(), 255)
					}
					return cli.Exit("", code)
				},
			},
			{
				Name:  "vm-image",
				Usage: "build the vm hosts' image into the cache (lab up builds it when missing); nothing to do when it is there",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "k8s-version", Value: lab.DefaultK8sVersion},
					&cli.StringFlag{Name: "build-script", Usage: "path of lab/k8sbuild/build.sh (found automatically; vmimage/build.sh is beside it)"},
					&cli.BoolFlag{Name: "base-only", Usage: "build only the image's Debian base (no Kubernetes needed), unless the image is there"},
				},
				Action: func(c *cli.Context) error {
					if c.Bool("base-only") {
						if err := lab.EnsureVMBase(lab.Options{K8sVersion: c.String("k8s-version"), BuildScript: c.String("build-script"), Log: os.Stderr}); err != nil {
							return cli.Exit("lab vm-image: "+err.Error(), 1)
						}
						return nil
					}
					dir, err := lab.EnsureVMImage(lab.Options{K8sVersion: c.String("k8s-version"), BuildScript: c.String("build-script"), Log: os.Stderr})
					if err != nil {
						return cli.Exit("lab vm-image: "+err.Error(), 1)
					}
					fmt.Println(dir)
					return nil
				},
			},
			{
				Name:  "network",
				Usage: "apply the lab's static pod network (for cni.plugin: none; lab up --static-pod-network applies it too): bridge CNI with a /24 per host, routes, forwarding",
				Flags: []cli.Flag{nameFlag, stateFlag},
				Action: func(c *cli.Context) error {
					if err := lab.Network(opts(c)); err != nil {
						return cli.Exit("lab network: "+err.Error(), 1)
					}
					return nil
				},
			},
		},
	}
	if err := app.Run(hostCountLast(os.Args)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// hostCountLast lets `lab up N --flag ...` work: urfave/cli stops parsing
// flags at the first positional argument, so N is moved behind the flags.
func hostCountLast(args []string) []string {
	if len(args) < 3 || args[1] != "up" {
		return args
	}
	valued := map[string]bool{"name": true, "state-root": true, "subnet": true, "cgroup-prefix": true,
		"old-deb-layout": true, "small-disk": true, "k8s-version": true, "build-script": true, "flannel-build-script": true,
		"vm-workers": true, "vm-memory": true, "vm-spare-disk": true, "masters": true, "load-balancer": true}
	out := []string{args[0], "up"}
	var pos []string
	for i := 2; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") {
			out = append(out, a)
			if f := strings.TrimLeft(a, "-"); valued[f] && !strings.Contains(f, "=") && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(out, pos...)
}
