#!/bin/bash
# watchdog.sh OUT.tap — the hardware watchdog (issue 14), proven against
# QEMU's emulated i6300esb (-device i6300esb -action watchdog=reset
# -no-reboot: a watchdog reset ends QEMU, and QEMU reports it as a WATCHDOG
# event on QMP, read here by a small python3 client). initd.conf loads the
# modules "watchdog" and "i6300esb" and sets a 5 s timeout. One boot each:
#   run       a normal run of RUN_SECS (> 3x the timeout) is not reset; the
#             kernel took the timeout (sysfs timeout 5, state active),
#             svctl show-system shows it; then a clean poweroff ("reboot:
#             Power down", no WATCHDOG event)
#   freeze    the FAULT=1 build faults PID 1 under crash_action "freeze":
#             the watchdog resets the machine (WATCHDOG event, QEMU exits)
#   crashoff  the FAULT=1 build faults PID 1 under crash_action "poweroff":
#             initd disarms the watchdog in the crash path ("initd: watchdog
#             disarmed" on the console) before reboot(2), and the machine
#             powers down without a WATCHDOG event (QEMU powers off, so the
#             board that halts instead, which the watchdog reset, is not
#             shown: the disarm's line is what is asserted)
#   shutdown  a poweroff while a service ignores SIGTERM with a 60 s stop
#             timeout: the watchdog's shutdown_timeout of 6 s resets the
#             machine long before initd's own 60 s bound would power it off
#   halt      svctl halt with shutdown_timeout 6 s: initd disarms the
#             watchdog (the magic close) right before reboot(2) and the
#             kernel halts; QEMU is ended by this script 8 s (more than
#             the watchdog's timeout) after "reboot: System halted", at most
#             120 s after its start. i6300esb's driver also stops on halt
#             by itself, so the absence of a reset is printed, not asserted
#   stuckdisk a poweroff with 8 MiB dirty on /slow, an ext4 disk whose
#             writes QEMU throttles to 1 byte/s once 1 MiB has gone (a dead
#             disk): the final sync makes no progress, initd gives it up
#             after sync_timeout (12 s) and powers off. The hardware refuses
#             the watchdog's shutdown_timeout of 3000s (i6300esb: 2046 s at
#             most), so initd pets on through the final phase: no reset
# WATCHDOG_CASES (default "run freeze crashoff shutdown halt stuckdisk") picks the boots. Appends
# TAP lines to OUT.tap. About 60-80 s of wall time under TCG.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/watchdog.sh OUT.tap}
dir=${BUILD:-build}/vm-watchdog
RUN_SECS=${RUN_SECS:-17}
rm -rf "$dir"; mkdir -p "$dir"

tap() { echo "$1 - watchdog: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }

make --no-print-directory STATIC=1 FAULT=1 all >"$dir/build.log" 2>&1 ||
	fail "FAULT=1 static build failed (see $dir/build.log)"
kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1) || fail "no kernel"
[ -d "$kdir" ] || kdir=${BUILD:-build}/kernel/current
images/mkimage.sh -o "$dir/base.cpio.gz" -k "$kdir" -i build-static-fault/initd \
	-s build-static-fault/svctl -u tests/vm/watchdog/units \
	-O tests/vm/watchdog/overlay >>"$dir/build.log" 2>&1 || fail "image build failed"

# qmp_events SOCKET LOG — connect once QEMU listens, negotiate, and write
# every event QEMU sends as one JSON line until it exits.
qmp_events() {
	python3 - "$1" "$2" <<-'PY'
	import json, socket, sys, time
	path, log = sys.argv[1], sys.argv[2]
	s = socket.socket(socket.AF_UNIX)
	end = time.time() + 60
	while True:
	    try:
	        s.connect(path)
	        break
	    except OSError:
	        if time.time() > end:
	            sys.exit(1)
	        time.sleep(0.05)
	f = s.makefile("rw")
	f.readline()                                  # the greeting
	f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
	f.flush()
	with open(log, "a") as o:
	    for line in f:
	        msg = json.loads(line)
	        if "event" in msg:
	            o.write(json.dumps(msg) + "\n")
	            o.flush()
	PY
}

