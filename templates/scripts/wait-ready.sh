# Waits until this node's kubelet is running and the API server reports the node Ready, asking with the
# node's own credentials (the node authorizer lets a kubelet read its own Node).
# input: NODE_NAME the node name
# input: TIMEOUT_SECONDS how long to wait

deadline=$(($(date +%s) + TIMEOUT_SECONDS))
kubeconfig=/etc/kubernetes/kubelet.conf
[ -f "$kubeconfig" ] || kubeconfig=/etc/kubernetes/admin.conf
while :; do
	ready=$(kubectl --kubeconfig "$kubeconfig" get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
	if [ "$ready" = True ] && [ "$(systemctl is-active kubelet 2>/dev/null || true)" = active ]; then
		report unchanged ready "node $NODE_NAME is Ready"
		exit 0
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		fail "node $NODE_NAME is not Ready after ${TIMEOUT_SECONDS}s (Ready=${ready:-unknown}, kubelet $(systemctl is-active kubelet 2>/dev/null || true)); if the cluster has no pod network yet, nodes stay NotReady until one is installed"
	fi
	sleep 2
done
