# lifecycle.sh — issue 3 in the VM (faults boot): sd_notify readiness gates a
# dependent, a service that ignores SIGTERM is killed at its stop timeout,
# logs survive a restart. The ordered shutdown and its total bound are
# checked by the host on the console after this boot powers off (run.sh:
# host_checks_faults), with the sd-a/sd-b/sd-c chain and the hung/stuck units
# declared here.
#
# Units (tests/vm/faults-units): nt-slow (type notify, READY=1 after 1.5 s, logs to
# /tmp/nt-slow.log), nt-dep (requires nt-slow, touches /tmp/nt-dep.touch),
# lg (prints a numbered line every 100 ms), hung (ignores SIGTERM, stop
# timeout 1 s), stuck (ignores SIGTERM, stop timeout 30 s: only the
# shutdown_timeout of faults.conf ends it), sd-a <- sd-b <- sd-c (requires),
# fwdk and fwdc (output forwarded to kmsg and to the console), pid1cg (PID 1's
# cgroup 0.3 s into the boot).
section lifecycle

# ---- notify readiness gates the dependent ---------------------------------
# testd stamps its events with CLOCK_MONOTONIC in microseconds.
t_slow_start=$(awk '$3 == "started" { print $2 }' /tmp/nt-slow.log 2>/dev/null | head -n 1)
t_slow_ready=$(awk '$3 == "ready" { print $2 }' /tmp/nt-slow.log 2>/dev/null | head -n 1)
t_dep_start=$(head -n 1 /tmp/nt-dep.touch 2>/dev/null | cut -d' ' -f2)
diag "nt-slow started $t_slow_start, ready $t_slow_ready; nt-dep started $t_dep_start (usec)"
check_eq "nt-slow (type notify) is running" "$(unit_state nt-slow)" running
check_eq "nt-dep (requires nt-slow) is running" "$(unit_state nt-dep)" running
if [ -n "$t_slow_start" ] && [ -n "$t_slow_ready" ] && [ -n "$t_dep_start" ]; then
	check "nt-slow sent READY=1 about 1.5 s after its start" \
		[ $((t_slow_ready - t_slow_start)) -ge 1400000 ]
	check "nt-dep started only after nt-slow's READY=1 ($(((t_dep_start - t_slow_ready) / 1000)) ms later)" \
		[ "$t_dep_start" -ge "$t_slow_ready" ]
else
	not_ok "nt-slow sent READY=1 about 1.5 s after its start" "no times in /tmp/nt-slow.log, /tmp/nt-dep.touch"
	not_ok "nt-dep started only after nt-slow's READY=1" "$(cat /tmp/nt-slow.log 2>&1)"
fi
check_eq "nt-dep started once" "$(wc -l </tmp/nt-dep.touch 2>/dev/null)" 1

# ---- PID 1 moves into /init.scope once the boot settled, not before --------
# The move waits for an RCU grace period: 35-50 ms of PID 1 under TCG that
# came between two spawns of the boot (issue 19). pid1cg read /proc/1/cgroup
# 0.3 s into its life and stamped the time after the read; nt-slow's
# READY=1 (1.5 s) holds the boot back from settling until then.
set -- $(cat /tmp/pid1cg.early 2>/dev/null)
diag "pid1cg: PID 1's cgroup '${2:-}' at ${1:-?}; nt-slow ready at ${t_slow_ready:-?} (usec)"
if [ -n "${1:-}" ] && [ -n "$t_slow_ready" ] && [ "$1" -lt "$t_slow_ready" ]; then
	check_eq "PID 1 stays in the root cgroup while the boot has not settled" "${2:-}" "0::/"
elif [ -n "${1:-}" ] && [ -n "$t_slow_ready" ]; then
	echo "ok - PID 1 stays in the root cgroup while the boot has not settled # SKIP pid1cg read it after nt-slow's READY=1"
else
	not_ok "PID 1 stays in the root cgroup while the boot has not settled" "no /tmp/pid1cg.early or nt-slow log"
fi
check_eq "PID 1 is in /init.scope once the boot settled (svctl wait returned)" \
	"$(cgroup_of 1)" /init.scope

