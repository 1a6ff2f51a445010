# kill.sh — svctl kill reaches every process of a unit (main boot): kw, a
# main process with two workers in its cgroup (signalled from its
# cgroup.procs), and kp, the same in a PID namespace (signalled through its
# reaper, which must not forward the signal a second time). Each process
# logs every signal it gets (testd --log-signals); 40 is a realtime signal,
# which queues: one sent twice is logged twice.
section kill

# k_got UNIT SIG: the PIDs (as the process sees itself) that logged SIG.
k_got() { awk -v s="$2" '$3 == "got" && $4 == "signal" && $5 == s { print $1 }' "/run/$1.log" | sort -n | tr '\n' ' '; }
# k_procs UNIT: the PIDs of the main process and its workers.
k_procs() { awk '$3 == "started" || $3 == "worker" { print $1 }' "/run/$1.log" | sort -n | tr '\n' ' '; }
k_nprocs() { [ "$(k_procs "$1" | wc -w)" -eq "$2" ]; }
k_got_is() { [ "$(k_got "$1" "$2")" = "$3" ]; }

for u in kw kp; do
	if ! eventually 10 k_nprocs $u 3; then
		not_ok "$u: main process and 2 workers started" "$(cat /run/$u.log 2>/dev/null)"
		continue
	fi
	ok "$u: main process and 2 workers started"
	all=$(k_procs $u)
	main=$(awk '$3 == "started" { print $1; exit }' /run/$u.log)
	n=$(procs_count "$CG/system/$u")
	if [ $u = kw ]; then
		check_eq "kw: its cgroup holds the 3 processes" "$n" 3
	else
		check_eq "kp: its cgroup holds the reaper and the 3 processes" "$n" 4
	fi
	check "kill $u USR1" sv kill $u USR1
	check "$u: every process got SIGUSR1 ($all)" eventually 5 k_got_is $u 10 "$all"
	check "kill $u 40 (a queued signal)" sv kill $u 40
	check "$u: every process got signal 40" eventually 5 k_got_is $u 40 "$all"
	check "kill --main $u USR2" sv kill --main $u USR2
	check "$u: the main process ($main) got SIGUSR2" eventually 5 k_got_is $u 12 "$main "
	# Once every process has handled a later HUP, a USR2 sent to it
	# before would have been handled too.
	check "kill $u HUP" sv kill $u HUP
	check "$u: every process got SIGHUP" eventually 5 k_got_is $u 1 "$all"
	check_eq "$u: only the main process got SIGUSR2" "$(k_got $u 12)" "$main "
	check_eq "$u: signal 40 arrived once at each (never twice)" "$(k_got $u 40)" "$all"
	check "$u: still running" state_is $u running
done
