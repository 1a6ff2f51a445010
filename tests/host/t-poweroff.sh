#!/bin/bash
# t-poweroff.sh — shutdown. `svctl poweroff` (or SIGTERM to initd) stops the
# services in reverse dependency order, each with its stop signal and
# timeout, then reboot(2) ends the PID namespace. Evidence: the times testd
# logged receiving SIGTERM, the end of the unshare process, and no process
# left in the namespace.
. "$(dirname "$0")/lib.sh"

all_running() {
	local n
	for n in "$@"; do state_is "$n" running || return 1; done
}
term_time() { log_time "$1" '^got SIGTERM'; }
lt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }
ms_since() { echo $(( ($(now_us) - $1) / 1000 )); }

# --- poweroff in reverse dependency order. c and b take 300ms to die after
# SIGTERM, so a stop that does not wait for dependents shows in the times.
new_boot order
testd_unit a ""
testd_unit b "--term-delay 300" 'requires = [ "a" ];'
testd_unit c "--term-delay 300" 'requires = [ "b" ];'
start_initd
check "a, b, c reach running" wait_until 5 all_running a b c
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "a, b and c are set up (their touch lines)" wait_until 5 eval 'touched a && touched b && touched c'
t0=$(now_us)
sv poweroff >/dev/null 2>&1
ended=0; wait_unshare 10 && ended=1
ms=$(ms_since "$t0")
check "poweroff ends the namespace ($ms ms)" test "$ended" = 1
check "no process is left in the namespace" ns_empty "$NS_ID"
for n in a b c; do
	check "$n got SIGTERM (its log)" log_has "$n" '^got SIGTERM'
done
ta=$(term_time a) tb=$(term_time b) tc=$(term_time c)
check "reverse order: c ($tc) before b ($tb) before a ($ta)" \
	eval 'lt "$tc" "$tb" && lt "$tb" "$ta"'
check "b got SIGTERM only once c was gone (>= 300ms later)" \
	eval '[ -n "$tb" ] && [ -n "$tc" ] && [ $(( (tb - tc) / 1000 )) -ge 300 ]'
check "a got SIGTERM only once b was gone (>= 300ms later)" \
	eval '[ -n "$ta" ] && [ -n "$tb" ] && [ $(( (ta - tb) / 1000 )) -ge 300 ]'
stop_initd

# --- services that do not stop on SIGTERM are killed after their timeout
new_boot timeout
testd_unit base ""
testd_unit stubborn "--ignore-term" 'requires = [ "base" ];' \
	'stop = { signal = "TERM"; timeout = "1s"; };'
testd_unit hanger "--hang-on-term" 'requires = [ "base" ];' \
	'stop = { timeout = "1s"; };'
start_initd
check "base, stubborn, hanger reach running" wait_until 5 all_running base stubborn hanger
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "base, stubborn and hanger are set up (their touch lines)" \
	wait_until 5 eval 'touched base && touched stubborn && touched hanger'
t0=$(now_us)
sv poweroff >/dev/null 2>&1
ended=0; wait_unshare 8 && ended=1
ms=$(ms_since "$t0")
check "poweroff ends the namespace ($ms ms, stop timeouts 1s)" test "$ended" = 1
check "it took at least the 1s stop timeout ($ms ms)" test "$ms" -ge 900
# killed at its own 1 s, not at the 5 s default: the reason says which
check "stubborn, which ignores TERM, was killed at its stop timeout (1s)" \
	grep -q "warning: stubborn: not stopped within its stop timeout (1.0s): killing it" "$T/initd.log"
check "no process is left in the namespace" ns_empty "$NS_ID"
check "hanger got SIGTERM first (its log)" log_has hanger '^got SIGTERM, ignoring'
tb=$(term_time base)
check "base was stopped only after its dependents were killed (>= 0.9s in)" \
	eval '[ -n "$tb" ] && [ $(( (tb - t0) / 1000 )) -ge 900 ]'
stop_initd

# --- SIGTERM to initd powers off too. solo ignores its SIGTERM for its 1 s
# stop timeout, so a second SIGTERM to initd meets the stop under way: it
# changes nothing, and the log says the stop once.
new_boot sigterm
testd_unit solo "--hang-on-term" 'stop = { timeout = "1s"; };'
start_initd
check "solo reaches running" wait_state solo running 5
# it logs its SIGTERM once set up (its touch line is there)
check "solo is set up (its touch line)" wait_until 5 touched solo
[ -n "$INITD_HPID" ] && kill -TERM "$INITD_HPID"
check "solo got SIGTERM (its log)" wait_until 5 log_has solo '^got SIGTERM'
[ -n "$INITD_HPID" ] && kill -TERM "$INITD_HPID"
ended=0; wait_unshare 10 && ended=1
check "SIGTERM to initd ends the namespace" test "$ended" = 1
is "two SIGTERMs: the stop is logged once" \
	"$(grep -c 'stopping services for' "$T/initd.log")" 1
check "solo was killed at its stop timeout, not at once" \
	grep -q "solo: not stopped within its stop timeout (1.0s): killing it" "$T/initd.log"
check "no process is left in the namespace" ns_empty "$NS_ID"
stop_initd

# --- PID 1 of a container without CAP_SYS_BOOT (Docker drops it): reboot(2)
# is refused, and initd exits (status 0) as the kernel would have ended the
# namespace, instead of running its crash action (a freeze that `docker
# stop` waits out).
new_boot nosysboot
testd_unit svc ""
INITD_PRE='exec setpriv --bounding-set -sys_boot -- "$@"' start_initd
check "svc reaches running" wait_state svc running 5
# CAP_SYS_BOOT is capability 22: its bit clear in the effective set.
check "initd has no CAP_SYS_BOOT" eval \
	'[ $(( 0x$(awk "/^CapEff:/ { print \$2 }" /proc/$INITD_HPID/status) >> 22 & 1 )) = 0 ]'
