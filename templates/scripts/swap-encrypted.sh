# Puts swap on dm-crypt in plain mode with a new random key at every boot, as the Kubernetes swap tutorial
# does: one /etc/crypttab line (systemd-cryptsetup opens the mapping and makes swap on it, at boot and here
# now) and one /etc/fstab line for the mapping. The source is a swap file swapboot allocates, or a device.
# Idempotent: nothing changes when the mapping is active as swap with exactly these lines (and a file of
# the configured size).
# uses: lib/swaparea.sh
# input: KIND file | device
# input: SOURCE the swap file or the device
# input: SWAP_MIB the file's size in MiB (file)
# input: METHOD dd | fallocate | btrfs: how the file is allocated (file)
# input: CRYPT_NAME the mapping's name (/dev/mapper/CRYPT_NAME)
# input: CRYPTTAB_REST the crypttab line after the name: source, key file, options

mapping=/dev/mapper/$CRYPT_NAME
unit="systemd-cryptsetup@$CRYPT_NAME.service"
line="$CRYPT_NAME $CRYPTTAB_REST"
crypttab_now=$(awk -v n="$CRYPT_NAME" '$1 == n {print $1, $2, $3, $4}' /etc/crypttab 2>/dev/null || true)

active=""
if [ -e "$mapping" ] && swap_active "$(readlink -f "$mapping")"; then active=yes; fi
size_ok=yes
if [ "$KIND" = file ] && { [ ! -f "$SOURCE" ] || [ "$(stat -c %s "$SOURCE")" -ne $((SWAP_MIB * 1048576)) ]; }; then size_ok=""; fi

if [ -n "$active" ] && [ "$crypttab_now" = "$line" ] && [ -n "$size_ok" ]; then
	report unchanged swap "$SOURCE encrypted swap active ($mapping)"
else
	# Take down what is there: the mapping, and the source used as plain swap by an earlier swapboot.
	if [ -n "$active" ]; then
		swapoff "$(readlink -f "$mapping")"
	fi
	systemctl stop "$unit" 2>/dev/null || true
	[ ! -e "$mapping" ] || fail "$mapping is still open after stopping $unit"
	if swap_active "$(readlink -f "$SOURCE")"; then
		if ! grep -qxF "$SOURCE" /var/lib/swapboot/swapfile /var/lib/swapboot/swapdevice 2>/dev/null; then
			fail "$SOURCE is active swap that swapboot did not set up: turn it off and remove it from /etc/fstab first"
		fi
		swapoff "$(readlink -f "$SOURCE")"
		fstab_drop "$SOURCE"
		if [ "$KIND" = device ]; then
			# swapboot's own plain swap signature: nothing may find it on the disk under the ciphertext.
			wipefs -q -a -t swap "$(readlink -f "$SOURCE")"
		fi
		rm -f /var/lib/swapboot/swapfile /var/lib/swapboot/swapdevice
	fi
	case "$KIND" in
	file)
		if [ -e "$SOURCE" ] && ! grep -qxF "file $SOURCE" /var/lib/swapboot/swapcrypt 2>/dev/null; then
			signature=$(dd if="$SOURCE" bs=1 skip=4086 count=10 2>/dev/null || true)
			if [ ! -f "$SOURCE" ] || [ "$signature" != SWAPSPACE2 ]; then
				fail "$SOURCE exists and is not a swap file; move it away or choose another swap.path"
			fi
		fi
		if [ -z "$size_ok" ] || ! grep -qxF "file $SOURCE" /var/lib/swapboot/swapcrypt 2>/dev/null; then
			allocate_swap_file "$SOURCE" "$SWAP_MIB" "$METHOD"
		fi
		;;
	*)
		device_unused "$SOURCE" "$(readlink -f "$SOURCE")" "$CRYPT_NAME"
		;;
	esac
	# The record first: swap disable and reset can undo a run that stops half-way.
	mkdir -p /var/lib/swapboot
	write_file /var/lib/swapboot/swapcrypt 0644 "$KIND $SOURCE
"
	kept=$(awk -v n="$CRYPT_NAME" '$1 != n' /etc/crypttab 2>/dev/null || true)
	write_file /etc/crypttab 0644 "${kept:+$kept
}$line
"
	# systemd-cryptsetup-generator turns the line into $unit; starting it opens the mapping with a new
	# key and runs mkswap on it, as every boot will.
	systemctl daemon-reload
	systemctl start "$unit"
	swapon "$mapping"
	report changed swap "$SOURCE encrypted ($CRYPTTAB_REST) and active as $mapping"
fi

fstab_swap "$mapping"
swap_active "$(readlink -f "$mapping")" || fail "swap is not active on $mapping"
