#!/bin/bash
# t-reload-stopwait.sh — `svctl stop x` stops the units requiring x first
# (svctl(8) stop); a reload while it waits for them must not cut in:
#   changed   x changed by the reload: still not signalled until d is down
#   removed   d removed by the reload while stopping: x still waits for it
#   start     x changed, then `svctl start x`: it comes back with its new unit
#   added     n (requires x) added by the reload: it does not start on an x
#             going down, but once x is down, pulling x back in as a boot would
# d's stop hangs until the test kills it, so no timing decides.
. "$(dirname "$0")/lib.sh"

ns_cmdline() { in_ns cat "/proc/$1/cmdline" 2>/dev/null | tr '\0' ' '; }

boot_xd() {
	new_boot "$1"
	testd_unit x "--hang-on-term" 'stop = { timeout = "60s"; };'
	testd_unit d "--hang-on-term" 'requires = [ "x" ];' 'stop = { timeout = "60s"; };'
	start_initd
	check "$1: x and d reach running" wait_until 5 eval 'state_is x running && state_is d running'
	x=$(svc_pid x) d=$(svc_pid d)
	sv stop --no-wait x > /dev/null 2>&1
	check "$1: d is stopping, x is not signalled" eval 'wait_state d stopping 5 && ! log_has x SIGTERM'
}

boot_xd changed
testd_unit x "--print-every 1000"
sv reload > /dev/null 2>&1
sleep 1
check "changed: x is not signalled while d stops" eval 'ns_alive "$d" && ! log_has x SIGTERM'
in_ns kill -KILL "$d"
check "changed: x is stopped once d is down" wait_until 5 log_has x SIGTERM
in_ns kill -KILL "$x"
check "changed: x ends stopped (its swap does not start it)" \
	eval 'wait_state x stopped 5 && sleep 0.5 && state_is x stopped'
stop_initd

boot_xd removed
rm "$T/conf/units/d.unit"
sv reload > /dev/null 2>&1
sleep 1
check "removed: x is not signalled while the removed d stops" eval 'ns_alive "$d" && ! log_has x SIGTERM'
in_ns kill -KILL "$d"
check "removed: x is stopped once d is down" wait_until 5 log_has x SIGTERM
in_ns kill -KILL "$x"
check "removed: x ends stopped" wait_state x stopped 5
stop_initd

boot_xd start
testd_unit x "--print-every 1000" 'stop = { timeout = "60s"; };'
sv reload > /dev/null 2>&1
sv start --no-wait x > /dev/null 2>&1
check "start: x is stopped for its swap" wait_until 5 log_has x SIGTERM
in_ns kill -KILL "$x"
check "start: x comes back with its new unit" wait_until 5 \
	eval 'p=$(svc_pid x); [ "$p" != "$x" ] && state_is x running && [[ "$(ns_cmdline "$p")" == *"--print-every 1000"* ]]'
in_ns kill -KILL "$d"
check "start: svctl wait returns" sv --timeout 5 wait
stop_initd

boot_xd added
testd_unit n "" 'requires = [ "x" ];'
sv reload > /dev/null 2>&1
check "added: n is loaded and waits for x" wait_state n waiting 5
sleep 1
check "added: n has not started on an x going down" \
	eval 'state_is n waiting && [ ! -e "$T/n.touch" ] && ! log_has x SIGTERM'
in_ns kill -KILL "$d"
check "added: x is stopped once d is down" wait_until 5 log_has x SIGTERM
in_ns kill -KILL "$x"
check "added: n pulls x back in and runs" wait_until 5 \
	eval 'p=$(svc_pid x); [ -n "$p" ] && [ "$p" != "$x" ] && state_is x running && state_is n running'
check "added: n never stopped for its requirement" eval '! sv status n 2>&1 | grep -q "requirement x"'
x=$(svc_pid x)
sv stop --no-wait x > /dev/null 2>&1
wait_state n stopped 5
in_ns kill -KILL "$x"   # it hangs on TERM: down now, not at the poweroff's timeout
stop_initd
[ "$FAILED" -eq 0 ]
