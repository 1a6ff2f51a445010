#!/bin/bash
# t-noload.sh — a first unit load that fails (the unit directory does not
# exist) must not lock svctl out: status says no units are loaded, reload
# answers with the reason and, once the directory is there, loads and starts
# the units; poweroff ends initd with nothing loaded.
. "$(dirname "$0")/lib.sh"

# initd answers at all (status fails here by design: nothing is loaded).
control_answers() { [ -S "$T/control" ] && { sv status >/dev/null 2>&1; [ $? -ne 5 ]; }; }
status_says_none() { sv status 2>&1 | grep -qi 'no units are loaded'; }

new_boot noload
rmdir "$T/conf/units"
start_initd
check "status says no units are loaded" wait_until 5 status_says_none
msg=$(sv reload 2>&1); rc=$?
check "reload without the directory fails (exit $rc)" test "$rc" -ne 0
check "reload gives the reason: $msg" eval 'grep -qi "no such file" <<< "$msg"'
mkdir "$T/conf/units"
testd_unit web ""
msg=$(sv reload 2>&1); rc=$?
is "reload once the directory exists exits 0 ($msg)" "$rc" 0
check "web reaches running" wait_state web running 5
check "web's process runs (its touch file)" wait_until 5 eval '[ "$(touch_count web)" -ge 1 ]'
stop_initd; is "poweroff ends the namespace" "$?" 0

new_boot noload-poweroff
rmdir "$T/conf/units"
start_initd
check "status says no units are loaded" wait_until 5 status_says_none
sv poweroff >/dev/null 2>&1; rc=$?
is "poweroff with nothing loaded exits 0" "$rc" 0
ended=0; wait_unshare 5 && ended=1
is "poweroff with nothing loaded ends the namespace" "$ended" 1
kill_initd

[ "$FAILED" -eq 0 ]
