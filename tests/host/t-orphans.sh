#!/bin/bash
# t-orphans.sh — initd as PID 1 reaps every orphan (doc/DESIGN.md §8). A service
# leaves 20 orphaned grandchildren that live until the test lets them go
# ($T/go): while they live their parent is PID 1 (initd); once they exit
# none of them may linger as a zombie, and their deaths must not be
# mistaken for the service's.
. "$(dirname "$0")/lib.sh"

new_boot orphans
testd_unit parent "--orphans 20 --orphan-until $T/go"
start_initd

check "parent reaches running" wait_state parent running 5
ppid=$(svc_pid parent)
check "parent made its 20 orphans" wait_until 10 log_has parent 'made 20 orphans'
orphans=$(awk '$3 == "orphan" { print $4 }' "$T/parent.log" 2>/dev/null)
check "20 orphan PIDs were logged" eval '[ "$(printf "%s\n" $orphans | grep -c .)" = 20 ]'

# While they wait for $T/go: each alive, reparented to PID 1 of the
# namespace (one that is not there, or not a live testd, counts against).
# live_orphan STATE PPID COMM — not a zombie, a testd, its parent PID 1
live_orphan() { [ $# = 3 ] && [ "$1" != Z ] && [ "$2" = 1 ] && [ "$3" = testd ]; }
bad=
for p in $orphans; do
	s=$(ns_stat "$p")
	live_orphan $s || bad="$bad $p(${s:-gone})"
done
check "the 20 orphans are alive, with PPid 1 (initd)" test -z "$bad"
[ -n "$bad" ] && diag "not alive with parent 1:$bad"
touch "$T/go"

all_gone() { local p; for p in $orphans; do ns_gone "$p" || return 1; done; }
check "every orphan is reaped (no /proc entry left)" wait_until 5 all_gone
zombies=$(ns_zombies)
check "no zombie in the namespace" test -z "$zombies"
[ -n "$zombies" ] && diag "zombies (PID PPID COMM):" "$zombies"

check "parent is still the same live process ($ppid)" \
	eval 'ns_alive "$ppid" && [ "$(svc_pid parent)" = "$ppid" ]'
is "parent: RESTARTS still 0" "$(svc_restarts parent)" 0
check "parent was started once" eval '[ "$(touch_count parent)" = 1 ]'

stop_initd
[ "$FAILED" -eq 0 ]
