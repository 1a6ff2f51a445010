#!/bin/sh
# mkdisk.sh — build a GPT disk image with a read-only squashfs root that
# boots initd, and its stage-1 initramfs (images/README.md, "Disk image").
#
#   mkdisk.sh -o OUT.img -k KERNEL_DIR -i INITD -s SVCTL -1 STAGE1
#             [-u UNITS_DIR] [-C INITD_CONF] [-O OVERLAY_DIR] [-a ARCH]
#             [-x CHECK_INITD] [-W]
#
# The root tree is mkimage.sh's (same options, -x and -W too: the host
# initd that checks the tree, and its errors as warnings), plus /sbin/init -> initd,
# /data, and /sbin/mke2fs with its libraries and /etc/mke2fs.conf (the
# data partition's `format`). INITD_CONF defaults to images/disk/initd.conf.
# @DISK_DATA_PARTUUID@ in it is replaced from images/disk/layout.env,
# which holds every fixed GUID.
#
#   OUT.img               partition 1: squashfs root (type: root, ARCH);
#                         partition 2: DISK_DATA_SIZE (default 64M) left
#                         empty (zeros, sparse), for initd.conf's format
#   OUT-stage1.cpio.gz    /init = STAGE1, /etc/stage1.modules and those
#                         modules: boot with -kernel, this as -initrd,
#                         rdinit=/init initd.root=PARTUUID=$DISK_ROOT_PARTUUID
#
# Reproducible: every time from SOURCE_DATE_EPOCH (default: the last
# commit's time), owners root, fixed GUIDs, sorted archives, no random
# bytes: the same inputs give the same bytes. Needs no root (sfdisk and
# mksquashfs work on plain files) and no loop device.
set -eu
# The directories and files made here, as mkimage's: not the caller's umask's.
umask 022

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out= kdir= initd= svctl= stage1= units= conf= overlay= arch=${ARCH:-x86_64} check_opts=
while getopts o:k:i:s:1:u:C:O:a:x:W opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kdir=$OPTARG ;;
	i) initd=$OPTARG ;;
	s) svctl=$OPTARG ;;
	1) stage1=$OPTARG ;;
	u) units=$OPTARG ;;
	C) conf=$OPTARG ;;
	O) overlay=$OPTARG ;;
	a) arch=$OPTARG ;;
	x) check_opts="$check_opts -x $OPTARG" ;;
	W) check_opts="$check_opts -W" ;;
	*) exit 2 ;;
	esac
done
die() { echo "mkdisk: $*" >&2; exit 1; }
[ -n "$out" ] && [ -n "$kdir" ] && [ -n "$initd" ] && [ -n "$svctl" ] && [ -n "$stage1" ] ||
	die "usage: mkdisk.sh -o OUT.img -k KERNEL_DIR -i INITD -s SVCTL -1 STAGE1 [-u UNITS] [-C CONF] [-O OVERLAY] [-a ARCH] [-x CHECK_INITD] [-W]"
PATH=$PATH:/sbin:/usr/sbin
for t in mksquashfs sfdisk cpio gzip; do
	command -v "$t" >/dev/null || die "$t not found (make deps: squashfs-tools, fdisk, cpio)"
done
[ -f "$stage1" ] || die "missing $stage1"
# /init of an initramfs that carries no libraries: it must be static.
readelf -lW "$stage1" 2>/dev/null | grep -q 'program interpreter' &&
	die "$stage1 is dynamic: stage 1 has no libraries to run it with"
# shellcheck source=disk/layout.env
. "$here/disk/layout.env"
case $arch in
x86_64 | amd64 | x86) root_type=$DISK_ROOT_TYPE_X86_64 ;;
arm64 | aarch64) root_type=$DISK_ROOT_TYPE_ARM64 ;;
*) die "unknown ARCH $arch" ;;
esac
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
data_size=${DISK_DATA_SIZE:-64M}
conf=${conf:-$here/disk/initd.conf}
[ -f "$conf" ] || die "no initd.conf at $conf"

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
work=${out%.img}.work
rm -rf "$work"
mkdir -p "$work/overlay/sbin" "$work/overlay/etc" "$work/overlay/data"

