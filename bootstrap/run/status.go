package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/plan"
	"github.com/swapboot/swapboot/sshexec"
	"github.com/swapboot/swapboot/templates"
)

// NodeStatus is what `swapboot status` reports for one host.
type NodeStatus struct {
	Host           string       `json:"host"`
	Address        string       `json:"address"`
	Role           cluster.Role `json:"role"`
	Reachable      bool         `json:"reachable"`
	KubeadmVersion string       `json:"kubeadmVersion,omitempty"`
	KubeletVersion string       `json:"kubeletVersion,omitempty"`
	Cgroup         string       `json:"cgroup,omitempty"`
	SwapPath       string       `json:"swapPath"`
	SwapSizeKiB    int64        `json:"swapSizeKiB"`
	SwapUsedKiB    int64        `json:"swapUsedKiB"`
	// SwapAreas counts every active swap area (what the kubelet checks: any line after the header).
	SwapAreas    int    `json:"swapAreas"`
	FstabEntry   bool   `json:"fstabEntry"`
	FailSwapOn   bool   `json:"failSwapOn"`
	SwapBehavior string `json:"swapBehavior,omitempty"`
	// ProcSwaps is every active swap area of the host (/proc/swaps, any path) with its kind; empty when
	// there is none, null when the facts were not read.
	ProcSwaps []hostfacts.SwapArea `json:"procSwaps"`
	// NodeSwapCapacity is the swap in bytes the node's kubelet reports to the API (status.nodeInfo.swap,
	// Kubernetes 1.32+); nil when the API was not asked or the kubelet reports none.
	NodeSwapCapacity *int64 `json:"nodeSwapCapacity,omitempty"`
	// SummarySwap is the node's swap usage its kubelet reports in the Summary API; nil when the API was
	// not asked or the kubelet did not answer.
	SummarySwap *SummarySwap `json:"summarySwap,omitempty"`
	// SwapLabel is the node's swap label value (cluster.SwapLabelKey), SwapTaint its swap taint's effect.
	SwapLabel    string `json:"swapLabel,omitempty"`
	SwapTaint    string `json:"swapTaint,omitempty"`
	KubeletState string `json:"kubelet,omitempty"`
	NodeName     string `json:"nodeName,omitempty"`
	Ready        string `json:"ready,omitempty"` // True, False, Unknown, or "" when the API does not know the node
	// CNIPod is the state of the pod network's pod on this node (flannel): Running, not ready, a pod phase
	// such as Pending, none (no pod there), or "" when unknown or when swapboot applies no pod network.
	CNIPod string `json:"cniPod,omitempty"`
	// API is what the master's API answered when status listed the nodes (APIState); "" when no master
	// could be asked.
	API APIState `json:"api,omitempty"`
	// KubeletFiles are the kubelet drop-in, env file and the env file's own arguments the facts found.
	KubeletFiles *plan.KubeletFiles `json:"kubeletFiles,omitempty"`
	// ControlPlane is a master's API server, etcd member and endpoint health (several masters only).
	ControlPlane *ControlPlaneStatus `json:"controlPlane,omitempty"`
	OK           bool                `json:"ok"`
	Problems     []string            `json:"problems,omitempty"`
}

// StatusOptions configure `swapboot status`.
type StatusOptions struct {
	// ClusterFile and ClusterData: as in RunOptions.
	ClusterFile string
	ClusterData []byte
	Parallel    int
	Dial        Dialer
	CheckLocal  LocalCheck // before any host is contacted (see RunOptions)
	Output      string     // table | json
	Out         io.Writer
	// Timeout bounds the whole command (--timeout; 0: no limit of its own); when it passes
	// ClusterStatus returns a *TimeoutError (exit.TimedOut).
	Timeout time.Duration
	// Logger receives the stages (load, connect and facts, report) and each connection at debug level.
	Logger *slog.Logger
}

