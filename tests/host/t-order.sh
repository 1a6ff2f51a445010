#!/bin/bash
# t-order.sh — dependency order at boot.
#
# A chain of simple services named against the alphabet (aa requires mm
# requires zz) must be forked in dependency order: namespace PIDs are handed
# out in fork order, so PID(zz) < PID(mm) < PID(aa) is the kernel's record of
# it. A simple service is ready at exec, so comparing the times the
# processes wrote would be a race; a notify service is not ready until it
# says so, so there the dependent's own start time must come after the
# moment its dependency sent READY=1 (testd logs that just before sending).
. "$(dirname "$0")/lib.sh"

all_running() {
	local n
	for n in "$@"; do state_is "$n" running || return 1; done
}

# after_time A B — time B (usec) is not before time A.
after_time() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -ge "$1" ]; }

new_boot chain
testd_unit zz ""
testd_unit mm "" 'requires = [ "zz" ];'
testd_unit aa "" 'requires = [ "mm" ];'
testd_unit db "--notify-after 400" 'type = "notify";'
testd_unit web "" 'requires = [ "db" ];'
testd_unit rawdb "--notify-after 300 --raw-notify --status warm" 'type = "notify";'
testd_unit rawweb "" 'requires = [ "rawdb" ];'
start_initd

check "every service reaches running" \
	wait_until 6 all_running zz mm aa db web rawdb rawweb
zz=$(svc_pid zz) mm=$(svc_pid mm) aa=$(svc_pid aa)
check "simple chain forked in order: PID zz ($zz) < mm ($mm) < aa ($aa)" \
	eval '[ "$zz" -lt "$mm" ] && [ "$mm" -lt "$aa" ]'
# Simple services are running at exec; each writes its touch line after.
check "aa, mm, zz each started exactly once" \
	wait_until 5 eval '[ "$(touch_count zz)$(touch_count mm)$(touch_count aa)" = 111 ]'
check "web and rawweb wrote their touch files" wait_until 5 eval 'touched web && touched rawweb'

ready=$(log_time db '^ready$') web_start=$(touch_time web)
check "notify: db sent READY=1" test -n "$ready"
check "notify: web started ($web_start) after db was ready ($ready)" \
	after_time "$ready" "$web_start"
check "notify: web started after db started" \
	after_time "$(touch_time db)" "$web_start"

ready=$(log_time rawdb '^ready$') web_start=$(touch_time rawweb)
check "raw notify datagram: rawweb started ($web_start) after rawdb was ready ($ready)" \
	after_time "$ready" "$web_start"

stop_initd

# after = alone, and a restart of both: the dependency stopping in order to
# come back is not "up" for its dependent, which waits for its new start.
new_boot restart
testd_unit slowdb "--term-delay 800"
testd_unit app "" 'after = [ "slowdb" ];'
start_initd
check "restart: slowdb and app reach running" wait_until 6 all_running slowdb app
# their first touch lines (written after exec) before the restart: the
# check below counts two each
check "restart: slowdb and app wrote their touch files" wait_until 5 eval 'touched slowdb && touched app'
sv restart slowdb app >/dev/null 2>&1
check "restart: both run again" wait_until 10 eval \
	'[ "$(touch_count slowdb)" = 2 ] && [ "$(touch_count app)" = 2 ] && all_running slowdb app'
# Simple services are ready at exec, so the order is the kernel's: PIDs in
# fork order (what each wrote, and when, races).
db2=$(svc_pid slowdb) app2=$(svc_pid app)
check "restart: app forked again (PID $app2) after slowdb was (PID $db2)" \
	test "$db2" -lt "$app2"
stop_initd

# after = is ordering only: svctl stop of the unit another comes after
# stops that one alone (the old code stopped the other too, as if it
# required it, and then never stopped the named one: svctl stop hung).
new_boot stopafter
testd_unit base ""
testd_unit later "" 'after = [ "base" ];'
start_initd
check "stopafter: base and later reach running" wait_until 6 all_running base later
out=$(sv stop base 2>&1); rc=$?
check "stopafter: svctl stop base returns 0 (exit $rc): $out" test "$rc" = 0
check "stopafter: base is stopped" state_is base stopped
check "stopafter: later, which only comes after it, still runs" state_is later running
stop_initd

# Both on their way down: the one stopped first comes after the other,
# which waits for it, and stops once it is gone (the old code never
# looked at it again: it ran on, and svctl stop hung).
new_boot stopboth
testd_unit base ""
testd_unit later "--term-delay 500" 'after = [ "base" ];'
start_initd
check "stopboth: base and later reach running" wait_until 6 all_running base later
check "stopboth: base and later are set up (their touch lines)" wait_until 5 eval 'touched base && touched later'
sv stop --no-wait later >/dev/null 2>&1
out=$(sv stop base 2>&1); rc=$?
check "stopboth: svctl stop base returns 0 (exit $rc): $out" test "$rc" = 0
check "stopboth: base and later are stopped" eval 'state_is base stopped && state_is later stopped'
tl=$(log_time later '^got SIGTERM') tb=$(log_time base '^got SIGTERM')
check "stopboth: base got SIGTERM ($tb) >= 500ms after later did ($tl)" \
	eval '[ -n "$tl" ] && [ -n "$tb" ] && [ $(( (tb - tl) / 1000 )) -ge 500 ]'
stop_initd

# Both named in one svctl stop, the one others come after first: the one
# coming after it still stops first (it did when stopping the first
# stopped every unit coming after it).
new_boot stopnamed
testd_unit base ""
testd_unit later "--term-delay 500" 'after = [ "base" ];'
start_initd
check "stopnamed: base and later reach running" wait_until 6 all_running base later
check "stopnamed: base and later are set up (their touch lines)" wait_until 5 eval 'touched base && touched later'
out=$(sv stop base later 2>&1); rc=$?
check "stopnamed: svctl stop base later returns 0 (exit $rc): $out" test "$rc" = 0
check "stopnamed: base and later are stopped" eval 'state_is base stopped && state_is later stopped'
tl=$(log_time later '^got SIGTERM') tb=$(log_time base '^got SIGTERM')
check "stopnamed: base got SIGTERM ($tb) >= 500ms after later did ($tl)" \
	eval '[ -n "$tl" ] && [ -n "$tb" ] && [ $(( (tb - tl) / 1000 )) -ge 500 ]'
stop_initd
[ "$FAILED" -eq 0 ]
