#!/bin/bash
# status-vm.sh — `svctl status` (the table of every unit) in the VM at 10,
# 100 and 1000 units (issue 17 item 5): the scale boot of tests/vm/run.sh
# with VM_SCALE_UNITS=N, whose driver prints "BENCH-STATUS units=N
# mean_ms=X" (the mean of 20 calls, initd as the real PID 1 with a cgroup
# per unit and default_accounting). Prints a table with the figures from
# before beside it; never passes or fails. The scale boot's own checks
# name units s0001...: at 10 and 100 units some of them report "not ok",
# which this script ignores (it reads the figure alone).
#
# Environment: BUILD, STATUS_VM_DIR (work directory, default
# $BUILD/bench/status-vm), STATUS_UNITS (default "10 100 1000").
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
D=${STATUS_VM_DIR:-$BUILD/bench/status-vm}
# Before issue 17 item 5 (each unit's full cgroup statistics, a directory
# open and a dozen files per unit): the issue's figures, VM, TCG.
declare -A BEFORE=([1]="5" [1000]="200")

mkdir -p "$D"
printf '%-8s %-14s %s\n' units "now (ms)" "before (ms)"
for n in ${STATUS_UNITS:-10 100 1000}; do
	VM_BOOTS=scale VM_SCALE_UNITS=$n VM_DIR=$D/vm-$n \
		bash tests/vm/run.sh "$D/scale-$n.tap" >"$D/scale-$n.log" 2>&1
	got=$(grep -ho 'BENCH-STATUS units=[0-9]* mean_ms=[0-9.]*' "$D/vm-$n"/scale/*.out \
		"$D/vm-$n"/scale/console.txt 2>/dev/null | head -n 1 | sed 's/.*mean_ms=//')
	printf '%-8s %-14s %s\n' "$n" "${got:--}" "${BEFORE[$n]:--}"
done
echo "before: the issue's figures (1000 units 200 ms, one unit 5 ms); now: the mean of"
echo "20 calls of \`svctl status\` in the scale boot (real PID 1, a cgroup per unit)."
