#!/bin/bash
# t-svctl-wait.sh — start/stop/restart wait for *the units they name*
# (issue 6: "they wait until the service is ready or has failed and say
# which"), not for every unit of the system: while an unrelated notify
# service takes its time to get ready, `svctl restart web` still returns as
# soon as web is running again. `svctl wait`, by contrast, waits for
# everything and so times out here (exit 5).
#
# No wall-clock bound: slow sends READY=1 only after 60 s, far past the
# test, and each command runs with --timeout 5. A command that waited for
# slow would time out (exit 5); one that returns 0 with slow still starting
# returned without waiting for it.
. "$(dirname "$0")/lib.sh"

# took_ms CMD... — run CMD; $rc its exit code, $ms how long it took.
took_ms() {
	local t0
	t0=$(wall_us)
	"$@" > "$T/cmd.out" 2>&1
	rc=$?
	ms=$(( ($(wall_us) - t0) / 1000 ))
}

new_boot wait
testd_unit web ""
testd_unit slow "--notify-after 60000" 'type = "notify";' 'restart = "no";'
start_initd
check "web reaches running" wait_state web running 5
check "slow is starting (READY=1 only after 60s)" state_is slow starting
old=$(svc_pid web)

took_ms timeout 10 "$SVCTL" --socket "$T/control" --timeout 5 restart web
is "restart web while slow is starting: exit 0" "$rc" 0
diag "svctl restart web took ${ms} ms"
[ "$rc" = 0 ] || diag "$(cat "$T/cmd.out")"
check "restart web returned while slow is still starting (it did not wait for it)" \
	state_is slow starting
check "web runs as a new process" \
	wait_until 5 eval 'p=$(svc_pid web); [ "$p" != "$old" ] && [ "$p" != - ] && ns_alive "$p"'

took_ms timeout 10 "$SVCTL" --socket "$T/control" --timeout 5 stop web
is "stop web while slow is starting: exit 0" "$rc" 0
diag "svctl stop web took ${ms} ms"
check "stop web returned while slow is still starting" state_is slow starting
check "web is stopped" state_is web stopped

took_ms timeout 10 "$SVCTL" --socket "$T/control" --timeout 5 start web
is "start web while slow is starting: exit 0" "$rc" 0
diag "svctl start web took ${ms} ms"
check "start web returned while slow is still starting" state_is slow starting
check "web is running" state_is web running

took_ms timeout 10 "$SVCTL" --socket "$T/control" --timeout 1 wait
is "wait while slow is starting times out (exit 5)" "$rc" 5
check "slow is still starting: that is what wait waited for" state_is slow starting
check "initd still answers" sv status

stop_initd
[ "$FAILED" -eq 0 ]
