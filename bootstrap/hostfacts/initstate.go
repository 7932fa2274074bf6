package hostfacts

import (
	"slices"
	"strings"
)

// UnfinishedInit says why the control plane on this host is not done although admin.conf exists ("" when
// it is done, when there is no admin.conf, or when the facts cannot tell: no kubectl). Done means: the API
// answers through admin.conf, grants the rights later steps need (bootstrap tokens, the kubelet-config
// ConfigMap), and knows this host's Node. nodeName is the node name the cluster file gives ("" = the
// host's hostname, lower-cased as kubeadm does).
func (f Facts) UnfinishedInit(nodeName string) string {
	if !f.ControlPlane {
		return ""
	}
	if nodeName == "" {
		nodeName = strings.ToLower(f.Hostname)
	}
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

// UnfinishedJoin says why worker w (with facts f) needs kubeadm reset and join again ("" when it does
// not): an interrupted join left files behind, or its kubelet has credentials (kubelet.conf) but the
// master's API, which answers and is done (UnfinishedInit is ""), has no Node for it.
func (f Facts) UnfinishedJoin(nodeName string, master Facts, masterNodeName string) string {
	if !f.Joined {
		if f.JoinLeftovers {
			return "an earlier kubeadm join stopped before the kubelet got its credentials (/etc/kubernetes/bootstrap-kubelet.conf or pki/ca.crt, no kubelet.conf)"
		}
		return ""
	}
	if nodeName == "" {
		nodeName = strings.ToLower(f.Hostname)
	}
	if master.AdminAPI != "ok" || master.UnfinishedInit(masterNodeName) != "" || slices.Contains(master.APINodes, nodeName) {
		return ""
	}
	return "the kubelet has credentials (kubelet.conf) but the API has no Node " + nodeName
}
