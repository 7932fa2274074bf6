// Section nodeRegistration:.

package cluster

import (
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

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

func cfgCheckCRISocket(s string) (string, string) {
	const fix = "write e.g. unix:///run/containerd/containerd.sock, or remove the line to let kubeadm detect it"
	rest, ok := strings.CutPrefix(s, "unix://")
	switch {
	case s == "":
		return "is empty", fix
	case strings.HasPrefix(s, "/") && cfgSafePathRE.MatchString(s) && path.Clean(s) == s:
		return fmt.Sprintf("%s has no unix:// scheme", cfgShow(s)), fmt.Sprintf("write unix://%s", s)
	case !ok:
		return fmt.Sprintf("%s is not a unix:// socket", cfgShow(s)), fix
	case !strings.HasPrefix(rest, "/"):
		if cfgSafePathRE.MatchString(rest) {
			return fmt.Sprintf("%s is not an absolute socket path", cfgShow(s)), fmt.Sprintf("write three slashes: unix:///%s", rest)
		}
		return fmt.Sprintf("%s is not an absolute socket path", cfgShow(s)), fix
	case !cfgSafePathRE.MatchString(rest):
		return fmt.Sprintf("%s contains characters other than letters, digits, ., _, - and /", cfgShow(s)), fix
	case rest == "/" || path.Clean(rest) != rest:
		return fmt.Sprintf("%s is not a clean socket path", cfgShow(s)), fix
	}
	return "", ""
}

func cfgCheckPullPolicy(s string) (string, string) {
	valid := []string{"Always", "IfNotPresent", "Never"}
	if cfgContains(valid, s) {
		return "", ""
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown policy %s", cfgShow(s)), fmt.Sprintf("did you mean %s?", alt)
	}
	return fmt.Sprintf("unknown policy %s", cfgShow(s)), "use Always, IfNotPresent or Never"
}

func cfgCheckPreflightName(s string) (string, string) {
	if cfgPreflightRE.MatchString(s) {
		return "", ""
	}
	return fmt.Sprintf("%s is not a preflight check name", cfgShow(s)), "use the names kubeadm prints, e.g. SystemVerification, NumCPU, Mem or all (letters, digits, ., _ and -)"
}

func cfgCheckFlagName(s string) (string, string) {
	if cfgFlagNameRE.MatchString(s) {
		return "", ""
	}
	if t := strings.TrimLeft(s, "-"); t != s && cfgFlagNameRE.MatchString(t) {
		return fmt.Sprintf("%s starts with -", cfgShow(s)), fmt.Sprintf("write the flag name without dashes: %s", t)
	}
	return fmt.Sprintf("%s is not a kubelet flag name", cfgShow(s)), "use the flag name without --, e.g. node-labels (lowercase letters, digits and -)"
}