// ClusterStatus reports every host; it changes nothing. Its error carries the exit code: nil (0) when every
// node is Ready with swap as configured, a bare exit.HostFailed (1) otherwise, so scripts can wait on it.
func ClusterStatus(ctx context.Context, o StatusOptions) error {
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	log := orDiscard(o.Logger)
	done := stage(log, "load", "file", o.ClusterFile, "parallel", o.Parallel, "timeout", o.Timeout, "output", o.Output)
	c, err := cluster.LoadFrom(o.ClusterFile, o.ClusterData)
	if err == nil && o.Output != "" && o.Output != "table" && o.Output != "json" {
		err = fmt.Errorf("-o %q: use table or json", o.Output)
	}
	if err != nil {
		done(err)
		return exit.WithCode(exit.BadInput, err)
	}
	done(nil, "cluster", c.Name, "masters", len(c.Masters), "workers", len(c.Workers))
	scripts, err := FactsScripts(c)
	if err != nil {
		return exit.WithCode(exit.BadInput, err)
	}
	nodesScript, err := templates.Render(nodesCall(c))
	if err != nil {
		return exit.WithCode(exit.BadInput, err)
	}
	hosts := c.Hosts()
	if err := checkLocal(o.CheckLocal, hosts); err != nil {
		return err
	}
	statuses := make([]NodeStatus, len(hosts))
	var mu sync.Mutex
	var nodes map[string]apiNode         // by address and by name
	var cniPods map[string]string        // node name -> its pod network pod's state
	var summaries map[string]SummarySwap // node name -> its kubelet's Summary API swap
	var api APIState                     // what the masters' API answered (the best answer of any master)
	index := map[string]int{}
	for i, h := range hosts {
		index[h.Address] = i
	}
	parallel := o.Parallel
	if parallel <= 0 {
		parallel = DefaultFactsParallel
	}
	dial := loggedDial(o.Dial, log)
	done = stage(log, "connect and facts", "hosts", len(hosts), "parallel", parallel)
	forEach(ctx, parallel, hosts, func(ctx context.Context, h cluster.Host) {
		swap, _, _ := c.SwapOf(h)
		st := NodeStatus{Host: h.ID(), Address: h.Address, Role: h.Role, SwapPath: swap.Path}
		defer func() {
			mu.Lock()
			statuses[index[h.Address]] = st
			mu.Unlock()
		}()
		conn, err := dial(ctx, h)
		if err != nil {
			st.Problems = append(st.Problems, "unreachable: "+hostlessMessage(err, "", h))
			return
		}
		defer conn.Close()
		st.Reachable = true
		res, err := conn.Run(ctx, sshexec.Cmd{Script: scripts[h.Address]})
		var f hostfacts.Facts
		if err == nil {
			f, err = hostfacts.ParseFacts(string(res.Stdout))
		}
		if err != nil {
			st.Problems = append(st.Problems, "facts: "+err.Error())
			return
		}
		fillStatus(&st, c, h, f)
		if h.Role != cluster.RoleMaster {
			return
		}
		state, list, pods, swaps := APINoCluster, map[string]apiNode(nil), map[string]string(nil), map[string]SummarySwap(nil)
		if f.ControlPlane {
			res, err := conn.Run(ctx, sshexec.Cmd{Script: nodesScript})
			if err != nil {
				st.Problems = append(st.Problems, "could not list nodes: "+err.Error())
				return
			}
			state, list = parseNodes(string(res.Stdout))
			pods = parseCNIPods(string(res.Stdout))
			swaps = parseSummarySwap(string(res.Stdout))
		}
		st.API = state
		controlPlaneStatus(ctx, conn, c, h, &st)
		mu.Lock()
		if state.better(api) {
			api = state
			if state == APIOK {
				nodes, cniPods, summaries = list, pods, swaps
			}
		}
		mu.Unlock()
	})
	if ctx.Err() != nil {
		done(ctx.Err())
		return stopped(ctx, o.Timeout, "reading the hosts", false, ctx.Err())
	}
	done(nil)
	done = stage(log, "report", "output", o.Output)
	allOK := true
	for i := range statuses {
		st := &statuses[i]
		if n, ok := nodes[st.Address]; ok {
			st.NodeName, st.Ready, st.NodeSwapCapacity, st.SwapLabel, st.SwapTaint = n.Name, n.Ready, n.SwapCapacity, n.SwapLabel, n.SwapTaint
		} else if n, ok := nodes[st.NodeName]; ok && st.NodeName != "" {
			st.Ready, st.NodeSwapCapacity, st.SwapLabel, st.SwapTaint = n.Ready, n.SwapCapacity, n.SwapLabel, n.SwapTaint
		}
		if sw, ok := summaries[st.NodeName]; ok && st.NodeName != "" {
			st.SummarySwap = &sw
		}
		if c.Networking.CNI.Plugin == cluster.CNIFlannel && nodes != nil && st.NodeName != "" {
			st.CNIPod = cniPods[st.NodeName]
			if st.CNIPod == "" {
				st.CNIPod = CNIPodNone
			}
			if st.CNIPod != CNIPodRunning && st.Ready != "" {
				st.Problems = append(st.Problems, "flannel pod: "+st.CNIPod)
			}
		}
		if st.Reachable && st.Ready != "True" {
			if nodes == nil {
				st.Problems = append(st.Problems, "node readiness unknown: "+api.Why())
			} else if st.Ready == "" {
				st.Problems = append(st.Problems, "not a node of the cluster")
			} else {
				st.Problems = append(st.Problems, "node Ready="+st.Ready)
			}
		}
		st.OK = len(st.Problems) == 0
		allOK = allOK && st.OK
	}
	if o.Output == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(statuses); err != nil {
			done(err)
			return exit.WithCode(exit.HostFailed, err)
		}
	} else {
		printStatusTable(o.Out, statuses)
		printControlPlaneTable(o.Out, c, statuses)
	}
	done(nil, "allOK", allOK)
	if !allOK {
		return exit.WithCode(exit.HostFailed, nil)
	}
	return nil
}

