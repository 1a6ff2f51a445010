#!/bin/bash
# t-supervision.sh — supervision semantics real daemons hit (issue 12):
#   redis   type = "notify", but it forks and the parent exits 0 (testd
#           --daemonize: the child never sends READY=1): a failure, "exited
#           before ready", within its start limit, not a restart loop
#   web     requires redis: fails with redis's reason; `svctl wait` returns
#   silent  notify, never READY=1: stopped at its start timeout, restarted,
#           then failed at its start limit
#   hang    oneshot that never ends: start timeout, restart = "no": failed
#   stubborn  notify that ignores SIGTERM: the start timeout's stop goes on
#           to a kill at the stop timeout, the reason stays the start timeout
#   after   requires hang: fails with the start timeout as its reason
#   drop    exits 1 on SIGTERM (dropbear) with success_exit = ( 1 ): a TERM
#           it gets is a clean exit, not restarted
#   plain   the same without success_exit: exit 1 is a failure, restarted
#   again   svctl start while its start timeout's stop is under way: it
#           comes back once down, a fresh start (restart = "no" would end it)
#   op      an operator's stop reads "stopped by svctl", not a signal
. "$(dirname "$0")/lib.sh"

new_boot supervision
testd_unit redis "--daemonize --exit-after 3000" 'type = "notify";' 'restart_delay = "50ms";' \
	'start_limit = { burst = 3; interval = "30s"; };'
testd_unit web "" 'requires = [ "redis" ];'
testd_unit silent "" 'type = "notify";' 'start_timeout = "300ms";' 'restart_delay = "0";' \
	'start_limit = { burst = 2; interval = "30s"; };'
testd_unit hang "" 'type = "oneshot";' 'start_timeout = "300ms";' 'restart = "no";'
testd_unit stubborn "--ignore-term" 'type = "notify";' 'start_timeout = "300ms";' \
	'restart = "no";' 'stop = { signal = "TERM"; timeout = "300ms"; };'
testd_unit after "" 'requires = [ "hang" ];'
testd_unit drop "--term-exit 1" 'success_exit = ( 1, "HUP" );'
testd_unit plain "--term-exit 1" 'restart_delay = "0";'
testd_unit op ""
testd_unit again "--term-delay 3000" 'type = "notify";' 'start_timeout = "500ms";' 'restart = "no";'
start_initd

# ---- a start during a failing stop ---------------------------------------------
check "again: stopping at its start timeout (TERM takes it 3 s)" wait_state again stopping 5
sv start --no-wait again > /dev/null; rc=$?
is "again: svctl start --no-wait meanwhile: exit 0" "$rc" 0
check "again: started once more once down" wait_until 10 eval '[ "$(touch_count again)" = 2 ]'
check "again: then fails at its second start timeout, not started a third time" \
	eval 'wait_state again failed 10 && [ "$(touch_count again)" = 2 ]'
check "again: the reason is its start timeout" eval '[ "$(svc_reason again)" = "start timeout (500ms)" ]'

# ---- exit before READY=1 ----------------------------------------------------
check "redis ends failed (its start limit, not a loop)" wait_state redis failed 15
check "redis: the reason says it exited before ready" \
	eval 'svc_reason redis | grep -q "exited before ready: exit 0"'
check "redis was started at most burst (3) times" eval '[ "$(touch_count redis)" -le 3 ]'
check "redis: RESTARTS counts its restarts" eval '[ "$(svc_restarts redis)" -ge 1 ]'
check "web fails" wait_state web failed 5
check "web: the reason names redis and why it failed" \
	eval 'svc_reason web | grep -q "dependency redis failed: .*exited before ready"'
check "web never started" eval '[ "$(touch_count web)" = 0 ]'

# ---- start timeout ----------------------------------------------------------
check "silent ends failed at its start limit" wait_state silent failed 10
check "silent: the reason is the start limit, last the start timeout" \
	eval 'svc_reason silent | grep -q "start limit hit.*last: start timeout (300ms)"'
check "silent was restarted after its start timeout" eval '[ "$(svc_restarts silent)" -ge 1 ]'
check "hang ends failed" wait_state hang failed 5
check "hang: the reason is its start timeout" eval '[ "$(svc_reason hang)" = "start timeout (300ms)" ]'
check "hang: its process is gone" testd_gone hang
check "stubborn ends failed" wait_state stubborn failed 5
check "stubborn: the reason is still its start timeout" \
	eval '[ "$(svc_reason stubborn)" = "start timeout (300ms)" ]'
check "stubborn: its process is gone (killed: it ignores TERM)" testd_gone stubborn
check "after fails with hang's start timeout" \
	eval 'svc_reason after | grep -q "dependency hang failed: start timeout (300ms)"'
check "svctl wait returns" sv wait


# ---- success_exit -------------------------------------------------------------
check "drop runs" wait_state drop running 5
check "plain runs" wait_state plain running 5
# testd exits 1 on SIGTERM (--term-exit) once its touch line is there
check "drop and plain are set up (their touch lines)" wait_until 5 eval 'touched drop && touched plain'
sv kill drop TERM >/dev/null
sv kill plain TERM >/dev/null
check "drop: exit 1 after TERM is clean: exited" wait_state drop exited 5
check "drop: not restarted" eval '[ "$(svc_restarts drop)" = 0 ] && [ "$(touch_count drop)" = 1 ]'
check "drop: the reason is its exit" eval '[ "$(svc_reason drop)" = "exit 1" ]'
restarted() { [ "$(svc_restarts plain)" -ge 1 ] 2>/dev/null; }
check "plain: exit 1 is a failure: restarted" wait_until 5 restarted

# ---- an operator's stop --------------------------------------------------------
check "op runs" wait_state op running 5
# its touch line (written after exec) names the process checked below
check "op wrote its touch file" wait_until 5 touched op
sv stop op >/dev/null
check "op is stopped" wait_state op stopped 5
check "op: the reason says svctl stopped it" eval '[ "$(svc_reason op)" = "stopped by svctl" ]'
check "op: its process is gone" ns_gone "$(touch_pid op)"
sv start op >/dev/null
check "op runs again" wait_state op running 5
first=$(svc_pid op)
sv restart op >/dev/null
check "op runs again after svctl restart, a new process" \
	eval '[ "$(svc_state op)" = running ] && [ "$(svc_pid op)" != "$first" ]'
check "op: after svctl restart the reason says svctl restarted it, RESTARTS stays 0" \
	eval '[ "$(svc_reason op)" = "restarted by svctl" ] && [ "$(svc_restarts op)" = 0 ]'

stop_initd
[ "$FAILED" -eq 0 ]
