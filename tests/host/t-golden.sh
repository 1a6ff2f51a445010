#!/bin/bash
# t-golden.sh — `initd --check --dump DIR` against golden output.
#
# tests/host/golden/CASE/ is a configuration directory (initd.conf, units/);
# beside it CASE.out, CASE.err and CASE.rc hold what `initd --check --dump
# CASE` must print on stdout, on stderr, and exit with. The command runs in
# tests/host/golden/ with the relative path CASE, so the FILE:LINE of each
# error is stable. Any difference is shown as `diff -u`.
#
#   good     every key of initd.conf and of a unit: the dump, "configuration OK"
#   broken   one error of each kind among good units: the good ones dumped, the
#            bad ones named, every error on stderr, exit 1
#
# UPDATE_GOLDEN=1 rewrites the expected files from the current output (then
# review them with git diff before committing).
. "$(dirname "$0")/lib.sh"
NEEDS_BOOT=0

GOLDEN=$(cd "$(dirname "$0")/golden" && pwd)
OUT=$WORK
mkdir -p "$OUT"

# compare CASE WHAT GOT WANT — diff -u, or rewrite WANT under UPDATE_GOLDEN.
compare() {
	local case=$1 what=$2 got=$3 want=$4
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$got" "$want"
		ok "$case: $what rewritten (UPDATE_GOLDEN=1)"
	elif [ ! -f "$want" ]; then
		not_ok "$case: $what matches ${want#"$GOLDEN"/}" "missing; run with UPDATE_GOLDEN=1"
	elif diff -u "$want" "$got" > "$OUT/$case.$what.diff"; then
		ok "$case: $what matches ${want#"$GOLDEN"/}"
	else
		not_ok "$case: $what matches ${want#"$GOLDEN"/}" "diff -u expected got:"
		sed 's/^/#   /' "$OUT/$case.$what.diff"
	fi
}

cases=0
for dir in "$GOLDEN"/*/; do
	case=$(basename "$dir")
	cases=$((cases + 1))
	(cd "$GOLDEN" && timeout 10 "$INITD" --check --dump "$case") \
		> "$OUT/$case.out" 2> "$OUT/$case.err"
	echo "$?" > "$OUT/$case.rc"
	compare "$case" stdout "$OUT/$case.out" "$GOLDEN/$case.out"
	compare "$case" stderr "$OUT/$case.err" "$GOLDEN/$case.err"
	compare "$case" "exit code" "$OUT/$case.rc" "$GOLDEN/$case.rc"
done
check "golden cases found" eval '[ "$cases" -ge 2 ]'

# The dump is itself a configuration: the good case's units, split out of
# the dump and checked again, dump to the same text (a fixed point).
if [ -f "$GOLDEN/good.out" ]; then
	R=$OUT/redump
	rm -rf "$R"
	mkdir -p "$R/units"
	awk -v dir="$R" '
		/^# initd\.conf/ { f = dir "/initd.conf"; next }
		/^# [^ ]+\.unit$/ { f = dir "/units/" $2; next }
		/^configuration OK/ { f = ""; next }
		f != "" { print > f }' "$GOLDEN/good.out"
	(cd "$OUT" && timeout 10 "$INITD" --check --dump redump) > "$OUT/redump.out" 2>&1
	check "good: the dump checks as a configuration of its own" \
		eval "grep -q '^configuration OK' '$OUT/redump.out'"
	check "good: checking the dump dumps the same text" \
		diff -u "$GOLDEN/good.out" "$OUT/redump.out"
fi

# --dump without --check implies it; bad usage is still refused.
check "--dump alone checks too" \
	eval "(cd '$GOLDEN' && '$INITD' --dump good) | cmp -s - '$GOLDEN/good.out'"

[ "$FAILED" -eq 0 ]
