# Joins this host as a further control plane (kubeadm join with controlPlane: in its configuration),
# unless it already is one. Leftovers of a join that failed half-way are reset first: kubeadm join
# refuses to run over them, and the next run must be able to finish the job.
# input: KUBEADM_CONFIG the kubeadm JoinConfiguration (holds the bootstrap token and the certificate key)
# input: CRI_SOCKET the container runtime socket for kubeadm reset (empty: kubeadm detects it)

complete=yes
leftovers=no
for f in /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests/kube-apiserver.yaml; do
	if [ -f "$f" ]; then leftovers=yes; else complete=no; fi
done
if [ "$complete" = yes ]; then
	report unchanged join "already a control plane (admin.conf, kubelet.conf, etcd and API server manifests exist)"
	exit 0
fi
if [ -f /etc/kubernetes/pki/ca.crt ]; then leftovers=yes; fi
if [ "$leftovers" = yes ]; then
	echo "a control-plane join did not finish here: kubeadm reset -f before joining again"
	set -- -f
	if [ -n "$CRI_SOCKET" ]; then set -- "$@" --cri-socket "$CRI_SOCKET"; fi
	kubeadm reset "$@" || fail "kubeadm reset of the unfinished join failed"
fi
# The file holds the bootstrap token and the certificate key: 0600, removed on every way out.
trap 'rm -f /var/lib/swapboot/kubeadm-join.yaml' EXIT
trap 'exit 143' TERM INT HUP
write_file /var/lib/swapboot/kubeadm-join.yaml 0600 "$KUBEADM_CONFIG"
status=0
kubeadm join --config /var/lib/swapboot/kubeadm-join.yaml || status=$?
rm -f /var/lib/swapboot/kubeadm-join.yaml
if [ "$status" -ne 0 ]; then
	fail "kubeadm join (control plane) failed with exit code $status"
fi
report changed join "joined as a control plane"
