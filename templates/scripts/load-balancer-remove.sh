# Undoes loadBalancer: keepalived on a master (swapboot reset): stops keepalived and haproxy, removes the
# files swapboot wrote and puts back the ones it replaced. Files swapboot did not write are left alone.

removed=""
for svc in keepalived haproxy; do
	if command -v systemctl >/dev/null 2>&1 && [ "$(systemctl is-active "$svc" 2>/dev/null || true)" = active ]; then
		systemctl stop "$svc" || true
	fi
done
for f in /etc/keepalived/keepalived.conf /etc/keepalived/check_apiserver.sh /etc/haproxy/haproxy.cfg; do
	orig="/var/lib/swapboot/$(basename "$f").orig"
	if [ -f "$f" ] && grep -q '^# Written by swapboot' "$f"; then
		rm -f "$f"
		removed="$removed $f"
	fi
	if [ -f "$orig" ]; then
		cp -p "$orig" "$f"
		rm -f "$orig"
		removed="$removed (restored $f)"
	fi
done
if [ -n "$removed" ]; then
	report changed load-balancer "removed$removed; keepalived and haproxy stopped"
else
	report unchanged load-balancer "no keepalived or haproxy configuration of swapboot here"
fi
