#!/bin/bash
# t-extend.sh — EXTEND_TIMEOUT_USEC= (sd_notify(3), as systemd takes it): a
# notify service that needs longer than start_timeout says so while it
# starts, and is not killed at start_timeout; without it, it is.
. "$(dirname "$0")/lib.sh"

# The service's main process sends (no cgroups here: only its messages
# count): EXTEND_TIMEOUT_USEC=6s at once, READY=1 after 3.5 s, past its
# start_timeout of 2 s (python may take a while to start on a loaded machine).
ext_unit() {
	unit "$1" <<EOF
exec = [ "/usr/bin/python3", "-c", "import os, socket, time\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nif '$2': s.sendto(b'$2', os.environ['NOTIFY_SOCKET'])\ntime.sleep(3.5)\ns.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\ntime.sleep(1000)" ];
type = "notify";
start_timeout = "2s";
restart = "no";
EOF
}

new_boot extend
ext_unit extended 'EXTEND_TIMEOUT_USEC=6000000'
ext_unit plain ''
start_initd
check "plain, silent past its start_timeout, fails" wait_state plain failed 10
is "with the start timeout as its reason" "$(svc_reason plain)" "start timeout (2s)"
check "extended, which asked for 6 s more, comes up" wait_state extended running 10
is "with no restart" "$(svc_restarts extended)" 0
stop_initd
[ "$FAILED" -eq 0 ]
