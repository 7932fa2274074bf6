# Creates and enables the swap file, idempotently: nothing changes when the file is already active at the
# configured size with exactly one /etc/fstab entry.
# uses: lib/swaparea.sh
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
	allocate_swap_file "$new" "$SWAP_MIB" "$METHOD"
	mkswap "$new" >/dev/null
	mv -f "$new" "$SWAP_PATH"
	swapon "$SWAP_PATH"
	mkdir -p /var/lib/swapboot
	write_file /var/lib/swapboot/swapfile 0644 "$SWAP_PATH
"
	report changed swap "$SWAP_PATH created and active (${SWAP_MIB} MiB, $METHOD)"
fi

fstab_swap "$SWAP_PATH"

if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -eq 0 ]; then
	fail "swap is still off after swapon $SWAP_PATH"
fi