sv poweroff >/dev/null 2>&1
ended=0; wait_unshare 10 && ended=1
check "poweroff ends the namespace" test "$ended" = 1
if [ "$ended" = 1 ]; then
	wait "$UNSHARE_PID"; rc=$?
	is "initd exited with status 0" "$rc" 0
	UNSHARE_PID=
fi
check "initd says why it exits" grep -q "reboot(2) refused (no CAP_SYS_BOOT in this container): exiting" "$T/initd.log"
check "no crash action ran" eval '! grep -q "fatal\|crash action" "$T/initd.log"'
stop_initd
# --- the same container, initd itself faulting: its crash action (reboot)
# is refused too; PID 1 exits, 1 (it crashed), and the namespace ends.
# The old code froze there for good, its services running on.
new_boot nosysbootcrash
testd_unit svc ""
INITD_PRE='exec setpriv --bounding-set -sys_boot -- "$@"' start_initd
check "svc reaches running" wait_state svc running 5
[ -n "$INITD_HPID" ] && kill -SEGV "$INITD_HPID"
ended=0; wait_unshare 10 && ended=1
check "a fault in initd ends the namespace" test "$ended" = 1
if [ "$ended" = 1 ]; then
	wait "$UNSHARE_PID"; rc=$?
	is "initd exited with status 1" "$rc" 1
	UNSHARE_PID=
fi
check "initd says why it exits" grep -q "reboot(2) refused in this container: exiting" "$T/initd.log"
stop_initd
# --- a second request of another kind once the services are stopped (the
# log writer held, as a slow disk's fsync holds it): refused with the
# reason, and the end is the first request's. In a PID namespace reboot(2)
# ends it as a signal would: 129 (SIGHUP) for a reboot, 130 for a poweroff.
new_boot late
echo "log = { directory = \"$T/logs\"; };" > "$T/conf/initd.conf"
testd_unit chat "--print-every 100"
start_initd
check "late: the log writer runs" wait_until 5 writer_pid
kill -STOP "$(writer_pid)"
sv poweroff >/dev/null 2>&1
# chat's stop is the last (--verbose logs it): the final phase begins in
# that pass, and the held writer keeps it there for up to 3 s.
check "late: the services are stopped" wait_until 10 \
	grep -q "chat: stopping -> stopped" "$T/initd.log"
late_out=$(sv reboot 2>&1); late_rc=$?
check "late: svctl reboot is refused (exit $late_rc): $late_out" \
	eval '[ "$late_rc" -ne 0 ] && grep -q "too late" <<< "$late_out"'
check "late: the log says it was ignored" grep -q "reboot asked while the end for poweroff is under way: ignored" "$T/initd.log"
ended=0; wait_unshare 10 && ended=1
if [ "$ended" = 1 ]; then
	wait "$UNSHARE_PID"; rc=$?
	is "late: the end is the poweroff (130), not the reboot (129)" "$rc" 130
	UNSHARE_PID=
fi
stop_initd
# --- a unit a reload removed, still stopping when the shutdown comes, is
# waited for by what it required: y gets SIGTERM only once x is gone.
new_boot removed
testd_unit y ""
testd_unit x "--term-delay 1500" 'requires = [ "y" ];'
start_initd
check "removed: x and y run" wait_until 5 all_running x y
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "removed: x and y are set up (their touch lines)" wait_until 5 eval 'touched x && touched y'
rm "$T/conf/units/x.unit"
sv reload >/dev/null 2>&1
sleep 0.2
sv poweroff >/dev/null 2>&1
wait_unshare 10
tx=$(log_time x '^dying') ty=$(term_time y)
check "removed: y got SIGTERM ($ty) only after x died ($tx)" lt "$tx" "$ty"
stop_initd
# --- the shutdown's timeout on the way to rescue: base, still waiting for
# stub (which ignores SIGTERM) to stop, is killed with it. Both end as stops
# the shutdown asked for (stopped, "stop timeout, killed"), not failed and
# without a post-mortem, and rescue comes once they are gone.
new_boot killedwaiting
echo 'shutdown_timeout = "1s";' > "$T/conf/initd.conf"
testd_unit base ""
testd_unit stub "--ignore-term" 'requires = [ "base" ];' 'stop = { timeout = "30s"; };'
testd_unit bad "--exit-after 300 --exit-code 3" 'on_failure = "rescue";' 'restart = "no";'
start_initd
check "killedwaiting: rescue is reached" wait_until 8 grep -q "every unit is stopped" "$T/initd.log"
check "killedwaiting: base is stopped, not failed ($(svc_state base): $(svc_reason base))" \
	eval 'state_is base stopped && svc_reason base | grep -q "stop timeout, killed"'
check "killedwaiting: stub too ($(svc_state stub): $(svc_reason stub))" \
	eval 'state_is stub stopped && svc_reason stub | grep -q "stop timeout, killed"'
check "killedwaiting: no post-mortem for base" eval '! sv postmortem base 2>/dev/null | grep -q "^failure"'
line_of() { grep -n "$1" "$T/initd.log" | head -n 1 | cut -d: -f1; }
check "killedwaiting: rescue came once base's exit was in (its log's order)" \
	lt "$(line_of 'base: stopping -> stopped')" "$(line_of 'every unit is stopped')"
stop_initd
[ "$FAILED" -eq 0 ]
