// Command prereqs checks, and with -install installs, what building
// Kubernetes and running the lab need (see package prereq). It is its own
// small binary, built from the standard library and x/sys only, so that on a
// fresh machine `make demo` and `make test` reach its verdict in seconds,
// before anything large is compiled.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/swapboot/swapboot/lab/prereq"
)

func main() {
	install := flag.Bool("install", false, "install missing Debian packages with apt-get (root only)")
	hosts := flag.Int("hosts", 4, "lab hosts that will run at the same time (each takes a swap area)")
	cache := flag.String("cache", envOr("SWAPBOOT_LAB_CACHE", "/var/cache/swapboot-lab"), "the Kubernetes build cache")
	stateRoot := flag.String("state-root", "/var/lib/swapboot-lab", "where labs keep their state (must be ext4)")
	version := flag.String("k8s-version", "v1.37.2", "the Kubernetes version the lab runs")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "prereqs: unexpected arguments %v\n", flag.Args())
		os.Exit(2)
	}
	_, err := os.Stat(filepath.Join(*cache, "k8s", *version, "DONE"))
	need := prereq.Need{Hosts: *hosts, CacheRoot: *cache, StateRoot: *stateRoot, GoCache: goEnv("GOCACHE"), Build: err != nil}
	os.Exit(prereq.Report(prereq.Ensure(prereq.RealMachine{}, need, *install, os.Stderr), os.Stderr))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// goEnv reads one `go env` value ("" when go is not on PATH).
func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
