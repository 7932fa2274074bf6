# Gives a whole disk or partition to swap, idempotently: nothing changes when it is already active with
# exactly one /etc/fstab line. A device that holds a file system or a partition table, is mounted or is
# used by something else is refused (the plan checked it; checked again here just before writing).
# uses: lib/swaparea.sh
# input: SWAP_DEVICE the disk or partition, as the cluster file names it (that name goes to /etc/fstab)
# input: CRYPT_NAME swapboot's dm-crypt mapping (an earlier encrypted swap on the device is taken down)

real=$(readlink -f "$SWAP_DEVICE")
if swap_active "$real"; then
	report unchanged swap "$SWAP_DEVICE active ($real)"
else
	device_unused "$SWAP_DEVICE" "$real" "$CRYPT_NAME"
	if [ -e "/sys/class/block/${real##*/}/holders/" ] && [ -n "$(ls "/sys/class/block/${real##*/}/holders/")" ]; then
		fail "$SWAP_DEVICE is still behind swapboot's encrypted swap: swapboot swap disable takes it down first"
	fi
	# A new signature, also over an old swap one.
	mkswap "$real" >/dev/null
	swapon "$real"
	mkdir -p /var/lib/swapboot
	write_file /var/lib/swapboot/swapdevice 0644 "$SWAP_DEVICE
"
	report changed swap "$SWAP_DEVICE formatted as swap and active ($real)"
fi

fstab_swap "$SWAP_DEVICE"
