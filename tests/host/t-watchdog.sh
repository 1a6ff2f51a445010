#!/bin/bash
# t-watchdog.sh — readiness and the watchdog through the real protocol:
#   fine  pings WATCHDOG=1 every 100ms with watchdog = "1s": left alone (ten
#         pings a period: a loaded machine's stall does not fire it)
#   hung  pings, then stops after 600ms: killed at its watchdog, restarted,
#         and the reason says so
#   late  type = "notify", ready only after 500ms: `svctl start` waits for it
#   evil  a STATUS= with controls: none reaches the terminal
. "$(dirname "$0")/lib.sh"

new_boot watchdog
testd_unit fine "--notify-after 0 --watchdog-every 100" 'type = "notify";' 'watchdog = "1s";'
testd_unit hung "--notify-after 0 --watchdog-every 100 --watchdog-stop 600" 'type = "notify";' \
	'watchdog = "400ms";' 'restart_delay = "0";'
testd_unit late "--notify-after 500" 'type = "notify";' 'restart = "no";'
testd_unit stat "--notify-after 0 --status serving-3-clients" 'type = "notify";'
# STATUS= is the service's text: no control reaches the operator's
# terminal, not C1 either (CSI as U+009B, or as the raw byte 0x9b).
cat > "$T/evil.py" <<'EOF2'
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=a\x1b[31mb\xc2\x9b31mc\x9bd\xff\xc3\xa9e", os.environ["NOTIFY_SOCKET"])
time.sleep(1000)
EOF2
unit evil <<EOF2
type = "notify";
exec = [ "/usr/bin/python3", "$T/evil.py" ];
EOF2
start_initd

check "fine reaches running" wait_state fine running 5
check "hung reaches running" wait_state hung running 5
first=$(svc_pid hung)
fine_pid=$(svc_pid fine)
# Its PID changed too: under load a ping can come late and an earlier
# restart may have come before $first was read, RESTARTS already 1.
restarted() { [ "$(svc_restarts hung)" -ge 1 ] 2>/dev/null && [ "$(svc_pid hung)" != "$first" ]; }
check "hung is restarted after it stops pinging" wait_until 5 restarted
check "hung: the reason names the watchdog" eval 'svc_line hung | grep -q "watchdog timeout"'
check "hung: its first process ($first) is gone" ns_gone "$first"
check "fine keeps its PID and RESTARTS 0 while pinging" \
	eval '[ "$(svc_pid fine)" = "$fine_pid" ] && [ "$(svc_restarts fine)" = 0 ]'

check "stat reaches running" wait_state stat running 5
check "svctl status stat shows its STATUS= line" \
	eval 'sv status stat | grep -q "status *serving-3-clients"'

check "evil reaches running" wait_state evil running 5
is "evil: its STATUS= without controls (ESC dropped by initd), C1 and bytes that are not UTF-8 (é kept)" \
	"$(sv status evil | sed -n 's/^ *status *//p')" "a[31mb?31mc?d?ée"
# a notify service: start waits until READY=1
sv stop late >/dev/null
check "late is stopped" wait_state late stopped 5
t0=$(date +%s%N)
sv start late >/dev/null; rc=$?
t1=$(date +%s%N)
is "svctl start late exits 0" "$rc" 0
check "svctl start late returned only after READY=1 (>= 450ms)" \
	eval '[ $(( (t1 - t0) / 1000000 )) -ge 450 ]'
check "late is running when svctl start returns" state_is late running

stop_initd
[ "$FAILED" -eq 0 ]
