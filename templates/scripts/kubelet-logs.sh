# Shows why the kubelet is unhappy: kubeadm's own error usually hides the cause.
# input: LINES how many lines of the kubelet log to show

if command -v journalctl >/dev/null 2>&1; then
	journalctl -u kubelet -n "$LINES" --no-pager 2>&1 || true
else
	echo "no journalctl on this host"
fi
systemctl status kubelet --no-pager 2>&1 | head -n 5 || true