# boot CASE CONF [UNTIL]: console in $dir/CASE.console, reports in
# $dir/CASE.out, QMP events in $dir/CASE.events, QEMU's exit status in
# $dir/CASE.rc. QEMU is killed after 120 s, or 8 s after the console shows
# UNTIL (a halted machine never ends QEMU by itself).
boot() {
	local c=$1 conf=$2 until=${3:-} stage=$dir/$1.stage qpid vm t0 drive=()
	mkdir -p "$stage/etc/initd"
	printf '%s\n' "$conf" > "$stage/etc/initd/initd.conf"
	echo "$c" > "$stage/etc/wd-case"
	echo "$RUN_SECS" > "$stage/etc/wd-run-secs"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip) > "$dir/$c.conf.gz"
	cat "$dir/base.cpio.gz" "$dir/$c.conf.gz" > "$dir/$c.initrd"
	: > "$dir/$c.events"
	qmp_events "$dir/$c.qmp" "$dir/$c.events" 2>"$dir/$c.qmp.err" &
	qpid=$!
	[ "$c" = stuckdisk ] && drive=(-drive "file=$dir/slow.img,if=virtio,format=raw,$SLOW")
	t0=$SECONDS
	timeout 120 qemu-system-x86_64 -accel tcg -m 512 -smp 2 -no-reboot -nic none \
		-display none -monitor none -device i6300esb -action watchdog=reset \
		-qmp "unix:$dir/$c.qmp,server=on,wait=off" \
		-kernel "$kdir/vmlinuz" -initrd "$dir/$c.initrd" "${drive[@]}" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/sbin/initd" \
		-serial "file:$dir/$c.console" -serial "file:$dir/$c.out" </dev/null &
	vm=$!
	if [ -n "$until" ]; then
		while kill -0 "$vm" 2>/dev/null && ! grep -aq -- "$until" "$dir/$c.console"; do
			sleep 0.5
		done
		sleep 8
		kill "$vm" 2>/dev/null   # timeout passes it on to QEMU
	fi
	wait "$vm"
	echo $? > "$dir/$c.rc"
	echo $((SECONDS - t0)) > "$dir/$c.secs"
	wait "$qpid" 2>/dev/null
}

has() { grep -aq -- "$2" "$dir/$1.$3"; }
expect() {   # expect CASE WHAT PATTERN FILE
	if has "$1" "$3" "$4"; then tap ok "$1: $2"; else tap "not ok" "$1: $2"; fi
}
reset_seen() { grep -q '"WATCHDOG".*"reset"' "$dir/$1.events"; }
inside() {   # the reports every case makes from inside before its action
	local r
	for r in kernel-timeout-5 kernel-state-active svctl-armed svctl-timeout-5s svctl-last-pet; do
		expect "$1" "inside: $r" "report: $r" out
	done
}

MODS='modules = [ "watchdog", "i6300esb" ];'
DISKMODS='modules = [ "watchdog", "i6300esb", "virtio_ring", "virtio", "virtio_pci_modern_dev",
	"virtio_pci_legacy_dev", "virtio_pci", "virtio_blk", "crc32c_generic", "crc16", "mbcache",
	"jbd2", "ext4" ];'
# A dead disk: QEMU lets 1 MiB of writes through (the mount's), then 1 B/s.
SLOW=throttling.bps-write=1,throttling.bps-write-max=1048576
truncate -s 64M "$dir/slow.img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dir/slow.img" >>"$dir/build.log" 2>&1 ||
	fail "mkfs.ext4 failed"
