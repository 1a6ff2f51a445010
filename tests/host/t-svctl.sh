#!/bin/bash
# t-svctl.sh — every svctl command that exists, its output and its exit code
# (svctl(8): 0 ok, 1 failed, 2 usage, 3 no such unit, 4 denied,
# 5 unreachable, 6 protocol), checked against the kernel where it acts:
#   status, list (--json is valid JSON), tree, start/stop/restart (they wait:
#   when svctl returns the service is up or down, as /proc shows),
#   logs -n N, logs -f (streams until killed), kill NAME SIGNAL, wait,
#   version, --help of every command; the socket's mode and owner; an
#   unprivileged user is refused (filesystem and SO_PEERCRED).
# Misbehaving and massed clients are t-svctl-clients.sh.
. "$(dirname "$0")/lib.sh"

# svx CMD... — run svctl (bounded); stdout in $SO, stderr in $SE, exit
# code in $rc.
svx() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 10 "$SVCTL" --socket "$T/control" "$@" > "$o" 2> "$e"
	rc=$?
	SO=$(cat "$o") SE=$(cat "$e")
	rm -f "$o" "$e"
}

# exits NAME WANT CMD... — svctl CMD exits WANT (output shown otherwise).
exits() {
	local name=$1 want=$2
	shift 2
	svx "$@"
	if [ "$rc" = "$want" ]; then
		ok "$name (exit $want)"
	else
		not_ok "$name (exit $want)" "svctl $* exited $rc" "stdout: $SO" "stderr: $SE"
	fi
}

json_ok() { printf '%s\n' "$SO" | python3 -m json.tool > /dev/null; }
gone_or_other() { [ "$(svc_pid "$1")" != "$2" ]; }

new_boot svctl
testd_unit web "--print-every 50"
testd_unit note "--notify-after 400 --status warming" 'type = "notify";'
testd_unit once "--exit-after 50" 'type = "oneshot";' 'restart = "no";'
testd_unit failer "--exit-after 50 --exit-code 7" 'type = "oneshot";' 'restart = "no";'
unit broken <<'EOF'
description = "exec of a missing binary";
exec = [ "/nonexistent/initd-test-binary" ];
restart = "no";
EOF
unit bad <<'EOF'
exec = [ "/bin/true" ];
frobnicate = 1;
EOF
start_initd

check "web and note reach running" wait_until 5 eval 'state_is web running && state_is note running'

# ---- version, help, usage ----------------------------------------------------------
exits "version" 0 version
check "version names the protocol" eval '[[ "$SO" =~ ^svctl\ .+\ \(control\ protocol\ 1\)$ ]]'
exits "--version" 0 --version
exits "-V" 0 -V
exits "--help" 0 --help
commands="status list tree start stop restart reload wait kill logs poweroff reboot halt version help"
for c in $commands; do
	check "--help lists $c" eval 'printf "%s\n" "$SO" | grep -Eq "^  $c( |$)"'
done
check "--help documents the exit codes" eval 'printf "%s\n" "$SO" | grep -q "3  no such unit"'
HELP=$SO
for c in $commands; do
	exits "$c --help" 0 "$c" --help
	check "$c --help shows its usage" eval '[[ "$SO" == "Usage: svctl [OPTIONS] $c"* ]]'
	# --help's line for c shows the same usage, however long, not cut
	usage=$(printf "%s\n" "$SO" | sed -n '1s/^Usage: svctl \[OPTIONS\] //p')
	check "--help shows $c's whole usage" eval 'printf "%s\n" "$HELP" | grep -qF -- "  $usage"'
	exits "help $c" 0 help "$c"
done
exits "start -h" 0 start -h
check "start --help says a NAME@INST not loaded is made from its template" \
	eval 'printf "%s\n" "$SO" | grep -q "NAME@INST"'
exits "restart -h" 0 restart -h
check "restart --help says a NAME@INST not loaded is made from its template" \
	eval 'printf "%s\n" "$SO" | grep -q "NAME@INST"'
