#!/bin/sh
# run.sh OUT.tap TEST... — run Check suites, collecting their TAP output.
#
# UNIT_JOBS suites run at once (default: the CPUs, at most 99; 1-99, else
# 1): every test forks (CK_FORK) and the suites share no file or socket, so
# two share only the CPUs. The lines are still written in the order the
# suites were given. Check's per-test timeouts (4 s unless a case sets its
# own) bound a hang, not a speed: they are doubled while suites run side by
# side, unless CK_TIMEOUT_MULTIPLIER says otherwise.

# run.sh --one I TEST (run.sh's own, through xargs): the I-th suite's lines
# into $UNIT_RUN_DIR/I.tap, each with the suite's name in front (Check
# numbers each binary's tests from 1), its stderr into I.err, and a line of
# its own, with I.crashed, when it failed without saying which test. Files
# are named by position: a suite given twice runs twice.
if [ "$1" = --one ]; then
	name=$(basename "$3") f=$UNIT_RUN_DIR/$2
	CK_TAP_LOG_FILE_NAME=- CK_FORK=yes "$3" >"$f.out" 2>"$f.err"
	rc=$?
	sed -n "s/^\(not ok\|ok\) [0-9]* - /\1 - $name: /p" "$f.out" >"$f.tmp"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$f.tmp"; then
		echo "not ok - $name: exited $rc" >>"$f.tmp"
		: >"$f.crashed"
	fi
	exec mv "$f.tmp" "$f.tap"
fi

out=$1; shift
: > "$out"
jobs=${UNIT_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ -z "${UNIT_JOBS:-}" ] && [ "$jobs" -gt 99 ] 2>/dev/null && jobs=99
case $jobs in [1-9]|[1-9][0-9]) ;; *) jobs=1 ;; esac
[ "$jobs" -gt 1 ] && export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-2}"
UNIT_RUN_DIR=$out.d
export UNIT_RUN_DIR
rm -rf "$UNIT_RUN_DIR" && mkdir -p "$UNIT_RUN_DIR" || exit 1
i=0
for t in "$@"; do i=$((i + 1)); printf '%s\0%s\0' "$i" "$t"; done |
	xargs -0 -r -n 2 -P "$jobs" "$0" --one

# in the given order; a suite that left no result (its runner died) fails
i=0
for t in "$@"; do
	i=$((i + 1)) f=$UNIT_RUN_DIR/$i
	if [ -f "$f.tap" ]; then
		cat "$f.tap" >>"$out"
		[ -f "$f.crashed" ] && cat "$f.err" >&2
	else
		echo "not ok - $(basename "$t"): no result (its runner died)" >>"$out"
		cat "$f.err" >&2 2>/dev/null
	fi
done
rm -rf "$UNIT_RUN_DIR"
grep -c '^ok' "$out" | sed 's/$/ unit tests passed/'
! grep -q '^not ok' "$out"
