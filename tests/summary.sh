#!/bin/sh
# summary.sh RESULTS_DIR TIER... — print every tier's failures and close with
# "N passed, N failed". A tier that wrote no results counts as one failure:
# a tier that silently did nothing must not look green.
dir=$1; shift
pass=0; fail=0
for tier in "$@"; do
	f=$dir/$tier.tap
	if [ ! -s "$f" ]; then
		echo "not ok - tier '$tier' produced no results"
		fail=$((fail + 1))
		continue
	fi
	p=$(grep -c '^ok ' "$f"); n=$(grep -c '^not ok ' "$f")
	echo "tier $tier: $p passed, $n failed"
	grep '^not ok ' "$f" | sed "s/^/  $tier: /"
	pass=$((pass + p)); fail=$((fail + n))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
