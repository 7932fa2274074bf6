// Sections kubelet: and kubeProxy: (pass-through KubeletConfiguration and KubeProxyConfiguration fields).

package cluster

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseOverrides converts the kubelet: or kubeProxy: mapping to plain values and has kubeadmcfg check
// them against the official configuration type.
func (p *cfgParser) parseOverrides(k, v *yaml.Node, section string, check func(map[string]any) error) (map[string]any, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	what := "KubeletConfiguration"
	ref := "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"
	if section == "kubeProxy" {
		what, ref = "KubeProxyConfiguration", "https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/"
	}
	if v.Kind != yaml.MappingNode {
		return nil, p.fail(v, section, "expected a mapping of "+what+" fields, got "+cfgDescribe(v), "write e.g. "+section+": {} or remove it; fields: "+ref)
	}
	if p.shallow || len(v.Content) == 0 {
		return nil, nil
	}
	val, node, err := cfgPlain(v, section)
	if err != "" {
		return nil, p.fail(node, cfgPathOf(node, v, section), err, "use plain strings, numbers, true/false, lists and mappings")
	}
	m := val.(map[string]any)
	if cerr := check(m); cerr != nil {
		return nil, p.overrideError(k, v, section, cerr, ref)
	}
	return m, nil
}

// cfgPlain converts a node tree to JSON-compatible values (strings stay literal: no timestamps).
func cfgPlain(n *yaml.Node, path string) (any, *yaml.Node, string) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				return nil, k, "keys must be names"
			}
			v, bad, err := cfgPlain(n.Content[i+1], path+"."+k.Value)
			if err != "" {
				return nil, bad, err
			}
			m[k.Value] = v
		}
		return m, nil, ""
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			v, bad, err := cfgPlain(e, fmt.Sprintf("%s[%d]", path, i))
			if err != "" {
				return nil, bad, err
			}
			l = append(l, v)
		}
		return l, nil, ""
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil, ""
		case "!!bool", "!!int":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, n, "cannot read the value " + strconv.Quote(n.Value)
			}
			return v, nil, ""
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || f != f || f > 1e308 || f < -1e308 {
				return nil, n, fmt.Sprintf("%q is not a finite number", n.Value)
			}
			return f, nil, ""
		}
		return n.Value, nil, ""
	}
	return nil, n, "YAML aliases are not supported"
}

// cfgPathOf rebuilds the field path of node target inside tree (for messages).
func cfgPathOf(target, tree *yaml.Node, path string) string {
	if target == tree {
		return path
	}
	switch tree.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(tree.Content); i += 2 {
			kp := path + "." + tree.Content[i].Value
			if tree.Content[i] == target {
				return kp
			}
			if r := cfgPathOf(target, tree.Content[i+1], kp); r != "" {
				return r
			}
		}
	case yaml.SequenceNode:
		for i, e := range tree.Content {
			if r := cfgPathOf(target, e, fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return r
			}
		}
	}
	return ""
}

// overrideError turns a kubeadmcfg error ("kubelet.cgroupDrivr: unknown field", possibly several joined
// by newlines) into one ConfigError at the line of the offending field, the first one in the file.
func (p *cfgParser) overrideError(k, v *yaml.Node, section string, err error, ref string) *ConfigError {
	var best *ConfigError
	for _, msg := range cfgSplitErrors(err.Error(), section) {
		field, problem := section, msg
		if f, rest, ok := strings.Cut(msg, ": "); ok && (f == section || strings.HasPrefix(f, section+".") || strings.HasPrefix(f, section+"[")) {
			field, problem = f, rest
		}
		line := k.Line
		if n := cfgLocate(v, strings.TrimPrefix(field, section)); n != nil {
			line = n.Line
		}
		fix := "see " + ref
		if pr, f, ok := strings.Cut(problem, "; "); ok {
			problem, fix = pr, f
		}
		e := &ConfigError{File: p.file, Line: line, Field: field, Problem: cfgQuoteControl(problem), Fix: cfgQuoteControl(fix)}
		if best == nil || e.Line < best.Line {
			best = e
		}
	}
	if best == nil {
		best = &ConfigError{File: p.file, Line: k.Line, Field: section, Problem: cfgQuoteControl(err.Error()), Fix: "see " + ref}
	}
	return best
}

// cfgSplitErrors splits errors.Join output; a line not starting with the section continues the previous.
func cfgSplitErrors(s, section string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if len(out) > 0 && !strings.HasPrefix(line, section) {
			out[len(out)-1] += " " + strings.TrimSpace(line)
			continue
		}
		out = append(out, line)
	}
	return out
}

// cfgLocate finds the node at rest (".a.b[2].c") below n; keys may contain dots, so the longest
// matching key wins. It returns the deepest node found (the key node for mapping entries).
func cfgLocate(n *yaml.Node, rest string) *yaml.Node {
	var found *yaml.Node
	for rest != "" && n != nil {
		switch {
		case strings.HasPrefix(rest, "[") && n.Kind == yaml.SequenceNode:
			end := strings.Index(rest, "]")
			if end < 0 {
				return found
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 || i >= len(n.Content) {
				return found
			}
			n = n.Content[i]
			found = n
			rest = rest[end+1:]
		case strings.HasPrefix(rest, ".") && n.Kind == yaml.MappingNode:
			rest = rest[1:]
			var bestK, bestV *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if strings.HasPrefix(rest, key) && (len(rest) == len(key) || rest[len(key)] == '.' || rest[len(key)] == '[') {
					if bestK == nil || len(key) > len(bestK.Value) {
						bestK, bestV = n.Content[i], n.Content[i+1]
					}
				}
			}
			if bestK == nil {
				return found
			}
			found = bestK
			n = bestV
			rest = rest[len(bestK.Value):]
		default:
			return found
		}
	}
	return found
}
