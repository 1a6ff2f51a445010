#!/bin/bash
# tests/vm/run.sh OUT.tap — the VM tier (doc/DESIGN.md §11, tier 3).
#
# Boots the appliance several times, each with its own unit set, and runs a
# driver script inside each (images/run.sh script mode). The drivers print
# TAP lines about the kernel's state; this script prefixes them with the
# boot's name, adds its own checks (the image built, the VM booted, the
# scenarios finished, no kernel panic, the machine went down the way it was
# asked) and the host-side checks of each boot's shutdown, read from the
# console (initd's lines, the kernel's "reboot:" line, and the lines the test
# services write to /dev/kmsg with the kernel's timestamps).
#
#   boot    units                      conf                  driver
#   main    tests/vm/units             tests/vm/initd.conf   scenarios.sh (basic, isolation)
#   faults  tests/vm/faults-units +    tests/vm/faults.conf  scenarios-faults.sh (lifecycle,
#           tests/vm/bad-units +                             broken units, faults; ends with a
#           generated garbage                                poweroff: order and bound checked here)
#   cgroup  tests/vm/cgroup-units      tests/vm/cgroup.conf  scenarios-cgroup.sh (ends with
#                                                            svctl reboot, checked here)
#
# Every image carries the overlay built here: /usr/lib/vmtest/ with the
# static helpers hog (tests/vm/hog.c) and testd (tests/testd.c), every
# tests/vm/*.sh, and env (the knobs below).
#
# Environment: VM_BOOTS (default "main faults cgroup"), VM_CHAOS_SECS
# (random kills in faults.sh, default 180: "a few minutes", issue 7), VM_KILLS (kills in a row, default
# 1000), VM_TIMEOUT (per boot; default 150 s + VM_CHAOS_SECS for faults,
# 150 s for the others), VM_DIR (work directory, default build/vm; one run
# at a time per directory, flock). Exit status 0 when every line is ok.
set -uo pipefail

out=${1:?usage: tests/vm/run.sh OUT.tap}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mkdir -p "$(dirname "$out")"
work=${VM_DIR:-build/vm}
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Two runs sharing a work directory would boot from each other's images and
# read each other's consoles: the second waits for the first.
exec 9>"$work/.lock"
if ! flock -n 9; then
	echo "vm: $work is in use by another run; waiting (up to 10 min)" >&2
	flock -w 600 9 || { echo "not ok - vm tier: $work stayed locked" | tee -a "$out"; exit 1; }
fi
: >"$out"
BOOTS=${VM_BOOTS:-main faults cgroup scale}
CHAOS_SECS=${VM_CHAOS_SECS:-180}
KILLS=${VM_KILLS:-1000}
SCALE_UNITS=${VM_SCALE_UNITS:-2000}

tap() { echo "$1" | tee -a "$out"; }
t_tier=$SECONDS

# ---- 1. the overlay: static helpers and the scenario files ------------------
ov=$work/overlay
rm -rf "$ov"
mkdir -p "$ov/usr/lib/vmtest"
if ! gcc -static -O2 -Wall -o "$ov/usr/lib/vmtest/hog" tests/vm/hog.c >"$work/helpers.log" 2>&1 ||
	! gcc -static -O2 -D_GNU_SOURCE -I. -o "$ov/usr/lib/vmtest/testd" tests/testd.c common/util.c \
		>>"$work/helpers.log" 2>&1; then
	cat "$work/helpers.log" >&2
	tap "not ok - vm tier: static test helpers build (see $work/helpers.log)"
	exit 1
