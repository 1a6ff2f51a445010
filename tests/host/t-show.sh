#!/bin/bash
# t-show.sh — `svctl show NAME`: the unit as initd parsed it (every key,
# defaults written out) and then its runtime state; --json is one valid JSON
# object; an unknown unit exits 3. `--no-wait` on start, stop and restart
# returns before a notify service is ready (lazy: READY=1 only once the test
# creates $T/lazy.go, so "still starting" when svctl returned is proof, not a
# race), while the plain start waits for READY=1. A start that fails says
# which unit and why, and exits 1.
. "$(dirname "$0")/lib.sh"

# took_ms CMD... — run CMD; $rc its exit code, $ms how long it took, its
# output in $T/cmd.out and $T/cmd.err.
took_ms() {
	local t0
	t0=$(wall_us)
	"$@" > "$T/cmd.out" 2> "$T/cmd.err"
	rc=$?
	ms=$(( ($(wall_us) - t0) / 1000 ))
}

# show_has TEXT — the last show's stdout holds TEXT (a fixed string).
show_has() { grep -qF -- "$1" "$T/cmd.out"; }
# show_field LABEL — the value of a runtime line "LABEL   VALUE".
show_field() { awk -v l="$1" 'index($0, l " ") == 1 { sub(/^[a-z ]+[ ]+/, ""); print; exit }' "$T/cmd.out"; }

new_boot show
testd_unit web "" 'restart = "always";' 'stop = { timeout = "3s"; };' \
	'environment = { GREETING = "hello, world"; };' 'start_limit = { burst = 7; interval = "1min"; };'
testd_unit slow "--notify-after 1000" 'type = "notify";' 'restart = "no";'
testd_unit lazy "--notify-when $T/lazy.go" 'type = "notify";' 'restart = "no";' 'autostart = false;'
unit nope <<'EOF'
description = "exec of a program that does not exist";
exec = [ "/nonexistent/nope" ];
restart = "no";
EOF
unit broken <<'EOF'
exec = [ "/bin/true" ];
exce = [ "/bin/true" ];
EOF
start_initd
check "web reaches running" wait_state web running 5
check "slow reaches running" wait_state slow running 5

# ---- show: the unit ----------------------------------------------------------
took_ms sv show web
is "show web: exit 0" "$rc" 0
check "show web: header names the unit" eval 'head -n 1 "$T/cmd.out" | grep -qx "# web.unit"'
check "show web: exec as written" show_has "exec = [ \"$TESTD\", \"--touch\""
check "show web: description" show_has 'description = "testd web";'
check "show web: restart" show_has 'restart = "always";'
check "show web: stop group with the default signal written out" \
	show_has 'stop = { signal = "TERM"; timeout = "3s"; };'
check "show web: start_limit" show_has 'start_limit = { burst = 7; interval = "1min"; };'
check "show web: environment" show_has 'GREETING = "hello, world";'
check "show web: defaults written out (type, restart_delay, umask)" \
	eval 'show_has "type = \"simple\";" && show_has "restart_delay = \"100ms\";" && show_has "umask = \"0022\";"'
check "show web: unset keys as comments" show_has '# user: unset (root)'

# ---- show: the runtime state -------------------------------------------------
pid=$(svc_pid web)
is "show web: state" "$(show_field state)" running
is "show web: pid is status's" "$(show_field pid)" "$pid"
is "show web: restarts" "$(show_field restarts)" 0
check "show web: since" eval '[ -n "$(show_field since)" ]'
check "show web: last exit line" eval 'grep -q "^last exit " "$T/cmd.out"'
check "show web: cgroup line" eval 'grep -q "^cgroup " "$T/cmd.out"'
check "show web: status line" eval 'grep -q "^status " "$T/cmd.out"'
check "show web: the unit comes before the state" \
	eval '[ "$(grep -n "^exec = " "$T/cmd.out" | cut -d: -f1)" -lt "$(grep -n "^state " "$T/cmd.out" | cut -d: -f1)" ]'