func fillStatus(st *NodeStatus, c *cluster.Cluster, h cluster.Host, f hostfacts.Facts) {
	st.KubeadmVersion, st.KubeletVersion = f.KubeadmVersion, f.KubeletVersion
	st.Cgroup = "v1"
	if f.CgroupV2 {
		st.Cgroup = "v2"
	}
	st.SwapSizeKiB, st.SwapUsedKiB, st.SwapAreas = f.SwapActiveKiB, f.SwapUsedKiB, f.SwapsActive
	st.ProcSwaps = append([]hostfacts.SwapArea{}, f.SwapAreas...)
	st.FstabEntry = f.FstabEntries == 1
	st.KubeletState = f.KubeletActive
	st.NodeName = hostfacts.NodeName(h, f)
	files := plan.KubeletFilesOf(f)
	st.KubeletFiles = &files
	st.FailSwapOn, st.SwapBehavior = kubeletSwapInEffect(f)
	// A host configured without swap may still have some: the kubelet tolerates it; not a problem.
	if swap, on, _ := c.SwapOf(h); on && !hostfacts.SwapAsConfigured(swap, f) {
		st.Problems = append(st.Problems, "swap: "+hostfacts.DescribeArea(swap)+" is not active, or not set up to come back at boot")
	}
	if st.FailSwapOn {
		st.Problems = append(st.Problems, "kubelet failSwapOn is true")
	}
	if f.KubeletActive != "active" {
		st.Problems = append(st.Problems, "kubelet is "+f.KubeletActive)
	}
	if problem := f.UnfinishedInit(h); problem != "" && !f.InitFinalized {
		st.Problems = append(st.Problems, "kubeadm init did not finish: "+problem+" (swapboot up resets this master and runs init again when no other host has joined it)")
	}
}

var flagFailSwapOn = regexp.MustCompile(`--fail-swap-on(=(\S+))?`)

// kubeletSwapInEffect reads failSwapOn and swapBehavior as the kubelet would: the config file, overridden
// by --fail-swap-on in kubeadm-flags.env or KUBELET_EXTRA_ARGS (flags win over the file).
func kubeletSwapInEffect(f hostfacts.Facts) (failSwapOn bool, behavior string) {
	failSwapOn = true
	var cfg struct {
		FailSwapOn *bool `yaml:"failSwapOn"`
		MemorySwap struct {
			SwapBehavior string `yaml:"swapBehavior"`
		} `yaml:"memorySwap"`
	}
	if yaml.Unmarshal([]byte(f.KubeletConfig), &cfg) == nil {
		if cfg.FailSwapOn != nil {
			failSwapOn = *cfg.FailSwapOn
		}
		behavior = cfg.MemorySwap.SwapBehavior
	}
	for _, text := range []string{f.KubeadmFlags, f.KubeletEnvContent} {
		for _, m := range flagFailSwapOn.FindAllStringSubmatch(text, -1) {
			failSwapOn = m[2] == "" || strings.Trim(m[2], `"'`) == "true"
		}
	}
	return failSwapOn, behavior
}

// APIState is what the master's API answered when status asked it for the nodes: nodes.sh's
// "@swapboot fact api=STATE" line.
type APIState string

const (
	APIOK           APIState = "ok"
	APINoCluster    APIState = "no-cluster"   // no /etc/kubernetes/admin.conf: never set up, or reset
	APIUnauthorized APIState = "unauthorized" // HTTP 401: the admin credentials are not accepted
	APIForbidden    APIState = "forbidden"    // HTTP 403: accepted, but not allowed to list nodes
	APIRefused      APIState = "refused"      // the connection was refused: no kube-apiserver listening
	APIUnreachable  APIState = "unreachable"  // no answer (timeout, no route)
	APIError        APIState = "error"        // another failure, printed by kubectl on the master
)

