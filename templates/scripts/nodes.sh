# Read-only: the nodes the API server knows, one per line: name, Ready status, internal IP, the swap
# capacity in bytes the node's kubelet reports (status.nodeInfo.swap, 1.32+; empty when it reports none),
# the swap label's value and the swap taint's effect (empty when absent).
# First line: "@swapboot fact api=STATE", STATE one of ok, no-cluster (no admin.conf: never set up, or
# reset), unauthorized, forbidden, refused, unreachable, error; swapboot words status from it.
# Then, per node whose kubelet answered the Summary API (stats/summary through the API server's proxy), the
# swap it reports for the node (node.swap, kubelets since 1.28): "@swapboot summary-swap
# NODE<TAB>USAGE<TAB>AVAILABLE" in bytes, a value empty when the kubelet does not report it.
# Then, when a pod network is named, its pods: "@swapboot cni-pod NODE<TAB>PHASE<TAB>READY" per pod.
# input: CNI_NAMESPACE the pod network's namespace ("" when swapboot applies none)
# input: CNI_SELECTOR the label selector of its pods
# input: SWAP_LABEL_PATH the swap label's key, dots escaped for JSONPath
# input: SWAP_TAINT_KEY the swap taint's key

# summary_swap NODES: the summary-swap lines, one bounded request per node, at most 8 at a time. The
# kubelet's JSON is read without jq (hosts seldom have it) by a small tokenizer: the values of
# swapUsageBytes and swapAvailableBytes in the top-level node.swap object (the node's systemContainers
# and the pods carry "swap" objects of their own, deeper down).
summary_swap() {
	ss_dir=$(mktemp -d)
	ss_n=0
	for node in $1; do
		kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=10s get --raw "/api/v1/nodes/$node/proxy/stats/summary" >"$ss_dir/$node" 2>/dev/null || rm -f "$ss_dir/$node" &
		ss_n=$((ss_n + 1))
		if [ $((ss_n % 8)) -eq 0 ]; then wait; fi
	done
	wait
	for node in $1; do
		[ -f "$ss_dir/$node" ] || continue
		awk -v node="$node" '
			function value() { if (lit != "" && d == 3 && name[2] == "node" && name[3] == "swap") v[key] = lit; lit = "" }
			{
				n = length($0)
				for (i = 1; i <= n; i++) {
					c = substr($0, i, 1)
					if (str) {
						if (esc) esc = 0
						else if (c == "\\") esc = 1
						else if (c == "\"") { str = 0; if (wantkey) { key = tok; wantkey = 0 } }
						else tok = tok c
					} else if (c == "\"") { str = 1; tok = "" }
					else if (c == "{" || c == "[") { d++; obj[d] = (c == "{"); name[d] = key; key = ""; wantkey = obj[d] }
					else if (c == "}" || c == "]") { value(); d-- }
					else if (c == ",") { value(); wantkey = obj[d] }
					else if (c ~ /[-+.0-9A-Za-z]/) lit = lit c
				}
			}
			END { value(); printf "@swapboot summary-swap %s\t%s\t%s\n", node, v["swapUsageBytes"], v["swapAvailableBytes"] }' "$ss_dir/$node"
	done
	rm -rf "$ss_dir"
}

if [ ! -f /etc/kubernetes/admin.conf ]; then
	fact api no-cluster
else
	nodes_err=$(mktemp)
	if nodes_out=$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=15s get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\t"}{.status.nodeInfo.swap.capacity}{"\t"}{.metadata.labels.'"$SWAP_LABEL_PATH"'}{"\t"}{.spec.taints[?(@.key=="'"$SWAP_TAINT_KEY"'")].effect}{"\n"}{end}' 2>"$nodes_err"); then
		fact api ok
		printf '%s\n' "$nodes_out"
		# The pod network's pods are asked for while the kubelets answer.
		cni_out=$(mktemp)
		if [ -n "$CNI_NAMESPACE" ]; then
			kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=15s -n "$CNI_NAMESPACE" get pods -l "$CNI_SELECTOR" -o 'jsonpath={range .items[*]}{.spec.nodeName}{"\t"}{.status.phase}{"\t"}{.status.containerStatuses[*].ready}{"\n"}{end}' >"$cni_out" 2>/dev/null &
		fi
		summary_swap "$(printf '%s\n' "$nodes_out" | cut -f1)"
		wait
		sed -n 's/^./@swapboot cni-pod &/p' "$cni_out"
		rm -f "$cni_out"
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
