#!/bin/bash
# t-escalate.sh — issue 14 without PID 1 (initd as a plain child of this
# script, as t-nonpid1.sh): a critical unit that hits its start limit runs
# its failure action (reboot: not PID 1, initd stops its units and exits);
# the reboot-loop guard counts failed boots in a temporary file across runs
# and sends the third to rescue (no shell: not PID 1; svctl status says
# why); a good boot resets the count; initd.mode= through the --cmdline test
# hook starts only that mode's units, a left-out requirement gives its
# reason; autostart = false is loaded, not started, and svctl start works.
. "$(dirname "$0")/lib.sh"

ipid=
trap '[ -n "$ipid" ] && kill -KILL "$ipid" 2>/dev/null' EXIT   # only while unreaped
BOOT_OK=1   # not booted by start_initd: each initd is our own child

# run_initd [ARGS...] — initd in the background, $ipid; waits for svctl.
run_initd() {
	"$INITD" --no-cgroup --verbose --config "$T/conf" --control "$T/control" "$@" \
		>> "$T/initd.log" 2>&1 < /dev/null &
	ipid=$!
}
gone() { ! alive "$ipid"; }
# end_initd — SIGTERM if still up; waits; $rc its status.
end_initd() {
	alive "$ipid" && kill -TERM "$ipid"
	wait_until 10 gone
	wait "$ipid"; rc=$?
	ipid=
}

new_boot escalate
guard=$T/failed-boots
cat > "$T/conf/initd.conf" <<EOC
boot_guard = { file = "$guard"; max = 2; };
EOC
testd_unit crit "--exit-after 50 --exit-code 3" 'critical = true;' 'restart = "always";' \
	'restart_delay = "50ms";' 'start_limit = { burst = 2; interval = "30s"; };'
testd_unit bystander ""

for n in 1 2; do
	: > "$T/initd.log"
	run_initd
	check "run $n: the critical unit's failure ends the run" wait_until 20 gone
	end_initd
	is "run $n: initd exited 0" "$rc" 0
	check "run $n: the failure action ran" grep -q 'crit failed: start limit hit.*: failure action reboot' "$T/initd.log"
	check "run $n: it stopped the units first" grep -q 'stopping services for exit' "$T/initd.log"
	is "run $n: the guard counted $n failed boot(s)" "$(cat "$guard")" "$n"
done

: > "$T/initd.log"
before=$(touch_count bystander)
run_initd
check "run 3: svctl answers" wait_until 5 control_answers
check "run 3: status says rescue and why" eval 'sv status | grep -q "^rescue: boot_guard: 2 failed boots in a row ($guard)"'
check "run 3: no unit started" eval '[ "$(touch_count bystander)" = "$before" ] && state_is crit stopped'
check "run 3: initd says there is no shell (not PID 1)" grep -q "no shell (the console is not initd's" "$T/initd.log"
check "run 3: svctl start still works in rescue" sv start bystander
check "run 3: bystander runs" wait_state bystander running 5
end_initd
is "run 3: the guard left the count" "$(cat "$guard")" 2

# A good boot: the count goes back to 0 once every unit settled.
rm -f "$T/conf/units/crit.unit"
echo 1 > "$guard"
: > "$T/initd.log"
run_initd
check "good run: bystander runs" wait_until 5 eval 'control_answers && state_is bystander running'
check "good run: the count is reset" wait_until 5 eval '[ "$(cat "$guard")" = 0 ]'
end_initd

# A failure long after the boot settled, among units that keep running:
# the passes since found no unit entering failed and skipped the
# escalation walk (issue 19); this one still runs its action.
new_boot late
for i in $(seq 1 20); do testd_unit "by$i" ""; done
testd_unit late "--exit-after 5000 --exit-code 3" 'on_failure = "poweroff";' 'restart = "no";'
run_initd
check "late: svctl answers" wait_until 5 control_answers
check "late: the boot settles first" eval 'timeout 10 "$SVCTL" --socket "$T/control" wait'
check "late: the late failure ends the run" wait_until 20 gone
end_initd
check "late: its failure action ran" grep -q 'late failed: .*: failure action poweroff' "$T/initd.log"

