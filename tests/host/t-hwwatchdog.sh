#!/bin/bash
# t-hwwatchdog.sh — initd.conf's hardware watchdog where there is none (the
# real one is proven in the VM: tests/vm/watchdog.sh). initd runs as a plain
# child of this script (not PID 1), as an operator may run it:
#   off       no watchdog group: show-system says "off"
#   notwd     device = a regular file: a clear error, the file untouched
#             (no 'V' written), the services keep running
#   fifo      device = a FIFO: refused, not waited on
#   missing   a reload to a path that never appears: "opening", then a
#             bounded wait ends in "no such device"; initd runs on
#   removed   a reload without the group: "off" again
. "$(dirname "$0")/lib.sh"

new_boot hwwatchdog
testd_unit svc ""
: > "$T/not-a-watchdog"
"$INITD" --no-cgroup --config "$T/conf" --control "$T/control" > "$T/initd.log" 2>&1 < /dev/null &
ipid=$!
BOOT_OK=1   # not booted by start_initd: this initd is our own child
trap '[ -n "$ipid" ] && kill -KILL "$ipid" 2>/dev/null' EXIT   # only while unreaped
check "svctl answers" wait_until 5 control_answers
check "svc reaches running" wait_state svc running 5
is "off: show-system says off" "$(sv show-system | awk '$1 == "watchdog" { print $2 }')" off
check "off: --json says so too" eval 'sv show-system --json | grep -q "\"state\":\"off\""'
is "off: --json has null for what an unconfigured watchdog has not (svctl(8))" \
	"$(sv show-system --json | python3 -c 'import json, sys
w = json.load(sys.stdin)["watchdog"]
print(w["device"], w["timeout_sec"], w["asked_sec"], w["last_pet_usec_ago"], w["pets"])')" \
	"None None None None None"
svc=$(svc_pid svc)

wd_state() { sv show-system | awk '$1 == "watchdog" { print $2 }'; }
wd_state_is() { [ "$(wd_state)" = "$1" ]; }

echo "watchdog = { device = \"$T/not-a-watchdog\"; timeout = \"5s\"; };" > "$T/conf/initd.conf"
sv reload >/dev/null
check "notwd: failed" wait_until 5 wd_state_is failed
check "notwd: the log says it is not a watchdog" \
	eval 'grep -q "watchdog $T/not-a-watchdog: not a watchdog device" "$T/initd.log"'
check "notwd: show-system gives the device and the error" \
	eval 'sv show-system | grep -q "^device *$T/not-a-watchdog" &&
	      sv show-system | grep -q "^error *not a watchdog device"'
is "notwd: the file is left as it was (nothing written)" "$(stat -c %s "$T/not-a-watchdog")" 0
check "notwd: initd holds no fd on it" \
	eval '! ls -l /proc/$ipid/fd | grep -q not-a-watchdog'
is "notwd: svc still runs with its PID" "$(svc_pid svc)" "$svc"

# A FIFO (a typo, a test rig): its open would wait for a reader for ever,
# and PID 1 with it. Refused at once.
mkfifo "$T/fifo"
echo "watchdog = { device = \"$T/fifo\"; timeout = \"5s\"; };" > "$T/conf/initd.conf"
timeout 5 "$SVCTL" --socket "$T/control" reload >/dev/null 2>&1
is "fifo: the reload is answered" "$?" 0
check "fifo: failed" wait_until 5 wd_state_is failed
check "fifo: the error says it is not a watchdog" \
	eval 'sv show-system | grep -q "^error *not a watchdog device"'
check "fifo: initd still answers status" eval 'sv status svc >/dev/null'

echo "watchdog = { device = \"$T/never\"; };" > "$T/conf/initd.conf"
sv reload >/dev/null
check "missing: opening while it waits for the node" wait_until 2 wd_state_is opening
check "missing: failed after a bounded wait" wait_until 15 wd_state_is failed
check "missing: the error says so" \
	eval 'sv show-system | grep -q "^error *no such device (waited 5s for it)"'
check "missing: initd still answers status" eval 'sv status svc >/dev/null'

: > "$T/conf/initd.conf"
sv reload >/dev/null
check "removed: off again" wait_until 5 wd_state_is off
is "removed: svc still runs with its PID" "$(svc_pid svc)" "$svc"

kill -TERM "$ipid"
gone() { ! alive "$ipid"; }
check "initd exits after SIGTERM" wait_until 10 gone
wait "$ipid"; rc=$?
ipid=
is "its exit status is 0" "$rc" 0
[ "$FAILED" -eq 0 ]
