package plan

import "github.com/swapboot/swapboot/templates"

// resetCleanupKind removes, after kubeadm reset and the swap file, what kubeadm's reset output leaves to
// the admin and what Kubernetes, the pod network add-on and swapboot made: CNI interfaces and state,
// KUBE-*/FLANNEL-* iptables chains, swapboot's settings files, directories left empty
// (templates/scripts/reset-cleanup.sh). Each removal is reported.
type resetCleanupKind struct{}

func (resetCleanupKind) Phase() Phase   { return PhaseCleanup }
func (resetCleanupKind) Column() Column { return Column{Order: 45, Title: "CLEANUP"} }
func (resetCleanupKind) Script(Runtime) (templates.Script, error) {
	return templates.ResetCleanup{}, nil
}

func resetCleanupStep() Step {
	return newStep(resetCleanupKind{}, "remove what kubeadm reset leaves: CNI interfaces and /var/lib/cni, KUBE-*/FLANNEL-* iptables chains, swapboot's files, empty /etc/kubernetes")
}
