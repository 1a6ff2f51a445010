#!/bin/bash
# t-requires-fail.sh — what a required unit's failure does (initd.unit(5)
# requires, svctl(8) start), apart from t-requires.sh so that neither file
# nears the per-file time limit under the sanitizers:
#   cdep/cmid/ctop  a chain, all running, whose bottom fails: each unit
#                above it ends failed with the reason from below (ctop was
#                stopped, as if cmid had been, while cmid was on its way down)
. "$(dirname "$0")/lib.sh"

# ---- cdep/cmid/ctop, wdep/wapp ---------------------------------------------------
#   rbot/rmid/rtop  rmid is in its 30 s restart delay (rtop keeps running)
#              when rbot fails: rmid fails at once, and rtop with it (they
#              waited out the delay)
#   abot/amid  svctl start amid while it stops for abot's failure (it
#              takes 4 s to die): amid comes back once stopped, and abot is
#              started once more (the start was lost: amid ended failed)
#   sbot/smid  svctl start smid, then svctl stop smid, while it stops for
#              sbot's failure: smid ends stopped, "stopped by svctl" (the
#              start came after the failure; it ended failed)
#   bbot/bmid/btop  the same through svctl start btop (autostart off),
#              which requires bmid (btop failed at once with bmid's reason)
#   ybot/ymid  the same, ymid at its start limit (2) by then: the start
#              is a fresh one (ymid failed at its start limit)
#   xbot/xmid/xtop  the same as bbot/bmid/btop, and a reload changes xmid
#              meanwhile: xmid comes back with its new unit, xtop runs
#              (xmid counted as failing again, and xtop failed)
#   wdep/wapp  wapp failed because wdep did; a start of wapp waits for wdep
#              again; svctl stop of the waiting wapp ends it stopped (it
#              ended failed: its last exit was the dependency's failure)
new_boot requires3
unit cdep <<EOC
exec = [ "/bin/sh", "-c", "while [ ! -e $T/fail ]; do sleep 0.05; done; exit 3" ];
restart = "no";
EOC
testd_unit cmid "" 'requires = [ "cdep" ];' 'restart = "no";'
testd_unit ctop "" 'requires = [ "cmid" ];' 'restart = "no";'
testd_unit wdep "--notify-after 3000 --exit-after 4000 --exit-code 3" 'type = "notify";' 'restart = "no";'
testd_unit wapp "" 'requires = [ "wdep" ];' 'restart = "no";'
unit rbot <<EOC
exec = [ "/bin/sh", "-c", "while [ ! -e $T/rfail ]; do sleep 0.05; done; exit 3" ];
restart = "no";
EOC
testd_unit rmid "--crash-after 500" 'requires = [ "rbot" ];' 'restart = "always";' \
	'restart_delay = "30s";' 'restart_delay_max = "30s";'
testd_unit rtop "" 'requires = [ "rmid" ];' 'restart = "no";'
for c in a b s; do   # fails once, when $T/${c}fail appears; then runs
	unit ${c}bot <<EOC
exec = [ "/bin/sh", "-c", "while [ ! -e $T/${c}fail ]; do sleep 0.05; done; rm $T/${c}fail; exit 3" ];
restart = "no";
EOC
	testd_unit ${c}mid "--term-delay 4000" "requires = [ \"${c}bot\" ];" 'restart = "no";'
done
testd_unit btop "" 'requires = [ "bmid" ];' 'restart = "no";' 'autostart = false;'
for c in x y; do
	unit ${c}bot <<EOC
exec = [ "/bin/sh", "-c", "while [ ! -e $T/${c}fail ]; do sleep 0.05; done; rm $T/${c}fail; exit 3" ];
restart = "no";
EOC
done
testd_unit ymid "--term-delay 4000" 'requires = [ "ybot" ];' 'restart = "always";' \
	'restart_delay = "0";' 'start_limit = { burst = 2; interval = "1min"; };'
testd_unit xmid "--term-delay 4000" 'requires = [ "xbot" ];' 'restart = "no";'
testd_unit xtop "" 'requires = [ "xmid" ];' 'restart = "no";' 'autostart = false;'
start_initd || exit 1
check "the chain runs" wait_until 5 eval \
	'state_is cdep running && state_is cmid running && state_is ctop running'
touch "$T/fail"
check "cdep fails, cmid with it" wait_until 5 eval \
	'state_is cdep failed && svc_reason cmid | grep -qx "dependency cdep failed: exit 3"'
