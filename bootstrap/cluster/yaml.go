// The YAML walk shared by every section: strict decoding, syntax errors with lines, unknown fields,
// scalar and port readers.

package cluster

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fail builds the error for node n (its line; 0 when n is nil).
func (p *cfgParser) fail(n *yaml.Node, field, problem, fix string) *ConfigError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ConfigError{File: p.file, Line: line, Field: field, Problem: problem, Fix: fix}
}

var cfgYAMLLine = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// decode parses exactly one YAML document into a node tree.
func (p *cfgParser) decode(data []byte) (root *yaml.Node, cerr *ConfigError) {
	if len(data) > MaxClusterFileSize {
		return nil, &ConfigError{File: p.file, Problem: fmt.Sprintf("the file is larger than %d bytes", MaxClusterFileSize), Fix: "give the cluster file (a few hundred bytes of YAML), see examples/cluster.yaml"}
	}
	defer func() {
		if r := recover(); r != nil {
			root, cerr = nil, &ConfigError{File: p.file, Problem: fmt.Sprintf("invalid YAML (parser failure: %v)", r), Fix: "check the syntax; start from examples/cluster.yaml"}
		}
	}()
	if line, what := cfgBadByte(data); line > 0 {
		return nil, &ConfigError{File: p.file, Line: line, Problem: "the file contains " + what, Fix: "save the file as plain UTF-8 text without control characters (indent with spaces, not tabs)"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &ConfigError{File: p.file, Problem: "the file is empty", Fix: "describe the cluster, see examples/cluster.yaml"}
		}
		return nil, p.syntaxError(err, data)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, p.syntaxError(err, data)
		}
		return nil, &ConfigError{File: p.file, Line: cfgDocStart(&extra), Problem: "a second YAML document starts here", Fix: "a cluster file is one document; remove this --- and what follows, or split it into another file"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &ConfigError{File: p.file, Problem: "the file is empty", Fix: "describe the cluster, see examples/cluster.yaml"}
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, &ConfigError{File: p.file, Line: root.Line, Problem: "the file is empty", Fix: "describe the cluster, see examples/cluster.yaml"}
	}
	p.root = root
	return root, nil
}

// cfgDocStart is the line of a document's first node (the --- line is not recorded by yaml.v3).
func cfgDocStart(doc *yaml.Node) int {
	if doc.Line > 0 {
		return doc.Line
	}
	if len(doc.Content) > 0 {
		return doc.Content[0].Line
	}
	return 0
}

// cfgBadByte finds the first invalid UTF-8 sequence or control character other than tab, CR and LF
// (yaml.v3 reports those without a line).
func cfgBadByte(data []byte) (line int, what string) {
	line = 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, fmt.Sprintf("a byte that is not UTF-8 (0x%02x)", data[i])
		case r == '\n':
			line++
		case r == '\t' || r == '\r':
		case r == 0xFEFF && i == 0: // byte order mark
		case cfgIsControl(r):
			return line, fmt.Sprintf("a control character (%U)", r)
		}
		i += size
	}
	return 0, ""
}

func (p *cfgParser) syntaxError(err error, data []byte) *ConfigError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := cfgYAMLLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	// yaml.v3 reports scanner errors with 1-based lines but parser errors with the 0-based line of
	// the construct (and no line at all for the first line).
	if cfgYAMLParserErrors[msg] {
		line++
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if m := cfgYAMLAnchor.FindStringSubmatch(msg); m != nil {
		for i, l := range lines {
			if strings.Contains(l, "*"+m[1]) {
				return &ConfigError{File: p.file, Line: i + 1, Problem: fmt.Sprintf("YAML aliases (*%s) are not supported", cfgQuoteControl(m[1])), Fix: "write the value out (hosts inherit the cluster-wide ssh: settings anyway)"}
			}
		}
	}
	if line == 0 {
		line = 1
	}
	if line > len(lines) {
		line = len(lines)
	}
	fix := "check the indentation, colons and quotes on this line and the one before"
	switch {
	case line > 0 && strings.Contains(lines[line-1], "\t"):
		fix = "YAML does not allow tabs for indentation; indent with spaces"
	case strings.Contains(msg, "end of stream"):
		fix = "a quote or bracket opened above is not closed"
	}
	return &ConfigError{File: p.file, Line: line, Problem: "invalid YAML: " + cfgQuoteControl(msg), Fix: fix}
}

var cfgYAMLAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// Problems the yaml.v3 parser (not its scanner) reports.
var cfgYAMLParserErrors = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
	"found undefined tag handle":             true,
}

// precheck walks the whole tree in file order and refuses what the schema walk never expects.
func (p *cfgParser) precheck(n *yaml.Node, path string) *ConfigError {
	field := path
	if n.Kind == yaml.AliasNode {
		return p.fail(n, field, "YAML aliases (*"+cfgQuoteControl(n.Value)+") are not supported", "write the value out (hosts inherit the cluster-wide ssh: settings anyway)")
	}
	if n.Anchor != "" {
		return p.fail(n, field, "YAML anchors (&"+cfgQuoteControl(n.Anchor)+") are not supported", "remove the anchor and write values out (hosts inherit the cluster-wide ssh: settings anyway)")
	}
	tag := n.ShortTag()
	switch n.Kind {
	case yaml.ScalarNode:
		switch tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp":
		default:
			return p.fail(n, field, fmt.Sprintf("the YAML tag %s is not supported", cfgQuoteControl(n.Tag)), "remove the tag")
		}
		if r, ok := cfgFindControl(n.Value); ok {
			return p.fail(n, field, "the value contains "+cfgDescribeRune(r), "values are single-line text without control characters; remove it")
		}
	case yaml.SequenceNode:
		if tag != "!!seq" {
			return p.fail(n, field, fmt.Sprintf("the YAML tag %s is not supported", cfgQuoteControl(n.Tag)), "remove the tag")
		}
		for i, c := range n.Content {
			if err := p.precheck(c, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		if tag != "!!map" {
			return p.fail(n, field, fmt.Sprintf("the YAML tag %s is not supported", cfgQuoteControl(n.Tag)), "remove the tag")
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode || k.Anchor != "" {
				return p.precheck(k, path)
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				return p.fail(k, path, "YAML merge keys (<<) are not supported", "write the fields out")
			}
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				return p.fail(k, path, "a key is "+cfgDescribe(k)+", not a name", "keys are plain names such as user or podSubnet")
			}
			kf := cfgJoin(path, k.Value)
			if r, ok := cfgFindControl(k.Value); ok {
				return p.fail(k, path, "a key contains "+cfgDescribeRune(r), "remove it")
			}
			if first, dup := seen[k.Value]; dup {
				return p.fail(k, kf, fmt.Sprintf("given twice (first at line %d)", first), "keep one")
			}
			seen[k.Value] = k.Line
			if err := p.precheck(v, kf); err != nil {
				return err
			}
		}
	}
	return nil
}

