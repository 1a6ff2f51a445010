#!/bin/bash
# t-orphans.sh — initd as PID 1 reaps every orphan (doc/DESIGN.md §8). A service
# leaves 20 orphaned grandchildren that live 1.5s: while they live their
# parent is PID 1 (initd); once they exit none of them may linger as a
# zombie, and their deaths must not be mistaken for the service's.
. "$(dirname "$0")/lib.sh"

new_boot orphans
testd_unit parent "--orphans 20 --orphan-sleep 1500"
start_initd

check "parent reaches running" wait_state parent running 5
ppid=$(svc_pid parent)
check "parent made its 20 orphans" wait_until 3 log_has parent 'made 20 orphans'
orphans=$(awk '$3 == "orphan" { print $4 }' "$T/parent.log" 2>/dev/null)
check "20 orphan PIDs were logged" eval '[ "$(printf "%s\n" $orphans | grep -c .)" = 20 ]'

# While they sleep: reparented to PID 1 of the namespace.
bad=
for p in $orphans; do
	s=$(ns_stat "$p")
	[ -n "$s" ] && [ "$(echo "$s" | cut -d' ' -f2)" != 1 ] && bad="$bad $p($s)"
done
check "living orphans have PPid 1 (initd)" test -z "$bad"
[ -n "$bad" ] && diag "not reparented to 1:$bad"

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
