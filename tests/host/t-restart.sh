#!/bin/bash
# t-restart.sh — restart policy and start limit, checked against the kernel:
#   k      restart = "on-failure": SIGKILLed, it comes back as a new process
#   once   restart = "no": exits 3 and stays down
#   loop   restart = "always", crashes (SIGSEGV) every 100ms: after
#          start_limit.burst starts it is failed and never started again
. "$(dirname "$0")/lib.sh"

new_boot restart
testd_unit k "" 'restart = "on-failure";' 'restart_delay = "100ms";'
testd_unit once "--exit-after 300 --exit-code 3" 'restart = "no";'
testd_unit loop "--crash-after 100" 'restart = "always";' \
	'restart_delay = "50ms";' 'restart_delay_max = "100ms";' \
	'start_limit = { burst = 3; interval = "30s"; };'
start_initd

# --- SIGKILL -> a new process, RESTARTS 1
check "k reaches running" wait_state k running 5
old=$(svc_pid k)
check "k ($old) is a live testd" ns_alive "$old"
# Its touch line (written after exec, "running") before it is killed: the
# count of starts below needs the first one's.
check "k wrote its touch file" wait_until 5 touched k
in_ns kill -KILL "$old" 2>/dev/null
new_pid() { local p; p=$(svc_pid k); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$old" ] && state_is k running; }
check "k is running again with a new PID after SIGKILL" wait_until 5 new_pid
new=$(svc_pid k)
check "k: the old process ($old) is gone" ns_gone "$old"
check "k: the new PID ($new) is a live testd" ns_alive "$new"
# running at exec, the touch line written after it: polled
check "k: the new process is the second start" wait_until 5 \
	eval '[ "$(touch_count k)" = 2 ] && [ "$(touch_pid k)" = "$new" ]'
is "k: RESTARTS is 1" "$(svc_restarts k)" 1

# --- restart = "no": exits and stays down
down() { local s; s=$(svc_state once); case "$s" in running|starting|restarting|"") return 1;; esac; }
check "once leaves running after it exits" wait_until 5 down
sleep 0.5
check "once was started exactly once" eval '[ "$(touch_count once)" = 1 ]'
check "once exited with code 3 (its log)" log_has once 'exiting with code 3'
check "once has no PID" eval '[ "$(svc_pid once)" = - ]'
check "once is not a process any more" ns_gone "$(touch_pid once)"
check "once: status records exit code 3" \
	eval 'svc_reason once | grep -qw 3'

# --- crash loop -> failed after the start limit
check "loop ends failed" wait_state loop failed 10
n=$(touch_count loop)
check "loop was started burst = 3 times (started $n)" eval '[ "$n" = 3 ]'
check "loop crashed by SIGSEGV each time (its log)" \
	eval '[ "$(grep -c " crashing$" "$T/loop.log")" = "$n" ]'
sleep 0.5
check "loop stays failed and is not started again" \
	eval 'state_is loop failed && [ "$(touch_count loop)" = "$n" ]'
check "loop has no PID" eval '[ "$(svc_pid loop)" = - ]'
check "loop: status names SIGSEGV" eval 'svc_line loop | grep -Eq "SEGV|signal 11"'

# --- svctl restart is a fresh start each time: six in a row never hit
# the start limit (burst 5 by default; it failed the unit, and ran its
# failure action)
for i in 1 2 3 4 5 6; do
	sv restart k >/dev/null; rc=$?
	[ "$rc" = 0 ] || break
done
is "six svctl restart k in a row: exit 0" "$rc" 0
check "k runs after them" state_is k running

stop_initd
[ "$FAILED" -eq 0 ]
