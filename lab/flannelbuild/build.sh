#!/usr/bin/env bash
# Builds flannel (flanneld and its CNI plugin) and the lab's test-tools image from the Go module proxy
# and Debian's packages, as FROM-scratch container images for the lab hosts.
#
#   lab/flannelbuild/build.sh [--cache DIR]
#
# Result (see README.md):
#   $CACHE/flannel/<version>/bin/{flanneld,flannel,memhog}
#   $CACHE/flannel/<version>/images/{flannel,flannel-cni-plugin,tools}.tar
#   $CACHE/flannel/<version>/images.txt   (the references, as the manifest writes them)
#   $CACHE/flannel/<version>/DONE         (written last)
# The version and the references come from bootstrap/cni and package lab (go run ./lab/cmd/flannelpins).
# An existing DONE means the cache is reused and nothing is done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${SWAPBOOT_LAB_CACHE:-/var/cache/swapboot-lab}"

usage() {
	sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--cache) CACHE="${2:?--cache needs a value}"; shift 2 ;;
	--cache=*) CACHE="${1#*=}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "build.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done

log() { printf '%s flannelbuild: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH"

# The pins: one source of truth (bootstrap/cni, package lab).
FLANNEL_VERSION="" FLANNEL_IMAGE="" CNI_PLUGIN_IMAGE="" TOOLS_IMAGE=""
log "reading the pinned versions (go run ./lab/cmd/flannelpins: seconds, or about a minute on an empty Go cache)"
PINS="$(cd "$REPO" && go run ./lab/cmd/flannelpins)" || die "go run ./lab/cmd/flannelpins failed"
while IFS='=' read -r k v; do
	case "$k" in
	FLANNEL_VERSION) FLANNEL_VERSION="$v" ;;
	FLANNEL_IMAGE) FLANNEL_IMAGE="$v" ;;
	CNI_PLUGIN_IMAGE) CNI_PLUGIN_IMAGE="$v" ;;
	TOOLS_IMAGE) TOOLS_IMAGE="$v" ;;
	esac
done <<<"$PINS"
if [ -z "$FLANNEL_VERSION" ] || [ -z "$FLANNEL_IMAGE" ] || [ -z "$CNI_PLUGIN_IMAGE" ] || [ -z "$TOOLS_IMAGE" ]; then
	die "flannelpins printed an incomplete set: $PINS"
fi
# The committed module must build the pinned release.
MOD_VERSION="$(cd "$HERE" && GOFLAGS=-mod=readonly go list -m -f '{{.Version}}' github.com/flannel-io/flannel)"
[ "$MOD_VERSION" = "$FLANNEL_VERSION" ] ||
	die "lab/flannelbuild/go.mod requires flannel $MOD_VERSION but bootstrap/cni pins $FLANNEL_VERSION: update go.mod (go get github.com/flannel-io/flannel@$FLANNEL_VERSION && go mod tidy)"

mkdir -p "$CACHE/flannel"
CACHE="$(cd "$CACHE" && pwd)"
OUT="$CACHE/flannel/$FLANNEL_VERSION"
if [ -f "$OUT/DONE" ]; then
	log "reusing the cache at $OUT (DONE exists); nothing to do"
	exit 0
fi

# One build per cache at a time.
exec 9>"$CACHE/flannel/.build.lock"
command -v flock >/dev/null || die "flock (util-linux) is missing"
flock -n 9 || { log "another build holds $CACHE/flannel/.build.lock; waiting"; flock 9; }
if [ -f "$OUT/DONE" ]; then
	log "reusing the cache at $OUT (built meanwhile); nothing to do"
	exit 0
fi
rm -rf "$CACHE/flannel/.tmp-"*

START=$(date +%s)
STEPS=3
# The figure printed at the start: a cold build measured on 2 cores (docs/performance.md).
EXPECT_MIN=6

TICKER=""
stop_ticker() {
	[ -z "$TICKER" ] || { kill "$TICKER" 2>/dev/null || true; wait "$TICKER" 2>/dev/null || true; }
	TICKER=""
}
mins() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }

# run_step N DESCRIPTION CMD...: runs CMD with a line every 30 s, so a long compile never looks hung.
run_step() {
	local n="$1" what="$2" t0 rc=0
	shift 2
	t0=$(date +%s)
	log "[$n/$STEPS] $what"
	(
		while sleep 30; do
			now=$(date +%s)
			log "[$n/$STEPS] $what: $(mins $((now - t0))) so far; $(mins $((now - START))) in all, $((STEPS - n)) step(s) after this (a cold build takes about $EXPECT_MIN min on 2 idle cores)"
		done
	) &
	TICKER=$!
	"$@" || rc=$?
	stop_ticker
	[ "$rc" = 0 ] || die "[$n/$STEPS] $what failed (exit $rc)"
	log "[$n/$STEPS] done in $(mins $(($(date +%s) - t0))): $what"
}

# --- what the images copy from the machine (lab/prereq/debian-packages.txt; make prereqs installs it) ---
BUSYBOX=/bin/busybox
[ -x /usr/sbin/xtables-nft-multi ] || die "/usr/sbin/xtables-nft-multi is missing: install the Debian packages first (make prereqs, or apt-get install iptables)"
"$BUSYBOX" --list 2>/dev/null | grep -x cp >/dev/null || die "$BUSYBOX (Debian package busybox-static) is missing: make prereqs, or apt-get install busybox-static"
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked: install busybox-static (not busybox)"
command -v gcc >/dev/null || die "gcc is missing (flanneld's UDP backend is cgo on amd64): make prereqs, or apt-get install gcc libc6-dev"

