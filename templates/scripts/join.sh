# Runs kubeadm join on a worker, unless it has joined already.
# input: KUBEADM_CONFIG the kubeadm JoinConfiguration (empty for Kubernetes < 1.22, which gets flags instead)
# input: KUBEADM_FLAGS extra kubeadm join arguments, one per line
# input: REDO why an earlier kubeadm join on this host did not finish (empty: none): it is reset first

if [ -n "$REDO" ]; then
	# A repaired kubelet finishes its TLS bootstrap by itself (bootstrap-kubelet.conf): if it did since the
	# facts were read, the host has joined. Stopped first, so it cannot finish while it is reset.
	if [ -d /run/systemd/system ]; then systemctl stop kubelet || true; fi
	if [ -f /etc/kubernetes/kubelet.conf ]; then
		if [ -d /run/systemd/system ]; then systemctl start kubelet; fi
		report unchanged join "the kubelet finished the earlier join by itself (/etc/kubernetes/kubelet.conf exists now)"
		exit 0
	fi
	echo "the earlier kubeadm join did not finish ($REDO): kubeadm reset -f of this worker, then join again"
	kubeadm reset -f
	report changed reset "kubeadm reset -f of the half-finished join"
elif [ -f /etc/kubernetes/kubelet.conf ]; then
	report unchanged join "/etc/kubernetes/kubelet.conf exists: already joined"
	exit 0
fi
set --
if [ -n "$KUBEADM_CONFIG" ]; then
	# The file holds the bootstrap token: 0600, and removed once join has used it.
	# Removed on every way out, an interrupt included (swapboot sends SIGTERM before SIGKILL).
	trap 'rm -f /var/lib/swapboot/kubeadm-join.yaml' EXIT
	trap 'exit 143' TERM INT HUP
	write_file /var/lib/swapboot/kubeadm-join.yaml 0600 "$KUBEADM_CONFIG"
	set -- --config /var/lib/swapboot/kubeadm-join.yaml
fi
old_ifs=$IFS
IFS='
'
for arg in $KUBEADM_FLAGS; do set -- "$@" "$arg"; done
IFS=$old_ifs
status=0
kubeadm join "$@" || status=$?
rm -f /var/lib/swapboot/kubeadm-join.yaml
if [ "$status" -ne 0 ]; then
	fail "kubeadm join failed with exit code $status"
fi
report changed join "kubeadm join done"
