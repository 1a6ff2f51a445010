#!/bin/bash
# t-metrics.sh — fleet metrics (issue 17 item 4): `svctl metrics` and the
# metrics_file, both parsed by the real Prometheus text parser
# (prometheus_client, /usr/bin/python3: python3-prometheus-client).
#   web      runs; SIGKILLed from outside, it restarts: the file is
#            rewritten (new inode: renamed over) with restarts 1, signal 9;
#            after a burst of restarts ending in a SIGUSR1, restarts 2,
#            signal 10
#   done1    exits 3 once (restart = "no"): last exit code 3, failed
#   loop4    exits 4 until its start limit fails it: the last exit code is
#            still 4 (the exit that hit the limit), not absent
#   hung     ready, then silent past its watchdog: initd SIGKILLs it, and
#            its last exit signal is that 9
# Without cgroups here (--no-cgroup) no memory/CPU sample appears; the VM
# cgroup boot checks those against the kernel's files.
# Writes are coalesced (at most one a second: a burst of restarts makes
# fewer writes than it has events) and none happens while nothing does (no
# metrics_interval: the writes counter and the file stay the same); a
# reload to another path with metrics_interval = "1s" writes there, and
# keeps writing with no event.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PROM=$(cd "$(dirname "$0")" && pwd)/prom_check.py
FILE=/run/initd/metrics.prom

new_boot metrics
cat > "$T/conf/initd.conf" <<EOC
metrics_file = "$FILE";
EOC
unit web <<EOU
exec = [ "/bin/sleep", "1000" ];
restart = "always";
restart_delay = "100ms";
start_limit = { burst = 100; interval = "60s"; };
EOU
unit done1 <<EOU
exec = [ "/bin/sh", "-c", "exit 3" ];
restart = "no";
EOU
unit loop4 <<EOU
exec = [ "/bin/sh", "-c", "exit 4" ];
restart = "on-failure";
restart_delay = "100ms";
start_limit = { burst = 2; interval = "60s"; };
EOU
testd_unit hung '--notify-after 0 --watchdog-every 100 --watchdog-stop 300' \
	'type = "notify";' 'watchdog = "1s";' 'restart = "no";'

parsed_cli()  { sv metrics | "$PY" "$PROM" -; }
parsed_file() { in_ns cat "$FILE" | "$PY" "$PROM" -; }
file_has()    { parsed_file | grep -qxF "$1"; }
file_inode()  { in_ns stat -c %i "$FILE"; }
writes()      { sv show-system | awk '$1 == "metrics" { print $2 }'; }

INITD_PRE='mount -t tmpfs tmpfs /run' start_initd
check "web is running" wait_state web running 5
check "done1 failed" wait_state done1 failed 5
check "loop4 failed (start limit)" wait_state loop4 failed 10
check "hung failed (its watchdog)" wait_state hung failed 10
sv wait >/dev/null

MOUT=$(parsed_cli 2>&1); rc=$?; [ "$rc" = 0 ] || diag "$MOUT"
check "svctl metrics parses (rc $rc)" eval '[ "$rc" = 0 ] && [ -n "$MOUT" ]'
has() { printf '%s\n' "$MOUT" | grep -qxF "$1"; }
check "state of web: running" has 'initd_unit_state{state=running,unit=web} 1.0'
check "state of done1: failed" has 'initd_unit_state{state=failed,unit=done1} 1.0'
check "one state line per unit" eval '[ "$(printf "%s\n" "$MOUT" | grep -c "^initd_unit_state{")" = 4 ]'
check "units total" has 'initd_units{} 4.0'
check "done1's last exit code 3" has 'initd_unit_last_exit_code{unit=done1} 3.0'
check "loop4, failed by its start limit: last exit code 4" has 'initd_unit_last_exit_code{unit=loop4} 4.0'
check "hung, killed for its silence: last exit signal 9" has 'initd_unit_last_exit_signal{unit=hung} 9.0'
check "restarts is a counter" has 'FAMILY initd_unit_restarts counter'
check "restarts of web 0" has 'initd_unit_restarts_total{unit=web} 0.0'
check "boot settled time known" eval 'printf "%s\n" "$MOUT" | grep -q "^initd_boot_settled_seconds{} [0-9]"'
# The moment every unit first settled is one stamp: svctl analyze's (the
# metric was taken later, when its waiter was called: 18 ms after it in a
# VM boot)
msettled=$(sv metrics | awk '$1 == "initd_boot_settled_seconds" { sub(/\./, "", $2); sub(/^0+/, "", $2); print $2 }')
asettled=$(sv analyze --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["settled_usec"])')
is "boot settled time: svctl analyze's, to the microsecond" "$msettled" "$asettled"
check "no cgroup here: no memory sample" eval '! printf "%s\n" "$MOUT" | grep -q "^initd_unit_memory_current_bytes{"'
raw=$(sv metrics)
check "HELP and TYPE once per family" eval \
	'[ -z "$(printf "%s\n" "$raw" | grep "^# TYPE" | sort | uniq -d)" ]'

