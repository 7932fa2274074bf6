# Turns the swap file off and removes it and its /etc/fstab line, but only a file swapboot created (its
# path is recorded in /var/lib/swapboot/swapfile): swapboot never deletes a file it did not make.
# input: SWAP_PATH the swap file

if [ ! -f /var/lib/swapboot/swapfile ] || ! grep -qxF "$SWAP_PATH" /var/lib/swapboot/swapfile; then
	if [ -e "$SWAP_PATH" ]; then
		report unchanged swap "$SWAP_PATH was not created by swapboot: left as it is"
	else
		report unchanged swap "no swap file at $SWAP_PATH"
	fi
	exit 0
fi
if awk -v p="$SWAP_PATH" 'NR > 1 && $1 == p {found = 1} END {exit !found}' /proc/swaps; then
	swapoff "$SWAP_PATH"
fi
rm -f "$SWAP_PATH"
if awk -v p="$SWAP_PATH" '$1 == p {found = 1} END {exit !found}' /etc/fstab; then
	kept=$(awk -v p="$SWAP_PATH" '$1 != p' /etc/fstab)
	write_file /etc/fstab 0644 "${kept:+$kept
}"
fi
rm -f /var/lib/swapboot/swapfile
report changed swap "$SWAP_PATH turned off and removed, with its /etc/fstab line"
