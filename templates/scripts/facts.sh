# Read-only: reports what swapboot needs to know about this host. Changes nothing.
# input: SWAP_PATH the swap file swapboot manages (type file, or the source of an encrypted file)
# input: SWAP_TYPE file | device | zram
# input: SWAP_DEVICE the swap device (type device)
# input: SWAP_ENCRYPT true | false: the file or device is behind dm-crypt mapping SWAP_CRYPT_NAME
# input: SWAP_CRYPT_NAME the dm-crypt mapping of an encrypted area

fact uid "$(id -u)"
fact hostname "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
if [ -r /etc/os-release ]; then
	# shellcheck disable=SC1091 # the host's own file
	fact os "$(. /etc/os-release && printf '%s %s' "${ID:-unknown}" "${VERSION_ID:-}")"
fi
fact kernel "$(uname -r)"
fact arch "$(uname -m)"
fact mem_kib "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"

# Versions (empty when the binary is missing): the two binaries take most of this script's time to start,
# so they run in the background while the rest is read; reported at the end.
versions=$(mktemp -d)
trap 'rm -rf "$versions"' EXIT
if command -v kubeadm >/dev/null 2>&1; then
	{ kubeadm version -o short >"$versions/kubeadm" 2>/dev/null || true; } &
fi
if command -v kubelet >/dev/null 2>&1; then
	{ kubelet --version 2>/dev/null | awk '{print $2}' >"$versions/kubelet" || true; } &
fi

if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null || true)" = cgroup2fs ]; then
	fact cgroup v2
else
	fact cgroup v1
fi
if [ -d /run/systemd/system ]; then
	fact init systemd
else
	fact init other
fi

# The kubeadm drop-in the kubelet unit really uses, and the env file it reads KUBELET_EXTRA_ARGS from.
dropin=""
kubelet_state=""
if [ -d /run/systemd/system ]; then
	# One systemctl call for both values: it is the slowest thing here after the version checks.
	unit=$(systemctl show -p DropInPaths -p ActiveState kubelet 2>/dev/null || true)
	kubelet_state=$(printf '%s\n' "$unit" | sed -n 's/^ActiveState=//p')
	for p in $(printf '%s\n' "$unit" | sed -n 's/^DropInPaths=//p'); do
		case "$p" in */10-kubeadm.conf) dropin=$p ;; esac
	done
fi
if [ -z "$dropin" ]; then
	for p in /etc/systemd/system/kubelet.service.d/10-kubeadm.conf \
		/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf \
		/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; do
		if [ -f "$p" ]; then dropin=$p; break; fi
	done
fi
fact kubelet_dropin "$dropin"
env_file=""
if [ -n "$dropin" ]; then
	env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$dropin" | grep -v 'kubeadm-flags.env' | tail -n 1 || true)
fi
fact kubelet_env_file "$env_file"
if [ -n "$env_file" ] && [ -f "$env_file" ]; then
	fact kubelet_env_content "$(base64 -w0 < "$env_file")"
	fact kubelet_env_exists yes
else
	fact kubelet_env_exists no
fi
fact kubelet_active "$kubelet_state"
if [ -f /var/lib/kubelet/config.yaml ]; then
	fact kubelet_config "$(base64 -w0 < /var/lib/kubelet/config.yaml)"
fi

# Container runtime sockets, first found wins (the order kubeadm uses).
cri=""
for s in /run/containerd/containerd.sock /var/run/crio/crio.sock /var/run/cri-dockerd.sock; do
	if [ -S "$s" ]; then cri="unix://$s"; break; fi
done
fact cri_socket "$cri"

