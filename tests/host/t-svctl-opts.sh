#!/bin/bash
# t-svctl-opts.sh — svctl takes its global options (--json, --socket,
# --timeout) anywhere on the line, as systemctl users expect: before the
# command, after it, after the unit names; "--" still ends options, so a
# unit literally named like an option can be named.
. "$(dirname "$0")/lib.sh"

# svo CMD... — svctl without the --socket the sv helper adds (stdout in
# $SO, exit code in $rc).
svo() { SO=$(timeout 10 "$SVCTL" "$@" 2> "$T/svo.err"); rc=$?; }
json_ok() { printf '%s\n' "$SO" | python3 -m json.tool > /dev/null; }
json_names() { printf '%s\n' "$SO" | python3 -c 'import json, sys; print(" ".join(sorted(u["name"] for u in json.load(sys.stdin))))'; }

new_boot opts
testd_unit web ""
testd_unit db ""
testd_unit -- "" 'restart = "no";'   # a unit named "--"
testd_unit -j "" 'restart = "no";'   # a unit named like the option
start_initd
check "web and db reach running" wait_until 5 eval 'state_is web running && state_is db running'

S=(--socket "$T/control")
for args in "--json status" "status --json" "status -j" "status web -j" "status -j web" \
	    "-j status web" "list --json" "show web --json"; do
	svo "${S[@]}" $args
	is "svctl $args: exit 0" "$rc" 0
	check "svctl $args: prints JSON" json_ok
done
svo "${S[@]}" status web --json
check "status web --json: web alone" eval '[ "$(json_names)" = web ]'
svo status web db --socket "$T/control" --json
is "status web db --socket S --json: exit 0" "$rc" 0
check "status web db --socket S --json: web and db" eval '[ "$(json_names)" = "db web" ]'
svo status --socket="$T/control" -j
is "status --socket=S -j: exit 0" "$rc" 0
svo status -s "$T/control" --timeout 5 web
is "status -s S --timeout 5 web: exit 0" "$rc" 0
check "status -s S --timeout 5 web: a table" eval '[[ "$SO" == NAME* ]]'
svo status --timeout=abc "${S[@]}"
is "status --timeout=abc: usage error" "$rc" 2
svo status "${S[@]}" --frob
is "status --frob: still a usage error" "$rc" 2
svo status "${S[@]}" --timeout
is "status --timeout without its value: usage error" "$rc" 2
# logs takes its own options and the global ones in any order.
svo logs web -n 1 "${S[@]}" --timeout 5
is "logs web -n 1 --socket S --timeout 5: exit 0" "$rc" 0
# A lifecycle command keeps its --no-wait beside global options.
svo stop --no-wait db "${S[@]}" -t 5
is "stop --no-wait db --socket S -t 5: exit 0" "$rc" 0
check "db stops" wait_state db stopped 5
svo start db -j "${S[@]}"
is "start db -j: exit 0" "$rc" 0

# "--" ends options: after it, "-j" and "--" are unit names.
svo "${S[@]}" --json status -- -j
is "status -- -j: exit 0" "$rc" 0
check "status -- -j: the unit named -j, as JSON" eval '[ "$(json_names)" = "-j" ]'
svo "${S[@]}" status -- --
check "status -- --: the unit named --" eval '[ "$rc" = 0 ] && printf "%s\n" "$SO" | awk "\$1 == \"--\"" | grep -q .'
svo "${S[@]}" status web -- -j
check "status web -- -j: a table (the -j after -- is a name)" \
	eval '[ "$rc" = 0 ] && [[ "$SO" == NAME* ]] && printf "%s\n" "$SO" | awk "\$1 == \"-j\"" | grep -q .'

stop_initd
[ "$FAILED" -eq 0 ]
