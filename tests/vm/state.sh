#!/bin/bash
# state.sh OUT.tap — initd.conf's mounts and the appliance's state, proven in
# the VM (issue 14, item 3). One QEMU run per boot, a virtio disk made on the
# host (mkfs.ext4 -L data), the units of tests/vm/state/units:
#   write    fresh disk: /data mounted (LABEL=, fsck, noatime), the writer
#            stores records 1..100, `svctl poweroff`; initd unmounts /data;
#            the host then reads the 100 records off the disk (debugfs) and
#            finds the filesystem clean (e2fsck -fn)
#   reboot   the same disk again: every record is there, the kernel's
#            /proc/mounts shows /data ext4 noatime, no ext4 recovery
#   corrupt  the superblock zeroed with dd (what = "/dev/vda", fsck, required,
#            on_failure = "poweroff"): e2fsck fails, initd says so and powers
#            off, no unit starts
#   missing  no disk, the mount optional with a 3 s timeout: reported and
#            skipped, units start, the writer (requires_mounts) fails with
#            "mount /data failed: ..."
#   undeclared  no mounts at boot (the writer is bad: /data undeclared),
#            then a reload declares /data: the writer does not start, "not
#            mounted at boot" (the old code checked requires_mounts only
#            when the boot had mounts, and the writer wrote to the rootfs)
# STATE_BOOTS (default "write reboot corrupt missing undeclared") picks the boots; the
# second needs the first. About 10 s per boot under TCG. Appends TAP lines
# to OUT.tap.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/state.sh OUT.tap}
dir=${VM_DIR:-${BUILD:-build}/vm-state}
rm -rf "$dir"; mkdir -p "$dir"
export PATH=$PATH:/sbin:/usr/sbin

tap() { echo "$1 - state: $2" | tee -a "$out"; }
check() {   # check NAME CMD...: a TAP line from CMD's status
	local name=$1; shift
	if "$@"; then tap ok "$name"; else tap "not ok" "$name"; fi
}
fail() { tap "not ok" "$1"; exit 1; }

make --no-print-directory STATIC=1 all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
kdir=${STATE_KERNEL:-${BUILD:-build}/kernel/current}
[ -f "$kdir/vmlinuz" ] || kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1)
[ -f "$kdir/vmlinuz" ] || fail "no kernel"
[ -n "$(find "$kdir/modules" -name 'crc32c_generic.ko*' 2>/dev/null)" ] ||
	fail "the kernel cache $kdir has no crc32c_generic, which ext4 needs (rerun images/kernel.sh: its default KMODS carries it)"
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null || fail "no e2fsprogs (make deps)"
images/mkimage.sh -o "$dir/base.cpio.gz" -k "$kdir" -i build-static/initd \
	-s build-static/svctl -u tests/vm/state/units -C tests/vm/state/initd.conf \
	>>"$dir/build.log" 2>&1 || fail "image build failed"
disk=$dir/data.img

# boot NAME [CONF]: console in $dir/NAME.console, QEMU's status in NAME.rc.
# CONF (a file) replaces initd.conf; the disk is attached when it exists.
boot() {
	local name=$1 conf=${2:-} initrd=$dir/base.cpio.gz drive=()
	if [ -n "$conf" ]; then
		mkdir -p "$dir/$name.stage/etc/initd"
		cp "$conf" "$dir/$name.stage/etc/initd/initd.conf"
		(cd "$dir/$name.stage" && find . | cpio -o -H newc --quiet | gzip) >"$dir/$name.conf.gz"
		cat "$dir/base.cpio.gz" "$dir/$name.conf.gz" >"$dir/$name.initrd"
		initrd=$dir/$name.initrd
	fi
	[ -e "$disk" ] && drive=(-drive "file=$disk,if=virtio,format=raw")
	timeout 90 qemu-system-x86_64 -accel tcg -m 512 -smp 2 -no-reboot -nic none \
		-display none -monitor none "${drive[@]}" \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=7 panic=-1 rdinit=/sbin/initd" \
		-serial "file:$dir/$name.console" </dev/null >"$dir/$name.qemu" 2>&1
	echo $? >"$dir/$name.rc"
	tr -d '\r' <"$dir/$name.console" >"$dir/$name.log"
}
host_fsck() { e2fsck -fn "$disk" >"$dir/host.e2fsck" 2>&1; }
has() { grep -aq -- "$2" "$dir/$1.log"; }
hasnt() { ! grep -aq -- "$2" "$dir/$1.log"; }
ended() {   # ended NAME: QEMU exited by itself after initd powered off
	[ "$(cat "$dir/$1.rc")" = 0 ] && has "$1" "reboot: Power down"
}
show() { grep -a -e 'initd' -e 'state:' -e 'EXT4' "$dir/$1.log" | tail -n 25 | sed 's/^/# /'; }

# As `make run DISK=` makes it. ext4 loads the crc32c driver at every mount:
# the kernel cache must carry crc32c_generic (images/kernel.sh's default).
mkdisk() {
	rm -f "$disk"
	truncate -s 64M "$disk" && mkfs.ext4 -F -q -L data "$disk"
}

