# Joins this host as a further control plane (kubeadm join with controlPlane: in its configuration).
# Leftovers of a join that failed half-way are reset first: kubeadm join refuses to run over them, and
# the next run must be able to finish the job.
# input: KUBEADM_CONFIG the kubeadm JoinConfiguration (holds the bootstrap token and the certificate key)
# input: CRI_SOCKET the container runtime socket for kubeadm reset (empty: kubeadm detects it)

# swapboot runs this only on a master that is not a control plane of the cluster (no Node, or files
# missing): whatever an earlier join left here is reset first.
leftovers=no
for f in /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/pki/ca.crt; do
	if [ -f "$f" ]; then leftovers=yes; fi
done
if [ "$leftovers" = yes ]; then
	echo "a control-plane join did not finish here: kubeadm reset -f before joining again"
	set -- -f
	if [ -n "$CRI_SOCKET" ]; then set -- "$@" --cri-socket "$CRI_SOCKET"; fi
	kubeadm reset "$@" || fail "kubeadm reset of the unfinished join failed"
fi
# A join that failed in its etcd phase (the kubelet could not run the etcd static pod) leaves etcd's data
# directory but no etcd manifest; kubeadm reset only empties the directory a manifest names, and the next
# join's preflight refuses a non-empty one. This host is no control plane of the cluster (above), so the
# data is a leftover of that join.
if [ ! -f /etc/kubernetes/manifests/etcd.yaml ] && [ -d /var/lib/etcd ] && [ -n "$(ls -A /var/lib/etcd)" ]; then
	echo "removing /var/lib/etcd/* left by the unfinished join (no etcd manifest)"
	rm -rf /var/lib/etcd/*
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
