#!/bin/bash
# t-svctl-clients.sh — clients that misbehave never disturb the others
# (doc/DESIGN.md §9): zero-length, truncated, garbage, oversized, stalled and idle
# connections are dropped (the stalled and idle ones after the idle
# timeout, 5s) while `svctl status` keeps answering (while the stalled
# ones are still connected: it did not wait for them); 100 clients at
# the same time are each answered or cleanly refused with EUSERS, and
# initd is unharmed: same PID 1, services untouched, fd count back to what
# it was.
. "$(dirname "$0")/lib.sh"

CLIENTS=$(dirname "$0")/ctl_clients.py
client() { timeout 30 python3 "$CLIENTS" "$1" "$T/control" "${@:2}"; }

# status_ok NAME — check NAME: svctl status answers. Its bound is sv's own
# timeout (5 s): a PID 1 that stopped answering fails, a slow one (the
# sanitizer tier on a busy host) does not; the time it took is printed.
status_ms=0
timed_status() {
	local t0
	t0=$(wall_us)
	sv status > /dev/null
	local rc=$?
	status_ms=$(( ($(wall_us) - t0) / 1000 ))
	return $rc
}
status_ok() {
	timed_status
	is "$1" "$?" 0
	diag "svctl status took ${status_ms} ms"
}

initd_fds() { ls "/proc/$INITD_HPID/fd" | wc -l; }

new_boot clients
testd_unit web "--print-every 200"
testd_unit db ""
testd_unit late "" "autostart = false;"
# No fd at 64 or above for initd to inherit (one a harness leaked): the
# fd-window check below needs initd to start with a small table.
for f in /proc/$$/fd/*; do
	n=${f##*/}
	[ "$n" -ge 64 ] && [ "$n" != 255 ] && eval "exec $n>&-"
done
start_initd
check "web and db reach running" wait_until 5 eval 'state_is web running && state_is db running'
web=$(svc_pid web) db=$(svc_pid db)

# ---- a spawn while clients hold initd's highest fds ---------------------------------------
# 50 clients answered, the first 40 gone: initd's highest fds (~60-75) are
# the last 10's, above a hole where the spawn's own pipes land. The
# service's fd table is a copy of the one it was forked with, for its
# life: it must come through spawn.c's fd window (64 slots), not be a copy
# of initd's (128), so the window must see those clients' fds too.
rm -f "$T/holes.done"
client holes 50 10 "$T/holes.done" > "$T/holes.out" 2>&1 &
holes_pid=$!
top0=$(ls "/proc/$INITD_HPID/fd" | sort -n | tail -n 1)
check "precondition: initd's highest fd before the clients is below 64 ($top0)" test "$top0" -lt 64
if wait_until 20 grep -qx ready "$T/holes.out"; then
	top=$(ls "/proc/$INITD_HPID/fd" | sort -n | tail -n 1)
	diag "initd's highest fd with the clients: $top"
	sv start late > /dev/null 2>&1
	check "late starts while the clients hold initd's top fds" wait_state late running 5
	pid=$(svc_pid late)
	fdsize=$(in_ns awk '/^FDSize:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	check "late's fd table is not a copy of initd's (FDSize ${fdsize:-?}, initd's top fd $top)" \
		eval '[ "$top" -ge 64 ] && [ "${fdsize:-9999}" -le 64 ]'
else
	not_ok "50 clients answered, 40 closed" "$(cat "$T/holes.out")"
fi
touch "$T/holes.done"
wait "$holes_pid"

sleep 0.5     # let boot's transient fds (the unit loader's) close
fds0=$(initd_fds)

# Two clients that hold their connection without completing a request;
# each creates its .in file once it is connected (and has sent its bytes).
rm -f "$T/stall.in" "$T/idle.in"
client stall 12 "$T/stall.in" > "$T/stall.out" 2>&1 &
stall_pid=$!
client idle 12 "$T/idle.in" > "$T/idle.out" 2>&1 &
idle_pid=$!
check "the stalling and the idle client are connected" \
	wait_until 10 eval 'test -e "$T/stall.in" && test -e "$T/idle.in"'
status_ok "status answers while a client stalls mid-header and another idles"
# They print their line when initd drops them (at its 5 s idle timeout):
# still silent now, so status was answered without waiting for them.
check "... before initd dropped either of them" \
	eval '[ ! -s "$T/stall.out" ] && [ ! -s "$T/idle.out" ]'

