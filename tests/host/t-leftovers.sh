#!/bin/bash
# t-leftovers.sh — without cgroups (this tier's --no-cgroup, a container
# without cgroup2), what a main process leaves in the process group it
# leads goes with it, as cgroup.kill takes a leaf's leftovers
# (doc/DESIGN.md §6): a `yes` a shell started kept running (and its output
# kept PID 1 busy) after `svctl stop` ended the shell, and a oneshot's
# background child outlived the unit.
#   shell   sh runs yes in the background, then waits: svctl stop ends sh
#   once    a oneshot whose background sleep outlives its exit 0
#   own     its child leaves the group (setsid): not the unit's to kill
. "$(dirname "$0")/lib.sh"

new_boot leftovers
unit shell <<EOF2
exec = [ "/bin/sh", "-c", "yes > /dev/null & echo \$! > $T/yes.pid; wait" ];
EOF2
unit once <<EOF2
type = "oneshot";
exec = [ "/bin/sh", "-c", "sleep 1000 & echo \$! > $T/sleep.pid" ];
EOF2
unit own <<EOF2
exec = [ "/bin/sh", "-c", "setsid sleep 1001 & echo \$! > $T/own.pid; wait" ];
EOF2
start_initd
check "shell runs, its yes started" wait_until 5 eval 'state_is shell running && test -s "$T/yes.pid"'
check "own runs, its setsid sleep started" wait_until 5 eval 'state_is own running && test -s "$T/own.pid"'
yes_pid=$(cat "$T/yes.pid")
check "yes is alive" ns_alive "$yes_pid" yes
sv stop shell > /dev/null
check "shell is stopped" state_is shell stopped
check "the yes it left is gone with it" wait_until 3 eval '! ns_alive "$yes_pid" yes'

check "once exited" wait_state once exited 5
sleep_pid=$(cat "$T/sleep.pid")
check "the sleep its exit left is gone" wait_until 3 eval '! ns_alive "$sleep_pid" sleep'

own_pid=$(cat "$T/own.pid")
sv stop own > /dev/null
check "own is stopped" state_is own stopped
check "the sleep that left its group still runs" ns_alive "$own_pid" sleep
in_ns kill -KILL "$own_pid" "$yes_pid" "$sleep_pid" 2>/dev/null
stop_initd
[ "$FAILED" -eq 0 ]
