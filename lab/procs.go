package lab

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Proc is a process of the machine.
type Proc struct {
	PID   int
	Argv  []string
	State string // R, S, Z, ...
}

func listProcs() []Proc {
	ents, _ := os.ReadDir("/proc")
	var out []Proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		pr := Proc{PID: pid, Argv: strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")}
		if s, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := strings.LastIndexByte(string(s), ')'); i > 0 && i+2 < len(s) {
				pr.State = string(s[i+2])
			}
		}
		out = append(out, pr)
	}
	return out
}

// supervisorPIDs finds the lab's supervisors (`_host LABDIR HOST`), alive or
// zombie, from the process table rather than from pid files.
func supervisorPIDs(labDir string) map[string][]Proc {
	out := map[string][]Proc{}
	for _, pr := range listProcs() {
		if len(pr.Argv) >= 4 && pr.Argv[1] == "_host" && pr.Argv[2] == labDir {
			out[pr.Argv[3]] = append(out[pr.Argv[3]], pr)
		}
	}
	return out
}

// labCgroupProcs lists processes whose cgroup path contains a host cgroup
// name of the lab (what a crashed host or a `lab exec` may leave).
func labCgroupProcs(prefix, lab string) []int {
	want := "/" + CgroupName(prefix, lab+"-")
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		if err != nil {
			continue
		}
		if strings.Contains(string(b), want) {
			pid, _ := strconv.Atoi(e.Name())
			out = append(out, pid)
		}
	}
	return out
}

// loopDevicesUnder lists loop devices whose backing file is under dir.
func loopDevicesUnder(dir string) map[string]string {
	out := map[string]string{}
	ms, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	for _, m := range ms {
		b, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		f := strings.TrimSuffix(strings.TrimSpace(string(b)), " (deleted)")
		if strings.HasPrefix(f, dir+"/") {
			dev := "/dev/" + filepath.Base(filepath.Dir(filepath.Dir(m)))
			out[dev] = f
		}
	}
	return out
}

// mountsUnder lists the root namespace's mount points under dir, deepest first.
func mountsUnder(dir string) []string {
	mi, _ := readMountInfo("/proc/self/mountinfo")
	var out []string
	for _, m := range mi {
		if m.Point == dir || strings.HasPrefix(m.Point, dir+"/") {
			out = append(out, m.Point)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