is "a zero-length client is closed" "$(client zero)" closed
status_ok "status answers after a zero-length client"
is "a client that sends half a header is closed" "$(client short-header)" closed
is "a client that sends half a payload is closed" "$(client short-payload)" closed
status_ok "status answers after truncated clients"
is "garbage gets EBADMSG and the connection is closed" "$(client garbage)" "error 74 closed"
is "an oversized request gets EMSGSIZE and is closed" "$(client oversized)" "error 90 closed"
status_ok "status answers after garbage and oversized clients"
burst_rc=0 slowest=0
for i in 1 2 3 4 5; do
	client zero > /dev/null; client short-payload > /dev/null; client garbage > /dev/null
	timed_status || { burst_rc=1; break; }
	[ "$status_ms" -gt "$slowest" ] && slowest=$status_ms
done
is "status answers amid a burst of bad clients (5 rounds)" "$burst_rc" 0
diag "slowest svctl status in the burst: ${slowest} ms"

wait "$stall_pid"
wait "$idle_pid"
dropped_in_time() {
	local s
	s=$(sed -n 's/^dropped after //p' "$1")
	[ -n "$s" ] && awk -v s="$s" 'BEGIN { exit !(s >= 3.5 && s <= 8) }'
}
check "a stalled client is dropped after the idle timeout ($(cat "$T/stall.out"))" \
	dropped_in_time "$T/stall.out"
check "an idle client is dropped after the idle timeout ($(cat "$T/idle.out"))" \
	dropped_in_time "$T/idle.out"
status_ok "status answers after the stalled clients went"

# ---- 100 at once ------------------------------------------------------------------------
res=$(client flood 100 2> "$T/flood.err")
diag "100 raw clients: $res"
check "100 raw clients: each answered or refused with EUSERS ($res)" \
	eval '[[ "$res" =~ ^ok=([0-9]+)\ eusers=([0-9]+)\ other=0$ ]] &&
	      [ $(( BASH_REMATCH[1] + BASH_REMATCH[2] )) = 100 ] && [ "${BASH_REMATCH[1]}" -ge 1 ]'
status_ok "status answers after 100 raw clients"

# 100 svctl processes at once: exit 0, or 5 with initd's "too many" message.
mkdir -p "$T/many"
many=
for i in $(seq 100); do
	( timeout 20 "$SVCTL" --socket "$T/control" status > "$T/many/$i.out" 2> "$T/many/$i.err"
	  echo $? > "$T/many/$i.rc" ) &
	many="$many $!"
done
wait $many    # not a bare `wait`: that would wait for unshare too
n_ok=0 n_refused=0 n_other=0
for i in $(seq 100); do
	rc=$(cat "$T/many/$i.rc")
	if [ "$rc" = 0 ] && grep -q '^web ' "$T/many/$i.out"; then
		n_ok=$((n_ok + 1))
	elif [ "$rc" = 5 ] && grep -q "too many control clients" "$T/many/$i.err"; then
		n_refused=$((n_refused + 1))
	else
		n_other=$((n_other + 1))
		diag "svctl #$i exited $rc: $(cat "$T/many/$i.err")"
	fi
done
diag "100 svctl processes: $n_ok answered, $n_refused refused"
check "100 concurrent svctl status: all answered or cleanly refused ($n_ok + $n_refused)" \
	eval '[ "$n_other" = 0 ] && [ "$n_ok" -ge 1 ]'
status_ok "status answers after 100 svctl processes"

# ---- initd is unharmed ------------------------------------------------------------------------
check "initd is still PID 1 of the namespace" eval 'alive "$INITD_HPID" && [ "$(ns_stat 1 | cut -d" " -f3)" = initd ]'
check "web and db were not disturbed (same PIDs)" \
	eval '[ "$(svc_pid web)" = "$web" ] && [ "$(svc_pid db)" = "$db" ] && ns_alive "$web" && ns_alive "$db"'
# No more than at boot (a transient fd of boot, e.g. the loader's, may be
# gone by now): every client's socket was closed.
check "initd's fd count is back to at most $fds0" wait_until 8 eval '[ "$(initd_fds)" -le "$fds0" ]' ||
	diag "initd's fds now: $(ls -l "/proc/$INITD_HPID/fd" | tail -n +2 | sed 's/.* -> //' | sort | uniq -c | tr '\n' ' ')"
check "initd logged no sanitizer report" eval '! grep -qE "Sanitizer|runtime error" "$T/initd.log"'


stop_initd
[ "$FAILED" -eq 0 ]
