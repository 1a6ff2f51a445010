# lib.sh — helpers for bench/host.sh: boot initd as PID 1 of a fresh PID +
# mount namespace (unshare, --no-cgroup, as the host test tier does), write
# unit sets, read the kernel's figures for PID 1, and print tables.
#
#   boot_dir NAME            fresh directory $B with conf/units
#   conf_line LINE           append LINE to $B/conf/initd.conf
#   testd_units PREFIX N [LINE...]   N units PREFIX0..PREFIXN-1 running the
#                            static testd (plus the given unit lines)
#   start_initd              unshare ... benchtool exec-stamp ... initd; sets
#                            INITD_HPID; $B/t0 is initd's exec time
#   wait_ready               `svctl wait` once the socket answers: READY_T,
#                            T0 (initd's exec) and INITD_HPID
#   stop_initd               svctl poweroff, then (only if needed) SIGKILL
#   in_ns CMD...             run CMD inside the namespace
#   stats < SAMPLES          "n p50 p90 p99 max" of microsecond samples
#
# Never touches /sys/fs/cgroup and kills only the unshare process it started
# and (should it outlive unshare) that process's child, initd.

set -u
BUILD=${BUILD:-build}
BUILD=$(cd "$BUILD" && pwd) || exit 1
INITD=$BUILD/initd
SVCTL=$BUILD/svctl
BT=$BUILD/bench/benchtool
TESTD=$BUILD/bench/testd-static
WORK=${BENCH_WORK:-$BUILD/bench/work}

B=
UNSHARE_PID=
INITD_HPID=
NS_ID=

now_us() { "$BT" now; }
wall_us() { echo "${EPOCHREALTIME/[.,]/}"; }

wait_until() {
	local end=$(( $(wall_us) + $1 * 1000000 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(wall_us)" -ge "$end" ] && return 1
		sleep 0.02
	done
}

boot_dir() {
	B=$WORK/$1
	rm -rf "$B"
	mkdir -p "$B/conf/units"
	: > "$B/conf/initd.conf"
}

conf_line() { echo "$1" >> "$B/conf/initd.conf"; }

# testd_unit NAME 'ARGS' [LINE...] — one unit running the static testd.
testd_unit() {
	local name=$1 args=$2 a exec="\"$TESTD\""
	shift 2
	for a in $args; do exec="$exec, \"$a\""; done
	{
		echo "exec = [ $exec ];"
		for a in "$@"; do echo "$a"; done
	} > "$B/conf/units/$name.unit"
}

# testd_units PREFIX N [LINE...]
testd_units() {
	local prefix=$1 n=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		testd_unit "$prefix$i" "" "$@"
	done
}

sv() { timeout 30 "$SVCTL" --socket "$B/control" "$@"; }

initd_child() {
	local c exe
	c=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null) || return 1
	c=${c%% *}
	# Until it has exec'd initd the child is unshare, then benchtool. (Not
	# compared with $INITD: a rebuild during the run renames the running one.)
	exe=$(readlink "/proc/$c/exe" 2>/dev/null)
	[ -n "$c" ] && [ -n "$exe" ] && [ "$exe" != "$(readlink "/proc/$UNSHARE_PID/exe")" ] &&
		[ "$exe" != "$(readlink -f "$BT")" ] || return 1
	echo "$c"
}

# start_initd [INITD ARGS...] — returns at once; $B/t0 gets initd's exec time.
start_initd() {
	# BENCH_UNSHARE_NET=1: a net namespace of its own too (bridges, veths)
	unshare --pid --fork --kill-child --mount --propagation private --mount-proc \
		${BENCH_UNSHARE_NET:+--net} \
		"$BT" exec-stamp "$B/t0" \
		"$INITD" --no-mounts --no-cgroup --config "$B/conf" --control "$B/control" "$@" \
		> "$B/initd.log" 2>&1 < /dev/null &
	UNSHARE_PID=$!
}

# wait_ready — READY_T: the time `svctl wait` returned (its first connect
# polled every 100 us); T0: initd's exec time; sets INITD_HPID.
wait_ready() {
	READY_T=$("$BT" ready "$B/control" "$SVCTL" --socket "$B/control" --timeout "${WAIT_TIMEOUT:-120}" wait) || return 1
	T0=$(cat "$B/t0")
	INITD_HPID=$(initd_child) || return 1
	NS_ID=$(readlink "/proc/$INITD_HPID/ns/pid")
}

in_ns() { nsenter -t "$INITD_HPID" -p -m -- "$@"; }

alive() { [ -n "$1" ] && [ -d "/proc/$1" ]; }

kill_initd() {
	[ -n "$UNSHARE_PID" ] || return 0
	alive "$UNSHARE_PID" && kill -KILL "$UNSHARE_PID" 2>/dev/null
	if [ -n "$INITD_HPID" ] && alive "$INITD_HPID" &&
	   [ "$(readlink "/proc/$INITD_HPID/ns/pid" 2>/dev/null)" = "$NS_ID" ]; then
		kill -KILL "$INITD_HPID" 2>/dev/null
	fi
	wait "$UNSHARE_PID" 2>/dev/null
	UNSHARE_PID='' INITD_HPID=''
}

stop_initd() {
	[ -n "$UNSHARE_PID" ] || return 0
	if alive "$UNSHARE_PID"; then
		sv poweroff >/dev/null 2>&1
		wait_until 20 eval '! alive "$UNSHARE_PID"'
	fi
	kill_initd
}

# count_state STATE — how many units `svctl status` shows in STATE.
count_state() { sv status | awk -v s="$1" '$2 == s' | wc -l; }

# stats — "n p50 p90 p99 max mean" (microseconds in, printed as ms).
stats() {
	sort -n | awk '{ v[NR] = $1; sum += $1 }
		function pct(p,  i) { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; return v[i] }
		END {
			if (NR == 0) { print "0 - - - - -"; exit }
			printf "%d %.3f %.3f %.3f %.3f %.3f\n", NR, pct(50) / 1000, pct(90) / 1000,
				pct(99) / 1000, v[NR] / 1000, sum / NR / 1000
		}'
}

# fig KEY VALUE — one figure for run.sh's summary (bench/summary.sh: the
# previous figure from bench/previous.txt beside it).
fig() { echo "$1=$2" >> "${BENCH_FIGURES:-$BUILD/bench/figures.txt}"; }

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

trap 'kill_initd' EXIT
trap 'exit 130' INT TERM HUP