check "ctop ends failed, with the reason from below" wait_until 5 eval \
	'state_is ctop failed && svc_reason ctop | grep -qx "dependency cmid failed: dependency cdep failed: exit 3"'

check "rmid crashed, in its restart delay; rtop runs" wait_until 5 eval \
	'state_is rmid restarting && state_is rtop running'
touch "$T/rfail"
check "rbot fails: rmid fails at once, not after its delay" wait_until 5 eval \
	'state_is rbot failed && svc_reason rmid | grep -qx "dependency rbot failed: exit 3"'
check "... and rtop with it" wait_until 5 eval \
	'state_is rtop failed && svc_reason rtop | grep -qx "dependency rmid failed: dependency rbot failed: exit 3"'

for c in a b; do
	check "${c}bot and ${c}mid run" wait_until 5 eval "state_is ${c}bot running && state_is ${c}mid running"
	check "${c}mid is set up (its touch line: it delays SIGTERM)" wait_until 5 touched ${c}mid
	touch "$T/${c}fail"
	check "${c}bot fails; ${c}mid stops for it (4 s)" wait_until 5 eval \
		"state_is ${c}bot failed && state_is ${c}mid stopping"
	what=${c}mid; [ $c = a ] || what=btop
	sv start --no-wait $what >/dev/null; rc=$?
	is "svctl start $what while ${c}mid stops: exit 0" "$rc" 0
	check "${c}mid comes back, ${c}bot started once more: both run" wait_until 10 eval \
		"state_is ${c}bot running && state_is ${c}mid running"
done
check "btop runs" wait_state btop running 5

check "sbot and smid run" wait_until 5 eval 'state_is sbot running && state_is smid running'
check "smid is set up (its touch line: it delays SIGTERM)" wait_until 5 touched smid
touch "$T/sfail"
check "sbot fails; smid stops for it (4 s)" wait_until 5 eval 'state_is sbot failed && state_is smid stopping'
sv start --no-wait smid >/dev/null
sv stop --no-wait smid >/dev/null; rc=$?
is "svctl start, then svctl stop smid meanwhile: exit 0" "$rc" 0
check "smid ends stopped, not failed" wait_until 10 eval \
	'state_is smid stopped && [ "$(svc_reason smid)" = "stopped by svctl" ]'

check "ybot and ymid run" wait_until 5 eval 'state_is ybot running && state_is ymid running'
sv kill --main ymid KILL >/dev/null
check "ymid restarted once: its 2 starts of 2 used" wait_until 5 eval \
	'state_is ymid running && [ "$(svc_restarts ymid)" = 1 ]'
check "the new ymid is set up (its touch line: it delays SIGTERM)" \
	wait_until 5 eval '[ "$(touch_pid ymid)" = "$(svc_pid ymid)" ]'
touch "$T/yfail"
check "ybot fails; ymid stops for it" wait_until 5 eval 'state_is ybot failed && state_is ymid stopping'
sv start --no-wait ymid >/dev/null
check "svctl start ymid meanwhile: a fresh start, both run" wait_until 10 eval \
	'state_is ybot running && state_is ymid running'

check "xbot and xmid run" wait_until 5 eval 'state_is xbot running && state_is xmid running'
check "xmid is set up (its touch line: it delays SIGTERM)" wait_until 5 touched xmid
touch "$T/xfail"
check "xbot fails; xmid stops for it (4 s)" wait_until 5 eval 'state_is xbot failed && state_is xmid stopping'
sv start --no-wait xtop >/dev/null
testd_unit xmid "--term-delay 4000 --print-every 1000" 'requires = [ "xbot" ];' 'restart = "no";'
sv reload >/dev/null; rc=$?
is "svctl reload (xmid changed) meanwhile: exit 0" "$rc" 0
check "xmid comes back with its new unit, xbot once more, xtop runs" wait_until 10 eval \
	'state_is xbot running && state_is xmid running && state_is xtop running'

check "wapp fails with wdep" wait_until 10 eval \
	'state_is wapp failed && svc_reason wapp | grep -qx "dependency wdep failed: exit 3"'
sv start --no-wait wapp >/dev/null
check "svctl start wapp: it waits for wdep, started again" wait_until 2 eval \
	'state_is wapp waiting && [ "$(touch_count wdep)" = 2 ]'
sv stop wapp >/dev/null; rc=$?
is "svctl stop of the waiting wapp: exit 0" "$rc" 0
check "wapp is stopped, not failed" state_is wapp stopped
stop_initd

[ "$FAILED" -eq 0 ]
