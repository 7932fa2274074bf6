package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
)

// Defaults Load fills in for settings the cluster file leaves out.
const (
	DefaultSSHUser       = "root"
	DefaultSSHPort       = 22
	DefaultKnownHosts    = "~/.ssh/known_hosts"
	DefaultPodSubnet     = "10.244.0.0/16"
	DefaultServiceSubnet = "10.96.0.0/12"
	DefaultSwapSizeBytes = 1 << 30 // 1G
	DefaultSwapPath      = "/swapfile"
	DefaultSwapBehavior  = SwapAuto
	// MaxClusterFileSize bounds what Load reads; a cluster file is a few hundred bytes.
	MaxClusterFileSize = 1 << 20
)

// ConfigError is one problem in a cluster file. Load and Parse stop at the first problem and return it
// as a *ConfigError; main maps it to exit code 2.
type ConfigError struct {
	File string
	// Line is 1-based; 0 when the problem has no line (unreadable or empty file).
	Line int
	// Field is the path of the setting, such as workers[1].ssh.port; empty for file-level problems.
	Field   string
	Problem string
	Fix     string
}

// Error formats the problem as "FILE:LINE: FIELD: what is wrong; how to fix it".
// ExitCode: a cluster file problem is bad input.
func (e *ConfigError) ExitCode() int { return exit.BadInput }

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Load reads and validates the cluster file at path (see Parse). No host is contacted.
func Load(path string) (*Cluster, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{File: path, Problem: "cannot read the cluster file: " + cfgErrText(err), Fix: "check the path and its permissions"}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxClusterFileSize+1))
	if err != nil {
		return nil, &ConfigError{File: path, Problem: "cannot read the cluster file: " + cfgErrText(err), Fix: "check the path and its permissions"}
	}
	return Parse(path, data)
}

// Parse validates the cluster file content data; file names it in messages and in Cluster.File. Every
// default is filled in. The first problem found (in file order) is returned as a *ConfigError.
func Parse(file string, data []byte) (c *Cluster, err error) {
	p := &cfgParser{file: file}
	root, cerr := p.decode(data)
	if cerr != nil {
		return nil, cerr
	}
	// Structural checks over the whole tree (aliases, tags, key types, duplicate keys, control
	// characters), then the schema; the problem nearer the top of the file wins.
	preErr := p.precheck(root, "")
	p.shallow = preErr != nil
	semErr := p.parseTop(root)
	if semErr == nil && preErr == nil {
		c, semErr = p.build()
	}
	if e := cfgFirst(preErr, semErr); e != nil {
		return nil, e
	}
	return c, nil
}

// cfgFirst returns the problem with the lower line; a at equal lines.
func cfgFirst(a, b *ConfigError) *ConfigError {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.Line > 0 && b.Line < a.Line:
		return b
	}
	return a
}

func cfgErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// cfgParser holds the raw, field-by-field validated sections until build merges them.
type cfgParser struct {
	file string
	// shallow skips the kubelet/kubeProxy deep checks when the tree is already known to be bad.
	shallow bool
	root    *yaml.Node

	name        cfgStr
	version     cfgStr
	versionNorm string
	ssh         *cfgSSH
	masters     *yaml.Node // the masters: value (a list)
	hosts       []*cfgHost
	pod         cfgPrefix
	svc         cfgPrefix
	swapSize    int64
	swapSizeSet bool
	swapPath    cfgStr
	behavior    cfgStr
	kubelet     map[string]any
	kubeProxy   map[string]any
	nodeReg     NodeRegistration
}

// cfgStr is a string setting and the node it came from (nil when not set).
type cfgStr struct {
	val  string
	node *yaml.Node
}

type cfgInt struct {
	val  int
	node *yaml.Node
}

type cfgPrefix struct {
	val  netip.Prefix
	node *yaml.Node
}

type cfgSSH struct {
	node                      *yaml.Node
	path                      string
	user, keyFile, knownHosts cfgStr
	hostKey                   cfgStr // host level only
	port                      cfgInt
	bastion                   *cfgBastion
}

type cfgBastion struct {
	node                               *yaml.Node
	path                               string
	address                            netip.Addr
	port                               cfgInt
	user, keyFile, knownHosts, hostKey cfgStr
}

