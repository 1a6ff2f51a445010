#!/bin/bash
# t-reload-remove-order.sh — a unit a reload removes stops after the units
# that required it (or came after it) and go down with it, as at a
# shutdown and as `svctl stop` does:
#   both      x and d (requires x) removed together
#   changed   x removed, d changed to no longer require it (its old
#             process, which did, stops for its swap first)
# d's stop hangs until the test kills it, so no timing decides.
. "$(dirname "$0")/lib.sh"

boot_xd() {
	new_boot "$1"
	testd_unit x "" 'stop = { timeout = "60s"; };'
	testd_unit d "--hang-on-term" 'requires = [ "x" ];' 'stop = { timeout = "60s"; };'
	start_initd
	check "$1: x and d reach running" wait_until 5 eval 'state_is x running && state_is d running'
	x=$(svc_pid x) d=$(svc_pid d)
}

boot_xd both
rm "$T/conf/units/d.unit" "$T/conf/units/x.unit"
sv reload > /dev/null 2>&1
check "both: d got SIGTERM" wait_until 5 log_has d SIGTERM
sleep 1
check "both: x is not signalled while d stops" eval 'ns_alive "$d" && ! log_has x SIGTERM'
in_ns kill -KILL "$d"
check "both: x is stopped once d is down" wait_until 5 ns_gone "$x"
check "both: svctl wait returns" sv --timeout 5 wait
stop_initd

boot_xd changed
rm "$T/conf/units/x.unit"
testd_unit d ""
sv reload > /dev/null 2>&1
check "changed: d got SIGTERM (its swap)" wait_until 5 log_has d SIGTERM
sleep 1
check "changed: x is not signalled while d's old process stops" eval 'ns_alive "$d" && ! log_has x SIGTERM'
in_ns kill -KILL "$d"
check "changed: x is stopped once d's old process is down" wait_until 5 ns_gone "$x"
check "changed: d runs its new unit" wait_until 5 eval 'state_is d running && [ "$(touch_count d)" = 2 ]'
stop_initd

# a removed unit nothing needs still stops at once
new_boot alone
testd_unit x ""
start_initd
check "alone: x reaches running" wait_state x running 5
x=$(svc_pid x)
rm "$T/conf/units/x.unit"
sv reload > /dev/null 2>&1
check "alone: x is stopped" wait_until 3 ns_gone "$x"
stop_initd
[ "$FAILED" -eq 0 ]
