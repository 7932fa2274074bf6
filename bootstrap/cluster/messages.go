// Text helpers for error messages: suggestions for misspelt names, control characters, value descriptions.

package cluster

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/internal/editdistance"
)

// cfgSuggest returns the candidate closest to word (same letters in another case, or at most two edits
// away; one for short names), or "".
func cfgSuggest(word string, cands []string) string {
	best, bestD := "", 100
	lw := strings.ToLower(word)
	for _, c := range cands {
		if strings.EqualFold(c, word) {
			return c
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		if d := editdistance.Distance(lw, strings.ToLower(c)); d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// cfgIsControl reports runes no value may contain: C0/C1 controls (newline and tab included), DEL, and
// invisible line separators and bidi overrides.
func cfgIsControl(r rune) bool {
	return unicode.IsControl(r) || r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError
}

func cfgFindControl(s string) (rune, bool) {
	for _, r := range s {
		if cfgIsControl(r) {
			return r, true
		}
	}
	return 0, false
}

func cfgDescribeRune(r rune) string {
	switch r {
	case '\n':
		return "a newline"
	case '\r':
		return "a carriage return"
	case '\t':
		return "a tab"
	case 0:
		return "a NUL character"
	}
	return fmt.Sprintf("the control character %U", r)
}

// cfgQuoteControl makes s printable on one line.
func cfgQuoteControl(s string) string {
	if _, bad := cfgFindControl(s); !bad {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if cfgIsControl(r) {
			q := fmt.Sprintf("%q", string(r))
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cfgShow quotes a user value for a message (escaped, shortened).
func cfgShow(s string) string {
	if utf8.RuneCountInString(s) > cfgMaxValueShow {
		s = string([]rune(s)[:cfgMaxValueShow]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

// cfgDescribe names what a node holds, for type errors.
func cfgDescribe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!int", "!!float":
			return "the number " + cfgShow(n.Value)[1:len(cfgShow(n.Value))-1]
		case "!!bool":
			return "the boolean " + n.Value
		}
		return "the text " + cfgShow(n.Value)
	}
	return "an empty node"
}
