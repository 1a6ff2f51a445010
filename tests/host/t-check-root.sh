#!/bin/bash
# t-check-root.sh — `initd --check --root ROOT DIR` (issue 16): the
# configuration against a tree's own files. A good tree passes; each thing
# the tree lacks (an executable, a user, a group, a module, a required
# environment file, a rootfs.path) is an error at the key's FILE:LINE with
# exit 1; a unit started by hand only gets a warning. Then images/mkimage.sh
# fails on such an image, and builds it with -W (check warns only).
. "$(dirname "$0")/lib.sh"
NEEDS_BOOT=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)

R=$WORK/trees
rm -rf "$R"; mkdir -p "$R"

# good ROOT: a tree whose etc/initd passes.
good() {
	local t=$1
	mkdir -p "$t/bin" "$t/usr/sbin" "$t/etc/initd/units" "$t/lib/modules/6.1.0/kernel/net" \
		"$t/srv/box/bin"
	printf '#!/bin/sh\n' > "$t/bin/busybox"; chmod 755 "$t/bin/busybox"
	ln -s /bin/busybox "$t/bin/sh"
	ln -s /bin/busybox "$t/usr/sbin/httpd"
	cp "$t/bin/busybox" "$t/srv/box/bin/run"
	printf 'root:x:0:0::/root:/bin/sh\nwww:x:33:33::/www:/bin/false\n' > "$t/etc/passwd"
	printf 'root:x:0:\nwww:x:33:\n' > "$t/etc/group"
	echo 'A=1' > "$t/etc/web.env"
	: > "$t/lib/modules/6.1.0/kernel/net/veth.ko"
	cat > "$t/etc/initd/initd.conf" <<'EOF'
hostname = "box";
modules = [ "veth" ];
EOF
	cat > "$t/etc/initd/units/web.unit" <<'EOF'
description = "web";
exec = [ "/usr/sbin/httpd", "-f" ];
user = "www";
group = "www";
environment_files = [ "/etc/web.env", "-/etc/web.local" ];
EOF
	cat > "$t/etc/initd/units/box.unit" <<'EOF'
exec = [ "/bin/run" ];
namespaces = [ "mount" ];
rootfs = { path = "/srv/box"; };
EOF
}

# run_check ROOT — sets OUT and RC.
run_check() { OUT=$(timeout 10 "$INITD" --check --root "$1" "$1/etc/initd" 2>&1); RC=$?; }

# expect CASE RC FILE:LINE TEXT — the last run exited RC and printed a
# line naming FILE:LINE and holding TEXT.
expect() {
	is "$1: exits $2" "$RC" "$2"
	if printf '%s\n' "$OUT" | grep -F "$3:" | grep -qF "$4"; then
		ok "$1: $3: $4"
	else
		not_ok "$1: reports $3: $4" "output was:"
		printf '%s\n' "$OUT" | sed 's/^/#   /'
	fi
}

# case NAME: a fresh good tree $T2 to break.
case_tree() { T2=$R/$1; good "$T2"; }

case_tree good
run_check "$T2"
is "good tree: exits 0" "$RC" 0
check "good tree: configuration OK" grep -q 'configuration OK' <<<"$OUT"

case_tree noexec
rm "$T2/bin/busybox"   # /usr/sbin/httpd -> /bin/busybox now dangles
run_check "$T2"
expect "missing executable" 1 web.unit:2 'exec: /usr/sbin/httpd not found'

case_tree nouser
sed -i '/^www:/d' "$T2/etc/passwd"
run_check "$T2"
expect "missing user" 1 web.unit:3 'user: www is not in /etc/passwd'

case_tree nogroup
sed -i '/^www:/d' "$T2/etc/group"
run_check "$T2"
expect "missing group" 1 web.unit:4 'group: www is not in /etc/group'

case_tree nomodule
rm "$T2/lib/modules/6.1.0/kernel/net/veth.ko"
run_check "$T2"
expect "missing module" 1 initd.conf:2 'modules: veth not found under /lib/modules/KVER'

case_tree noenv
rm "$T2/etc/web.env"
run_check "$T2"
expect "missing environment file" 1 web.unit:5 'environment_files: /etc/web.env not found'

case_tree norootfs
rm -r "$T2/srv/box"
run_check "$T2"
expect "missing rootfs.path" 1 box.unit:3 'rootfs.path: /srv/box not found'

