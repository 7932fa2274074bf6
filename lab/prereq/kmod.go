package prereq

import (
	"path"
	"strings"
)

// kernelModules are the modules flannel needs in the lab hosts' kernel. The hosts share the machine's
// kernel, and swapboot loads them (modprobe inside a host loads into this kernel), so each must be
// loaded, built in, or loadable here.
var kernelModules = []struct {
	name, config string
	// present is a file that exists once the module is active (loaded or built in), or "".
	present string
	why     string
}{
	{"br_netfilter", "CONFIG_BRIDGE_NETFILTER", "/proc/sys/net/bridge/bridge-nf-call-iptables",
		"flannel's pods talk over a bridge, and kube-proxy's service rules only see bridged traffic through it"},
	{"vxlan", "CONFIG_VXLAN", "", "flannel's default backend (vxlan) creates the flannel.1 device with it"},
}

// checkKernelModules returns one problem per module the kernel can neither show nor load.
func checkKernelModules(m Machine) []Problem {
	release := "$(uname -r)"
	if b, err := m.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		release = strings.TrimSpace(string(b))
	}
	dir := "/lib/modules/" + release
	builtin, _ := m.ReadFile(dir + "/modules.builtin")
	deps, _ := m.ReadFile(dir + "/modules.dep")
	var problems []Problem
	for _, k := range kernelModules {
		switch {
		case k.present != "" && m.Exists(k.present), m.Exists("/sys/module/" + k.name):
		case listsModule(string(builtin), k.name), listsModule(string(deps), k.name):
		default:
			problems = append(problems, Problem{
				"the kernel has no " + k.name + " module (not loaded, not built in, not in " + dir + "): " + k.why,
				"boot a kernel built with " + k.config + "=y or =m (Debian's linux-image-amd64 has it as a module), or load it: modprobe " + k.name,
			})
		}
	}
	return problems
}

// listsModule reports whether a modules.builtin or modules.dep text names the module (a path
// kernel/.../NAME.ko, possibly compressed, at the start of a line).
func listsModule(list, name string) bool {
	for _, line := range strings.Split(list, "\n") {
		file, _, _ := strings.Cut(line, ":")
		base := path.Base(strings.TrimSpace(file))
		for _, ext := range []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"} {
			if mod, ok := strings.CutSuffix(base, ext); ok && strings.ReplaceAll(mod, "-", "_") == name {
				return true
			}
		}
	}
	return false
}
