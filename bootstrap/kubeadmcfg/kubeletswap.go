package kubeadmcfg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// SetKubeletSwap edits the content of a node's /var/lib/kubelet/config.yaml (a KubeletConfiguration) for
// `swap enable/disable`: it sets the top-level failSwapOn to failSwapOn and memorySwap.swapBehavior to
// swapBehavior ("", "NoSwap" or "LimitedSwap"). With swapBehavior "" the swapBehavior key is removed, and
// with failSwapOn true as well the whole memorySwap entry is removed. Every other line is kept byte for
// byte (the file is edited as text at the positions YAML parsing reports, never round-tripped through the
// typed struct); a new failSwapOn key is inserted in sorted position. featureGates are not touched. The
// result of an unchanged setting is the input itself.
func SetKubeletSwap(configYAML []byte, failSwapOn bool, swapBehavior string) ([]byte, error) {
	switch swapBehavior {
	case "", "NoSwap", "LimitedSwap":
	default:
		return nil, fmt.Errorf("swap behavior %q is not one of NoSwap, LimitedSwap", swapBehavior)
	}
	orig, _, err := parseKubeletConfig(configYAML)
	if err != nil {
		return nil, err
	}
	out := configYAML

	// failSwapOn
	_, root, err := parseKubeletConfig(out)
	if err != nil {
		return nil, err
	}
	if v := mappingValue(root, "failSwapOn"); v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Value != fmt.Sprint(failSwapOn) {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(failSwapOn)}
		if v != nil {
			n.LineComment = v.LineComment
		}
		if out, err = setTopLevel(out, root, "failSwapOn", n); err != nil {
			return nil, err
		}
	}

	// memorySwap
	_, root, err = parseKubeletConfig(out)
	if err != nil {
		return nil, err
	}
	ms := mappingValue(root, "memorySwap")
	switch {
	case swapBehavior == "" && failSwapOn:
		if ms != nil {
			if out, err = setTopLevel(out, root, "memorySwap", nil); err != nil {
				return nil, err
			}
		}
	case ms == nil && swapBehavior == "":
		// nothing to remove
	default:
		if ms != nil && ms.Kind != yaml.MappingNode && !(ms.Kind == yaml.ScalarNode && ms.ShortTag() == "!!null") {
			return nil, fmt.Errorf("memorySwap at line %d is not a mapping", ms.Line)
		}
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if ms != nil && ms.Kind == yaml.MappingNode {
			n.Content = append(n.Content, ms.Content...)
			n.LineComment = ms.LineComment
		}
		old := mappingValue(n, "swapBehavior")
		if swapBehavior == "" && old == nil || old != nil && old.Kind == yaml.ScalarNode && old.Value == swapBehavior {
			break // already as wanted
		}
		setMappingValue(n, "swapBehavior", swapBehavior)
		if out, err = setTopLevel(out, root, "memorySwap", n); err != nil {
			return nil, err
		}
	}

	// Self-check: the settings are as asked and every other top-level field is unchanged.
	got, _, err := parseKubeletConfig(out)
	if err != nil {
		return nil, fmt.Errorf("internal error: edited kubelet config does not parse: %w", err)
	}
	if err := checkSwapEdit(orig, got, failSwapOn, swapBehavior); err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	return out, nil
}

// parseKubeletConfig parses a one-document kubelet config file whose top level is a block mapping.
func parseKubeletConfig(b []byte) (map[string]any, *yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errors.New("kubelet config is empty")
		}
		return nil, nil, fmt.Errorf("kubelet config: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("kubelet config holds more than one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("kubelet config is not a YAML mapping")
	}
	root := doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 {
		return nil, nil, errors.New("kubelet config is a flow-style mapping; only block style can be edited")
	}
	var m map[string]any
	if err := root.Decode(&m); err != nil {
		return nil, nil, fmt.Errorf("kubelet config: %w", err)
	}
	if k, ok := m["kind"]; ok && k != "KubeletConfiguration" {
		return nil, nil, fmt.Errorf("kubelet config has kind %v, not KubeletConfiguration", k)
	}
	if a, ok := m["apiVersion"].(string); ok && !strings.HasPrefix(a, "kubelet.config.k8s.io/") {
		return nil, nil, fmt.Errorf("kubelet config has apiVersion %s, not kubelet.config.k8s.io/*", a)
	}
	return m, root, nil
}

