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
# The static builds (plain and FAULT=1) and the kernel are made first, so
# the lanes' own makes of them do nothing and two lanes never build into
# one directory; arm64.sh alone builds (its cross build, in directories of
# its own, beside lane A's boots). Each lane writes its own TAP file and
# log; both are appended to OUT.tap and stdout in lane order at the end.
# Each entry has VM_ENTRY_TIMEOUT seconds (default 1200: the longest, the
# boots of lane B, take ~220); an interrupt stops both lanes.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/tier.sh OUT.tap}
export BUILD=${BUILD:-build}
: >"$out"

# lane NAME ENTRY...: ENTRY is a VM script's name, or boots:B1,B2 for
# tests/vm/run.sh's boots B1 B2 (in a work directory of the lane's own).
# VM_LANE_A / VM_LANE_B replace them (a part of the tier, by hand).
LANE_A=${VM_LANE_A:-boots:faults crash escalate demo events runscript}
LANE_B=${VM_LANE_B:-boots:main,cgroup,scale state watchdog arm64 disk persist}

prep=$out.prep.log
jobs=$(nproc 2>/dev/null || echo 1)   # nothing else runs yet: every CPU
if ! { make --no-print-directory image-deps &&
	env -u BUILD make --no-print-directory -j"$jobs" STATIC=1 SANITIZE= all &&
	env -u BUILD make --no-print-directory -j"$jobs" STATIC=1 FAULT=1 SANITIZE= all; } >"$prep" 2>&1; then
	tail -n 30 "$prep"
	echo "not ok - vm tier: the static builds and the kernel (see $prep)" | tee -a "$out"
	exit 1
fi

lane() {   # lane TAP LOG ENTRY...
	local tap=$1 log=$2 e boots rc=0 t=${VM_ENTRY_TIMEOUT:-1200}
	shift 2
	: >"$tap"
	for e in "$@"; do
		case $e in
		boots:*)
			# run.sh empties the file it is given: its own, appended
			boots=${e#boots:}
			VM_BOOTS=${boots//,/ } VM_DIR=$BUILD/vm-${boots//,/-} \
				tests/vm/timed.sh "$tap" timeout -k 30 "$t" tests/vm/run.sh "$tap.run" || rc=1
			cat "$tap.run" >>"$tap" 2>/dev/null
			rm -f "$tap.run" ;;
		*) tests/vm/timed.sh "$tap" timeout -k 30 "$t" "tests/vm/$e.sh" "$tap" || rc=1 ;;
		esac
	done >"$log" 2>&1
	return $rc
}

# Job control: each lane in a process group of its own, so an interrupt
# ends it with what it started (QEMU under timeout(1) is in a group of
# its own and ends at its time limit). With it, bash no longer gives a
# background job /dev/null for stdin: each is given it here.
set -m
stop_lanes() {
	kill -TERM -- ${a:+-$a} ${b:+-$b} ${repro:+-$repro} 2>/dev/null
	for f in "$out".a.log "$out".b.log; do [ -f "$f" ] && tail -n 20 "$f"; done
	exit 130
}
trap stop_lanes INT TERM HUP
a= b= repro=
start=$SECONDS
rtap=$out.repro
: >"$rtap"
REPRO_CLEAN=1 tests/vm/timed.sh "$rtap" nice -n 19 tests/vm/repro.sh "$rtap" \
	>"$out.repro.log" 2>&1 </dev/null &
repro=$!
# shellcheck disable=SC2086
lane "$out.a" "$out.a.log" $LANE_A </dev/null &
a=$!
# shellcheck disable=SC2086
lane "$out.b" "$out.b.log" $LANE_B </dev/null &
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
