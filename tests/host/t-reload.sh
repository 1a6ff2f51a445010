#!/bin/bash
# t-reload.sh — `svctl reload` re-reads the unit files and applies the
# difference (issue 6, doc/DESIGN.md §9), checked against /proc in the namespace:
#   added      new.unit appears: it starts (a live process that wrote its
#              touch file)
#   removed    gone.unit disappears: its process is stopped, the unit is no
#              longer known (status exits 3)
#   changed    changed.unit gets other arguments: it restarts, and the new
#              process runs the new command line
#   unchanged  same.unit: the very same process, never restarted
#   broken     a set with a bad unit is refused whole (exit 1, every error
#              printed) and the running system keeps its old model
#   SIGHUP     to initd reloads too (doc/DESIGN.md §8)
. "$(dirname "$0")/lib.sh"

# svx CMD... — svctl; stdout in $SO, stderr in $SE, exit code in $rc.
svx() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 10 "$SVCTL" --socket "$T/control" "$@" > "$o" 2> "$e"
	rc=$?
	SO=$(cat "$o") SE=$(cat "$e")
	rm -f "$o" "$e"
}

# ns_cmdline PID — the process's argv, space-separated.
ns_cmdline() { in_ns cat "/proc/$1/cmdline" 2>/dev/null | tr '\0' ' '; }
known() { sv status "$1" > /dev/null 2>&1; }
all_running() {
	local n
	for n in "$@"; do state_is "$n" running || return 1; done
}

new_boot reload
testd_unit same ""
testd_unit gone ""
testd_unit changed "--print-every 1000"
start_initd
check "same, gone and changed reach running" wait_until 5 all_running same gone changed
# "running" is at exec; testd writes its touch line after (its SIGTERM
# handler set up): the "started once" checks below count from here, and
# gone's "got SIGTERM" needs the handler.
check "same, gone and changed wrote their touch files" \
	wait_until 5 eval 'touched same && touched gone && touched changed'
same=$(svc_pid same) gone=$(svc_pid gone) changed=$(svc_pid changed)

# ---- nothing changed: nothing happens ---------------------------------------------
svx reload
is "reload of an unchanged directory succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"
sleep 0.3
check "unchanged: every process is the same" \
	eval '[ "$(svc_pid same)" = "$same" ] && [ "$(svc_pid gone)" = "$gone" ] &&
	      [ "$(svc_pid changed)" = "$changed" ] && ns_alive "$same"'

# ---- added, removed, changed, unchanged ----------------------------------------------
rm "$T/conf/units/gone.unit"
testd_unit changed "--print-every 500"
testd_unit new ""
svx reload
is "reload with added, removed and changed units succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"
is "it says the counts, then which units" "$SO" \
	"reload: 1 added, 1 removed, 1 changed, 1 unchanged (added: new; removed: gone; changed: changed)"
check "initd's log says the same" \
	grep -q "reload: 1 added, 1 removed, 1 changed, 1 unchanged (added: new; removed: gone; changed: changed)" "$T/initd.log"
check "added: new is running" wait_state new running 5
# running at exec, its touch line written after: polled
check "added: new is a live testd that started once" wait_until 5 \
	eval 'p=$(svc_pid new); ns_alive "$p" && [ "$(touch_count new)" = 1 ] && [ "$(touch_pid new)" = "$p" ]'
check "removed: gone's process ($gone) is stopped" wait_until 5 ns_gone "$gone"
check "removed: gone got SIGTERM (its log)" log_has gone 'SIGTERM'
check "removed: gone is no longer a unit (status exits 3)" \
	eval 'sv status gone > /dev/null 2>&1; [ $? = 3 ]'
check "changed: restarted with a new process" \
	wait_until 5 eval 'p=$(svc_pid changed); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$changed" ] && state_is changed running'
check "changed: the old process ($changed) is gone" ns_gone "$changed"
is "changed: the reason says why it stopped" "$(svc_reason changed)" "stopped by reload (unit changed)"
check "changed: the new process runs the new command line" \
	eval '[[ "$(ns_cmdline "$(svc_pid changed)")" == *"--print-every 500"* ]]'
check "unchanged: same is the very same process ($same)" \
	eval '[ "$(svc_pid same)" = "$same" ] && ns_alive "$same" && [ "$(touch_count same)" = 1 ]'
is "unchanged: same was never restarted" "$(svc_restarts same)" 0
new=$(svc_pid new) changed=$(svc_pid changed)

