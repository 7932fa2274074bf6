package lab

import (
	"fmt"
	"os"
)

// RunHelper runs a hidden helper subcommand of the lab binary (also used by
// the test binary, which re-executes itself). It reports whether args named
// a helper; helpers are internal and may change without notice.
func RunHelper(args []string) (bool, error) {
	if len(args) == 0 {
		return false, nil
	}
	switch args[0] {
	case "_host":
		if len(args) != 3 {
			return true, fmt.Errorf("usage: _host LABDIR HOST")
		}
		return true, RunSupervisor(args[1], args[2])
	case "_init":
		return true, RunInit()
	case "_swapoff":
		return true, RunSwapoff(args[1:])
	}
	return false, nil
}

// HelperMain runs a helper from os.Args and exits when it was one.
func HelperMain() {
	ok, err := RunHelper(os.Args[1:])
	if !ok {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "lab %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	os.Exit(0)
}
