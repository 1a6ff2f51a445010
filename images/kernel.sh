#!/bin/sh
# kernel.sh CACHE_DIR — fetch the Debian kernel behind linux-image-$KARCH
# (linux-image-amd64 on this x86-64 host) without touching /boot, and keep
# what an image needs.
#
#   CACHE_DIR/PKG_VERSION/vmlinuz        the kernel
#   CACHE_DIR/PKG_VERSION/kver           its release string (uname -r)
#   CACHE_DIR/PKG_VERSION/modules/KVER/  the modules an image carries, with a
#                                        modules.dep written for them
#   CACHE_DIR/PKG_VERSION/modules.load   their paths (relative to modules/KVER)
#                                        in insmod order, dependencies first
#   CACHE_DIR/current -> PKG_VERSION
#
# Prints the kernel directory on stdout. A quick no-op when the version is
# already cached; when apt cannot be asked (offline) the cached one is used.
#
# Environment: KMODS — modules to carry, dependencies are added (default
# "veth bridge macvlan dummy i6300esb virtio_pci virtio_blk virtio_net ext4
# crc32c_generic overlay squashfs": the test bridges, macvlan links and the
# dummy lower device they hang on in the VM tests, the watchdog QEMU emulates, a virtio
# data disk with ext4 on it (ext4 loads the crc32c driver at every mount, and
# 6.1 builds it as a module), QEMU's user network, overlayfs for a writable
# /etc or /var over a read-only root, and squashfs for a disk image's root).
# A module of the default list that the kernel builds in (modules.builtin) or
# does not have is left out with a message; one named in KMODS must exist.
# KARCH — the Debian architecture of the kernel (default: this host's, from
# dpkg --print-architecture; arm64 needs `dpkg --add-architecture arm64`):
# linux-image-arm64 is Debian's arm64 kernel, a gzip'd Image that
# qemu-system-aarch64 -kernel loads as it is. A foreign KARCH reads each
# module's .modinfo with the cross objcopy (aarch64-linux-gnu-objcopy).
set -eu

cache=${1:?usage: kernel.sh CACHE_DIR}
default_kmods="veth bridge macvlan dummy i6300esb virtio_pci virtio_blk virtio_net ext4 crc32c_generic overlay squashfs"
kmods=${KMODS:-$default_kmods}
say() { echo "kernel: $*" >&2; }
host_arch=$(dpkg --print-architecture)
karch=${KARCH:-$host_arch}
meta=linux-image-$karch
# apt names a foreign architecture's package PKG:ARCH
qual=
[ "$karch" = "$host_arch" ] || qual=:$karch
case $karch in
amd64) objcopy=objcopy ;;
arm64) objcopy=aarch64-linux-gnu-objcopy ;;
*) say "unsupported KARCH $karch (amd64, arm64)"; exit 1 ;;
esac
[ "$karch" = "$host_arch" ] && objcopy=objcopy
command -v "$objcopy" >/dev/null || {
	say "$objcopy not found (make deps)"
	exit 1
}

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# 1. Which versioned package does linux-image-$KARCH stand for?
resolve() {
	apt-cache depends "$meta$qual" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}
pkg=$(resolve || true)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	say "apt knows no $meta$qual, running apt-get update"
	apt-get update -qq >&2 || true
	pkg=$(resolve || true)
fi
if [ -z "$pkg" ]; then
	if [ -f "$cache/current/stamp" ]; then
		say "apt cannot resolve $meta$qual, using the cached kernel"
		echo "$cache/current"
		exit 0
	fi
	say "cannot resolve $meta$qual (apt-get update?) and nothing is cached"
	exit 1
fi
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	sed -n 's/^Version: //p' | head -n 1)
key="${pkg%%:*}_${ver:-unknown}"
dir=$cache/$key

if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$kmods" ]; then
	ln -sfn "$key" "$cache/current"
	echo "$dir"
	exit 0
fi

