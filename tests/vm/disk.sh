#!/bin/bash
# disk.sh OUT.tap — the disk image (issue 16 item 3, images/mkdisk.sh):
#   1. reproducible: built twice from clean, the disk and its stage 1 hash
#      the same;
#   2. boot 1 (from a scratch copy: the disk is written): stage 1 finds the
#      root by PARTUUID, PID 1 is initd on the squashfs root, read-only;
#      the empty data partition is formatted ext4 and mounted on /data, a
#      record is written;
#   3. boot 2 from the same copy: the record is there, the filesystem UUID
#      is the same (no second format), no "formatted" on the console;
#   4. both boots also see vdb, a disk with an XFS signature under an entry
#      with format = "ext4": refused every time, its bytes unchanged;
#   5. boot 3 names a PARTUUID no disk has (initd.rootwait=2): stage 1 says
#      so on the console and powers off, no hang;
#   6. boot 4 has a copy of the disk as vdb (mkdisk's GUIDs are fixed):
#      stage 1 names both disks and powers off, it boots neither;
#   7. boot 5 has a disk with the data partition's PARTUUID as vdb: initd
#      refuses /data at once, naming why, and mounts neither.
# The image is the default one plus tests/vm/disk (a unit that reports on
# ttyS1 and powers off). Two builds, five boots. Appends TAP lines to OUT.tap.
# VM_DIR (default $BUILD/vm-disk) is the work directory.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/disk.sh OUT.tap}
dir=${VM_DIR:-${BUILD:-build}/vm-disk}
rm -rf "$dir"; mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

