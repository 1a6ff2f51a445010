#!/bin/bash
# t-hostile.sh — an operator's requests crossed by what the system does
# meanwhile (issue: hostile-user review). Each case names its defect:
#   removed   `svctl start x` waits for a notify unit that never gets
#             ready; a reload removes x: the start fails (exit 3, "x was
#             removed by a reload before it was ready"), never a success
#             for a unit that never ran to ready; x's process is stopped.
#             Same for restart.
#   endless   a service writes one line longer than its log ring (64K)
#             and no newline (a progress bar redrawn with \r): `svctl
#             logs` showed nothing at all; it shows the ring's bytes,
#             after a line saying the line's start was overwritten.
#   shutdown  start, restart and the start of a new instance while the
#             units stop for a poweroff (h hangs on SIGTERM until the test
#             kills it): each is refused, exit 1, saying initd is shutting
#             down (it said "x: Cannot send after transport endpoint
#             shutdown", ESHUTDOWN's text); nothing starts, and the
#             poweroff still ends the namespace.
. "$(dirname "$0")/lib.sh"

# ---- removed ---------------------------------------------------------------
new_boot removed
testd_unit x "--notify-when $T/never --raw-notify" 'type = "notify";' 'autostart = false;'
testd_unit y "--notify-when $T/never --raw-notify" 'type = "notify";'
testd_unit keep ""
start_initd
timeout 20 "$SVCTL" --socket "$T/control" start x > "$T/start.out" 2> "$T/start.err" &
start_pid=$!
check "removed: x is starting, its start waiting" wait_state x starting 5
check "removed: y is starting" wait_state y starting 5
timeout 20 "$SVCTL" --socket "$T/control" restart y > "$T/restart.out" 2> "$T/restart.err" &
restart_pid=$!
# the restart has begun once y's second process wrote its touch line
check "removed: y restarted (a second process)" wait_until 5 touched y 2
rm "$T/conf/units/x.unit" "$T/conf/units/y.unit"
check "removed: the reload removing x and y is applied" sv reload
wait "$start_pid"; rc=$?
is "removed: the start of x exits 3 (no such unit)" "$rc" 3
check "removed: and says x was removed before it was ready" \
	grep -q "x was removed by a reload before it was ready" "$T/start.err"
wait "$restart_pid"; rc=$?
is "removed: the restart of y exits 3" "$rc" 3
check "removed: and says y was removed" grep -q "y was removed by a reload" "$T/restart.err"
check "removed: no process of x or y is left" wait_until 5 eval 'testd_gone x && testd_gone y'
check "removed: keep still runs" state_is keep running
stop_initd

# ---- endless ---------------------------------------------------------------
new_boot endless
unit endless <<U
exec = [ "/bin/sh", "-c", "head -c 70000 /dev/zero | tr '\\\\0' b; exec sleep 100000" ];
U
start_initd
# b_line — a line of at least 60000 b's on stdin
b_line() { awk '/^b+$/ && length($0) >= 60000 { f = 1 } END { exit !f }'; }
its_bytes() { sv logs endless > "$T/logs.out" && b_line < "$T/logs.out"; }
check "endless: svctl logs shows the newest bytes of the endless line" wait_until 5 its_bytes
check "endless: after a line saying its start was overwritten" \
	eval 'head -n 1 "$T/logs.out" | grep -q "^\[initd: the start of the line below was overwritten"'
check "endless: -n 1 shows it too" eval 'sv logs -n 1 endless | b_line'
check "endless: --raw shows it too" eval 'sv logs --raw endless | b_line'
stop_initd

# ---- shutdown --------------------------------------------------------------
new_boot shutdown
testd_unit x "" 'autostart = false;'
testd_unit w@ "" 'autostart = false;'
testd_unit h "--hang-on-term" 'stop = { timeout = "60s"; };'
start_initd
check "shutdown: h is up, its SIGTERM handler set" wait_until 5 touched h
check "shutdown: poweroff is accepted" sv poweroff
check "shutdown: h got its SIGTERM" wait_until 5 log_has h "got SIGTERM"
for req in "start x" "restart x" "start w@1"; do
	sv $req > "$T/out" 2>&1; rc=$?
	is "shutdown: $req exits 1" "$rc" 1
	check "shutdown: $req says initd is shutting down" grep -q "shutting down" "$T/out"
done
check "shutdown: nothing of x or w@1 started" eval '! test -e "$T/x.touch" && ! test -e "$T/w@1.touch"'
in_ns kill -KILL "$(touch_pid h)"
check "shutdown: the poweroff ends the namespace" wait_unshare 10
kill_initd

exit $((FAILED > 0))
