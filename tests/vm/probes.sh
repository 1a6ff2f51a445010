# probes.sh — ready and health probes (issue 15) with cgroups and
# isolation (main boot). probe (tests/vm/units/probe.unit) serves on
# 127.0.0.1:8080 of its own network namespace: it is `running` only once
# httpd accepts connections there (the probe joins its namespaces; the
# VM's own 127.0.0.1:8080 has nothing); SIGSTOP'ed, its http health probe
# times out twice and the unit is restarted with that reason.
# probe-exec's exec ready probe runs in its own PID namespace.
section probes

# probe_go: let the service's shell exec httpd (in its mount namespace).
probe_go() {
	_p=$(main_pid probe)
	_c=$(iso_child "$_p") || return 1
	nsenter -t "$_c" -m -r -- touch /tmp/go
}
sv start --no-wait probe >/dev/null 2>&1
check "probe: starting while nothing listens" eventually 20 state_is probe starting
sleep 1
check "probe: still starting (its ready probe fails)" state_is probe starting
check "probe: the VM's own 127.0.0.1:8080 has nothing" eval '! nc -z 127.0.0.1 8080'
check "probe: let httpd start" eventually 10 probe_go
check "probe: running once httpd accepts connections in its namespace" \
	eventually 30 state_is probe running
check "probe: nothing answers outside its namespace still" eval '! nc -z 127.0.0.1 8080'
old=$(main_pid probe)
httpd=$(pidof httpd | tr ' ' '\n' | while read -r p; do
	[ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/1/ns/net)" ] &&
		[ "$(cgroup_of "$p")" = /system/probe ] && echo "$p"; done | head -n 1)
check "probe: its httpd found ($httpd)" is_pid "$httpd"
kill -STOP "$httpd"
check "probe: a stopped httpd fails the http health probe: restarted" \
	eventually 60 eval '[ "$(unit_restarts probe)" = 1 ]'
check "probe: with the reason" eval \
	'unit_reason probe | grep -q "health check failed: timed out after 1s"'
check "probe: the stopped httpd is gone" eventually 20 eval "! alive $httpd"
check "probe: starting again, a new main process" eval \
	'state_is probe starting && [ "$(main_pid probe)" != "$old" ]'
check "probe: let the new httpd start" eventually 10 probe_go
check "probe: running again" eventually 30 state_is probe running
sv stop probe >/dev/null 2>&1

# probe-exec: an exec ready probe in the unit's own PID namespace (the
# command's parent, the helper, is outside it).
sv start --no-wait probe-exec >/dev/null 2>&1
check "probe-exec: starting while its exec probe fails" eventually 20 state_is probe-exec starting
sleep 1
check "probe-exec: still starting" state_is probe-exec starting
probe_exec_ready() {
	_c=$(iso_child "$(main_pid probe-exec)") || return 1
	nsenter -t "$_c" -m -r -- touch /tmp/ready
}
check "probe-exec: make /tmp/ready in its mount namespace" eventually 10 probe_exec_ready
check "probe-exec: running once the exec probe passes" eventually 30 state_is probe-exec running
# the check counts against the unit's limits and goes with its cgroup: the
# old code ran it in PID 1's
check_eq "probe-exec: its command ran in the unit's cgroup" \
	"$(nsenter -t "$(iso_child "$(main_pid probe-exec)")" -m -r -- cat /tmp/probe.cg 2>/dev/null)" \
	"0::/system/probe-exec"
sv stop probe-exec >/dev/null 2>&1

# probe-full: at its pids.max, its health check's helper (born in the
# unit's cgroup) is refused there; not counted as the service's failure,
# tried at the next interval: still running, never restarted (the old
# code took "cannot run the probe" for a failed check and restarted it).
sv start probe-full >/dev/null 2>&1
check "probe-full: running" eventually 10 state_is probe-full running
sleep 2   # ten of its intervals
check "probe-full: still running, not restarted" \
	eval 'state_is probe-full running && [ "$(unit_restarts probe-full)" = 0 ]'
sv stop probe-full >/dev/null 2>&1

# probe-last: one pid short of its pids.max: the helper gets in, the
# check's command does not. Not counted either (the old code took the
# refused fork for a failed check and restarted the unit).
sv start probe-last >/dev/null 2>&1
check "probe-last: running" eventually 10 state_is probe-last running
sleep 2   # ten of its intervals
check "probe-last: still running, not restarted" \
	eval 'state_is probe-last running && [ "$(unit_restarts probe-last)" = 0 ]'
check "probe-last: its checks' forks were refused (pids.events max > 0)" \
	eval '[ "$(kv /sys/fs/cgroup/system/probe-last/pids.events max)" -gt 0 ]'
sv stop probe-last >/dev/null 2>&1
