# Runs kubeadm init on the first master, unless this host already is a control plane.
# input: KUBEADM_CONFIG the kubeadm configuration (empty for Kubernetes < 1.22, which gets flags instead)
# input: KUBEADM_FLAGS extra kubeadm init arguments, one per line
# input: NODE_NAME the node name the API server will know this host by (empty: the hostname)
# input: REDO why an earlier kubeadm init on this host did not finish (empty: none): it is reset first

if [ -n "$REDO" ] && [ -f /etc/kubernetes/admin.conf ]; then
	# swapboot's plan checked that no other host joined this half-made control plane.
	echo "the earlier kubeadm init did not finish ($REDO): kubeadm reset -f of this master, then init again"
	kubeadm reset -f
	report changed reset "kubeadm reset -f of the half-finished init"
elif [ -f /etc/kubernetes/admin.conf ]; then
	report unchanged init "/etc/kubernetes/admin.conf exists: already a control plane"
	exit 0
fi
set --
if [ -n "$KUBEADM_CONFIG" ]; then
	# The file holds the bootstrap token: 0600, and removed once init has used it.
	# Removed on every way out, an interrupt included (swapboot sends SIGTERM before SIGKILL).
	trap 'rm -f /var/lib/swapboot/kubeadm-init.yaml' EXIT
	trap 'exit 143' TERM INT HUP
	write_file /var/lib/swapboot/kubeadm-init.yaml 0600 "$KUBEADM_CONFIG"
	set -- --config /var/lib/swapboot/kubeadm-init.yaml
fi
# Word splitting on newlines only: each line is one argument.
old_ifs=$IFS
IFS='
'
for arg in $KUBEADM_FLAGS; do set -- "$@" "$arg"; done
IFS=$old_ifs
echo "kubeadm init (node ${NODE_NAME:-$(hostname)})"
status=0
kubeadm init "$@" || status=$?
rm -f /var/lib/swapboot/kubeadm-init.yaml
if [ "$status" -ne 0 ]; then
	fail "kubeadm init failed with exit code $status"
fi
report changed init "kubeadm init done"