// better: with several masters, status words the answer that says most (ok first).
func (s APIState) better(than APIState) bool { return apiRank(s) > apiRank(than) }

func apiRank(s APIState) int {
	for i, v := range []APIState{APIOK, APIForbidden, APIUnauthorized, APIError, APIRefused, APIUnreachable, APINoCluster} {
		if s == v {
			return 10 - i
		}
	}
	return 0
}

// Why words a state in which the nodes could not be listed.
func (s APIState) Why() string {
	switch s {
	case APINoCluster:
		return "no cluster: the master has no /etc/kubernetes/admin.conf (never set up, or reset; swapboot up builds it)"
	case APIUnauthorized:
		return "the master's API did not accept the admin credentials of /etc/kubernetes/admin.conf (unauthorized)"
	case APIForbidden:
		return "the master's API answered but forbids the admin listing nodes (forbidden: a half-finished kubeadm init?)"
	case APIRefused:
		return "the master's API refused the connection (kube-apiserver not running)"
	case APIUnreachable:
		return "the master's API did not answer (unreachable)"
	case APIError:
		return "listing the nodes on the master failed (its error is above)"
	case "":
		return "no master could be asked (see its problems)"
	}
	return "the master's API answered " + string(s)
}

// apiNode is one node as the API server knows it (nodes.sh).
type apiNode struct {
	Name, Ready  string
	SwapCapacity *int64 // bytes; nil when the kubelet reports none
	// SwapLabel is the swap label's value, SwapTaint the swap taint's effect ("" when absent).
	SwapLabel, SwapTaint string
}

// parseNodes reads nodes.sh output: the "@swapboot fact api=STATE" line, then
// "name<TAB>ready<TAB>ip<TAB>swap capacity" lines, indexed by name and by IP. Output without a state line
// (an older script) with node lines is ok, and so are lines without the later columns.
func parseNodes(out string) (APIState, map[string]apiNode) {
	nodes := map[string]apiNode{}
	var state APIState
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "@swapboot fact api="); ok {
			state = APIState(strings.TrimSpace(v))
			continue
		}
		if strings.HasPrefix(line, "@swapboot ") {
			continue
		}
		// Only the line's end is trimmed of spaces: trailing tabs are empty columns (a label without a taint).
		f := strings.Split(strings.TrimRight(line, " \r\n"), "\t")
		if len(f) < 2 || strings.TrimSpace(f[0]) == "" {
			continue
		}
		f[0] = strings.TrimSpace(f[0])
		v := apiNode{Name: f[0], Ready: f[1]}
		if len(f) > 3 {
			v.SwapCapacity = count(f[3])
		}
		if len(f) > 4 {
			v.SwapLabel = f[4]
		}
		if len(f) > 5 {
			v.SwapTaint = f[5]
		}
		nodes[f[0]] = v
		if len(f) > 2 && f[2] != "" {
			nodes[f[2]] = v
		}
	}
	if state == "" {
		state = APIOK
	}
	return state, nodes
}

func printStatusTable(w io.Writer, statuses []NodeStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tROLE\tREACHABLE\tKUBELET\tCGROUP\tSWAP\tUSED\tAPI SWAP\tAPI USED\tFSTAB\tFAILSWAPON\tBEHAVIOR\tLABEL/TAINT\tKUBELET STATE\tREADY\tCNI\tOK")
	for _, s := range statuses {
		swap, used, apiSwap, apiUsed := swapColumns(s)
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t%s\t%v\t%v\t%s\t%s\t%s\t%s\t%s\t%v\n", s.Host, s.Role, s.Reachable, orDash(s.KubeletVersion), orDash(s.Cgroup),
			swap, used, apiSwap, apiUsed, s.FstabEntry, s.FailSwapOn, orDash(s.SwapBehavior), labelTaint(s), orDash(s.KubeletState), orDash(s.Ready), orDash(s.CNIPod), s.OK)
	}
	_ = tw.Flush()
	for _, s := range statuses {
		for _, p := range s.Problems {
			fmt.Fprintf(w, "%s: %s\n", s.Host, p)
		}
	}
	printSwapAreas(w, statuses)
}

// labelTaint words the node's swap label and taint for the table: label, taint, label+taint or -.
func labelTaint(s NodeStatus) string {
	var parts []string
	if s.SwapLabel != "" {
		parts = append(parts, "label")
	}
	if s.SwapTaint != "" {
		parts = append(parts, "taint")
	}
	return orDash(strings.Join(parts, "+"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
