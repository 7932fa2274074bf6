// The top level of the cluster file: name:, kubernetesVersion:, and the dispatch to each section.

package cluster

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/bootstrap/versions"
)

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
			p.ssh, err = p.parseSSH(v, "ssh", "ssh")
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
			if n := cfgLocate(v, ".cgroupDriver"); err == nil && n != nil {
				p.kubeletDriverLine = n.Line
			}
		case "kubeProxy":
			p.kubeProxy, err = p.parseOverrides(k, v, key, kubeadmcfg.CheckKubeProxyOverrides)
		case "nodeRegistration":
			err = p.parseNodeRegistration(v)
		case "controlPlane":
			err = p.parseControlPlane(v)
		}
		return err
	})
}

func cfgCheckClusterName(s string) (string, string) {
	if s == "" {
		return "is empty", "name the cluster, e.g. name: lab (the kubeconfig is written to lab.kubeconfig)"
	}
	if len(s) <= 63 && cfgClusterNameRE.MatchString(s) {
		return "", ""
	}
	prob := fmt.Sprintf("%s is not a valid cluster name", cfgShow(s))
	if len(s) > 63 {
		return prob + fmt.Sprintf(" (%d characters)", len(s)), "use at most 63 characters"
	}
	if alt := strings.ReplaceAll(strings.ToLower(s), "_", "-"); alt != s && len(alt) <= 63 && cfgClusterNameRE.MatchString(alt) {
		return prob, fmt.Sprintf("did you mean %s? use lowercase letters, digits and -", alt)
	}
	return prob, "use lowercase letters, digits and - (not at the start or end), at most 63 characters, e.g. lab"
}

// cfgCheckVersion accepts 1.30.4 or v1.30.4 and returns v1.30.4 (versions.Parse, the one parser).
func cfgCheckVersion(s string) (string, string, string) {
	if s == "" {
		return "", "is empty", "write a version such as v1.37.2, or remove the line to use the version of kubeadm on the first master"
	}
	v, err := versions.Parse(s)
	var ve *versions.Error
	if errors.As(err, &ve) {
		return "", ve.Problem, ve.Fix
	}
	if err != nil {
		return "", err.Error(), "write a version such as v1.37.2"
	}
	return versions.Normalize(v), "", ""
}
