# Configures keepalived (the endpoint's virtual IP, VRRP with unicast peers) and haproxy (the endpoint's
# port, balancing to every master's API server) on a master, as in kubeadm's high-availability guide.
# keepalived and haproxy come from the host's packages: swapboot installs none.
# input: KEEPALIVED_CONF /etc/keepalived/keepalived.conf
# input: CHECK_SCRIPT /etc/keepalived/check_apiserver.sh
# input: HAPROXY_CFG /etc/haproxy/haproxy.cfg

for bin in keepalived haproxy; do
	command -v "$bin" >/dev/null 2>&1 || fail "$bin is not installed: install the $bin package on every master (swapboot installs no packages)"
done
changed=""
# put PATH MODE CONTENT: writes the file only when its content differs. A file swapboot did not write
# (the package's own haproxy.cfg) is kept under /var/lib/swapboot first; reset puts it back.
put() {
	if [ -f "$1" ] && printf '%s' "$3" | cmp -s - "$1"; then return 0; fi
	if [ -f "$1" ] && ! grep -q '^# Written by swapboot' "$1" && [ ! -f "/var/lib/swapboot/$(basename "$1").orig" ]; then
		mkdir -p /var/lib/swapboot
		cp -p "$1" "/var/lib/swapboot/$(basename "$1").orig"
	fi
	write_file "$1" "$2" "$3"
	changed="$changed $1"
}
put /etc/keepalived/check_apiserver.sh 0755 "$CHECK_SCRIPT"
put /etc/keepalived/keepalived.conf 0644 "$KEEPALIVED_CONF"
put /etc/haproxy/haproxy.cfg 0644 "$HAPROXY_CFG"
haproxy -c -f /etc/haproxy/haproxy.cfg >/dev/null || fail "haproxy refuses /etc/haproxy/haproxy.cfg"
for svc in haproxy keepalived; do
	systemctl enable "$svc" >/dev/null 2>&1 || true
	if [ -n "$changed" ] || [ "$(systemctl is-active "$svc" 2>/dev/null || true)" != active ]; then
		systemctl restart "$svc" || fail "systemctl restart $svc failed"
	fi
done
if [ -n "$changed" ]; then
	report changed load-balancer "wrote$changed; restarted haproxy and keepalived"
else
	report unchanged load-balancer "keepalived and haproxy configured and running"
fi
