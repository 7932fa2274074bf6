# Waits, bounded, on the first master until the pod network's DaemonSet has a running, ready pod on every
# node asked for and every such node is Ready. On timeout it shows, per failing node, its conditions and
# the tail of its pod network pod's log.
# input: NAMESPACE the DaemonSet's namespace
# input: SELECTOR the label selector of its pods
# input: NODES the node names to wait for, one per line
# input: NOT_JOINED planned nodes whose join did not succeed in this run (not waited for), one per line
# input: TIMEOUT_SECONDS how long to wait
# input: LOG_LINES log lines shown per failing node

export KUBECONFIG=/etc/kubernetes/admin.conf
for node in $NOT_JOINED; do
	echo "not waiting for $node: its join did not succeed in this run"
done
deadline=$(($(date +%s) + TIMEOUT_SECONDS))
start=$(date +%s)
first=yes
while :; do
	node_list=$(kubectl get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null || true)
	pods=$(kubectl -n "$NAMESPACE" get pods -l "$SELECTOR" -o 'jsonpath={range .items[*]}{.spec.nodeName}{"\t"}{.status.phase}{"\t"}{.status.containerStatuses[*].ready}{"\t"}{.metadata.name}{"\n"}{end}' 2>/dev/null || true)
	waiting=""
	for node in $NODES; do
		ready=$(printf '%s\n' "$node_list" | awk -F '\t' -v n="$node" '$1 == n {print $2}')
		pod=$(printf '%s\n' "$pods" | awk -F '\t' -v n="$node" '$1 == n {print $2 "/" $3}')
		if [ "$ready" != True ] || [ "$pod" != Running/true ]; then
			waiting="$waiting $node(Ready=${ready:-unknown},pod=${pod:-none})"
		fi
	done
	if [ -z "$waiting" ]; then
		if [ "$first" = yes ]; then
			report unchanged pod-network-ready "$(printf '%s' "$NODES" | wc -w) node(s) Ready with the pod network running"
		else
			report unchanged pod-network-ready "$(printf '%s' "$NODES" | wc -w) node(s) Ready with the pod network running after $(($(date +%s) - start))s"
		fi
		exit 0
	fi
	if [ "$first" = yes ]; then
		echo "waiting up to ${TIMEOUT_SECONDS}s for the pod network on:$waiting"
		first=no
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		for node in $NODES; do
			case "$waiting" in *" $node("*) ;; *) continue ;; esac
			echo "--- node $node: conditions"
			kubectl get node "$node" -o 'jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}' 2>&1 || true
			pod=$(printf '%s\n' "$pods" | awk -F '\t' -v n="$node" '$1 == n {print $4}')
			if [ -z "$pod" ]; then
				echo "--- node $node: no pod of $NAMESPACE/$SELECTOR is scheduled there"
				continue
			fi
			echo "--- node $node: pod $NAMESPACE/$pod"
			kubectl -n "$NAMESPACE" get pod "$pod" -o 'jsonpath={range .status.initContainerStatuses[*]}init {.name}: {.state}{"\n"}{end}{range .status.containerStatuses[*]}{.name}: {.state}{"\n"}{end}' 2>&1 || true
			echo "--- node $node: last $LOG_LINES log lines of $pod"
			kubectl -n "$NAMESPACE" logs "$pod" --all-containers --prefix --tail="$LOG_LINES" 2>&1 || true
		done
		fail "the pod network is not running on every node after ${TIMEOUT_SECONDS}s:$waiting"
	fi
	sleep 3
done
