# The kernel and systemd settings that go with swap: vm sysctls the cluster file asks for, in one file of
# swapboot's under /etc/sysctl.d (the values before swapboot's first change are kept, and restored when the
# file is removed), and on cgroup v2 no swap for system daemons (MemorySwapMax=0 on system.slice, a systemd
# drop-in, applied at once). An empty content removes that part.
# input: SYSCTL_FILE swapboot's sysctl file
# input: SYSCTL_ORIG where the values before swapboot's first change are kept
# input: SYSCTL_CONTENT its content ("" removes it and restores the earlier values)
# input: SLICE_DROPIN swapboot's drop-in for system.slice
# input: SLICE_CONTENT its content ("" removes it and gives system.slice its swap back)

orig=$SYSCTL_ORIG
changes=""
if [ -n "$SYSCTL_CONTENT" ]; then
	if [ ! -f "$orig" ]; then
		saved=""
		for key in $(printf '%s\n' "$SYSCTL_CONTENT" | sed -n 's/^\([a-z_.]*\) = .*/\1/p'); do
			saved="$saved$key = $(sysctl -n "$key")
"
		done
		write_file "$orig" 0644 "$saved"
	fi
	if [ ! -f "$SYSCTL_FILE" ] || [ "$(cat "$SYSCTL_FILE"; echo x)" != "${SYSCTL_CONTENT}x" ]; then
		write_file "$SYSCTL_FILE" 0644 "$SYSCTL_CONTENT"
		changes="$changes $SYSCTL_FILE"
	fi
	sysctl -q -p "$SYSCTL_FILE"
elif [ -f "$SYSCTL_FILE" ] || [ -f "$orig" ]; then
	rm -f "$SYSCTL_FILE"
	if [ -f "$orig" ]; then
		sysctl -q -p "$orig"
		rm -f "$orig"
	fi
	changes="$changes $SYSCTL_FILE(removed)"
fi

if [ -n "$SLICE_CONTENT" ]; then
	if [ ! -f "$SLICE_DROPIN" ] || [ "$(cat "$SLICE_DROPIN"; echo x)" != "${SLICE_CONTENT}x" ]; then
		write_file "$SLICE_DROPIN" 0644 "$SLICE_CONTENT"
		systemctl daemon-reload
		changes="$changes $SLICE_DROPIN"
	fi
	systemctl set-property --runtime system.slice MemorySwapMax=0
elif [ -f "$SLICE_DROPIN" ]; then
	rm -f "$SLICE_DROPIN"
	rmdir "$(dirname "$SLICE_DROPIN")" 2>/dev/null || true
	systemctl daemon-reload
	systemctl set-property --runtime system.slice MemorySwapMax=infinity
	changes="$changes $SLICE_DROPIN(removed)"
fi

if [ -n "$changes" ]; then
	report changed swap-tuning "${changes# }"
else
	report unchanged swap-tuning "as configured"
fi
