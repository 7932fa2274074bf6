package cmdline

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Terminal is where a command asks before removing something: In is read for the answer, Out shows the
// question, IsTerminal tells whether a person is there to answer (stdin is a terminal).
type Terminal struct {
	In         io.Reader
	Out        io.Writer
	IsTerminal bool
}

// NeedsYes refuses, before any host is contacted, a command that removes something when nobody can be
// asked: no terminal and no --yes. It returns nil when the command may go on to ask (or need not).
func NeedsYes(command string, yes, dryRun bool, t Terminal) error {
	if yes || dryRun || t.IsTerminal {
		return nil
	}
	return usagef("pass --yes to run it without a terminal (CI), or --dry-run to see what it would do",
		"swapboot %s removes things and asks first, but stdin is not a terminal", command)
}

// Confirm asks question and reports whether the answer was "yes".
func Confirm(t Terminal, question string) (bool, error) {
	if !t.IsTerminal {
		return false, NeedsYes("this command", false, false, t)
	}
	fmt.Fprintf(t.Out, "%s Type yes to go on: ", question)
	line, err := bufio.NewReader(t.In).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("no answer: %w", err)
	}
	ok := strings.TrimSpace(line) == "yes"
	if !ok {
		fmt.Fprintln(t.Out, "not confirmed: nothing was changed")
	}
	return ok, nil
}
