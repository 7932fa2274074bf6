package plan

import (
	"fmt"
	"regexp"
	"strings"
)

const extraArgsKey = "KUBELET_EXTRA_ARGS"

// failSwapOnArg matches any --fail-swap-on flag the kubelet would read: bare (true), =true, =false, ...
var failSwapOnArg = regexp.MustCompile(`(^|\s)--fail-swap-on(=[^\s"']*)?(\s|$)`)

// EnvFileError is an env file swapboot will not edit because it cannot do so safely.
type EnvFileError struct{ Problem string }

func (e *EnvFileError) Error() string { return e.Problem }

// MergeFailSwapOn returns the kubelet env file content (systemd EnvironmentFile syntax) with
// --fail-swap-on=false in KUBELET_EXTRA_ARGS. Every other line and every other argument is kept byte for
// byte; an existing --fail-swap-on flag is replaced; a missing KUBELET_EXTRA_ARGS line is added. The
// result is the same when merged again.
func MergeFailSwapOn(content string) (string, error) {
	return editExtraArgs(content, true)
}

// RemoveFailSwapOn undoes MergeFailSwapOn's flag (for swap disable and reset), keeping everything else.
func RemoveFailSwapOn(content string) (string, error) {
	return editExtraArgs(content, false)
}

func editExtraArgs(content string, add bool) (string, error) {
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
			lines = append(lines, extraArgsKey+"=--fail-swap-on=false")
		}
		return joinLines(lines), nil
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
		for failSwapOnArg.MatchString(inner) {
			inner = failSwapOnArg.ReplaceAllString(inner, " ")
		}
		inner = strings.TrimSpace(inner)
		if add && i == last {
			if inner != "" {
				inner += " "
			}
			inner += "--fail-swap-on=false"
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

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
