# Waits until this node's kubelet is running and the API server reports the node Ready, asking with the
# node's own credentials (the node authorizer lets a kubelet read its own Node).
# input: NODE_NAME the node name
# input: TIMEOUT_SECONDS how long to wait

deadline=$(($(date +%s) + TIMEOUT_SECONDS))
kubeconfig=/etc/kubernetes/kubelet.conf
[ -f "$kubeconfig" ] || kubeconfig=/etc/kubernetes/admin.conf
# A kubelet that crashes on its configuration is "active" for a moment after each restart: count it Ready
# only after three checks in a row, with no restart in between.
good=0
restarts=""
while :; do
	ready=$(kubectl --kubeconfig "$kubeconfig" get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
	now_restarts=$(systemctl show -p NRestarts --value kubelet 2>/dev/null || true)
	if [ "$ready" = True ] && [ "$(systemctl is-active kubelet 2>/dev/null || true)" = active ] && { [ "$good" -eq 0 ] || [ "$now_restarts" = "$restarts" ]; }; then
		good=$((good + 1))
		restarts=$now_restarts
	else
		good=0
	fi
	if [ "$good" -ge 3 ]; then
		report unchanged ready "node $NODE_NAME is Ready"
		exit 0
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		fail "node $NODE_NAME is not Ready after ${TIMEOUT_SECONDS}s (Ready=${ready:-unknown}, kubelet $(systemctl is-active kubelet 2>/dev/null || true)); if the cluster has no pod network yet, nodes stay NotReady until one is installed"
	fi
	sleep 2
done
