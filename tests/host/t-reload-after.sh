#!/bin/bash
# t-reload-after.sh — a unit that comes `after` one stopping for a reload's
# swap waits for it: "stopping to come back" (initd.unit(5), after) holds
# for a swap as for a restart. a and b both change; b's old process hangs
# on SIGTERM until the test kills it, so no timing decides.
. "$(dirname "$0")/lib.sh"

new_boot after
testd_unit b "--hang-on-term" 'stop = { timeout = "60s"; };'
testd_unit a "" 'after = [ "b" ];'
start_initd
check "a and b reach running" wait_until 5 eval 'state_is a running && state_is b running'
b=$(svc_pid b)
testd_unit b "--print-every 1000"
testd_unit a "--print-every 1000" 'after = [ "b" ];'
sv reload > /dev/null 2>&1
check "b is stopping for its swap" wait_state b stopping 5
sleep 1
check "a does not start again while b is down for its swap" eval '[ "$(touch_count a)" = 1 ]'
in_ns kill -KILL "$b"
check "b comes back" wait_until 5 eval 'state_is b running && [ "$(touch_count b)" = 2 ]'
check "a comes back" wait_until 5 eval 'state_is a running && [ "$(touch_count a)" = 2 ]'
# initd's own order: a is spawned once b runs its new process. (Not the
# two testds' touch times: b may be scheduled out between its exec and
# its touch line, and a write first.)
nth_line() { grep -n "initd: $1" "$T/initd.log" | sed -n "${2}p" | cut -d: -f1; }
check "a's new start came after b's" \
	eval '[ "$(nth_line "a: waiting -> starting" 2)" -gt "$(nth_line "b: starting -> running" 2)" ]'
stop_initd
[ "$FAILED" -eq 0 ]