# The runtime's cgroup driver (systemd | cgroupfs | "" when unknown). containerd's effective
# configuration (`containerd config dump`: its file merged over its defaults, SystemdCgroup of the runc
# runtime's options) rather than `crictl info`: crictl is often not installed (it is a separate package),
# and the layout of the CRI status it prints has changed between containerd versions, while config dump
# ships with containerd itself and its runc options section is the setting the kubelet must match.
runtime_driver=""
# The directory the runtime runs CNI plugins from (its CRI plugin's cni bin_dir; Debian's containerd
# uses /usr/lib/cni, upstream's /opt/cni/bin; containerd 2.1+ may list several in bin_dirs: the first
# counts). "" when unknown.
cni_bin_dir=""
case "$cri" in
*containerd.sock)
	if command -v containerd >/dev/null 2>&1 && dump=$(containerd config dump 2>/dev/null); then
		runtime_driver=$(printf '%s\n' "$dump" | awk '
			/^[[:space:]]*\[/ { runc = ($0 ~ /runtimes\.runc\.options\]/ || $0 ~ /runtimes\.'"'"'runc'"'"'\.options\]/) }
			runc && /^[[:space:]]*SystemdCgroup[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); print (v ~ /^true/) ? "systemd" : "cgroupfs"; exit }')
		cni_bin_dir=$(printf '%s\n' "$dump" | awk '
			/^[[:space:]]*\[/ { cni = ($0 ~ /cri.*\.cni\]/) }
			cni && /^[[:space:]]*bin_dirs?[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*\[?[[:space:]]*/, "", v); sub(/^["'"'"']/, "", v); sub(/["'"'"'].*$/, "", v); print v; exit }')
	fi
	;;
esac
fact runtime_cgroup_driver "$runtime_driver"
fact cni_bin_dir "$cni_bin_dir"

# Pod network prerequisites: br_netfilter loaded or built in, the sysctls a pod network needs, and where
# the CNI plugins flannel delegates to are (the runtime's bin dir first, then /opt/cni/bin).
if [ -d /sys/module/br_netfilter ] || [ -d /proc/sys/net/bridge ]; then fact br_netfilter yes; else fact br_netfilter no; fi
fact bridge_nf_call_iptables "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || true)"
fact ip_forward "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || true)"
found=""
for plugin in bridge portmap host-local loopback; do
	where=""
	for dir in $cni_bin_dir /opt/cni/bin; do
		if [ -x "$dir/$plugin" ]; then where=$dir; break; fi
	done
	found="$found $plugin=$where"
done
fact cni_plugins "${found# }"

if [ -f /etc/kubernetes/admin.conf ]; then fact control_plane yes; else fact control_plane no; fi
if [ -f /etc/kubernetes/kubelet.conf ]; then fact joined yes; else fact joined no; fi
# What an interrupted kubeadm join leaves: the bootstrap kubeconfig or the CA, but no kubelet.conf (the
# kubelet never finished its TLS bootstrap); a new join refuses to run over it.
if [ ! -f /etc/kubernetes/kubelet.conf ] && [ ! -f /etc/kubernetes/admin.conf ] && { [ -f /etc/kubernetes/bootstrap-kubelet.conf ] || [ -f /etc/kubernetes/pki/ca.crt ]; }; then
	fact join_leftovers yes
fi

# Whether kubeadm init finished: admin.conf is written early (kubeconfig phase), so it proves nothing.
# init_finalized: kubeadm's kubelet-finalize phase (after bootstrap-token, one of the last) pointed
# kubelet.conf at the rotatable client certificate. admin_api: what the API answered through admin.conf
# to the rights later steps need (bootstrap tokens are Secrets in kube-system; the kubelet-config
# ConfigMap is updated there): ok, forbidden, unanswered, or no-kubectl. api_nodes: the Nodes it knows.
if [ -f /etc/kubernetes/admin.conf ]; then
	if grep -q 'client-certificate: */var/lib/kubelet/pki/kubelet-client-current.pem' /etc/kubernetes/kubelet.conf 2>/dev/null; then
		fact init_finalized yes
	else
		fact init_finalized no
	fi
	if command -v kubectl >/dev/null 2>&1; then
		admin_api=ok
		for check in "create secrets" "update configmaps"; do
			# shellcheck disable=SC2086 # verb and resource are two words
			answer=$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=5s auth can-i $check -n kube-system 2>/dev/null || true)
			case "$answer" in
			yes) ;;
			no*) admin_api=forbidden ;;
			*) admin_api=unanswered; break ;;
			esac
		done
		fact admin_api "$admin_api"
		if [ "$admin_api" = ok ]; then
			fact api_nodes "$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=5s get nodes -o 'jsonpath={.items[*].metadata.name}' 2>/dev/null || true)"
		fi
	else
		fact admin_api no-kubectl
	fi
