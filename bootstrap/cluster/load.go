// Loading a cluster file: Load and Parse, the error type, the parser state. Each section of the file is
// parsed and validated in its own section_*.go; build.go fills defaults and checks what spans sections.

package cluster

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/bootstrap/exit"
)

// Defaults Load fills in for settings the cluster file leaves out.
const (
	DefaultSSHUser       = "root"
	DefaultSSHPort       = 22
	DefaultKnownHosts    = "~/.ssh/known_hosts"
	DefaultPodSubnet     = "10.244.0.0/16"
	DefaultServiceSubnet = "10.96.0.0/12"
	DefaultCNIPlugin     = CNIFlannel
	DefaultCNIBackend    = BackendVXLAN
	// MinSwapMiB is the smallest swap area swapboot sets up (a file, zram or a device).
	MinSwapMiB           = 64
	DefaultSwapSizeBytes = 1 << 30 // 1G
	DefaultSwapPath      = "/swapfile"
	DefaultSwapBehavior  = SwapAuto
	DefaultSwapNodes     = SwapNodesAll
	DefaultSwapLabel     = true
	DefaultSwapTaint     = false
	// DefaultSwapProtectSystemDaemons follows KEP-2400's advice: no swap for system daemons (cgroup v2).
	DefaultSwapProtectSystemDaemons = true
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

// Options change how a cluster file is read.
type Options struct {
	// KubernetesVersion, when set, replaces the file's kubernetesVersion (plan --kubernetes-version): it
	// goes through the same parser and the same version-dependent field checks. VersionFrom names where
	// it came from (the flag) in messages.
	KubernetesVersion string
	VersionFrom       string
	// Data, when not nil, is the file's content the caller has read already (a cluster file from
	// stdin); the path then only names it in Cluster.File and in messages.
	Data []byte
}

// Load reads and validates the cluster file at path (see Parse). No host is contacted.
func Load(path string) (*Cluster, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with options. A bad o.KubernetesVersion is reported before the file is read.
func LoadWith(path string, o Options) (*Cluster, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Data != nil {
		return ParseWith(path, o.Data, o)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{File: path, Problem: "cannot read the cluster file: " + cfgErrText(err), Fix: "check the path and its permissions"}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxClusterFileSize+1))
	if err != nil {
		return nil, &ConfigError{File: path, Problem: "cannot read the cluster file: " + cfgErrText(err), Fix: "check the path and its permissions"}
	}
	return ParseWith(path, data, o)
}

// check refuses a bad version given instead of the file's, as a *ConfigError naming the flag.
func (o Options) check() *ConfigError {
	if o.KubernetesVersion == "" {
		return nil
	}
	if _, prob, fix := cfgCheckVersion(o.KubernetesVersion); prob != "" {
		return &ConfigError{File: o.from(), Problem: prob, Fix: fix}
	}
	return nil
}

func (o Options) from() string {
	if o.VersionFrom == "" {
		return "the given Kubernetes version"
	}
	return o.VersionFrom
}

// LoadFrom is the loader every command uses: the file at path name (Load), or, when data is not nil,
// contents the caller has read already (a cluster file from stdin), named name ("<stdin>") in
// Cluster.File and in every message. Both go through Parse; nothing is written to disk.
func LoadFrom(name string, data []byte) (*Cluster, error) {
	return LoadWith(name, Options{Data: data})
}

// Parse validates the cluster file content data; file names it in messages and in Cluster.File. Every
// default is filled in. The first problem found (in file order) is returned as a *ConfigError.
func Parse(file string, data []byte) (c *Cluster, err error) { return ParseWith(file, data, Options{}) }

// ParseWith is Parse with options.
func ParseWith(file string, data []byte, o Options) (c *Cluster, err error) {
	if cerr := o.check(); cerr != nil {
		return nil, cerr
	}
	p := &cfgParser{file: file, opts: o}
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
	opts Options
	// shallow skips the kubelet/kubeProxy deep checks when the tree is already known to be bad.
	shallow bool
	root    *yaml.Node

	name        cfgStr
	version     cfgStr
	versionNorm string
	versionFrom string // where versionNorm came from when not the file (Options.VersionFrom)
	ssh         *cfgSSH
	masters     *yaml.Node // the masters: value (a list)
	hosts       []*cfgHost
	pod         cfgPrefix
	svc         cfgPrefix
	cni         cfgCNI
	swapArea    cfgSwapArea
	behavior    cfgStr
	swapNodes   cfgStr
	swapLabel   *bool
	swapTaint   *bool
	swapProtect *bool
	swapSysctl  *SwapSysctl
	kubelet     map[string]any
	// kubeletDriverLine is the line of kubelet.cgroupDriver (0: not set).
	kubeletDriverLine int
	kubeProxy         map[string]any
	nodeReg           NodeRegistration
	cp                *cfgControlPlane
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

// Value checks. Each returns ("", "") when the value is fine, else what is wrong and how to fix it.
// Values with a strict grammar (names, users, paths, addresses, versions) are checked against it, so
// no shell metacharacter can reach a remote shell through them; other values are quoted by templates.

const (
	cfgMiB          = int64(1) << 20
	cfgMinSwapMiB   = MinSwapMiB
	cfgMaxSwapMiB   = 1 << 20 // 1T
	cfgMaxValueShow = 60
)

var (
	cfgClusterNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	cfgUserRE        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,31}$`)
	cfgSafePathRE    = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	cfgSizeRE        = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?([KMGT])(i?)(B?)$`)
	cfgSizeLooseRE   = regexp.MustCompile(`(?i)^([0-9]+)(\.[0-9]+)?([kmgt])(i?)(b?)$`)
	cfgNumberRE      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	cfgPreflightRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)
	cfgFlagNameRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)