# ---- show: errors ------------------------------------------------------------
took_ms sv show ghost
is "show of an unknown unit: exit 3" "$rc" 3
check "show ghost says which unit" grep -q ghost "$T/cmd.err"
took_ms sv show
is "show without a name: exit 2" "$rc" 2
took_ms sv show web slow
is "show of two units: exit 2" "$rc" 2
took_ms sv show broken
is "show of a bad-config unit: exit 0" "$rc" 0
is "show broken: state" "$(show_field state)" bad-config
check "show broken: its error" grep -q "unknown key 'exce'" "$T/cmd.out"

# ---- show --json ---------------------------------------------------------------
took_ms sv --json show web
is "--json show web: exit 0" "$rc" 0
check "--json show web is valid JSON" python3 -m json.tool "$T/cmd.out"
check "--json show web: unit text and status fields" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["name"] == "web" and o["state"] == "running", o
assert o["pid"] == int(sys.argv[2]), (o["pid"], sys.argv[2])
assert "restart = \"always\";" in o["unit"], o["unit"]
for k in ("restarts", "since_usec", "reason", "cgroup", "status_text", "stats"):
    assert k in o, k
' "$T/cmd.out" "$pid"
took_ms sv --json show broken
check "--json show of a bad-config unit is valid JSON" python3 -m json.tool "$T/cmd.out"

# ---- a start that fails says which unit and why --------------------------------
took_ms sv start nope
is "start nope: exit 1" "$rc" 1
check "start nope: names the unit, its state and the errno" \
	eval 'grep -Eq "^svctl: nope failed: .*/nonexistent/nope.*No such file or directory" "$T/cmd.err"'
[ "$rc" = 1 ] || diag "stderr: $(cat "$T/cmd.err")"

# ---- --no-wait -------------------------------------------------------------------
# lazy is ready only once $T/lazy.go exists: a start that waited for its
# READY=1 would not return (timeout 10, exit 124) until the test made it.
check "lazy is stopped (autostart = false)" state_is lazy stopped
took_ms timeout 10 "$SVCTL" --socket "$T/control" start --no-wait lazy
is "start --no-wait lazy: exit 0" "$rc" 0
diag "svctl start --no-wait lazy took ${ms} ms"
check "start --no-wait returned before READY=1: lazy is still starting" state_is lazy starting
lazy1=$(svc_pid lazy)
check "... its process running ($lazy1)" ns_alive "$lazy1"
touch "$T/lazy.go"
check "lazy gets ready afterwards" wait_state lazy running 5

sv stop slow > /dev/null 2>&1
took_ms timeout 10 "$SVCTL" --socket "$T/control" start slow
is "start slow: exit 0" "$rc" 0
check "plain start waited for READY=1 (${ms}ms >= 900)" eval '[ "$ms" -ge 900 ]'
check "slow is running as start returns" state_is slow running

rm -f "$T/lazy.go"
took_ms timeout 10 "$SVCTL" --socket "$T/control" restart lazy --no-wait
is "restart lazy --no-wait (option after the name): exit 0" "$rc" 0
diag "svctl restart lazy --no-wait took ${ms} ms"
# stopping (the old process on its way out) or already starting the new
# one: not running, which needs $T/lazy.go
check "restart --no-wait returned before READY=1: lazy is not running" \
	eval 'case "$(svc_state lazy)" in stopping|stopped|starting) true;; *) false;; esac'
check "lazy is starting again as a new process" \
	wait_until 5 eval 'p=$(svc_pid lazy); state_is lazy starting && [ "$p" != - ] && [ "$p" != "$lazy1" ]'
touch "$T/lazy.go"
check "lazy runs again afterwards" wait_state lazy running 5

took_ms timeout 10 "$SVCTL" --socket "$T/control" stop --no-wait web
is "stop --no-wait web: exit 0" "$rc" 0
check "web stops afterwards" wait_state web stopped 5

took_ms sv start --no-wait ghost
is "start --no-wait of an unknown unit: exit 3" "$rc" 3
took_ms sv start --no-wait
is "start --no-wait without a name: exit 2" "$rc" 2
took_ms sv start -- --no-wait
is "start -- --no-wait: a unit named --no-wait (unknown): exit 3" "$rc" 3
check "initd still answers" sv status

stop_initd
[ "$FAILED" -eq 0 ]
