#!/bin/bash
# t-logs.sh — service output: kept across a restart, copied to the console
# when the unit asks (log.console), and never from a unit that does not.
. "$(dirname "$0")/lib.sh"

new_boot logs
testd_unit loud "--print-every 50" 'log = { console = true; };' 'restart_delay = "0";'
testd_unit quiet "--print-every 50"
start_initd

check "loud reaches running" wait_state loud running 5
first=$(svc_pid loud)
check "loud printed some lines" wait_until 5 eval '[ "$(sv logs loud -n 5 | wc -l)" -ge 5 ]'
in_ns kill -KILL "$first" 2>/dev/null
back() { local p; p=$(svc_pid loud); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$first" ]; }
check "loud comes back with a new PID" wait_until 5 back
second=$(svc_pid loud)
both() { sv logs loud -n 1000 > "$T/loud.logs"; grep -q "testd $first line" "$T/loud.logs" &&
	 grep -q "testd $second line" "$T/loud.logs"; }
check "logs hold lines from before and after the restart" wait_until 5 both
check "loud's lines reach the console, tagged with its name" \
	wait_until 5 eval 'grep -q "^loud: testd $second line" "$T/initd.log"'
check "quiet's lines stay off the console" eval '! grep -q "^quiet: " "$T/initd.log"'

stop_initd

# A service's last lines (often its crash message) reach the console even
# when initd reads them at its reap, not when its pipe was ready: initd
# stopped while early exits (its SIGCHLD then waits in the signalfd,
# ahead of the rest) and late prints and exits; at SIGCONT the reap's
# walk reaps late and drains its pipe before the pipe's own event.
new_boot lastwords
gate="while [ ! -e $T/go ]; do sleep 0.05; done"
unit early <<EOF
exec = [ "/bin/sh", "-c", "$gate; exit 0" ];
restart = "no";
EOF
unit late <<EOF
exec = [ "/bin/sh", "-c", "$gate; sleep 0.3; echo crashing now, last words; exit 3" ];
restart = "no";
log = { console = true; };
EOF
start_initd
check "early and late are running" wait_until 5 eval 'state_is early running && state_is late running'
early=$(svc_pid early)
late=$(svc_pid late)
kill -STOP "$INITD_HPID"
touch "$T/go"
zombie() { [ "$(ns_stat "$1" | cut -d' ' -f1)" = Z ]; }
check "with initd stopped, early and then late exited" \
	wait_until 5 eval 'zombie "$early" && zombie "$late"'
kill -CONT "$INITD_HPID"
check "late is reaped (failed)" wait_state late failed 5
check "late's last line reached the console" \
	wait_until 5 eval 'grep -q "^late: crashing now, last words" "$T/initd.log"'
check "and its ring" eval 'sv logs late | grep -q "crashing now, last words"'

stop_initd
[ "$FAILED" -eq 0 ]
