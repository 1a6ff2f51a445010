#!/bin/bash
# tests/vm/tier.sh OUT.tap — the VM tier as `make check-vm` runs it: every
# boot of tests/vm/run.sh and every VM script, in two lanes side by side,
# with repro.sh (no boot) at nice 19 beside them. Exit status 0 when every
# part passed.
#
# Why two lanes: each boot is one QEMU under TCG, and one after the other
# they left the second core idle for most of the tier's ~16 minutes (CI's
# budget is 20 minutes for every tier). Each lane boots one machine at a
# time, so two run at once at most. The lanes are balanced by the wall
# times CI's log prints ("# time: NAME: N s wall"). The timing checks
# inside the boots (faults' 3.5-7 s shutdown bound, cgroup's 2 s status
# answers and 5-40% CPU quota, the 0.9-4 s stop timeout) have margins many
# times what a second machine on the other core costs them; the figures
# each run measured are in its log.
#
# Every make the lanes run is a no-op once the static builds (plain and
# FAULT=1) and the kernel are in place: they are made first, so two lanes
# never build into one directory. Each lane writes its own TAP file and
# log; both are appended to OUT.tap and stdout in lane order at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/tier.sh OUT.tap}
export BUILD=${BUILD:-build}
: >"$out"

# lane NAME ENTRY...: ENTRY is a VM script's name, or boots:B1,B2 for
# tests/vm/run.sh's boots B1 B2 (in a work directory of the lane's own).
LANE_A="boots:faults crash escalate persist demo"
LANE_B="boots:main,cgroup,scale state watchdog arm64 disk"

prep=$out.prep.log
if ! { make --no-print-directory image-deps &&
	env -u BUILD make --no-print-directory STATIC=1 SANITIZE= all &&
	env -u BUILD make --no-print-directory STATIC=1 FAULT=1 SANITIZE= all; } >"$prep" 2>&1; then
	tail -n 30 "$prep"
	echo "not ok - vm tier: the static builds and the kernel (see $prep)" | tee -a "$out"
	exit 1
fi

lane() {   # lane TAP LOG ENTRY...
	local tap=$1 log=$2 e boots rc=0
	shift 2
	: >"$tap"
	for e in "$@"; do
		case $e in
		boots:*)
			boots=${e#boots:}
			VM_BOOTS=${boots//,/ } VM_DIR=$BUILD/vm-${boots//,/-} \
				tests/vm/timed.sh "$tap" tests/vm/run.sh "$tap" || rc=1 ;;
		*) tests/vm/timed.sh "$tap" "tests/vm/$e.sh" "$tap" || rc=1 ;;
		esac
	done >"$log" 2>&1
	return $rc
}

start=$SECONDS
rtap=$out.repro
: >"$rtap"
REPRO_CLEAN=1 tests/vm/timed.sh "$rtap" nice -n 19 tests/vm/repro.sh "$rtap" \
	>"$out.repro.log" 2>&1 &
repro=$!
# shellcheck disable=SC2086
lane "$out.a" "$out.a.log" $LANE_A &
a=$!
# shellcheck disable=SC2086
lane "$out.b" "$out.b.log" $LANE_B &
b=$!
rc=0
wait $a || rc=1
wait $b || rc=1
wait $repro || rc=1
for p in a b repro; do
	[ "$p" = repro ] && f=$rtap || f=$out.$p
	cat "$out.$p.log"
	cat "$f" >>"$out"
	rm -f "$f" "$out.$p.log"
done
echo "# time: vm tier (two lanes and repro): $((SECONDS - start)) s wall" | tee -a "$out"
exit $rc
