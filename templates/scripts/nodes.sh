# Read-only: the nodes the API server knows, one per line: name, Ready status, internal IP.
# First line: "@swapboot fact api=STATE", STATE one of ok, no-cluster (no admin.conf: never set up, or
# reset), unauthorized, forbidden, refused, unreachable, error; swapboot words status from it.
if [ ! -f /etc/kubernetes/admin.conf ]; then
	fact api no-cluster
else
	nodes_err=$(mktemp)
	if nodes_out=$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=15s get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}' 2>"$nodes_err"); then
		fact api ok
		printf '%s\n' "$nodes_out"
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
