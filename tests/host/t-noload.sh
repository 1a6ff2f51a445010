#!/bin/bash
# t-noload.sh — a first unit load that fails (the unit directory does not
# exist) must not lock svctl out: status says no units are loaded, reload
# answers with the reason and, once the directory is there, loads and starts
# the units; poweroff ends initd with nothing loaded. An initd without its
# initd-loader beside it (issue 19: the parser is another executable) keeps
# running with nothing loaded and says which file is missing (or that it
# cannot be exec'd); its --check exits 3 saying so.
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

# initd alone, its loader not beside it.
mkdir -p "$WORK/alone" && cp "$BUILD/initd" "$WORK/alone/initd"
new_boot noloader
testd_unit web ""
INITD=$WORK/alone/initd start_initd
check "without initd-loader: status says no units are loaded" wait_until 5 status_says_none
msg=$(sv status 2>&1)
check "status names the missing initd-loader: $msg" \
	eval 'grep -q "initd-loader.*No such file" <<< "$msg"'
msg=$(sv reload 2>&1); rc=$?
check "reload without initd-loader fails (exit $rc): $msg" test "$rc" -ne 0
check "initd still answers after the failed reload" control_answers
stop_initd; is "poweroff ends the namespace" "$?" 0
# Its loader there but not executable: the exec's errno, not "died".
mkdir -p "$WORK/noexec-bin" && cp "$BUILD/initd" "$WORK/noexec-bin/initd" &&
	cp "$BUILD/initd-loader" "$WORK/noexec-bin/initd-loader" && chmod -x "$WORK/noexec-bin/initd-loader"
new_boot noexec
testd_unit web ""
INITD=$WORK/noexec-bin/initd start_initd
check "initd-loader not executable: status says no units are loaded" wait_until 5 status_says_none
msg=$(sv status 2>&1)
check "status says initd-loader cannot be exec'd: $msg" \
	eval 'grep -q "cannot exec initd-loader: Permission denied" <<< "$msg"'
stop_initd; is "poweroff ends the namespace" "$?" 0
chk=$("$WORK/alone/initd" --check "$T/conf" 2>&1); rc=$?
is "--check without initd-loader exits 3" "$rc" 3
NEEDS_BOOT=0 check "--check says what is missing: $chk" eval 'grep -q "cannot run initd-loader" <<< "$chk"'

[ "$FAILED" -eq 0 ]
