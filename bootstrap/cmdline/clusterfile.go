package cmdline

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// DefaultClusterFile is used when a command is given no cluster file.
const DefaultClusterFile = "cluster.yaml"

// StdinName names the cluster file read from standard input in messages.
const StdinName = "<stdin>"

// ClusterFile is the cluster file argument of a command, ready for the loader.
type ClusterFile struct {
	// Path is what the loader opens: the argument, ./cluster.yaml, or a private copy of stdin.
	Path string
	// Name is what messages call it: the argument, "cluster.yaml" or "<stdin>".
	Name string
	dir  string // the private copy's directory, removed by Close
}

// Close removes the private copy of stdin, if any.
func (f *ClusterFile) Close() error {
	if f == nil || f.dir == "" {
		return nil
	}
	return os.RemoveAll(f.dir)
}

// OpenClusterFile resolves the cluster file argument of command (e.g. "swap enable"): one argument, a
// path or "-" for stdin; none means ./cluster.yaml when it exists. Stdin is read here and checked with
// the loader's rules under the name <stdin> (so every problem is "<stdin>:LINE: ..."), then handed to
// the loader as a private file that Close removes.
func OpenClusterFile(command string, args []string, stdin io.Reader) (*ClusterFile, error) {
	help := "see swapboot " + command + " --help"
	switch {
	case len(args) > 1:
		return nil, usagef("pass one cluster file; put -- before a file name that starts with -",
			"swapboot %s takes one cluster file, got %d arguments: %s", command, len(args), strings.Join(args, " "))
	case len(args) == 0:
		if _, err := os.Stat(DefaultClusterFile); err != nil {
			return nil, usagef("name one: swapboot "+command+" FILE, or - to read it from stdin ("+help+")",
				"no cluster file given, and no %s in the current directory", DefaultClusterFile)
		}
		return &ClusterFile{Path: DefaultClusterFile, Name: DefaultClusterFile}, nil
	case args[0] == "-":
		return readStdin(stdin)
	}
	return &ClusterFile{Path: args[0], Name: args[0]}, nil
}

func readStdin(stdin io.Reader) (*ClusterFile, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, cluster.MaxClusterFileSize+1))
	if err != nil {
		return nil, &cluster.ConfigError{File: StdinName, Problem: "cannot read the cluster file: " + err.Error(), Fix: "pipe the file in, e.g. swapboot plan - < cluster.yaml"}
	}
	if _, err := cluster.Parse(StdinName, data); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "swapboot-stdin-")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &ClusterFile{Path: path, Name: StdinName, dir: dir}, nil
}
