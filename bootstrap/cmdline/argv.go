package cmdline

import (
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// Renamed is a flag spelling a command no longer takes; Normalize refuses it with Fix.
type Renamed struct {
	Command string // full command name, e.g. "kubeconfig" or "add-node"
	Flag    string // the old name without dashes, e.g. "o" or "worker"
	Fix     string // e.g. "write the file with --file FILE"
}

// Normalize rewrites args (args[0] is the program) into the order urfave/cli parses, which stops at the
// first argument that is not a flag: global flags, the command path, the command's flags, "--", then the
// positional arguments. Flags may be typed anywhere: before or after the cluster file, and global flags
// (--verbose) after the command. "--" ends the flags. Which flags take a value comes from each command's
// own flag definitions. Unknown commands and flags, missing values and values that do not parse are
// returned as a *UsageError (with a "did you mean" suggestion when one is close), so urfave/cli only sees
// command lines it accepts.
func Normalize(app *cli.App, args []string, renamed []Renamed) ([]string, error) {
	if len(args) == 0 {
		return args, nil
	}
	globals := app.Flags
	var (
		globalArgs, path, cmdArgs, positional []string
		leaf                                  *cli.Command
		level                                 = app.Commands // commands the next positional names
		ended                                 bool
		passthrough                           bool // after "help": urfave/cli handles the rest
		help                                  bool // --help given to a command: its arguments are moot
	)
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		tok := rest[i]
		if passthrough {
			positional = append(positional, tok)
			continue
		}
		if tok == "--" && !ended {
			ended = true
			continue
		}
		if ended || !isFlag(tok) {
			if !ended && level != nil {
				if isHelpCommand(app, leaf, tok) {
					path = append(path, tok)
					passthrough = true
					continue
				}
				cmd := findCommand(level, tok)
				if cmd == nil {
					return nil, unknownCommand(app, path, level, tok)
				}
				path, leaf = append(path, tok), cmd
				level = cmd.Subcommands
				if len(level) == 0 {
					level = nil
				}
				continue
			}
			if leaf == nil { // the root takes no arguments
				return nil, unknownCommand(app, path, app.Commands, tok)
			}
			positional = append(positional, tok)
			continue
		}
		name, value, hasValue := splitFlag(tok)
		f, global := lookupFlag(leaf, globals, name)
		if f == nil {
			return nil, unknownFlag(leaf, path, globals, renamed, tok, name)
		}
		out := []string{tok}
		if takesValue(f) && !hasValue {
			if i+1 >= len(rest) {
				return nil, usagef(valueFix(f), "%s needs a value", dashed(name))
			}
			i++
			value = rest[i]
			out = append(out, value)
			hasValue = true
		}
		if hasValue {
			if err := checkValue(f, name, value); err != nil {
				return nil, err
			}
		}
		if isHelpFlag(name) && leaf != nil {
			help = true
		}
		if global {
			globalArgs = append(globalArgs, out...)
		} else {
			cmdArgs = append(cmdArgs, out...)
		}
	}
	norm := append([]string{args[0]}, globalArgs...)
	norm = append(norm, path...)
	norm = append(norm, cmdArgs...)
	if help && !passthrough {
		positional = nil // urfave/cli would read them as a help topic
	}
	if len(positional) > 0 {
		if !passthrough {
			norm = append(norm, "--")
		}
		norm = append(norm, positional...)
	}
	return norm, nil
}

func isFlag(tok string) bool { return len(tok) > 1 && tok[0] == '-' }

