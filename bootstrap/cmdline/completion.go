package cmdline

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shells returns the shells Completion writes scripts for.
func Shells() []string { return []string{"bash", "zsh", "fish"} }

// compCommand is one command of the completion tree, read from the urfave/cli definitions.
type compCommand struct {
	path  string // "" for the root, "swap enable"
	name  string
	usage string
	flags []compFlag
	subs  []*compCommand
	args  []string // enumerated positional values (completion: bash zsh fish)
	files bool     // the positional argument is a file
}

type compFlag struct {
	names  []string // without dashes
	usage  string
	value  bool     // takes a value
	values []string // enumerated values
	file   bool     // the value is a path
}

// FlagValues lists the values of flags that take one of a few words, by flag name (e.g. "output": text,
// json), or by command path and flag name where one command differs ("status output": table, json).
type FlagValues map[string][]string

// of returns the values of the flag name on the command at path.
func (v FlagValues) of(path, name string) []string {
	if vals, ok := v[strings.TrimSpace(path+" "+name)]; ok {
		return vals
	}
	return v[name]
}

func compTree(app *cli.App, values FlagValues) *compCommand {
	root := &compCommand{flags: compFlags(app.Flags, values, "", true)}
	for _, c := range app.Commands {
		if !c.Hidden && c.Name != "help" { // urfave/cli's help command, added below once
			root.subs = append(root.subs, compCmd(c, "", values))
		}
	}
	root.subs = append(root.subs, &compCommand{path: "help", name: "help", usage: "show a command's help"})
	return root
}

func compCmd(c *cli.Command, parent string, values FlagValues) *compCommand {
	path := strings.TrimSpace(parent + " " + c.Name)
	cc := &compCommand{path: path, name: c.Name, usage: c.Usage, flags: compFlags(c.Flags, values, path, true)}
	switch {
	case strings.Contains(c.ArgsUsage, "|"):
		cc.args = strings.Split(c.ArgsUsage, "|")
	case c.ArgsUsage != "":
		cc.files = true
	}
	for _, s := range c.Subcommands {
		if !s.Hidden && s.Name != "help" {
			cc.subs = append(cc.subs, compCmd(s, path, values))
		}
	}
	return cc
}

func compFlags(flags []cli.Flag, values FlagValues, path string, help bool) []compFlag {
	var out []compFlag
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		cf := compFlag{names: f.Names(), value: takesValue(f), values: values.of(path, f.Names()[0])}
		if df, ok := f.(cli.DocGenerationFlag); ok {
			cf.usage = df.GetUsage()
		}
		switch f := f.(type) {
		case *cli.StringFlag:
			cf.file = f.TakesFile
		case *cli.PathFlag:
			cf.file = true
		}
		out = append(out, cf)
	}
	if help {
		out = append(out, compFlag{names: []string{"help", "h"}, usage: "show help"})
	}
	return out
}

func (c *compCommand) walk(fn func(*compCommand)) {
	fn(c)
	for _, s := range c.subs {
		s.walk(fn)
	}
}

func (c *compCommand) subNames() string {
	var names []string
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	return strings.Join(names, " ")
}