for c in ${WATCHDOG_CASES:-run freeze crashoff shutdown halt stuckdisk}; do
	case $c in
	run)      boot run "$MODS watchdog = { timeout = \"5s\"; };" ;;
	freeze)   boot freeze "$MODS crash_action = \"freeze\"; watchdog = { timeout = \"5s\"; };" ;;
	crashoff) boot crashoff "$MODS crash_action = \"poweroff\"; watchdog = { timeout = \"5s\"; };" ;;
	shutdown) boot shutdown "$MODS shutdown_timeout = \"90s\";
		  watchdog = { timeout = \"5s\"; shutdown_timeout = \"6s\"; };" ;;
	halt)     boot halt "$MODS watchdog = { timeout = \"5s\"; shutdown_timeout = \"6s\"; };" \
		       "reboot: System halted" ;;
	stuckdisk) boot stuckdisk "$DISKMODS sync_timeout = \"12s\";
		  mounts = ( { what = \"/dev/vda\"; where = \"/slow\"; type = \"ext4\"; } );
		  watchdog = { timeout = \"5s\"; shutdown_timeout = \"3000s\"; };" ;;
	*) fail "unknown case $c" ;;
	esac
	rc=$(cat "$dir/$c.rc") secs=$(cat "$dir/$c.secs")
	echo "# $c: qemu exited $rc after ${secs}s; events: $(tr '\n' ' ' < "$dir/$c.events")" | tee -a "$out"
	sed -n 's/^\(kernel\|pets\|show-system\|meminfo\):/#   &/p' "$dir/$c.out" | tee -a "$out"
	if [ "$c" = halt ]; then
		inside halt
		expect halt "the kernel halted" "reboot: System halted" console
		expect halt "the halt was asked" "report: halt" out
		expect halt "initd disarmed the watchdog (the magic close took)" \
			"watchdog /dev/watchdog0\?: disarmed" console
		echo "# halt: WATCHDOG events in ${secs}s: $(grep -c WATCHDOG "$dir/halt.events")" |
			tee -a "$out"
		continue
	fi
	if [ "$rc" = 124 ]; then
		tap "not ok" "$c: the machine ended (qemu killed after 120 s)"
		tail -20 "$dir/$c.console" | sed 's/^/# /'
		continue
	fi
	if has "$c" "Kernel panic" console; then
		tap "not ok" "$c: no kernel panic"; tail -20 "$dir/$c.console" | sed 's/^/# /'
		continue
	fi
	tap ok "$c: no kernel panic"
	inside "$c"
	[ -s "$dir/$c.qmp.err" ] && sed 's/^/# qmp: /' "$dir/$c.qmp.err"
	case $c in
	run)
		expect run "still petted after ${RUN_SECS}s (pets went up)" "report: still-petted" out
		expect run "still armed after ${RUN_SECS}s" "report: still-armed" out
		expect run "a clean poweroff: the kernel powered down" "reboot: Power down" console
		if reset_seen run || grep -q WATCHDOG "$dir/run.events"; then
			tap "not ok" "run: no WATCHDOG event (the machine was not reset)"
		else
			tap ok "run: no WATCHDOG event (the machine was not reset)"
		fi ;;
	freeze)
		expect freeze "PID 1 faulted and froze" "initd: crash action: freeze" console
		if reset_seen freeze; then tap ok "freeze: QEMU reset the machine (WATCHDOG event, action reset)"
		else tap "not ok" "freeze: QEMU reset the machine (WATCHDOG event, action reset)"; fi
		if has freeze "reboot: Power down" console || has freeze "reboot: Restarting" console; then
			tap "not ok" "freeze: the end was the watchdog's, not a reboot(2)"
		else
			tap ok "freeze: the end was the watchdog's, not a reboot(2)"
		fi ;;
	crashoff)
		expect crashoff "PID 1 faulted, its action poweroff" "initd: crash action: poweroff" console
		expect crashoff "the crash path disarmed the watchdog" "initd: watchdog disarmed" console
		expect crashoff "the kernel powered down" "reboot: Power down" console
		if grep -q WATCHDOG "$dir/crashoff.events"; then
			tap "not ok" "crashoff: no WATCHDOG event"
		else
			tap ok "crashoff: no WATCHDOG event"
		fi ;;
	shutdown)
		expect shutdown "the shutdown started" "report: poweroff" out
		expect shutdown "initd switched to the shutdown timeout" \
			"shutting down: timeout 6s, no more pets" console
		if reset_seen shutdown; then tap ok "shutdown: QEMU reset the hung shutdown (WATCHDOG event)"
		else tap "not ok" "shutdown: QEMU reset the hung shutdown (WATCHDOG event)"; fi
		if has shutdown "reboot: Power down" console; then
			tap "not ok" "shutdown: reset before initd's own 90 s bound powered it down"
		else
			tap ok "shutdown: reset before initd's own 90 s bound powered it down"
		fi ;;
	stuckdisk)
		expect stuckdisk "8 MiB written to the throttled disk, dirty" "report: dirty" out
		expect stuckdisk "the hardware refused the 3000s shutdown timeout: petting on" \
			"refused the shutdown timeout of 3000s" console
		expect stuckdisk "initd gave up the final sync after 12 s without progress" \
			"the final sync: no progress in 12" console
		expect stuckdisk "then powered off" "reboot: Power down" console
		if grep -q WATCHDOG "$dir/stuckdisk.events"; then
			tap "not ok" "stuckdisk: no WATCHDOG event (petted through the final phase)"
		else
			tap ok "stuckdisk: no WATCHDOG event (petted through the final phase)"
		fi ;;
	esac
done
! grep -q '^not ok - watchdog:' "$out"