// splitFlag: "--name=value" -> name, value, true; "-o" -> o, "", false.
func splitFlag(tok string) (name, value string, hasValue bool) {
	name = strings.TrimPrefix(strings.TrimPrefix(tok, "-"), "-")
	if k, v, ok := strings.Cut(name, "="); ok {
		return k, v, true
	}
	return name, "", false
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func isHelpFlag(name string) bool { return name == "help" || name == "h" }

// isHelpCommand: "swapboot help ..." and "swapboot swap help ...", which urfave/cli adds itself.
func isHelpCommand(app *cli.App, leaf *cli.Command, tok string) bool {
	if tok != "help" && tok != "h" {
		return false
	}
	if leaf == nil {
		return !app.HideHelpCommand
	}
	return len(leaf.Subcommands) > 0 && !leaf.HideHelpCommand
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// lookupFlag finds name among the command's flags first, then the global ones; --help is everywhere.
func lookupFlag(leaf *cli.Command, globals []cli.Flag, name string) (f cli.Flag, global bool) {
	if isHelpFlag(name) {
		return cli.HelpFlag, leaf == nil
	}
	if leaf != nil {
		if f := findFlag(leaf.Flags, name); f != nil {
			return f, false
		}
	}
	return findFlag(globals, name), true
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	dg, ok := f.(cli.DocGenerationFlag)
	return ok && dg.TakesValue()
}

// checkValue parses value as urfave/cli will, and says what to write when it does not parse.
func checkValue(f cli.Flag, name, value string) error {
	var err error
	switch f.(type) {
	case *cli.IntFlag:
		_, err = strconv.ParseInt(value, 0, strconv.IntSize)
	case *cli.DurationFlag:
		_, err = time.ParseDuration(value)
	case *cli.BoolFlag:
		_, err = strconv.ParseBool(value)
	default:
		return nil
	}
	if err != nil {
		return usagef(valueFix(f), "%s %q is not a valid value", dashed(name), value)
	}
	return nil
}

func valueFix(f cli.Flag) string {
	name := dashed(f.Names()[0])
	switch f := f.(type) {
	case *cli.IntFlag:
		return "write a whole number such as " + name + " " + strconv.Itoa(max(f.Value, 1))
	case *cli.DurationFlag:
		ex := "10s"
		if f.Value > 0 {
			ex = shortDuration(f.Value)
		}
		return "write a duration such as " + name + " " + ex + " (units s, m, h)"
	case *cli.BoolFlag:
		return "write " + name + " or " + name + "=false"
	}
	return "write " + name + " VALUE"
}

// shortDuration prints 10m instead of 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func unknownCommand(app *cli.App, path []string, level []*cli.Command, tok string) error {
	var names []string
	for _, c := range level {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	where := app.Name
	if len(path) > 0 {
		where += " " + strings.Join(path, " ")
	}
	fix := "see " + where + " --help"
	if s := Suggest(tok, names); s != "" {
		fix = "did you mean " + where + " " + s + "?"
	}
	if len(path) == 0 {
		return usagef(fix, "unknown command %q", tok)
	}
	return usagef(fix, "%s has no command %q", where, tok)
}

func unknownFlag(leaf *cli.Command, path []string, globals []cli.Flag, renamed []Renamed, tok, name string) error {
	cmd := strings.Join(path, " ")
	for _, r := range renamed {
		if r.Command == cmd && r.Flag == name {
			return usagef(r.Fix, "swapboot %s no longer takes %s", cmd, dashed(name))
		}
	}
	var names []string
	flags := globals
	if leaf != nil {
		flags = append(append([]cli.Flag{}, leaf.Flags...), globals...)
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			names = append(names, dashed(n))
		}
	}
	where := "swapboot"
	if cmd != "" {
		where += " " + cmd
	}
	fix := "see " + where + " --help"
	if s := Suggest(strings.SplitN(tok, "=", 2)[0], names); s != "" {
		fix = "did you mean " + s + "? (" + fix + ")"
	}
	if leaf == nil {
		return usagef(fix, "unknown flag %s before the command (command flags go after the command)", dashed(name))
	}
	return usagef(fix, "%s has no flag %s", where, dashed(name))
}

// CommandPath is the command being run as typed after the program name, e.g. "swap enable" (urfave/cli's
// FullName drops the parent of a subcommand).
func CommandPath(c *cli.Context) string {
	var names []string
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil && ctx.Command.Name != "" && ctx.Command.Name != c.App.Name {
			names = append([]string{ctx.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}
