# Kubernetes < 1.22: the kubelet has no swap settings in its config, so --fail-swap-on=false goes into
# KUBELET_EXTRA_ARGS in the env file that the kubeadm drop-in reads (systemd lets EnvironmentFile= override
# Environment=, so editing the drop-in itself, as the 2020 recipe did, is silently undone on current
# packages). swapboot merged the new content from the file's current content; other arguments are kept.
# input: ENV_FILE the env file named by the drop-in's EnvironmentFile=
# input: CONTENT the new content

if [ -f "$ENV_FILE" ] && [ "$(cat "$ENV_FILE"; echo x)" = "${CONTENT}x" ]; then
	report unchanged kubelet-env "$ENV_FILE already has --fail-swap-on=false"
else
	if [ -f "$ENV_FILE" ] && [ ! -f "/var/lib/swapboot/$(basename "$ENV_FILE").orig" ]; then
		mkdir -p /var/lib/swapboot
		cp -p "$ENV_FILE" "/var/lib/swapboot/$(basename "$ENV_FILE").orig"
	fi
	write_file "$ENV_FILE" 0644 "$CONTENT"
	report changed kubelet-env "$ENV_FILE: KUBELET_EXTRA_ARGS has --fail-swap-on=false"
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
