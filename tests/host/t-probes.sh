#!/bin/bash
# t-probes.sh — ready and health probes (issue 15). A simple unit with a
# ready probe is `starting` until the probe succeeds, and units ordered
# after it wait; tcp and http probes run in the unit's own network namespace
# (its 127.0.0.1 is not the host's); an exec ready probe, also of a unit
# in a PID namespace of its own; a health exec
# probe failing `failures` times restarts the unit with the reason; a hung
# probe is killed at its timeout (and its command with it) while svctl
# answers; a stopped http server fails its health probe by timeout; a ready
# probe that never succeeds ends at start_timeout with the probe's reason;
# an exec probe of a unit whose nofile is below what the helper holds;
# an exec probe sees the environment files' variables; a ready probe
# failing with no start timeout, and a health probe failing fewer than
# `failures` times, say so in the reason (it read "-"); an exec probe runs
# in the unit's workdir, as the service does (it ran in initd's), and one
# whose workdir went says so.
. "$(dirname "$0")/lib.sh"

HTTPD=
if busybox --list 2>/dev/null | grep -qx httpd; then
	HTTPD=$(command -v busybox)
fi

new_boot probes
mkdir -p "$T/www"
echo hello > "$T/www/index.html"
sh_unit() {   # sh_unit NAME 'SCRIPT' [LINE...]: a unit running sh -c SCRIPT
	local name=$1 script=$2
	shift 2
	{
		echo "exec = [ \"/bin/sh\", \"-c\", $(cfg_str "$script") ];"
		for a in "$@"; do echo "$a"; done
	} > "$T/conf/units/$name.unit"
}
# web: a server that listens once $T/go exists, in its own network
# namespace; its health probe is http, 1 s (a busy machine's httpd may be
# slow, never a second).
sh_unit web "while [ ! -e $T/go ]; do sleep 0.05; done; exec $HTTPD httpd -f -p 127.0.0.1:8080 -h $T/www" \
	'namespaces = [ "net" ];' \
	'ready = { tcp = "127.0.0.1:8080"; interval = "100ms"; };' \
	'health = { http = "http://127.0.0.1:8080/"; interval = "300ms"; timeout = "1s"; failures = 2; };' \
	'start_timeout = "60s";' 'restart_delay = "0";' 'stop = { timeout = "2s"; };'
testd_unit later "" 'after = [ "web" ];' 'requires = [ "web" ];'
# hweb: ready once GET /ok.html answers 200 (404 before).
sh_unit hweb "exec $HTTPD httpd -f -p 127.0.0.1:8081 -h $T/www" \
	'namespaces = [ "net" ];' \
	'ready = { http = "http://127.0.0.1:8081/ok.html"; interval = "100ms"; };'
testd_unit ex "" "ready = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "test -e $T/ex-ready") ]; interval = \"100ms\"; };"
# pidex: its exec probe's command runs in the unit's PID namespace, whose
# parent (the probe's helper) is outside it.
testd_unit pidex "" 'namespaces = [ "pid" ];' \
	"ready = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "readlink /proc/self/ns/pid > $T/pidex.ns; test -e $T/pidex-ready") ]; interval = \"100ms\"; };" \
	'start_timeout = "30s";' 'restart = "no";'
# relapse: restarted by its health probe, its new run's ready probe fails:
# the reason keeps the exit that restarted it, the failing probe after it.
testd_unit relapse "" \
	"ready = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "test -e $T/relapse-ready") ]; interval = \"100ms\"; };" \
	"health = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "test ! -e $T/relapse-sick") ]; interval = \"200ms\"; failures = 2; };" \
	'start_timeout = "0";' 'restart_delay = "0";'
testd_unit sick "" \
	"health = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "test ! -e $T/sick") ]; interval = \"200ms\"; failures = 3; };" \
	'restart_delay = "0";'
testd_unit hang "" \
	"health = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "test ! -e $T/hang && exit 0; exec sleep 97") ]; interval = \"200ms\"; timeout = \"500ms\"; failures = 2; };" \
	'restart = "no";'
# A probe's command whose own children outlive it: at its timeout (hang2)
# and when it ends on time (litter): they go with it, not on to pile up.
testd_unit hang2 "" \
	"health = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "sleep 96; true") ]; interval = \"200ms\"; timeout = \"300ms\"; failures = 100; };"