func (c *compCommand) flagWords(global []compFlag) string {
	var words []string
	for _, f := range append(slices.Clone(c.flags), global...) {
		for _, n := range f.names {
			if w := dashed(n); !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	return strings.Join(words, " ")
}

// Completion writes the completion script of app for shell (bash, zsh or fish). The scripts are
// generated from the command and flag definitions, so they never drift from them.
func Completion(w io.Writer, app *cli.App, shell string, values FlagValues) error {
	root := compTree(app, values)
	switch shell {
	case "bash":
		_, err := io.WriteString(w, bashScript(app.Name, root))
		return err
	case "zsh":
		_, err := io.WriteString(w, zshScript(app.Name, root))
		return err
	case "fish":
		_, err := io.WriteString(w, fishScript(app.Name, root))
		return err
	}
	fix := "use one of " + strings.Join(Shells(), ", ")
	if s := Suggest(shell, Shells()); s != "" {
		fix = "did you mean " + s + "?"
	}
	return usagef(fix, "no completion for shell %q", shell)
}

// shellQuote quotes s for bash and zsh: a quote inside is closed, escaped and reopened.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fnName(prog string) string { return "_" + strings.NewReplacer("-", "_", ".", "_").Replace(prog) }

// bashScript: the command path is found from the words typed so far (flag values are skipped by
// knowing which flags take one), then commands, flags, flag values or files are offered.
func bashScript(prog string, root *compCommand) string {
	var b strings.Builder
	fn := fnName(prog)
	fmt.Fprintf(&b, "# bash completion for %[1]s. Load it with: source <(%[1]s completion bash)\n", prog)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" cmd=\"\" w i skip=0\n")
	b.WriteString("    if [ \"$COMP_CWORD\" -gt 0 ]; then prev=\"${COMP_WORDS[COMP_CWORD-1]}\"; fi\n")
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("        w=\"${COMP_WORDS[i]}\"\n")
	b.WriteString("        if [ \"$skip\" = 1 ]; then skip=0; continue; fi\n")
	b.WriteString("        case \"$cmd|$w\" in\n")
	writeWordWalk(&b, root, "%s)")
	b.WriteString("        esac\n    done\n")
	b.WriteString("    case \"$cmd|$prev\" in\n")
	root.walk(func(c *compCommand) {
		for _, f := range append(slices.Clone(c.flags), root.flags...) {
			if !f.value {
				continue
			}
			pats := flagPatterns(c, f)
			action := "return 0" // a value nobody can guess: offer nothing
			switch {
			case len(f.values) > 0:
				action = fmt.Sprintf("COMPREPLY=($(compgen -W %s -- \"$cur\")); return 0", shellQuote(strings.Join(f.values, " ")))
			case f.file:
				action = "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return 0"
			}
			fmt.Fprintf(&b, "        %s) %s ;;\n", strings.Join(pats, "|"), action)
		}
	})
	b.WriteString("    esac\n")
	b.WriteString("    case \"$cmd\" in\n")
	root.walk(func(c *compCommand) {
		fmt.Fprintf(&b, "        %s)\n", shellQuote(c.path))
		fmt.Fprintf(&b, "            if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W %s -- \"$cur\")); return 0; fi\n", shellQuote(c.flagWords(root.flags)))
		switch {
		case len(c.subs) > 0:
			fmt.Fprintf(&b, "            COMPREPLY=($(compgen -W %s -- \"$cur\")) ;;\n", shellQuote(c.subNames()))
		case len(c.args) > 0:
			fmt.Fprintf(&b, "            COMPREPLY=($(compgen -W %s -- \"$cur\")) ;;\n", shellQuote(strings.Join(c.args, " ")))
		case c.files:
			b.WriteString("            compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n")
		default:
			b.WriteString("            COMPREPLY=() ;;\n")
		}
	})
	b.WriteString("    esac\n    return 0\n}\n")
	fmt.Fprintf(&b, "complete -F %s %s\n", fn, prog)
	return b.String()
}

// writeWordWalk writes the case arms bash and zsh share while they walk the words typed so far: a flag
// that takes a value skips the next word, a subcommand's name moves cmd. arm is the shell's case-arm
// syntax around the pattern ("%s)" for bash, "(%s)" for zsh).
func writeWordWalk(b *strings.Builder, root *compCommand, arm string) {
	root.walk(func(c *compCommand) {
		var vals []string
		for _, f := range append(slices.Clone(c.flags), root.flags...) {
			if f.value {
				vals = append(vals, flagPatterns(c, f)...)
			}
		}
		if len(vals) > 0 {
			fmt.Fprintf(b, "            "+arm+" skip=1 ;;\n", strings.Join(slices.Compact(vals), "|"))
		}
		for _, s := range c.subs {
			fmt.Fprintf(b, "            "+arm+" cmd=%s ;;\n", shellQuote(c.path+"|"+s.name), shellQuote(s.path))
		}
	})
}

// flagPatterns are the case patterns "command path|--flag" of each name of f.
func flagPatterns(c *compCommand, f compFlag) []string {
	var pats []string
	for _, n := range f.names {
		pats = append(pats, shellQuote(c.path+"|"+dashed(n)))
	}
	return pats
}

// zshScript is native zsh: the same walk as bash over $words, then compadd.
func zshScript(prog string, root *compCommand) string {
	var b strings.Builder
	fn := fnName(prog)
	fmt.Fprintf(&b, "#compdef %s\n", prog)
	fmt.Fprintf(&b, "# zsh completion for %[1]s. Load it with: source <(%[1]s completion zsh)\n", prog)
	fmt.Fprintf(&b, "# or save it as _%[1]s in a directory of $fpath.\n", prog)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("    local cur=\"${words[CURRENT]}\" prev=\"${words[CURRENT-1]}\" cmd=\"\" w skip=0 i\n")
	b.WriteString("    for ((i = 2; i < CURRENT; i++)); do\n")
	b.WriteString("        w=\"${words[i]}\"\n")
	b.WriteString("        if [[ $skip == 1 ]]; then skip=0; continue; fi\n")
	b.WriteString("        case \"$cmd|$w\" in\n")
	writeWordWalk(&b, root, "(%s)")
	b.WriteString("        esac\n    done\n")
	b.WriteString("    case \"$cmd|$prev\" in\n")
	root.walk(func(c *compCommand) {
		for _, f := range append(slices.Clone(c.flags), root.flags...) {
			if !f.value {
				continue
			}
			pats := flagPatterns(c, f)
			action := "return 0"
			switch {
			case len(f.values) > 0:
				action = "compadd -- " + strings.Join(f.values, " ") + "; return 0"
			case f.file:
				action = "_files; return 0"
			}
			fmt.Fprintf(&b, "        (%s) %s ;;\n", strings.Join(pats, "|"), action)
		}
	})
	b.WriteString("    esac\n")
	b.WriteString("    case \"$cmd\" in\n")
	root.walk(func(c *compCommand) {
		fmt.Fprintf(&b, "        (%s)\n", shellQuote(c.path))
		fmt.Fprintf(&b, "            if [[ $cur == -* ]]; then compadd -- %s; return 0; fi\n", c.flagWords(root.flags))
		switch {
		case len(c.subs) > 0:
			fmt.Fprintf(&b, "            compadd -- %s ;;\n", c.subNames())
		case len(c.args) > 0:
			fmt.Fprintf(&b, "            compadd -- %s ;;\n", strings.Join(c.args, " "))
		case c.files:
			b.WriteString("            _files ;;\n")
		default:
			b.WriteString("            ;;\n")
		}
	})
	b.WriteString("    esac\n}\n")
	fmt.Fprintf(&b, "compdef %s %s\n", fn, prog)
	return b.String()
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// fishScript uses fish's own conditions: a command's flags are offered once its name has been typed.
func fishScript(prog string, root *compCommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# fish completion for %[1]s. Load it with: %[1]s completion fish | source\n", prog)
	fmt.Fprintf(&b, "# or save it as ~/.config/fish/completions/%s.fish\n", prog)
	fmt.Fprintf(&b, "complete -c %s -f\n", prog)
	flagLine := func(cond string, f compFlag) {
		fmt.Fprintf(&b, "complete -c %s", prog)
		if cond != "" {
			fmt.Fprintf(&b, " -n %s", fishQuote(cond))
		}
		for _, n := range f.names {
			if len(n) == 1 {
				fmt.Fprintf(&b, " -s %s", n)
			} else {
				fmt.Fprintf(&b, " -l %s", n)
			}
		}
		switch {
		case len(f.values) > 0:
			fmt.Fprintf(&b, " -x -a %s", fishQuote(strings.Join(f.values, " ")))
		case f.file:
			b.WriteString(" -r -F")
		case f.value:
			b.WriteString(" -x")
		}
		if f.usage != "" {
			fmt.Fprintf(&b, " -d %s", fishQuote(f.usage))
		}
		b.WriteString("\n")
	}
	for _, f := range root.flags {
		flagLine("", f)
	}
	root.walk(func(c *compCommand) {
		var cond string
		if c.path == "" {
			cond = "__fish_use_subcommand"
		} else {
			cond = "__fish_seen_subcommand_from " + c.name
			if len(c.subs) > 0 {
				cond += "; and not __fish_seen_subcommand_from " + c.subNames()
			}
		}
		for _, s := range c.subs {
			fmt.Fprintf(&b, "complete -c %s -n %s -a %s -d %s\n", prog, fishQuote(cond), s.name, fishQuote(s.usage))
		}
		if c.path == "" {
			return
		}
		leafCond := "__fish_seen_subcommand_from " + c.name
		for _, f := range c.flags {
			flagLine(leafCond, f)
		}
		switch {
		case len(c.args) > 0:
			fmt.Fprintf(&b, "complete -c %s -n %s -a %s\n", prog, fishQuote(leafCond), fishQuote(strings.Join(c.args, " ")))
		case c.files:
			fmt.Fprintf(&b, "complete -c %s -n %s -F\n", prog, fishQuote(leafCond))
		}
	})
	return b.String()
}
