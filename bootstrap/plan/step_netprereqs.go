package plan

import "github.com/swapboot/swapboot/templates"

// Where net-prereqs.sh persists the kernel settings a pod network needs.
const (
	netModulesFile = "/etc/modules-load.d/swapboot-k8s.conf"
	netSysctlFile  = "/etc/sysctl.d/90-swapboot-k8s.conf"
)

// netPrereqsKind loads br_netfilter and sets net.bridge.bridge-nf-call-iptables=1 and
// net.ipv4.ip_forward=1, persisted (templates/scripts/net-prereqs.sh). It runs with every plugin:
// kubeadm's preflight needs ip_forward, and a CNI brought by the user needs the bridge settings too.
type netPrereqsKind struct{}

func (netPrereqsKind) Phase() Phase   { return PhaseNetPrereqs }
func (netPrereqsKind) Column() Column { return Column{Order: 15, Title: "NET"} }
func (netPrereqsKind) Script(Runtime) (templates.Script, error) {
	return templates.NetPrereqs{ModulesFile: netModulesFile, SysctlFile: netSysctlFile}, nil
}

func netPrereqsStep() Step {
	return newStep(netPrereqsKind{}, "br_netfilter loaded, net.bridge.bridge-nf-call-iptables=1 and net.ipv4.ip_forward=1, persisted")
}