# ---- the root tree (mkimage.sh's) ------------------------------------------
sed "s/@DISK_DATA_PARTUUID@/$DISK_DATA_PARTUUID/g" "$conf" >"$work/initd.conf"
[ -z "$overlay" ] || (cd "$overlay" && tar -cf - .) | (cd "$work/overlay" && tar -xf - --no-same-owner)
mke2fs=$(command -v mke2fs) || die "mke2fs not found (make deps: e2fsprogs)"
cp "$mke2fs" "$work/overlay/sbin/mke2fs"
[ ! -f /etc/mke2fs.conf ] || cp /etc/mke2fs.conf "$work/overlay/etc/mke2fs.conf"
"$here/mkimage.sh" -o "$work/root.cpio.gz" -k "$kdir" -i "$initd" -s "$svctl" \
	${units:+-u "$units"} -C "$work/initd.conf" -O "$work/overlay" $check_opts
root=$work/root.cpio.gz.root
ln -sf initd "$root/sbin/init"

# ---- partition 1: the squashfs -----------------------------------------------
# mksquashfs sorts each directory itself; -all-time/-mkfs-time and -all-root
# take the build's clock and user out, -no-xattrs the host's labels.
mksquashfs "$root" "$work/root.squashfs" -noappend -all-root -no-xattrs -comp gzip \
	-mkfs-time "$epoch" -all-time "$epoch" -quiet -no-progress >/dev/null ||
	die "mksquashfs failed"

# ---- the disk: 1 MiB GPT, root, data, 1 MiB for the backup GPT -----------------
mib=1048576
root_mib=$((($(stat -c %s "$work/root.squashfs") + mib - 1) / mib))
data_mib=$(($(numfmt --from=iec "$data_size") / mib))
[ "$data_mib" -ge 8 ] || die "DISK_DATA_SIZE $data_size: at least 8M"
rm -f "$out.tmp"
truncate -s $(((1 + root_mib + data_mib + 1) * mib)) "$out.tmp"
sfdisk --quiet --no-reread --no-tell-kernel "$out.tmp" >/dev/null <<EOF_SFDISK ||
label: gpt
label-id: $DISK_GUID
start=2048, size=$((root_mib * 2048)), type=$root_type, uuid=$DISK_ROOT_PARTUUID, name="root"
start=$(((1 + root_mib) * 2048)), size=$((data_mib * 2048)), type=$DISK_DATA_TYPE, uuid=$DISK_DATA_PARTUUID, name="data"
EOF_SFDISK
	die "sfdisk failed"
dd if="$work/root.squashfs" of="$out.tmp" bs=1M seek=1 conv=notrunc,sparse status=none
mv "$out.tmp" "$out"

# ---- stage 1 ---------------------------------------------------------------------
# The chain for a virtio disk and squashfs, dependencies first; stage1
# loads /lib/modules/KVER/NAME.ko (copied flat) in this order.
kver=$(cat "$kdir/kver")
s1=$work/stage1
mods=$s1/lib/modules/$kver
mkdir -p "$s1/dev" "$s1/proc" "$s1/sys" "$s1/root" "$s1/etc" "$mods"
install -m 0755 "$stage1" "$s1/init"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
	virtio_blk squashfs; do
	ko=$(find "$kdir/modules/$kver" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || die "no $m.ko under $kdir/modules/$kver (images/kernel.sh KMODS)"
	install -m 0644 "$ko" "$mods/$m.ko"   # not the kernel cache's modes
	echo "$m" >>"$s1/etc/stage1.modules"
done
# shellcheck source=pack.sh
. "$here/pack.sh"
SOURCE_DATE_EPOCH=$epoch pack_root "$s1" "${out%.img}-stage1.cpio.gz"
echo "mkdisk: $out ($((1 + root_mib + data_mib + 1)) MiB: root ${root_mib} MiB squashfs, data ${data_mib} MiB empty)" >&2
echo "mkdisk: ${out%.img}-stage1.cpio.gz (boot: rdinit=/init initd.root=PARTUUID=$DISK_ROOT_PARTUUID)" >&2
