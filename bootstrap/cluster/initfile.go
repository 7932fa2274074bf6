package cluster

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/versions"
)

// InitOptions are what `swapboot init` writes into the required fields.
type InitOptions struct {
	Name    string
	Masters []string
	Workers []string
	// MastersFlag and WorkersFlag name where the addresses came from, for messages (default --masters, --workers).
	MastersFlag, WorkersFlag string
}

// InitError is a value given to `swapboot init` the loader would refuse; exit code 2.
type InitError struct{ Flag, Problem, Fix string }

func (e *InitError) Error() string { return e.Flag + ": " + e.Problem + "; " + e.Fix }

// ExitCode: a bad flag value is bad input.
func (e *InitError) ExitCode() int { return exit.BadInput }

// InitFile is the cluster file `swapboot init` prints: the required fields (name, masters, and workers
// when given) set, every optional field commented out with its default, so that the file as printed
// means exactly the defaults. The hosts are checked with the loader's rules (address grammar, no
// duplicates, one master), and the result is parsed before it is returned.
func InitFile(o InitOptions) (string, error) {
	if o.MastersFlag == "" {
		o.MastersFlag = "--masters"
	}
	if o.WorkersFlag == "" {
		o.WorkersFlag = "--workers"
	}
	if prob, fix := cfgCheckClusterName(o.Name); prob != "" {
		return "", &InitError{"--name", prob, fix}
	}
	if len(o.Masters) == 0 {
		return "", &InitError{o.MastersFlag, "no master given", "name the control-plane host, e.g. " + o.MastersFlag + " 192.168.122.50"}
	}
	if len(o.Masters) > 1 {
		return "", &InitError{o.MastersFlag, fmt.Sprintf("%d masters given; init writes a file for one master", len(o.Masters)), "give one master here, then list the others under masters: with a controlPlane: endpoint (examples/README.md)"}
	}
	seen := map[netip.Addr]string{}
	var masters, workers []string
	for _, h := range []struct {
		flag  string
		addrs []string
		out   *[]string
	}{{o.MastersFlag, o.Masters, &masters}, {o.WorkersFlag, o.Workers, &workers}} {
		for _, s := range h.addrs {
			a, prob, fix := cfgCheckAddress(s)
			if prob != "" {
				return "", &InitError{h.flag, prob, fix}
			}
			if first, dup := seen[a]; dup {
				return "", &InitError{h.flag, fmt.Sprintf("%s is already given with %s", a, first), "list every host once"}
			}
			seen[a] = h.flag
			*h.out = append(*h.out, a.String())
		}
	}

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# swapboot cluster file, written by `swapboot init`. The required fields are set; every other field is")
	w("# commented out with its default, which is what applies while it stays commented out. Uncomment a line")
	w("# to change it. Every field explained: examples/README.md; an annotated example: examples/cluster.yaml.")
	w("")
	w("name: %s", o.Name)
	w("")
	w("# Kubernetes version, e.g. v1.37.2 (%s supported).", versions.Range())
	w("# Default: the version of kubeadm installed on the first master.")
	w("# kubernetesVersion:")
	w("")
	w("masters:")
	for _, m := range masters {
		w("  - %s", m)
	}
	if len(workers) > 0 {
		w("workers:")
		for _, x := range workers {
			w("  - %s", x)
		}
	} else {
		w("# workers: []                      # default: none")
	}
	w("")
	w("# ssh:")
	w("#   user: %-28s # default %s; sudo -n is used for other users", DefaultSSHUser, DefaultSSHUser)
	w("#   port: %-28d # default %d", DefaultSSHPort, DefaultSSHPort)
	w("#   keyFile: %-25s # default: none, the ssh-agent is used (e.g. ~/.ssh/id_ed25519)", "")
	w("#   knownHosts: %-22s # default %s", DefaultKnownHosts, DefaultKnownHosts)
	w("")
	w("# networking:")
	w("#   podSubnet: %-23s # default %s", DefaultPodSubnet, DefaultPodSubnet)
	w("#   serviceSubnet: %-19s # default %s", DefaultServiceSubnet, DefaultServiceSubnet)
	w("#   cni:")
	w("#     plugin: %-24s # default %s; none: bring your own CNI (nodes stay NotReady until you apply one)", DefaultCNIPlugin, DefaultCNIPlugin)
	w("#     backend: %-23s # default %s; flannel only: vxlan | host-gw", DefaultCNIBackend, DefaultCNIBackend)
	w("#     imageRepository: %-15s # default: none (flannel/...); a registry mirror for the flannel images", `""`)
	w("")
	w("# swap:")
	w("#   size: %-28s # default %s", "1G", "1G")
	w("#   path: %-28s # default %s", DefaultSwapPath, DefaultSwapPath)
	w("#   behavior: %-24s # default %s; or NoSwap, LimitedSwap", DefaultSwapBehavior, DefaultSwapBehavior)
	w("")
	w("# Extra KubeletConfiguration / KubeProxyConfiguration fields (Kubernetes 1.22 or later). Default: none.")
	w("# kubelet: {}")
	w("# kubeProxy: {}")
	w("")
	w("# Every node's kubeadm registration. Default: kubeadm's own (swapboot adds Swap to the ignored")
	w("# preflight errors, and --fail-swap-on=false or failSwapOn: false, whatever is set here).")
	w("# nodeRegistration:")
	w("#   criSocket:                      # default: the one kubeadm finds (e.g. unix:///run/containerd/containerd.sock)")
	w("#   imagePullPolicy: IfNotPresent    # default: kubeadm's (IfNotPresent)")
	w("#   ignorePreflightErrors: []        # default: none besides Swap")
	w("#   kubeletExtraArgs: {}             # default: none")
	text := b.String()
	if _, err := Parse("init", []byte(text)); err != nil {
		return "", fmt.Errorf("init: the file it would print does not load: %w", err)
	}
	return text, nil
}