# ---- a broken set is refused whole ----------------------------------------------------------
testd_unit extra ""                       # good, but part of a broken set
testd_unit same "--print-every 100"       # a change that must not be applied
unit broken <<'EOF'
exec = [ "/bin/true" ];
frobnicate = 1;
EOF
unit broken2 <<'EOF'
exec = [ "/bin/true" ];
requires = [ "no-such-unit" ];
EOF
svx reload
is "reload of a broken set fails (exit 1)" "$rc" 1
check "reload prints the first error with FILE:LINE" eval '[[ "$SE" == *"broken.unit:2:"* ]]'
check "reload prints every error" eval '[[ "$SE" == *"broken2.unit:2:"* && "$SE" == *no-such-unit* ]]'
sleep 0.5
check "refused: extra was not started" eval '! known extra && [ ! -e "$T/extra.touch" ]'
check "refused: broken is not a unit" eval '! known broken && ! known broken2'
check "refused: same was not restarted for its change" \
	eval '[ "$(svc_pid same)" = "$same" ] && ns_alive "$same" && [ "$(touch_count same)" = 1 ]'
check "refused: new and changed still run as before" \
	eval '[ "$(svc_pid new)" = "$new" ] && [ "$(svc_pid changed)" = "$changed" ] && ns_alive "$new"'
check "refused: gone stays removed" eval '! known gone'
# A file name with a terminal escape in it: the diagnostics name it, but
# what reaches the operator's terminal is cleaned ('?' for the ESC).
esc=$(printf '\033')
printf 'exec = [ "/bin/true" ];\nfrobnicate = 1;\n' > "$T/conf/units/${esc}[31mred.unit"
svx reload
check "refused: the diagnostics carry no raw ESC" eval '[[ "$SE" != *"$esc"* && "$SE" == *"?[31mred"* ]]'
rm -f "$T/conf/units/${esc}[31mred.unit"

# ---- fixing the set and reloading applies it all ------------------------------------------------
rm "$T/conf/units/broken.unit" "$T/conf/units/broken2.unit"
svx reload
is "reload after the fix succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"
check "extra is running now" wait_state extra running 5
check "same restarted for its change now" \
	wait_until 5 eval 'p=$(svc_pid same); [ "$p" != "$same" ] && [ "$p" != - ] && state_is same running'

# ---- SIGHUP reloads ---------------------------------------------------------------------------
rm "$T/conf/units/extra.unit"
extra=$(svc_pid extra)
testd_unit hup ""
kill -HUP "$INITD_HPID"
check "SIGHUP: hup (added) starts" wait_state hup running 5
check "SIGHUP: extra (removed) is stopped" wait_until 5 ns_gone "$extra"
check "SIGHUP: initd is still PID 1" eval 'alive "$INITD_HPID" && sv status > /dev/null'

stop_initd

# --- removed, then added back while it is still stopping: one record per
# name, so one instance at a time (the new one starts once the old one is
# gone), and one owner for its cgroup node and events.
new_boot revive
# slow ignores its SIGTERM and has a long stop timeout: it is still stopping
# for as long as the test looks, which then ends it (no timing decides
# whether the second instance had a chance to appear).
testd_unit slow "--hang-on-term" 'stop = { timeout = "60s"; };'
start_initd
check "revive: slow reaches running" wait_until 5 state_is slow running
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "revive: slow is set up (its touch line)" wait_until 5 touched slow
old=$(svc_pid slow)
unit_file=$T/slow.unit.saved
mv "$T/conf/units/slow.unit" "$unit_file"
sv reload > /dev/null 2>&1
check "revive: the reload removing slow began its stop (it ignores it)" \
	wait_until 5 log_has slow '^got SIGTERM'
mv "$unit_file" "$T/conf/units/slow.unit"
svx reload
is "revive: the reload adding slow back succeeds" "$rc" 0
# While the old process lives, no second instance of slow may run.
count_slow() { in_ns sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " < "$f"; echo; done' 2>/dev/null |
	grep -c "^$TESTD --touch $T/slow.touch" ; }
most=0 least=9
for i in $(seq 15); do
	n=$(count_slow)
	[ "$n" -gt "$most" ] && most=$n
	[ "$n" -lt "$least" ] && least=$n
	sleep 0.05
done
# least 1: every look saw the old process (it was alive throughout)
check "revive: while the old one lives, slow is one process (most $most, least $least)" \
	eval '[ "$most" = 1 ] && [ "$least" = 1 ] && ns_alive "$old"'
in_ns kill -KILL "$old"
check "revive: slow runs again, a new process" \
	wait_until 5 eval 'state_is slow running && [ "$(svc_pid slow)" != "$old" ]'
check "revive: initd still answers" sv status slow
# The new slow ignores SIGTERM too: ended here, not at its 60 s stop timeout.
new=$(svc_pid slow)
sv stop --no-wait slow >/dev/null 2>&1
in_ns kill -KILL "$new"
check "revive: slow is stopped" wait_state slow stopped 5

stop_initd

