#!/bin/sh
# events-guest.sh — runs inside events.sh's boot (images/run.sh -s): a
# state event that is not an exit reaches the metrics_file by itself. The
# boot is quiet (no restarts, no metrics_interval), so the OOM kill of
# worker's hog, which leaves the unit running, is the only event that can
# rewrite the file; then a freeze and a thaw of quiet, which change what
# initd_unit_state says without a start or an exit. Prints TAP lines;
# exits with the number of failures.
M=/run/initd/metrics.prom
LEAF=/sys/fs/cgroup/system/worker
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# eventually SECS CMD...: CMD succeeds within SECS (every 0.5 s)
eventually() {
	n=$(($1 * 2)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.5; n=$((n - 1)); done
	return 1
}
# metric NAME UNIT: NAME{unit="UNIT"} in the metrics_file
metric() { awk -v k="$1{unit=\"$2\"}" '$1 == k { print $2; exit }' "$M" 2>/dev/null; }
kv() { awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null; }
main_pid() { svctl status "$1" | awk -v n="$1" '$1 == n { print $3 }'; }
writes() { svctl show-system | awk '$1 == "metrics" { print $2 }'; }
holding() { [ "$(cat "$LEAF/memory.current" 2>/dev/null || echo 0)" -ge 8388608 ]; }
killed() { [ "$(kv "$LEAF/memory.events" oom_kill)" -ge 1 ] 2>/dev/null; }
file_oom() { [ "$(metric initd_unit_oom_kills_total worker)" = "$1" ]; }

# oomer may still be running when this starts (running at exec): its
# failure, and the file's write for it, come before the quiet part below.
check "oomer, OOM-killed: svctl says oom-kill" eventually 20 eval 'svctl status oomer | grep -q "oom-kill"'
check "oomer: the metrics_file's last exit signal is the OOM kill's 9" \
	eventually 10 eval '[ "$(metric initd_unit_last_exit_signal oomer)" = 9 ]'
check "worker's hog holds its 8 MiB in $LEAF" eventually 20 holding
check "the metrics_file says worker had no OOM kill" eventually 10 file_oom 0
pid=$(main_pid worker)
w0=$(writes)
sleep 2
w1=$(writes)
[ "$w0" = "$w1" ] || echo "# the boot was not quiet: writes $w0 -> $w1"
: >/run/worker.go
check "the kernel OOM-killed worker's hog (memory.events oom_kill)" eventually 30 killed
check "worker's main process lives on ($pid)" \
	eval '[ -n "$pid" ] && [ "$(main_pid worker)" = "$pid" ] && kill -0 "$pid"'
check "the OOM kill alone rewrites the metrics_file (oom_kills 1)" \
	eventually 10 file_oom 1
echo "# metrics_file writes: $w1 -> $(writes)"

# Freeze and thaw: svctl status says frozen once cgroup.events does, and
# initd_unit_state follows it; the file too, with no other event.
state_is() { grep -q "^initd_unit_state{unit=\"quiet\",state=\"$1\"} 1\$" "$M"; }
check "the metrics_file says quiet is running" eventually 10 state_is running
svctl freeze quiet >/dev/null
check "svctl freeze quiet: cgroup.events says frozen 1" \
	eventually 10 eval '[ "$(kv /sys/fs/cgroup/system/quiet/cgroup.events frozen)" = 1 ]'
check "... and the metrics_file says frozen" eventually 10 state_is frozen
svctl thaw quiet >/dev/null
check "svctl thaw quiet: the metrics_file says running again" eventually 10 state_is running
exit "$fails"
