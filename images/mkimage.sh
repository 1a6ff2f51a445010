#!/bin/sh
# mkimage.sh — build an initramfs with initd as PID 1.
#
#   mkimage.sh -o OUT.cpio.gz -k KERNEL_DIR -i INITD -s SVCTL
#              [-u UNITS_DIR] [-C INITD_CONF] [-O OVERLAY_DIR] [-x CHECK_INITD] [-W]
#
# KERNEL_DIR is what images/kernel.sh prints (vmlinuz, kver, modules/KVER).
# UNITS_DIR defaults to examples/basic/units; INITD_CONF to UNITS_DIR/../initd.conf
# when present, else examples/basic/initd.conf. UNITS_DIR/../overlay (when
# present) and then OVERLAY_DIR are copied over the image root, and every ELF
# file in the image (INITD/SVCTL too when they are dynamic) gets its shared
# libraries and the loader copied in. (Paths with blanks are not supported.)
#
# The result is a gzip'd newc cpio: initd at /sbin/initd and /init, svctl at
# /bin/svctl, busybox with its applet links, /etc/initd/{initd.conf,units/},
# the kernel modules under /lib/modules/KVER, /etc/passwd and /etc/group
# (root, nobody, www), /sbin/e2fsck (the host's static /sbin/e2fsck.static,
# from e2fsck-static, when present: initd.conf's `fsck = true`), and empty
# mount points. There is no shell /init: initd
# does the early mounts itself.
#
# `CHECK_INITD --check --root` (default: INITD; it must run on the build
# host, so a cross-built INITD needs -x) checks the staged configuration
# against the image's own files and fails the build on an error; -W turns
# its errors into warnings, for test images that carry a bad unit on purpose.
# The archive is reproducible (pack_root, at the end): the same inputs give
# the same bytes; every mtime is $SOURCE_DATE_EPOCH (default: the last
# commit's time).
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out= kdir= initd= svctl= units= conf= overlay= check_initd= check_warns=
while getopts o:k:i:s:u:C:O:x:W opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kdir=$OPTARG ;;
	i) initd=$OPTARG ;;
	s) svctl=$OPTARG ;;
	u) units=$OPTARG ;;
	C) conf=$OPTARG ;;
	O) overlay=$OPTARG ;;
	x) check_initd=$OPTARG ;;
	W) check_warns=1 ;;
	*) exit 2 ;;
	esac
done
die() { echo "mkimage: $*" >&2; exit 1; }
[ -n "$out" ] && [ -n "$kdir" ] && [ -n "$initd" ] && [ -n "$svctl" ] ||
	die "usage: mkimage.sh -o OUT -k KERNEL_DIR -i INITD -s SVCTL [-u UNITS] [-C CONF] [-O OVERLAY] [-x CHECK_INITD] [-W]"
check_initd=${check_initd:-$initd}
units=${units:-$top/examples/basic/units}
[ -d "$units" ] || die "no unit directory $units"
if [ -z "$conf" ]; then
	if [ -f "$units/../initd.conf" ]; then conf=$units/../initd.conf
	else conf=$top/examples/basic/initd.conf; fi
fi
[ -f "$conf" ] || die "no initd.conf at $conf"
# The appliance's own overlay (next to its units), then -O on top of it.
overlays=
[ -d "$units/../overlay" ] && overlays=$units/../overlay
if [ -n "$overlay" ]; then
	[ -d "$overlay" ] || die "no overlay directory $overlay"
	overlays="$overlays $overlay"
fi
for f in "$initd" "$svctl" "$kdir/vmlinuz" "$kdir/kver"; do
	[ -f "$f" ] || die "missing $f"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamic: install busybox-static"

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
root=$out.root
rm -rf "$root"
mkdir -p "$root"

# ---- skeleton ------------------------------------------------------------
for d in bin sbin usr/bin usr/sbin lib etc/initd/units proc sys sys/fs/cgroup \
	dev run tmp root var/log mnt srv www; do
	mkdir -p "$root/$d"
done
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	case $applet in
	linuxrc | sbin/init | bin/busybox) continue ;;
	esac
	mkdir -p "$root/$(dirname "$applet")"
	ln -sf /bin/busybox "$root/$applet"
done

install -m 0755 "$initd" "$root/sbin/initd"
ln -sf sbin/initd "$root/init"
rm -f "$root/bin/svctl"
install -m 0755 "$svctl" "$root/bin/svctl"

# fsck for initd.conf's mounts: busybox has no e2fsck. Static, so it needs
# no libraries; without it initd skips the check and says so.
if [ -x /sbin/e2fsck.static ]; then
	install -m 0755 /sbin/e2fsck.static "$root/sbin/e2fsck"
