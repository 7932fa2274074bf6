package cmdline

import (
	"strings"

	"github.com/swapboot/swapboot/internal/editdistance"
)

// Suggest returns the candidate closest to word when it is close enough to be a likely typo, else "".
// Close: edit distance at most 1 for short words and about a third of the word's length for longer
// ones, or word is a prefix of exactly one candidate.
func Suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editdistance.Distance(strings.ToLower(word), strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, len([]rune(word))/3)
	if bestDist >= 0 && bestDist <= limit {
		return best
	}
	prefixed := ""
	for _, c := range candidates {
		if len(word) >= 2 && strings.HasPrefix(c, word) {
			if prefixed != "" && prefixed != c {
				return ""
			}
			prefixed = c
		}
	}
	return prefixed
}
