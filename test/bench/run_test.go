package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// run is one finished process: what the harness measures of swapboot.
type run struct {
	Args   []string
	Wall   time.Duration
	Exit   int
	MaxRSS int64         // peak resident set of the process, KiB (wait4 rusage)
	CPU    time.Duration // user + system time of the process
	Out    string        // stdout + stderr (only when asked for)
	// Inside the lab hosts and machine-wide while it ran (zero when not measured).
	Hosts   hostCPU
	Machine time.Duration
}

// runCmd runs a command with a deadline and measures it; keepOut keeps its output.
func runCmd(b *testing.B, timeout time.Duration, stdin io.Reader, keepOut bool, name string, args ...string) run {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	if keepOut {
		cmd.Stdout, cmd.Stderr = &out, &out
	}
	start := time.Now()
	err := cmd.Run()
	r := run{Args: append([]string{name}, args...), Wall: time.Since(start), Out: out.String()}
	if ctx.Err() != nil {
		b.Fatalf("%s: no result within %s\n%s", strings.Join(r.Args, " "), timeout, tail(r.Out, 40))
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Exit = ee.ExitCode()
	} else if err != nil {
		b.Fatalf("%s: %v", strings.Join(r.Args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r
}

// measure runs swapboot and also records the CPU time used in the lab's hosts and machine-wide.
func measure(b *testing.B, l *benchLab, timeout time.Duration, keepOut bool, swapboot string, args ...string) run {
	b.Helper()
	var hostsBefore hostCPU
	if l != nil {
		hostsBefore = l.cpuUsage()
	}
	machineBefore := machineBusy()
	r := runCmd(b, timeout, nil, keepOut, swapboot, args...)
	r.Machine = time.Duration(machineBusy()-machineBefore) * time.Microsecond
	if l != nil {
		r.Hosts = l.cpuUsage().sub(hostsBefore)
	}
	return r
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// series is repeated measurements of one thing.
type series []run

func (s series) median() run {
	if len(s) == 0 {
		return run{}
	}
	c := append(series(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i].Wall < c[j].Wall })
	return c[len(c)/2]
}

func (s series) min() time.Duration {
	m := time.Duration(0)
	for i, r := range s {
		if i == 0 || r.Wall < m {
			m = r.Wall
		}
	}
	return m
}

func (s series) maxRSS() int64 {
	var m int64
	for _, r := range s {
		m = max(m, r.MaxRSS)
	}
	return m
}

// medianCPU is the median per run of the controller's and the hosts' CPU time.
func (s series) medianCPU() (controller, hosts, machine time.Duration) {
	var c, h, m []time.Duration
	for _, r := range s {
		c = append(c, r.CPU)
		h = append(h, time.Duration(r.Hosts.Total)*time.Microsecond)
		m = append(m, r.Machine)
	}
	return medianDur(c), medianDur(h), medianDur(m)
}

func medianDur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// Results: every figure is printed as soon as it is measured and again in the summary at the end.
type verdict struct {
	Figure, Line string
	Pass         *bool // nil: no target
}

var (
	resultsMu sync.Mutex
	results   []verdict
	header    sync.Once
)

func printHeader() {
	header.Do(func() {
		fmt.Printf("\n## swapboot bench\nmachine: %s\nload average at start: %s\n\n", machine(), loadavg())
	})
}

// figure prints one result line; pass is nil for a figure without a target.
func figure(name string, pass *bool, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	mark := ""
	if pass != nil {
		mark = map[bool]string{true: " PASS", false: " FAIL"}[*pass]
	}
	fmt.Printf("%-10s %s%s\n", name, line, mark)
	resultsMu.Lock()
	results = append(results, verdict{Figure: name, Line: line, Pass: pass})
	resultsMu.Unlock()
}

func check(ok bool) *bool { return &ok }

func printSummary() {
	resultsMu.Lock()
	defer resultsMu.Unlock()
	if len(results) == 0 {
		return
	}
	fmt.Printf("\n## summary (load average at end: %s)\n", loadavg())
	for _, r := range results {
		if r.Pass == nil {
			continue
		}
		fmt.Printf("%-4s %-10s %s\n", map[bool]string{true: "PASS", false: "FAIL"}[*r.Pass], r.Figure, r.Line)
	}
	fmt.Fprintln(os.Stdout)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond)) }

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