type cfgHost struct {
	path      string // masters[0]
	node      *yaml.Node
	addrField string // masters[0] or masters[0].address
	addrNode  *yaml.Node
	addr      netip.Addr
	name      cfgStr
	role      Role
	ssh       *cfgSSH
}

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
	"":                 {"name", "kubernetesVersion", "ssh", "masters", "workers", "networking", "swap", "kubelet", "kubeProxy", "nodeRegistration"},
	"ssh":              {"user", "port", "keyFile", "knownHosts", "bastion"},
	"host.ssh":         {"user", "port", "keyFile", "knownHosts", "hostKey", "bastion"},
	"bastion":          {"address", "port", "user", "keyFile", "knownHosts", "hostKey"},
	"host":             {"address", "name", "ssh"},
	"networking":       {"podSubnet", "serviceSubnet"},
	"swap":             {"size", "path", "behavior"},
	"nodeRegistration": {"criSocket", "imagePullPolicy", "ignorePreflightErrors", "kubeletExtraArgs"},
}

// cfgHome says where a field that is unknown at one level belongs.
var cfgHome = map[string]string{
	"user": "ssh", "port": "ssh", "keyFile": "ssh", "knownHosts": "ssh", "hostKey": "the host's ssh", "bastion": "ssh",
	"podSubnet": "networking", "serviceSubnet": "networking",
	"size": "swap", "path": "swap", "behavior": "swap",
	"criSocket": "nodeRegistration", "imagePullPolicy": "nodeRegistration", "ignorePreflightErrors": "nodeRegistration", "kubeletExtraArgs": "nodeRegistration",
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
	case "swap":
		return "write e.g. swap: {size: 1G, path: /swapfile, behavior: auto}"
	case "ssh", "host.ssh":
		return "write e.g. ssh: {user: root, port: 22}"
	case "bastion":
		return "write e.g. bastion: {address: 203.0.113.5, user: jump}"
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

// parseTop walks the top-level mapping in file order.
func (p *cfgParser) parseTop(root *yaml.Node) *ConfigError {
	if root.Kind != yaml.MappingNode {
		return p.fail(root, "", "the file must be a mapping of settings (name:, masters:, ...), not "+cfgDescribe(root), "start from examples/cluster.yaml")
	}
	return p.fields(root, "", "", func(key string, k, v *yaml.Node) *ConfigError {
		var err *ConfigError
		switch key {
		case "name":
			if p.name, err = p.str(v, key); err == nil && p.name.node != nil {
				if prob, fix := cfgCheckClusterName(p.name.val); prob != "" {
					err = p.fail(v, key, prob, fix)
				}
			}
			if err == nil && p.name.node == nil {
				err = p.fail(v, key, "is empty", "name the cluster, e.g. name: lab (the kubeconfig is written to lab.kubeconfig)")
			}
		case "kubernetesVersion":
			if p.version, err = p.str(v, key); err == nil && p.version.node != nil {
				norm, prob, fix := cfgCheckVersion(p.version.val)
				if prob != "" {
					err = p.fail(v, key, prob, fix)
				}
				p.versionNorm = norm
			}
		case "ssh":
			p.ssh, err = p.parseSSH(v, "ssh", false)
		case "masters", "workers":
			role := RoleMaster
			if key == "workers" {
				role = RoleWorker
			} else {
				p.masters = v
			}
			var hs []*cfgHost
			hs, err = p.parseHosts(v, key, role)
			p.hosts = append(p.hosts, hs...)
		case "networking":
			err = p.parseNetworking(v)
		case "swap":
			err = p.parseSwap(v)
		case "kubelet":
			p.kubelet, err = p.parseOverrides(k, v, key, kubeadmcfg.CheckKubeletOverrides)
		case "kubeProxy":
			p.kubeProxy, err = p.parseOverrides(k, v, key, kubeadmcfg.CheckKubeProxyOverrides)
		case "nodeRegistration":
			err = p.parseNodeRegistration(v)
		}
		return err
	})
}

func (p *cfgParser) parseSSH(v *yaml.Node, path string, hostLevel bool) (*cfgSSH, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	s := &cfgSSH{node: v, path: path}
	schema := "ssh"
	if hostLevel {
		schema = "host.ssh"
	}
	err := p.fields(v, path, schema, func(key string, k, v *yaml.Node) *ConfigError {
		field := path + "." + key
		var err *ConfigError
		switch key {
		case "user":
			if s.user, err = p.str(v, field); err == nil && s.user.node != nil {
				err = p.at(v, field).check(cfgCheckUser(s.user.val))
			}
		case "port":
			s.port, err = p.port(v, field)
		case "keyFile":
			if s.keyFile, err = p.str(v, field); err == nil && s.keyFile.node != nil {
				s.keyFile.val, err = p.expandPath(v, field, s.keyFile.val)
			}
		case "knownHosts":
			if s.knownHosts, err = p.str(v, field); err == nil && s.knownHosts.node != nil {
				s.knownHosts.val, err = p.expandPath(v, field, s.knownHosts.val)
			}
		case "hostKey":
			if s.hostKey, err = p.str(v, field); err == nil && s.hostKey.node != nil {
				var prob, fix string
				s.hostKey.val, prob, fix = cfgCheckHostKey(s.hostKey.val)
				err = p.check(v, field, prob, fix)
			}
		case "bastion":
			s.bastion, err = p.parseBastion(v, field)
		}
		return err
	})
	return s, err
}

func (p *cfgParser) check(n *yaml.Node, field, problem, fix string) *ConfigError {
	if problem == "" {
		return nil
	}
	return p.fail(n, field, problem, fix)
}

// cfgAt lets a (problem, fix) pair returned by a value check be passed directly: p.at(n, f).check(cfgCheckX(v)).
type cfgAt struct {
	p     *cfgParser
	n     *yaml.Node
	field string
}

func (p *cfgParser) at(n *yaml.Node, field string) cfgAt { return cfgAt{p, n, field} }

func (a cfgAt) check(problem, fix string) *ConfigError { return a.p.check(a.n, a.field, problem, fix) }

func (p *cfgParser) parseBastion(v *yaml.Node, path string) (*cfgBastion, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	b := &cfgBastion{node: v, path: path}
	if v.Kind == yaml.ScalarNode {
		addr, prob, fix := cfgCheckAddress(v.Value)
		b.address = addr
		return b, p.check(v, path, prob, fix)
	}
	var addrSet bool
	err := p.fields(v, path, "bastion", func(key string, k, v *yaml.Node) *ConfigError {
		field := path + "." + key
		var err *ConfigError
		switch key {
		case "address":
			var a cfgStr
			if a, err = p.str(v, field); err == nil && a.node != nil {
				var prob, fix string
				b.address, prob, fix = cfgCheckAddress(a.val)
				err = p.check(v, field, prob, fix)
				addrSet = true
			}
		case "port":
			b.port, err = p.port(v, field)
		case "user":
			if b.user, err = p.str(v, field); err == nil && b.user.node != nil {
				err = p.at(v, field).check(cfgCheckUser(b.user.val))
			}
		case "keyFile":
			if b.keyFile, err = p.str(v, field); err == nil && b.keyFile.node != nil {
				b.keyFile.val, err = p.expandPath(v, field, b.keyFile.val)
			}
		case "knownHosts":
			if b.knownHosts, err = p.str(v, field); err == nil && b.knownHosts.node != nil {
				b.knownHosts.val, err = p.expandPath(v, field, b.knownHosts.val)
			}
		case "hostKey":
			if b.hostKey, err = p.str(v, field); err == nil && b.hostKey.node != nil {
				var prob, fix string
				b.hostKey.val, prob, fix = cfgCheckHostKey(b.hostKey.val)
				err = p.check(v, field, prob, fix)
			}
		}
		return err
	})
	if err == nil && !addrSet {
		err = p.fail(v, path+".address", "is missing", "give the jump host's IP address, e.g. bastion: {address: 203.0.113.5}")
	}
	return b, err
}

// expandPath expands a leading "~/" and requires an absolute path. The file itself is not opened: the
// SSH layer reports missing files.
func (p *cfgParser) expandPath(n *yaml.Node, field, s string) (string, *ConfigError) {
	if s == "" {
		return "", p.fail(n, field, "is empty", "give an absolute path or one starting with ~/, or remove the line")
	}
	if s == "~" || strings.HasPrefix(s, "~/") {
		home, err := os.UserHomeDir()
		if err != nil || home == "" || !strings.HasPrefix(home, "/") {
			return "", p.fail(n, field, fmt.Sprintf("cannot expand ~ in %q: the home directory is unknown ($HOME is not set)", s), "set HOME or write an absolute path")
		}
		if s == "~" {
			return "", p.fail(n, field, "~ is a directory, not a file", "give a file, e.g. ~/.ssh/id_ed25519")
		}
		s = strings.TrimSuffix(home, "/") + s[1:]
	} else if strings.HasPrefix(s, "~") {
		return "", p.fail(n, field, fmt.Sprintf("%q: ~user is not supported", s), "write ~/... for your own home directory or an absolute path")
	}
	if !strings.HasPrefix(s, "/") {
		return "", p.fail(n, field, fmt.Sprintf("%q is not an absolute path", s), "write an absolute path such as /home/me/.ssh/id_ed25519, or start it with ~/")
	}
	return s, nil
}

func (p *cfgParser) parseHosts(v *yaml.Node, key string, role Role) ([]*cfgHost, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	example := "192.168.122.50"
	if role == RoleWorker {
		example = "192.168.122.51"
	}
	switch v.Kind {
	case yaml.ScalarNode:
		val := v.Value
		if val == "" {
			val = example
		}
		return nil, p.fail(v, key, "expected a list of hosts, got "+cfgDescribe(v), fmt.Sprintf("write it as a list: %s: [%s]", key, cfgQuoteControl(val)))
	case yaml.MappingNode:
		return nil, p.fail(v, key, "expected a list of hosts, got a mapping", fmt.Sprintf("start each host with \"- \", e.g. %s: [{address: %s}]", key, example))
	case yaml.SequenceNode:
	default:
		return nil, p.fail(v, key, "expected a list of hosts, got "+cfgDescribe(v), fmt.Sprintf("write e.g. %s: [%s]", key, example))
	}
	var hosts []*cfgHost
	for i, e := range v.Content {
		h := &cfgHost{path: fmt.Sprintf("%s[%d]", key, i), node: e, role: role}
		switch e.Kind {
		case yaml.ScalarNode:
			h.addrField, h.addrNode = h.path, e
			if e.ShortTag() == "!!null" {
				return nil, p.fail(e, h.path, "empty host entry", fmt.Sprintf("give the host's IP address, e.g. - %s, or remove the dash", example))
			}
			var prob, fix string
			h.addr, prob, fix = cfgCheckAddress(e.Value)
			if err := p.check(e, h.path, prob, fix); err != nil {
				return nil, err
			}
		case yaml.MappingNode:
			err := p.fields(e, h.path, "host", func(key string, k, v *yaml.Node) *ConfigError {
				field := h.path + "." + key
				var err *ConfigError
				switch key {
				case "address":
					var a cfgStr
					if a, err = p.str(v, field); err == nil && a.node != nil {
						h.addrField, h.addrNode = field, v
						var prob, fix string
						h.addr, prob, fix = cfgCheckAddress(a.val)
						err = p.check(v, field, prob, fix)
					}
				case "name":
					if h.name, err = p.str(v, field); err == nil && h.name.node != nil {
						err = p.at(v, field).check(cfgCheckNodeName(h.name.val))
					}
				case "ssh":
					h.ssh, err = p.parseSSH(v, field, true)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			if h.addrNode == nil {
				return nil, p.fail(e, h.path+".address", "is missing", fmt.Sprintf("give the host's IP address, e.g. {address: %s}", example))
			}
		default:
			return nil, p.fail(e, h.path, "expected an IP address or a mapping with address:, got "+cfgDescribe(e), fmt.Sprintf("write - %s or - {address: %s, name: node1}", example, example))
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

func (p *cfgParser) parseNetworking(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	return p.fields(v, "networking", "networking", func(key string, k, v *yaml.Node) *ConfigError {
		field := "networking." + key
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		pr, prob, fix := cfgCheckSubnet(s.val, key == "serviceSubnet")
		if prob != "" {
			return p.fail(v, field, prob, fix)
		}
		if key == "podSubnet" {
			p.pod = cfgPrefix{pr, v}
		} else {
			p.svc = cfgPrefix{pr, v}
		}
		return nil
	})
}

func (p *cfgParser) parseSwap(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	return p.fields(v, "swap", "swap", func(key string, k, v *yaml.Node) *ConfigError {
		field := "swap." + key
		if key == "size" && v.Kind == yaml.ScalarNode && (v.ShortTag() == "!!int" || v.ShortTag() == "!!float") {
			if strings.HasPrefix(v.Value, "-") || strings.Trim(v.Value, "0.+") == "" {
				return p.fail(v, field, fmt.Sprintf("%s is not a size", v.Value), fmt.Sprintf("write a size of at least %dM with its unit, e.g. 1G", cfgMinSwapMiB))
			}
			return p.fail(v, field, fmt.Sprintf("%s has no unit", v.Value), fmt.Sprintf("write the unit, e.g. %sM (K, M, G, T are powers of 1024)", v.Value))
		}
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		switch key {
		case "size":
			size, prob, fix := cfgCheckSize(s.val)
			p.swapSize, p.swapSizeSet = size, true
			return p.check(v, field, prob, fix)
		case "path":
			p.swapPath = s
			return p.at(v, field).check(cfgCheckSwapPath(s.val))
		case "behavior":
			p.behavior = s
			return p.at(v, field).check(cfgCheckBehavior(s.val))
		}
		return nil
	})
}

func (p *cfgParser) parseNodeRegistration(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	nr := &p.nodeReg
	return p.fields(v, "nodeRegistration", "nodeRegistration", func(key string, k, v *yaml.Node) *ConfigError {
		field := "nodeRegistration." + key
		switch key {
		case "criSocket", "imagePullPolicy":
			s, err := p.str(v, field)
			if err != nil || s.node == nil {
				return err
			}
			if key == "criSocket" {
				nr.CRISocket = s.val
				return p.at(v, field).check(cfgCheckCRISocket(s.val))
			}
			nr.ImagePullPolicy = s.val
			return p.at(v, field).check(cfgCheckPullPolicy(s.val))
		case "ignorePreflightErrors":
			if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				return nil
			}
			if v.Kind != yaml.SequenceNode {
				val := cfgQuoteControl(v.Value)
				if v.Kind != yaml.ScalarNode || val == "" {
					val = "SystemVerification"
				}
				return p.fail(v, field, "expected a list of preflight check names, got "+cfgDescribe(v), fmt.Sprintf("write it as a list: ignorePreflightErrors: [%s]", val))
			}
			seen := map[string]int{}
			for i, e := range v.Content {
				ef := fmt.Sprintf("%s[%d]", field, i)
				s, err := p.str(e, ef)
				if err != nil {
					return err
				}
				if s.node == nil {
					return p.fail(e, ef, "empty entry", "give a preflight check name such as SystemVerification, or remove the entry")
				}
				if err := p.at(e, ef).check(cfgCheckPreflightName(s.val)); err != nil {
					return err
				}
				low := strings.ToLower(s.val)
				if first, dup := seen[low]; dup {
					return p.fail(e, ef, fmt.Sprintf("%q is listed twice (first at line %d)", s.val, first), "keep one")
				}
				seen[low] = e.Line
				nr.IgnorePreflightErrors = append(nr.IgnorePreflightErrors, s.val)
			}
			if _, all := seen["all"]; all && len(seen) > 1 {
				return p.fail(v, field, "\"all\" already ignores every check and cannot be combined with other names", "keep only [all], or list the checks without all")
			}
		case "kubeletExtraArgs":
			if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				return nil
			}
			if v.Kind != yaml.MappingNode {
				return p.fail(v, field, "expected a mapping of kubelet flags to values, got "+cfgDescribe(v), "write e.g. kubeletExtraArgs: {node-labels: \"role=db\"} (flag names without --)")
			}
			nr.KubeletExtraArgs = map[string]string{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				kk, vv := v.Content[i], v.Content[i+1]
				ef := field + "." + kk.Value
				if err := p.at(kk, ef).check(cfgCheckFlagName(kk.Value)); err != nil {
					return err
				}
				s, err := p.str(vv, ef)
				if err != nil {
					return err
				}
				if s.node == nil {
					return p.fail(vv, ef, "has no value", "give a value; write \"\" for an empty one")
				}
				nr.KubeletExtraArgs[kk.Value] = s.val
			}
		}
		return nil
	})
}

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
