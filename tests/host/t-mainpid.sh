#!/bin/bash
# t-mainpid.sh — MAINPID= (a forking daemon): type notify, it forks, the
# parent sends MAINPID=child + READY=1 and exits 0. initd follows the child
# (reparented to it), the service stays running, and killing the child
# restarts the service. Then the MAINPID= a service may not name.
. "$(dirname "$0")/lib.sh"

new_boot mainpid
testd_unit fork "--fork-mainpid --raw-notify" 'type = "notify";' 'restart_delay = "0";'
start_initd

check "fork reaches running" wait_state fork running 5
# The child writes its touch line on its own, unordered with the parent's
# READY=1 that made the unit running.
check "fork's child wrote its touch file" wait_until 5 touched fork
child=$(touch_pid fork)
check "svctl shows the child ($child) as the main process" \
	wait_until 3 eval '[ "$(svc_pid fork)" = "$child" ]'
check "the child is alive" ns_alive "$child"
sleep 0.3
check "fork is still running after its parent exited" state_is fork running
is "fork: RESTARTS 0" "$(svc_restarts fork)" 0
check "the child was reparented to initd (PPid 1)" \
	eval '[ "$(in_ns awk "/^PPid:/{print \$2}" /proc/$child/status)" = 1 ]'
# initd reaps what it follows by pidfd, and the rest by a walk of its
# children at a SIGCHLD (at once; at scale within 100 ms of the last walk):
# whether the parent ended before or after its MAINPID= was read, it is
# reaped, not left a zombie.
check "the parent that handed over was reaped (no zombie)" \
	wait_until 3 eval '[ -z "$(ns_zombies)" ]'
in_ns kill -KILL "$child"
again() { local p; p=$(svc_pid fork); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$child" ] && state_is fork running; }
check "killing the MAINPID process restarts the service" wait_until 5 again
check "the reason is the child's death" eval 'svc_line fork | grep -q "signal KILL"'

stop_initd

# The hand-over's datagram behind more than initd reads per wakeup (64),
# and the parent already ended when initd looks: initd stopped (SIGSTOP
# from here) while the parent floods, names its child and exits. The
# parent's pidfd and the socket are then ready together. initd must read
# every datagram queued before it reaps the parent: else its exit counts
# first ("exited before ready") or, without cgroups, its MAINPID= is
# refused (believed by the sender's /proc entry, gone once reaped). The socket
# holds the flood in a net namespace of initd's own whose
# net.unix.max_dgram_qlen is 512 (as systemd sets it; the kernel's 10
# would block the parent).
# handover_boot NAME TESTD_ARGS: a boot whose one unit NAME waits for
# $T/go; initd is stopped while its parent floods and hands over (and,
# with --chain-mainpid, its child hands over again), then continued.
handover_boot() {
	local hb_unit=$1 args=$2 parent
	new_boot "$hb_unit"
	testd_unit "$hb_unit" "$args --notify-flood 150 --handover-after $T/go --raw-notify" \
		'type = "notify";'
	INITD_PRE='exec unshare --net -- /bin/sh -ec "echo 512 > /proc/sys/net/unix/max_dgram_qlen; exec \"\$@\"" sh "$@"' \
		start_initd
	check "$hb_unit: starting, its parent waiting for the go" wait_state "$hb_unit" starting 5
	parent=$(svc_pid "$hb_unit")
	kill -STOP "$INITD_HPID"
	stopped() { [ "$(sed 's/.*) //' "/proc/$INITD_HPID/stat" | cut -d' ' -f1)" = T ]; }
	check "$hb_unit: initd stopped" wait_until 5 stopped
	touch "$T/go"
	ended() { [ "$(ns_stat "$parent" | cut -d' ' -f1)" = Z ]; }
	check "$hb_unit: the parent ended while initd was stopped" wait_until 10 ended
	case $args in *--chain-mainpid*)
		check "$hb_unit: the second hand-over was sent while initd was stopped" \
			wait_until 10 test -e "$T/go.sent" ;;
	esac
	kill -CONT "$INITD_HPID"
	followed() { [ -n "$(touch_pid "$hb_unit")" ] && [ "$(svc_pid "$hb_unit")" = "$(touch_pid "$hb_unit")" ] &&
		state_is "$hb_unit" running; }
	check "$hb_unit: the process named last is followed" wait_until 5 followed
	check "$hb_unit: no MAINPID= was refused" eval '! grep -q "MAINPID=.* ignored" "$T/initd.log"'
	check "$hb_unit: the parent's exit counted after its MAINPID= and READY=1" \
		eval '! grep -q "exited before ready" "$T/initd.log"'
	is "$hb_unit: RESTARTS 0" "$(svc_restarts "$hb_unit")" 0
	stop_initd
}
handover_boot flood "--fork-mainpid"
# Two hand-overs in the same read: the parent names its child, which names
# its own child once the parent is gone. The newest pidfd may take the
# number of the parent's: initd must still see that the process whose end
# it was told of is no longer the unit's main one.
handover_boot chain "--fork-mainpid --chain-mainpid"

