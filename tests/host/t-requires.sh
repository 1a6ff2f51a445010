#!/bin/bash
# t-requires.sh — what `requires` promises an operator (initd.unit(5),
# svctl(8)), each pair a unit and the one it requires:
#   waita/slowb  svctl stop of a unit another waits for: both stay stopped
#                (the waiting one pulled it back in, and svctl stop said 0)
#   depa/baseb   svctl stop of a required unit: its dependent stops first,
#                and svctl returns once both have
#   swapa/swapb  a reload that changes the required unit: the dependent,
#                unchanged, keeps running (it stayed stopped for good)
#   ra/rb        an automatic restart starts once its requirement is ready
#                (it was spawned at once)
#   edep/eapp    a required unit that exits (0, no restart): its dependent
#                stops, and says why (not "signal TERM (143)")
# What a requirement's failure does is t-requires-fail.sh's.
. "$(dirname "$0")/lib.sh"

# all_running NAME... — each is running (a function: an `exit` in a
# wait_until's eval would end the poll at its first try).
all_running() { local u; for u in "$@"; do state_is "$u" running || return 1; done; }

new_boot requires
testd_unit slowb "--notify-after 6000" 'type = "notify";'
testd_unit waita "" 'requires = [ "slowb" ];'
testd_unit baseb ""
testd_unit depa "--term-delay 1500" 'requires = [ "baseb" ];'
testd_unit swapb ""
testd_unit swapa "" 'requires = [ "swapb" ];'
testd_unit rb "--notify-after 1500" 'type = "notify";' 'restart = "always";' 'restart_delay = "0";'
testd_unit ra "" 'requires = [ "rb" ];' 'restart = "always";' 'restart_delay = "0";'
testd_unit edep "--exit-after 1000" 'restart = "no";'
testd_unit eapp "" 'requires = [ "edep" ];'
start_initd || exit 1

# ---- waita/slowb --------------------------------------------------------------
check "waita waits for slowb" wait_state waita waiting 2
sv stop slowb >/dev/null; rc=$?
is "svctl stop slowb: exit 0" "$rc" 0
check "slowb is stopped" state_is slowb stopped
check "waita, which required it, is stopped" state_is waita stopped
sleep 1
check "a second later slowb is still stopped (nothing pulled it back in)" state_is slowb stopped
check "... and waita never ran" test ! -e "$T/waita.touch"

# ---- depa/baseb ---------------------------------------------------------------
check "depa and baseb run" wait_until 5 eval 'state_is depa running && state_is baseb running'
# testd meets SIGTERM as told (delays it) once its touch line is there
check "depa is set up (its touch line)" wait_until 5 touched depa
sv stop baseb > /dev/null &
stopper=$!
check "depa stops first (it takes 1.5 s)" wait_state depa stopping 3
check "... while baseb still runs" state_is baseb running
wait "$stopper"; rc=$?
is "svctl stop baseb: exit 0" "$rc" 0
check "when svctl stop returns, depa is stopped" state_is depa stopped
check "... and baseb" state_is baseb stopped

# ---- swapa/swapb --------------------------------------------------------------
check "swapa and swapb run" wait_until 5 eval 'state_is swapa running && state_is swapb running'
a_pid=$(svc_pid swapa)
b_pid=$(svc_pid swapb)
testd_unit swapb "--print-every 1000"
sv reload >/dev/null
check "swapb runs again, its new unit" wait_until 5 \
	eval 'state_is swapb running && [ "$(svc_pid swapb)" != "$b_pid" ]'
sv wait >/dev/null
check "swapa, unchanged, still runs" state_is swapa running
is "swapa: the same process" "$(svc_pid swapa)" "$a_pid"

# ---- edep/eapp ---------------------------------------------------------------
check "edep exits 0, and is exited" wait_state edep exited 10
check "eapp, which required it, stops" wait_state eapp stopped 10
is "eapp: the reason names its requirement" "$(svc_reason eapp)" "requirement edep exited"

# ---- ra/rb --------------------------------------------------------------------
check "ra and rb run" wait_until 5 eval 'state_is ra running && state_is rb running'
sv kill --main rb KILL >/dev/null
sv kill --main ra KILL >/dev/null
check "rb restarts, starting (ready 1.5 s later)" wait_state rb starting 3
# Both states from one request (one snapshot of PID 1's): while rb is not
# ready, ra is held back. On a slow machine rb may be ready already when
# this runs (its 1.5 s from its exec, read here up to 3 s late); the
# causal check below (ra's start after rb's ready) holds either way.
held() {
	sv status rb ra 2>/dev/null | awk '$1 == "rb" || $1 == "ra" { s[$1] = $2 }
		END { exit !("rb" in s && (s["rb"] != "starting" ||
			(s["ra"] != "running" && s["ra"] != "starting"))) }'
}
check "ra waits for it, not running" held
check "then both run" wait_until 5 eval 'state_is ra running && state_is rb running'
# ra is running at exec, its touch line written after: its new run's line
# (the last one, naming the running process) is waited for before it is read.
check "ra's new run wrote its touch line" \
	wait_until 5 eval '[ "$(touch_pid ra)" = "$(svc_pid ra)" ]'