exits "logs -h" 0 logs -h
check "logs --help explains -n and -f" eval 'printf "%s\n" "$SO" | grep -q -- "--follow"'
exits "no command is a usage error" 2
exits "unknown command" 2 frobnicate
exits "help for an unknown command" 2 help frobnicate
exits "start without a name" 2 start
exits "stop without a name" 2 stop
exits "restart without a name" 2 restart
exits "kill without a name" 2 kill
exits "kill with two signals" 2 kill web TERM KILL
exits "kill with an unknown signal" 2 kill web NOSUCHSIG
exits "kill with signal 0" 2 kill web 0
exits "logs without a name" 2 logs
exits "logs with two names" 2 logs web note
exits "logs -n x" 2 logs web -n x
exits "logs -n -1" 2 logs web -n -1
exits "logs with an unknown option" 2 logs web --frob
exits "analyze --svg with --json: a usage error, not one ignored" 2 analyze --svg --json
check "and says so" eval '[[ "$SE" == *"--svg and --json"* ]]'
exits "list takes no operand" 2 list web
check "its usage line ends with the command, no trailing space: '$SE'" \
	eval '[ "$SE" = "svctl: usage: svctl list" ]'
exits "list --help" 0 list --help
check "list --help's usage line has no trailing space" \
	eval '[ "$(printf "%s\n" "$SO" | head -n 1)" = "Usage: svctl [OPTIONS] list" ]'
exits "version takes no operand" 2 version web
exits "an unknown option" 2 start --frob web
exits "an empty name" 2 status ''
exits "--timeout abc" 2 --timeout abc status
check "usage errors say what is wrong" eval '[[ "$SE" == *"--timeout"* ]]'
svx_nosock() { timeout 10 "$SVCTL" --socket "$T/no-such-socket" status > /dev/null 2> "$T/nosock.err"; }
svx_nosock; rc=$?
is "no socket: unreachable (exit 5)" "$rc" 5
check "no socket: says so" grep -q "is initd running" "$T/nosock.err"
rc=0; INITD_CONTROL=$T/control timeout 10 "$SVCTL" status > /dev/null 2>&1 || rc=$?
is "\$INITD_CONTROL names the socket" "$rc" 0

# ---- the socket ----------------------------------------------------------------------
check "control socket is a socket, mode 0600, owned by root" \
	eval '[ "$(stat -c "%F %a %u %g" "$T/control")" = "socket 600 0 0" ]'

# ---- status, list, --json ------------------------------------------------------------
exits "status" 0 status
for n in web note once failer broken bad; do
	check "status lists $n" eval 'printf "%s\n" "$SO" | awk -v n=$n "\$1 == n" | grep -q .'
done
check "status has a header" eval '[[ "$(printf "%s\n" "$SO" | head -n 1)" == NAME*STATE*PID* ]]'
exits "status web" 0 status web
check "status web shows web alone" \
	eval '[ "$(printf "%s\n" "$SO" | awk "NR > 1 && \$1 != \"\"" | awk "{ print \$1 }" | sort -u)" = web ]'
exits "status of an unknown unit" 3 status nope
check "status nope says which unit" eval '[[ "$SE" == *nope* ]]'
# Several names, one unknown: as systemctl, the known units' rows are
# printed and the unknown one is said on stderr, exit 3 still (PID 1
# answered the whole request with "not found" before, and svctl printed
# no row at all).
exits "status web nope" 3 status web nope
check "status web nope shows web's row" \
	eval 'printf "%s\n" "$SO" | awk "\$1 == \"web\" && \$2 == \"running\"" | grep -q .'
check "status web nope shows no row for nope" \
	eval '! printf "%s\n" "$SO" | awk "{ print \$1 }" | grep -qx nope'
check "status web nope says nope is not found, on stderr ($SE)" \
	eval '[ "$SE" = "svctl: unit nope not found" ]'
