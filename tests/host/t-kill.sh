#!/bin/bash
# t-kill.sh — svctl kill signals every process of the unit (here without
# cgroups: its process group; in a PID namespace every process of the
# namespace but the reaper, which does not forward it a second time);
# svctl kill --main signals the main process alone. testd --workers forks
# workers, --log-signals logs "got signal N" each time one arrives (40 is a
# realtime signal: it queues, so a signal delivered twice is logged twice).
. "$(dirname "$0")/lib.sh"

# got NAME SIG — the PIDs that logged SIG, sorted, one line.
got() { awk -v s="$2" '$3 == "got" && $4 == "signal" && $5 == s { print $1 }' "$T/$1.log" | sort -n | tr '\n' ' '; }
# procs NAME — the PIDs of the main process and its workers, sorted.
procs() { awk '$3 == "started" || $3 == "worker" { print $1 }' "$T/$1.log" | sort -n | tr '\n' ' '; }
nprocs() { [ "$(procs "$1" | wc -w)" = "$2" ]; }

new_boot kill
testd_unit w "--workers 2 --log-signals"
testd_unit pw "--workers 2 --log-signals" 'namespaces = [ "pid" ];'
start_initd
check "w and pw reach running" wait_until 5 eval 'state_is w running && state_is pw running'
check "w: main and 2 workers started" wait_until 5 nprocs w 3
check "pw: main and 2 workers started" wait_until 5 nprocs pw 3

for u in w pw; do
	all=$(procs $u)
	main=$(awk '$3 == "started" { print $1; exit }' "$T/$u.log")
	check "kill $u USR1" sv kill $u USR1
	check "$u: every process got SIGUSR1 ($all)" wait_until 5 eval '[ "$(got $u 10)" = "$all" ]'
	check "kill $u 40 (queued)" sv kill $u 40
	check "$u: every process got signal 40 once" wait_until 5 eval '[ "$(got $u 40)" = "$all" ]'
	check "kill --main $u USR2" sv kill --main $u USR2
	check "$u: the main process ($main) got SIGUSR2" wait_until 5 eval '[ "$(got $u 12)" = "$main " ]'
	# Every process handles HUP: once they all have, a USR2 sent to them
	# before would have been handled on the same return to user space.
	check "kill $u HUP" sv kill $u HUP
	check "$u: every process got SIGHUP" wait_until 5 eval '[ "$(got $u 1)" = "$all" ]'
	is "$u: only the main process got SIGUSR2" "$(got $u 12)" "$main "
	is "$u: signal 40 arrived once at each (not forwarded twice)" "$(got $u 40)" "$all"
	check "$u: still running" state_is $u running
done
# A real-time signal by the name a unit's stop.signal takes (RTMIN+N),
# with or without SIG: before, "unknown signal", exit 2.
all=$(procs w)
twice=$(for p in $all; do echo "$p"; echo "$p"; done | sort -n | tr '\n' ' ')
check "kill w SIGRTMIN+6 (a name as stop.signal takes it)" sv kill w SIGRTMIN+6
check "w: every process got signal 40 again" wait_until 5 eval '[ "$(got w 40)" = "$twice" ]'
rc=0; sv kill w RTMIN+99 > /dev/null 2>&1 || rc=$?
is "kill w RTMIN+99 (past RTMAX): usage error" "$rc" 2
rc=0; sv kill --main > /dev/null 2>&1 || rc=$?
is "kill --main without a name: usage error" "$rc" 2

# Every process of the unit ends by a TERM sent to the unit.
wpids=$(procs w)
check "kill w TERM" sv kill w TERM
for p in $wpids; do
	check "w: $p is gone after TERM" wait_until 5 ns_gone "$p"
done

stop_initd
[ "$FAILED" -eq 0 ]
