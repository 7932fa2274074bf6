# --- swaparea (shared by the swap scripts that say "# uses: lib/swaparea.sh") ---
# swap_active NAME: NAME, as /proc/swaps shows it, is an active swap area.
swap_active() { awk -v p="$1" 'NR > 1 && $1 == p {found = 1} END {exit !found}' /proc/swaps; }
# fstab_swap NAME: exactly one /etc/fstab line "NAME none swap defaults 0 0" (re-runs never leave two).
fstab_swap() {
	if [ "$(awk -v p="$1" '$1 == p' /etc/fstab 2>/dev/null | wc -l)" -eq 1 ] && awk -v p="$1" '$1 == p && $3 == "swap" {found = 1} END {exit !found}' /etc/fstab; then
		report unchanged fstab "$1 already in /etc/fstab"
		return 0
	fi
	fs_kept=$(awk -v p="$1" '$1 != p' /etc/fstab 2>/dev/null || true)
	write_file /etc/fstab 0644 "${fs_kept:+$fs_kept
}$1 none swap defaults 0 0
"
	report changed fstab "$1 none swap defaults 0 0"
}
# fstab_drop NAME: no /etc/fstab line for NAME.
fstab_drop() {
	if awk -v p="$1" '$1 == p {found = 1} END {exit !found}' /etc/fstab 2>/dev/null; then
		fs_kept=$(awk -v p="$1" '$1 != p' /etc/fstab)
		write_file /etc/fstab 0644 "${fs_kept:+$fs_kept
}"
	fi
}
# allocate_swap_file PATH MIB METHOD: a new file of MIB MiB without holes (swapon and dm-crypt refuse
# holes: st_blocks * 512 >= st_size, checked with the kernel's rule), mode 0600, owned by root.
allocate_swap_file() {
	rm -f "$1"
	case "$3" in
	fallocate)
		fallocate -l "${2}MiB" "$1"
		;;
	btrfs)
		# Swap files on btrfs must be NOCOW, set while the file is still empty.
		truncate -s 0 "$1"
		chattr +C "$1"
		fallocate -l "${2}MiB" "$1"
		;;
	*)
		dd if=/dev/zero of="$1" bs=1M count="$2" status=none
		;;
	esac
	if [ $(($(stat -c '%b * %B' "$1"))) -lt "$(stat -c %s "$1")" ]; then
		echo "$3 left holes in $1; writing it with dd instead"
		rm -f "$1"
		dd if=/dev/zero of="$1" bs=1M count="$2" status=none
	fi
	chown root:root "$1"
	chmod 600 "$1"
}
# device_unused DEVICE REAL MAPPING: fail unless the device (REAL is its node) holds no file system but
# swap and no partition table, and neither it nor a partition of it is mounted or held by anything but
# swapboot's own dm-crypt mapping MAPPING. The plan checked this already; checked again just before writing.
device_unused() {
	[ -b "$2" ] || fail "$1 is not a block device"
	du_pt=$(blkid -p -o value -s PTTYPE "$2" 2>/dev/null || true)
	[ -z "$du_pt" ] || fail "$1 holds a partition table ($du_pt): swapboot does not overwrite it"
	du_fs=$(blkid -p -o value -s TYPE "$2" 2>/dev/null || true)
	case "$du_fs" in
	"" | swap) ;;
	*) fail "$1 holds a $du_fs file system: swapboot does not overwrite it" ;;
	esac
	du_name=${2##*/}
	for du_part in "/sys/class/block/$du_name" "/sys/class/block/$du_name/$du_name"*; do
		[ -r "$du_part/dev" ] || continue
		if awk -v n="$(cat "$du_part/dev")" '$3 == n {found = 1} END {exit !found}' /proc/self/mountinfo; then
			fail "$1 (${du_part##*/}) is mounted"
		fi
		for du_holder in "$du_part"/holders/*; do
			[ -e "$du_holder" ] || continue
			if [ "$(cat "$du_holder/dm/name" 2>/dev/null || true)" != "$3" ]; then
				fail "$1 is in use by ${du_holder##*/}"
			fi
		done
	done
}
# --- end swaparea ---
