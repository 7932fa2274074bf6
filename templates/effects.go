package templates

import (
	"strconv"
	"strings"
)

// What each script changes on its host, in a few words per change, for the readable plan and the plan's
// JSON. A script's typed call declares it next to its inputs' types, so the summary cannot drift from the
// script: a new script adds its Effects method here.

// Effects says what the call's script changes on its host (files written, services restarted, kubeadm
// commands); nil when it only reads.
func Effects(s Script) []string {
	if e, ok := s.(effector); ok {
		return e.effects()
	}
	return nil
}

type effector interface{ effects() []string }

func (s Swap) effects() []string {
	return []string{"writes " + s.SwapPath + " (" + s.Method + ") and turns it on", "writes /etc/fstab (one line for " + s.SwapPath + ")", "writes /var/lib/swapboot/swapfile"}
}
func (s SwapDevice) effects() []string {
	return []string{"writes a swap signature on " + s.Device + " and turns it on", "writes /etc/fstab (one line for " + s.Device + ")", "writes /var/lib/swapboot/swapdevice"}
}
func (s SwapEncrypted) effects() []string {
	e := []string{"writes /etc/crypttab (one line: " + s.CryptName + " " + s.CrypttabRest + ")", "opens /dev/mapper/" + s.CryptName + " with a new random key and turns swap on there",
		"writes /etc/fstab (one line for /dev/mapper/" + s.CryptName + ")", "writes /var/lib/swapboot/swapcrypt"}
	if s.Kind == "file" {
		e = append([]string{"writes " + s.Source + " (" + s.Method + ")"}, e...)
	}
	return e
}
func (s SwapZram) effects() []string {
	return []string{"writes /etc/systemd/system/swapboot-zram.service and /usr/local/sbin/swapboot-zram", "enables and starts swapboot-zram.service (a " + strconv.FormatInt(s.SwapMiB, 10) + " MiB zram swap device)"}
}
func (s SwapRemove) effects() []string {
	return []string{"turns off and removes the swap areas swapboot made (recorded in /var/lib/swapboot; zram: its unit), never others", "writes /etc/fstab and /etc/crypttab (their lines removed)"}
}
func (s KubeletEnv) effects() []string {
	return []string{"writes " + s.EnvFile + " (original kept under /var/lib/swapboot)", "runs systemctl daemon-reload"}
}
func (KubeletConfig) effects() []string {
	return []string{"writes /var/lib/kubelet/config.yaml (original kept under /var/lib/swapboot)", "restarts kubelet"}
}
func (s SwapTuning) effects() []string {
	var e []string
	if s.SysctlContent != "" {
		e = append(e, "writes "+s.SysctlFile+" and applies it (the earlier values kept in "+s.SysctlOrig+")")
	} else {
		e = append(e, "removes "+s.SysctlFile+" if there, restoring the earlier values")
	}
	if s.SliceContent != "" {
		e = append(e, "writes "+s.SliceDropIn+" (system.slice: MemorySwapMax=0) and applies it")
	} else {
		e = append(e, "removes "+s.SliceDropIn+" if there (system.slice may swap again)")
	}
	return e
}
func (s KubeletPatch) effects() []string {
	return []string{"writes " + s.PatchFile + " (kubeadm applies it to this node's kubelet config at init and join)"}
}
func (s NodeSwapLabels) effects() []string {
	var e []string
	if s.SetLabel {
		e = append(e, "labels the nodes with swap "+s.LabelKey+"="+s.LabelValue+" and unlabels the others")
	}
	if s.SetTaint {
		e = append(e, "taints the nodes with swap "+s.TaintKey+"="+s.TaintValue+":"+s.TaintEffect+" and untaints the others")
	} else {
		e = append(e, "takes the taint "+s.TaintKey+" off every node")
	}
	return e
}
func (s KubeletConfigMap) effects() []string {
	return []string{"replaces ConfigMap kube-system/" + s.ConfigMap + " (kubelet document)"}
}
func (KubeletRestart) effects() []string { return []string{"restarts kubelet"} }
func (s Init) effects() []string {
	if s.KubeadmConfig != "" {
		return []string{"runs kubeadm init --config /var/lib/swapboot/kubeadm-init.yaml (written 0600, removed after)"}
	}
	return []string{"runs kubeadm init " + strings.Join(s.KubeadmFlags, " ")}
}
func (s Join) effects() []string {
	if s.KubeadmConfig != "" {
		return []string{"runs kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml (written 0600, removed after)"}
	}
	return []string{"runs kubeadm join " + strings.Join(s.KubeadmFlags, " ")}
}
func (s TokenCreate) effects() []string {
	return []string{"runs kubeadm token create (ttl " + s.TTL.String() + ") --print-join-command"}
}
func (s NetPrereqs) effects() []string {
	return []string{"loads br_netfilter (if not loaded or built in)", "writes " + s.ModulesFile + " (br_netfilter)",
		"writes " + s.SysctlFile + " (net.bridge.bridge-nf-call-iptables=1, net.ipv4.ip_forward=1) and sets both"}
}
func (s PodNetworkApply) effects() []string {
	return []string{"writes " + s.ManifestPath, "runs kubectl apply --server-side --field-manager=swapboot (" + s.What + "), unless kubectl diff finds nothing to change"}
}
func (Reset) effects() []string {
	return []string{"runs kubeadm reset -f", "restores the kubelet env file swapboot changed"}
}

func (ResetCleanup) effects() []string {
	return []string{"removes the CNI interfaces (cni0, flannel.1, kube-ipvs0, ...), /var/lib/cni, /run/flannel, flannel's conflist and plugin",
		"removes the iptables chains KUBE-* and FLANNEL-* (and the rules jumping to them), kube-proxy's and flannel's nftables tables, IPVS tables when kube-proxy used IPVS",
		"removes swapboot's files in /etc/modules-load.d and /etc/sysctl.d, and /etc/kubernetes, /var/lib/etcd, /var/lib/swapboot when left empty"}
}

// ShownInput is one input of a typed call as people see it: Secret inputs, and secrets a document carries,
// are masked (RedactionMarker).
type ShownInput struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Secret bool   `json:"secret,omitempty"`
}

// DisplayInputs are the call's inputs in script order, every secret of the call masked.
func DisplayInputs(s Script) []ShownInput {
	secrets := Secrets(s)
	var out []ShownInput
	for _, i := range s.inputs() {
		v := i.Value
		for _, sec := range secrets {
			v = strings.ReplaceAll(v, sec, RedactionMarker)
		}
		out = append(out, ShownInput{Name: i.Name, Value: v, Secret: i.secret})
	}
	return out
}

func (UploadCerts) effects() []string {
	return []string{"runs kubeadm init phase upload-certs --upload-certs --config /var/lib/swapboot/kubeadm-upload-certs.yaml (written 0600, removed after)"}
}
func (JoinControlPlane) effects() []string {
	return []string{"runs kubeadm reset -f first if an earlier control-plane join stopped half-way", "runs kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml (control plane; written 0600, removed after)"}
}
func (LoadBalancer) effects() []string {
	return []string{"writes /etc/keepalived/keepalived.conf, /etc/keepalived/check_apiserver.sh, /etc/haproxy/haproxy.cfg", "enables and restarts keepalived and haproxy"}
}
func (LoadBalancerRemove) effects() []string {
	return []string{"stops keepalived and haproxy", "removes the keepalived and haproxy files swapboot wrote (puts back the ones it replaced)"}
}