fi
install -m 0755 tests/vm/*.sh "$ov/usr/lib/vmtest/"
# Two dynamically linked programs of the build host for iso-dyn's rootfs
# from_host (mkimage.sh copies their loader and libraries into the image).
install -m 0755 "$(readlink -f /bin/dash)" "$ov/usr/lib/vmtest/dyn-sh"
install -m 0755 "$(readlink -f /bin/sleep)" "$ov/usr/lib/vmtest/dyn-sleep"
printf 'CHAOS_SECS=%s\nKILLS=%s\nSCALE_UNITS=%s\n' "$CHAOS_SECS" "$KILLS" "$SCALE_UNITS" \
	>"$ov/usr/lib/vmtest/env"
# ns-auto-a's environment file (userns.sh)
mkdir -p "$ov/etc"
echo NS_ENV=read-in-its-userns >"$ov/etc/ns-auto.env"

# ---- 2. the faults boot's units: its own, the broken ones, generated garbage --
faults_units=$work/faults-units
rm -rf "$faults_units"
mkdir -p "$faults_units"
cp tests/vm/faults-units/*.unit tests/vm/bad-units/*.unit "$faults_units/"
# binary garbage (with NUL bytes, and without), a 300 KB file, deep nesting
LC_ALL=C awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' \
	>"$faults_units/garbage.unit"
LC_ALL=C awk 'BEGIN { srand(8); for (i = 0; i < 4096; i++) printf "%c", 1 + int(rand() * 255) }' \
	>"$faults_units/garbage2.unit"
LC_ALL=C awk 'BEGIN { print "exec = [ \"/bin/sleep\", \"7320\" ];"; printf "# ";
	for (i = 0; i < 300 * 1024; i++) printf "y"; print "" }' >"$faults_units/huge.unit"
LC_ALL=C awk 'BEGIN { print "exec = [ \"/bin/sleep\", \"7321\" ];"; printf "x = ";
	for (i = 0; i < 20000; i++) printf "("; for (i = 0; i < 20000; i++) printf ")"; print ";" }' \
	>"$faults_units/deepnest.unit"

# The cgroup boot's units, staged beside the overlay (mkimage.sh copies
# UNITS/../overlay: this way only ours).
cgroup_units=$work/cgroup-units
rm -rf "$cgroup_units"
mkdir -p "$cgroup_units"
cp tests/vm/cgroup-units/*.unit "$cgroup_units/"

# The scale boot's units: SCALE_UNITS trivial services (issue 11).
scale_units=$work/scale-units
rm -rf "$scale_units"
mkdir -p "$scale_units"
for i in $(seq -w 1 "$SCALE_UNITS"); do
	printf 'exec = [ "/bin/sleep", "1000000" ];\n' >"$scale_units/s$i.unit"
done
# Four more in a slice of their own, which scenarios-scale.sh freezes by
# hand (more than the fd window has sets of slots), and one with a
# memory limit, which the window leaves out.
for k in 1 2 3 4; do
	printf '%s\n' 'exec = [ "/bin/sleep", "1000000" ];' 'restart = "always";' \
		'cgroup = { slice = "held"; };' >"$scale_units/held$k.unit"
done
printf '%s\n' 'exec = [ "/bin/sleep", "1000000" ];' \
	'cgroup = { memory = { max = "64M"; }; };' >"$scale_units/limited.unit"

# ---- console helpers ----------------------------------------------------------
# kts LINE: the kernel timestamp of a console line "[   12.345678] ...".
kts() { sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' | head -n 1; }
# term_ts CONSOLE NAME WHAT: timestamp of "vmtest: NAME WHAT".
vm_ts() { grep -a "vmtest: $2 $3" "$1" | kts; }
# lt A B [MIN]: A + MIN <= B (seconds, decimals)
lt() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v m="${3:-0}" 'BEGIN { exit !(a + m <= b) }'; }

# host_checks_faults CONSOLE: the ordered shutdown and its bound.
host_checks_faults() {
	local c=$1 tc tb ta tbx tax first end dur
	if grep -aq 'initd: stopping services for poweroff' "$c"; then
		tap "ok - faults: shutdown: initd stops the services for poweroff"
	else
		tap "not ok - faults: shutdown: initd stops the services for poweroff"
	fi
	tc=$(vm_ts "$c" sd-c 'got SIGTERM') tb=$(vm_ts "$c" sd-b 'got SIGTERM')
	ta=$(vm_ts "$c" sd-a 'got SIGTERM')
	tbx=$(vm_ts "$c" sd-b exits) tcx=$(vm_ts "$c" sd-c exits)
	echo "# faults: shutdown: SIGTERM sd-c $tc, sd-b $tb, sd-a $ta; exits sd-c $tcx, sd-b $tbx" | tee -a "$out"
	if lt "$tc" "$tb" 0.25 && lt "$tb" "$ta" 0.25; then
		tap "ok - faults: shutdown: reverse dependency order sd-c, sd-b, sd-a (each >= 0.25 s after the last)"
	else
		tap "not ok - faults: shutdown: reverse dependency order sd-c, sd-b, sd-a (each >= 0.25 s after the last)"
	fi
	if lt "$tcx" "$tb" && lt "$tbx" "$ta"; then
		tap "ok - faults: shutdown: each got SIGTERM only after its dependent exited"
	else
		tap "not ok - faults: shutdown: each got SIGTERM only after its dependent exited"
	fi
	for s in hung stuck; do
		if grep -aq "vmtest: $s got SIGTERM, ignoring it" "$c"; then
			tap "ok - faults: shutdown: $s got SIGTERM (and ignored it)"
		else
			tap "not ok - faults: shutdown: $s got SIGTERM (and ignored it)"
		fi
	done
	if grep -aq 'vmtest-forward-console-marker' "$c"; then
		tap "ok - faults: fwdc's output (log = { console = true; }) is on the console"
	else
		tap "not ok - faults: fwdc's output (log = { console = true; }) is on the console"
	fi
	first=$(sed -n '/initd: stopping services for poweroff/,$p' "$c" | grep -a 'vmtest: .* got SIGTERM' | kts)
	end=$(grep -a 'reboot: Power down' "$c" | kts)
	dur=$(awk -v a="$first" -v b="$end" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.2f", b - a }')
	echo "# faults: shutdown: first SIGTERM at $first, 'reboot: Power down' at $end: ${dur}s (shutdown_timeout 4s)" | tee -a "$out"
	# stuck ignores SIGTERM with a 30 s stop timeout: only the 4 s bound ends it
	# (then the kill, the reaping, the unmounts and sync: 15 s at most on a
	# busy host, still half of stuck's own timeout)
	if lt "$first" "$end" 3.5 && lt "$end" "$first" -15; then
		tap "ok - faults: shutdown: poweroff with a hung service completes within the 4 s bound (${dur}s)"
	else
		tap "not ok - faults: shutdown: poweroff with a hung service completes within the 4 s bound (${dur}s)"
	fi
	if grep -aq 'initd: powering off' "$c" && grep -aq 'reboot: Power down' "$c"; then
		tap "ok - faults: shutdown: initd says 'powering off', the kernel 'reboot: Power down'"
	else
		tap "not ok - faults: shutdown: initd says 'powering off', the kernel 'reboot: Power down'"
	fi
}

host_checks_scale() {
	if grep -aq 'reboot: Power down' "$1"; then
		tap "ok - scale: the kernel powered off"
	else
		tap "not ok - scale: the kernel powered off"
	fi
	if grep -aq 'Too many open files' "$1"; then
		tap "not ok - scale: no 'Too many open files' on the console"
	else
		tap "ok - scale: no 'Too many open files' on the console"
	fi
}

host_checks_main() {
	if grep -aq 'reboot: Power down' "$1"; then
		tap "ok - main: the kernel powered off"
	else
		tap "not ok - main: the kernel powered off"
	fi
}

# host_checks_cgroup CONSOLE: svctl reboot really rebooted (qemu -no-reboot
# exits on a reboot too, so only the console tells the two apart).
host_checks_cgroup() {
	local c=$1
	if grep -aq 'initd: stopping services for reboot' "$c" && grep -aq 'initd: rebooting' "$c"; then
		tap "ok - cgroup: svctl reboot: initd stops the services for reboot and says 'rebooting'"
	else
		tap "not ok - cgroup: svctl reboot: initd stops the services for reboot and says 'rebooting'"
	fi
	if grep -aq 'reboot: Restarting system' "$c" && ! grep -aq 'reboot: Power down' "$c"; then
		tap "ok - cgroup: svctl reboot: the kernel says 'reboot: Restarting system', not 'Power down'"
	else
		tap "not ok - cgroup: svctl reboot: the kernel says 'reboot: Restarting system', not 'Power down'"
		grep -a 'reboot:' "$c" | sed 's/^/# /' | tee -a "$out"
	fi
}

# ---- 3. one boot ------------------------------------------------------------------
# boot NAME UNITS CONF DRIVER TIMEOUT
boot() {
	local name=$1 units=$2 conf=$3 driver=$4 timeout=$5 d=$work/$1
	local start wall rc console n reason
	mkdir -p "$d"
	# BUILD from the caller (check-vm passes it) must not steer the
	# image's static build.
	if ! env -u BUILD make --no-print-directory image UNITS="$units" INITD_CONF="$conf" \
		OVERLAY="$ov" IMAGE_DIR="$d/image" >"$d/image.log" 2>&1; then
		tail -n 30 "$d/image.log" >&2
		tap "not ok - $name: vm image builds (see $d/image.log)"
		return
	fi
	tap "ok - $name: vm image builds"

	start=$SECONDS
	images/run.sh -s "$driver" -t "$timeout" -d "$d/run" \
		build/kernel/current/vmlinuz "$d/image/initramfs.cpio.gz" \
		>"$d/scenarios.out" 2>"$d/run.err"
	rc=$?
	wall=$((SECONDS - start))
	sed "s/^/[$name] /" "$d/run.err" >&2
	console=$d/run/console.log

	if [ "$rc" -eq 125 ] && ! grep -q . "$d/scenarios.out"; then
		if [ ! -s "$console" ]; then
			reason="the VM printed nothing on its console"
		elif grep -q 'Kernel panic' "$console"; then
			reason="kernel panic: $(grep -m1 -a 'Kernel panic' "$console" | tr -d '\r')"
		elif grep -q 'qemu killed' "$d/run.err"; then
			reason="no result within the time limit"
		else
			reason="the VM stopped before the scenarios ran"
		fi
		tap "not ok - $name: vm tier: $reason (console: $console)"
		return
	fi

	if grep -aq 'INITD-SCRIPT-START' "$d/run/script.out"; then
		tap "ok - $name: vm booted and started the test unit"
	else
		tap "not ok - $name: vm booted and started the test unit"
	fi
	# The scenarios' own lines and diagnostics (the rest is echoed for the log).
	grep -aE '^(ok|not ok) |^#' "$d/scenarios.out" |
		sed -E "s/^(ok|not ok) - /\1 - $name: /; s/^# /# $name: /" >>"$out"
	sed "s/^/[$name] /" "$d/scenarios.out"
	n=$(grep -acE '^(ok|not ok) ' "$d/scenarios.out")
	if grep -q '^run: no result' "$d/run.err" || [ "$rc" -eq 125 ]; then
		tap "not ok - $name: scenarios finished (ran $n checks, then the VM stopped)"
	else
		tap "ok - $name: scenarios finished ($n checks, $rc failed)"
	fi
	if grep -aq 'Kernel panic' "$console"; then
		tap "not ok - $name: no kernel panic"
		grep -a -B5 -A5 'Kernel panic' "$console" | tr -d '\r' | sed 's/^/# /' >&2
	else
		tap "ok - $name: no kernel panic"
	fi
	if grep -q '^poweroff: completed' "$d/run.err"; then
		tap "ok - $name: the VM went down by itself after the scenarios"
	else
		tap "not ok - $name: the VM went down by itself after the scenarios"
		echo "---- $name: console tail ----" >&2
		tail -n 30 "$console" | tr -d '\r' >&2
	fi
	tr -d '\r' <"$console" >"$d/console.txt"
	"host_checks_$name" "$d/console.txt"
	echo "# $name: ${wall}s wall; $(grep '^timing:' "$d/run.err")" | tee -a "$out"
}

for b in $BOOTS; do
	case $b in
	main) boot main tests/vm/units tests/vm/initd.conf tests/vm/scenarios.sh \
		"${VM_TIMEOUT:-150}" ;;
	# bad units on purpose: --check --root errors only warn (mkimage -W)
	faults) CHECK_WARN=1 boot faults "$faults_units" tests/vm/faults.conf tests/vm/scenarios-faults.sh \
		"${VM_TIMEOUT:-$((150 + CHAOS_SECS))}" ;;
	cgroup) boot cgroup "$cgroup_units" tests/vm/cgroup.conf \
		tests/vm/scenarios-cgroup.sh "${VM_TIMEOUT:-150}" ;;
	# 2000 processes: the guest gets the memory (and so the threads-max)
	scale) RUN_MEM=1536 boot scale "$scale_units" tests/vm/scale.conf \
		tests/vm/scenarios-scale.sh "${VM_TIMEOUT:-240}" ;;
	*) tap "not ok - vm tier: unknown boot '$b' in VM_BOOTS" ;;
	esac
done
echo "# vm tier: $((SECONDS - t_tier))s wall for boots: $BOOTS" | tee -a "$out"

! grep -q '^not ok' "$out"