func cfgJoin(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// cfgKnown lists the fields of each mapping, for unknown-field messages.
var cfgKnown = map[string][]string{
	"":                 {"name", "kubernetesVersion", "ssh", "masters", "workers", "networking", "swap", "kubelet", "kubeProxy", "nodeRegistration", "controlPlane"},
	"controlPlane":     {"endpoint", "loadBalancer"},
	"ssh":              {"user", "port", "keyFile", "knownHosts", "bastion"},
	"host.ssh":         {"user", "port", "keyFile", "knownHosts", "hostKey", "bastion"},
	"bastion":          {"address", "port", "user", "keyFile", "knownHosts", "hostKey"},
	"host":             {"address", "name", "ssh", "swap"},
	"host.swap":        {"size", "path", "type", "device", "encrypt"},
	"networking":       {"podSubnet", "serviceSubnet", "cni"},
	"cni":              {"plugin", "backend", "imageRepository"},
	"swap":             {"size", "path", "type", "device", "encrypt", "behavior", "nodes", "label", "taint", "protectSystemDaemons", "sysctl"},
	"swap.sysctl":      {"swappiness", "minFreeKbytes", "watermarkScaleFactor"},
	"nodeRegistration": {"criSocket", "imagePullPolicy", "ignorePreflightErrors", "kubeletExtraArgs"},
}

// cfgHome says where a field that is unknown at one level belongs.
var cfgHome = map[string]string{
	"user": "ssh", "port": "ssh", "keyFile": "ssh", "knownHosts": "ssh", "hostKey": "the host's ssh", "bastion": "ssh",
	"podSubnet": "networking", "serviceSubnet": "networking", "cni": "networking",
	"plugin": "networking.cni", "backend": "networking.cni", "imageRepository": "networking.cni",
	"size": "swap", "path": "swap", "behavior": "swap", "nodes": "swap", "label": "swap", "taint": "swap", "protectSystemDaemons": "swap", "sysctl": "swap",
	"criSocket": "nodeRegistration", "imagePullPolicy": "nodeRegistration", "ignorePreflightErrors": "nodeRegistration", "kubeletExtraArgs": "nodeRegistration",
	"endpoint": "controlPlane", "loadBalancer": "controlPlane",
	"address": "a masters or workers entry", "name": "the top level or a host entry",
	"cgroupDriver": "kubelet", "failSwapOn": "kubelet", "memorySwap": "kubelet", "mode": "kubeProxy",
}

// unknown reports key k, unknown in the mapping of kind schema at path.
func (p *cfgParser) unknown(k *yaml.Node, path, schema string) *ConfigError {
	known := cfgKnown[schema]
	field := cfgJoin(path, k.Value)
	fix := ""
	if s := cfgSuggest(k.Value, known); s != "" {
		fix = fmt.Sprintf("did you mean %s?", s)
	} else if where, ok := cfgHome[k.Value]; ok {
		fix = fmt.Sprintf("%s belongs under %s; move it there", k.Value, where)
	} else {
		fix = "the fields here are " + strings.Join(known, ", ")
	}
	switch {
	case schema == "bastion" && k.Value == "bastion":
		return p.fail(k, field, "a bastion cannot have its own bastion", "chained jump hosts are not supported; remove it")
	case schema == "host.swap" && (k.Value == "behavior" || k.Value == "nodes"):
		return p.fail(k, field, k.Value+" is the cluster's, not a host's (each node's swap behaviour follows its cgroup version under behavior: auto)", "move it to the top-level swap:")
	case schema == "ssh" && k.Value == "hostKey":
		return p.fail(k, field, "a host key pins one host, it cannot be cluster-wide", "move it under that host: workers: [{address: 192.0.2.10, ssh: {hostKey: \"ssh-ed25519 AAAA...\"}}]")
	case schema == "" && (k.Value == "master" || k.Value == "worker" || k.Value == "hosts" || k.Value == "nodes"):
		return p.fail(k, field, "unknown field", "list hosts under masters: and workers:")
	}
	return p.fail(k, field, "unknown field", fix)
}

// fields iterates the mapping n (of kind schema) in file order; unknown keys are errors.
func (p *cfgParser) fields(n *yaml.Node, path, schema string, fn func(key string, k, v *yaml.Node) *ConfigError) *ConfigError {
	if n.Kind != yaml.MappingNode {
		return p.fail(n, path, "expected a mapping (key: value lines), got "+cfgDescribe(n), cfgMappingFix(path, schema))
	}
	known := cfgKnown[schema]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !cfgContains(known, k.Value) || k.Kind != yaml.ScalarNode {
			return p.unknown(k, path, schema)
		}
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func cfgMappingFix(path, schema string) string {
	switch schema {
	case "networking":
		return "write e.g. networking: {podSubnet: " + DefaultPodSubnet + ", serviceSubnet: " + DefaultServiceSubnet + "}"
	case "cni":
		return "write e.g. cni: {plugin: flannel, backend: vxlan}"
	case "swap":
		return "write e.g. swap: {size: 1G, path: /swapfile, behavior: auto}"
	case "host.swap":
		return "write swap: none, or swap: {size: 4G} (size and path replace the cluster's)"
	case "swap.sysctl":
		return "write e.g. sysctl: {swappiness: 60, minFreeKbytes: 524288, watermarkScaleFactor: 2000}"
	case "ssh", "host.ssh":
		return "write e.g. ssh: {user: root, port: 22}"
	case "bastion":
		return "write e.g. bastion: {address: 203.0.113.5, user: jump}"
	case "controlPlane":
		return "write e.g. controlPlane: {endpoint: 192.168.122.10:6443, loadBalancer: external}"
	case "nodeRegistration":
		return "write e.g. nodeRegistration: {criSocket: unix:///run/containerd/containerd.sock}"
	}
	return "write key: value lines, see examples/cluster.yaml"
}

func cfgContains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// str reads a string setting: any scalar, taken literally; null means not set.
func (p *cfgParser) str(v *yaml.Node, field string) (cfgStr, *ConfigError) {
	if v.Kind == yaml.AliasNode {
		return cfgStr{}, p.fail(v, field, "YAML aliases are not supported", "write the value out")
	}
	if v.Kind != yaml.ScalarNode {
		return cfgStr{}, p.fail(v, field, "expected a single value, got "+cfgDescribe(v), "write it as "+cfgLast(field)+": value")
	}
	if v.ShortTag() == "!!null" {
		return cfgStr{}, nil
	}
	return cfgStr{val: v.Value, node: v}, nil
}

// boolean reads true or false; null means not set.
func (p *cfgParser) boolean(v *yaml.Node, field string) (val, set bool, err *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return false, false, nil
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
		fix := "write true or false"
		if v.Kind == yaml.ScalarNode && (strings.EqualFold(v.Value, "true") || strings.EqualFold(v.Value, "false")) {
			fix = "write " + strings.ToLower(v.Value) + " without quotes"
		}
		return false, false, p.fail(v, field, "expected true or false, got "+cfgDescribe(v), fix)
	}
	var b bool
	if err := v.Decode(&b); err != nil {
		return false, false, p.fail(v, field, "expected true or false, got "+cfgDescribe(v), "write true or false")
	}
	return b, true, nil
}

// port reads a port number; null means not set.
func (p *cfgParser) port(v *yaml.Node, field string) (cfgInt, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return cfgInt{}, nil
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
		fix := "write a port number such as 22"
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
			if _, err := strconv.Atoi(v.Value); err == nil {
				fix = "write the number without quotes: " + cfgLast(field) + ": " + v.Value
			}
		}
		return cfgInt{}, p.fail(v, field, "expected a port number, got "+cfgDescribe(v), fix)
	}
	var n int64
	if err := v.Decode(&n); err != nil || n < 1 || n > 65535 {
		return cfgInt{}, p.fail(v, field, fmt.Sprintf("port %s is out of range", v.Value), "use a port between 1 and 65535 (SSH is usually 22)")
	}
	return cfgInt{val: int(n), node: v}, nil
}

func cfgLast(field string) string {
	if i := strings.LastIndexAny(field, ".]"); i >= 0 {
		return field[i+1:]
	}
	return field
}

func (p *cfgParser) check(n *yaml.Node, field, problem, fix string) *ConfigError {
	if problem == "" {
		return nil
	}
	return p.fail(n, field, problem, fix)
}

func (a cfgAt) check(problem, fix string) *ConfigError { return a.p.check(a.n, a.field, problem, fix) }

// cfgAt lets a (problem, fix) pair returned by a value check be passed directly: p.at(n, f).check(cfgCheckX(v)).
type cfgAt struct {
	p     *cfgParser
	n     *yaml.Node
	field string
}

func (p *cfgParser) at(n *yaml.Node, field string) cfgAt { return cfgAt{p, n, field} }

// keyNode finds the key node of a dotted top-level path, for messages.
func (p *cfgParser) keyNode(field string) *yaml.Node {
	n, found := p.root, p.root
	for _, part := range strings.Split(field, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				found, next = n.Content[i], n.Content[i+1]
			}
		}
		n = next
	}
	return found
}