testd_unit litter "" \
	"health = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "sleep 95 & exit 0") ]; interval = \"200ms\"; };"
# fewfd: a nofile below what the probe's helper holds (its pipes, /dev/null
# and the pidfd, up to fd 9): its exec check still runs, under that limit
# (before, "exec: too many open files": never ready).
sh_unit fewfd "exec sleep 1000" 'rlimits = { nofile = 6; };' \
	"ready = { exec = [ \"/bin/sh\", \"-c\", \"test \$(ulimit -n) = 6\" ]; interval = \"100ms\"; };" \
	'start_timeout = "30s";' 'restart = "no";'
# envex: its exec check's command gets the service's environment, the
# environment files' variables too (before, inline environment only: a
# check needing a password from the unit's file never passed), the inline
# environment winning over them.
printf 'FROMFILE=file\nBOTH=file\n' > "$T/envex.env"
sh_unit envex "exec sleep 1000" "environment_files = [ $(cfg_str "$T/envex.env") ];" \
	'environment = { BOTH = "inline"; };' \
	"ready = { exec = [ \"/bin/sh\", \"-c\", \"test \\\"\$FROMFILE \$BOTH\\\" = 'file inline'\" ]; interval = \"100ms\"; };" \
	'start_timeout = "30s";' 'restart = "no";'
testd_unit never "" 'namespaces = [ "net" ];' \
	'ready = { tcp = "127.0.0.1:9"; interval = "100ms"; };' \
	'start_timeout = "1s";' 'restart = "no";'
# stuck: never ready and no start timeout: starting for ever; weak: its
# health probe fails, its failures far off. Their reasons say why (they
# read "-": only an exit was shown).
sh_unit stuck "exec sleep 1000" 'namespaces = [ "net" ];' \
	'ready = { tcp = "[::1]:9"; interval = "100ms"; };' 'start_timeout = "0";'
sh_unit weak "exec sleep 1000" \
	'health = { exec = [ "/bin/false" ]; interval = "1s"; failures = 100; };'
# wdex: its ready check passes only in its workdir; wdgone: its health
# check fails once its workdir was removed.
mkdir -p "$T/wd" "$T/wdgone"
touch "$T/wd/ready-here"
sh_unit wdex "exec sleep 1000" "workdir = $(cfg_str "$T/wd");" \
	"ready = { exec = [ \"/bin/sh\", \"-c\", $(cfg_str "pwd > $T/wdex.pwd; test -e ready-here") ]; interval = \"100ms\"; };" \
	'start_timeout = "30s";' 'restart = "no";'
sh_unit wdgone "exec sleep 1000" "workdir = $(cfg_str "$T/wdgone");" \
	'health = { exec = [ "/bin/true" ]; interval = "100ms"; failures = 100; };' 'restart = "no";'
start_initd

if [ -z "$HTTPD" ]; then
	diag "no busybox httpd on this host: web and hweb not checked"
else
	sleep 0.5
	check "web is starting while nothing listens" state_is web starting
	check "later (after web) is not started meanwhile" eval '! state_is later running'
	check "the host's 127.0.0.1:8080 is not the unit's (nothing answers there)" \
		eval '! in_ns nc -z 127.0.0.1 8080'
	touch "$T/go"
	check "web is running once it accepts connections" wait_state web running 10
	check "later starts once web is ready" wait_state later running 10
	check "hweb is starting while /ok.html is 404" state_is hweb starting
	echo ok > "$T/www/ok.html"
	check "hweb is running once GET /ok.html answers 200" wait_state hweb running 10

	# SIGSTOP: the kernel still completes a tcp handshake; http times out.
	pid=$(svc_pid web)
	in_ns kill -STOP "$pid"
	restarted() { [ "$(svc_restarts web)" = 1 ] && state_is web running; }
	check "a stopped web fails its http health probe and is restarted" wait_until 20 restarted
	check "... with the reason" eval 'svc_reason web | grep -q "health check failed: timed out after 1s"'
	check "... a new main process" eval '[ "$(svc_pid web)" != "$pid" ]'
fi

check "svctl show prints the probes" eval \
	'sv show web | grep -q "tcp = \"127.0.0.1:8080\";" && sv show web | grep -q "failures = 2;"'
check "ex is starting while its exec probe fails" state_is ex starting
touch "$T/ex-ready"
check "ex is running once the exec probe exits 0" wait_state ex running 10

