# Removes the node from service: kubeadm reset, then (unless asked to keep it) the swap file swapboot made,
# and swapboot's change to the kubelet env file (restored from the copy taken before the change).
# input: ENV_FILE the kubelet env file (empty: not known)

if [ -f /etc/kubernetes/kubelet.conf ] || [ -f /etc/kubernetes/admin.conf ] || [ -d /etc/kubernetes/manifests ]; then
	kubeadm reset -f
	report changed reset "kubeadm reset done"
else
	report unchanged reset "not part of a cluster"
fi
if [ -n "$ENV_FILE" ] && [ -f "/var/lib/swapboot/$(basename "$ENV_FILE").orig" ]; then
	cp -p "/var/lib/swapboot/$(basename "$ENV_FILE").orig" "$ENV_FILE"
	rm -f "/var/lib/swapboot/$(basename "$ENV_FILE").orig"
	if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	report changed kubelet-env "$ENV_FILE restored"
fi
rm -f /var/lib/swapboot/kubelet-config.yaml.orig
