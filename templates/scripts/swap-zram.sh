# A zram swap device (compressed memory) of SWAP_MIB: swapboot-zram.service sets it up at every boot
# with the helper swapboot-zram (the zram module, zramctl, mkswap, swapon) and takes it down when it
# stops. Idempotent: nothing changes when both files are as given, the unit is enabled and its device is
# active at the configured size.
# uses: lib/swaparea.sh
# input: SWAP_MIB the zram device's size in MiB
# input: UNIT_CONTENT swapboot-zram.service
# input: HELPER_CONTENT the helper, /usr/local/sbin/swapboot-zram

unit=/etc/systemd/system/swapboot-zram.service
helper=/usr/local/sbin/swapboot-zram
files=same
if [ "$(cat "$unit" 2>/dev/null || true)" != "$(printf '%s' "$UNIT_CONTENT")" ]; then
	write_file "$unit" 0644 "$UNIT_CONTENT"
	files=changed
fi
if [ "$(cat "$helper" 2>/dev/null || true)" != "$(printf '%s' "$HELPER_CONTENT")" ] || [ ! -x "$helper" ]; then
	write_file "$helper" 0755 "$HELPER_CONTENT"
	files=changed
fi
device=$(cat /run/swapboot/zram-device 2>/dev/null || true)
active_kib=""
if [ -n "$device" ]; then
	active_kib=$(awk -v p="$device" 'NR > 1 && $1 == p {print $3}' /proc/swaps)
fi
want_kib=$((SWAP_MIB * 1024))
if [ "$files" = same ] && [ -n "$active_kib" ] && [ $((want_kib - active_kib)) -le 4 ] && [ $((want_kib - active_kib)) -ge 0 ] &&
	[ -L /etc/systemd/system/swap.target.wants/swapboot-zram.service ]; then
	report unchanged swap "zram swap active ($device, ${SWAP_MIB} MiB)"
	exit 0
fi
systemctl daemon-reload
systemctl enable swapboot-zram.service 2>/dev/null
# A restart: a changed size needs a new device.
if ! systemctl restart swapboot-zram.service; then
	journalctl -u swapboot-zram.service -n 20 --no-pager >&2 || true
	fail "swapboot-zram.service did not start (its journal is above)"
fi
device=$(cat /run/swapboot/zram-device 2>/dev/null || true)
if [ -z "$device" ] || ! swap_active "$device"; then
	fail "swapboot-zram.service ran but no zram swap is active (journalctl -u swapboot-zram)"
fi
report changed swap "zram swap of ${SWAP_MIB} MiB active ($device), swapboot-zram.service enabled"
