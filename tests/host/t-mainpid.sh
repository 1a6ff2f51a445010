#!/bin/bash
# t-mainpid.sh — MAINPID= (a forking daemon): type notify, it forks, the
# parent sends MAINPID=child + READY=1 and exits 0. initd follows the child
# (reparented to it), the service stays running, and killing the child
# restarts the service.
. "$(dirname "$0")/lib.sh"

new_boot mainpid
testd_unit fork "--fork-mainpid --raw-notify" 'type = "notify";' 'restart_delay = "0";'
start_initd

check "fork reaches running" wait_state fork running 5
child=$(touch_pid fork)
check "svctl shows the child ($child) as the main process" \
	wait_until 3 eval '[ "$(svc_pid fork)" = "$child" ]'
check "the child is alive" ns_alive "$child"
sleep 0.3
check "fork is still running after its parent exited" state_is fork running
is "fork: RESTARTS 0" "$(svc_restarts fork)" 0
check "the child was reparented to initd (PPid 1)" \
	eval '[ "$(in_ns awk "/^PPid:/{print \$2}" /proc/$child/status)" = 1 ]'
in_ns kill -KILL "$child"
again() { local p; p=$(svc_pid fork); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$child" ] && state_is fork running; }
check "killing the MAINPID process restarts the service" wait_until 5 again
check "the reason is the child's death" eval 'svc_line fork | grep -q "signal KILL"'

stop_initd
[ "$FAILED" -eq 0 ]
