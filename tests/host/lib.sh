# lib.sh — helpers for the host tier, sourced by every tests/host/t-*.sh.
#
# Each t-*.sh is one bash process (run.sh gives it a time limit). It boots
# initd as PID 1 of a fresh PID + mount + UTS namespace under unshare, any
# number of times in turn, writes unit files that run tests/testd, and
# asserts the kernel's view (/proc inside the namespace, files testd wrote)
# more than initd's own report. Every wait is a bounded poll.
#
#   new_boot NAME            fresh directory $T (conf/units, testd files)
#   testd_unit NAME 'ARGS' [LINE...]   a unit running testd ARGS (+ --touch
#                            $T/NAME.touch --log $T/NAME.log) and extra lines
#   start_initd              unshare ... initd; waits until svctl answers
#                            (INITD_PRE: shell run in the namespace first)
#   stop_initd               svctl poweroff, then (only if needed) SIGKILL
#   sv ARGS...               svctl --socket $T/control ARGS (bounded)
#   svc_state/svc_pid/svc_restarts NAME, wait_state NAME STATE SECONDS
#   in_ns CMD...             run CMD inside the namespace (nsenter -p -m)
#   ok/not_ok/check/is       TAP lines "ok - t-NAME: what"
#
# Never touches /sys/fs/cgroup (initd runs with --no-cgroup) and kills only
# the unshare process it started and that process's child (initd).

set -u

BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd) || exit 1
INITD=$BUILD/initd
SVCTL=$BUILD/svctl
TESTD=$BUILD/testd
TEST_FILE=$(basename "$0" .sh)
HOST_WORK=${HOST_WORK:-$BUILD/results/host.d}
WORK=$HOST_WORK/$TEST_FILE

T=                 # the current boot's directory
UNSHARE_PID=       # host PID of the unshare process we started
INITD_HPID=        # host PID of initd (PID 1 inside the namespace)
NS_ID=             # its PID namespace, "pid:[INODE]"
BOOT_OK=0          # 1 while a boot is up and answering
BOOT_FAILS=0       # failed assertions during the current boot
FAILED=0           # failed assertions in this file

# ---- TAP ------------------------------------------------------------------

diag() { printf '# %s\n' "$@"; }

ok() { echo "ok - $TEST_FILE: $1"; }

not_ok() {
	echo "not ok - $TEST_FILE: $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	FAILED=$((FAILED + 1))
	BOOT_FAILS=$((BOOT_FAILS + 1))
	return 0
}

# check NAME CMD... — ok if CMD succeeds. CMD's output becomes diagnostics
# on failure. Without a running boot the assertion fails without running.
check() {
	local name=$1 out
	shift
	if [ "$BOOT_OK" != 1 ] && [ "${NEEDS_BOOT:-1}" = 1 ]; then
		not_ok "$name" "not run: initd did not come up"
		return 1
	fi
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "failed: $*"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
}

# is NAME GOT WANT — string equality.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$2', want '$3'"
		return 1
	fi
}

# ---- time and polling ----------------------------------------------------

# CLOCK_MONOTONIC in microseconds, the clock testd stamps its files with.
now_us() { "$TESTD" --now; }

# Wall-clock microseconds, for bounding waits (bash >= 5).
wall_us() { echo "${EPOCHREALTIME/[.,]/}"; }

# wait_until SECONDS CMD... — poll CMD every 50ms until it succeeds, for at
# most SECONDS (fractions allowed) of wall time.
wait_until() {
	local end
	end=$(( $(wall_us) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }') ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(wall_us)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# ---- unit files ------------------------------------------------------------

# new_boot NAME — a fresh directory for one boot: $T/conf/units, $T/*.touch...
new_boot() {
	T=$WORK/$1
	rm -rf "$T"
	mkdir -p "$T/conf/units"
	BOOT_FAILS=0
}

# cfg_str S — S as a libconfig string literal.
cfg_str() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

# unit NAME < TEXT — write a unit file verbatim.
unit() { cat > "$T/conf/units/$1.unit"; }

# testd_unit NAME 'TESTD ARGS' [LINE...] — a unit that runs testd with ARGS
# (split on blanks) plus --touch $T/NAME.touch --log $T/NAME.log, followed
# by the given lines (restart = ..., requires = [...], ...).
testd_unit() {
	local name=$1 args=$2 a exec
	shift 2
	exec="$(cfg_str "$TESTD"), \"--touch\", $(cfg_str "$T/$name.touch"), \"--log\", $(cfg_str "$T/$name.log")"
	for a in $args; do
		exec="$exec, $(cfg_str "$a")"
	done
	{
		echo "description = \"testd $name\";"
		echo "exec = [ $exec ];"
		for a in "$@"; do
			echo "$a"
		done
	} > "$T/conf/units/$name.unit"
}

# ---- testd's files ---------------------------------------------------------

touch_count() { [ -f "$T/$1.touch" ] && wc -l < "$T/$1.touch" || echo 0; }
touch_pid()   { [ -f "$T/$1.touch" ] && tail -n 1 "$T/$1.touch" | cut -d' ' -f1; }
touch_time()  { [ -f "$T/$1.touch" ] && sed -n "${2:-1}p" "$T/$1.touch" | cut -d' ' -f2; }
# touched NAME [N] — NAME's touch file has at least N (default 1) lines.
# testd writes its line after exec (and, with --daemonize or
# --fork-mainpid, in the child): a simple unit is "running" at exec, a
# forking one when its starter exits, so "running" does not mean the line
# is there yet: wait_until 5 touched NAME before reading it. testd sets
# up its signals before writing the line: wait for it too before sending
# SIGTERM to a unit that must ignore, delay or log it (--hang-on-term...).
touched()     { [ "$(touch_count "$1")" -ge "${2:-1}" ]; }

# log_time NAME REGEX — the time of the first event in NAME's log matching
# REGEX (the event text only), or nothing.
log_time() {
	[ -f "$T/$1.log" ] || return 1
	awk -v re="$2" '{ t = $2; $1 = ""; $2 = ""; sub(/^  /, "");
	                  if ($0 ~ re) { print t; exit } }' "$T/$1.log"
}
log_has() { [ -n "$(log_time "$1" "$2")" ]; }

# ---- initd in a namespace ----------------------------------------------------

# Under the sanitizers (make check-san) sv's svctl looks for no leaks at
# its exit: LeakSanitizer's scan cost each call ~40 ms (2x the rest of an
# ASan svctl's run), and the tier's polls make thousands. svctl's code is
# leak-checked by the unit tier, initd's and the loader's here; ASan and
# UBSan stay on.
sv() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} \
		timeout 5 "$SVCTL" --socket "$T/control" "$@"
}

