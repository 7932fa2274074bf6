package templates

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A document is a file swapboot applies as it is (a Kubernetes manifest), kept in documents/ as the
// upstream text with {{NAME}} placeholders where swapboot's values go. Like a script, it declares each
// placeholder with a "# input: NAME description" line (the comment lines before the first "---" are
// dropped when it is rendered) and has one typed call per file, so a wrong input does not compile.

// Document is a typed call of one document in documents/.
type Document interface {
	// Name is the document's file in documents/, without ".yml".
	Name() string
	inputs() []input
	document()
}

var placeholder = regexp.MustCompile(`\{\{([A-Z][A-Z0-9_]*)\}\}`)

// docValue is what a placeholder may hold: one YAML/JSON-safe word (CIDRs, names, image references,
// paths). Anything else would change the document's structure, so it is refused.
var docValue = regexp.MustCompile(`^[A-Za-z0-9._/:@-]+$`)

// RenderDocument returns the document with its inputs in place of the placeholders. Every declared input
// must be given, used and a single safe word.
func RenderDocument(d Document) (string, error) {
	data, err := scripts.ReadFile("documents/" + d.Name() + ".yml")
	if err != nil {
		return "", fmt.Errorf("document %s: %w", d.Name(), err)
	}
	body := string(data)
	declared := Inputs(body)
	values := map[string]string{}
	for _, in := range d.inputs() {
		switch {
		case !declared[in.Name]:
			return "", fmt.Errorf("document %s: %s is not an input of the document", d.Name(), in.Name)
		case !docValue.MatchString(in.Value):
			return "", fmt.Errorf("document %s: input %s=%q is not a single word of letters, digits and ._/:@-", d.Name(), in.Name, in.Value)
		}
		values[in.Name] = in.Value
	}
	var missing []string
	for n := range declared {
		if _, ok := values[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("document %s: missing inputs %s", d.Name(), strings.Join(missing, ", "))
	}
	if i := strings.Index(body, "\n---\n"); i >= 0 && strings.HasPrefix(body, "#") {
		body = body[i+1:]
	}
	var undeclared []string
	out := placeholder.ReplaceAllStringFunc(body, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			undeclared = append(undeclared, name)
		}
		return v
	})
	if len(undeclared) > 0 {
		return "", fmt.Errorf("document %s: placeholders without an input line: %s", d.Name(), strings.Join(undeclared, ", "))
	}
	return out, nil
}

// DocumentNames lists the documents.
func DocumentNames() []string {
	entries, _ := scripts.ReadDir("documents")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yml"))
	}
	sort.Strings(names)
	return names
}
