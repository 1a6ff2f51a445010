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
[ "$FAILED" -eq 0 ]