# svc_line NAME — NAME's line of `svctl status NAME` (NAME STATE PID ...).
svc_line()     { sv status "$1" 2>/dev/null | awk -v n="$1" '$1 == n'; }
svc_state()    { svc_line "$1" | awk '{ print $2 }'; }
svc_pid()      { svc_line "$1" | awk '{ print $3 }'; }
svc_restarts() { svc_line "$1" | awk '{ print $4 }'; }
svc_reason()   { svc_line "$1" | awk '{ $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; sub(/^ +/, ""); print }'; }

state_is() { [ "$(svc_state "$1")" = "$2" ]; }

# wait_state NAME STATE SECONDS — poll until NAME is in STATE.
wait_state() { wait_until "$3" state_is "$1" "$2"; }

alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# initd_child — initd's host PID once unshare's child has exec'd it.
initd_child() {
	local c
	c=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null) || return 1
	c=${c%% *}
	# Until it execs initd, the child is still unshare (mounting /proc).
	[ -n "$c" ] && [ "$(readlink "/proc/$c/exe" 2>/dev/null)" != "$(readlink "/proc/$UNSHARE_PID/exe")" ] || return 1
	echo "$c"
}

control_answers() { [ -S "$T/control" ] && sv status >/dev/null 2>&1; }

# start_initd [INITD ARGS...] — boot initd as PID 1 of a new PID, mount and
# UTS namespace (PID 1 sets initd.conf's hostname, --no-mounts or not: in
# the host's UTS namespace that renamed the machine). --kill-child makes
# the kernel SIGKILL initd (and so the whole namespace) if unshare dies, so
# nothing can outlive the test.
# INITD_PRE, if set, is shell run inside the namespace first (as root, in
# its private mount namespace: tmpfs over /run...), then initd is exec'd.
start_initd() {
	local pre=()
	BOOT_OK=0
	[ -n "${INITD_PRE:-}" ] && pre=(/bin/sh -ec "$INITD_PRE"'
exec "$@"' initd-pre)
	unshare --pid --fork --kill-child --mount --uts --propagation private --mount-proc \
		"${pre[@]}" "$INITD" --no-mounts --no-cgroup --verbose --config "$T/conf" --control "$T/control" "$@" \
		> "$T/initd.log" 2>&1 < /dev/null &
	UNSHARE_PID=$!
	echo "$UNSHARE_PID" > "$T/unshare.pid"
	if ! wait_until 5 initd_child; then
		not_ok "boot ${T##*/}: initd starts as PID 1" "initd never ran; log:"
		dump_log
		kill_initd
		return 1
	fi
	INITD_HPID=$(initd_child)
	ns_hold
	if ! wait_until 5 control_answers; then
		not_ok "boot ${T##*/}: control socket answers" "svctl status never answered; log:"
		dump_log
		kill_initd
		return 1
	fi
	BOOT_OK=1
}

# in_ns CMD... — run CMD inside the namespace (its PIDs and its /proc).
in_ns() { nsenter -t "$INITD_HPID" -p -m -- "$@"; }

# ns_stat PID — "STATE PPID COMM" of a namespace PID, from the namespace's /proc.
ns_stat() {
	in_ns cat "/proc/$1/stat" 2>/dev/null |
		sed -E 's/^[0-9]+ \((.*)\) ([A-Za-z]) ([0-9]+) .*/\2 \3 \1/'
}

# ns_alive PID [COMM] — PID exists in the namespace, is not a zombie, and
# (default) is a testd.
ns_alive() {
	local s
	s=$(ns_stat "$1") || return 1
	set -- "$1" "${2:-testd}" $s
	[ -n "${3:-}" ] && [ "$3" != Z ] && [ "$5" = "$2" ]
}

# ns_gone PID — PID no longer exists (not even as a zombie).
ns_gone() { [ -n "$1" ] && ! in_ns test -e "/proc/$1"; }

# testd_gone NAME — no process of testd_unit NAME is left in the namespace
# (by its command line: it may be stopped before it wrote its touch file).
# The path goes in the environment: in an argument, the looking process
# would match itself.
testd_gone() {
	in_ns env P="$T/$1.touch" sh -c 'for f in /proc/[0-9]*/cmdline; do
		case "$(tr "\0" " " < "$f" 2>/dev/null)" in *"$P"*) exit 1 ;; esac
	done'
}