check "pidex (a PID namespace) is starting while its exec probe fails" state_is pidex starting
touch "$T/pidex-ready"
check "pidex is running once the exec probe, in its PID namespace, exits 0" wait_state pidex running 10
is "... its command ran in the unit's PID namespace" "$(cat "$T/pidex.ns")" \
	"$(in_ns readlink "/proc/$(svc_pid pidex)/ns/pid")"

check "sick is running" wait_state sick running 10
touch "$T/sick"
sick_restarted() { [ "$(svc_restarts sick)" -ge 1 ]; }
check "sick is restarted after 3 failed health probes" wait_until 15 sick_restarted
rm -f "$T/sick"
check "... with the reason" eval 'svc_line sick | grep -q "health check failed: exec exited 1"'
check "... and runs again" wait_state sick running 10

touch "$T/relapse-ready"
check "relapse is running" wait_state relapse running 10
rm -f "$T/relapse-ready"
touch "$T/relapse-sick"
relapse_said() {
	svc_reason relapse | grep -Eq '^health check failed: exec exited 1; ready probe failing \([0-9]+ tr(y|ies)\): exec exited 1$'
}
check "relapse restarted, its ready probe failing: the reason says both ($(svc_reason relapse))" \
	wait_until 15 relapse_said
rm -f "$T/relapse-sick"
touch "$T/relapse-ready"
check "... and it runs again" wait_state relapse running 10

check "hang is running" wait_state hang running 10
touch "$T/hang"
sleep 0.3
check "svctl answers while a probe hangs" control_answers
check "a hung probe is killed at its timeout: hang fails with the reason" wait_state hang failed 15
is "... reason" "$(svc_reason hang)" "health check failed: timed out after 500ms"
check "the hung probe's command is gone (dies with its helper)" \
	wait_until 5 eval '! in_ns pgrep -f "sleep 97" >/dev/null'

check "hang2 and litter are running" wait_until 10 eval 'state_is hang2 running && state_is litter running'
sleep 1.5   # several timed-out probes of hang2, several probes of litter
ns_count() { local n; n=$(in_ns pgrep -c -f "$1" 2>/dev/null); echo "${n:-0}"; }
n=$(ns_count "^sleep 96")
check "hang2: at most the running probe's child (and one being killed) is there ($n)" test "$n" -le 2
n=$(ns_count "^sleep 95")
check "litter: no probe's background child outlives it ($n)" test "$n" -le 2

check "fewfd (nofile 6) is ready: its exec check ran, under its nofile" wait_state fewfd running 10
check "envex is ready: its exec check saw the environment file's variables, the inline one winning" \
	wait_state envex running 10
check "a ready probe that never succeeds ends at start_timeout" wait_state never failed 15
is "... with the probe's reason" "$(svc_reason never)" \
	"start timeout (1s), ready probe: tcp 127.0.0.1:9: connection refused"
stuck_said() { svc_reason stuck | grep -Eq '^ready probe failing \([0-9]+ tr(y|ies)\): tcp \[::1\]:9: '; }
check "a ready probe failing, no start timeout: the reason says so" wait_until 10 stuck_said
check "... stuck is still starting" state_is stuck starting
check "... svctl show's last exit too" eval 'sv show stuck | grep -Eq "^last exit +ready probe failing \("'
check "... and --json status's reason" eval \
	'sv --json status stuck | grep -Eq "\"reason\":\"ready probe failing \([0-9]+ tr(y|ies)\): tcp \[::1\]:9: "'
weak_said() { svc_reason weak | grep -Eq '^health probe failing \([0-9]+ of 100\): exec exited 1$'; }
check "a health probe failing below its failures: the reason says so" wait_until 10 weak_said
check "... weak is still running" state_is weak running
check "wdex is ready: its exec check ran in the unit's workdir" wait_state wdex running 10
is "... its working directory" "$(cat "$T/wdex.pwd" 2>/dev/null)" "$T/wd"
check "wdgone is running" wait_state wdgone running 10
rmdir "$T/wdgone"
wdgone_said() { svc_reason wdgone | grep -Eq "^health probe failing \([0-9]+ of 100\): exec: chdir $T/wdgone: no such file or directory\$"; }
check "an exec check whose workdir is gone fails, saying so" wait_until 10 wdgone_said
check "initd is still there" control_answers
stop_initd

[ "$FAILED" -gt 0 ] && dump_log
[ "$FAILED" -eq 0 ]