fi

# Swap: the configured file, where it would live, and everything already active (the same rule the
# kubelet applies: more than the header line in /proc/swaps means swap is on).
swap_dir=$(dirname "$SWAP_PATH")
while [ ! -d "$swap_dir" ]; do swap_dir=$(dirname "$swap_dir"); done
# findmnt names the file system as mount does (ext4, xfs, overlay); stat -f says ext2/ext3 for ext4.
fstype=$(findmnt -no FSTYPE -T "$swap_dir" 2>/dev/null || stat -fc %T "$swap_dir" 2>/dev/null || true)
fact swap_fstype "$fstype"
fact swap_dir_free_kib "$(df -Pk "$swap_dir" 2>/dev/null | awk 'NR == 2 {print $4}')"
if [ -e "$SWAP_PATH" ]; then
	fact swap_file_bytes "$(stat -c %s "$SWAP_PATH")"
else
	fact swap_file_bytes -1
fi
# The configured area's name in /proc/swaps once it is set up (area) and in /etc/fstab (boot_name): an
# encrypted area is its dm-crypt mapping (/proc/swaps says /dev/dm-N), a device its real node, zram the
# device swapboot-zram.service recorded.
crypt=/dev/mapper/$SWAP_CRYPT_NAME
area=""
boot_name=""
if [ "$SWAP_ENCRYPT" = true ]; then
	if [ -e "$crypt" ]; then area=$(readlink -f "$crypt"); fi
	boot_name=$crypt
	fact swap_crypttab "$(awk -v n="$SWAP_CRYPT_NAME" '$1 == n {print $2, $3, $4}' /etc/crypttab 2>/dev/null | head -n 1)"
	fact swap_crypttab_entries "$(awk -v n="$SWAP_CRYPT_NAME" '$1 == n' /etc/crypttab 2>/dev/null | wc -l)"
elif [ "$SWAP_TYPE" = device ]; then
	area=$(readlink -f "$SWAP_DEVICE" 2>/dev/null || true)
	boot_name=$SWAP_DEVICE
elif [ "$SWAP_TYPE" = zram ]; then
	area=$(cat /run/swapboot/zram-device 2>/dev/null || true)
else
	area=$SWAP_PATH
	boot_name=$SWAP_PATH
fi
fact swap_area "$area"
active_kib=""
used_kib=""
if [ -n "$area" ]; then
	active_kib=$(awk -v p="$area" 'NR > 1 && $1 == p {print $3}' /proc/swaps)
	used_kib=$(awk -v p="$area" 'NR > 1 && $1 == p {print $4}' /proc/swaps)
fi
fact swap_active_kib "$active_kib"
fact swaps_active "$(awk 'NR > 1' /proc/swaps | wc -l)"
fact swaps_total_kib "$(awk 'NR > 1 {s += $3} END {print s + 0}' /proc/swaps)"
# What brings the area back at boot: its /etc/fstab lines, or for zram the enabled unit.
if [ "$SWAP_TYPE" = zram ]; then
	if [ -L /etc/systemd/system/swap.target.wants/swapboot-zram.service ]; then fact fstab_entries 1; else fact fstab_entries 0; fi
else
	fact fstab_entries "$(awk -v p="$boot_name" '$1 == p && $3 == "swap"' /etc/fstab 2>/dev/null | wc -l)"
fi

