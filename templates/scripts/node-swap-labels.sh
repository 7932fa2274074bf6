# On the first master, once the nodes have joined: the nodes with swap get the swap label and, when the
# cluster file asks, the swap taint; the nodes without swap lose both. Without SET_LABEL the label is left
# as it is (Node Feature Discovery may own it); swapboot's taint is taken off when SET_TAINT is no. Nodes
# the API does not know (a join that failed) are named, not an error.
# input: SWAP_NODES node names with swap, one per line
# input: OTHER_NODES node names without swap, one per line
# input: SET_LABEL yes or no
# input: LABEL_KEY the label's key
# input: LABEL_VALUE its value
# input: SET_TAINT yes or no
# input: TAINT_KEY the taint's key
# input: TAINT_VALUE its value
# input: TAINT_EFFECT its effect

export KUBECONFIG=/etc/kubernetes/admin.conf
done_list=""
missing=""
# label_of NODE: the node's value of LABEL_KEY ("" when it has none).
label_of() {
	kubectl --request-timeout=30s get node "$1" -o go-template="{{with index .metadata.labels \"$LABEL_KEY\"}}{{.}}{{end}}"
}
# has_taint NODE: the node carries swapboot's taint (any value or effect).
has_taint() {
	kubectl --request-timeout=30s get node "$1" -o go-template='{{range .spec.taints}}{{.key}}{{"\n"}}{{end}}' | grep -qxF "$TAINT_KEY"
}
for node in $SWAP_NODES $OTHER_NODES; do
	if ! kubectl --request-timeout=30s get node "$node" >/dev/null 2>&1; then
		missing="$missing $node"
		continue
	fi
	swap=no
	for s in $SWAP_NODES; do
		if [ "$s" = "$node" ]; then swap=yes; fi
	done
	label=$(label_of "$node")
	if [ "$SET_LABEL" = yes ] && [ "$swap" = yes ] && [ "$label" != "$LABEL_VALUE" ]; then
		kubectl label node "$node" "$LABEL_KEY=$LABEL_VALUE" --overwrite >/dev/null
		done_list="$done_list $node:labelled"
	elif [ "$SET_LABEL" = yes ] && [ "$swap" = no ] && [ -n "$label" ]; then
		kubectl label node "$node" "$LABEL_KEY-" >/dev/null
		done_list="$done_list $node:unlabelled"
	fi
	if [ "$SET_TAINT" = yes ] && [ "$swap" = yes ]; then
		if ! has_taint "$node"; then
			kubectl taint node "$node" "$TAINT_KEY=$TAINT_VALUE:$TAINT_EFFECT" --overwrite >/dev/null
			done_list="$done_list $node:tainted"
		fi
	elif has_taint "$node"; then
		kubectl taint node "$node" "$TAINT_KEY-" >/dev/null
		done_list="$done_list $node:untainted"
	fi
done
if [ -n "$missing" ]; then
	echo "not in the API, left alone:$missing"
fi
if [ -n "$done_list" ]; then
	report changed node-labels "${done_list# }"
else
	report unchanged node-labels "every node already as configured"
fi