# 2. Download and unpack it in a scratch directory.
say "fetching $pkg $ver"
work=$cache/.work.$$
trap 'rm -rf "$work"' EXIT INT TERM
rm -rf "$work" "$dir"
mkdir -p "$work/x"
(cd "$work" && apt-get download "$pkg" >/dev/null 2>"$work/apt.err") || {
	cat "$work/apt.err" >&2
	say "apt-get download $pkg failed"
	exit 1
}
# Only the kernel and the module tree: the rest of the package is not needed.
dpkg-deb --fsys-tarfile "$work"/*.deb |
	tar -x -C "$work/x" --wildcards './boot/vmlinuz-*' './lib/modules/*'
rm -f "$work"/*.deb

kver=$(ls "$work/x/lib/modules" | head -n 1)
[ -n "$kver" ] && [ -f "$work/x/boot/vmlinuz-$kver" ] || {
	say "unexpected package layout in $pkg"
	exit 1
}
src=$work/x/lib/modules/$kver

# 3. Resolve the module list with dependencies, in load order.
# modpath NAME: path of NAME's .ko* relative to the module tree ("-" and "_"
# are the same in module names).
(cd "$src" && find kernel -name '*.ko*') >"$work/all-modules"
modpath() {
	re=$(echo "$1" | sed 's/[-_]/[-_]/g')
	grep -E "/$re\.ko(\.[a-z]+)?\$" "$work/all-modules" | head -n 1
}
# unpack_ko SRC DST: plain .ko, whatever the package compressed it with
# (busybox insmod does not read .ko.xz / .ko.zst).
unpack_ko() {
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) say "unknown module format: $1"; return 1 ;;
	esac
}
# depends_of KO: the modules KO names in its .modinfo "depends=" field.
depends_of() {
	"$objcopy" -O binary --only-section=.modinfo "$1" "$work/modinfo" 2>/dev/null ||
		return 0
	tr '\0' '\n' <"$work/modinfo" | sed -n 's/^depends=//p' | tr , ' '
}

# visit NAME: depth-first, dependencies before the module itself. Sets
# path_NAME (its .ko) and closure_NAME (every module it needs, load order).
# (dash and busybox sh both have "local", which the recursion needs.)
order=
visit() {   # visit NAME top|dep
	local _v _deps p rel d _c _o m
	_v=$(echo "$1" | tr - _)
	case " $order " in *" $_v "*) return 0 ;; esac
	p=$(modpath "$_v")
	if [ -z "$p" ]; then
		# only a top-level name of the default list may be missing
		if [ -z "${KMODS:-}" ] && [ "$2" = top ]; then
			if builtin "$_v"; then
				say "$1 is built into $pkg (not carried)"
			else
				say "module $1 not found in $pkg (not carried)"
			fi
			return 0
		fi
		say "module $1 not found in $pkg"
		exit 1
	fi
	rel=${p%%.ko*}.ko
	mkdir -p "$work/m/$(dirname "$rel")"
	unpack_ko "$src/$p" "$work/m/$rel"
	eval "path_$_v=\$rel"
	_deps=$(depends_of "$work/m/$rel" | tr - _)
	for d in $_deps; do
		visit "$d" dep
	done
	_v=$(echo "$1" | tr - _)
	_c=
	for d in $_deps; do
		eval "_c=\"\$_c \$closure_$d $d\""
	done
	# keep the closure in load order, without repeats
	_o=
	for m in $order; do
		case " $_c " in *" $m "*) _o="$_o $m" ;; esac
	done
	eval "closure_$_v=\$_o"
	order="$order $_v"
}
# builtin NAME: the kernel has NAME built in.
builtin() {
	re=$(echo "$1" | sed 's/[-_]/[-_]/g')
	grep -qE "/$re\.ko\$" "$src/modules.builtin" 2>/dev/null
}
mkdir -p "$work/m"
for m in $kmods; do visit "$m" top; done

# 4. Lay out the cache entry.
mkdir -p "$dir/modules/$kver"
cp "$work/x/boot/vmlinuz-$kver" "$dir/vmlinuz"
echo "$kver" >"$dir/kver"
cp -R "$work/m/kernel" "$dir/modules/$kver/"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$src/$f" ] && cp "$src/$f" "$dir/modules/$kver/"
done
: >"$dir/modules.load"
: >"$dir/modules/$kver/modules.dep"
for m in $order; do
	eval "rel=\$path_$m"
	echo "$rel" >>"$dir/modules.load"
	# modules.dep lists the whole closure, last-loaded first (as depmod)
	deps=
	eval "closure=\$closure_$m"
	for d in $closure; do
		eval "deps=\" \$path_$d\$deps\""
	done
	echo "$rel:$deps" >>"$dir/modules/$kver/modules.dep"
done
echo "$kmods" >"$dir/stamp"
ln -sfn "$key" "$cache/current"
say "$kver ready in $dir (modules:$order)"
echo "$dir"
