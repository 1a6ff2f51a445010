#!/bin/bash
# t-restart-loop.sh — svctl restart (and start) of a crash-looping unit
# answers within its own bound: once the start it waited for has failed and
# the unit is in its restart backoff, with exit 1 and "NAME failed: REASON,
# restarting in N" (not at the client's timeout with "cannot reach initd").
# svctl status of a unit in its backoff says the same: "exit 3, restarting
# in 1.6s".
. "$(dirname "$0")/lib.sh"

# svx CMD... — svctl with a 10 s client timeout: stdout $SO, stderr $SE,
# exit code $rc, wall time in ms $ms.
svx() {
	local t0 t1
	t0=$(wall_us)
	SO=$(timeout 20 "$SVCTL" --socket "$T/control" --timeout 10 "$@" 2> "$T/svx.err"); rc=$?
	t1=$(wall_us)
	SE=$(cat "$T/svx.err")
	ms=$(( (t1 - t0) / 1000 ))
}

new_boot loop
# notify, never ready: exits 3 after 100 ms, every time.
testd_unit loop "--exit-after 100 --exit-code 3" 'type = "notify";' 'restart = "always";' \
	'restart_delay = "2s";' 'restart_delay_max = "2s";' \
	'start_limit = { burst = 100; interval = "10s"; };'
testd_unit ok ""
# the same with a long backoff, for svctl start in it (below)
testd_unit slow "--exit-after 100 --exit-code 3" 'type = "notify";' 'restart = "always";' \
	'restart_delay = "30s";' 'restart_delay_max = "30s";'
# the same, ordered after one that is in a 30 s backoff of its own (below):
# first is ready once, then exits 3 after 300 ms
testd_unit first "--notify-when $T/first-ready --exit-after 300 --exit-code 3" \
	'type = "notify";' 'restart = "always";' 'restart_delay = "30s";' 'restart_delay_max = "30s";'
testd_unit later "--exit-after 100 --exit-code 3" 'type = "notify";' 'restart = "always";' \
	'restart_delay = "30s";' 'restart_delay_max = "30s";' 'after = [ "first" ];'
touch "$T/first-ready"
start_initd
check "loop has crashed once" wait_until 5 eval '[ "$(touch_count loop)" -ge 1 ] && state_is loop restarting'
# svctl status shows the backoff of a restarting unit: its last exit and
# when it comes back (the REASON column, and "reason" in --json).
st=$(sv status loop)
check "status loop shows the backoff: $(echo "$st" | tail -n 1)" \
	eval '[[ "$st" =~ exit\ 3,\ restarting\ in\ [0-9.]+m?s ]]'
check "status loop --json shows the backoff" \
	eval 'sv status --json loop | grep -Eq "\"reason\":\"[^\"]*exit 3, restarting in [0-9.]+m?s\""'

svx restart loop
# svctl exits 5 ("cannot reach initd") at its --timeout (10 s): exit 1 is
# the answer coming before it, whatever the wall clock says.
is "restart loop: exit 1 (failed), not 5 (timed out): answered before the client's timeout" "$rc" 1
diag "svctl restart loop took ${ms} ms"
check "restart loop says it failed and why: $SE" eval '[[ "$SE" == *"loop failed: "*"exit 3"* ]]'
check "restart loop says when it restarts: $SE" eval '[[ "$SE" =~ restarting\ in\ [0-9.]+m?s ]]'

n=$(touch_count loop)
svx start loop
is "start loop (in its backoff): exit 1" "$rc" 1
check "start loop waited for a new attempt ($n before, $(touch_count loop) now)" \
	eval '[ "$(touch_count loop)" -gt "$n" ]'
check "start loop says why: $SE" eval '[[ "$SE" == *"loop failed: "*"exit 3"*"restarting in"* ]]'

svx restart ok loop
is "restart ok loop: exit 1" "$rc" 1
check "restart ok loop names loop: $SE" eval '[[ "$SE" == *"loop failed: "* ]]'
check "ok still running" state_is ok running

svx stop loop
is "stop loop: exit 0" "$rc" 0
check "loop is stopped" state_is loop stopped

# svctl start of a unit in its restart backoff is a fresh start now, not a
# wait of the whole backoff (30 s: the old code answered at the client's
# 10 s timeout, exit 5, no attempt made).
check "slow has crashed once" wait_until 5 eval '[ "$(touch_count slow)" -ge 1 ] && state_is slow restarting'
n=$(touch_count slow)
svx start slow
is "start slow (in a 30s backoff): exit 1, answered before the client's timeout" "$rc" 1
diag "svctl start slow took ${ms} ms"
check "start slow made a new attempt at once ($n before, $(touch_count slow) now)" \
	eval '[ "$(touch_count slow)" -gt "$n" ]'
check "start slow says why: $SE" eval '[[ "$SE" == *"slow failed: "*"exit 3"*"restarting in"* ]]'

# ... and the units it comes after do not hold it, as they would not the
# restart it cuts short: one of them in its own backoff held it for that
# backoff (a first version: exit 5 at the client's timeout, no attempt).
check "first and later are in their backoffs" \
	wait_until 5 eval 'state_is first restarting && state_is later restarting'
n=$(touch_count later)
svx start later
is "start later (first in its backoff too): exit 1, answered before the client's timeout" "$rc" 1
check "start later made a new attempt at once ($n before, $(touch_count later) now)" \
	eval '[ "$(touch_count later)" -gt "$n" ]'
check "first is still in its backoff" state_is first restarting

stop_initd
[ "$FAILED" -eq 0 ]
