#!/bin/bash
# t-analyze.sh — boot analysis (issue 17 item 1): svctl analyze, --json,
# --svg, on a boot with a dependency path and slow notify units:
#   db    notify, READY=1 after 1.2s
#   app   simple, requires db
#   web   notify, READY=1 after 0.6s, requires app, after db
#   side  simple, no dependency
#   once  oneshot, exits 0: ready when it exited, its bar ends there
# Blame: db, then web, slowest first; the critical chain (web ready last):
# db -> app -> web. The SVG is well-formed, has one bar per unit and
# rsvg-convert renders it. A restart stamps the unit anew, and leaves the
# chain the boot's. A unit its start limit failed: its bar ends at its
# last run's exit.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

new_boot analyze
testd_unit db "--notify-after 1200 --raw-notify" 'type = "notify";'
testd_unit app "" 'requires = [ "db" ];'
testd_unit web "--notify-after 600 --raw-notify" 'type = "notify";' \
	'requires = [ "app" ];' 'after = [ "db" ];'
testd_unit side ""
unit once <<EOU
type = "oneshot";
exec = [ "/bin/true" ];
restart = "no";
EOU
start_initd

check "every unit is running (once exited)" wait_until 15 eval \
	'state_is db running && state_is app running && state_is web running && state_is side running && state_is once exited'
sv wait > /dev/null
text=$(sv analyze)
printf '%s\n' "$text" | sed 's/^/#   /'
check "header: kernel + initd + units = total (settled)" \
	eval 'printf "%s\n" "$text" | head -n 1 | grep -Eq "^kernel [0-9]+\.[0-9]{3}s \+ initd [0-9]+\.[0-9]{3}s \+ units [0-9]+\.[0-9]{3}s = [0-9]+\.[0-9]{3}s \(settled\)$"'
blame=$(printf '%s\n' "$text" | sed -n '/^blame/,/^$/p' | awk 'NF == 2 { print $2 }' | tr '\n' ' ')
check "blame: db, then web, slowest first ($blame)" eval '[[ "$blame" == "db web "* ]]'
check "blame: every unit" eval '[ "$(printf "%s\n" $blame | sort | tr "\n" " ")" = "app db once side web " ]'
chain=$(printf '%s\n' "$text" | sed -n '/^critical chain/,$p' | tail -n +2 |
	sed -E 's/^ *(`-)?([^ ]+) @.*/\2/' | tr '\n' ' ')
is "critical chain: web <- app <- db" "$chain" "web app db "
check "each link has @ready +duration" eval \
	'[ "$(printf "%s\n" "$text" | sed -n "/^critical chain/,\$p" | grep -Ec "@[0-9]+\.[0-9]{3}s \+[0-9]+\.[0-9]{3}s$")" = 3 ]'

