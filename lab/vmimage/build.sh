#!/usr/bin/env bash
# Builds the root disk, kernel and initrd of the lab's `vm` hosts: a Debian guest
# (cgroup v2, systemd, sshd, containerd from Debian) with the lab's Kubernetes
# build installed and its images imported, booted by `lab up --vm-workers K`
# under qemu (software emulation).
#
#   lab/vmimage/build.sh --payload DIR --revision R [--k8s-version v1.37.2] [--release bookworm] [--cache DIR]
#   lab/vmimage/build.sh --base-only [--release bookworm] [--cache DIR]
#
# DIR is a tree copied over the root (kubelet units, containerd's configuration);
# `lab up` and `lab vm-image` (make vm-image) write it and run this script.
#
# Result (see lab/README.md, "vm hosts"):
#   $CACHE/vm/<release>-<k8s-version>-<R>/vmlinuz, initrd.img
#   $CACHE/vm/<release>-<k8s-version>-<R>/disk.img  (raw ext4, sparse; the backing
#                                                 file of every guest's qcow2 overlay)
#   $CACHE/vm/<release>-<k8s-version>-<R>/IMAGES    (the image tarballs imported)
#   $CACHE/vm/<release>-<k8s-version>-<R>/DONE      (written last)
# Needs the Kubernetes build ($CACHE/k8s/<version>/DONE) and the machine's
# Debian mirror (read from /etc/apt). An existing DONE means nothing is done.
#
# The Debian root (debootstrap, the long step) is kept apart as the base,
#   $CACHE/vm/base-<release>-<hash of the package list>/root (and DONE),
# which needs neither the payload nor Kubernetes: --base-only builds just it, so
# `make test` runs it beside the CPU-bound Kubernetes compile (it is network
# and dpkg bound). An image build copies the base, building it first if missing.
set -euo pipefail

K8S_VERSION=v1.37.2
RELEASE=bookworm
CACHE="${SWAPBOOT_LAB_CACHE:-/var/cache/swapboot-lab}"
DISK_SIZE=8G
PAYLOAD=""
REVISION=""
BASE_ONLY=""

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case "$1" in
	--k8s-version) K8S_VERSION="${2:?--k8s-version needs a value}"; shift 2 ;;
	--release) RELEASE="${2:?--release needs a value}"; shift 2 ;;
	--cache) CACHE="${2:?--cache needs a value}"; shift 2 ;;
	--payload) PAYLOAD="${2:?--payload needs a value}"; shift 2 ;;
	--revision) REVISION="${2:?--revision needs a value}"; shift 2 ;;
	--base-only) BASE_ONLY=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "vmimage/build.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done

log() { printf '%s vmimage: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
mins() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
if [ -z "$BASE_ONLY" ]; then
	[ -d "$PAYLOAD" ] || { usage >&2; die "--payload DIR is required"; }
	[ -n "$REVISION" ] || { usage >&2; die "--revision R is required (lab/vmimage.go's vmImageRevision)"; }
	K8S="$CACHE/k8s/$K8S_VERSION"
	[ -f "$K8S/DONE" ] || die "no Kubernetes build at $K8S (run lab/k8sbuild/build.sh --version $K8S_VERSION first)"
fi
for c in debootstrap mkfs.ext4 containerd ctr flock sha256sum; do
	command -v "$c" >/dev/null || die "$c is missing: make prereqs installs lab/prereq/debian-packages.txt"
done

PKGS=systemd,systemd-sysv,dbus,udev,kmod,openssh-server,iproute2,iptables,procps,ca-certificates
PKGS+=,linux-image-cloud-amd64,initramfs-tools
PKGS+=,containerd,runc,containernetworking-plugins,conntrack,socat,ethtool,ebtables,util-linux,mount,e2fsprogs,netbase

mkdir -p "$CACHE/vm"
CACHE="$(cd "$CACHE" && pwd)"
BASE="$CACHE/vm/base-$RELEASE-$(printf '%s\n' "$PKGS" | sha256sum | cut -c1-12)"
OUT="$CACHE/vm/$RELEASE-$K8S_VERSION-$REVISION"
[ -z "$BASE_ONLY" ] || OUT="$BASE"
if [ -f "$OUT/DONE" ]; then
	log "reusing $OUT (DONE exists); nothing to do"
	exit 0
fi

# The mirror the machine's apt uses for RELEASE (deb822 .sources or one-line lists).
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v rel="$RELEASE" '
			/^[[:space:]]*$/ { if (uri != "" && suite && deb) { print uri; done = 1; exit } uri = ""; suite = 0; deb = 0; next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == rel) suite = 1 }
			END { if (!done && uri != "" && suite && deb) print uri }' "$f" | sed -n 1p
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v '^#' |
		awk -v rel="$RELEASE" '$1 == "deb" { u = ""; for (i = 2; i <= NF; i++) { if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; continue } if (u == "") { u = $i; continue } if ($i == rel) { print u; exit } break } }' || true
}
MIRROR="$(mirror | sed -n 1p)"
[ -n "$MIRROR" ] || die "no Debian mirror for $RELEASE in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"

