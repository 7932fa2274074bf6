package cmdline

import "strings"

// Suggest returns the candidate closest to word when it is close enough to be a likely typo, else "".
// Close: edit distance at most 1 for short words and about a third of the word's length for longer
// ones, or word is a prefix of exactly one candidate.
func Suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := distance(strings.ToLower(word), strings.ToLower(c))
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

// distance is the Damerau-Levenshtein (optimal string alignment) distance: a swap of two neighbouring
// letters counts as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
