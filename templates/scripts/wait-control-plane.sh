# Waits, bounded, until this master's own API server answers ready and its etcd member is healthy: the
# next control plane joins only then (etcd membership changes one at a time).
# input: NODE_NAME the node name (empty: the hostname, as kubeadm names the node)
# input: API_SERVER this master's own API server, https://address:6443
# input: TIMEOUT_SECONDS how long to wait

deadline=$(($(date +%s) + TIMEOUT_SECONDS))
node=${NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}
kc=/etc/kubernetes/admin.conf
good=0
while :; do
	api=no
	etcd=no
	# /readyz of this API server, which reaches etcd through its local member (stacked etcd).
	if kubectl --kubeconfig "$kc" --server "$API_SERVER" --request-timeout 5s get --raw=/readyz >/dev/null 2>&1; then
		api=yes
	fi
	# The etcd static pod's readiness: the kubelet probes the member's own /health endpoint.
	ready=$(kubectl --kubeconfig "$kc" --server "$API_SERVER" --request-timeout 5s -n kube-system get pod "etcd-$node" \
		-o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
	if [ "$ready" = True ]; then etcd=yes; fi
	if [ "$api" = yes ] && [ "$etcd" = yes ]; then
		good=$((good + 1))
	else
		good=0
	fi
	if [ "$good" -ge 2 ]; then
		members=$(kubectl --kubeconfig "$kc" --server "$API_SERVER" -n kube-system get pods -l component=etcd -o name 2>/dev/null | wc -l)
		report unchanged control-plane "API server ready, etcd member healthy ($members etcd members)"
		exit 0
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		fail "control plane $node not healthy after ${TIMEOUT_SECONDS}s (API server ready: $api, etcd member ready: $etcd)"
	fi
	sleep 3
done
