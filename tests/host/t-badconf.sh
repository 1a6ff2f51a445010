#!/bin/bash
# t-badconf.sh — one bad unit never stops the rest from booting (doc/DESIGN.md §4):
# it shows as bad-config with its message, the good units run, and a unit
# that requires the bad one is never started (no process ever wrote its
# --touch file).
. "$(dirname "$0")/lib.sh"

all_running() {
	local n
	for n in "$@"; do state_is "$n" running || return 1; done
}

new_boot badconf
testd_unit good1 ""
testd_unit good2 ""
testd_unit needsbad "" 'requires = [ "bad" ];'
# bad.unit would run testd too, but line 3 is an unknown key.
testd_unit bad "" 'frobnicate = 1;'
# Mistakes that left a group half-filled in a bad unit (a seccomp list
# with no filter, a probe kind with no target), which PID 1 refused in
# the whole model: no unit started at all.
testd_unit badsc "" 'seccomp = { default = "kill"; };'
testd_unit badsc2 "" 'seccomp = { default = "errno"; errno = "EPRM"; };'
testd_unit badprobe "" 'health = { exec = "x"; };'
testd_unit badtcp "" 'ready = { tcp = "localhost:ms"; };'
testd_unit badio "" 'cgroup = { io = { max = ( ); }; };'
# A file name that is no unit name, with a newline and an ESC in it: initd's
# log says so on one line, "FILE: message" (no line applies), cleaned; the
# old code forged a record "x: forged" and cleared the console.
echo 'exec = [ "/bin/true" ];' > "$T/conf/units/evil"$'\n''x: forged'$'\e''[2J.unit'
# A unit file that is no regular file: an error on the file, no line of it.
mkfifo "$T/conf/units/fifo.unit"
start_initd

check "good1 and good2 reach running" wait_until 5 all_running good1 good2
check "good1 is a live testd" ns_alive "$(svc_pid good1)"
check "good2 is a live testd" ns_alive "$(svc_pid good2)"
check "bad is bad-config" wait_state bad bad-config 3
# The message may sit on a continuation line below the unit's row.
check "svctl status bad gives the error (bad.unit:3)" \
	eval 'sv status bad | grep -Eq "bad\.unit:3:"'
check "bad never ran" test ! -e "$T/bad.touch"
# svctl status said "fifo.unit:0: not a regular file": there is no line 0.
check "svctl status fifo names the file without a line: 'fifo.unit: not a regular file'" \
	eval 'sv status fifo | grep -q "/fifo\.unit: not a regular file"'
for b in badsc badsc2 badprobe badtcp badio; do
	check "$b is bad-config, the rest runs" wait_state "$b" bad-config 3
done

check "evil: initd's log names the file, cleaned, without a line number" \
	grep -q "/units/evil?x: forged?\[2J\.unit: invalid unit name" "$T/initd.log"
check "evil: its name forges no record of its own" eval '! grep -q "^x: forged" "$T/initd.log"'
check "evil: no ESC reaches the console" eval '! grep -q $'"'"'\e'"'"' "$T/initd.log"'

# Give initd time to (wrongly) start needsbad, then look.
sleep 0.5
state=$(svc_state needsbad)
check "needsbad is not running (state '$state')" \
	eval 'case "$state" in running|starting|"") false;; esac'
check "needsbad has no PID" eval '[ "$(svc_pid needsbad)" = - ]'
check "needsbad never ran" test ! -e "$T/needsbad.touch"

stop_initd
[ "$FAILED" -eq 0 ]