exits "status nope web nope2 note" 3 status nope web nope2 note
check "status nope web nope2 note: web's and note's rows, in that order" \
	eval '[ "$(printf "%s\n" "$SO" | awk "NR > 1 { print \$1 }" | tr "\n" " ")" = "web note " ]'
check "status nope web nope2 note: both unknown names said ($SE)" \
	eval '[ "$SE" = "svctl: unit nope not found
svctl: unit nope2 not found" ]'
check "status nope alone prints nothing on stdout" eval 'svx status nope; [ -z "$SO" ] && [ "$rc" = 3 ]'
exits "--json status web nope" 3 --json status web nope
check "--json status web nope is an array of web alone" \
	eval 'printf "%s\n" "$SO" | python3 -c "
import json, sys
u = json.load(sys.stdin)
assert [x[\"name\"] for x in u] == [\"web\"], u
assert u[0][\"state\"] == \"running\", u
"'
check "--json status web nope says nope on stderr ($SE)" \
	eval '[ "$SE" = "svctl: unit nope not found" ]'
exits "status bad" 0 status bad
check "status bad shows bad-config and its message" \
	eval '[[ "$SO" == *bad-config* && "$SO" == *"bad.unit:2:"* ]]'
exits "list" 0 list
check "list shows descriptions" eval '[[ "$SO" == *"exec of a missing binary"* ]]'
exits "--json status" 0 --json status
check "--json status is valid JSON" json_ok
check "--json status: web's pid is the live process" \
	eval 'printf "%s\n" "$SO" | python3 -c "
import json, sys
u = {x[\"name\"]: x for x in json.load(sys.stdin)}
assert u[\"web\"][\"state\"] == \"running\", u[\"web\"]
assert u[\"web\"][\"pid\"] == $(svc_pid web), u[\"web\"]
assert u[\"bad\"][\"state\"] == \"bad-config\"
assert u[\"note\"][\"status_text\"] == \"warming\", u[\"note\"]
assert len(u) == 6
"'
exits "--json status web" 0 --json status web
check "--json status web is valid JSON" json_ok
exits "-j list" 0 -j list
check "--json list is valid JSON" json_ok
exits "--json status nope" 3 --json status nope
# tree needs a cgroup2 hierarchy: the host tier runs initd --no-cgroup, so
# here it fails cleanly (the VM tier checks its output).
exits "tree without a cgroup hierarchy fails" 1 tree
check "tree says why" eval '[[ "$SE" == *"without a cgroup2 hierarchy"* ]]'
exits "--json tree without a cgroup hierarchy fails" 1 --json tree
exits "tree takes no operand" 2 tree web

# ---- start / stop / restart wait for the outcome -----------------------------------------
old=$(svc_pid web)
exits "stop web" 0 stop web
check "stop returned with web stopped" state_is web stopped
check "stop returned with the process gone ($old)" ns_gone "$old"
exits "start web" 0 start web
new=$(svc_pid web)
check "start returned with web running" state_is web running
check "start returned with a live process ($new)" ns_alive "$new"
exits "restart web" 0 restart web
check "restart returned with a new live process" \
	eval 'p=$(svc_pid web); [ "$p" != "$new" ] && ns_alive "$p" && ns_gone "$new"'
exits "stop note" 0 stop note
t0=$(wall_us)
exits "start note (notify, ready after 400ms)" 0 start note
t1=$(wall_us)
check "start note waited for READY=1 (took $(( (t1 - t0) / 1000 ))ms)" \
	eval '[ $(( t1 - t0 )) -ge 350000 ]'
check "start note returned with note running" state_is note running
exits "start once (oneshot)" 0 start once
check "start once returned with once exited" state_is once exited
exits "start failer (oneshot, exits 7)" 1 start failer
check "start failer says why" eval '[[ "$SE" == *failer* && "$SE" == *7* ]]'
exits "start broken (missing binary)" 1 start broken
check "start broken says why" eval '[[ "$SE" == *broken* ]] && [[ "$SE" == *[Nn]"o such file"* || "$SE" == *exec* ]]'
exits "start bad (bad-config)" 1 start bad
check "start bad says it is badly configured" eval '[[ "$SE" == *bad* && "$SE" == *config* ]]'
for c in start stop restart; do
	exits "$c of an unknown unit" 3 "$c" nope
done
p=$(svc_pid web)
exits "stop web nope: nothing is done" 3 stop web nope
check "stop web nope left web running" eval 'state_is web running && [ "$(svc_pid web)" = "$p" ]'
exits "stop web note" 0 stop web note
check "both are stopped" eval 'state_is web stopped && state_is note stopped'
exits "start web note" 0 start web note
check "both are running" eval 'state_is web running && state_is note running'
exits "wait" 0 wait
exits "wait takes no operand" 2 wait web

# ---- logs ------------------------------------------------------------------------------------
check "web printed a dozen lines" wait_until 5 eval '[ "$(sv logs web -n 12 | wc -l)" -ge 12 ]'
exits "logs web" 0 logs web
check "logs web: 10 lines by default" eval '[ "$(printf "%s\n" "$SO" | wc -l)" = 10 ]'
check "logs web: lines are web's output, stamped" eval '! printf "%s\n" "$SO" | grep -Ev "^[0-9-]{10}T[0-9:.]{12}Z testd [0-9]+ (line [0-9]+|started|got SIGTERM.*|dying by SIGTERM)$"'
exits "logs web -n 3" 0 logs web -n 3
check "logs -n 3: 3 lines" eval '[ "$(printf "%s\n" "$SO" | wc -l)" = 3 ]'
exits "logs -n 5 web (option first)" 0 logs -n 5 web
check "logs -n 5: 5 lines" eval '[ "$(printf "%s\n" "$SO" | wc -l)" = 5 ]'
exits "logs --lines=1 web" 0 logs --lines=1 web
check "logs --lines=1: 1 line" eval '[ "$(printf "%s\n" "$SO" | grep -c .)" = 1 ]'
exits "logs of an unknown unit" 3 logs nope
"$SVCTL" --socket "$T/control" logs -f -n 1 web > "$T/follow.out" 2> "$T/follow.err" &
follow_pid=$!
lines() { wc -l < "$T/follow.out"; }
check "logs -f streams new lines" wait_until 5 eval '[ "$(lines)" -ge 5 ]'
n1=$(lines)
check "logs -f keeps streaming" wait_until 5 eval '[ "$(lines)" -gt "$n1" ]'
check "logs -f lines are consecutive" eval '
	awk "{ print \$5 }" "$T/follow.out" | awk "NR > 1 && \$1 != prev + 1 { exit 1 } { prev = \$1 }"'
check "svctl status answers while a follower is attached" sv status web
kill -TERM "$follow_pid" 2>/dev/null
wait "$follow_pid"; frc=$?
is "logs -f ends by the signal that killed it" "$frc" 143
check "initd answers after the follower went away" sv status
check "logs -f printed no error" test ! -s "$T/follow.err"

# ---- kill ------------------------------------------------------------------------------------
old=$(svc_pid web)
exits "kill web HUP" 0 kill web HUP
check "web restarts with a new PID after SIGHUP" \
	wait_until 5 eval 'p=$(svc_pid web); [ "$p" != "$old" ] && [ "$p" != - ] && state_is web running'
check "the old web ($old) is gone" ns_gone "$old"
check "status gives SIGHUP as web's last exit" eval 'svc_line web | grep -Eq "HUP|signal 1\b"'
old=$(svc_pid web)
exits "kill web 9" 0 kill web 9
check "web restarts after signal 9" \
	wait_until 5 eval 'p=$(svc_pid web); [ "$p" != "$old" ] && [ "$p" != - ] && state_is web running'
old=$(svc_pid web)
# the new web logs its SIGTERM once set up (its touch line is there)
check "web ($old) is set up (its touch line)" wait_until 5 eval '[ "$(touch_pid web)" = "$old" ]'
exits "kill web sigterm (lower case, SIG prefix)" 0 kill web sigterm
check "web got SIGTERM (its log)" wait_until 5 eval 'grep -q "^$old .*SIGTERM" "$T/web.log"'
check "web comes back after SIGTERM" wait_until 5 eval 'state_is web running && [ "$(svc_pid web)" != "$old" ]'
exits "kill of an unknown unit" 3 kill nope TERM
exits "kill of a unit with no process" 1 kill once TERM
check "kill once says there is no process" eval '[[ "$SE" == *once* ]]'
# note.log already holds the SIGTERMs of the stops above: only a line of
# note's current process counts.
old=$(svc_pid note)
check "note ($old) is set up (its touch line)" wait_until 5 eval '[ "$(touch_pid note)" = "$old" ]'
exits "kill defaults to TERM" 0 kill note
check "note ($old) got SIGTERM" wait_until 5 eval 'grep -q "^$old .*got SIGTERM" "$T/note.log"'

# ---- an unprivileged user ------------------------------------------------------------------
nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"; }
p=$(svc_pid web)
rc=0; nobody timeout 10 "$SVCTL" --socket "$T/control" status > /dev/null 2> "$T/nobody.err" || rc=$?
is "nobody: status is refused (exit 4)" "$rc" 4
check "nobody: the refusal says why" eval 'grep -q "Permission denied" "$T/nobody.err" && grep -q "only root" "$T/nobody.err"'
# Past the file mode (0666 by hand): initd's own SO_PEERCRED check.
chmod 0666 "$T/control"
for c in status "start web" "stop web" "kill web KILL" "logs web" list wait poweroff; do
	rc=0; nobody timeout 10 "$SVCTL" --socket "$T/control" $c > /dev/null 2> "$T/nobody.err" || rc=$?
	is "nobody through a 0666 socket: $c is refused (exit 4)" "$rc" 4
done
check "nobody: initd says only root may use the socket" \
	grep -q "permission denied: only root may use initd's control socket" "$T/nobody.err"
chmod 0600 "$T/control"
check "nobody changed nothing: web still runs as $p" \
	eval 'state_is web running && [ "$(svc_pid web)" = "$p" ] && ns_alive "$p"'

# ---- the help of poweroff / reboot / halt never acts ---------------------------------------
for c in poweroff reboot halt; do
	exits "$c -h" 0 "$c" -h
done
check "initd is still up after the help of poweroff/reboot/halt" \
	eval 'unshare_alive && sv status > /dev/null'

# At most 256 names in one request: more are a usage error (svctl(8)),
# and the reason says so.
many=$(for i in $(seq 257); do echo web; done)
for c in status start stop restart; do
	many_out=$(sv $c $many 2>&1); many_rc=$?
	check "$c with 257 names: a usage error (exit $many_rc), saying why: $many_out" \
		eval '[ "$many_rc" = 2 ] && grep -q "more than 256 unit names" <<< "$many_out"'
done
check "web still runs: the refused stop did nothing" state_is web running
# initd keeps the limit itself against any other client.
raw=$(timeout 30 python3 "$(dirname "$0")/ctl_clients.py" names "$T/control" 257 web)
check "initd refuses a request of 257 names with E2BIG: $raw" eval '[[ "$raw" == "error 7 "* ]]'
raw=$(timeout 30 python3 "$(dirname "$0")/ctl_clients.py" names "$T/control" 256 web)
is "initd answers a request of 256 names" "$raw" "ok 256"
out=$(sv status $(for i in $(seq 256); do echo web; done) 2>&1); rc=$?
is "256 names are taken" "$rc" 0

stop_initd
[ "$FAILED" -eq 0 ]
