#!/bin/bash
# events.sh OUT.tap — state events that are not a unit's exit, in the VM
# (issue 17 item 4): the metrics_file is "rewritten on state events (start,
# exit, restart, OOM)". One quiet boot (tests/vm/events: no restarts, no
# metrics_interval): worker's hog is OOM-killed in its 32M leaf while the
# unit's main process lives on, and that kill alone must bring
# initd_unit_oom_kills_total 1 to the file (tests/vm/events-guest.sh, run
# inside by images/run.sh -s); so must a freeze and a thaw, which change
# initd_unit_state; and oomer, OOM-killed at once, shows its signal 9. The busy cgroup boot cannot show it: its restarting
# units rewrite the file every second anyway. About 20 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/events.sh OUT.tap}
dir=${BUILD:-build}/vm-events
rm -rf "$dir"; mkdir -p "$dir/overlay/usr/lib/vmtest"

tap() { echo "$1 - events: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }

make --no-print-directory STATIC=1 all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
gcc -static -O2 -Wall -o "$dir/overlay/usr/lib/vmtest/hog" tests/vm/hog.c >>"$dir/build.log" 2>&1 ||
	fail "hog build failed (see $dir/build.log)"
kdir=${BUILD:-build}/kernel/current
[ -f "$kdir/vmlinuz" ] || kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1)
[ -f "$kdir/vmlinuz" ] || fail "no kernel (see $dir/build.log)"
images/mkimage.sh -o "$dir/initrd" -k "$kdir" -i build-static/initd -s build-static/svctl \
	-u tests/vm/events/units -C tests/vm/events/initd.conf \
	-O "$dir/overlay" >>"$dir/build.log" 2>&1 || fail "image build failed (see $dir/build.log)"

images/run.sh -s tests/vm/events-guest.sh -t 120 -d "$dir/run" "$kdir/vmlinuz" "$dir/initrd" \
	>"$dir/guest.out" 2>"$dir/run.err"
rc=$?
failed=0
tap() { echo "$1 - events: $2" | tee -a "$out"; [ "$1" = ok ] || failed=1; }
grep -E '^(ok|not ok) - ' "$dir/guest.out" | sed -E 's/^(ok|not ok) - /\1 - events: /' | tee -a "$out"
grep '^# ' "$dir/guest.out" | tee -a "$out"
[ "$(grep -c -E '^(ok|not ok) - ' "$dir/guest.out")" = 11 ] ||
	tap "not ok" "the guest ran its 11 checks (see $dir/guest.out, $dir/run/console.log)"
[ "$rc" = 0 ] && tap ok "the guest's checks passed" || tap "not ok" "the guest's checks passed (rc $rc)"
grep -q 'poweroff: completed' "$dir/run.err" && tap ok "a clean poweroff" ||
	tap "not ok" "a clean poweroff (see $dir/run.err)"
! grep -q -i 'kernel panic' "$dir/run/console.log" && tap ok "no kernel panic" ||
	tap "not ok" "no kernel panic"
exit "$failed"
