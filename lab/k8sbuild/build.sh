#!/usr/bin/env bash
# Builds the Kubernetes binaries and FROM-scratch container images the
# real-cluster lab needs, from the Go module proxy only.
#
#   lab/k8sbuild/build.sh [--version v1.37.2] [--cache DIR]
#
# Result (see README.md):
#   $CACHE/k8s/<version>/bin/{kubeadm,kubelet,kubectl,kube-apiserver,
#       kube-controller-manager,kube-scheduler,kube-proxy,etcd,coredns,pause}
#   $CACHE/k8s/<version>/images/<name>.tar   (ctr -n k8s.io images import FILE)
#   $CACHE/k8s/<version>/images.txt          (kubeadm config images list)
#   $CACHE/k8s/<version>/DONE                (written last)
# An existing DONE means the cache is reused and nothing is done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION=""
CACHE="${SWAPBOOT_LAB_CACHE:-/var/cache/swapboot-lab}"

usage() {
	sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--version) VERSION="${2:?--version needs a value}"; shift 2 ;;
	--version=*) VERSION="${1#*=}"; shift ;;
	--cache) CACHE="${2:?--cache needs a value}"; shift 2 ;;
	--cache=*) CACHE="${1#*=}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "build.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done

log() { printf '%s k8sbuild: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The version the committed go.mod/go.sum are for.
DEFAULT_VERSION="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$HERE/go.mod")"
[ -n "$DEFAULT_VERSION" ] || die "cannot read the k8s.io/kubernetes version from $HERE/go.mod"
VERSION="${VERSION:-$DEFAULT_VERSION}"
[[ "$VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "--version must look like v1.37.2, got $VERSION"
MINOR="${BASH_REMATCH[1]}"
STAGING_VERSION="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

mkdir -p "$CACHE/k8s"
CACHE="$(cd "$CACHE" && pwd)"
OUT="$CACHE/k8s/$VERSION"
if [ -f "$OUT/DONE" ]; then
	log "reusing the cache at $OUT (DONE exists); nothing to do"
	exit 0
fi

# One build per cache at a time.
exec 9>"$CACHE/k8s/.build.lock"
command -v flock >/dev/null || die "flock (util-linux) is missing"
flock -n 9 || { log "another build holds $CACHE/k8s/.build.lock; waiting"; flock 9; }
if [ -f "$OUT/DONE" ]; then
	log "reusing the cache at $OUT (built meanwhile); nothing to do"
	exit 0
fi

# Work dirs of builds that were killed (we hold the lock, so none is live).
rm -rf "$CACHE/k8s/.tmp-"*

START=$(date +%s)
STEPS=4
# The figure printed at the start: a cold build measured on 2 cores (docs/performance.md).
EXPECT_MIN=16

TICKER=""
stop_ticker() {
	[ -z "$TICKER" ] || { kill "$TICKER" 2>/dev/null || true; wait "$TICKER" 2>/dev/null || true; }
	TICKER=""
}

mins() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }

# run_step N DESCRIPTION CMD...: runs CMD with a line every 30 s saying what is being built, for how
# long, and how far along the build is, so a long compile never looks hung.
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

# --- what the build runs -------------------------------------------------------
# The Debian packages are installed by `make prereqs` (bin/prereqs -install; make demo and make test run it) from
# the one list, lab/prereq/debian-packages.txt; here only what this script itself runs is checked.
command -v go >/dev/null || die "go is not on PATH"
[ -x /usr/sbin/xtables-nft-multi ] || die "/usr/sbin/xtables-nft-multi is missing: install the Debian packages first (make prereqs, or apt-get install iptables)"

# --- work dir: everything is built here and renamed into place at the end ---
WORK="$(mktemp -d "$CACHE/k8s/.tmp-$VERSION.XXXXXX")"
cleanup() { stop_ticker; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
STAGE="$WORK/out"
mkdir -p "$STAGE/bin" "$STAGE/images"

export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
export GOFLAGS="-buildvcs=false -mod=readonly"

# --- the Go modules ----------------------------------------------------------
# gen_k8s_module DIR: the same recipe as the committed module, for VERSION.
gen_k8s_module() {
	local dir="$1" kmod godir
	mkdir -p "$dir"
	kmod="$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
	[ -f "$kmod" ] || die "cannot download k8s.io/kubernetes@$VERSION"
	godir="$(awk '$1 == "go" { print $2; exit }' "$kmod")"
	{
		echo "module github.com/swapboot/swapboot/lab/k8sbuild"
		echo
		echo "go ${godir:-1.26.0}"
		grep '^godebug ' "$kmod" || true
		echo
		echo "require k8s.io/kubernetes $VERSION"
		echo
		echo "replace ("
		awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$kmod" |
			grep -v -e '^k8s.io/sample-cli-plugin$' -e '^k8s.io/sample-controller$' |
			while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
		echo ")"
	} >"$dir/go.mod"
	cp "$HERE/tools.go" "$dir/"
	cp -r "$HERE/cmd" "$dir/"
	(cd "$dir" && GOFLAGS=-mod=mod go mod tidy)
}

# gen_coredns_module DIR VERSION
gen_coredns_module() {
	mkdir -p "$1"
	cp "$HERE/coredns/tools.go" "$1/"
	cp -r "$HERE/coredns/cmd" "$1/"
	printf 'module github.com/swapboot/swapboot/lab/k8sbuild/coredns\n\ngo 1.25.0\n\nrequire github.com/coredns/coredns %s\n' "$2" >"$1/go.mod"
	(cd "$1" && GOFLAGS=-mod=mod go mod tidy)
}

if [ "$VERSION" = "$DEFAULT_VERSION" ]; then
	KMOD="$HERE"
else
	log "generating a module for k8s.io/kubernetes $VERSION in $WORK/mod"
	KMOD="$WORK/mod"
	gen_k8s_module "$KMOD"
fi
CMOD="$HERE/coredns"

gomod_field() { (cd "$1" && go list -m -f "$3" "$2"); }

# Version stamping, as the Kubernetes release build does it. The build date is
# the module version's time, so a rebuild of the same version is identical.
BUILD_DATE="$(gomod_field "$KMOD" k8s.io/kubernetes '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')"
GIT_COMMIT="$(cd "$KMOD" && go mod download -json "k8s.io/kubernetes@$VERSION" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)",\{0,1\}$/\1/p' | head -n1)"
GIT_COMMIT="${GIT_COMMIT:-0000000000000000000000000000000000000000}"
SOURCE_DATE_EPOCH="$(date -u -d "$BUILD_DATE" +%s)"
KLDFLAGS="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	KLDFLAGS+=" -X $p.gitVersion=$VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR"
	KLDFLAGS+=" -X $p.gitCommit=$GIT_COMMIT -X $p.gitTreeState=clean -X $p.buildDate=$BUILD_DATE"
done
# -dwarf=false: the binaries are stripped (-s -w) anyway, so the compiler need not produce the debug
# information the linker then throws away.
gobuild() { # gobuild MODDIR LDFLAGS PKG...
	local dir="$1" ldflags="$2"
	shift 2
	(cd "$dir" && go build -trimpath -gcflags=all=-dwarf=false -ldflags "$ldflags" -o "$STAGE/bin/" "$@")
}

KUBE_CMDS=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
KUBE_PKGS=()
for c in "${KUBE_CMDS[@]}"; do KUBE_PKGS+=("k8s.io/kubernetes/cmd/$c"); done

log "building Kubernetes $VERSION into $OUT (work dir $WORK)"
log "the first run builds Kubernetes, etcd and CoreDNS from source: about $EXPECT_MIN min on 2 cores; later runs reuse $OUT"
log "go $(go env GOVERSION), GOCACHE=$(go env GOCACHE), GOMODCACHE=$(go env GOMODCACHE)"

# --- modules -------------------------------------------------------------------
# `go list -deps` fetches exactly the modules the builds below import (not every module of the graph).
download_modules() {
	(cd "$KMOD" && go list -deps "${KUBE_PKGS[@]}" ./cmd/etcd ./cmd/pause >/dev/null) &&
		(cd "$CMOD" && go list -deps ./cmd/coredns >/dev/null)
}
run_step 1 "downloading the Go modules of Kubernetes $VERSION, etcd and CoreDNS" download_modules

# --- binaries ----------------------------------------------------------------
# images_and_tags: the images kubeadm itself expects (--kubernetes-version keeps it offline), and the
# etcd and CoreDNS versions they name.
images_and_tags() {
	"$STAGE/bin/kubeadm" config images list --kubernetes-version "$VERSION" >"$STAGE/images.txt"
	log "images kubeadm $VERSION expects:"
	sed 's/^/    /' "$STAGE/images.txt" >&2
	got="$("$STAGE/bin/kubeadm" version -o short)"
	[ "$got" = "$VERSION" ] || die "kubeadm version -o short printed '$got', want $VERSION"
	ETCD_TAG="$(image_tag etcd)"
	COREDNS_TAG="$(image_tag coredns)"
	if [ -z "$ETCD_TAG" ] || [ -z "$COREDNS_TAG" ]; then die "images.txt lacks etcd or coredns"; fi
	ETCD_WANT="v${ETCD_TAG%-*}"
}
image_tag() { # image_tag NAME: the tag kubeadm expects for image NAME
	awk -v n="$1" '{ r = $0; sub(/.*\//, "", r); split(r, a, ":"); if (a[1] == n) { print a[2]; exit } }' "$STAGE/images.txt"
}

all_go_cmds="$(printf '%s, ' "${KUBE_CMDS[@]}")etcd, pause"
if [ "$VERSION" = "$DEFAULT_VERSION" ]; then
	# The committed go.mod already pins the etcd kubeadm expects (checked below), so every Go command
	# of the module builds in one `go build`: its scheduler keeps both cores busy to the end and each
	# shared package compiles once.
	run_step 2 "compiling $all_go_cmds in one go build" gobuild "$KMOD" "$KLDFLAGS" "${KUBE_PKGS[@]}" ./cmd/etcd ./cmd/pause
	images_and_tags
	etcd_have="$(gomod_field "$KMOD" go.etcd.io/etcd/server/v3 '{{.Version}}')"
	[ "$etcd_have" = "$ETCD_WANT" ] || die "go.mod has etcd $etcd_have but kubeadm $VERSION expects $ETCD_WANT: update go.mod"
else
	# Another version: kubeadm first, to learn which etcd it expects, then the rest.
	build_other_version() {
		gobuild "$KMOD" "$KLDFLAGS" k8s.io/kubernetes/cmd/kubeadm || return
		images_and_tags
		etcd_have="$(gomod_field "$KMOD" go.etcd.io/etcd/server/v3 '{{.Version}}')"
		if [ "$etcd_have" != "$ETCD_WANT" ]; then
			log "pinning etcd $ETCD_WANT (kubernetes requires $etcd_have)"
			(cd "$KMOD" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$ETCD_WANT") || return
		fi
		gobuild "$KMOD" "$KLDFLAGS" "${KUBE_PKGS[@]:1}" ./cmd/etcd ./cmd/pause
	}
	run_step 2 "compiling kubeadm, then ${all_go_cmds#kubeadm, }" build_other_version
	[ -n "${ETCD_WANT:-}" ] || images_and_tags
fi

coredns_have="$(gomod_field "$CMOD" github.com/coredns/coredns '{{.Version}}')"
if [ "$coredns_have" != "$COREDNS_TAG" ]; then
	[ "$VERSION" != "$DEFAULT_VERSION" ] || die "coredns/go.mod has $coredns_have but kubeadm expects $COREDNS_TAG: update it"
	log "generating a coredns $COREDNS_TAG module in $WORK/coredns"
	CMOD="$WORK/coredns"
	gen_coredns_module "$CMOD" "$COREDNS_TAG"
fi
run_step 3 "compiling CoreDNS $COREDNS_TAG (the plugins a kubeadm Corefile uses)" \
	gobuild "$CMOD" "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_TAG" ./cmd/coredns

MKIMAGE="$WORK/mkimage"
(cd "$HERE" && go build -trimpath -o "$MKIMAGE" ./cmd/mkimage)

got="$("$STAGE/bin/kubelet" --version)"
[ "$got" = "Kubernetes $VERSION" ] || die "kubelet --version printed '$got', want 'Kubernetes $VERSION'"
for b in kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy etcd coredns pause; do
	[ -x "$STAGE/bin/$b" ] || die "missing binary $b"
done

# --- images ------------------------------------------------------------------
log "[4/$STEPS] making the images kubeadm expects"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$WORK/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$WORK/group"
common=(
	-mtime "$SOURCE_DATE_EPOCH"
	-env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	-dir /tmp:1777
	-add "$WORK/passwd:/etc/passwd" -add "$WORK/group:/etc/group"
)

# kube-proxy programs the service IPs with iptables (iptables_args, shared with lab/flannelbuild).
# shellcheck source=lab/k8sbuild/iptables_args.sh
. "$HERE/iptables_args.sh"

while read -r ref; do
	[ -n "$ref" ] || continue
	name="${ref##*/}"
	name="${name%%:*}"
	args=()
	case "$name" in
	kube-apiserver | kube-controller-manager | kube-scheduler | etcd)
		args=(-add "$STAGE/bin/$name:/usr/local/bin/$name" -entrypoint "[\"/usr/local/bin/$name\"]") ;;
	kube-proxy)
		read -r -a extra <<<"$(iptables_args | tr '\n' ' ')"
		args=(-add "$STAGE/bin/$name:/usr/local/bin/$name" -entrypoint "[\"/usr/local/bin/$name\"]" "${extra[@]}") ;;
	coredns)
		args=(-add "$STAGE/bin/coredns:/coredns" -entrypoint '["/coredns"]') ;;
	pause)
		args=(-add "$STAGE/bin/pause:/pause" -entrypoint '["/pause"]') ;;
	*) die "kubeadm expects an image this script does not know how to make: $ref" ;;
	esac
	"$MKIMAGE" -o "$STAGE/images/$name.tar" -ref "$ref" "${common[@]}" "${args[@]}" >&2
done <"$STAGE/images.txt"
log "[4/$STEPS] made $(wc -l <"$STAGE/images.txt") images"

# --- into place --------------------------------------------------------------
{
	echo "version=$VERSION"
	echo "gitCommit=$GIT_COMMIT"
	echo "buildDate=$BUILD_DATE"
	echo "etcd=$ETCD_WANT"
	echo "coredns=$COREDNS_TAG"
	echo "go=$(go env GOVERSION)"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "seconds=$(($(date +%s) - START))"
} >"$STAGE/BUILDINFO"
(cd "$STAGE" && find bin images -type f -print0 | sort -z | xargs -0 sha256sum) >"$STAGE/SHA256SUMS"

# A stale (not DONE) directory of an earlier, interrupted rename goes first.
if [ -e "$OUT" ]; then
	mv "$OUT" "$WORK/stale"
fi
sync -f "$STAGE" 2>/dev/null || true
mv "$STAGE" "$OUT"
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/DONE.tmp"
mv "$OUT/DONE.tmp" "$OUT/DONE"
log "done in $(mins $(($(date +%s) - START))): $OUT"
du -sh "$OUT/bin" "$OUT/images" >&2
