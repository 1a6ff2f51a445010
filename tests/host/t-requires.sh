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
. "$(dirname "$0")/lib.sh"

new_boot requires
testd_unit slowb "--notify-after 3000" 'type = "notify";'
testd_unit waita "" 'requires = [ "slowb" ];'
testd_unit baseb ""
testd_unit depa "--term-delay 1500" 'requires = [ "baseb" ];'
testd_unit swapb ""
testd_unit swapa "" 'requires = [ "swapb" ];'
testd_unit rb "--notify-after 1500" 'type = "notify";' 'restart = "always";' 'restart_delay = "0";'
testd_unit ra "" 'requires = [ "rb" ];' 'restart = "always";' 'restart_delay = "0";'
start_initd || exit 1

# ---- waita/slowb --------------------------------------------------------------
check "waita waits for slowb" wait_state waita waiting 2
sv stop slowb >/dev/null; rc=$?
is "svctl stop slowb: exit 0" "$rc" 0
check "slowb is stopped" state_is slowb stopped
check "waita, which required it, is stopped" state_is waita stopped
sleep 3.5
check "3.5 s later slowb is still stopped (nothing pulled it back in)" state_is slowb stopped
check "... and waita never ran" test ! -e "$T/waita.touch"

# ---- depa/baseb ---------------------------------------------------------------
check "depa and baseb run" wait_until 5 eval 'state_is depa running && state_is baseb running'
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

# ---- ra/rb --------------------------------------------------------------------
check "ra and rb run" wait_until 5 eval 'state_is ra running && state_is rb running'
sv kill --main rb KILL >/dev/null
sv kill --main ra KILL >/dev/null
check "rb restarts, starting (ready 1.5 s later)" wait_state rb starting 3
check "ra waits for it, not running" eval 'case "$(svc_state ra)" in running|starting) false;; esac'
check "then both run" wait_until 5 eval 'state_is ra running && state_is rb running'
# causal, not a race: rb logs "ready" before its READY=1, ra is spawned
# after initd read it
ra_start=$(tail -n 1 "$T/ra.touch" | cut -d' ' -f2)
rb_ready=$(awk '$3 == "ready" { t = $2 } END { print t }' "$T/rb.log")
check "ra's new run started after rb's new run was ready ($ra_start > $rb_ready)" \
	eval '[ "$(svc_restarts ra)" -ge 1 ] && [ "$ra_start" -gt "$rb_ready" ]'

stop_initd
[ "$FAILED" -eq 0 ]
