// Package templates holds every script swapboot runs on a host. A script is a static body (a *.sh file
// embedded here) behind a header of shell variable assignments, so the body can be read, golden-tested
// and shellchecked as it is, and every value that reaches a remote shell goes through Quote.
package templates

import (
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

//go:embed scripts/*.sh lib/*.sh documents/*.yml files/swapboot-zram files/swapboot-zram.service
var scripts embed.FS

// Var is one input of a script.
type Var struct {
	Name  string
	Value string
}

var varName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// usedLibs are a body's "# uses: lib/x.sh" lines: shared functions only some scripts carry.
var usedLibs = regexp.MustCompile(`(?m)^# uses: (lib/[a-z-]+\.sh)$`)

// render returns the script `name` (a file in scripts/, without ".sh") with its inputs assigned at the top.
// Callers use the typed calls (typed.go); this check that every variable the body reads is given, and none
// that it does not read, is the safety net behind them.
func render(name string, vars ...Var) (string, error) {
	body, err := Body(name)
	if err != nil {
		return "", err
	}
	wanted := Inputs(body)
	given := map[string]bool{}
	var b strings.Builder
	// The script arrives on the shell's stdin. The brace group is read whole before anything runs, and its
	// commands get /dev/null as stdin, so no command can swallow the rest of the script.
	b.WriteString("#!/bin/sh\n# swapboot: " + name + "\nset -eu\n{\n")
	for _, v := range vars {
		if !varName.MatchString(v.Name) {
			return "", fmt.Errorf("template %s: bad variable name %q", name, v.Name)
		}
		if !wanted[v.Name] {
			return "", fmt.Errorf("template %s: variable %s is not an input of the script", name, v.Name)
		}
		if given[v.Name] {
			return "", fmt.Errorf("template %s: variable %s given twice", name, v.Name)
		}
		given[v.Name] = true
		if strings.Contains(v.Value, "$") {
			// The value is data (a file's content), quoted so that nothing in it expands.
			b.WriteString("# shellcheck disable=SC2016\n")
		}
		b.WriteString(v.Name + "=" + Quote(v.Value) + "\n")
	}
	var missing []string
	for n := range wanted {
		if !given[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("template %s: missing inputs %s", name, strings.Join(missing, ", "))
	}
	common, err := scripts.ReadFile("lib/common.sh")
	if err != nil {
		return "", err
	}
	b.Write(common)
	for _, lib := range usedLibs.FindAllStringSubmatch(body, -1) {
		data, err := scripts.ReadFile(lib[1])
		if err != nil {
			return "", fmt.Errorf("template %s: %w", name, err)
		}
		b.Write(data)
	}
	b.WriteString(body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("} </dev/null\n")
	return b.String(), nil
}

// Common returns the shared functions every rendered script carries.
func Common() (string, error) {
	b, err := scripts.ReadFile("lib/common.sh")
	return string(b), err
}

// Body returns the static part of a script.
func Body(name string) (string, error) {
	data, err := scripts.ReadFile("scripts/" + name + ".sh")
	if err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return string(data), nil
}

// Names lists the scripts.
func Names() []string {
	entries, _ := scripts.ReadDir("scripts")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".sh"))
	}
	sort.Strings(names)
	return names
}

// inputLine declares a script input: "# input: NAME description".
var inputLine = regexp.MustCompile(`(?m)^# input: ([A-Z][A-Z0-9_]*)\b`)

// Inputs returns the variables a script body declares with "# input: NAME" comments.
func Inputs(body string) map[string]bool {
	in := map[string]bool{}
	for _, m := range inputLine.FindAllStringSubmatch(body, -1) {
		in[m[1]] = true
	}
	return in
}

// Quote makes s one literal word for a POSIX shell: it is wrapped in single quotes, and each single quote
// inside becomes '\” (close, escaped quote, reopen). Nothing inside single quotes is special to sh.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