for b in ${STATE_BOOTS:-write reboot corrupt missing undeclared}; do
	case $b in
	write)
		mkdisk || fail "write: mkfs.ext4"
		boot write
		check "write: QEMU exited after initd powered off" ended write
		check "write: /data mounted from LABEL=data before the units" \
			has write "mounted LABEL=data on /data (ext4, noatime)"
		check "write: the writer stored 100 records" \
			has write "state: boot 1: 100 records, last 'record 100'"
		check "write: initd unmounted /data at shutdown" has write "unmounting /data"
		check "write: no busy /data (no read-only fallback)" hasnt write "remounted read-only"
		check "write: the host reads 100 records off the disk" \
			test "$(debugfs -R 'cat /records' "$disk" 2>/dev/null | grep -c '^record ')" = 100
		check "write: the host's e2fsck -fn finds the filesystem clean" host_fsck
		ended write || show write ;;
	reboot)
		boot reboot
		check "reboot: QEMU exited after initd powered off" ended reboot
		check "reboot: every record is there on the second boot" \
			has reboot "state: boot 2: 100 records, last 'record 100'"
		check "reboot: the kernel's /proc/mounts has /data ext4 noatime" \
			grep -aEq "state: mount: /dev/vda /data ext4 [^ ]*noatime" "$dir/reboot.log"
		check "reboot: the kernel mounted a clean filesystem (no recovery, no orphans)" \
			eval 'has reboot "EXT4-fs (vda): mounted" && hasnt reboot "EXT4-fs (vda): recovery" && hasnt reboot "orphan"'
		has reboot "state: boot 2" || show reboot ;;
	corrupt)
		[ -e "$disk" ] || mkdisk
		dd if=/dev/zero of="$disk" bs=1024 seek=1 count=1 conv=notrunc status=none
		sed 's|"LABEL=data"|"/dev/vda"|' tests/vm/state/initd.conf >"$dir/corrupt.conf"
		boot corrupt "$dir/corrupt.conf"
		check "corrupt: QEMU exited after initd powered off" ended corrupt
		check "corrupt: e2fsck failed and initd said so" \
			grep -aEq "mount /data .*fsck: exit (8|12|16)" "$dir/corrupt.log"
		check "corrupt: the configured on_failure (poweroff) ran" \
			has corrupt "required mount /data failed: fsck: exit .*: failure action poweroff"
		check "corrupt: no unit started" hasnt corrupt "state:"
		ended corrupt || show corrupt ;;
	missing)
		rm -f "$disk"
		cat >"$dir/missing.conf" <<-'EOF'
		modules = [ "virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
			    "virtio_pci", "virtio_blk", "crc32c_generic", "crc16", "mbcache", "jbd2", "ext4" ];
		mounts = ( { what = "LABEL=data"; where = "/data"; type = "ext4"; required = false;
			     timeout = "3s"; } );
		EOF
		boot missing "$dir/missing.conf"
		check "missing: QEMU exited after initd powered off" ended missing
		check "missing: the optional mount was reported and skipped" \
			grep -aEq "mount /data: timed out after 3s in device .*optional, skipped" "$dir/missing.log"
		check "missing: the units still started" has missing "state: units-started"
		check "missing: the writer (requires_mounts) failed with the mount's reason" \
			has missing "state: status: .*mount /data failed: timed out"
		check "missing: nothing to unmount at shutdown" hasnt missing "unmounting /data"
		has missing "state: units-started" || show missing ;;
	undeclared)
		rm -f "$disk"
		rm -rf "$dir/undeclared.stage"
		mkdir -p "$dir/undeclared.stage/etc/initd/units"
		echo 'log_buffer = "64K";' >"$dir/undeclared.conf"
		# finish, not after the writer: declares /data, reloads, reports
		cat >"$dir/undeclared.stage/etc/initd/units/finish.unit" <<-'EOF'
		type = "oneshot";
		restart = "no";
		log = { console = true; };
		exec = [ "/bin/sh", "-c", "
		echo 'mounts = ( { what = \"LABEL=data\"; where = \"/data\"; type = \"ext4\"; required = false; timeout = \"3s\"; } );' > /etc/initd/initd.conf
		svctl reload | sed 's/^/state: reload: /'
		i=0
		while [ $i -lt 50 ] && ! svctl status writer | grep -Eq ' (failed|exited) '; do sleep 0.1; i=$((i + 1)); done
		svctl status writer | sed 's/^/state: status: /'
		echo state: reloaded
		svctl poweroff
		" ];
		EOF
		boot undeclared "$dir/undeclared.conf"
		check "undeclared: QEMU exited after initd powered off" ended undeclared
		check "undeclared: the reload came" has undeclared "state: reloaded"
		check "undeclared: the writer did not start: /data was not mounted at boot" \
			has undeclared "state: status: .*mount /data: not mounted at boot"
		check "undeclared: nothing written to the rootfs's /data" hasnt undeclared "records, last"
		has undeclared "state: reloaded" || show undeclared ;;
	esac
done
! grep -q '^not ok - state:' "$out"
