# Creates and enables the swap file, idempotently: nothing changes when the file is already active at the
# configured size with exactly one /etc/fstab entry.
# input: SWAP_PATH absolute path of the swap file
# input: SWAP_MIB size in MiB
# input: METHOD dd | fallocate | btrfs (chosen by swapboot from the filesystem type)

want_kib=$((SWAP_MIB * 1024))
active_kib=$(awk -v p="$SWAP_PATH" 'NR > 1 && $1 == p {print $3}' /proc/swaps)

# /proc/swaps reports the size minus the header page, so allow one page of difference.
if [ -n "$active_kib" ] && [ $((want_kib - active_kib)) -le 4 ] && [ $((want_kib - active_kib)) -ge 0 ]; then
	report unchanged swap "$SWAP_PATH active (${SWAP_MIB} MiB)"
else
	if [ -n "$active_kib" ]; then
		echo "swap file $SWAP_PATH is active with ${active_kib} KiB, want ${want_kib} KiB: recreating it"
		swapoff "$SWAP_PATH"
	elif [ -e "$SWAP_PATH" ]; then
		# Never overwrite a file that is not a swap file: it may be someone's data.
		signature=$(dd if="$SWAP_PATH" bs=1 skip=4086 count=10 2>/dev/null || true)
		if [ ! -f "$SWAP_PATH" ] || [ "$signature" != SWAPSPACE2 ]; then
			fail "$SWAP_PATH exists and is not a swap file; move it away or choose another swap.path"
		fi
	fi
	new="$SWAP_PATH.swapboot-new"
	rm -f "$new"
	case "$METHOD" in
	fallocate)
		fallocate -l "${SWAP_MIB}MiB" "$new"
		;;
	btrfs)
		# Swap files on btrfs must be NOCOW, set while the file is still empty.
		truncate -s 0 "$new"
		chattr +C "$new"
		fallocate -l "${SWAP_MIB}MiB" "$new"
		;;
	*)
		dd if=/dev/zero of="$new" bs=1M count="$SWAP_MIB" status=none
		;;
	esac
	# swapon refuses files with holes; check before, with the same rule (st_blocks * 512 >= st_size).
	if [ $(($(stat -c '%b * %B' "$new"))) -lt "$(stat -c %s "$new")" ]; then
		echo "$METHOD left holes in $new; writing it with dd instead"
		rm -f "$new"
		dd if=/dev/zero of="$new" bs=1M count="$SWAP_MIB" status=none
	fi
	chown root:root "$new"
	chmod 600 "$new"
	mkswap "$new" >/dev/null
	mv -f "$new" "$SWAP_PATH"
	swapon "$SWAP_PATH"
	mkdir -p /var/lib/swapboot
	write_file /var/lib/swapboot/swapfile 0644 "$SWAP_PATH
"
	report changed swap "$SWAP_PATH created and active (${SWAP_MIB} MiB, $METHOD)"
fi

entries=$(awk -v p="$SWAP_PATH" '$1 == p' /etc/fstab 2>/dev/null | wc -l)
if [ "$entries" -eq 1 ] && awk -v p="$SWAP_PATH" '$1 == p && $3 == "swap" {found = 1} END {exit !found}' /etc/fstab; then
	report unchanged fstab "$SWAP_PATH already in /etc/fstab"
else
	# Drop every line for this path, then add one: re-runs never leave two.
	kept=$(awk -v p="$SWAP_PATH" '$1 != p' /etc/fstab 2>/dev/null || true)
	write_file /etc/fstab 0644 "${kept:+$kept
}$SWAP_PATH none swap defaults 0 0
"
	report changed fstab "$SWAP_PATH none swap defaults 0 0"
fi

if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -eq 0 ]; then
	fail "swap is still off after swapon $SWAP_PATH"
fi
