#!/bin/sh
# san.sh DIR OUT.tap — the sanitizer tier: the unit and host tiers' results
# from a SANITIZE=1 run (DIR/unit.tap, DIR/host.tap, DIR/host.d/) as one TAP
# file whose tests are named "san: ...". A sanitizer report anywhere in the
# host tier's files (initd's log, a test's output) fails as a test of its
# own: initd may survive a UBSan report, or leak at exit, and still pass
# every assertion.
dir=$1 out=$2
: > "$out"
for tier in unit host; do
	if [ -s "$dir/$tier.tap" ]; then
		sed -nE 's/^(not ok|ok)( [0-9]+)? - /\1 - san: /p' "$dir/$tier.tap" >> "$out"
	else
		echo "not ok - san: $tier tier produced no results" >> "$out"
	fi
done
# -I: text only; an image a test stages carries the sanitizer runtime
# (libasan.so), whose strings are no report.
pattern='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer'
if [ -d "$dir/host.d" ]; then
	grep -rlIE "$pattern" "$dir/host.d" 2>/dev/null | sort | while read -r f; do
		echo "not ok - san: sanitizer report in ${f#$dir/}" >> "$out"
		grep -m 3 -E "$pattern" "$f" | sed 's/^/# /'
	done
	n=$(grep -rlIE "$pattern" "$dir/host.d" 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] && echo "ok - san: no sanitizer report in the host tier's logs" >> "$out"
fi
echo "# san tier: $(grep -c '^ok ' "$out") passed, $(grep -c '^not ok ' "$out") failed"
! grep -q '^not ok ' "$out"