WORK="$(mktemp -d "$CACHE/flannel/.tmp-$FLANNEL_VERSION.XXXXXX")"
cleanup() { stop_ticker; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
STAGE="$WORK/out"
mkdir -p "$STAGE/bin" "$STAGE/images"

export GOOS=linux GOARCH=amd64
export GOFLAGS="-buildvcs=false -mod=readonly"
PMOD="$HERE/cniplugin"

log "building flannel $FLANNEL_VERSION and the test-tools image into $OUT (work dir $WORK)"
log "go $(go env GOVERSION), GOCACHE=$(go env GOCACHE), GOMODCACHE=$(go env GOMODCACHE)"

download_modules() {
	(cd "$HERE" && go list -deps github.com/flannel-io/flannel ./cmd/memhog >/dev/null) &&
		(cd "$PMOD" && go list -deps github.com/containernetworking/plugins/plugins/meta/flannel >/dev/null)
}
run_step 1 "downloading the Go modules of flannel $FLANNEL_VERSION and its CNI plugin" download_modules

# The build date is the module version's time, so a rebuild of the same version is identical.
BUILD_DATE="$(cd "$HERE" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' github.com/flannel-io/flannel)"
SOURCE_DATE_EPOCH="$(date -u -d "$BUILD_DATE" +%s)"
PLUGIN_SOURCE="$(cd "$PMOD" && go list -m -f '{{.Version}}' github.com/containernetworking/plugins)"
# -dwarf=false: the binaries are stripped (-s -w) anyway.
GCFLAGS="all=-dwarf=false"

compile() {
	# flanneld: cgo as upstream builds it on amd64 (its UDP backend is C), linked statically; netgo and
	# osusergo keep glibc's resolver and user lookups out of the static binary.
	(cd "$HERE" && CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo -gcflags="$GCFLAGS" \
		-ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION -linkmode external -extldflags -static" \
		-o "$STAGE/bin/flanneld" github.com/flannel-io/flannel) || return
	(cd "$HERE" && CGO_ENABLED=0 go build -trimpath -gcflags="$GCFLAGS" -ldflags "-s -w" -o "$STAGE/bin/memhog" ./cmd/memhog) || return
	(cd "$PMOD" && CGO_ENABLED=0 go build -trimpath -gcflags="$GCFLAGS" \
		-ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$PLUGIN_SOURCE" \
		-o "$STAGE/bin/flannel" github.com/containernetworking/plugins/plugins/meta/flannel)
}
run_step 2 "compiling flanneld $FLANNEL_VERSION, the flannel CNI plugin ($PLUGIN_SOURCE) and memhog" compile

got="$("$STAGE/bin/flanneld" --version 2>&1)"
[ "$got" = "$FLANNEL_VERSION" ] || die "flanneld --version printed '$got', want $FLANNEL_VERSION"
got="$(CNI_COMMAND=VERSION "$STAGE/bin/flannel" </dev/null)"
[[ "$got" == *'"0.3.1"'* ]] || die "the CNI plugin does not support CNI 0.3.1 (kube-flannel's conflist): $got"
for b in flanneld flannel memhog; do
	ldd "$STAGE/bin/$b" >/dev/null 2>&1 && die "$b is dynamically linked; want a static binary"
done

# --- images ------------------------------------------------------------------
MKIMAGE="$WORK/mkimage"
# shellcheck source=lab/k8sbuild/iptables_args.sh
. "$REPO/lab/k8sbuild/iptables_args.sh"

make_images() {
	# mkimage is lab/k8sbuild's (its module's graph is loaded once: about a minute on an empty Go cache).
	(cd "$REPO/lab/k8sbuild" && go build -trimpath -o "$MKIMAGE" ./cmd/mkimage) || return
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$WORK/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$WORK/group"
	local common=(
		-mtime "$SOURCE_DATE_EPOCH"
		-env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		-dir /tmp:1777
		-add "$WORK/passwd:/etc/passwd" -add "$WORK/group:/etc/group"
	)
	local ipt
	read -r -a ipt <<<"$(iptables_args | tr '\n' ' ')" || return
	# flanneld: what kube-flannel.yml runs (/opt/bin/flanneld; `cp` in the install-cni init container) and
	# what flanneld execs for --ip-masq and its forward rules (iptables, iptables-restore, ip6tables,
	# ip6tables-restore; the vxlan and host-gw backends use netlink only).
	"$MKIMAGE" -o "$STAGE/images/flannel.tar" -ref "$FLANNEL_IMAGE" "${common[@]}" \
		-add "$STAGE/bin/flanneld:/opt/bin/flanneld" -entrypoint '["/opt/bin/flanneld"]' \
		-add "$BUSYBOX:/usr/bin/busybox" -symlink /usr/bin/cp=busybox \
		-dir /run/flannel:755 -dir /etc/kube-flannel:755 "${ipt[@]}" >&2 || return
	# The CNI plugin: /flannel, copied by `cp` into the host's /opt/cni/bin.
	"$MKIMAGE" -o "$STAGE/images/flannel-cni-plugin.tar" -ref "$CNI_PLUGIN_IMAGE" "${common[@]}" \
		-add "$STAGE/bin/flannel:/flannel" -add "$BUSYBOX:/usr/bin/busybox" -symlink /usr/bin/cp=busybox >&2 || return
	# The test tools: busybox with every applet on PATH, and memhog.
	local applets=() a
	while read -r a; do
		[ -n "$a" ] && [ "$a" != busybox ] && applets+=(-symlink "/bin/$a=busybox")
	done < <("$BUSYBOX" --list)
	"$MKIMAGE" -o "$STAGE/images/tools.tar" -ref "$TOOLS_IMAGE" "${common[@]}" \
		-add "$BUSYBOX:/bin/busybox" "${applets[@]}" -add "$STAGE/bin/memhog:/bin/memhog" \
		-cmd '["/bin/sh"]' >&2
}
run_step 3 "making the images $FLANNEL_IMAGE, $CNI_PLUGIN_IMAGE, $TOOLS_IMAGE" make_images
printf '%s\n' "$FLANNEL_IMAGE" "$CNI_PLUGIN_IMAGE" "$TOOLS_IMAGE" >"$STAGE/images.txt"

# --- into place --------------------------------------------------------------
{
	echo "version=$FLANNEL_VERSION"
	echo "buildDate=$BUILD_DATE"
	echo "cniPluginSource=github.com/containernetworking/plugins@$PLUGIN_SOURCE"
	echo "busybox=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo unknown)"
	echo "iptables=$(dpkg-query -W -f '${Version}' iptables 2>/dev/null || echo unknown)"
	echo "go=$(go env GOVERSION)"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "seconds=$(($(date +%s) - START))"
} >"$STAGE/BUILDINFO"
(cd "$STAGE" && find bin images -type f -print0 | sort -z | xargs -0 sha256sum) >"$STAGE/SHA256SUMS"

if [ -e "$OUT" ]; then
	mv "$OUT" "$WORK/stale"
fi
sync -f "$STAGE" 2>/dev/null || true
mv "$STAGE" "$OUT"
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/DONE.tmp"
mv "$OUT/DONE.tmp" "$OUT/DONE"
log "done in $(mins $(($(date +%s) - START))): $OUT"
du -sh "$OUT/bin" "$OUT/images" >&2
