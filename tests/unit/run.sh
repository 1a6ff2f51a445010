#!/bin/sh
# run.sh OUT.tap TEST... — run Check suites, collecting their TAP output.
out=$1; shift
: > "$out"
for t in "$@"; do
	CK_TAP_LOG_FILE_NAME=- CK_FORK=yes "$t" >"$out.tmp" 2>"$out.err"
	rc=$?
	# Check's TAP numbers restart per binary; prefix the suite name.
	sed -n "s/^\(not ok\|ok\) [0-9]* - /\1 - $(basename "$t"): /p" "$out.tmp" >> "$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out.tmp"; then
		echo "not ok - $(basename "$t"): exited $rc" >> "$out"; cat "$out.err" >&2
	fi
done
rm -f "$out.tmp" "$out.err"
grep -c '^ok' "$out" | sed 's/$/ unit tests passed/'
! grep -q '^not ok' "$out"