# A swap device: what the checks need before swapboot writes a swap signature over it.
if [ "$SWAP_TYPE" = device ]; then
	real=$(readlink -f "$SWAP_DEVICE" 2>/dev/null || true)
	if [ -n "$real" ] && [ -b "$real" ]; then
		name=${real##*/}
		fact swap_device "$real"
		fact swap_device_kib "$(($(cat "/sys/class/block/$name/size") / 2))"
		fact swap_device_fstype "$(blkid -p -o value -s TYPE "$real" 2>/dev/null || true)"
		fact swap_device_pttype "$(blkid -p -o value -s PTTYPE "$real" 2>/dev/null || true)"
		# The device and its partitions (subdirectories of its sysfs directory named after it): where
		# they are mounted (by device number, as mountinfo gives it) and what holds them (dm, md).
		mounts=""
		holders=""
		for part in "/sys/class/block/$name" "/sys/class/block/$name/$name"*; do
			[ -r "$part/dev" ] || continue
			mounts="$mounts$(awk -v n="$(cat "$part/dev")" '$3 == n {printf " %s", $5}' /proc/self/mountinfo)"
			for h in "$part"/holders/*; do
				[ -e "$h" ] || continue
				holders="$holders $(cat "$h/dm/name" 2>/dev/null || basename "$h")"
			done
		done
		fact swap_device_mounts "${mounts# }"
		fact swap_device_holders "${holders# }"
	else
		fact swap_device ""
	fi
fi

# What an encrypted area and zram need from the host: systemd (crypttab, the unit), the kernel modules
# (loaded, built in, or on disk), systemd-cryptsetup, zramctl.
kmod_available() {
	[ -d "/sys/module/$1" ] || grep -qs "/$2\.ko" "/lib/modules/$(uname -r)/modules.builtin" "/lib/modules/$(uname -r)/modules.dep"
}
if [ "$SWAP_ENCRYPT" = true ]; then
	if kmod_available dm_crypt dm-crypt; then fact dm_crypt yes; else fact dm_crypt no; fi
	cryptsetup_bin=""
	for p in /usr/lib/systemd/systemd-cryptsetup /lib/systemd/systemd-cryptsetup; do
		if [ -x "$p" ]; then cryptsetup_bin=$p; break; fi
	done
	fact systemd_cryptsetup "$cryptsetup_bin"
fi
if [ "$SWAP_TYPE" = zram ]; then
	if kmod_available zram zram; then fact zram yes; else fact zram no; fi
	if command -v zramctl >/dev/null 2>&1; then fact zramctl yes; else fact zramctl no; fi
fi

# On a control plane: the cluster-wide kubelet configuration that joining and upgraded nodes receive.
if [ -f /etc/kubernetes/admin.conf ] && command -v kubectl >/dev/null 2>&1; then
	# kubelet-config since 1.24; kubelet-config-1.X before (the newest one counts).
	cms=$(kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system get configmap -o name 2>/dev/null | sed -n 's|^configmap/\(kubelet-config[-0-9.]*\)$|\1|p' || true)
	if printf '%s\n' "$cms" | grep -qx kubelet-config; then
		cm=kubelet-config
	else
		cm=$(printf '%s\n' "$cms" | sort -V | tail -n 1)
	fi
	if [ -n "$cm" ]; then
		fact kubelet_configmap "$cm"
		fact kubelet_configmap_content "$(kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system get configmap "$cm" -o 'jsonpath={.data.kubelet}' | base64 -w0)"
	fi
fi
# The swap areas swapboot made here (its records), whatever the cluster file says now: swap disable and
# reset remove these and nothing else.
if [ -f /var/lib/swapboot/swapfile ]; then
	fact swapboot_swapfile "$(cat /var/lib/swapboot/swapfile)"
fi
made=""
if [ -f /var/lib/swapboot/swapdevice ]; then made="$made device"; fi
if [ -f /var/lib/swapboot/swapcrypt ]; then made="$made encrypted"; fi
if [ -f /etc/systemd/system/swapboot-zram.service ]; then made="$made zram"; fi
fact swapboot_areas "${made# }"
fact swap_used_kib "$used_kib"
if [ -f /var/lib/kubelet/kubeadm-flags.env ]; then
	fact kubeadm_flags "$(base64 -w0 </var/lib/kubelet/kubeadm-flags.env)"
fi

# High-availability control plane (loadBalancer: keepalived): every interface's addresses (the one holding
# the master's address carries the virtual IP), and which of the tools keepalived needs are missing.
fact addresses "$(ip -o addr show 2>/dev/null | awk '{sub(/@.*/, "", $2); print $2 "=" $4}' | tr '\n' ' ')"
lb_missing=""
for bin in keepalived haproxy curl; do
	command -v "$bin" >/dev/null 2>&1 || lb_missing="$lb_missing $bin"