check "the file appears" wait_until 5 in_ns test -f "$FILE"
check "the file parses, web running" wait_until 5 file_has 'initd_unit_state{state=running,unit=web} 1.0'
check "no temporary left beside it" eval '! in_ns test -e "$FILE.tmp"'

ino=$(file_inode)
pid=$(svc_pid web)
in_ns kill -KILL "$pid"
check "web restarted" wait_until 5 eval '[ "$(svc_restarts web)" = 1 ] && state_is web running'
check "the file shows the restart" wait_until 5 file_has 'initd_unit_restarts_total{unit=web} 1.0'
check "... and the signal" file_has 'initd_unit_last_exit_signal{unit=web} 9.0'
check "the file was replaced, not edited (inode $ino)" eval '[ "$(file_inode)" != "$ino" ]'

# A FIFO where the temporary goes (anything that can write /run/initd can
# make one) must not block PID 1: the temporary is made afresh, O_EXCL.
in_ns mkfifo "$FILE.tmp"
w0=$(writes)
sv restart web >/dev/null 2>&1
check "a FIFO at the temporary's path does not block initd (writes past $w0)" \
	wait_until 10 eval '[ "$(writes)" -gt "${w0:-0}" ] 2>/dev/null && state_is web running'
check "... and the file is written again" wait_until 5 eval 'in_ns test -f "$FILE" && ! in_ns test -e "$FILE.tmp"'

# A burst: 8 restarts, each several passes, then web killed by SIGUSR1
# (10), which its restart policy answers. One write per pass would be
# dozens; coalesced it is at most one a second (+1 for the edge). The
# burst's last events come within a second of a write: only the deferred
# write can bring them to the file, and nothing before them shows signal 10
# or a second restart.
sv wait >/dev/null
w0=$(writes) t0=$(wall_us)
for i in 1 2 3 4 5 6 7 8; do sv restart web >/dev/null; done
sv kill web USR1 >/dev/null
check "web is restarted after SIGUSR1" wait_until 5 eval '[ "$(svc_restarts web)" = 2 ] && state_is web running'
sv wait >/dev/null
last_state() {
	file_has 'initd_unit_restarts_total{unit=web} 2.0' &&
	file_has 'initd_unit_last_exit_signal{unit=web} 10.0' &&
	file_has 'initd_unit_state{state=running,unit=web} 1.0'
}
check "the burst's last state reaches the file (restarts 2, signal 10, running)" \
	wait_until 5 last_state
sleep 1.2   # the last coalesced write is due within a second
w1=$(writes) t1=$(wall_us)
secs=$(( (t1 - t0) / 1000000 + 1 ))
check "coalesced: $((w1 - w0)) writes for a burst over ${secs}s" eval '[ $((w1 - w0)) -le $((secs + 1)) ] && [ $((w1 - w0)) -ge 1 ]'

# Idle: no metrics_interval, nothing happens: no write at all.
before=$(in_ns cat "$FILE") w0=$(writes) ino=$(file_inode)
sleep 3
check "idle: no write in 3s (writes $w0 -> $(writes))" eval '[ "$(writes)" = "$w0" ]'
check "idle: same file" eval '[ "$(file_inode)" = "$ino" ] && [ "$(in_ns cat "$FILE")" = "$before" ]'

# Reload applies a new path and metrics_interval: writes without events.
cat > "$T/conf/initd.conf" <<EOC
metrics_file = "/run/initd/other.prom";
metrics_interval = "1s";
EOC
check "reload with a new metrics_file" eval 'sv reload >/dev/null'
check "the new file appears" wait_until 5 in_ns test -f /run/initd/other.prom
w0=$(writes)
check "metrics_interval: writes go on without events ($w0 -> more)" \
	wait_until 10 eval '[ "$(writes)" -ge $((w0 + 2)) ]'
stop_initd

# --check: the keys' bounds
bad() {
	local dir=$WORK/check-$1
	rm -rf "$dir"; mkdir -p "$dir/units"
	printf '%s\n' "$2" > "$dir/initd.conf"
	! timeout 10 "$INITD" --check "$dir" >"$dir/out" 2>&1 && grep -q "$3" "$dir/out"
}
NEEDS_BOOT=0 check "--check: metrics_file off /run refused" \
	bad disk 'metrics_file = "/var/lib/m.prom";' 'metrics_file.*under /run/'
NEEDS_BOOT=0 check "--check: relative metrics_file refused" \
	bad rel 'metrics_file = "run/m.prom";' 'metrics_file'
NEEDS_BOOT=0 check "--check: metrics_interval 0 refused" \
	bad zero 'metrics_interval = "0s";' 'metrics_interval.*between'
NEEDS_BOOT=0 check "--check: metrics_interval 7200s refused" \
	bad long 'metrics_interval = "7200s";' 'metrics_interval.*between'
NEEDS_BOOT=0 check "--check: default_accounting must be a boolean" \
	bad acct 'default_accounting = "no";' 'default_accounting'

[ "$FAILED" -eq 0 ]
