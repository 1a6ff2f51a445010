#!/bin/bash
# t-instances.sh — templates and instances (issue 15, initd.unit(5)
# TEMPLATES AND INSTANCES, doc/DESIGN.md §4 and §9), checked in /proc:
#   declared   initd.conf's instances of worker@.unit run, each with its
#              own %i and %n in its argv (/proc/PID/cmdline)
#   requires   web requires worker@1, a declared instance
#   check      `initd --check` passes; a bad instance name in initd.conf
#              (empty, '/', '..', a bad character) is refused with the file
#              and line; a template with an unknown specifier is refused
#              even with no instance (a placeholder one)
#   run time   `svctl start worker@7` loads and starts an instance nobody
#              declared; stop and status work on it; a reload keeps it
#              running (the same process); `svctl restart worker@5` of
#              one not loaded does as start; stop and kill of one not
#              loaded are "not found"
#   refused    `svctl start 'worker@.x'`, `svctl start nope@1` fail with a
#              clear message; an instance that does not validate (hostname
#              from %i) fails with the template's FILE:LINE and is
#              forgotten: the next reload succeeds
#   gone       a run-time instance whose template is removed goes at the
#              next reload
#   stopped    a stopped run-time instance is forgotten at the next reload
. "$(dirname "$0")/lib.sh"

# svx CMD... — svctl; stdout in $SO, stderr in $SE, exit code in $rc.
svx() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 20 "$SVCTL" --socket "$T/control" "$@" > "$o" 2> "$e"
	rc=$?
	SO=$(cat "$o") SE=$(cat "$e")
	rm -f "$o" "$e"
}

# says WHAT PATTERN TEXT — ok when TEXT has a line matching PATTERN (no
# boot needed: --check runs before any).
says() {
	if grep -q -- "$2" <<< "$3"; then ok "$1"; else not_ok "$1" "no '$2' in:" "$3"; fi
}

ns_cmdline() { in_ns cat "/proc/$1/cmdline" 2>/dev/null | tr '\0' ' '; }
known() { sv status "$1" > /dev/null 2>&1; }

# template NAME [LINE...] — units/NAME@.unit running testd, its touch and
# log files named after %i and %n.
template() {
	local name=$1
	shift
	{
		echo "exec = [ $(cfg_str "$TESTD"), \"--touch\", $(cfg_str "$T/$name-%i.touch"),"
		echo "         \"--log\", $(cfg_str "$T/%n.log") ];"
		echo 'environment = { INSTANCE = "%i"; };'
		for a in "$@"; do
			echo "$a"
		done
	} > "$T/conf/units/$name@.unit"
}

new_boot instances
template worker
template job
template host 'namespaces = [ "uts" ];' 'hostname = "h-%i";'
testd_unit web "" 'requires = [ "worker@1" ];' 'after = [ "worker@1" ];'
cat > "$T/conf/initd.conf" <<'EOF'
instances = ( { template = "worker"; names = [ "1", "2" ]; } );
EOF

# ---- --check ----------------------------------------------------------------------
out=$("$INITD" --check "$T/conf" 2>&1)
is "check: a template with declared instances passes" "$?" 0
[ -n "$out" ] && diag "$out"

bad=$WORK/bad
rm -rf "$bad" && mkdir -p "$bad/units"
cp "$T/conf/units/worker@.unit" "$bad/units/"
printf 'exec = [ "/bin/echo", "%%q" ];\n' > "$bad/units/spec@.unit"
cat > "$bad/initd.conf" <<'EOF'
# bad names
instances = ( { template = "worker";
                names = [ "", "a/b", "..", "x y", "-x", "0123456789012345678901234567890123" ]; } );
EOF
out=$("$INITD" --check "$bad" 2>&1)
is "check: bad instance names are refused (exit 1)" "$?" 1
for want in "initd.conf:3: 'instances\[0\].names\[0\]': invalid instance name '': it is empty" \
	    "names\[1\]': invalid instance name 'a/b': it holds '/'" \
	    "names\[2\]': invalid instance name '..': it is '.' or '..'" \
	    "names\[3\]': invalid instance name 'x y': it holds a character outside" \
	    "names\[4\]': invalid instance name '-x': it starts with" \
	    "names\[5\]': .*it is longer than 32 bytes" \
	    "spec@.unit:1: placeholder instance 'spec@1': 'exec\[1\]': '%q' holds an unknown specifier"; do
	says "check: says: $want" "$want" "$out"
