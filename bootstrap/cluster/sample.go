package cluster

import (
	"fmt"
	"net/netip"
	"strings"
)

// SampleClusterFile returns the annotated sample with its masters and workers replaced by the given
// addresses (unchanged when none are given). The result parses with Parse.
func SampleClusterFile(sample string, masters, workers []string) (string, error) {
	for _, a := range append(append([]string{}, masters...), workers...) {
		if _, err := netip.ParseAddr(a); err != nil {
			return "", fmt.Errorf("%q is not an IP address", a)
		}
	}
	out := sample
	var err error
	if len(masters) > 0 {
		if out, err = replaceList(out, "masters", masters); err != nil {
			return "", err
		}
	}
	if len(workers) > 0 {
		if out, err = replaceList(out, "workers", workers); err != nil {
			return "", err
		}
	}
	return out, nil
}

// replaceList replaces the block of a top-level key (up to the next blank line) with a plain list.
func replaceList(text, key string, items []string) (string, error) {
	start := strings.Index(text, "\n"+key+":")
	if start < 0 {
		return "", fmt.Errorf("sample has no %s: block", key)
	}
	start++
	end := strings.Index(text[start:], "\n\n")
	if end < 0 {
		end = len(text) - start
	}
	var b strings.Builder
	b.WriteString(key + ":\n")
	for _, it := range items {
		b.WriteString("  - " + it + "\n")
	}
	return text[:start] + strings.TrimSuffix(b.String(), "\n") + text[start+end:], nil
}