# A hostile MAINPID= without cgroups: PID 1 (initd itself here) and another
# unit's main process are refused with a warning; stopping the service then
# signals its own process, never initd nor the other unit. A daemon that
# double-forks (its middle process exits, so the grandchild is reparented to
# initd) still names its real main process.
new_boot hostile
testd_unit victim ""
testd_unit pid1 "--mainpid 1 --raw-notify" 'type = "notify";'
testd_unit other "--mainpid @$T/victim.touch --raw-notify" 'type = "notify";' 'after = [ "victim" ];'
testd_unit dfork "--double-fork-mainpid --raw-notify" 'type = "notify";'
testd_unit parent "--orphans 1 --orphan-sleep 30000"
testd_unit thief "--mainpid @$T/orphan.pid --raw-notify" 'type = "notify";'
start_initd
# parent's orphan is reparented to initd, as a double-forked daemon's is,
# but it is in parent's session: thief may not claim it.
wait_until 5 log_has parent "made 1 orphans"
orphan=$(awk '$3 == "orphan" { print $4 }' "$T/parent.log")
echo "$orphan" > "$T/orphan.pid"

for u in victim pid1 other dfork thief; do
	check "$u reaches running" wait_state "$u" running 5
done
# testd writes its touch line after sending MAINPID= and READY=1 (--mainpid),
# in the grandchild (--double-fork-mainpid), after exec (victim): unordered
# with "running".
all_touched() { local u; for u in "$@"; do touched "$u" || return 1; done; }
check "victim, pid1, other, dfork and thief wrote their touch files" \
	wait_until 5 all_touched victim pid1 other dfork thief
vpid=$(touch_pid victim)
is "pid1: the main process is still testd, not PID 1" "$(svc_pid pid1)" "$(touch_pid pid1)"
check "pid1: MAINPID=1 is ignored with a warning" grep -q "pid1: MAINPID=1 ignored" "$T/initd.log"
is "thief: the main process is still its own testd" "$(svc_pid thief)" "$(touch_pid thief)"
check "thief: MAINPID=<another unit's orphan> is ignored with a warning" \
	grep -q "thief: MAINPID=$orphan ignored" "$T/initd.log"
is "other: the main process is still its own testd" "$(svc_pid other)" "$(touch_pid other)"
check "other: MAINPID=<victim's pid> is ignored with a warning" \
	grep -q "other: MAINPID=$vpid ignored" "$T/initd.log"
is "victim keeps its own main process" "$(svc_pid victim)" "$vpid"
dpid=$(touch_pid dfork)
check "dfork: the double-forked grandchild ($dpid) is the main process" \
	wait_until 3 eval '[ "$(svc_pid dfork)" = "$dpid" ]'
check "dfork: its grandchild was reparented to initd (PPid 1)" \
	eval '[ "$(in_ns awk "/^PPid:/{print \$2}" /proc/$dpid/status)" = 1 ]'
sv stop pid1 >/dev/null 2>&1
sv stop other >/dev/null 2>&1
sv stop thief >/dev/null 2>&1
sleep 1   # long enough for a poweroff, had initd signalled itself
check "after stopping pid1 and other, initd (PID 1) is still there" unshare_alive
check "initd still answers" control_answers
check "pid1 is stopped" state_is pid1 stopped
check "other is stopped" state_is other stopped
check "the victim unit's process is alive" ns_alive "$vpid"
check "victim is still running" state_is victim running
check "parent's orphan ($orphan) is alive" ns_alive "$orphan"
sv stop dfork >/dev/null 2>&1
check "stopping dfork ends its grandchild" wait_until 3 ns_gone "$dpid"
check "no zombie is left in the namespace" wait_until 3 eval '[ -z "$(ns_zombies)" ]'
stop_initd