done

# A template error is reported for each instance, at the template's line.
printf 'instances = ( { template = "host"; names = [ "ok", "no_t" ]; } );\n' > "$bad/initd.conf"
cp "$T/conf/units/host@.unit" "$bad/units/"
rm "$bad/units/spec@.unit"
out=$("$INITD" --check "$bad" 2>&1)
is "check: an instance the template does not fit is refused" "$?" 1
says "check: the template's FILE:LINE and the instance" \
	"host@.unit:5: instance 'host@no_t': 'hostname': invalid hostname 'h-no_t'" "$out"
is "check: the other instance is fine" "$(grep -c "'host@ok'" <<< "$out")" 0

# ---- declared instances -------------------------------------------------------------
start_initd
check "declared: worker@1, worker@2 and web run" \
	wait_until 5 eval 'state_is worker@1 running && state_is worker@2 running && state_is web running'
for i in 1 2; do
	check "declared: worker@$i's argv has its %i and %n" \
		eval '[[ "$(ns_cmdline "$(svc_pid worker@$i)")" == *"/worker-$i.touch --log "*"/worker@$i.log"* ]]'
	check "declared: worker@$i's environment has INSTANCE=$i" \
		eval 'in_ns cat /proc/$(svc_pid worker@$i)/environ | tr "\0" "\n" | grep -qx INSTANCE=$i'
done

# ---- run time -------------------------------------------------------------------------
svx start worker@7
is "run time: svctl start worker@7 succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"
check "run time: worker@7 runs with 7 in its argv" \
	eval '[[ "$(ns_cmdline "$(svc_pid worker@7)")" == *"/worker-7.touch"* ]]'
# worker@1's touch line is written after exec ("running"): polled
check "run time: the declared ones were not restarted" \
	wait_until 5 eval '[ "$(svc_restarts worker@1)" = 0 ] && [ "$(touch_count worker-1)" = 1 ]'
w7=$(svc_pid worker@7)
svx reload
is "run time: a reload succeeds" "$rc" 0
check "run time: the reload keeps worker@7, the same process" \
	eval 'state_is worker@7 running && [ "$(svc_pid worker@7)" = "$w7" ] && ns_alive "$w7"'
svx stop worker@7
is "run time: svctl stop worker@7 succeeds" "$rc" 0
check "run time: worker@7's process is gone" wait_until 5 ns_gone "$w7"
check "run time: status shows worker@7 stopped" state_is worker@7 stopped
svx start worker@7
check "run time: started again" eval '[ "$rc" = 0 ] && state_is worker@7 running'

# restart of an instance not loaded yet starts it, as systemctl's restart
# of a unit not running does (the old code: "unit worker@5 not found",
# exit 3, while start made it); stop and kill of one are "not found"
for c in "stop worker@6" "kill worker@6 TERM"; do
	svx $c
	check "run time: $c, not loaded: not found (exit 3, $rc)" \
		eval '[ "$rc" = 3 ] && [[ "$SE" == *"unit worker@6 not found"* ]]'
	check "run time: $c did not make it" eval '! known worker@6'
done
svx restart worker@5
is "run time: svctl restart worker@5, not loaded, succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"
check "run time: worker@5 runs with 5 in its argv" \
	eval 'state_is worker@5 running && [[ "$(ns_cmdline "$(svc_pid worker@5)")" == *"/worker-5.touch"* ]]'
w5=$(svc_pid worker@5)
svx restart worker@5
is "run time: a second restart of worker@5 succeeds" "$rc" 0
check "run time: it ran worker@5 anew" \
	eval 'p=$(svc_pid worker@5); [ "$p" != "$w5" ] && ns_alive "$p" && ns_gone "$w5"'
