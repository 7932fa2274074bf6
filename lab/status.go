package lab

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
)

// Report is what `lab status` finds of one lab, on disk and in the kernel.
type Report struct {
	Name      string
	StateDir  bool
	Hosts     []HostStatus
	Netns     []string
	Links     []string
	Mounts    []string
	Loops     []string
	Cgroups   []string
	Processes []int    // supervisors and processes in the lab's cgroups (no zombies)
	Zombies   []int    // exited supervisors not yet reaped by the machine's init
	SwapFiles []string // active swap files on hosts' roots (machine paths)
	Running   int
}

type HostStatus struct {
	Name, IP, Role string
	VM             bool // a qemu guest: InitPID is qemu's PID
	InitPID        int
}

// Empty reports that nothing of the lab exists (zombies awaiting the
// machine's init hold no resource and do not count).
func (r *Report) Empty() bool {
	return !r.StateDir && len(r.Netns)+len(r.Links)+len(r.Mounts)+len(r.Loops)+len(r.Cgroups)+len(r.Processes)+len(r.SwapFiles) == 0
}

// Stale reports a lab of which only the state directory is left: nothing of it lives in the
// kernel (a crash or a machine restart killed it before `lab down`), so removing it harms no run.
func (r *Report) Stale() bool {
	return r.StateDir && r.Running == 0 && len(r.Netns)+len(r.Links)+len(r.Mounts)+len(r.Loops)+len(r.Cgroups)+len(r.Processes)+len(r.SwapFiles) == 0
}

// Healthy reports a lab whose hosts all run.
func (r *Report) Healthy() bool { return r.StateDir && len(r.Hosts) > 0 && r.Running == len(r.Hosts) }

// Status inspects a lab.
func Status(o Options) (*Report, error) {
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	p := NewPaths(o.StateRoot, o.Name)
	r := &Report{Name: o.Name}
	st, err := p.LoadState()
	prefix := o.CgroupPrefix
	if _, serr := os.Stat(p.Dir); serr == nil {
		r.StateDir = true
	}
	if err == nil {
		prefix = st.CgroupPrefix
		for _, h := range st.Hosts {
			hs := HostStatus{Name: h.Name, IP: h.IP, Role: h.Role, VM: h.VM, InitPID: hostInitPID(p.Host(h.Name), CgroupName(prefix, h.Name))}
			if h.VM {
				hs.InitPID = vmPID(p.Host(h.Name))
			}
			if hs.InitPID > 0 {
				r.Running++
			}
			r.Hosts = append(r.Hosts, hs)
		}
	}
	r.Netns = labNetnsNames(o.Name)
	r.Links = labLinks(o.Name)
	r.Mounts = mountsUnder(p.Dir)
	for dev, f := range loopDevicesUnder(p.Dir) {
		r.Loops = append(r.Loops, dev+" ("+f+")")
	}
	sort.Strings(r.Loops)
	r.Cgroups = findCgroupDirs(prefix, o.Name)
	for _, prs := range supervisorPIDs(p.Dir) {
		for _, pr := range prs {
			if pr.State == "Z" {
				r.Zombies = append(r.Zombies, pr.PID)
			} else {
				r.Processes = append(r.Processes, pr.PID)
			}
		}
	}
	r.Processes = append(r.Processes, labCgroupProcs(prefix, o.Name)...)
	for _, pids := range vmProcs(p.Dir) { // also a guest that left its cgroups
		r.Processes = append(r.Processes, pids...)
	}
	sort.Ints(r.Processes)
	r.Processes = slices.Compact(r.Processes)
	if ents, err := os.ReadDir(p.HostsDir()); err == nil {
		for _, e := range ents {
			r.SwapFiles = append(r.SwapFiles, activeSwapFilesUnder(p.Host(e.Name()).Root())...)
		}
	}
	return r, nil
}

// Print writes the report for humans.
func (r *Report) Print(w io.Writer) {
	switch {
	case r.Empty():
		fmt.Fprintf(w, "lab %s: nothing exists\n", r.Name)
	case r.Healthy():
		fmt.Fprintf(w, "lab %s: up, %d hosts running\n", r.Name, r.Running)
	default:
		fmt.Fprintf(w, "lab %s: LEFTOVERS or partial lab (%d of %d hosts running)\n", r.Name, r.Running, len(r.Hosts))
	}
	for _, h := range r.Hosts {
		state := "stopped"
		if h.InitPID > 0 {
			state = fmt.Sprintf("running (PID 1 = %d)", h.InitPID)
			if h.VM {
				state = fmt.Sprintf("running, vm (qemu PID %d)", h.InitPID)
			}
		}
		fmt.Fprintf(w, "  host %-12s %-15s %-6s %s\n", h.Name, h.IP, h.Role, state)
	}
	item := func(what string, xs []string) {
		if len(xs) > 0 {
			fmt.Fprintf(w, "  %-13s %s\n", what+":", strings.Join(xs, " "))
		}
	}
	if r.StateDir {
		item("state dir", []string{"yes"})
	}
	item("netns", r.Netns)
	item("interfaces", r.Links)
	item("mounts", r.Mounts)
	item("loop devices", r.Loops)
	item("cgroups", r.Cgroups)
	item("processes", intsToStrings(r.Processes))
	item("swap files", r.SwapFiles)
	if len(r.Zombies) > 0 {
		fmt.Fprintf(w, "  note: exited supervisors %v await reaping by the machine's init (no resources held)\n", r.Zombies)
	}
}

func intsToStrings(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}
