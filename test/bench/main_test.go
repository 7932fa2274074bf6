// Package bench measures swapboot on real hosts (the lab, lab/): `make bench`, as root. It is not part of
// `make test`: the package has benchmarks only. Every figure is printed as a ratio measured in one run,
// with the raw numbers beside it; docs/performance.md records a run and explains the figures.
//
// The benchmarks use one lab at a time, named "bench" (subnet 10.80.0.0/24, cgroup prefix
// swapboot-bench). They hold at most 3 swap areas, and only while 2 more stay free machine-wide. They
// swap off only inside lab hosts, and always tear the lab down (also on failure and on SIGINT/SIGTERM).
package bench

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/swapboot/swapboot/lab"
)

func TestMain(m *testing.M) {
	// The lab's supervisors and init stages re-execute this binary with a hidden helper name.
	lab.HelperMain()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "\nbench: %v: removing lab %s\n", s, labName)
		if os.Geteuid() == 0 {
			_ = lab.Down(labOptions(0, false))
		}
		os.Exit(130)
	}()
	code := m.Run()
	printSummary()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// requireRoot skips with a message nobody can miss.
func requireRoot(b *testing.B) {
	b.Helper()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "\n*** SKIPPING the swapboot benchmarks: they run real lab hosts (namespaces, mounts, cgroups, swapon) and need root. Run `make bench` as root. ***")
		b.Skip("needs root")
	}
}

// repoRoot is two levels up from this package.
func repoRoot() string {
	dir, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return dir
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds the swapboot CLI and the lab CLI into a temporary directory, once per run.
func binaries(b *testing.B) (swapboot, labBin string) {
	b.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "swapboot-bench-bin-")
		if buildErr != nil {
			return
		}
		for _, t := range []struct{ out, pkg string }{{"swapboot", "."}, {"lab", "./lab/cmd/lab"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, t.out), t.pkg)
			cmd.Dir = repoRoot()
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", t.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return filepath.Join(binDir, "swapboot"), filepath.Join(binDir, "lab")
}

// machine describes this machine for the results.
func machine() string {
	nproc := strings.TrimSpace(output("nproc"))
	kernel := strings.TrimSpace(output("uname", "-r"))
	mem := "?"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				var kib float64
				fmt.Sscan(f[1], &kib)
				mem = fmt.Sprintf("%.1f GiB", kib/(1<<20))
			}
		}
	}
	osName := "?"
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	return fmt.Sprintf("%s, kernel %s, nproc %s, memory %s, %s", osName, kernel, nproc, mem, strings.TrimSpace(output("go", "version")))
}

// loadavg is /proc/loadavg's first three fields.
func loadavg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func output(name string, args ...string) string {
	out, _ := exec.Command(name, args...).Output()
	return string(out)
}
