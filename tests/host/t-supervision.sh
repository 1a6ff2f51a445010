#!/bin/bash
# t-supervision.sh — supervision semantics real daemons hit (issue 12):
#   redis   type = "notify", but it forks and the parent exits 0 (testd
#           --daemonize: the child never sends READY=1): a failure, "exited
#           before ready", within its start limit, not a restart loop
#   web     requires redis: fails with redis's reason; `svctl wait` returns
. "$(dirname "$0")/lib.sh"

new_boot supervision
testd_unit redis "--daemonize --exit-after 3000" 'type = "notify";' 'restart_delay = "50ms";' \
	'start_limit = { burst = 3; interval = "30s"; };'
testd_unit web "" 'requires = [ "redis" ];'
start_initd

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
check "svctl wait returns" sv wait

stop_initd
[ "$FAILED" -eq 0 ]
