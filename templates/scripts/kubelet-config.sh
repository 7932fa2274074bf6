# Running node: writes the kubelet configuration swapboot edited (only failSwapOn and memorySwap changed,
# every other line kept) and restarts the kubelet so it takes effect.
# input: CONTENT the new /var/lib/kubelet/config.yaml

config=/var/lib/kubelet/config.yaml
if [ -f "$config" ] && [ "$(cat "$config"; echo x)" = "${CONTENT}x" ]; then
	report unchanged kubelet-config "$config already has the swap settings"
	if [ "$(systemctl is-active kubelet 2>/dev/null || true)" != active ]; then
		systemctl restart kubelet
	fi
	exit 0
fi
mkdir -p /var/lib/swapboot
if [ -f "$config" ] && [ ! -f /var/lib/swapboot/kubelet-config.yaml.orig ]; then
	cp -p "$config" /var/lib/swapboot/kubelet-config.yaml.orig
fi
write_file "$config" 0644 "$CONTENT"
systemctl restart kubelet
report changed kubelet-config "$config updated, kubelet restarted"
