# shellcheck shell=bash
# iptables_args prints mkimage arguments (one a line) that put Debian's iptables with the nft backend
# into an image: xtables-nft-multi as iptables/ip6tables{,-save,-restore} and their -nft names, every
# xtables extension, every shared library they load (-ldd) and /etc/protocols. kube-proxy (lab/k8sbuild)
# and flanneld (lab/flannelbuild) program iptables with it. Sourced by their build.sh; needs die().
iptables_args() {
	local xt
	[ -x /usr/sbin/xtables-nft-multi ] || die "/usr/sbin/xtables-nft-multi is missing (Debian package iptables)"
	xt="$(ldd /usr/sbin/xtables-nft-multi | awk '/libxtables/ { print $3 }')"
	[ -n "$xt" ] || die "cannot find libxtables of /usr/sbin/xtables-nft-multi"
	xt="$(dirname "$(readlink -f "$xt")")/xtables"
	[ -d "$xt" ] || die "no xtables extension directory at $xt"
	echo -ldd -host /usr/sbin/xtables-nft-multi -host "$xt"
	local t
	for t in iptables ip6tables; do
		for s in "" -save -restore; do
			echo -symlink "/usr/sbin/$t$s=xtables-nft-multi" -symlink "/usr/sbin/$t-nft$s=xtables-nft-multi"
		done
	done
	[ ! -f /etc/protocols ] || echo -host /etc/protocols
}

