#!/bin/sh
# mkimage.sh — build an initramfs with initd as PID 1.
#
#   mkimage.sh -o OUT.cpio.gz -k KERNEL_DIR -i INITD -s SVCTL
#              [-u UNITS_DIR] [-C INITD_CONF] [-O OVERLAY_DIR]...
#              [-b BUSYBOX] [-e E2FSCK] [-x CHECK_INITD] [-W] [-L]
#
# KERNEL_DIR is what images/kernel.sh prints (vmlinuz, kver, modules/KVER).
# UNITS_DIR defaults to examples/minimal/units (`make image` passes the demo's);
# INITD_CONF to UNITS_DIR/../initd.conf when present, else
# examples/minimal/initd.conf. UNITS_DIR/../overlay (when present) and then
# each OVERLAY_DIR, in order, are copied over the image root, and every ELF
# file in the image (INITD/SVCTL too when they are dynamic) gets its shared
# libraries and the loader copied in. (Paths with blanks are not supported.)
#
# Another architecture (the -i binary's ELF machine, e.g. arm64 from
# `make image ARCH=arm64`): BUSYBOX (default: the host's `command -v busybox`)
# and E2FSCK (default /sbin/e2fsck.static) must be that architecture's static
# builds (images/userland.sh fetches them); a dynamic ELF of that architecture
# gets its libraries from /usr/lib/TRIPLET (readelf's NEEDED), never from the
# host's ldd; CHECK_INITD (default INITD) is the host build that runs
# `initd --check` on the staged configuration.
#
# The result is a gzip'd newc cpio: initd at /sbin/initd and /init (its
# loader, the initd-loader beside -i INITD, at /sbin/initd-loader), svctl at
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
# Then `CHECK_INITD --compile --root` writes /etc/initd/initd.model: the
# units as the boot loads them, which PID 1 decodes instead of running
# initd-loader while the image's files still match (initd(8), issue 19);
# -L leaves it out, and every boot parses the files.
# The archive is reproducible (pack_root, at the end): the same inputs give
# the same bytes; every mtime is $SOURCE_DATE_EPOCH (default: the last
# commit's time).
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out= kdir= initd= svctl= units= conf= overlay= busybox= e2fsck= check_initd= check_warns=
no_model=
while getopts o:k:i:s:u:C:O:b:e:x:WL opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kdir=$OPTARG ;;
	i) initd=$OPTARG ;;
	s) svctl=$OPTARG ;;
	u) units=$OPTARG ;;
	C) conf=$OPTARG ;;
	O) overlay="$overlay $OPTARG" ;;
	b) busybox=$OPTARG ;;
	e) e2fsck=$OPTARG ;;
	x) check_initd=$OPTARG ;;
	W) check_warns=1 ;;
	L) no_model=1 ;;
	*) exit 2 ;;
	esac
done
die() { echo "mkimage: $*" >&2; exit 1; }
[ -n "$out" ] && [ -n "$kdir" ] && [ -n "$initd" ] && [ -n "$svctl" ] ||
	die "usage: mkimage.sh -o OUT -k KERNEL_DIR -i INITD -s SVCTL [-u UNITS] [-C CONF] [-O OVERLAY]... [-b BUSYBOX] [-e E2FSCK] [-x CHECK_INITD] [-W] [-L]"
units=${units:-$top/examples/minimal/units}
[ -d "$units" ] || die "no unit directory $units"
if [ -z "$conf" ]; then
	if [ -f "$units/../initd.conf" ]; then conf=$units/../initd.conf
	else conf=$top/examples/minimal/initd.conf; fi
fi
[ -f "$conf" ] || die "no initd.conf at $conf"
# The appliance's own overlay (next to its units), then each -O on top of it.
overlays=
[ -d "$units/../overlay" ] && overlays=$units/../overlay
for o in $overlay; do
	[ -d "$o" ] || die "no overlay directory $o"
	overlays="$overlays $o"
done
# initd's unit loader is a file of its own, beside initd (initd(8)).
loader=$(dirname "$initd")/initd-loader
for f in "$initd" "$loader" "$svctl" "$kdir/vmlinuz" "$kdir/kver"; do
	[ -f "$f" ] || die "missing $f"
done
check_initd=${check_initd:-$initd}
e2fsck=${e2fsck:-/sbin/e2fsck.static}
busybox=${busybox:-$(command -v busybox || true)}
[ -n "$busybox" ] && [ -f "$busybox" ] ||
	die "busybox not found (apt-get install busybox-static)"

