#!/bin/bash
# t-forking.sh — type = "forking": the unit is running only once the
# process it started exited 0 and the daemon's pid was read from its pid
# file (or, without one, it is the one process left); svctl shows the
# daemon's pid; killing the daemon restarts the unit. Pid files that name a
# process not of the unit (PID 1, a process the test started in the
# namespace), a symlink, and a pid file that never appears are refused
# with their reason. Without cgroups (this tier) "of the unit" means in the
# session of the process it started. /run is a tmpfs of the namespace.
. "$(dirname "$0")/lib.sh"

# forking units read their pid files only from a tmpfs on /run
INITD_PRE='mount -t tmpfs -o mode=0755 run /run'
new_boot forking
testd_unit ready "--daemonize --pidfile /run/ready.pid --pidfile-after $T/go" \
	'type = "forking";' 'pidfile = "/run/ready.pid";' 'restart_delay = "0";'
testd_unit lone "--daemonize" 'type = "forking";'
testd_unit twice "--daemonize-twice 300" 'type = "forking";'
testd_unit pid1 "--daemonize --pidfile /run/pid1.pid --pidfile-value 1" 'type = "forking";' \
	'pidfile = "/run/pid1.pid";' \
	'restart = "no";' 'autostart = false;'
testd_unit stranger "--daemonize --pidfile /run/stranger.pid --pidfile-value @$T/stranger" \
	'type = "forking";' 'pidfile = "/run/stranger.pid";' \
	'restart = "no";' 'autostart = false;'
testd_unit link "--daemonize --pidfile /run/link.pid --pidfile-link" 'type = "forking";' \
	'pidfile = "/run/link.pid";' 'restart = "no";'
testd_unit never "--daemonize --pidfile /run/never.pid --pidfile-after $T/never" \
	'type = "forking";' 'pidfile = "/run/never.pid";' 'restart = "no";' \
	'start_timeout = "1s";'
testd_unit named "--fork-mainpid --raw-notify" 'type = "forking";' 'start_timeout = "20s";'
start_initd

# named: the starter names its daemon with MAINPID= and exits 0 (what
# initd.unit(5) gives the key for): running at once, not at start_timeout.
check "named (MAINPID= from its starter) is running" wait_state named running 5
named=$(svc_pid named)
check "named: its main process ($named) is the daemon, a live testd" ns_alive "$named" testd
in_ns kill -KILL "$named"
check "named: the daemon's end restarts it, running again" wait_until 5 eval \
	'[ "$(svc_restarts named)" = 1 ] && state_is named running'

# ready: starting while its pid file is missing, running once it is there.
starter_gone() { [ "$(in_ns pgrep -c -f "pidfile /run/ready.pid")" = 1 ]; }
check "ready is starting, its starter gone, the daemon not done" \
	wait_until 5 eval 'state_is ready starting && starter_gone'
sleep 0.5
check "ready is still starting (no pid file yet)" state_is ready starting
touch "$T/go"
check "ready is running once the pid file is there" wait_state ready running 5
# The daemon writes its pid file, then its touch line: "running" (the pid
# file read) can come between the two.
check "ready's daemon wrote its touch file" wait_until 5 touched ready
daemon=$(touch_pid ready)
is "svctl shows the daemon ($daemon) as the main process" "$(svc_pid ready)" "$daemon"
is "the pid file names it" "$(in_ns cat /run/ready.pid)" "$daemon"
check "the daemon was reparented to initd (PPid 1)" \
	eval '[ "$(in_ns awk "/^PPid:/{print \$2}" /proc/$daemon/status)" = 1 ]'
in_ns kill -KILL "$daemon"
again() { local p; p=$(svc_pid ready); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$daemon" ] && state_is ready running; }
check "killing the daemon restarts the unit" wait_until 5 again
is "ready: RESTARTS 1" "$(svc_restarts ready)" 1
check "the new main process is the new daemon (its touch line, written after its pid file)" \
	wait_until 5 eval 'touched ready 2 && [ "$(svc_pid ready)" = "$(touch_pid ready)" ]'
check "the restart's reason is the daemon's death" eval 'svc_line ready | grep -q "signal KILL"'
d2=$(svc_pid ready)
sv kill --main ready TERM >/dev/null 2>&1
check "svctl kill --main signals the daemon" wait_until 5 ns_gone "$d2"
check "... which the restart policy brings back" wait_until 5 eval \
	'[ "$(svc_restarts ready)" = 2 ] && state_is ready running'

# lone: no pidfile, one process left.
check "lone (no pidfile) is running" wait_state lone running 5
# running once its starter exited; the daemon writes its touch line on its own
check "lone: the main process is its daemon" \
	wait_until 5 eval 'touched lone && [ "$(svc_pid lone)" = "$(touch_pid lone)" ]'
# twice: a double fork whose middle is alone for 300 ms, then forks the
# daemon and exits 0. Taken for the daemon at first, its exit hands on to
# the one left (the old code: "exited, exit 0", the daemon unwatched).
check "twice: its daemon wrote its touch line" wait_until 5 touched twice
check "twice: the main process is the daemon, not the middle" \
	wait_until 5 eval '[ "$(svc_pid twice)" = "$(touch_pid twice)" ]'
sleep 0.5
check "twice: still running, not restarted" eval 'state_is twice running && [ "$(svc_restarts twice)" = 0 ]'

# Refused pid files.
sv start pid1 >/dev/null 2>&1
check "a pid file naming PID 1 fails the start" wait_state pid1 failed 5
check "... with its reason" eval 'svc_reason pid1 | grep -q "no main process: pid file /run/pid1.pid names 1: PID 1"'
stranger=$(in_ns sh -c 'sleep 300 > /dev/null 2>&1 & echo $!')
echo "$stranger" > "$T/stranger"
sv start stranger >/dev/null 2>&1
check "a pid file naming a process not of the unit fails the start" wait_state stranger failed 5
check "... with its reason" eval 'svc_reason stranger | grep -q "names $stranger: not a process of this service"'
check "that process was left alone" ns_alive "$stranger" sleep
in_ns kill -KILL "$stranger"
check "a symlink as pid file fails the start" wait_state link failed 5
check "... with its reason" eval 'svc_reason link | grep -q "pid file /run/link.pid is a symbolic link"'
check "a pid file that never appears ends at start_timeout" wait_state never failed 10
is "... with its reason" "$(svc_reason never)" "start timeout (1s)"
check "initd is still there" control_answers
stop_initd

[ "$FAILED" -gt 0 ] && dump_log
[ "$FAILED" -eq 0 ]
