package hostfacts

import (
	"slices"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// UnfinishedInit says why the control plane on this host is not done although admin.conf exists ("" when
// it is done, when there is no admin.conf, or when the facts cannot tell: no kubectl). Done means: the API
// answers through admin.conf, grants the rights later steps need (bootstrap tokens, the kubelet-config
// ConfigMap), and knows h's Node (NodeName).
func (f Facts) UnfinishedInit(h cluster.Host) string {
	if !f.ControlPlane {
		return ""
	}
	nodeName := NodeName(h, f)
	switch f.AdminAPI {
	case "ok":
		if slices.Contains(f.APINodes, nodeName) {
			return ""
		}
		return "the API answers but has no Node " + nodeName
	case "forbidden":
		return "the API refuses kubernetes-admin the rights to create bootstrap tokens or update ConfigMaps (kubeadm's RBAC phases did not run)"
	case "unanswered":
		return "the API does not answer through /etc/kubernetes/admin.conf"
	}
	return ""
}

// UnfinishedJoin says why a worker needs kubeadm reset and join again ("" when it does not): an
// interrupted join left files behind but no kubelet.conf (kubeadm join refuses to run over them). A worker
// whose kubelet has its credentials (kubelet.conf) is joined: such a kubelet registers its Node itself once
// it runs (resetting it then would race with that registration, and kubeadm refuses to join a node whose
// name is Ready).
func (f Facts) UnfinishedJoin() string {
	if !f.Joined && f.JoinLeftovers {
		return "an earlier kubeadm join stopped before the kubelet got its credentials (/etc/kubernetes/bootstrap-kubelet.conf or pki/ca.crt, no kubelet.conf)"
	}
	return ""
}
