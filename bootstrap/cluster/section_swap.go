// Section swap:.

package cluster

import (
	"fmt"
	"math/big"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

func (p *cfgParser) parseSwap(v *yaml.Node) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	err := p.fields(v, "swap", "swap", func(key string, k, v *yaml.Node) *ConfigError {
		field := "swap." + key
		switch key {
		case "label", "taint", "protectSystemDaemons":
			b, set, err := p.boolean(v, field)
			if err != nil || !set {
				return err
			}
			switch key {
			case "label":
				p.swapLabel = &b
			case "taint":
				p.swapTaint = &b
			default:
				p.swapProtect = &b
			}
			return nil
		case "sysctl":
			return p.parseSwapSysctl(v, field)
		}
		if handled, err := p.parseSwapAreaKey(&p.swapArea, key, field, v); handled {
			return err
		}
		s, err := p.str(v, field)
		if err != nil || s.node == nil {
			return err
		}
		switch key {
		case "behavior":
			p.behavior = s
			return p.at(v, field).check(cfgCheckBehavior(s.val))
		case "nodes":
			p.swapNodes = s
			return p.at(v, field).check(cfgCheckSwapNodes(s.val))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return p.checkSwapArea(&p.swapArea, "swap")
}

// unitlessSize refuses a size YAML read as a number (no unit), swap.size's or a host's.
func (p *cfgParser) unitlessSize(v *yaml.Node, field string) *ConfigError {
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" && v.ShortTag() != "!!float" {
		return nil
	}
	if strings.HasPrefix(v.Value, "-") || strings.Trim(v.Value, "0.+") == "" {
		return p.fail(v, field, fmt.Sprintf("%s is not a size", v.Value), fmt.Sprintf("write a size of at least %dM with its unit, e.g. 1G", cfgMinSwapMiB))
	}
	return p.fail(v, field, fmt.Sprintf("%s has no unit", v.Value), fmt.Sprintf("write the unit, e.g. %sM (K, M, G, T are powers of 1024)", v.Value))
}

// parseHostSwap reads a host's swap: none, or a mapping of the area fields that replace the cluster's.
func (p *cfgParser) parseHostSwap(v *yaml.Node, field string) (*HostSwap, *ConfigError) {
	if v.Kind == yaml.ScalarNode {
		if v.Value == "none" {
			return &HostSwap{None: true}, nil
		}
		fix := "write swap: none (no swap on this host), or swap: {size: 4G} (size, path, type, device and encrypt replace the cluster's)"
		if strings.EqualFold(v.Value, "none") || v.Value == "off" || v.Value == "false" || v.ShortTag() == "!!bool" || v.ShortTag() == "!!null" {
			fix = "write swap: none (spelled so) for no swap on this host"
		}
		return nil, p.fail(v, field, "expected none or a mapping, got "+cfgDescribe(v), fix)
	}
	var a cfgSwapArea
	err := p.fields(v, field, "host.swap", func(key string, k, v *yaml.Node) *ConfigError {
		_, err := p.parseSwapAreaKey(&a, key, field+"."+key, v)
		return err
	})
	if err == nil {
		err = p.checkSwapArea(&a, field)
	}
	if err != nil {
		return nil, err
	}
	if a.sizeNode == nil && a.path.node == nil && a.typ.node == nil && a.device.node == nil && a.encrypt == nil {
		return nil, p.fail(v, field, "is empty", "give size:, path:, type:, device: or encrypt:, or write swap: none")
	}
	return &HostSwap{SizeBytes: a.size, Path: a.path.val, Type: SwapType(a.typ.val), Device: a.device.val, Encrypt: a.encrypt, Line: v.Line}, nil
}

func cfgCheckSwapNodes(s string) (string, string) {
	valid := []string{string(SwapNodesAll), string(SwapNodesWorkers)}
	if cfgContains(valid, s) {
		return "", ""
	}
	if s == "masters" {
		return "masters only is not supported", "the Kubernetes docs advise keeping swap off control-plane nodes: use all or workers"
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown value %s", cfgShow(s)), fmt.Sprintf("did you mean %s? (all or workers)", alt)
	}
	return fmt.Sprintf("unknown value %s", cfgShow(s)), "use all (every host) or workers (masters get no swap)"
}

// cfgCheckSize reads 512M, 1G, 1Gi, 2GiB, 1.5G (K, M, G, T are powers of 1024) and rounds to whole MiB.
func cfgCheckSize(s string) (int64, string, string) {
	const fix = "write a number with a unit K, M, G or T (powers of 1024), e.g. 512M or 2G"
	if s == "" {
		return 0, "is empty", fix
	}
	if len(s) > 32 {
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	m := cfgSizeRE.FindStringSubmatch(s)
	if m == nil {
		if l := cfgSizeLooseRE.FindStringSubmatch(s); l != nil {
			alt := l[1] + l[2] + strings.ToUpper(l[3]) + strings.ToLower(l[4]) + strings.ToUpper(l[5])
			return 0, fmt.Sprintf("%s has a lowercase unit", cfgShow(s)), fmt.Sprintf("did you mean %s? units are K, M, G, T", alt)
		}
		t := strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(t, "-"):
			return 0, fmt.Sprintf("%s is negative", cfgShow(s)), "write a positive size such as 1G"
		case strings.ContainsAny(t, " \t"):
			return 0, fmt.Sprintf("%s contains a space", cfgShow(s)), fmt.Sprintf("write it without spaces: %s", strings.Join(strings.Fields(t), ""))
		case t != "" && strings.Trim(t, "0123456789.") == "":
			return 0, fmt.Sprintf("%s has no unit", cfgShow(s)), "write the unit, e.g. " + t + "M (K, M, G, T are powers of 1024)"
		}
		num := strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
		if cfgNumberRE.MatchString(num) && num != t {
			return 0, fmt.Sprintf("%s has an unknown unit %s", cfgShow(s), cfgShow(t[len(num):])), fix
		}
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	r, ok := new(big.Rat).SetString(m[1] + m[2])
	if !ok {
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	shift := map[string]uint{"K": 10, "M": 20, "G": 30, "T": 40}[m[3]]
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)))
	r.Quo(r, new(big.Rat).SetInt64(cfgMiB))
	// round half up: floor((2*num + den) / (2*den))
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	mib := num.Quo(num, new(big.Int).Mul(r.Denom(), big.NewInt(2)))
	switch {
	case mib.Cmp(big.NewInt(cfgMinSwapMiB)) < 0:
		return 0, fmt.Sprintf("%s is too small", s), fmt.Sprintf("the minimum is %dM", cfgMinSwapMiB)
	case mib.Cmp(big.NewInt(cfgMaxSwapMiB)) > 0:
		return 0, fmt.Sprintf("%s is too large", s), "the maximum is 1T"
	}
	return mib.Int64() * cfgMiB, "", ""
}

// Directories a swap file must not be placed in: virtual or tmpfs file systems, the often small /boot,
// and the directories kubeadm reset deletes.
var cfgSwapForbidden = []struct{ dir, why string }{
	{"/proc", "a virtual file system"},
	{"/sys", "a virtual file system"},
	{"/dev", "a device file system"},
	{"/run", "usually a tmpfs (in memory)"},
	{"/var/run", "usually a tmpfs (in memory)"},
	{"/tmp", "often a tmpfs (in memory) and cleaned at boot"},
	{"/boot", "usually a small separate partition"},
	{"/etc/kubernetes", "deleted by kubeadm reset"},
	{"/var/lib/kubelet", "deleted by kubeadm reset"},
	{"/var/lib/etcd", "deleted by kubeadm reset"},
}

// Top-level directories that cannot be the swap file itself.
var cfgSystemDirs = map[string]bool{
	"/bin": true, "/etc": true, "/home": true, "/lib": true, "/lib64": true, "/media": true, "/mnt": true, "/opt": true,
	"/root": true, "/sbin": true, "/srv": true, "/usr": true, "/var": true, "/var/lib": true, "/snap": true,
}

func cfgCheckSwapPath(s string) (string, string) {
	const fix = "give an absolute file path such as /swapfile"
	switch {
	case s == "":
		return "is empty", fix
	case !strings.HasPrefix(s, "/"):
		return fmt.Sprintf("%s is not an absolute path", cfgShow(s)), fix
	case !cfgSafePathRE.MatchString(s):
		return fmt.Sprintf("%s contains characters other than letters, digits, ., _, - and /", cfgShow(s)), "the path reaches remote shell commands; " + fix
	case s == "/":
		return "/ is a directory", fix
	case len(s) > 1024:
		return "the path is too long", fix
	}
	if c := path.Clean(s); c != s {
		if c == "/" {
			return fmt.Sprintf("%s is the root directory", cfgShow(s)), fix
		}
		return fmt.Sprintf("%s is not a clean path (no .., ., // or trailing /)", cfgShow(s)), fmt.Sprintf("did you mean %s?", c)
	}
	for _, f := range cfgSwapForbidden {
		if s == f.dir || strings.HasPrefix(s, f.dir+"/") {
			return fmt.Sprintf("%s is under %s, %s", s, f.dir, f.why), "put the swap file on a disk file system, e.g. /swapfile or /var/swapfile"
		}
	}
	if cfgSystemDirs[s] {
		return fmt.Sprintf("%s is a system directory", s), "give a file path such as " + s + "/swapfile or /swapfile"
	}
	return "", ""
}

func cfgCheckBehavior(s string) (string, string) {
	valid := []string{string(SwapAuto), string(SwapNoSwap), string(SwapLimitedSwap)}
	if cfgContains(valid, s) {
		return "", ""
	}
	if strings.EqualFold(s, "UnlimitedSwap") {
		return "UnlimitedSwap was removed in Kubernetes 1.30 and is not supported", "use LimitedSwap (Burstable pods may swap in proportion to their memory request), NoSwap, or auto"
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown behavior %s", cfgShow(s)), fmt.Sprintf("did you mean %s? (spelled exactly so: auto, NoSwap or LimitedSwap)", alt)
	}
	return fmt.Sprintf("unknown behavior %s", cfgShow(s)), "use auto, NoSwap or LimitedSwap"
}

// The vm settings swap.sysctl may set, with the ranges the kernel accepts (swappiness up to 200 since
// Linux 5.8; watermark_scale_factor 1-3000, in units of 0.01 %).
var cfgSysctlRanges = map[string][2]int64{"swappiness": {0, 200}, "minFreeKbytes": {1024, 1 << 30}, "watermarkScaleFactor": {1, 3000}}

func (p *cfgParser) parseSwapSysctl(v *yaml.Node, field string) *ConfigError {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	sc := &SwapSysctl{}
	err := p.fields(v, field, "swap.sysctl", func(key string, k, v *yaml.Node) *ConfigError {
		f := field + "." + key
		r := cfgSysctlRanges[key]
		var n int64
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&n) != nil {
			return p.fail(v, f, "expected a whole number, got "+cfgDescribe(v), fmt.Sprintf("write a number from %d to %d", r[0], r[1]))
		}
		if n < r[0] || n > r[1] {
			return p.fail(v, f, fmt.Sprintf("%d is out of range", n), fmt.Sprintf("write a number from %d to %d", r[0], r[1]))
		}
		switch key {
		case "swappiness":
			sc.Swappiness = &n
		case "minFreeKbytes":
			sc.MinFreeKbytes = &n
		case "watermarkScaleFactor":
			sc.WatermarkScaleFactor = &n
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sc.Lines() != "" {
		p.swapSysctl = sc
	}
	return nil
}