WORK=""
CTRD_PID=""
TICKER=""
# mounts_under DIR: mount points below DIR, deepest first.
mounts_under() { awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r; }
cleanup() {
	[ -z "$TICKER" ] || kill "$TICKER" 2>/dev/null || true
	[ -z "$CTRD_PID" ] || { kill "$CTRD_PID" 2>/dev/null || true; wait "$CTRD_PID" 2>/dev/null || true; }
	[ -n "$WORK" ] || return 0
	# chroot mounts and any snapshot the import containerd left mounted, deepest first
	mounts_under "$WORK" | while read -r m; do umount -l "$m" || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- 1. root file system (the base) ----------------------------------------------
# build_base makes $BASE under its own lock (an image build may wait here for a --base-only run).
build_base() {
	local rc=0 t0 bwork
	exec 8>"$CACHE/vm/.base.lock"
	flock -n 8 || { log "another build holds $CACHE/vm/.base.lock (the Debian base); waiting"; flock 8; }
	if [ -f "$BASE/DONE" ]; then
		exec 8>&-
		return 0
	fi
	rm -rf "$CACHE/vm/.tmp-base-"*
	bwork="$(mktemp -d "$CACHE/vm/.tmp-base-$RELEASE.XXXXXX")"
	WORK="$bwork"
	t0=$(date +%s)
	log "[1/4] debootstrap $RELEASE from $MIRROR into $BASE (the long step: 8-10 min on 2 busy cores)"
	# A line every 30 s, so the long step never looks hung.
	(while sleep 30; do log "[1/4] debootstrap: $(mins $(($(date +%s) - t0))) so far: $(tail -n 1 "$bwork/debootstrap.log" 2>/dev/null)"; done) &
	TICKER=$!
	debootstrap --variant=minbase --include="$PKGS" "$RELEASE" "$bwork/root" "$MIRROR" >"$bwork/debootstrap.log" 2>&1 || rc=$?
	kill "$TICKER" 2>/dev/null || true
	wait "$TICKER" 2>/dev/null || true
	TICKER=""
	[ "$rc" = 0 ] || { tail -n 30 "$bwork/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
	mounts_under "$bwork" | while read -r m; do umount -l "$m" || true; done
	rm -f "$bwork"/root/var/cache/apt/archives/*.deb
	{ echo "release=$RELEASE"; echo "mirror=$MIRROR"; echo "packages=$PKGS"; echo "seconds=$(($(date +%s) - t0))"; } >"$bwork/BASEINFO"
	rm -rf "$BASE"
	mkdir -p "$BASE"
	mv "$bwork/root" "$bwork/BASEINFO" "$BASE/"
	date -u +%Y-%m-%dT%H:%M:%SZ >"$BASE/DONE"
	rm -rf "$bwork"
	WORK=""
	log "[1/4] done in $(mins $(($(date +%s) - t0))): $BASE"
	exec 8>&-
}

START=$(date +%s)
build_base
if [ -n "$BASE_ONLY" ]; then
	exit 0
fi

exec 9>"$CACHE/vm/.build.lock"
flock -n 9 || { log "another build holds $CACHE/vm/.build.lock; waiting"; flock 9; }
if [ -f "$OUT/DONE" ]; then
	log "reusing $OUT (built meanwhile); nothing to do"
	exit 0
fi
rm -rf "$CACHE/vm/.tmp-$RELEASE-"*
WORK="$(mktemp -d "$CACHE/vm/.tmp-$RELEASE-$K8S_VERSION.XXXXXX")"
ROOT="$WORK/root"
log "building the vm image $OUT from the base $BASE (work dir $WORK)"
cp -a "$BASE/root" "$ROOT"

# --- 2. configuration ------------------------------------------------------------
t0=$(date +%s)
log "[2/4] configuring the guest, initramfs with the virtio modules, Kubernetes $K8S_VERSION"
E="$ROOT/etc"
echo "/dev/vda / ext4 defaults,discard 0 1" >"$E/fstab"
echo swapboot-vm >"$E/hostname"
: >"$E/machine-id"                     # a new one per guest, at its first boot
rm -f "$ROOT/var/lib/dbus/machine-id" "$E"/ssh/ssh_host_*   # every guest gets its own host key (seed)
ln -sf /dev/null "$E/systemd/system/systemd-firstboot.service"
# Periodic maintenance would compete with the cluster for the emulated CPUs of a short-lived guest.
for t in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer; do
	ln -sf /dev/null "$E/systemd/system/$t"
done
mkdir -p "$E/ssh/sshd_config.d" "$E/modules-load.d" "$E/sysctl.d" "$E/containerd" "$ROOT/root/.ssh"
chmod 700 "$ROOT/root/.ssh"
cat >"$E/ssh/sshd_config.d/swapboot-lab.conf" <<'CONF'
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
PermitRootLogin prohibit-password
UseDNS no
CONF
# What kubeadm's preflight and kube-proxy want of a node.
printf 'overlay\nbr_netfilter\n' >"$E/modules-load.d/swapboot-lab.conf"
printf 'net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\n' >"$E/sysctl.d/90-swapboot-lab.conf"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' >>"$E/initramfs-tools/modules"

# Per-guest files come from a tar archive on the second disk (the seed, made by
# `lab up`): host name, address and routes, host key, authorized key, CNI config.
cat >"$ROOT/usr/local/sbin/swapboot-lab-seed" <<'SEED'
#!/bin/sh
# Unpacks the lab's per-guest files from the seed disk, then runs its setup script.
set -eu
tar -xf /dev/vdb -C / --no-same-owner
chmod 600 /etc/ssh/ssh_host_ed25519_key
hostname -F /etc/hostname
if [ -x /etc/swapboot-lab/setup.sh ]; then /etc/swapboot-lab/setup.sh; fi
SEED
chmod 755 "$ROOT/usr/local/sbin/swapboot-lab-seed"
cat >"$E/systemd/system/swapboot-lab-seed.service" <<'UNIT'
[Unit]
Description=swapboot lab: this guest's files from the seed disk
DefaultDependencies=no
BindsTo=dev-vdb.device
After=dev-vdb.device local-fs.target systemd-modules-load.service
Before=sysinit.target network-pre.target systemd-networkd.service ssh.service
Wants=network-pre.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/swapboot-lab-seed

[Install]
WantedBy=sysinit.target
UNIT
mkdir -p "$E/systemd/system/sysinit.target.wants"
ln -sf /etc/systemd/system/swapboot-lab-seed.service "$E/systemd/system/sysinit.target.wants/swapboot-lab-seed.service"

# The Kubernetes payload where the packages put it (lab/kubernetes.go installs the same on namespace hosts).
for b in kubeadm kubelet kubectl; do install -m 755 "$K8S/bin/$b" "$ROOT/usr/bin/$b"; done
cp -a "$PAYLOAD/." "$ROOT/"

mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
chroot "$ROOT" systemctl enable systemd-networkd >"$WORK/enable.log" 2>&1 || { cat "$WORK/enable.log" >&2; die "systemctl enable systemd-networkd failed"; }
chroot "$ROOT" update-initramfs -u -k all >"$WORK/initramfs.log" 2>&1 || { cat "$WORK/initramfs.log" >&2; die "update-initramfs failed"; }
umount "$ROOT/dev" "$ROOT/sys" "$ROOT/proc"
kernels=("$ROOT"/boot/vmlinuz-*)
{ [ "${#kernels[@]}" = 1 ] && [ -f "${kernels[0]}" ]; } || die "want exactly one kernel in $ROOT/boot, found: ${kernels[*]}"
KVER="${kernels[0]#"$ROOT"/boot/vmlinuz-}"
cp "$ROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
cp "$ROOT/boot/initrd.img-$KVER" "$WORK/initrd.img"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
log "[2/4] done in $(mins $(($(date +%s) - t0)))"

# --- 3. images -------------------------------------------------------------------
# Imported on this machine (ext4 metadata is ~40x slower in the guest) by a private containerd whose
# root is the guest's /var/lib/containerd: the guest's containerd (the same Debian version) finds them.
t0=$(date +%s)
TARS=("$K8S"/images/*.tar)
for d in "$CACHE"/flannel/*/images; do
	[ -d "$d" ] && TARS+=("$d"/*.tar)
done
log "[3/4] importing ${#TARS[@]} images into the guest's containerd"
mkdir -p "$WORK/ctrd-state"
cat >"$WORK/containerd.toml" <<CONF
version = 2
root = "$ROOT/var/lib/containerd"
state = "$WORK/ctrd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$WORK/ctrd.sock"
[ttrpc]
  address = "$WORK/ctrd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$WORK/ctrd-opt"
CONF
containerd --config "$WORK/containerd.toml" >"$WORK/containerd.log" 2>&1 &
CTRD_PID=$!
for _ in $(seq 100); do [ -S "$WORK/ctrd.sock" ] && break; sleep 0.1; done
[ -S "$WORK/ctrd.sock" ] || { cat "$WORK/containerd.log" >&2; die "the import containerd did not start"; }
: >"$WORK/IMAGES"
for t in "${TARS[@]}"; do
	ctr --address "$WORK/ctrd.sock" -n k8s.io images import --snapshotter overlayfs "$t" >&2 || die "import $t failed"
	echo "$t" >>"$WORK/IMAGES"
done
ctr --address "$WORK/ctrd.sock" -n k8s.io images ls -q >"$WORK/images.ls"
kill "$CTRD_PID"; wait "$CTRD_PID" 2>/dev/null || true; CTRD_PID=""
mounts_under "$ROOT" | while read -r m; do umount "$m"; done
log "[3/4] done in $(mins $(($(date +%s) - t0))): $(wc -l <"$WORK/images.ls") image references"

# --- 4. disk -----------------------------------------------------------------------
t0=$(date +%s)
log "[4/4] making the $DISK_SIZE ext4 disk (sparse)"
STAGE="$WORK/out"
mkdir -p "$STAGE"
truncate -s "$DISK_SIZE" "$STAGE/disk.img"
mkfs.ext4 -q -F -L swapboot-vm -d "$ROOT" "$STAGE/disk.img" || die "mkfs.ext4 -d failed"
mv "$WORK/vmlinuz" "$WORK/initrd.img" "$WORK/IMAGES" "$STAGE/"
{
	echo "release=$RELEASE"
	echo "k8sVersion=$K8S_VERSION"
	echo "revision=$REVISION"
	echo "mirror=$MIRROR"
	echo "kernel=$KVER"
	# shellcheck disable=SC2016 # dpkg-query's own format
	echo "containerd=$(chroot "$ROOT" dpkg-query -W -f '${Version}' containerd)"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "seconds=$(($(date +%s) - START))"
} >"$STAGE/BUILDINFO"
log "[4/4] done in $(mins $(($(date +%s) - t0)))"
if [ -e "$OUT" ]; then mv "$OUT" "$WORK/stale"; fi
sync -f "$STAGE" 2>/dev/null || true
mv "$STAGE" "$OUT"
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/DONE.tmp"
mv "$OUT/DONE.tmp" "$OUT/DONE"
log "done in $(mins $(($(date +%s) - START))): $OUT"
du -sh --apparent-size "$OUT/disk.img" >&2
du -sh "$OUT" >&2