done
fact lb_missing "${lb_missing# }"
# On a control plane: the nodes the API knows. A further master whose join stopped half-way can have every
# file of a control plane but no Node.
if [ -f /etc/kubernetes/admin.conf ] && command -v kubectl >/dev/null 2>&1; then
	if cluster_nodes=$(kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout 10s get nodes -o name 2>/dev/null); then
		fact cluster_nodes "$(printf '%s\n' "$cluster_nodes" | sed 's|^node/||' | tr '\n' ' ')"
	fi
fi
# A further master's join is complete once its etcd and API server manifests exist too.
if [ -f /etc/kubernetes/manifests/etcd.yaml ] && [ -f /etc/kubernetes/manifests/kube-apiserver.yaml ]; then
	fact cp_manifests yes
else
	fact cp_manifests no
fi

# Swap areas by kind, from /proc/swaps: "name:kind:sizeKiB:usedKiB:priority:mapper" per area, space
# separated. kind: file; zram (/dev/zram*); encrypted (a device-mapper device whose uuid starts with
# CRYPT-, as cryptsetup makes them); device (any other block device). mapper: a device-mapper device's
# name (/proc/swaps names only /dev/dm-N). Names keep /proc/swaps' octal escapes (\040 for a space) and
# ":" is escaped as \072 too, so every field stays parsable. Reads /proc and /sys only.
swaps_file=/proc/swaps
sys_block=/sys/block
# escape_name NAME: /proc/swaps' octal escapes, plus ":".
escape_name() { printf '%s' "$1" | sed 's/\\/\\134/g; s/ /\\040/g; s/\t/\\011/g; s/:/\\072/g'; }
swap_areas=$(awk 'NR > 1 && NF >= 5 { n = split($1, p, ":"); name = p[1]; for (i = 2; i <= n; i++) name = name "\\072" p[i]; print name, $2, $3, $4, $5 }' "$swaps_file" |
	while read -r sw_name sw_type sw_size sw_used sw_prio; do
		sw_dm=""
		case "$sw_name" in
		/dev/dm-*) sw_dm=${sw_name#/dev/} ;;
		/dev/mapper/*)
			for d in "$sys_block"/dm-*; do
				if [ "/dev/mapper/$(escape_name "$(cat "$d/dm/name" 2>/dev/null)")" = "$sw_name" ]; then sw_dm=${d##*/}; fi
			done
			;;
		esac
		sw_kind="device"
		sw_mapper=""
		if [ "$sw_type" = file ]; then
			sw_kind="file"
		elif [ -n "$sw_dm" ]; then
			sw_mapper=$(escape_name "$(cat "$sys_block/$sw_dm/dm/name" 2>/dev/null || true)")
			case "$(cat "$sys_block/$sw_dm/dm/uuid" 2>/dev/null || true)" in CRYPT-*) sw_kind=encrypted ;; esac
		else
			case "$sw_name" in /dev/zram*) sw_kind=zram ;; esac
		fi
		printf '%s:%s:%s:%s:%s:%s ' "$sw_name" "$sw_kind" "$sw_size" "$sw_used" "$sw_prio" "$sw_mapper"
	done)
fact swap_areas "${swap_areas% }"

wait
fact kubeadm_version "$(cat "$versions/kubeadm" 2>/dev/null || true)"
fact kubelet_version "$(cat "$versions/kubelet" 2>/dev/null || true)"