# ELF machine numbers (e_machine): the image's is its initd's.
machine() { od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' '; }
case $(uname -m) in
x86_64) host_machine=62 ;;
aarch64) host_machine=183 ;;
*) host_machine=unknown ;;
esac
target_machine=$(machine "$initd")
case $target_machine in
62) triplet=x86_64-linux-gnu ;;
183) triplet=aarch64-linux-gnu ;;
*) triplet= ;;
esac
# is_static ELF: no program interpreter, no shared libraries.
is_static() { ! readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'; }
[ "$(machine "$busybox")" = "$target_machine" ] ||
	die "$busybox is not built for the image's architecture (ELF machine $target_machine; -b)"
is_static "$busybox" || die "$busybox is dynamic: install busybox-static"

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

# applets: busybox --list-full when it runs here; a foreign busybox's names
# are read from its applet name table ("[", "[[", ... NUL-separated) and
# placed where the host's busybox puts them (/bin when it does not know them).
applets() {
	if "$busybox" true 2>/dev/null; then
		"$busybox" --list-full
		return
	fi
	host=$(command -v busybox || true)
	: >"$root.host-applets"
	[ -z "$host" ] || "$host" --list-full >"$root.host-applets" 2>/dev/null || true
	LC_ALL=C tr '\0' '\n' <"$busybox" |
		LC_ALL=C awk -v host="$root.host-applets" '
			BEGIN { while ((getline l < host) > 0) { n = l; sub(/.*\//, "", n); at[n] = l } }
			function out(n) { print (n in at) ? at[n] : "bin/" n }
			on { if ($0 == "") exit; out($0); next }
			prev == "[" && $0 == "[[" { on = 1; out(prev); out($0); next }
			{ prev = $0 }'
	rm -f "$root.host-applets"
}
install -m 0755 "$busybox" "$root/bin/busybox"
applets >"$root.applets"
[ -s "$root.applets" ] || die "no applet list from $busybox"
while read -r applet; do
	case $applet in
	linuxrc | sbin/init | bin/busybox) continue ;;
	esac
	mkdir -p "$root/$(dirname "$applet")"
	ln -sf /bin/busybox "$root/$applet"
done <"$root.applets"

install -m 0755 "$initd" "$root/sbin/initd"
install -m 0755 "$loader" "$root/sbin/initd-loader"
ln -sf sbin/initd "$root/init"
rm -f "$root/bin/svctl"
install -m 0755 "$svctl" "$root/bin/svctl"

# fsck for initd.conf's mounts: busybox has no e2fsck. Static, so it needs
# no libraries; without it initd skips the check and says so.
if [ -f "$e2fsck" ] && [ "$(machine "$e2fsck")" = "$target_machine" ]; then
	install -m 0755 "$e2fsck" "$root/sbin/e2fsck"
else
	echo "mkimage: warning: no $e2fsck for this architecture (apt-get install e2fsck-static, or -e): fsck = true will be skipped" >&2
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

# install -m: the configuration's modes are not the checkout's umask's.
install -m 0644 "$conf" "$root/etc/initd/initd.conf"
# One cp for them all: a cp per unit cost seconds at a thousand units.
set --   # the options were read: the unit files from here on
for u in "$units"/*.unit; do
	[ -f "$u" ] && set -- "$@" "$u"
done
if [ $# -gt 0 ]; then
	install -m 0644 "$@" "$root/etc/initd/units/"
else
	echo "mkimage: warning: no *.unit in $units" >&2
fi
n=$#

kver=$(cat "$kdir/kver")
if [ -d "$kdir/modules/$kver" ]; then
	mkdir -p "$root/lib/modules"
	cp -R "$kdir/modules/$kver" "$root/lib/modules/"
	[ -f "$kdir/modules.load" ] &&
		cp "$kdir/modules.load" "$root/lib/modules/$kver/modules.load"
	# The kernel cache's modes are those of the umask it was fetched under.
	chmod -R u=rwX,go=rX "$root/lib/modules"
fi

# ---- overlay and shared libraries -----------------------------------------
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# copy_libs FILE: copy the loader and libraries FILE needs (per ldd) into the
# image at the same paths. Static files are left alone; another
# architecture's go to cross_libs.
copy_libs() {
	[ "$(machine "$1")" = "$host_machine" ] || { cross_libs "$1"; return; }
	ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
			echo "mkimage: + $lib (for ${1#$root})" >&2
		done
}

# cross_libs FILE: the libraries of a foreign dynamic ELF, resolved from its
# NEEDED entries (readelf reads any architecture) in /lib/TRIPLET and
# /usr/lib/TRIPLET (the multiarch packages), recursively, plus its loader.
cross_libs() {
	# Static: no NEEDED entry. Not is_static: a shared library has no
	# program interpreter either, and libsystemd's own libraries were lost.
	readelf -dW "$1" 2>/dev/null | grep -q '(NEEDED)' || return 0
	[ "$(machine "$1")" = "$target_machine" ] && [ -n "$triplet" ] ||
		die "${1#$root}: a dynamic ELF of another architecture (machine $(machine "$1"))"
	interp=$(readelf -lW "$1" | sed -n 's/.*program interpreter: \([^]]*\)\]/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		[ -e "$interp" ] || die "loader $interp of ${1#$root} not found (make deps)"
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$interp" "$root$interp"
		echo "mkimage: + $interp (for ${1#$root})" >&2
	fi
	for lib in $(readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/usr/lib/$triplet/$lib" ] && continue
		src=
		for d in /lib/$triplet /usr/lib/$triplet; do
			[ -e "$d/$lib" ] && { src=$d/$lib; break; }
		done
		[ -n "$src" ] || die "$lib for ${1#$root} not found in /usr/lib/$triplet (install its :$triplet -dev package)"
		mkdir -p "$root/usr/lib/$triplet"
		cp -L "$src" "$root/usr/lib/$triplet/$lib"
		echo "mkimage: + /usr/lib/$triplet/$lib (for ${1#$root})" >&2
		cross_libs "$root/usr/lib/$triplet/$lib"
	done
}

# git_modes DIR: the overlay DIR's files that git tracks get the modes git
# records (0644, or 0755 when executable), and the directories git made for
# them 0755, as a checkout under umask 022 has them: a clone under another
# umask (077: 0600, 0700) must give the same image, and the web page of the
# demo must stay readable by its user. Files git does not track (a
# builder's own OVERLAY=, a secret kept 0600) keep their modes.
git_modes() {
	git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 0
	git -C "$1" ls-files -s -z -- . | tr '\0' '\n' |
		while IFS= read -r line; do
			path=${line#*	}
			case ${line%% *} in
			100755) chmod 0755 "$root/$path" ;;
			100644) chmod 0644 "$root/$path" ;;
			*) continue ;;
			esac
			while [ "$path" != "${path%/*}" ]; do
				path=${path%/*}
				echo "$path"
			done
		done | LC_ALL=C sort -u | while IFS= read -r d; do chmod 0755 "$root/$d"; done
}
for o in $overlays; do
	(cd "$o" && tar -cf - .) | (cd "$root" && tar -xf - --no-same-owner)
	git_modes "$o"
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
	while read -r applet; do
		applet=${applet##*/}
		[ "$applet" = busybox ] || ln -sf busybox "$box/bin/$applet"
	done <"$root.applets"
	echo "mkimage: busybox rootfs at ${box#$root}" >&2
done
# Not /etc/initd: the configuration is text, and is_elf costs 3 processes a
# file (~40 s at 2000 units).
find "$root" -type f ! -path "$root/lib/modules/*" ! -path "$root/bin/busybox" \
	! -path "$root/etc/initd/*" |
	while read -r f; do
		if is_elf "$f"; then copy_libs "$f"; fi
	done

# ---- the configuration, as the image's initd sees it ----------------------
# Against the image's own files (executables, users, modules: initd(8)
# --root). Only a real (ELF) initd of this machine is asked: a stand-in
# script might do PID-1 things on the build host.
if ! is_elf "$check_initd"; then
	echo "mkimage: $check_initd is not an ELF binary, skipping initd --check" >&2
elif [ "$(machine "$check_initd")" != "$host_machine" ]; then
	echo "mkimage: $check_initd is built for another architecture, skipping initd --check (-x HOST_INITD)" >&2
elif check=$(timeout 20 "$check_initd" --check --root "$root" "$root/etc/initd" 2>&1); then
	echo "mkimage: initd --check --root: $check" | sed "s|$root|IMAGE|g" >&2
elif [ -n "$check_warns" ]; then
	echo "mkimage: warning: initd --check found problems (-W: not fatal):" >&2
	echo "$check" | sed "s|$root|IMAGE|g; s/^/  /" >&2
else
	echo "$check" | sed "s|$root|IMAGE|g; s/^/  /" >&2
	die "initd --check --root failed on the staged image (IMAGE = $root)"
fi
# The compiled model, by the host initd, only for an image of this
# machine's architecture: a seccomp filter is compiled for the compiling
# initd's (and the header names it: PID 1 refuses another's). A cross-
# built image boots by parsing.
if [ -z "$no_model" ] && is_elf "$check_initd" &&
   [ "$(machine "$check_initd")" = "$host_machine" ] &&
   [ "$(machine "$initd")" = "$host_machine" ]; then
	compiled=$(timeout 20 "$check_initd" --compile --root "$root" "$root/etc/initd" 2>&1) ||
		die "initd --compile failed on the staged image: $compiled"
	echo "mkimage: initd --compile --root: $compiled" | sed "s|$root|IMAGE|g" >&2
fi

# ---- archive --------------------------------------------------------------
# shellcheck source=pack.sh
. "$here/pack.sh"
pack_root "$root" "$out.tmp"
mv "$out.tmp" "$out"
rm -f "$root.applets"
echo "mkimage: $out ($(du -k "$out" | cut -f1) KiB, kernel $kver, $n units)" >&2
