# Before init or join: this node's own kubelet swap behaviour, as a kubeadm patch of the
# kubeletconfiguration target. kubeadm applies it to the kubelet config it writes on this node (at init,
# join, and an upgrade given --patches), over the cluster's kubelet-config ConfigMap.
# input: PATCH_FILE the patch's path (its directory holds swapboot's patches only)
# input: CONTENT the patch
if [ -f "$PATCH_FILE" ] && [ "$(cat "$PATCH_FILE"; echo x)" = "${CONTENT}x" ]; then
	report unchanged kubelet-patch "$PATCH_FILE already has this node's swap behaviour"
	exit 0
fi
write_file "$PATCH_FILE" 0644 "$CONTENT"
report changed kubelet-patch "$PATCH_FILE written"
