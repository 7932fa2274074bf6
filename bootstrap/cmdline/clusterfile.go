package cmdline

import (
	"io"
	"os"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// DefaultClusterFile is used when a command is given no cluster file.
const DefaultClusterFile = "cluster.yaml"

// StdinName names the cluster file read from standard input in messages.
const StdinName = "<stdin>"

// ClusterFile is the cluster file argument of a command, ready for the loader
// (cluster.LoadFrom(Name, Data)).
type ClusterFile struct {
	// Name is the path (the argument or "cluster.yaml"), or "<stdin>": what every message calls it.
	Name string
	// Data is the contents read from stdin; nil for a path, which the loader reads itself.
	Data []byte
}

// OpenClusterFile resolves the cluster file argument of command (e.g. "swap enable"): one argument, a
// path or "-" for stdin; none means ./cluster.yaml when it exists. Stdin is read here, whole, and handed
// to the loader as contents named <stdin> (so every problem is "<stdin>:LINE: ..."); no file is written.
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
		return &ClusterFile{Name: DefaultClusterFile}, nil
	case args[0] == "-":
		return readStdin(stdin)
	}
	return &ClusterFile{Name: args[0]}, nil
}

func readStdin(stdin io.Reader) (*ClusterFile, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, cluster.MaxClusterFileSize+1))
	if err != nil {
		return nil, &cluster.ConfigError{File: StdinName, Problem: "cannot read the cluster file: " + err.Error(), Fix: "pipe the file in, e.g. swapboot plan - < cluster.yaml"}
	}
	return &ClusterFile{Name: StdinName, Data: data}, nil
}
