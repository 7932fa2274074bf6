# Read-only: on a master of a cluster with several masters, whether its own API server is ready, whether
# its etcd member is healthy, and whether the control-plane endpoint answers. Changes nothing.
# input: API_SERVER this master's own API server, https://address:6443

kc=/etc/kubernetes/admin.conf
if [ ! -f "$kc" ]; then
	fact apiserver no-cluster
	exit 0
fi
if kubectl --kubeconfig "$kc" --server "$API_SERVER" --request-timeout 5s get --raw=/readyz >/dev/null 2>&1; then
	fact apiserver ready
else
	fact apiserver not-ready
fi
# The member's own health endpoint (kubeadm's etcd listens for metrics and /health on 127.0.0.1:2381);
# without curl, what this master's API server says of its etcd.
if command -v curl >/dev/null 2>&1; then
	if curl -s --max-time 5 http://127.0.0.1:2381/health 2>/dev/null | grep -q '"health":"true"'; then
		fact etcd healthy
	else
		fact etcd unhealthy
	fi
elif kubectl --kubeconfig "$kc" --server "$API_SERVER" --request-timeout 5s get --raw=/readyz/etcd >/dev/null 2>&1; then
	fact etcd healthy
else
	fact etcd unhealthy
fi
# admin.conf's server is the control-plane endpoint.
if kubectl --kubeconfig "$kc" --request-timeout 5s get --raw=/readyz >/dev/null 2>&1; then
	fact endpoint answers
else
	fact endpoint no-answer
fi
fact etcd_members "$(kubectl --kubeconfig "$kc" --server "$API_SERVER" --request-timeout 5s -n kube-system get pods -l component=etcd -o name 2>/dev/null | wc -l)"
