#!/bin/sh
# run.sh OUT.tap TEST... — run Check suites, collecting their TAP output.
#
# UNIT_JOBS suites run at once (default: the CPUs; 1-99, anything else is
# 1): every test forks (CK_FORK) and works in a temporary directory of its
# own, so two suites share only the CPUs. The lines are still written in
# the order the suites were given. Check's per-test timeouts (4 s unless a
# case sets its own) bound a hang, not a speed: they are doubled while
# suites run side by side, unless CK_TIMEOUT_MULTIPLIER says otherwise.

# run.sh --one TEST (run.sh's own, through xargs): TEST's lines into
# $UNIT_RUN_DIR/NAME.tap, each with the suite's name in front (Check
# numbers each binary's tests from 1), its stderr into NAME.err, and a
# line of its own when it failed without saying which test.
if [ "$1" = --one ]; then
	name=$(basename "$2") d=$UNIT_RUN_DIR
	CK_TAP_LOG_FILE_NAME=- CK_FORK=yes "$2" >"$d/$name.out" 2>"$d/$name.err"
	rc=$?
	sed -n "s/^\(not ok\|ok\) [0-9]* - /\1 - $name: /p" "$d/$name.out" >"$d/$name.tmp"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$d/$name.out"; then
		echo "not ok - $name: exited $rc" >>"$d/$name.tmp"
	fi
	exec mv "$d/$name.tmp" "$d/$name.tap"
fi

out=$1; shift
: > "$out"
jobs=${UNIT_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in [1-9]|[1-9][0-9]) ;; *) jobs=1 ;; esac
[ "$jobs" -gt 1 ] && export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-2}"
UNIT_RUN_DIR=$out.d
export UNIT_RUN_DIR
rm -rf "$UNIT_RUN_DIR" && mkdir -p "$UNIT_RUN_DIR" || exit 1
for t in "$@"; do printf '%s\0' "$t"; done |
	xargs -0 -r -n 1 -P "$jobs" "$0" --one

# in the given order; a suite that left no result (its runner died) fails
for t in "$@"; do
	f=$UNIT_RUN_DIR/$(basename "$t")
	if [ -f "$f.tap" ]; then
		cat "$f.tap" >>"$out"
		grep -q ': exited [0-9]*$' "$f.tap" && cat "$f.err" >&2
	else
		echo "not ok - $(basename "$t"): no result (its runner died)" >>"$out"
	fi
done
rm -rf "$UNIT_RUN_DIR"
grep -c '^ok' "$out" | sed 's/$/ unit tests passed/'
! grep -q '^not ok' "$out"
