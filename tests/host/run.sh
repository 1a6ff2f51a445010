#!/bin/bash
# run.sh OUT.tap [t-NAME...] — the host tier (doc/DESIGN.md §11).
#
# Runs every tests/host/t-*.sh (or the ones named) as its own bash process
# with a time limit. Each boots initd as PID 1 of a new PID + mount namespace
# (unshare, --no-cgroup: this tier never touches the host's cgroup tree) and
# prints TAP lines "ok - t-NAME: what" / "not ok - ..." plus "# " comments.
# The ok/not ok lines go to OUT.tap; everything goes to the terminal; each
# test's files (unit dirs, initd.log, testd's records) stay in OUT.d/ for a
# look after a failure. Exits 1 if any test failed.
#
# Environment: BUILD (default build), HOST_TEST_TIMEOUT (seconds per file,
# default 90), HOST_DEBUG=1 (show svctl status and initd's log after every
# boot, not only after a failed one).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-build/results/host.tap}
shift || true
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
export BUILD=${BUILD:-build}
export HOST_WORK=${out%.tap}.d
limit=${HOST_TEST_TIMEOUT:-90}
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
	for t in "$@"; do tests="$tests $here/${t%.sh}.sh"; done
else
	tests=$(ls "$here"/t-*.sh)
fi

start=$(date +%s)
for t in $tests; do
	name=$(basename "$t" .sh)
	log=$HOST_WORK/$name.out
	t0=$(date +%s.%N)
	timeout -k 5 "$limit" bash "$t" > "$log" 2>&1
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	cat "$log"
	grep -E '^(not )?ok ' "$log" >> "$out"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "not ok - $name: timed out after ${limit}s" | tee -a "$out"
	elif [ "$rc" != 0 ] && ! grep -q '^not ok ' "$log"; then
		echo "not ok - $name: exited $rc" | tee -a "$out"
	fi
	echo "# $name: ${secs}s"
done

pass=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "# host tier: $pass passed, $failed failed in $(( $(date +%s) - start ))s (files in $HOST_WORK)"
[ "$failed" -eq 0 ]