# ---- a service that ignores SIGTERM is killed at its stop timeout ---------
hpid=$(main_pid hung)
if alive "$hpid"; then
	t0=$(uptime_ms)
	sv stop hung >/dev/null 2>&1
	src=$?
	t1=$(uptime_ms)
	el=$((t1 - t0))
	check "hung: svctl stop returns success ($src)" [ "$src" -eq 0 ]
	check "hung: its process is gone after svctl stop" eventually 3 eval '! alive "$hpid"'
	check "hung: stop took the 1 s stop timeout ($el ms, 900-4000)" \
		eval '[ "$el" -ge 900 ] && [ "$el" -lt 4000 ]' 
	check_eq "hung: stopped" "$(unit_state hung)" stopped
	check "hung: its leaf is empty" unpopulated "$CG/system/hung"
	reason=$(unit_reason hung)
	diag "hung: reason after the stop: '$reason'"
	sv start hung >/dev/null 2>&1
	check "hung: running again after svctl start" eventually 5 state_is hung running
else
	not_ok "hung: running with a live main PID" "svctl says '$hpid'"
fi

# ---- logs survive a restart ------------------------------------------------
lpid=$(main_pid lg)
if alive "$lpid"; then
	# a few lines from the first instance, then kill it
	eventually 5 eval 'sv logs lg -n 1000 2>/dev/null | grep -q "testd $lpid line 5\$"'
	kill -9 "$lpid"
	npid=$(wait_new_pid lg "$lpid" 10)
	if [ -n "$npid" ]; then
		eventually 5 eval 'sv logs lg -n 1000 2>/dev/null | grep -q "testd $npid line 3\$"'
		logs=$(sv logs lg -n 1000 2>&1)
		old_n=$(echo "$logs" | grep -c "testd $lpid line ")
		new_n=$(echo "$logs" | grep -c "testd $npid line ")
		old_max=$(echo "$logs" | sed -n "s/.*testd $lpid line \([0-9]*\)\$/\1/p" | tail -n 1)
		old_min=$(echo "$logs" | sed -n "s/.*testd $lpid line \([0-9]*\)\$/\1/p" | head -n 1)
		check "lg: svctl logs holds lines of the killed instance ($old_n) and of the new one ($new_n)" \
			eval '[ "$old_n" -ge 5 ] && [ "$new_n" -ge 3 ]' 
		# no line of the old instance lost between the first kept and the last
		check "lg: the old instance's lines are contiguous ($old_min..$old_max, $old_n lines)" \
			eval '[ -n "$old_max" ] && [ $((old_max - old_min + 1)) -eq "$old_n" ]' 
		check "lg: the new instance's lines start at 1" \
			eval 'echo "$logs" | grep -q "testd $npid line 1\$"'
		# the old lines come before the new ones
		lo=$(echo "$logs" | grep -n "testd $lpid line $old_max\$" | cut -d: -f1)
		hi=$(echo "$logs" | grep -n "testd $npid line 1\$" | cut -d: -f1)
		check "lg: the old instance's lines come before the new one's" \
			eval '[ -n "$lo" ] && [ -n "$hi" ] && [ "$lo" -lt "$hi" ]' 
	else
		not_ok "lg: restarted after kill -9" "state $(unit_state lg)"
	fi
else
	not_ok "lg: running with a live main PID" "svctl says '$lpid'"
fi

# ---- log forwarding (unit key log = { kmsg = true; }) ------------------------
check "fwdk: its output is in svctl logs" eval 'sv logs fwdk 2>/dev/null | grep -q vmtest-forward-kmsg-marker'
check "fwdk: its output is forwarded to /dev/kmsg (dmesg)" eval 'dmesg | grep -q vmtest-forward-kmsg-marker' ||
	diag "dmesg lines from initd/services: $(dmesg | grep -c 'initd:')" \
		"$(dmesg | grep -i 'suppress\|ratelimit' | tail -n 3)"
# fwdc (log = { console = true; }): the host looks for its line in console.log

# ---- the shutdown chain is up (the host checks its stop order) -------------
for s in sd-a sd-b sd-c stuck; do
	check_eq "$s: running before the poweroff" "$(unit_state "$s")" running
done
