# After kubeadm reset (and the swap file's removal): what kubeadm's reset output leaves to the admin, and
# what the pod network add-on and swapboot made, removed, each removal reported. Only what they made: the
# interfaces, iptables chains, nftables tables and files named here. A user's other CNI configurations
# (e.g. another add-on's conflist), chains, rules and files stay, and a directory is removed only when
# nothing but empty directories is left in it.


removed() { report changed removed "$*"; }

# kube-proxy in IPVS mode leaves its virtual servers; its dummy interface kube-ipvs0 is the sign it ran in
# that mode. Without ipvsadm there is nothing to clear them with (and no IPVS mode was set up by hand).
if command -v ip >/dev/null 2>&1 && ip link show kube-ipvs0 >/dev/null 2>&1 && command -v ipvsadm >/dev/null 2>&1; then
	ipvsadm --clear
	removed "IPVS tables (kube-proxy ran in IPVS mode)"
fi

# Interfaces: the CNI bridge (bridge plugin / flannel), flannel's VXLAN and WireGuard devices, kube-proxy's
# IPVS dummy. Pods' veth pairs went with their network namespaces when kubeadm reset removed the pods.
if command -v ip >/dev/null 2>&1; then
	for dev in cni0 flannel.1 flannel-v6.1 flannel-wg flannel-wg-v6 kube-ipvs0; do
		if ip link show "$dev" >/dev/null 2>&1; then
			ip link delete "$dev"
			removed "interface $dev"
		fi
	done
fi

# iptables: the chains KUBE-* (kube-proxy, kubelet) and FLANNEL-* (flannel), after the rules of other chains
# that jump to them. Both backends (legacy and nft) when both are installed: kube-proxy's image may use
# the other one than the host's default. The legacy backend only when its tables exist in this network
# namespace (reading them would create them). iptables-restore --noflush applies the deletions as one change.
legacy_in_use() { [ -n "$(cat "/proc/net/$1_tables_names" 2>/dev/null)" ]; }
ipts=""
for ipt in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
	case "$ipt" in
	iptables-legacy) legacy_in_use ip || continue ;;
	ip6tables-legacy) legacy_in_use ip6 || continue ;;
	esac
	if command -v "$ipt" >/dev/null 2>&1 && command -v "$ipt-save" >/dev/null 2>&1; then ipts="$ipts $ipt"; fi
done
if [ -z "$ipts" ]; then
	for ipt in iptables ip6tables; do
		if command -v "$ipt" >/dev/null 2>&1 && command -v "$ipt-save" >/dev/null 2>&1; then ipts="$ipts $ipt"; fi
	done
fi
for ipt in $ipts; do
	for table in filter nat mangle raw; do
		saved=$("$ipt-save" -t "$table" 2>/dev/null) || continue
		cmds=$(printf '%s\n' "$saved" | awk '
			function ours(c) { return c ~ /^(KUBE-|FLANNEL-)/ }
			/^:/ { c = substr($1, 2); if (ours(c)) chains[++n] = c; next }
			/^-A / { if (!ours($2)) for (i = 3; i < NF; i++) if (($i == "-j" || $i == "-g") && ours($(i + 1))) { sub(/^-A /, "-D "); print; break } }
			END { for (i = 1; i <= n; i++) print "-F " chains[i]; for (i = 1; i <= n; i++) print "-X " chains[i] }')
		[ -n "$cmds" ] || continue
		printf '*%s\n%s\nCOMMIT\n' "$table" "$cmds" | "$ipt-restore" --noflush
		chains=$(printf '%s\n' "$cmds" | awk '$1 == "-X" {print $2}' | tr '\n' ' ')
		jumps=$(printf '%s\n' "$cmds" | grep -c '^-D ' || true)
		removed "$ipt $table chains ${chains% } and $jumps rule(s) jumping to them"
	done
done

# nftables: kube-proxy's tables (nftables mode) and flannel's (its nftables mode).
if command -v nft >/dev/null 2>&1; then
	for t in "ip kube-proxy" "ip6 kube-proxy" "ip flannel-ipv4" "ip6 flannel-ipv6"; do
		# shellcheck disable=SC2086 # family and name are two words
		if nft list table $t >/dev/null 2>&1; then
			# shellcheck disable=SC2086
			nft delete table $t
			removed "nftables table $t"
		fi
	done
fi

# Files: the CNI plugins' state (IPAM leases, result cache), flannel's runtime file, the conflist and
# plugin flannel's DaemonSet installed.
for f in /var/lib/cni /run/flannel /etc/cni/net.d/10-flannel.conflist /opt/cni/bin/flannel; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		rm -rf "$f"
		removed "$f"
	fi
done

# swapboot's kernel module and sysctl settings files (the settings stay in effect until the next boot, but
# the vm settings of swap.sysctl get their earlier values back), and its system.slice drop-in.
for f in /etc/modules-load.d/swapboot-*.conf /etc/sysctl.d/*swapboot*.conf; do
	if [ -f "$f" ]; then
		rm -f "$f"
		removed "$f"
	fi
done
if [ -f /var/lib/swapboot/sysctl.orig ]; then
	sysctl -q -p /var/lib/swapboot/sysctl.orig || true
	rm -f /var/lib/swapboot/sysctl.orig
	removed "swap.sysctl (earlier values restored)"
fi
if [ -f /etc/systemd/system/system.slice.d/90-swapboot-noswap.conf ]; then
	rm -f /etc/systemd/system/system.slice.d/90-swapboot-noswap.conf
	rmdir /etc/systemd/system/system.slice.d 2>/dev/null || true
	systemctl daemon-reload || true
	systemctl set-property --runtime system.slice MemorySwapMax=infinity || true
	removed /etc/systemd/system/system.slice.d/90-swapboot-noswap.conf
fi
# swapboot's kubeadm patches (each node's own kubelet swap behaviour).
if [ -d /var/lib/swapboot/kubeadm-patches ]; then
	rm -rf /var/lib/swapboot/kubeadm-patches
	removed /var/lib/swapboot/kubeadm-patches
fi

# Directories kubeadm made and reset emptied but kept (/etc/kubernetes/pki, ...): removed when empty.
# /etc/kubernetes/manifests stays: the kubelet's deb and rpm packages ship it (with /etc/kubernetes), so it
# was there before kubeadm ran.
# (-depth -delete: a directory whose subdirectories were just removed is empty when it is reached.)
if [ -d /etc/kubernetes ]; then
	find /etc/kubernetes -mindepth 1 -depth -type d -empty ! -path /etc/kubernetes/manifests -print -delete |
		while IFS= read -r d; do removed "$d (empty)"; done
fi
# kubeadm's etcd data directory and swapboot's state: removed only when nothing but empty directories is
# left (a kept swap file's marker, or a user's file, keeps them).
rm -f /var/lib/swapboot/kubeadm-init.yaml /var/lib/swapboot/kubeadm-join.yaml /var/lib/swapboot/kube-flannel.yml
for d in /var/lib/etcd /var/lib/swapboot; do
	if [ -d "$d" ] && [ -z "$(find "$d" ! -type d | head -n 1)" ]; then
		find "$d" -depth -type d -empty -delete
		removed "$d (empty)"
	elif [ -d "$d" ]; then
		report unchanged "$d kept: it holds files"
	fi
done
