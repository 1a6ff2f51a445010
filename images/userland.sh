#!/bin/sh
# userland.sh CACHE_DIR — fetch the static busybox and e2fsck of a foreign
# architecture (KARCH, e.g. arm64) without installing them: busybox-static
# and e2fsck-static are not multi-arch, so `apt-get download PKG:KARCH` and
# `dpkg-deb -x`, as kernel.sh does with the kernel.
#
#   CACHE_DIR/userland/PKG_VERSION/...   each package, unpacked
#   CACHE_DIR/userland/busybox           -> the busybox binary
#   CACHE_DIR/userland/e2fsck            -> e2fsck.static (when it could be had)
#
# Prints CACHE_DIR/userland. A quick no-op when the versions are cached; when
# apt cannot be asked (offline) what is cached is used. e2fsck is optional
# (mkimage.sh warns that `fsck = true` will be skipped without it).
set -eu

cache=${1:?usage: userland.sh CACHE_DIR}
karch=${KARCH:?KARCH (the Debian architecture, e.g. arm64) is required}
say() { echo "userland: $*" >&2; }
mkdir -p "$cache/userland"
dir=$(cd "$cache/userland" && pwd)

# fetch PKG PATH LINK: unpack PKG:KARCH's current version, link LINK to PATH in it.
fetch() {
	ver=$(apt-cache show --no-all-versions "$1:$karch" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1)
	if [ -z "$ver" ]; then
		[ -e "$dir/$3" ] && { say "apt knows no $1:$karch, using the cached one"; return 0; }
		say "apt knows no $1:$karch (dpkg --add-architecture $karch; apt-get update: make deps)"
		return 1
	fi
	key=${1}_$(echo "$ver" | tr ':' '%')
	if [ ! -f "$dir/$key/$2" ]; then
		say "fetching $1:$karch $ver"
		work=$dir/.work.$$
		rm -rf "$work" "${dir:?}/$key"
		mkdir -p "$work"
		if ! (cd "$work" && apt-get download "$1:$karch" >/dev/null 2>"$work/apt.err"); then
			cat "$work/apt.err" >&2
			rm -rf "$work"
			say "apt-get download $1:$karch failed"
			return 1
		fi
		dpkg-deb -x "$work"/*.deb "$work/x"
		mv "$work/x" "$dir/$key"
		rm -rf "$work"
		[ -f "$dir/$key/$2" ] || { say "no $2 in $1"; return 1; }
	fi
	ln -sfn "$key/$2" "$dir/$3"
}

fetch busybox-static bin/busybox busybox
fetch e2fsck-static sbin/e2fsck.static e2fsck || say "no e2fsck for $karch"
echo "$dir"
