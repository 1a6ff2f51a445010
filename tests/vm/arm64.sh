#!/bin/bash
# arm64.sh OUT.tap — the arm64 smoke tier (issue 16): cross-builds the image
# and boots it with `make run ARCH=arm64 SCRIPT=...` (qemu-system-aarch64
# -M virt, TCG), units and initd.conf from tests/vm/arm64/. Inside,
# tests/vm/arm64/smoke.sh checks uname -m, a leaf cgroup per service read
# from /proc/PID/cgroup, limits read back from /sys/fs/cgroup, a restart
# after SIGKILL (new PID, restart count); here: the image built, the script
# passed, the poweroff was clean (QEMU exited 0 by itself after the kernel's
# "reboot: Power down"). One boot. Skipped, loudly, only when the cross
# toolchain or qemu-system-aarch64 is missing (make deps-arm64 installs them; make check runs it).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
out=${1:?usage: tests/vm/arm64.sh OUT.tap}
dir=${BUILD:-build}/vm-arm64
rm -rf "$dir"; mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

tap() { echo "$1 - arm64: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }

missing=
for t in aarch64-linux-gnu-gcc qemu-system-aarch64; do
	command -v $t >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "arm64: ********** SKIPPED: missing$missing (make deps-arm64 installs them; make check runs it) **********" >&2
	tap ok "smoke boot # SKIP missing$missing"
	exit 0
fi

# The test's lib.sh, as the other VM boots carry it.
mkdir -p "$dir/overlay/usr/lib/vmtest" "$dir/overlay/usr/sbin"
cp tests/vm/lib.sh "$dir/overlay/usr/lib/vmtest/"
# A dynamic arm64 ELF whose library needs libraries of its own (the demo's
# notifyd: libsystemd, which needs libcap, libgcrypt...): mkimage took a
# shared library for a static file (no program interpreter) and copied
# none of libsystemd's, so the arm64 demo's notify exited 127.
# shellcheck disable=SC2046 # pkg-config's flags, split
aarch64-linux-gnu-gcc -O2 -o "$dir/overlay/usr/sbin/notifyd" examples/demo/src/notifyd.c \
	$(PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config --cflags --libs libsystemd) \
	2>"$dir/notifyd.err" || fail "notifyd cross-built (see $dir/notifyd.err)"

# needed_missing ROOT: "FILE: LIB" for each library a dynamic ELF in ROOT
# names (NEEDED) that ROOT lacks.
needed_missing() {
	find "$1" -type f | while read -r f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		for lib in $(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
				[ -e "$1/$d/$lib" ] && continue 2
			done
			echo "${f#"$1"}: $lib"
		done
	done
}
t0=$SECONDS
# One make run: it builds the image (cross build, kernel, busybox) and boots it.
# BUILD from check-vm's environment would put the cross objects in the
# host's build/; FWD_PORT= keeps qemu off the host's port 8080.
env -u BUILD make --no-print-directory -j2 ARCH=arm64 IMAGE_DIR="$dir/image" \
	UNITS=tests/vm/arm64/units OVERLAY="$dir/overlay" FWD_PORT= \
	SCRIPT=tests/vm/arm64/smoke.sh RUN_TIMEOUT=${VM_ARM64_TIMEOUT:-120} run \
	>"$dir/run.out" 2>"$dir/run.err"
rc=$?
console=$dir/image/run/console.log
if [ ! -f "$dir/image/initramfs.cpio.gz" ]; then
	grep -v '^  CC' "$dir/run.err" | tail -20 | sed 's/^/# /'
	fail "image built (see $dir/run.err)"
fi
tap ok "image built"
missing=$(needed_missing "$dir/image/initramfs.cpio.gz.root")
if [ -z "$missing" ]; then
	tap ok "every library a dynamic ELF of the image needs is in it"
else
	tap "not ok" "every library a dynamic ELF of the image needs is in it"
	echo "$missing" | head -20 | sed 's/^/# missing: /'
fi
sed -n 's/^\(not ok\|ok\) - /\1 - arm64: /p; /^#/p' "$dir/run.out" | tee -a "$out"
if [ "$rc" -eq 0 ]; then
	tap ok "the smoke script passed"
else
	tap "not ok" "the smoke script passed (make run: $rc)"
	sed 's/^/# /' "$dir/run.err" | tail -40
fi
if grep -q '^poweroff: completed (qemu exit 0)' "$dir/run.err"; then
	tap ok "poweroff: QEMU exited 0 by itself"
else
	tap "not ok" "poweroff: QEMU exited 0 by itself ($(grep '^poweroff:' "$dir/run.err"))"
fi
if tr -d '\r' <"$console" | grep -q 'reboot: Power down'; then
	tap ok "poweroff: the kernel powered down"
else
	tap "not ok" "poweroff: the kernel powered down"
	tail -20 "$console" | tr -d '\r' | sed 's/^/# /'
fi
if grep -aq 'Kernel panic' "$console"; then
	tap "not ok" "no kernel panic"
else
	tap ok "no kernel panic"
fi
echo "# arm64: $((SECONDS - t0)) s wall (image and boot); $(grep '^timing:' "$dir/run.err")" | tee -a "$out"
! grep -q '^not ok' "$out"
