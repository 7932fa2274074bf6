package cmdline

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// The functions below are flag actions (urfave/cli runs them for the flags that were given, after
// parsing and before the command's action), so a bad value is exit 2 before any host is contacted.

// AtLeast refuses an integer flag below min.
func AtLeast(flag string, min int) func(*cli.Context, int) error {
	return func(_ *cli.Context, v int) error {
		if v < min {
			return usagef("write "+dashed(flag)+" "+strconv.Itoa(max(min, 1))+" or more", "%s %d is too small", dashed(flag), v)
		}
		return nil
	}
}

// Positive refuses a duration flag that is zero or negative.
func Positive(flag string) func(*cli.Context, time.Duration) error {
	return func(_ *cli.Context, d time.Duration) error {
		if d <= 0 {
			return usagef("write a duration longer than zero, such as "+dashed(flag)+" 10s", "%s %s is not a time limit", dashed(flag), d)
		}
		return nil
	}
}

// OneOf refuses a string flag outside values.
func OneOf(flag string, values ...string) func(*cli.Context, string) error {
	return func(_ *cli.Context, v string) error {
		if slices.Contains(values, v) {
			return nil
		}
		fix := "use " + strings.Join(values, " or ")
		if s := Suggest(v, values); s != "" {
			fix = "did you mean " + dashed(flag) + " " + s + "?"
		}
		return usagef(fix, "%s %q is not one of %s", dashed(flag), v, strings.Join(values, ", "))
	}
}

// ExistingDir refuses a directory flag naming something that is not a directory.
func ExistingDir(flag string) func(*cli.Context, string) error {
	return func(_ *cli.Context, dir string) error {
		return checkDir(flag, dir, dir)
	}
}

// FileInExistingDir refuses a file flag whose directory does not exist (the file is written at the
// end of a run; finding out then is too late).
func FileInExistingDir(flag string) func(*cli.Context, string) error {
	return func(_ *cli.Context, file string) error {
		if file == "" {
			return usagef("name a file", "%s is empty", dashed(flag))
		}
		if st, err := os.Stat(file); err == nil && st.IsDir() {
			return usagef("name a file in it instead", "%s %s is a directory", dashed(flag), file)
		}
		return checkDir(flag, file, filepath.Dir(file))
	}
}

func checkDir(flag, value, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err != nil && os.IsNotExist(err):
		return usagef("create it first or name another", "%s %s: directory %s does not exist", dashed(flag), value, dir)
	case err != nil:
		return usagef("check the path and its permissions", "%s %s: %v", dashed(flag), value, err)
	case !st.IsDir():
		return usagef("name a directory", "%s %s: %s is not a directory", dashed(flag), value, dir)
	}
	return nil
}

// Hosts cleans a host-selection flag's values: urfave/cli already splits "a,b" and collects repeats;
// this trims spaces, drops empty items and repeats, keeping the order typed.
func Hosts(values []string) []string {
	var out []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}