else
	echo "mkimage: warning: no /sbin/e2fsck.static (apt-get install e2fsck-static): fsck = true will be skipped" >&2
fi

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
www:x:33:33:www:/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
www:x:33:
nogroup:x:65534:
nobody:x:65534:
EOF
cat >"$root/etc/profile" <<'EOF'
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export PS1='\h:\w\$ '
EOF
echo "initd appliance" >"$root/etc/issue"

cp "$conf" "$root/etc/initd/initd.conf"
n=0
for u in "$units"/*.unit; do
	[ -f "$u" ] || continue
	cp "$u" "$root/etc/initd/units/"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || echo "mkimage: warning: no *.unit in $units" >&2

kver=$(cat "$kdir/kver")
if [ -d "$kdir/modules/$kver" ]; then
	mkdir -p "$root/lib/modules"
	cp -R "$kdir/modules/$kver" "$root/lib/modules/"
	[ -f "$kdir/modules.load" ] &&
		cp "$kdir/modules.load" "$root/lib/modules/$kver/modules.load"
fi

# ---- overlay and shared libraries -----------------------------------------
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# copy_libs FILE: copy the loader and libraries FILE needs (per ldd) into the
# image at the same paths. Static files are left alone.
copy_libs() {
	ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
			echo "mkimage: + $lib (for ${1#$root})" >&2
		done
}

for o in $overlays; do
	(cd "$o" && tar -cf - .) | (cd "$root" && tar -xf - --no-same-owner)
done

# ---- busybox roots for isolated services ------------------------------------
# A directory that an overlay marks with a file named .busybox-rootfs becomes
# a minimal root for a service's `rootfs`: busybox (a hard link: stored once)
# with its applets, and the mount points initd uses (a service in a user
# namespace cannot create them in a root-owned directory).
find "$root" -name .busybox-rootfs -type f | while read -r mark; do
	box=$(dirname "$mark")
	for d in bin proc dev sys tmp run etc; do mkdir -p "$box/$d"; done
	ln -f "$root/bin/busybox" "$box/bin/busybox"
	"$busybox" --list | while read -r applet; do
		[ "$applet" = busybox ] || ln -sf busybox "$box/bin/$applet"
	done
	echo "mkimage: busybox rootfs at ${box#$root}" >&2
done
find "$root" -type f ! -path "$root/lib/modules/*" ! -path "$root/bin/busybox" |
	while read -r f; do
		if is_elf "$f"; then copy_libs "$f"; fi
	done

# ---- the configuration, as the image's initd sees it ----------------------
# Against the image's own files (executables, users, modules: initd(8)
# --root). Only a real (ELF) initd is asked: a stand-in script might do
# PID-1 things on the build host.
if ! is_elf "$check_initd"; then
	echo "mkimage: $check_initd is not an ELF binary, skipping initd --check" >&2
elif check=$(timeout 20 "$check_initd" --check --root "$root" "$root/etc/initd" 2>&1); then
	echo "mkimage: initd --check --root: $check" | sed "s|$root|IMAGE|g" >&2
elif [ -n "$check_warns" ]; then
	echo "mkimage: warning: initd --check found problems (-W: not fatal):" >&2
	echo "$check" | sed "s|$root|IMAGE|g; s/^/  /" >&2
else
	echo "$check" | sed "s|$root|IMAGE|g; s/^/  /" >&2
	die "initd --check --root failed on the staged image (IMAGE = $root)"
fi

# ---- archive --------------------------------------------------------------
# newc_node NAME MODE MAJOR MINOR: a one-entry newc archive holding a device
# node, so building the image needs no mknod (and so no root).
newc_node() {
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$1"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 11 0
	printf 'TRAILER!!!\0'
	head -c $(((4 - (110 + 11) % 4) % 4)) /dev/zero
}

# ---- reproducibility ----------------------------------------------------------
# pack_root ROOT OUT: ROOT as a gzip'd newc archive at OUT, the same bytes
# for the same contents. What would differ between two builds is pinned:
# mtimes (all $SOURCE_DATE_EPOCH), owners (0:0), inode and device numbers
# (GNU cpio --reproducible renumbers inodes, hard links kept, and zeroes
# device numbers), entry order (sorted, C locale), gzip's name and time
# (-n). Modes come from the inputs and umask 022 (above).
pack_root() {
	sde=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
	case $sde in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH '$sde' is not a number of seconds" ;; esac
	find "$1" -exec touch -h -d "@$sde" {} +
	(
		cd "$1"
		find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --reproducible --quiet
		# /dev/console: the kernel opens it for init before anything is mounted.
		newc_node dev/console $((0020000 | 0600)) 5 1
	) | gzip -9n >"$2"
}

pack_root "$root" "$out.tmp"
mv "$out.tmp" "$out"
echo "mkimage: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver, $n units)" >&2
