#!/bin/bash
# t-svctl-exit.sh — initd *not* as PID 1 (doc/DESIGN.md §1: under another init, the
# same control plane; on SIGTERM it stops its services and exits), driven
# through every kind of control traffic, then ended while clients are still
# in every state: a `logs -f` follower attached, a `start` waiting for a
# service that never gets ready, a client stalled mid-request, an idle one.
# initd must stop its services and exit 0. Under SANITIZE=1 (the san tier)
# this is where LeakSanitizer sees initd's heap at a normal exit: a leak of
# a client buffer, a follower, a deferred request or a reloaded model fails
# the test (its report is in initd's log, which tests/san.sh scans too).
#
# No namespace: initd runs as a child of this script, its services are
# host processes; every one of them is killed by PID if initd fails to.
. "$(dirname "$0")/lib.sh"

CLIENTS=$(dirname "$0")/ctl_clients.py
PLAIN_PID=

plain_cleanup() {
	local f p
	[ -n "$PLAIN_PID" ] && alive "$PLAIN_PID" && kill -KILL "$PLAIN_PID" 2>/dev/null
	for f in "$T"/*.touch; do
		[ -f "$f" ] || continue
		for p in $(cut -d' ' -f1 "$f"); do
			# Only our testd (its command line names this boot's files).
			grep -qs "$T/" "/proc/$p/cmdline" && kill -KILL "$p" 2>/dev/null
		done
	done
	return 0
}
trap 'plain_cleanup; kill_initd' EXIT

new_boot exit
testd_unit web "--print-every 50"
testd_unit db ""
# Not as PID 1: no unshare. --no-cgroup: never touches the host's tree.
"$INITD" --no-cgroup --no-mounts --verbose --config "$T/conf" --control "$T/control" \
	> "$T/initd.log" 2>&1 < /dev/null &
PLAIN_PID=$!
BOOT_OK=0
if wait_until 5 control_answers; then
	BOOT_OK=1
else
	not_ok "initd (not PID 1) answers on its control socket"
	dump_log
fi
check "web and db reach running" wait_until 5 eval 'state_is web running && state_is db running'
host_alive() { [ -n "$1" ] && [ "$1" != - ] && alive "$1"; }
web=$(svc_pid web) db=$(svc_pid db)
check "web ($web) is a live host process" host_alive "$web"

# ---- every kind of traffic --------------------------------------------------------
check "status" sv status
check "list" sv list
check "--json status" sv --json status
check "restart db" sv restart db
check "stop db" sv stop db
check "start db" sv start db
check "kill web HUP, it comes back" eval 'sv kill web HUP &&
	wait_until 5 eval "p=\$(svc_pid web); [ \"\$p\" != \"$web\" ] && [ \"\$p\" != - ]"'
check "logs -n 3 (once web has printed that much)" wait_until 5 eval '[ "$(sv logs web -n 3 | wc -l)" = 3 ]'
check "wait" sv wait
sv status nope > /dev/null 2>&1; rc=$?
is "status of an unknown unit exits 3" "$rc" 3
for m in zero short-header short-payload garbage oversized; do
	timeout 10 python3 "$CLIENTS" "$m" "$T/control" > /dev/null 2>&1
done
check "status after bad clients" sv status
res=$(timeout 30 python3 "$CLIENTS" flood "$T/control" 80 2>/dev/null)
check "80 clients at once: all answered or refused ($res)" eval '[[ "$res" == *other=0 ]]'
testd_unit extra ""
check "reload (a unit added)" sv reload
check "extra starts" wait_state extra running 5
rm "$T/conf/units/extra.unit"
check "reload (a unit removed)" sv reload

# ---- clients left in every state at exit ------------------------------------------------
# slow never gets ready: added now, so that it does not hold up the
# start/stop requests above (they wait for the manager to settle).
testd_unit slow "--notify-after 60000" 'type = "notify";' 'restart = "no";'
# (a reload answers once the set is loaded, never waiting for slow's 60 s;
# 20 s for a sanitizer build's loader on a busy machine)
check "reload (slow added)" timeout 30 "$SVCTL" --socket "$T/control" --timeout 20 reload
"$SVCTL" --socket "$T/control" logs -f web > "$T/follow.out" 2> "$T/follow.err" &
follow=$!
"$SVCTL" --socket "$T/control" start slow > "$T/start-slow.out" 2>&1 &
starter=$!
timeout 20 python3 "$CLIENTS" stall "$T/control" 15 > /dev/null 2>&1 &
stall=$!
timeout 20 python3 "$CLIENTS" idle "$T/control" 15 > /dev/null 2>&1 &
idle=$!
check "the follower streams" wait_until 5 eval '[ "$(wc -l < "$T/follow.out")" -ge 3 ]'
check "slow is starting (its start request is deferred)" wait_state slow starting 5

kill -TERM "$PLAIN_PID"
t0=$(wall_us)
wait "$PLAIN_PID"; rc=$?
t1=$(wall_us)
PLAIN_PID=
is "SIGTERM: initd exits 0" "$rc" 0
check "SIGTERM: it exited within 10s ($(( (t1 - t0) / 1000 ))ms)" eval '[ $(( t1 - t0 )) -lt 10000000 ]'
check "SIGTERM: web and db were stopped" eval '! host_alive "$(touch_pid web)" && ! host_alive "$(touch_pid db)"'
check "SIGTERM: the control socket is removed" test ! -e "$T/control"
wait "$follow"; frc=$?
# The stream's end is no success: it ended silently with exit 0, as if
# the unit had nothing more to say. svctl(8): 5, initd cannot be reached.
is "the follower saw the end: exit 5, initd gone" "$frc" 5
check "the follower said so on stderr ($(head -c 200 "$T/follow.err"))" \
	grep -q '^svctl: logs: initd closed the connection' "$T/follow.err"
wait "$starter"; src=$?
check "the deferred start ended with an error (exit $src)" eval '[ "$src" != 0 ] && [ "$src" -lt 128 ]'
wait "$stall" "$idle"
check "initd's log has no sanitizer report" \
	eval '! grep -E "Sanitizer|runtime error" "$T/initd.log"'

BOOT_OK=0
[ "$FAILED" -eq 0 ]