# ns_zombies — "PID PPID COMM" of every zombie in the namespace.
ns_zombies() {
	in_ns sh -c 'for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; echo; done' |
		sed -nE 's/^([0-9]+) \((.*)\) Z ([0-9]+) .*/\1 \3 \2/p'
}

unshare_alive() { alive "$UNSHARE_PID"; }

# ns_id — the namespace's identity (pid:[INODE]), recorded at boot.
ns_id() { readlink "/proc/$INITD_HPID/ns/pid"; }

# ns_hold — NS_ID is INITD_HPID's namespace, held open until the next
# boot's: a freed namespace's inode number is soon handed to the next new
# namespace on the host (a test run beside this one), whose processes
# ns_procs "$NS_ID" would then count as this boot's.
ns_hold() {
	NS_ID=$(ns_id)
	[ -z "${NS_FD:-}" ] || exec {NS_FD}<&-
	exec {NS_FD}< "/proc/$INITD_HPID/ns/pid"
}

# ns_procs ID — host PIDs of every process still in namespace ID: one stat
# for all of them (a readlink each took ~10 s a call on a host with a
# thousand processes: t-logfile then ran 86 s of its 90). A process gone
# meanwhile, or one whose link this user may not read, prints no "->" and
# is left out.
ns_procs() {
	stat -c '%N' /proc/[0-9]*/ns/pid 2>/dev/null |
		awk -v id="$1" '{ gsub(/\047/, "") } $2 == "->" && $3 == id { split($1, p, "/"); print p[3] }'
	return 0
}
ns_empty() { [ -z "$(ns_procs "$1")" ]; }

# writer_pid — host PID of this boot's log writer ("initd --log-writer").
writer_pid() {
	local p
	for p in $(ns_procs "$NS_ID"); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- --log-writer &&
			{ echo "$p"; return 0; }
	done
	return 1
}

dump_log() {
	diag "--- $T/initd.log (last 30 lines)"
	tail -n 30 "$T/initd.log" 2>/dev/null | sed 's/^/#   /'
}

# kill_initd — SIGKILL the unshare process we started (the kernel then kills
# initd through --kill-child) and, should it still be there, initd itself.
kill_initd() {
	[ -n "$UNSHARE_PID" ] || return 0
	if unshare_alive; then
		kill -KILL "$UNSHARE_PID" 2>/dev/null
	fi
	if [ -n "$INITD_HPID" ] && alive "$INITD_HPID" &&
	   [ "$(readlink "/proc/$INITD_HPID/ns/pid" 2>/dev/null)" = "$NS_ID" ]; then
		kill -KILL "$INITD_HPID" 2>/dev/null
	fi
	wait "$UNSHARE_PID" 2>/dev/null
	UNSHARE_PID='' INITD_HPID='' BOOT_OK=0
}

# wait_unshare SECONDS — wait for the namespace to end (unshare exits once
# initd, its PID 1, is gone).
wait_unshare() { wait_until "$1" eval '! unshare_alive'; }

# stop_initd — orderly poweroff; falls back to SIGKILL. Shows svctl status
# and initd's log when the boot had failures (always with HOST_DEBUG=1).
# Returns 1 if poweroff did not end the namespace.
stop_initd() {
	local r=0
	[ -n "$UNSHARE_PID" ] || return 0
	if { [ "$BOOT_FAILS" -gt 0 ] || [ -n "${HOST_DEBUG:-}" ]; } && unshare_alive; then
		diag "--- svctl status"
		sv status 2>&1 | sed 's/^/#   /'
	fi
	if unshare_alive; then
		sv poweroff >/dev/null 2>&1
		wait_unshare "${STOP_WAIT:-10}" || r=1
	fi
	[ "$r" = 1 ] && diag "poweroff did not end the namespace; killing it"
	{ [ "$BOOT_FAILS" -gt 0 ] || [ -n "${HOST_DEBUG:-}" ]; } && dump_log
	kill_initd
	return $r
}

trap 'kill_initd' EXIT
trap 'exit 130' INT TERM HUP

[ -x "$TESTD" ] || { not_ok "prerequisites" "$TESTD is missing"; exit 1; }