case_tree byhand
printf 'exec = [ "/bin/nothere" ];\nautostart = false;\n' > "$T2/etc/initd/units/hand.unit"
run_check "$T2"
expect "autostart = false: a warning" 0 hand.unit:1 'warning: exec: /bin/nothere not found'

# The host's files never count: the tree's /bin/sh is not the host's.
case_tree host
rm "$T2/bin/busybox" "$T2/bin/sh"
ln -s /bin/sh "$T2/bin/sh"
printf 'exec = [ "/bin/sh", "-c", "true" ];\n' > "$T2/etc/initd/units/sh.unit"
run_check "$T2"
expect "absolute symlink resolved in the tree" 1 sh.unit:1 'exec: /bin/sh not found'

OUT=$(timeout 10 "$INITD" --root "$R/good" 2>&1); RC=$?
is "--root without --check: usage error" "$RC" 2
OUT=$(timeout 10 "$INITD" --check --root "$R/none" "$R/good/etc/initd" 2>&1); RC=$?
is "--root of a missing directory: exits 3" "$RC" 3

# ---- mkimage.sh: an error fails the build, -W lets it through ---------------
# A stand-in busybox with two applets keeps each build to a few seconds. It
# is a static ELF of this machine, as mkimage requires of a busybox.
mkdir -p "$WORK/bin"
cat > "$WORK/busybox.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--list-full"))
		fputs("bin/sh\nbin/sleep\n", stdout);
	else if (argc > 1 && !strcmp(argv[1], "--list"))
		fputs("sh\nsleep\n", stdout);
	return 0;
}
EOF
${CC:-cc} -static -o "$WORK/bin/busybox" "$WORK/busybox.c" ||
	not_ok "a static stand-in busybox builds"
export PATH=$WORK/bin:$PATH
K=$WORK/kernel
mkdir -p "$K/modules/6.1.0/kernel/net"
: > "$K/vmlinuz"; echo 6.1.0 > "$K/kver"; : > "$K/modules/6.1.0/kernel/net/veth.ko"
U=$WORK/img/units
rm -rf "$WORK/img"   # a rerun starts without the last run's bad.unit
mkdir -p "$U"
printf 'modules = [ "veth" ];\n' > "$WORK/img/initd.conf"
printf 'exec = [ "/bin/sleep", "1" ];\nuser = "www";\n' > "$U/ok.unit"
mk() { timeout 60 "$TOP/images/mkimage.sh" -o "$WORK/img/out.cpio.gz" -k "$K" -i "$INITD" \
	-s "$SVCTL" -u "$U" -C "$WORK/img/initd.conf" "$@" > "$WORK/img/mk.log" 2>&1; }
mk; is "mkimage: a good image builds" "$?" 0
check "mkimage: it is a cpio archive with /sbin/initd" \
	sh -c "zcat '$WORK/img/out.cpio.gz' | cpio -it --quiet | grep -qx sbin/initd"
rm -f "$WORK/img/out.cpio.gz"
printf 'exec = [ "/usr/bin/nothere" ];\nuser = "nobody2";\n' > "$U/bad.unit"
mk; RC=$?; OUT=$(cat "$WORK/img/mk.log")
expect "mkimage: a bad unit fails the build" 1 bad.unit:1 'exec: /usr/bin/nothere not found'
check "mkimage: says why" grep -q 'initd --check --root failed' "$WORK/img/mk.log"
check "mkimage: no image left behind" test ! -e "$WORK/img/out.cpio.gz"
mk -W; RC=$?; OUT=$(cat "$WORK/img/mk.log")
expect "mkimage -W: builds, warns" 0 bad.unit:2 'user: nobody2 is not in /etc/passwd'
check "mkimage -W: the image is there" test -s "$WORK/img/out.cpio.gz"
# -x: another initd checks (a cross-built image's cannot run here); a
# stand-in that is no ELF binary is never run, so the bad unit passes.
printf '#!/bin/sh\nexit 1\n' > "$WORK/img/not-elf"; chmod +x "$WORK/img/not-elf"
mk -x "$WORK/img/not-elf"; is "mkimage -x: the given checker is used" "$?" 0
check "mkimage -x: a non-ELF checker is skipped" grep -q 'not-elf is not an ELF binary' "$WORK/img/mk.log"

[ "$FAILED" -eq 0 ]
