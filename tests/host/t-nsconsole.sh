#!/bin/bash
# t-nsconsole.sh — initd as PID 1 of a PID namespace (--no-mounts, as a
# container runs it) shares its parent's console: it never starts a root
# shell there, not for a first load that fails (the VM's escalate.sh noload
# case has the real PID 1's shell), not when a failure action reaches
# rescue. svctl status still says why.
. "$(dirname "$0")/lib.sh"

# initd answers at all (status fails with nothing loaded, by design).
control_answers() { [ -S "$T/control" ] && { sv status >/dev/null 2>&1; [ $? -ne 5 ]; }; }
no_shell() { ! grep -q "root shell on the console" "$T/initd.log"; }
status_says_none() { sv status 2>&1 | grep -qi 'no units are loaded'; }

new_boot nsnoload
rmdir "$T/conf/units"
start_initd
check "no units: status says so" wait_until 5 status_says_none
check "no units: no shell on a console not initd's" no_shell
check "no units: initd says it has none" grep -q "no services will run" "$T/initd.log"
stop_initd; is "poweroff ends the namespace" "$?" 0

new_boot nsrescue
testd_unit bystander ""
unit broken <<'UNIT'
exec = [ "/bin/sh", "-c", "exit 5" ];
restart = "no";
on_failure = "rescue";
UNIT
start_initd
in_rescue() { sv status 2>/dev/null | grep -q '^rescue: broken failed: exit 5'; }
check "rescue: status says why" wait_until 10 in_rescue
check "rescue: initd says there is no shell" \
	wait_until 5 grep -q "no shell (the console is not initd's" "$T/initd.log"
check "rescue: no shell on a console not initd's" no_shell
stop_initd; is "poweroff ends the namespace" "$?" 0

[ "$FAILED" -eq 0 ]
