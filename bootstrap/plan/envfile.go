package plan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

const extraArgsKey = "KUBELET_EXTRA_ARGS"

// flagPattern matches any --name flag the kubelet would read: bare (true), =true, =false, ...
func flagPattern(name string) *regexp.Regexp {
	return regexp.MustCompile(`(^|\s)--` + regexp.QuoteMeta(name) + `(=[^\s"']*)?(\s|$)`)
}

// kubeletArg is one --name=value flag swapboot sets in KUBELET_EXTRA_ARGS.
type kubeletArg struct{ name, value string }

var failSwapOff = kubeletArg{"fail-swap-on", "false"}

// EnvFileError is an env file swapboot will not edit because it cannot do so safely.
type EnvFileError struct{ Problem string }

func (e *EnvFileError) Error() string { return e.Problem }

// MergeFailSwapOn returns the kubelet env file content (systemd EnvironmentFile syntax) with
// --fail-swap-on=false in KUBELET_EXTRA_ARGS. Every other line and every other argument is kept byte for
// byte; an existing --fail-swap-on flag is replaced; a missing KUBELET_EXTRA_ARGS line is added. The
// result is the same when merged again.
func MergeFailSwapOn(content string) (string, error) {
	return editExtraArgs(content, []kubeletArg{failSwapOff}, true)
}

// MergeKubeletArgs is MergeFailSwapOn plus the cluster file's nodeRegistration.kubeletExtraArgs (names
// without "--"), the path below Kubernetes 1.22 where no kubeadm document carries them: each becomes
// --name=value (sorted by name, before --fail-swap-on=false), replacing a flag of the same name already in
// the file; every other argument is kept. A value the env file cannot hold unquoted is refused.
func MergeKubeletArgs(content string, extra map[string]string) (string, error) {
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	var args []kubeletArg
	for _, name := range names {
		if name == failSwapOff.name {
			continue // swapboot's own value wins: the kubelet must tolerate swap
		}
		if v := extra[name]; strings.ContainsAny(name+v, " \t\n\"'\\") || name == "" {
			return "", &EnvFileError{fmt.Sprintf("nodeRegistration.kubeletExtraArgs %s: %q cannot be written to %s unquoted (no blanks, quotes or backslashes below Kubernetes 1.22)", name, v, extraArgsKey)}
		}
		args = append(args, kubeletArg{name, extra[name]})
	}
	return editExtraArgs(content, append(args, failSwapOff), true)
}

// RemoveFailSwapOn undoes MergeFailSwapOn's flag (for swap disable and reset), keeping everything else.
func RemoveFailSwapOn(content string) (string, error) {
	return editExtraArgs(content, []kubeletArg{failSwapOff}, false)
}

// editExtraArgs removes every flag named in args from KUBELET_EXTRA_ARGS and, when add is set, appends
// them with their values (in order) to the last assignment.
func editExtraArgs(content string, args []kubeletArg, add bool) (string, error) {
	if strings.ContainsRune(content, 0) {
		return "", &EnvFileError{"the file contains a NUL byte"}
	}
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	if content == "" {
		lines = nil
	}
	last := -1
	for i, line := range lines {
		if key, _, ok := envAssignment(line); ok && key == extraArgsKey {
			last = i
		}
	}
	if last < 0 {
		if add {
			value := joinArgs(args)
			if strings.Contains(value, " ") {
				value = `"` + value + `"`
			}
			lines = append(lines, extraArgsKey+"="+value)
		}
		return joinLines(lines), nil
	}
	patterns := make([]*regexp.Regexp, len(args))
	for i, a := range args {
		patterns[i] = flagPattern(a.name)
	}
	// systemd applies the last assignment; earlier ones are dead, but stale --fail-swap-on flags in them
	// would mislead a reader, so every assignment is edited the same way.
	for i, line := range lines {
		key, value, ok := envAssignment(line)
		if !ok || key != extraArgsKey {
			continue
		}
		if strings.HasSuffix(strings.TrimRight(line, " \t"), `\`) {
			return "", &EnvFileError{fmt.Sprintf("line %d: %s continues on the next line; join it into one line and run swapboot again", i+1, extraArgsKey)}
		}
		prefix := line[:strings.Index(line, "=")+1]
		quote := ""
		inner := value
		if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
			quote, inner = value[:1], value[1:n-1]
		}
		// Adjacent flags share the blank between them, so replace until none is left.
		for _, pattern := range patterns {
			for pattern.MatchString(inner) {
				inner = pattern.ReplaceAllString(inner, " ")
			}
		}
		inner = strings.TrimSpace(inner)
		if add && i == last {
			if inner != "" {
				inner += " "
			}
			inner += joinArgs(args)
		}
		if quote == "" && strings.ContainsAny(inner, " \t") && !strings.ContainsAny(inner, `"'\`) {
			quote = `"`
		}
		lines[i] = prefix + quote + inner + quote
	}
	return joinLines(lines), nil
}

// envAssignment splits "KEY=value" (leading blanks allowed; comments are not assignments). value is the
// raw text after '=' with trailing blanks removed.
func envAssignment(line string) (key, value string, ok bool) {
	t := strings.TrimLeft(line, " \t")
	if t == "" || t[0] == '#' || t[0] == ';' {
		return "", "", false
	}
	key, value, ok = strings.Cut(t, "=")
	if !ok {
		return "", "", false
	}
	return strings.TrimSpace(key), strings.TrimRight(value, " \t\r"), true
}

func joinArgs(args []kubeletArg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = "--" + a.name + "=" + a.value
	}
	return strings.Join(parts, " ")
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
