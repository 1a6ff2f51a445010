# forking.sh — type = "forking" with cgroups (main boot): fork (busybox
# httpd without -f, no pidfile) and forkpid (testd, a pid file) run with
# their daemon as the main process, the only process of their leaf; killing
# the daemon restarts the unit; forkbad's pid file names PID 1, outside its
# cgroup: refused with the reason; forkdies's daemon dies before writing its
# pid file: the start fails. MAINPID= from a process of the unit
# other than its main one: believed from one of the main process's uid
# (mp-peer), refused from a worker that dropped to another (mp-worker).
section forking

for u in fork forkpid; do
	if ! eventually 20 state_is $u running; then
		not_ok "$u: running" "$(sv status $u 2>&1)"
		continue
	fi
	ok "$u: running"
	pid=$(main_pid $u)
	check_eq "$u: its leaf holds one process" "$(procs_count "$CG/system/$u")" 1
	check "$u: the main process ($pid) is the one in its leaf" procs_has "$CG/system/$u" "$pid"
	check_eq "$u: the daemon was reparented to initd" "$(proc_ppid "$pid")" 1
	check_eq "$u: its cgroup is the unit's" "$(cgroup_of "$pid")" "/system/$u"
done
check "fork: the main process is httpd" eval \
	'tr "\\0" " " < /proc/$(main_pid fork)/cmdline | grep -q "^/bin/busybox httpd "'
check_eq "forkpid: the pid file names the main process" "$(cat /run/forkpid.pid 2>/dev/null)" \
	"$(main_pid forkpid)"

old=$(main_pid fork)
kill -KILL "$old"
# The first new PID may be the starter's (it shows while the unit is
# starting): the daemon's is the one once the unit is running again.
wait_new_pid fork "$old" 20 >/dev/null
check "fork: killing the daemon restarts the unit" eventually 20 state_is fork running
new=$(main_pid fork)
check_eq "fork: the new daemon is the one in its leaf" \
	"$(cat "$CG/system/fork/cgroup.procs" 2>/dev/null)" "${new:-none}"

sv start forkbad >/dev/null 2>&1
check "forkbad: a pid file naming PID 1 fails the start" eventually 20 state_is forkbad failed
check "forkbad: with its reason" eval \
	'unit_reason forkbad | grep -q "pid file /run/forkbad.pid names 1: PID 1"'
check "forkbad: what its starter left is killed" eventually 10 unpopulated "$CG/system/forkbad"

# The daemon dies before it writes the pid file: with no start_timeout the
# old code stayed starting for good.
sv start forkdies >/dev/null 2>&1
check "forkdies: a daemon gone before its pid file fails the start" eventually 15 \
	state_is forkdies failed
check "forkdies: with its reason" eval \
	'unit_reason forkdies | grep -q "no pid file /run/forkdies.pid and no process left in its cgroup"'
check "forkdeleg: its daemon in a sub-cgroup of its own runs" eventually 15 \
	state_is forkdeleg running
check_eq "forkdeleg: the main process is the daemon, in its cgroup d" \
	"$(cgroup_of "$(main_pid forkdeleg)")" /system/forkdeleg/d

# A worker that dropped its privileges must not name itself main: PID 1
# would follow it and, at its exit, kill the cgroup with its root master.
mp_master() { head -n 1 "/tmp/$1.touch" 2>/dev/null | cut -d' ' -f1; }
for u in mp-worker mp-peer; do
	check "$u: running, its master's pid written" eventually 20 eval \
		'state_is $u running && [ -n "$(mp_master $u)" ]'
done
check "mp-worker: MAINPID= from uid 65534 is refused, with the reason" eventually 10 eval \
	'dmesg | grep -q "mp-worker: MAINPID=[0-9]* ignored: sent by process [0-9]* of uid 65534"'
check_eq "mp-worker: the master is still the main process" "$(main_pid mp-worker)" \
	"$(mp_master mp-worker)"
check "mp-peer: MAINPID= from the master's uid is believed" eventually 10 eval \
	'[ -n "$(main_pid mp-peer)" ] && [ "$(main_pid mp-peer)" != "$(mp_master mp-peer)" ]'
check "mp-peer: the new main process is the worker, in the unit's leaf" eval \
	'procs_has "$CG/system/mp-peer" "$(main_pid mp-peer)"'
