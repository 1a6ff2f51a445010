#!/bin/bash
# repro.sh OUT.tap — reproducible images (issue 16): two independent builds
# of the same tree give a byte-identical initramfs.
#
# Build a is this tree's own `make image` into a fresh image directory (its
# build-static/ is reused when up to date: under `make check` the VM tier
# just built it). Build b copies the tree (build directories left out) to
# another, longer path and runs `make image` there from nothing, later,
# under umask 077: what would leak the time, the build path, the umask or
# an incremental build into the image makes the hashes differ. b's tree
# and kernel cache are copied under that umask too, as a clone and a
# kernel fetch made by a user with umask 077 are (git keeps only the x
# bit; the kernel cache's modes are those of its fetch): modes copied from
# them must not reach the image (the copy keeps .git: mkimage takes an
# overlay's modes from git, as in a clone). Both get
# the inputs a release build pins: VERSION (git describe, computed once
# here: the copy may differ from the commit) and SOURCE_DATE_EPOCH (the last commit's
# time). REPRO_CLEAN=1 builds a from a clean copy too.
# About 40 s of CPU on 2 cores (one static build with -j2, two images); no
# VM boot. Appends TAP lines to OUT.tap.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
out=${1:?usage: tests/vm/repro.sh OUT.tap}
dir=$top/${BUILD:-build}/repro-image
case ${BUILD:-build} in /*) dir=$BUILD/repro-image ;; esac
rm -rf "$dir"; mkdir -p "$dir"

tap() { echo "$1 - repro: $2" | tee -a "$out"; }

version=$(git describe --always --dirty 2>/dev/null || echo 0.1)
sde=$(git log -1 --format=%ct 2>/dev/null || echo 0)
kcache=$top/${KERNEL_CACHE:-build/kernel}
images/kernel.sh "$kcache" >"$dir/kernel.log" 2>&1 ||
	{ tap "not ok" "no kernel (see $dir/kernel.log)"; exit 1; }

# make_image SRC IMAGE_DIR [KERNEL_CACHE]: `make image` in SRC with the
# pinned inputs.
make_image() {
	make -C "$1" -j2 --no-print-directory image SANITIZE= \
		VERSION="$version" SOURCE_DATE_EPOCH="$sde" \
		KERNEL_CACHE="${3:-$kcache}" IMAGE_DIR="$2"
}

# build NAME SUBPATH UMASK: copy the tree and the kernel cache under UMASK
# (modes masked by it, as a fresh clone's and fetch's are) to
# $dir/NAME/SUBPATH, build its image there from nothing; the image at
# $dir/NAME.cpio.gz.
build() {
	local src=$dir/$1/$2
	mkdir -p "$src"
	(
		umask "$3"
		tar -C "$top" --exclude=./build --exclude='./build-*' -cf - . |
			tar -C "$src" --no-same-permissions -xf - &&
			cp -R "$kcache/." "$dir/$1/kernel"
	) || return 1
	(umask "$3"; make_image "$src" "$src/image" "$dir/$1/kernel") >"$dir/$1.log" 2>&1 || return 1
	cp "$src/image/initramfs.cpio.gz" "$dir/$1.cpio.gz"
}

if [ "${REPRO_CLEAN:-0}" = 1 ]; then
	build a src 022; ra=$?; bin_a=$dir/a/src/build-static
else
	make_image "$top" "$dir/a" >"$dir/a.log" 2>&1 && cp "$dir/a/initramfs.cpio.gz" "$dir/a.cpio.gz"
	ra=$?; bin_a=$top/build-static
fi
[ "$ra" = 0 ] || { tap "not ok" "first build failed (see $dir/a.log)"; exit 1; }
build b another/longer/path/src 077 ||
	{ tap "not ok" "second build failed (see $dir/b.log)"; exit 1; }
ha=$(sha256sum <"$dir/a.cpio.gz" | cut -d' ' -f1)
hb=$(sha256sum <"$dir/b.cpio.gz" | cut -d' ' -f1)
if [ "$ha" = "$hb" ]; then
	tap ok "two independent builds give the same image (sha256 $ha)"
	rm -rf "$dir/a" "$dir/b"   # ~100 MB of copies and objects
	exit 0
fi
tap "not ok" "two independent builds give two images ($ha, $hb)"
# What differs: the listings (names, modes, owners, sizes, times), then
# the bytes of the binaries.
for x in a b; do
	zcat "$dir/$x.cpio.gz" | cpio -itv --quiet 2>/dev/null >"$dir/$x.list"
done
diff "$dir/a.list" "$dir/b.list" | head -20 | sed 's/^/# /'
for f in initd svctl; do
	cmp "$bin_a/$f" "$dir/b/another/longer/path/src/build-static/$f" 2>&1 |
		sed 's/^/# /'
done
exit 1
