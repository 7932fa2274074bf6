# Updates the cluster's kubelet-config ConfigMap, from which kubeadm join and upgrade write every node's
# kubelet configuration, so nodes joined or upgraded later keep the swap settings.
# input: CONFIGMAP the ConfigMap name (kubelet-config, or kubelet-config-1.X before 1.24)
# input: CONTENT the new value of its "kubelet" key

export KUBECONFIG=/etc/kubernetes/admin.conf
current=$(kubectl -n kube-system get configmap "$CONFIGMAP" -o 'jsonpath={.data.kubelet}')
# Command substitution drops trailing newlines on both sides, so they compare alike.
if [ "$current" = "$(printf '%s' "$CONTENT")" ]; then
	report unchanged configmap "kube-system/$CONFIGMAP already has the swap settings"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s' "$CONTENT" > "$tmp/kubelet"
kubectl -n kube-system create configmap "$CONFIGMAP" --from-file=kubelet="$tmp/kubelet" --dry-run=client -o yaml | kubectl replace -f -
report changed configmap "kube-system/$CONFIGMAP updated"