# A hand-over queued when the main process's stop timed out (or its
# watchdog fired), read after initd SIGKILLed it: the new main process gets
# the SIGKILL too. Those timers do not fire again: followed unsignalled, it
# held the unit stopping (or running, unwatched) for ever.
new_boot late
cat > "$T/late.py" <<'EOF2'
import os, signal, socket, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
go = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
child = os.fork()
if child == 0:
    while True: time.sleep(1000)
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
while not os.path.exists(go): time.sleep(0.01)
s.sendto(("MAINPID=%d" % child).encode(), os.environ["NOTIFY_SOCKET"])
open(go + ".sent", "w").write(str(child))
while True: time.sleep(1000)
EOF2
unit stopped <<EOF2
type = "notify";
restart = "no";
stop = { timeout = "6s"; };
exec = [ "/usr/bin/python3", "$T/late.py", "$T/go-stopped" ];
EOF2
unit hung <<EOF2
type = "notify";
watchdog = "6s";
exec = [ "/usr/bin/python3", "$T/late.py", "$T/go-hung" ];
EOF2
start_initd
check "late: both reach running" wait_until 5 eval 'state_is stopped running && state_is hung running'
sv stop stopped >/dev/null 2>&1 &
stopper=$!
check "late: stopped is stopping (it ignores SIGTERM)" wait_state stopped stopping 5
check "late: hung's watchdog has not fired yet" eval '[ "$(svc_restarts hung)" = 0 ] && state_is hung running'
kill -STOP "$INITD_HPID"
# initd stopped within 6 s of hung's READY=1 and of the stop, so both timers
# are still ahead (6 s, not 1: on a busy machine, or beside a second test
# file, seconds can pass before the SIGSTOP: 3 s was not enough at a load
# of 15, two python3 units starting); both expire while it is stopped
sleep 6.5
touch "$T/go-stopped" "$T/go-hung"
check "late: both hand-overs were sent while initd was stopped" \
	wait_until 5 eval 'test -e "$T/go-stopped.sent" && test -e "$T/go-hung.sent"'
# read now: hung's next run (its restart) sends a hand-over of its own and
# writes its file again
named_stopped=$(cat "$T/go-stopped.sent") named_hung=$(cat "$T/go-hung.sent")
kill -CONT "$INITD_HPID"
# dead: gone, or a zombie when the hand-over was read before the timer
# fired (its parent, the old main process, then lives on unfollowed:
# without cgroups only the main process is signalled)
dead() { ! ns_alive "$1" python3; }
check "late: stopped ends stopped" wait_state stopped stopped 5
check "late: the process it named is dead" wait_until 3 dead "$named_stopped"
check "late: hung was restarted" wait_until 5 eval '[ "$(svc_restarts hung)" -ge 1 ]'
check "late: the process hung named is dead" wait_until 3 dead "$named_hung"
wait "$stopper"
stop_initd

# A service sending MAINPID=1 in a loop: initd says at most 20 of those a
# second and counts the rest (each was a line in its log, the kernel's
# ring and on the console).
new_boot mainflood
cat > "$T/flood.py" <<'EOF2'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
for i in range(3000):
    s.sendto(b"MAINPID=1", os.environ["NOTIFY_SOCKET"])
time.sleep(1.2)
s.sendto(b"MAINPID=1", os.environ["NOTIFY_SOCKET"])
open(sys.argv[1], "w").write("done")
time.sleep(1000)
EOF2
unit flood <<EOF2
type = "notify";
restart = "no";
exec = [ "/usr/bin/python3", "$T/flood.py", "$T/flood.done" ];
EOF2
start_initd
check "mainflood: the flood was sent" wait_until 20 test -e "$T/flood.done"
check "mainflood: its count was said" \
	wait_until 5 grep -q "MAINPID= messages not logged (more than 20 a second)" "$T/initd.log"
refused=$(grep -c "flood: MAINPID=1 ignored" "$T/initd.log")
check "mainflood: at most 20 refusals a second were logged, not 3001 ($refused)" \
	eval '[ "$refused" -le 200 ]'
stop_initd

# Not PID 1: MAINPID=<initd's own pid> (testd names its parent) is refused
# too, and stopping the service leaves initd running.
new_boot selfpid
testd_unit self "--mainpid parent --raw-notify" 'type = "notify";'
"$INITD" --no-cgroup --config "$T/conf" --control "$T/control" > "$T/initd.log" 2>&1 < /dev/null &
ipid=$!
BOOT_OK=1   # not booted by start_initd: this initd is our own child
trap '[ -n "$ipid" ] && kill -KILL "$ipid" 2>/dev/null' EXIT
check "self reaches running" wait_state self running 5
check "self wrote its touch file (after its MAINPID= and READY=1)" wait_until 5 touched self
is "self: the main process is still testd, not initd" "$(svc_pid self)" "$(touch_pid self)"
check "self: MAINPID=<initd's pid> is ignored with a warning" \
	grep -q "self: MAINPID=$ipid ignored" "$T/initd.log"
sv stop self >/dev/null 2>&1
sleep 0.3
check "after stopping self, initd is still running" alive "$ipid"
check "self is stopped" state_is self stopped
kill -TERM "$ipid"
wait_until 10 eval '! alive $ipid' || kill -KILL "$ipid"
wait "$ipid"
ipid=
[ "$FAILED" -gt 0 ] && dump_log
[ "$FAILED" -eq 0 ]