# causal, not a race: rb logs "ready" before its READY=1, ra is spawned
# after initd read it
ra_start=$(tail -n 1 "$T/ra.touch" | cut -d' ' -f2)
rb_ready=$(awk '$3 == "ready" { t = $2 } END { print t }' "$T/rb.log")
check "ra's new run started after rb's new run was ready ($ra_start > $rb_ready)" \
	eval '[ "$(svc_restarts ra)" -ge 1 ] && [ "$ra_start" -gt "$rb_ready" ]'

# svctl(8): `svctl restart rb ra` restarts both, ra once rb is ready again;
# `svctl restart rb` alone leaves ra running.
ra_pid=$(svc_pid ra)
sv restart rb > /dev/null
check "restart rb: ra keeps running, the same process" \
	eval 'state_is ra running && [ "$(svc_pid ra)" = "$ra_pid" ]'
sv restart rb ra > /dev/null; rc=$?
is "restart rb ra: svctl returns 0" "$rc" 0
check "restart rb ra: both run" eval 'state_is ra running && state_is rb running'
check "restart rb ra: ra's new run wrote its touch line" \
	wait_until 5 eval '[ "$(touch_pid ra)" = "$(svc_pid ra)" ]'
ra_start=$(tail -n 1 "$T/ra.touch" | cut -d' ' -f2)
rb_ready=$(awk '$3 == "ready" { t = $2 } END { print t }' "$T/rb.log")
check "restart rb ra: ra's new run started after rb's was ready ($ra_start > $rb_ready)" \
	eval '[ "$(svc_pid ra)" != "$ra_pid" ] && [ "$ra_start" -gt "$rb_ready" ]'

stop_initd

# ---- an operator's stop that waits, against what comes meanwhile ---------------
#   b1/d1  a reload changes b1 while its stop waits for d1: b1 ends stopped
#   b2/d2  b2 crashes while its stop waits: stopped, not failed
#   b3/d3  svctl stop b3 while d3 stops for a reload's swap: both stay stopped
#   b4/d4  svctl stop b4 while it waits out its restart delay: returns once
#          d4 has stopped
#   x/v    v comes after x: v's automatic restart does not wait out x's backoff
new_boot requires2
for n in 1 2 3 4; do
	testd_unit d$n "--term-delay 2000" "requires = [ \"b$n\" ];"
done
testd_unit b1 ""
testd_unit b2 ""
testd_unit b3 ""
testd_unit b4 "--crash-after 300" 'restart_delay = "3s";' 'restart_delay_max = "3s";'
testd_unit x "" 'restart = "always";' 'restart_delay = "10s";' 'restart_delay_max = "10s";'
testd_unit v "" 'after = [ "x" ];' 'restart = "always";' 'restart_delay = "0";'
start_initd || exit 1
check "d1 d2 d3 b1 b2 b3 x v run" wait_until 5 all_running d1 d2 d3 b1 b2 b3 x v
# testd meets SIGTERM as told (delays it) once its touch line is there
check "d1 d2 d3 are set up (their touch lines)" wait_until 5 eval 'touched d1 && touched d2 && touched d3'

sv stop b1 > /dev/null & s1=$!
check "b1: d1 stops first" wait_state d1 stopping 3
testd_unit b1 "--print-every 1000"
sv reload > /dev/null
wait "$s1"; rc=$?
is "b1: svctl stop returns 0, across the reload" "$rc" 0
check "b1 is stopped, and stays so" eval 'sleep 0.5; state_is b1 stopped && state_is d1 stopped'

sv stop b2 > /dev/null & s2=$!
check "b2: d2 stops first" wait_state d2 stopping 3
sv kill --main b2 SEGV > /dev/null
wait "$s2"
check "b2, crashed while its stop waited, is stopped, not failed" state_is b2 stopped

testd_unit d3 "--term-delay 2000" 'requires = [ "b3" ];' 'restart_delay = "1s";'
sv reload > /dev/null
check "d3 stops for its swap" wait_state d3 stopping 3
sv stop b3 > /dev/null; rc=$?
is "b3: svctl stop returns 0" "$rc" 0
check "b3 and d3 stay stopped" eval 'sleep 0.5; state_is b3 stopped && state_is d3 stopped'

check "b4 waits out its restart delay, d4 runs" wait_until 5 \
	eval 'state_is b4 restarting && state_is d4 running'
sv stop b4 > /dev/null
check "b4: when svctl stop returns, d4 is stopped too" state_is d4 stopped

sv kill --main x KILL > /dev/null
check "x waits out its 10 s backoff" wait_state x restarting 3
sv kill --main v KILL > /dev/null
check "v runs again at once, not after x's backoff" wait_state v running 3
stop_initd

[ "$FAILED" -eq 0 ]