func checkSwapEdit(orig, got map[string]any, failSwapOn bool, swapBehavior string) error {
	if got["failSwapOn"] != failSwapOn {
		return fmt.Errorf("failSwapOn is %v after the edit", got["failSwapOn"])
	}
	var behavior any
	ms, hasMS := got["memorySwap"]
	if m, ok := ms.(map[string]any); ok {
		behavior = m["swapBehavior"]
	}
	if swapBehavior == "" && behavior != nil || swapBehavior != "" && behavior != swapBehavior {
		return fmt.Errorf("memorySwap.swapBehavior is %v after the edit", behavior)
	}
	if swapBehavior == "" && failSwapOn && hasMS {
		return errors.New("memorySwap is still there after the edit")
	}
	for k, v := range orig {
		if k == "failSwapOn" || k == "memorySwap" {
			continue
		}
		if !reflect.DeepEqual(got[k], v) {
			return fmt.Errorf("field %s changed by the edit", k)
		}
	}
	for k := range got {
		if _, ok := orig[k]; !ok && k != "failSwapOn" && k != "memorySwap" {
			return fmt.Errorf("field %s added by the edit", k)
		}
	}
	if om, ok := orig["memorySwap"].(map[string]any); ok {
		gm, _ := got["memorySwap"].(map[string]any)
		for k, v := range om {
			if k != "swapBehavior" && gm != nil && !reflect.DeepEqual(gm[k], v) {
				return fmt.Errorf("field memorySwap.%s changed by the edit", k)
			}
		}
	}
	return nil
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setMappingValue sets key to the string value in the mapping node m (value "" removes the key).
func setMappingValue(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if value == "" {
				m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
				return
			}
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, LineComment: m.Content[i+1].LineComment}
			return
		}
	}
	if value != "" {
		m.Content = append(m.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
	}
}

// setTopLevel replaces the lines of the top-level entry key of root with `key: value` (value nil removes
// the entry), or inserts the entry before the first top-level key sorting after it (at the end when the
// keys are not sorted). Other lines are not touched.
func setTopLevel(src []byte, root *yaml.Node, key string, value *yaml.Node) ([]byte, error) {
	lines := splitLines(src)
	var entry []string
	if value != nil {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		kv := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value,
		}}
		if err := enc.Encode(kv); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		entry = splitLines(buf.Bytes())
	}

	keys := root.Content
	for i := 0; i+1 < len(keys); i += 2 {
		if keys[i].Value != key {
			continue
		}
		start := keys[i].Line - 1
		end := len(lines) // exclusive
		if i+2 < len(keys) {
			end = keys[i+2].Line - 1
		}
		end = trimTrailing(lines, start+1, end)
		return joinLines(lines[:start], entry, lines[end:]), nil
	}
	if value == nil {
		return src, nil
	}
	sorted := true
	for i := 2; i+1 < len(keys); i += 2 {
		if keys[i-2].Value > keys[i].Value {
			sorted = false
		}
	}
	if sorted {
		for i := 0; i+1 < len(keys); i += 2 {
			if keys[i].Value > key {
				at := keys[i].Line - 1
				for at > 0 && isCommentLine(lines[at-1]) { // keep the next key's head comment with it
					at--
				}
				return joinLines(lines[:at], entry, lines[at:]), nil
			}
		}
	}
	end := trimTrailing(lines, 0, len(lines))
	if end > 0 && !strings.HasSuffix(lines[end-1], "\n") {
		lines[end-1] += "\n"
	}
	return joinLines(lines[:end], entry, lines[end:]), nil
}

// trimTrailing moves end (exclusive) back over blank lines, comment lines and document markers, not
// before min.
func trimTrailing(lines []string, min, end int) int {
	for end > min {
		t := strings.TrimSpace(lines[end-1])
		if t == "" || strings.HasPrefix(t, "#") || t == "..." {
			end--
			continue
		}
		break
	}
	return end
}

func isCommentLine(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "#") }

// splitLines splits b after every "\n" (the last line may lack one).
func splitLines(b []byte) []string {
	s := string(b)
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func joinLines(parts ...[]string) []byte {
	var buf bytes.Buffer
	for _, p := range parts {
		for _, l := range p {
			buf.WriteString(l)
		}
	}
	return buf.Bytes()
}