json=$(sv analyze --json)
check "--json parses; blame and chain as the text says" eval "printf '%s' \"\$json\" | $PY -c '
import json, sys
r = json.load(sys.stdin)
assert r[\"exec_usec\"] > 0 and r[\"settled_usec\"] >= r[\"first_spawn_usec\"] >= r[\"exec_usec\"], r
assert [b[\"name\"] for b in r[\"blame\"]][:2] == [\"db\", \"web\"], r[\"blame\"]
assert r[\"blame\"][0][\"usec\"] >= 1000000, r[\"blame\"]
assert [c[\"name\"] for c in r[\"critical_chain\"]] == [\"db\", \"app\", \"web\"], r
u = {x[\"name\"]: x for x in r[\"units\"]}
for n in (\"db\", \"app\", \"web\", \"side\"):
    x = u[n]
    assert x[\"requested_usec\"] <= x[\"spawned_usec\"] <= x[\"exec_usec\"] <= x[\"ready_usec\"], x
assert u[\"app\"][\"spawned_usec\"] >= u[\"db\"][\"ready_usec\"], u
assert u[\"app\"][\"requested_usec\"] < u[\"db\"][\"ready_usec\"], \"app waited for db\"
assert u[\"web\"][\"after\"] == [\"app\", \"db\"], u[\"web\"]
assert u[\"db\"][\"cpu_usage_usec\"] is None, \"no cgroups in this tier\"
assert u[\"once\"][\"state\"] == \"exited\" and u[\"once\"][\"ready_usec\"] >= u[\"once\"][\"ended_usec\"] >= u[\"once\"][\"exec_usec\"] > 0, u[\"once\"]
assert u[\"web\"][\"ended_usec\"] is None, u[\"web\"]
'"

# Issue 19: PID 1's boot phases (no mounts here: --no-mounts), in boot
# order, between the exec and the first spawn; the text lists the same.
check "--json has the boot phases, in order, before the first spawn" eval "printf '%s' \"\$json\" | $PY -c '
import json, sys
r = json.load(sys.stdin)
p = [(x[\"name\"], x[\"usec\"]) for x in r[\"phases\"]]
names = [n for n, _ in p]
assert names == [\"log_open\", \"loop_ready\", \"loader_started\", \"event_loop\", \"model_read\", \"model_decoded\", \"conf_applied\", \"cgroup_setup\", \"slices_made\", \"units_applied\", \"boot_pass\"], names
t = [u for _, u in p]
assert r[\"exec_usec\"] <= t[0] and t == sorted(t) and t[-1] <= r[\"first_spawn_usec\"], (r[\"exec_usec\"], p, r[\"first_spawn_usec\"])
'"
is "the text lists the phases" "$(printf '%s\n' "$text" | sed -n '/^boot phases/,/^$/p' | grep -c ' @[0-9.]*s +[0-9.]*s$')" 11

sv analyze --svg > "$T/boot.svg"
check "--svg is well-formed, one bar (g.unit) per unit, each with its segments" eval "$PY -c '
import sys, xml.etree.ElementTree as ET
ns = \"{http://www.w3.org/2000/svg}\"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + \"svg\", root.tag
g = [e for e in root.iter(ns + \"g\") if e.get(\"class\") == \"unit\"]
names = sorted(e.get(\"data-unit\") for e in g)
assert names == [\"app\", \"db\", \"once\", \"side\", \"web\"], names
for e in g:
    cls = [r.get(\"class\") for r in e.iter(ns + \"rect\")]
    assert \"starting\" in cls, (e.get(\"data-unit\"), cls)
    assert (\"running\" in cls) == (e.get(\"data-unit\") != \"once\"), (e.get(\"data-unit\"), cls)
wait = [e.get(\"data-unit\") for e in g if any(r.get(\"class\") == \"wait\" for r in e.iter(ns + \"rect\"))]
assert \"app\" in wait and \"web\" in wait, wait
' '$T/boot.svg'"
# The chart's title and the text give the same times (the text cuts to
# the millisecond; the title rounded: 3.276s against 3.275s).
svg_times=$(sed -n 's/.*initd boot chart: kernel \([0-9.]*s\), initd exec to first spawn \([0-9.]*s\),.*/\1 \2/p' "$T/boot.svg")
text_times=$(sv analyze | sed -n '1s/^kernel \([0-9.]*s\) + initd \([0-9.]*s\).*/\1 \2/p')
check "the chart's title and the text say the same times ($svg_times, $text_times)" \
	eval '[ -n "$svg_times" ] && [ "$svg_times" = "$text_times" ]'
rm -f "$T/boot.png"
check "rsvg-convert renders it to a PNG" eval \
	"rsvg-convert '$T/boot.svg' -o '$T/boot.png' && [ -s '$T/boot.png' ] && [ \"\$(head -c 4 '$T/boot.png' | od -An -c | tr -d ' ')\" = '211PNG' ]"

# A restart stamps the unit anew: the chart shows its latest start.
before=$(sv analyze --json | $PY -c 'import json,sys; print([u for u in json.load(sys.stdin)["units"] if u["name"] == "side"][0]["spawned_usec"])')
sv restart side > /dev/null
after=$(sv analyze --json | $PY -c 'import json,sys; print([u for u in json.load(sys.stdin)["units"] if u["name"] == "side"][0]["spawned_usec"])')
check "a restart re-stamps side ($before -> $after)" eval '[ "$after" -gt "$before" ]'
# side, ready last now, long after the boot settled: the critical chain is
# still the boot's, ending at its settle (it began at side: 'side @6.617s'
# for a crash loop's latest restart).
check "side is running again, ready after the boot settled" wait_until 10 eval "state_is side running && sv analyze --json | $PY -c '
import json, sys
r = json.load(sys.stdin)
x = [u for u in r[\"units\"] if u[\"name\"] == \"side\"][0]
assert x[\"ready_usec\"] and x[\"ready_usec\"] > r[\"settled_usec\"], (x, r[\"settled_usec\"])
'"
chain=$(sv analyze | sed -n '/^critical chain/,$p' | tail -n +2 | sed -E 's/^ *(`-)?([^ ]+) @.*/\2/' | tr '\n' ' ')
is "after side's restart the critical chain is the boot's: web <- app <- db" "$chain" "web app db "
check "--json's critical_chain too" eval "sv analyze --json | $PY -c '
import json, sys
r = json.load(sys.stdin)
assert [c[\"name\"] for c in r[\"critical_chain\"]] == [\"db\", \"app\", \"web\"], r[\"critical_chain\"]
'"
check "analyze takes no operand" eval '! sv analyze db 2>/dev/null'
stop_initd

# A crash loop its start limit ends: its last run exits 0.2 s after its
# exec, and the restart its 2 s backoff asks for is refused. That refusal
# is no run: the chart's bar ends at the run's exit, not at the refusal
# (it showed the unit running for the 2 s it was dead), and the request
# stamped is the latest run's, not the refused one's (after its spawn).
new_boot analyze-limit
unit loop <<EOU
exec = [ "/bin/sh", "-c", "sleep 0.2; exit 7" ];
restart = "on-failure";
restart_delay = "1s";
start_limit = { burst = 2; interval = "60s"; };
EOU
start_initd
check "loop failed at its start limit" wait_state loop failed 15
check "its bar ends at its last run's exit, its request before its spawn" eval "sv analyze --json | $PY -c '
import json, sys
x = [u for u in json.load(sys.stdin)[\"units\"] if u[\"name\"] == \"loop\"][0]
assert x[\"state\"] == \"failed\", x
assert x[\"requested_usec\"] <= x[\"spawned_usec\"] <= x[\"exec_usec\"] <= x[\"ended_usec\"], x
assert x[\"ended_usec\"] - x[\"exec_usec\"] < 1500000, (\"the run lasted 0.2 s\", x)
'"
stop_initd

[ "$FAILED" -eq 0 ]
