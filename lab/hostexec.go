package lab

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// hostInitPID returns the machine PID of the host's PID 1, or 0 when the
// host is not running. The PID is checked (PID 1 of its namespace, in the
// host's cgroup) so a recycled PID is never used.
func hostInitPID(hp HostPaths, cgroupName string) int {
	pid := readPID(hp.InitPID())
	if pid <= 0 || !isHostInit(pid, cgroupName) {
		return 0
	}
	return pid
}

func isHostInit(pid int, cgroupName string) bool {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	nsInit := false
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "NSpid:"); ok {
			fs := strings.Fields(v)
			nsInit = len(fs) >= 2 && fs[len(fs)-1] == "1"
		}
	}
	if !nsInit {
		return false
	}
	cg, err := procCgroups(strconv.Itoa(pid))
	if err != nil {
		return false
	}
	for _, p := range cg {
		if strings.Contains(p, "/"+cgroupName) {
			return true
		}
	}
	return false
}

// HostCommand returns a command that runs argv inside a running host
// (nsenter into all its namespaces and its root), in the host's cgroups so it
// is accounted to, and cleaned up with, the host.
func HostCommand(o Options, host string, argv ...string) (*exec.Cmd, error) {
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	p := NewPaths(o.StateRoot, o.Name)
	st, err := p.LoadState()
	if err != nil {
		return nil, fmt.Errorf("lab %s: %w", o.Name, err)
	}
	h, err := st.Host(host)
	if err != nil {
		return nil, err
	}
	if h.VM {
		if len(argv) == 0 {
			argv = []string{"/bin/sh"}
		}
		return vmSSHCommand(p, h, argv), nil
	}
	pid := hostInitPID(p.Host(h.Name), CgroupName(st.CgroupPrefix, h.Name))
	if pid == 0 {
		return nil, fmt.Errorf("host %s is not running", h.Name)
	}
	if len(argv) == 0 {
		argv = []string{"/bin/sh"}
	}
	// A small shell moves itself into the host's cgroups, then becomes nsenter.
	dirs := hostCgroupDirs(st, h.Name)
	args := []string{"-c", joinScript, "swapboot-lab-exec", strconv.Itoa(len(dirs))}
	args = append(args, dirs...)
	args = append(args, "-t", strconv.Itoa(pid), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w", "--")
	cmd := exec.Command("/bin/sh", append(args, argv...)...)
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root", "LANG=C.UTF-8", "TERM=" + os.Getenv("TERM"),
	}
	return cmd, nil
}

const joinScript = `n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; n=$((n-1)); done; exec nsenter "$@"`

// Exec runs argv in a host with the given stdio and returns its exit code.
func Exec(o Options, host string, argv []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	cmd, err := HostCommand(o, host, argv...)
	if err != nil {
		return -1, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// hostOutput runs a command inside a host and returns its output.
func hostOutput(o Options, host string, stdin io.Reader, argv ...string) (string, error) {
	cmd, err := HostCommand(o, host, argv...)
	if err != nil {
		return "", err
	}
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %s: %v: %s", host, strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