# A guard whose check cannot count (its file a directory here; on a
# machine a read-only, failing or hung data disk): the boot goes on
# without it, and a failure action's reboot goes to rescue instead, as
# with the guard's mount missing. The old code rebooted without end.
new_boot blind
guard=$T/guard-dir
mkdir "$guard"
cat > "$T/conf/initd.conf" <<EOC
boot_guard = { file = "$guard"; max = 2; };
EOC
testd_unit crit "--exit-after 50 --exit-code 3" 'critical = true;' 'restart = "no";'
run_initd
check "blind: the boot goes on without the guard" \
	wait_until 5 grep -q "boot_guard $guard: .*; booting without the guard" "$T/initd.log"
check "blind: crit's failure action goes to rescue, not a reboot" \
	wait_until 10 eval 'sv status 2>/dev/null | grep -q "^rescue: boot_guard $guard cannot count failed boots (.*): rescue, not a reboot without end"'
check "blind: initd did not end" alive "$ipid"
end_initd

# The guard's file replaced by a FIFO once this boot counted itself: the
# settle's reset and the late failure's count refuse it at once (before,
# each open blocked forever waiting for a reader, PID 1's too).
new_boot fifo
guard=$T/failed-boots
cat > "$T/conf/initd.conf" <<EOC
boot_guard = { file = "$guard"; max = 3; };
EOC
testd_unit slow "--notify-after 5000" 'type = "notify";'
testd_unit late "--exit-after 7000 --exit-code 3" 'on_failure = "reboot";' 'restart = "no";'
run_initd
check "fifo: the boot counted itself" wait_until 5 eval '[ "$(cat "$guard" 2>/dev/null)" = 1 ]'
rm -f "$guard" && mkfifo "$guard"
check "fifo: the late failure still ends the run" wait_until 20 gone
{ exec 9<> "$guard"; exec 9>&-; } 2>/dev/null   # frees a writer still blocked there
end_initd
check "fifo: the boot settled first" grep -q 'boot_guard .*: the boot settled, resetting the count' "$T/initd.log"
check "fifo: the reset refused it" grep -q "boot_guard $guard: cannot reset the count: not a regular file" "$T/initd.log"
check "fifo: so did the failure's count" grep -q "boot_guard $guard: cannot count this failed boot: not a regular file" "$T/initd.log"

# A reload that gives an already failed unit a failure action runs it at
# once, as before the escalation walk was skipped between failures: no
# other unit enters failed to wake the walk later (hours later, it would
# act "out of nowhere").
new_boot relabel
for i in $(seq 1 5); do testd_unit "by$i" ""; done
testd_unit relabel "--exit-after 300 --exit-code 3" 'restart = "no";'
run_initd
check "relabel: svctl answers" wait_until 5 control_answers
check "relabel: it fails with no action" wait_state relabel failed 10
testd_unit relabel "--exit-after 300 --exit-code 3" 'restart = "no";' 'on_failure = "poweroff";'
"$SVCTL" --socket "$T/control" reload >/dev/null 2>&1
check "relabel: the reload's new action ends the run" wait_until 10 gone
end_initd
check "relabel: its failure action ran" grep -q 'relabel failed: .*: failure action poweroff' "$T/initd.log"