# ---- a changed unit waits for its stop before its swap; an operator's stop
# meanwhile (a), or already under way when the reload came (b), must hold:
# the swap does not start it again. Their stops hang until the test ends
# them, so no timing decides.
new_boot swapstop
testd_unit a "--hang-on-term" 'stop = { timeout = "60s"; };'
testd_unit b "--hang-on-term" 'stop = { timeout = "60s"; };'
start_initd
check "swapstop: a and b reach running" wait_until 5 all_running a b
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "swapstop: a and b are set up (their touch lines)" wait_until 5 eval 'touched a && touched b'
a=$(svc_pid a); b=$(svc_pid b)
sv stop --no-wait b >/dev/null 2>&1
check "swapstop: b is stopping (the operator's stop)" wait_state b stopping 5
testd_unit a "--hang-on-term --print-every 1000" 'stop = { timeout = "60s"; };'
testd_unit b "--hang-on-term --print-every 1000" 'stop = { timeout = "60s"; };'
svx reload
is "swapstop: the reload changing a and b succeeds" "$rc" 0
check "swapstop: a is stopping for its swap" wait_state a stopping 5
sv stop --no-wait a >/dev/null 2>&1
in_ns kill -KILL "$a" "$b"
check "swapstop: a ends stopped, as the operator asked" wait_state a stopped 5
check "swapstop: b ends stopped, as the operator asked" wait_state b stopped 5
sleep 0.5
check "swapstop: neither was started again by its swap" \
	eval 'state_is a stopped && state_is b stopped'
stop_initd

# ---- a changed unit still stopping for its swap when another reload comes
# (an unrelated edit): it still comes back with its new unit.
new_boot twice
testd_unit c2 "--hang-on-term" 'stop = { timeout = "60s"; };'
testd_unit other ""
start_initd
check "twice: c2 reaches running" wait_state c2 running 5
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "twice: c2 is set up (its touch line)" wait_until 5 touched c2
c2=$(svc_pid c2)
testd_unit c2 "--hang-on-term --print-every 1000" 'stop = { timeout = "60s"; };'
svx reload
check "twice: c2 is stopping for its swap" wait_state c2 stopping 5
testd_unit other "--print-every 1000"
svx reload
is "twice: the second reload succeeds" "$rc" 0
in_ns kill -KILL "$c2"
check "twice: c2 runs again, a new process" \
	wait_until 5 eval 'state_is c2 running && [ "$(svc_pid c2)" != "$c2" ]'
stop_initd

# ---- a change reverted before its swap: the second reload finds the unit
# as it runs, but its first one's stop is under way; it must come back.
new_boot revert
testd_unit r "--hang-on-term" 'stop = { timeout = "60s"; };'
start_initd
check "revert: r reaches running" wait_state r running 5
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "revert: r is set up (its touch line)" wait_until 5 touched r
r=$(svc_pid r)
cp "$T/conf/units/r.unit" "$T/r.unit.saved"
testd_unit r "--hang-on-term --print-every 1000" 'stop = { timeout = "60s"; };'
svx reload
is "revert: the reload changing r succeeds" "$rc" 0
check "revert: r is stopping for its swap" wait_state r stopping 5
cp "$T/r.unit.saved" "$T/conf/units/r.unit"
svx reload
is "revert: the reload reverting r succeeds" "$rc" 0
in_ns kill -KILL "$r"
check "revert: r runs again, a new process" \
	wait_until 5 eval 'state_is r running && [ "$(svc_pid r)" != "$r" ]'
stop_initd

# ---- a reload while shutting down is refused: it would apply initd.conf
# again and relink units being stopped. hanger holds the poweroff (its
# stop timeout is long: the test ends it, so a slow machine cannot).
new_boot reloadstop
testd_unit hanger "--hang-on-term" 'stop = { timeout = "60s"; };'
start_initd
check "hanger reaches running" wait_state hanger running 5
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "hanger is set up (its touch line)" wait_until 5 touched hanger
hanger=$(svc_pid hanger)
sv poweroff >/dev/null 2>&1
check "poweroff: hanger is stopping" wait_state hanger stopping 5
svx reload
is "a reload during the poweroff fails (exit 1)" "$rc" 1
check "and says why" eval '[[ "$SE" == *"shutting down: no reload"* ]]'
reloads=$(grep -c "reloading the units" "$T/initd.log")
kill -HUP "$INITD_HPID" 2>/dev/null
sleep 0.3
sv status >/dev/null 2>&1   # a round trip: the signal was read before it
is "SIGHUP during the poweroff starts no reload either" \
	"$(grep -c "reloading the units" "$T/initd.log")" "$reloads"
in_ns kill -KILL "$hanger"
ended=0; wait_unshare 10 && ended=1
check "the poweroff goes on and ends the namespace" test "$ended" = 1
stop_initd
[ "$FAILED" -eq 0 ]
