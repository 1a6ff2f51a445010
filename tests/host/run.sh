#!/bin/bash
# run.sh OUT.tap [t-NAME...] — the host tier (doc/DESIGN.md §11).
#
# Runs every tests/host/t-*.sh (or the ones named) as its own bash process
# with a time limit. Each boots initd as PID 1 of a new PID, mount and UTS
# namespace (unshare, --no-cgroup: this tier never touches the host's cgroup
# tree) and prints TAP lines "ok - t-NAME: what" / "not ok - ..." plus "# "
# comments. The ok/not ok lines go to OUT.tap; everything goes to the
# terminal; each test's files (unit dirs, initd.log, testd's records) stay
# in OUT.d/ for a look after a failure. Exits 1 if any test failed.
#
# Environment: BUILD (default build), HOST_TEST_TIMEOUT (seconds per file,
# default 180: a bound on a hang; the longest file, t-check-root, took 95 s
# under ASan beside another file at a load of 8), HOST_JOBS (files at
# once, default 3), HOST_DEBUG=1 (show svctl status and initd's log after
# every boot, not only after a failed one).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-build/results/host.tap}
shift || true
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
export BUILD=${BUILD:-build}
export HOST_WORK=${out%.tap}.d
limit=${HOST_TEST_TIMEOUT:-180}
: > "$out"
rm -rf "$HOST_WORK"
mkdir -p "$HOST_WORK"

fail() { echo "not ok - $1" | tee -a "$out"; exit 1; }

# Prerequisites: a missing one is a failure, never a silent skip.
[ "$(id -u)" = 0 ] || fail "host: prerequisites: must run as root (unshare --pid --mount)"
for b in initd svctl testd; do
	[ -x "$BUILD/$b" ] || fail "host: prerequisites: $BUILD/$b is not built"
done
for c in unshare nsenter timeout; do
	command -v "$c" >/dev/null || fail "host: prerequisites: $c not found"
done
unshare --help | grep -q -- --kill-child ||
	fail "host: prerequisites: unshare lacks --kill-child (util-linux >= 2.32)"

if [ $# -gt 0 ]; then
	tests=
	for t in "$@"; do   # each once: two runs of a file would share its files
		case " $tests " in *" $here/${t%.sh}.sh "*) continue ;; esac
		tests="$tests $here/${t%.sh}.sh"
	done
else
	tests=$(ls "$here"/t-*.sh)
fi

# run_one FILE — the file under its time limit; its output in NAME.out, its
# exit status and seconds in NAME.rc (written last: the file is done).
run_one() {
	local name t0 rc
	name=$(basename "$1" .sh)
	t0=$(date +%s.%N)
	timeout -k 5 "$limit" bash "$1" > "$HOST_WORK/$name.out" 2>&1
	rc=$?
	echo "$rc $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" \
		> "$HOST_WORK/$name.rc.tmp" && mv "$HOST_WORK/$name.rc.tmp" "$HOST_WORK/$name.rc"
}

# report FILE — a finished file's output and TAP lines, in the order given.
report() {
	local name rc secs log
	name=$(basename "$1" .sh)
	log=$HOST_WORK/$name.out
	read -r rc secs < "$HOST_WORK/$name.rc"
	cat "$log"
	grep -E '^(not )?ok ' "$log" >> "$out"
	if [ "$rc" = lost ]; then
		echo "not ok - $name: no result (its runner died)" | tee -a "$out"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "not ok - $name: timed out after ${limit}s" | tee -a "$out"
	elif [ "$rc" != 0 ] && ! grep -q '^not ok ' "$log"; then
		echo "not ok - $name: exited $rc" | tee -a "$out"
	fi
	echo "# $name: ${secs}s"
}

# HOST_JOBS files at once (default 3, at most 99): each boots its own initd
# in its own PID, mount and UTS namespaces, under its own directory, so two
# never share a socket, a file or a process. Much of a file's time is spent
# waiting on its initd's timers: on 2 CPUs, two files at a time kept them
# 72% busy (192 s), three 86% (151-172 s). Under ASan the files are busy
# enough for two (three: 250-272 s against 269), so check-san runs two.
# Their output is printed in the files' order all the same.
njobs=${HOST_JOBS:-3}
case $njobs in [1-9] | [1-9][0-9]) ;; *) njobs=1 ;; esac
start=$(date +%s)
queue=()
flush() {   # report the finished files at the queue's head
	while [ ${#queue[@]} -gt 0 ] && [ -f "$HOST_WORK/$(basename "${queue[0]}" .sh).rc" ]; do
		report "${queue[0]}"
		queue=("${queue[@]:1}")
	done
}
for t in $tests; do
	while [ "$(jobs -pr | wc -l)" -ge "$njobs" ]; do
		wait -n
		flush
	done
	run_one "$t" &
	queue+=("$t")
	flush
done
wait
flush
# A runner that left no NAME.rc (killed, the disk full) is a failure, and
# the files queued behind it are still reported.
for t in ${queue[@]+"${queue[@]}"}; do
	rc_file=$HOST_WORK/$(basename "$t" .sh).rc
	[ -f "$rc_file" ] || echo "lost ?" > "$rc_file"
done
flush

pass=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "# host tier: $pass passed, $failed failed in $(( $(date +%s) - start ))s (files in $HOST_WORK)"
[ "$failed" -eq 0 ]