# Modes, autostart, through --cmdline.
new_boot modes
testd_unit plain ""
testd_unit maint "" 'modes = [ "maint" ];'
testd_unit dflt "" 'modes = [ "default" ];'
testd_unit manual "" 'autostart = false;'
testd_unit needs_manual "" 'requires = [ "manual" ];' 'modes = [ "maint" ];'
testd_unit dflt2 "" 'requires = [ "dflt" ];' 'modes = [ "default" ];' 'on_failure = "poweroff";'
# a chain through a unit of every mode: mid fails at boot (it requires
# top, of another mode); svctl start of low starts mid again, and top
testd_unit top "" 'modes = [ "default" ];'
testd_unit mid "" 'requires = [ "top" ];'
testd_unit low "" 'requires = [ "mid" ];' 'modes = [ "default" ];' 'on_failure = "poweroff";'
echo 'BOOT_IMAGE=x initd.mode=maint initd.nonsense quiet' > "$T/cmdline"
run_initd --cmdline "$T/cmdline"
check "modes: svctl answers" wait_until 5 control_answers
check "modes: the maint unit runs" wait_state maint running 5
check "modes: a unit without modes runs" wait_state plain running 5
check "modes: the default-only unit is not started" eval 'sleep 0.3; state_is dflt stopped && [ "$(touch_count dflt)" = 0 ]'
check "modes: autostart = false is loaded, not started" eval 'state_is manual stopped && [ "$(touch_count manual)" = 0 ]'
check "modes: its dependent failed" wait_state needs_manual failed 5
check "modes: with the reason" eval 'svc_reason needs_manual | grep -q "requires manual, which has autostart = false"'
check "modes: status shows the mode" eval 'sv status | grep -q "^mode: maint$"'
check "modes: the unknown parameter is reported" grep -q 'initd.nonsense: unknown initd parameter' "$T/initd.log"
check "modes: svctl start manual" sv start manual
check "modes: manual runs" wait_state manual running 5
check "modes: svctl start needs_manual now works" sv start needs_manual
# The operator's start of a unit of another mode pulls in what it requires
# of that mode (before, it failed "is not started in mode maint", and ran
# its failure action: here a poweroff, which ended initd).
check "modes: svctl start of another mode's unit" sv start dflt2
check "modes: it runs" wait_state dflt2 running 5
check "modes: what it requires was pulled in" wait_state dflt running 5
check "modes: mid failed at boot (top is of another mode)" state_is mid failed
check "modes: svctl start low, through mid (no modes) to top (default)" sv start low
check "modes: low, mid and top run" wait_until 5 \
	eval 'state_is low running && state_is mid running && state_is top running'
check "modes: no failure action ran" eval '! grep -q "failure action" "$T/initd.log"'
end_initd
is "modes: initd exited 0" "$rc" 0
check "modes: a mode some unit names gets no warning" \
	eval '! grep -q "no unit names mode" "$T/initd.log"'

# A mode no unit names (a typo on the kernel command line): only the units
# without modes start, and the log says why the others do not.
: > "$T/initd.log"
echo 'initd.mode=mant' > "$T/cmdline"
run_initd --cmdline "$T/cmdline"
check "typo: svctl answers" wait_until 5 control_answers
check "typo: the log warns that no unit names the mode" \
	wait_until 5 grep -q 'warning: mode mant: no unit names mode mant in its modes: only units without modes start' "$T/initd.log"
check "typo: a unit without modes still runs" wait_state plain running 5
end_initd

# A failed requirement is started once more by each operator's start of a
# unit requiring it, through a unit that is stopped (not once a boot):
# failing again, it fails that start; repaired, the next start runs all.
new_boot retry
unit dep <<EOC
exec = [ "/bin/sh", "-c", "echo >> $T/dep.runs; test -e $T/ok || { sleep 0.3; exit 3; }; exec sleep 1000" ];
restart = "no";
EOC
unit mid <<EOC
exec = [ "/bin/sh", "-c", "exec sleep 1000" ];
requires = [ "dep" ];
restart = "no";
EOC
unit top <<EOC
exec = [ "/bin/sh", "-c", "exec sleep 1000" ];
requires = [ "mid" ];
restart = "no";
EOC
run_initd
check "retry: svctl answers" wait_until 5 control_answers
check "retry: dep, mid and top failed at boot" wait_until 5 \
	eval 'state_is dep failed && state_is mid failed && state_is top failed'
sv start top >/dev/null 2>&1
# dep fails 0.3 s after its start: mid and top may be running by then (they
# wait for no readiness), and end failed all the same.
check "retry: a start tries dep once more; it fails again, and top with it" \
	wait_until 5 eval '[ "$(wc -l < "$T/dep.runs")" = 2 ] && state_is top failed &&
		svc_reason top | grep -qx "dependency mid failed: dependency dep failed: exit 3"'
touch "$T/ok"
sv start top >/dev/null 2>&1
check "retry: repaired, the next start runs dep, mid and top" wait_until 5 \
	eval 'state_is dep running && state_is mid running && state_is top running'
end_initd

[ "$FAILED" -eq 0 ]