tap() { echo "$1 - disk: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }
check() { if eval "$2"; then tap ok "$1"; else tap "not ok" "$1"; fi; }

make --no-print-directory STATIC=1 SANITIZE= all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
kdir=${BUILD:-build}/kernel/current
[ -f "$kdir/vmlinuz" ] || fail "no kernel in $kdir (make image-deps)"
# shellcheck source=../../images/disk/layout.env
. images/disk/layout.env

# The disk's own initd.conf plus one entry: format = "ext4" on a second
# disk (vdb) that carries an XFS signature, which must stay untouched.
sed 's|\(options = "lowerdir=[^"]*"; }\) );|\1,\n\t   { what = "/dev/vdb"; where = "/data/foreign"; type = "ext4"; format = "ext4"; required = false; timeout = "20s"; } );|' \
	images/disk/initd.conf >"$dir/initd.conf"
grep -q /data/foreign "$dir/initd.conf" || fail "cannot add the foreign entry to images/disk/initd.conf"
truncate -s 1M "$dir/foreign.img" && printf 'XFSB' | dd of="$dir/foreign.img" conv=notrunc status=none
foreign_sum=$(sha256sum <"$dir/foreign.img")

# build [UMASK]: $dir/img/disk.img and disk-stage1.cpio.gz, from clean;
# under UMASK with a copy of the kernel cache made under it (its modes are
# those of the umask it was fetched under): neither may reach the disk.
build() {
	local k=$kdir
	rm -rf "$dir/img" "$dir/kernel"
	(
		umask "${1:-022}"
		if [ -n "${1:-}" ]; then
			cp -R "$kdir/." "$dir/kernel" || exit 1
			k=$dir/kernel
		fi
		images/mkdisk.sh -o "$dir/img/disk.img" -k "$k" -i build-static/initd \
			-s build-static/svctl -1 build-static/initd-stage1 -O tests/vm/disk -C "$dir/initd.conf"
	) >>"$dir/build.log" 2>&1 || fail "disk build failed (see $dir/build.log)"
	(cd "$dir/img" && sha256sum disk.img disk-stage1.cpio.gz)
}
sum1=$(build)
sum2=$(build 077)
echo "$sum1" | sed 's/^/# /'
check "two clean builds (umask 022, 077) give the same disk and stage 1 (sha256)" '[ "$sum1" = "$sum2" ]'

cp --sparse=always "$dir/img/disk.img" "$dir/scratch.img"
# boot N [PARTUUID ARGS]: console in $dir/N.console, reports in $dir/N.out;
# vdb is $second_disk, foreign.img unless set; QEMU is ended after $limit
# seconds (90 unless set).
boot() {
	timeout "${limit:-90}" qemu-system-x86_64 -accel tcg -m 512 -smp 2 -no-reboot -nic none \
		-display none -monitor none -kernel "$kdir/vmlinuz" \
		-initrd "$dir/img/disk-stage1.cpio.gz" \
		-drive "file=$dir/scratch.img,if=virtio,format=raw" \
		-drive "file=${second_disk:-$dir/foreign.img},if=virtio,format=raw" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init initd.root=PARTUUID=${2:-$DISK_ROOT_PARTUUID}${3:+ $3}" \
		-serial "file:$dir/$1.console" -serial "file:$dir/$1.out" </dev/null
	echo $? >"$dir/$1.rc"
	tr -d '\r' <"$dir/$1.out" >"$dir/$1.txt"
}
has() { grep -aq -- "$2" "$dir/$1.txt"; }
field() { sed -n "s/^report: $2=//p" "$dir/$1.txt" | head -n 1; }

for n in 1 2; do
	boot "$n"
	if [ "$(cat "$dir/$n.rc")" = 124 ] || ! has "$n" "report: done"; then
		tap "not ok" "boot $n: the check ran and powered off (qemu rc $(cat "$dir/$n.rc"))"
		tail -n 30 "$dir/$n.console" | sed 's/^/# /'
		continue
	fi
	tap ok "boot $n: the check ran and powered off"
	check "boot $n: stage 1 found the root by PARTUUID" \
		"grep -aq 'stage1: root /dev/vda1 (PARTUUID $DISK_ROOT_PARTUUID' '$dir/$n.console'"
	check "boot $n: PID 1 is initd (/proc/1/exe, run as /sbin/init)" "has $n 'pid1-comm=init pid1-exe=/sbin/initd'"
	check "boot $n: / is the squashfs on vda1, read-only" \
		"has $n 'mount / dev=/dev/vda1 type=squashfs opts=ro' && has $n root-read-only"
	check "boot $n: /data is ext4 on partition 2, read-write" \
		"has $n 'mount /data dev=/dev/vda2 type=ext4 opts=rw' && has $n wrote-record"
done
uuid1=$(field 1 fs-uuid) uuid2=$(field 2 fs-uuid)
check "boot 1: the blank data partition was formatted" \
	"[ \"\$(field 1 record)\" = none ] && grep -aq 'was blank: formatted as ext4' '$dir/1.console'"
check "boot 2: the record of boot 1 is on /data" \
	"[ -n '$uuid1' ] && [ \"\$(field 2 record)\" = 'written-on-$uuid1' ]"
check "boot 2: no second format (filesystem UUID unchanged)" \
	"[ -n '$uuid1' ] && [ '$uuid1' = '$uuid2' ] && ! grep -aq 'formatted as' '$dir/2.console'"
check "a device with another signature is never formatted (XFS on vdb: refused, unchanged)" \
	"grep -aq '/data/foreign.*format: the device has another filesystem' '$dir/1.console' && [ \"\$(sha256sum <'$dir/foreign.img')\" = '$foreign_sum' ]"

# A root that never appears: stage 1 says so and powers off, it never hangs.
missing=00000000-0000-4000-8000-000000000000
boot 3 "$missing" initd.rootwait=2
check "no root: stage 1 names the PARTUUID and powers off by itself" \
	"[ \"\$(cat '$dir/3.rc')\" = 0 ] && grep -aq 'stage1: error: no partition with PARTUUID $missing after 2 s' '$dir/3.console' && grep -aq 'reboot: Power down' '$dir/3.console'"

# Two disks with the root's PARTUUID (a copy of the image): stage 1 picks
# neither, names both and powers off.
cp --sparse=always "$dir/img/disk.img" "$dir/copy.img"
second_disk=$dir/copy.img boot 4
check "the root's PARTUUID on two disks: stage 1 names both and powers off" \
	"[ \"\$(cat '$dir/4.rc')\" = 0 ] && grep -aq 'stage1: error: PARTUUID $DISK_ROOT_PARTUUID is on two disks, /dev/vd[ab] and /dev/vd[ab]: which one is the root is not known' '$dir/4.console' && grep -aq 'reboot: Power down' '$dir/4.console' && ! has 4 'report: done'"
# The data partition's PARTUUID on a second disk too (a GPT holding just
# that entry): initd's mount helper refuses /data at once, naming why, and
# mounts neither (the old scan mounted whichever disk sysfs listed first).
# /data is required, so initd then enters rescue: QEMU is ended at 40 s,
# the line is on the console well before.
truncate -s 4M "$dir/dup-data.img"
printf 'label: gpt\nstart=2048, size=4096, type=%s, uuid=%s\n' "$DISK_DATA_TYPE" \
	"$DISK_DATA_PARTUUID" | sfdisk --quiet --no-reread --no-tell-kernel "$dir/dup-data.img" \
	>/dev/null || fail "cannot make the disk with the data partition's PARTUUID"
cp --sparse=always "$dir/img/disk.img" "$dir/scratch.img"
second_disk=$dir/dup-data.img limit=40 boot 5
check "the data partition's PARTUUID on two disks: /data is refused at once, neither mounted" \
	"grep -aq 'mount /data (PARTUUID=$DISK_DATA_PARTUUID on ext4): device: its PARTUUID is on two disks' '$dir/5.console' && ! grep -aq 'timed out after' '$dir/5.console' && ! has 5 'mount /data dev='"
! grep -q '^not ok - disk:' "$out"