svx restart worker@1 worker@8
is "run time: restart of a loaded and a new instance together succeeds" "$rc" 0
check "run time: worker@8 runs" state_is worker@8 running
svx restart nope@1
check "run time: restart nope@1: no template (exit 3, $rc)" \
	eval '[ "$rc" = 3 ] && [[ "$SE" == *"nope@1 not found (no template nope@.unit)"* ]]'
svx stop worker@5 worker@8
is "run time: stop worker@5 worker@8" "$rc" 0

# ---- refused ----------------------------------------------------------------------------
svx start 'worker@.x'
check "refused: worker@.x (exit != 0)" [ "$rc" != 0 ]
check "refused: worker@.x says why" grep -q "invalid instance name '.x': it starts with" <<< "$SE"
svx start 'worker@a/b'
check "refused: worker@a/b says why" grep -q "invalid instance name 'a/b': it holds '/'" <<< "$SE"
svx start nope@1
check "refused: nope@1 has no template" grep -q "nope@1 not found (no template nope@.unit)" <<< "$SE"
svx start host@no_t
check "refused: host@no_t does not validate (exit != 0)" [ "$rc" != 0 ]
check "refused: host@no_t: the template's FILE:LINE and the instance" \
	grep -q "host@.unit:5: instance 'host@no_t': 'hostname': invalid hostname" <<< "$SE"
check "refused: host@no_t is not a unit" eval '! known host@no_t'
svx reload
is "refused: host@no_t is forgotten, the next reload succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "stderr: $SE"

# ---- a gone template --------------------------------------------------------------------
svx start job@3
check "gone: job@3 runs" eval '[ "$rc" = 0 ] && state_is job@3 running'
j3=$(svc_pid job@3)
rm "$T/conf/units/job@.unit"
svx reload
is "gone: the reload succeeds" "$rc" 0
check "gone: job@3's process is stopped" wait_until 5 ns_gone "$j3"
check "gone: job@3 is no longer a unit" eval '! known job@3'
check "gone: worker@7 still runs" state_is worker@7 running

# ---- a stopped one ----------------------------------------------------------------------
# Stopped, a run-time instance is forgotten at the next reload: a template
# edited so that it no longer fits the name does not refuse every later
# reload, and the 1024 names do not fill up for good (the old code kept
# every name while its template lived).
svx start worker@x
check "stopped: worker@x runs" eval '[ "$rc" = 0 ] && state_is worker@x running'
svx stop worker@x
check "stopped: worker@x stopped" wait_state worker@x stopped 5
svx reload
is "stopped: a reload succeeds" "$rc" 0
check "stopped: worker@x is no longer a unit" eval '! known worker@x'
svx start worker@a_b
check "stopped: worker@a_b runs" eval '[ "$rc" = 0 ] && state_is worker@a_b running'
cp "$T/conf/units/worker@.unit" "$T/worker.orig"
printf '%s\n' 'namespaces = [ "uts" ];' 'hostname = "h-%i";' >> "$T/conf/units/worker@.unit"
svx reload
check "stopped: a template edit worker@a_b no longer fits refuses the reload" [ "$rc" != 0 ]
svx stop worker@a_b
check "stopped: worker@a_b stopped" wait_state worker@a_b stopped 5
svx reload
is "stopped: then the reload succeeds" "$rc" 0
cp "$T/worker.orig" "$T/conf/units/worker@.unit"
svx reload
# A load that left a stopped one out but was refused forgets nothing: it is
# started again, and the next good reload keeps it running (the old code
# forgot the name when the load began, and that reload stopped it).
svx start worker@y
svx stop worker@y
check "stopped: worker@y stopped" wait_state worker@y stopped 5
echo 'frobnicate = 1;' > "$T/conf/units/broken.unit"
svx reload
check "stopped: a reload with a broken unit is refused" [ "$rc" != 0 ]
svx start worker@y
check "stopped: worker@y runs again" eval '[ "$rc" = 0 ] && state_is worker@y running'
rm "$T/conf/units/broken.unit"
svx reload
is "stopped: the good reload succeeds" "$rc" 0
check "stopped: and keeps worker@y running" state_is worker@y running

stop_initd
[ "$FAILED" -eq 0 ]
