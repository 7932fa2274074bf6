# Turns off and removes every swap area swapboot made on this host, as it recorded them: its swap file
# (/var/lib/swapboot/swapfile), its swap device's /etc/fstab line (swapdevice; the device itself is left
# as it is), its encrypted swap's /etc/crypttab and /etc/fstab lines and file (swapcrypt), its zram unit.
# swapboot never removes what it did not make.
# uses: lib/swaparea.sh
# input: SWAP_PATH the configured swap file (named when nothing of swapboot's is here)
# input: CRYPT_NAME swapboot's dm-crypt mapping

removed=""
if [ -f /etc/systemd/system/swapboot-zram.service ]; then
	systemctl disable --now swapboot-zram.service 2>/dev/null || true
	if [ -f /run/swapboot/zram-device ] && [ -x /usr/local/sbin/swapboot-zram ]; then
		/usr/local/sbin/swapboot-zram stop
	fi
	rm -f /etc/systemd/system/swapboot-zram.service /usr/local/sbin/swapboot-zram
	systemctl daemon-reload
	report changed swap "zram swap turned off; swapboot-zram.service and its helper removed"
	removed=yes
fi

if [ -f /var/lib/swapboot/swapcrypt ]; then
	read -r kind source </var/lib/swapboot/swapcrypt
	mapping=/dev/mapper/$CRYPT_NAME
	if [ -e "$mapping" ] && swap_active "$(readlink -f "$mapping")"; then
		swapoff "$(readlink -f "$mapping")"
	fi
	# Close the mapping while its generated unit still exists, then drop the lines that make it.
	systemctl stop "systemd-cryptsetup@$CRYPT_NAME.service" 2>/dev/null || true
	[ ! -e "$mapping" ] || fail "$mapping is still open after stopping systemd-cryptsetup@$CRYPT_NAME.service"
	fstab_drop "$mapping"
	if awk -v n="$CRYPT_NAME" '$1 == n {found = 1} END {exit !found}' /etc/crypttab 2>/dev/null; then
		kept=$(awk -v n="$CRYPT_NAME" '$1 != n' /etc/crypttab)
		write_file /etc/crypttab 0644 "${kept:+$kept
}"
	fi
	systemctl daemon-reload
	what="its /etc/crypttab and /etc/fstab lines removed"
	if [ "$kind" = file ]; then
		rm -f "$source"
		what="$what, and the file"
	fi
	rm -f /var/lib/swapboot/swapcrypt
	report changed swap "encrypted swap on $source turned off; $what"
	removed=yes
fi

if [ -f /var/lib/swapboot/swapdevice ]; then
	device=$(cat /var/lib/swapboot/swapdevice)
	if swap_active "$(readlink -f "$device")"; then
		swapoff "$(readlink -f "$device")"
	fi
	fstab_drop "$device"
	rm -f /var/lib/swapboot/swapdevice
	report changed swap "$device turned off and its /etc/fstab line removed (the device keeps its swap signature)"
	removed=yes
fi

if [ -f /var/lib/swapboot/swapfile ]; then
	file=$(cat /var/lib/swapboot/swapfile)
	if swap_active "$file"; then
		swapoff "$file"
	fi
	rm -f "$file"
	fstab_drop "$file"
	rm -f /var/lib/swapboot/swapfile
	report changed swap "$file turned off and removed, with its /etc/fstab line"
	removed=yes
fi

if [ -z "$removed" ]; then
	if [ -e "$SWAP_PATH" ]; then
		report unchanged swap "$SWAP_PATH was not created by swapboot: left as it is"
	else
		report unchanged swap "no swap of swapboot's here"
	fi
fi
