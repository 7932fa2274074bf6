# Applies the pod network's manifest on the first master through the admin kubeconfig: server-side apply
# with swapboot as the field manager, so a second run finds nothing to change and says so.
# input: MANIFEST the manifest (YAML documents)
# input: MANIFEST_PATH where the manifest is kept on the master, to read or re-apply by hand
# input: WHAT what the manifest installs, for messages

export KUBECONFIG=/etc/kubernetes/admin.conf
write_file "$MANIFEST_PATH" 0644 "$MANIFEST"
# kubectl diff exits 0 when the cluster already matches, 1 when something would change, above 1 on an
# error (a namespace that does not exist yet makes the dry run fail): anything but 0 goes on to apply,
# which is itself idempotent.
diff_err=$(mktemp)
trap 'rm -f "$diff_err"' EXIT
rc=0
kubectl diff --server-side --field-manager=swapboot -f "$MANIFEST_PATH" >/dev/null 2>"$diff_err" || rc=$?
if [ "$rc" -eq 0 ]; then
	report unchanged pod-network "$WHAT already applied ($MANIFEST_PATH)"
	exit 0
fi
if [ "$rc" -gt 1 ]; then
	echo "kubectl diff could not compare ($(head -n 1 "$diff_err")); applying"
fi
if ! kubectl apply --server-side --field-manager=swapboot -f "$MANIFEST_PATH"; then
	fail "kubectl apply of $WHAT failed (a conflict means another field manager set these fields to other values: compare with kubectl get -o yaml, or delete that object and run up again)"
fi
report changed pod-network "$WHAT applied ($MANIFEST_PATH)"
