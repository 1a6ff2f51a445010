#!/bin/bash
# t-nonpid1.sh — the same engine as an ordinary process (doc/DESIGN.md §1: a
# container, another init): no early mounts, no reboot(2); on SIGTERM it
# stops its services in reverse order and exits 0. initd runs here as a
# plain child of this script (no namespace), supervising testd.
. "$(dirname "$0")/lib.sh"

new_boot nonpid1
testd_unit base "--term-delay 200"
testd_unit top "--term-delay 200" 'requires = [ "base" ];'
"$INITD" --no-cgroup --config "$T/conf" --control "$T/control" > "$T/initd.log" 2>&1 < /dev/null &
ipid=$!
BOOT_OK=1   # not booted by start_initd: this initd is our own child
trap '[ -n "$ipid" ] && kill -KILL "$ipid" 2>/dev/null' EXIT   # only while unreaped
check "svctl answers" wait_until 5 control_answers
check "base reaches running" wait_state base running 5
check "top reaches running" wait_state top running 5
# testd meets SIGTERM as told (ignores, delays it) once its touch line is there
check "base and top are set up (their touch lines)" wait_until 5 eval 'touched base && touched top'
bpid=$(svc_pid base) tpid=$(svc_pid top)
check "services are initd's children" \
	eval '[ "$(awk "/^PPid:/{print \$2}" /proc/$bpid/status)" = "$ipid" ]'
is "initd is not PID 1 and says so" "$(grep -c 'as PID 1' "$T/initd.log")" 0

kill -TERM "$ipid"
gone() { ! alive "$ipid"; }
check "initd exits after SIGTERM" wait_until 10 gone
wait "$ipid"; rc=$?
ipid=
is "its exit status is 0" "$rc" 0
check "base is gone" eval '! alive $bpid'
check "top is gone" eval '! alive $tpid'
check "top got SIGTERM before base (reverse order)" \
	eval '[ "$(log_time top "got SIGTERM")" -lt "$(log_time base "got SIGTERM")" ]'
[ "$FAILED" -eq 0 ]
