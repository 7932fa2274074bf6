# Read-only: the nodes the API server knows, one per line: name, Ready status, internal IP, the swap
# capacity in bytes the node's kubelet reports (status.nodeInfo.swap, 1.32+; empty when it reports none),
# the swap label's value and the swap taint's effect (empty when absent).
# First line: "@swapboot fact api=STATE", STATE one of ok, no-cluster (no admin.conf: never set up, or
# reset), unauthorized, forbidden, refused, unreachable, error; swapboot words status from it.
# Then, when a pod network is named, its pods: "@swapboot cni-pod NODE<TAB>PHASE<TAB>READY" per pod.
# input: CNI_NAMESPACE the pod network's namespace ("" when swapboot applies none)
# input: CNI_SELECTOR the label selector of its pods
# input: SWAP_LABEL_PATH the swap label's key, dots escaped for JSONPath
# input: SWAP_TAINT_KEY the swap taint's key
if [ ! -f /etc/kubernetes/admin.conf ]; then
	fact api no-cluster
else
	nodes_err=$(mktemp)
	if nodes_out=$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=15s get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\t"}{.status.nodeInfo.swap.capacity}{"\t"}{.metadata.labels.'"$SWAP_LABEL_PATH"'}{"\t"}{.spec.taints[?(@.key=="'"$SWAP_TAINT_KEY"'")].effect}{"\n"}{end}' 2>"$nodes_err"); then
		fact api ok
		printf '%s\n' "$nodes_out"
		if [ -n "$CNI_NAMESPACE" ]; then
			kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=15s -n "$CNI_NAMESPACE" get pods -l "$CNI_SELECTOR" -o 'jsonpath={range .items[*]}{.spec.nodeName}{"\t"}{.status.phase}{"\t"}{.status.containerStatuses[*].ready}{"\n"}{end}' 2>/dev/null | sed -n 's/^./@swapboot cni-pod &/p' || true
		fi
	else
		# kubectl's own wording of the API's answer (HTTP 403/401) and of a failed connection.
		if grep -q '(Forbidden)' "$nodes_err"; then
			fact api forbidden
		elif grep -q '(Unauthorized)' "$nodes_err"; then
			fact api unauthorized
		elif grep -q 'connection refused\|was refused' "$nodes_err"; then
			fact api refused
		elif grep -qi 'unable to connect\|timeout\|no route to host\|network is unreachable' "$nodes_err"; then
			fact api unreachable
		else
			fact api error
		fi
		# The first line of kubectl's error, for people.
		head -n 1 "$nodes_err" >&2
	fi
	rm -f "$nodes_err"
fi
