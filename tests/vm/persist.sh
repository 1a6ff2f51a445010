#!/bin/bash
# persist.sh OUT.tap — persistent logs survive a clean reboot (issue 14):
# two QEMU runs on the same virtio disk (ext4, made here with mkfs.ext4).
# Boot 1: initd.conf's mounts put the disk on /data, rec writes 500 numbered records (initd.conf log.directory = /data/log),
# and the driver, as soon as the last one is in initd's ring, asks for a
# reboot: the records reach the disk only through the shutdown's flush
# (QEMU -no-reboot then exits). Boot 2 reads every record of boot 1 back
# from /data/log/rec.log*, stamped, and powers off. Two boots, ~30 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/persist.sh OUT.tap}
dir=${BUILD:-build}/vm-persist
rm -rf "$dir"; mkdir -p "$dir"

tap() { echo "$1 - persist: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }

make --no-print-directory STATIC=1 all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
kdir=${BUILD:-build}/kernel/current
[ -f "$kdir/vmlinuz" ] || kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1)
[ -f "$kdir/vmlinuz" ] || fail "no kernel (see $dir/build.log)"
images/mkimage.sh -o "$dir/initrd" -k "$kdir" -i build-static/initd -s build-static/svctl \
	-u tests/vm/persist/units -C tests/vm/persist/initd.conf \
	-O tests/vm/persist/overlay >>"$dir/build.log" 2>&1 || fail "image build failed"
truncate -s 64M "$dir/disk.img"
mkfs.ext4 -q -F "$dir/disk.img" >>"$dir/build.log" 2>&1 || fail "mkfs.ext4 failed"

boot() {   # boot N: console in $dir/N.console, reports in $dir/N.out
	timeout 90 qemu-system-x86_64 -accel tcg -m 512 -smp 2 -no-reboot -nic none \
		-display none -monitor none \
		-drive "file=$dir/disk.img,if=virtio,format=raw" \
		-kernel "$kdir/vmlinuz" -initrd "$dir/initrd" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/sbin/initd" \
		-serial "file:$dir/$1.console" -serial "file:$dir/$1.out" </dev/null
	echo $? > "$dir/$1.rc"
}

boot 1
[ "$(cat "$dir/1.rc")" = 124 ] && fail "boot 1 hung (qemu killed after 90 s)"
if grep -q "persist: boot 0 done" "$dir/1.out"; then
	tap ok "boot 1 wrote its records and rebooted"
else
	tap "not ok" "boot 1 wrote its records and rebooted"
	tail -30 "$dir/1.console" | sed 's/^/# /'
	exit 1
fi
boot 2
[ "$(cat "$dir/2.rc")" = 124 ] && fail "boot 2 hung (qemu killed after 90 s)"
got() { sed -n "s/^persist: $1 //p" "$dir/2.out" | tr -d '\r'; }
if [ "$(got boot0-records)" = 500 ]; then
	tap ok "all 500 records of boot 1 read back from the disk on boot 2"
else
	tap "not ok" "all 500 records of boot 1 read back (got '$(got boot0-records)', last '$(got boot0-last)')"
	tail -30 "$dir/2.console" | sed 's/^/# /'
fi
if [ "$(got boot0-stamped)" = 500 ]; then
	tap ok "each record is stamped"
else
	tap "not ok" "each record is stamped (got '$(got boot0-stamped)')"
fi
if [ "$(got writer-stderr-blocking)" = yes ]; then
	tap ok "the log writer's fd 2 (the console) is blocking"
else
	tap "not ok" "the log writer's fd 2 (the console) is blocking (got '$(got writer-stderr-blocking)')"
fi
# any failed check above fails the script (the tier's exit status)
! grep -q '^not ok - persist:' "$out"
