#!/bin/bash
# summary.sh — the last table of `make bench`: every row of issue 19's
# table (and item 4's), the previous figure (bench/previous.txt) beside
# this run's (the `fig KEY VALUE` lines the tiers wrote). Printed, never
# judged. Usage: summary.sh FIGURES [PREVIOUS]
figs=${1:?figures file}
prev=${2:-$(dirname "$0")/previous.txt}
declare -A now=()
if [ -f "$figs" ]; then
	while IFS='=' read -r k v; do
		[ -n "$k" ] && now[$k]=$v
	done < "$figs"
fi
printf '\n== summary: before (bench/previous.txt) and this run\n'
while IFS='|' read -r key metric before goal; do
	case $key in ''|'#'*) continue ;; esac
	printf '%s\n   before: %s\n   now:    %s\n   goal:   %s\n' "$metric" "$before" \
		"${now[$key]:-not measured in this run}" "$goal"
done < "$prev"
