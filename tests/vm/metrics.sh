# metrics.sh — issue 17 items 4 and 5 in the VM (cgroup boot, sourced by
# scenarios-cgroup.sh after cgroup.sh): `svctl metrics` against the
# kernel's files, the metrics_file (cgroup.conf) rewritten after a
# kill -> restart, and default_accounting (memory and pids for a unit
# without limits). No Prometheus parser in the image: the host tier
# (tests/host/t-metrics.sh) parses the format; here awk reads values.
#
#   plain     no limit: its leaf has memory.current and pids.current
#   spin      cpu.max 20%: CPU usage and throttling move, restart = always

MFILE=/run/initd/metrics.prom
# metric NAME UNIT [TEXTFILE]: the value of NAME{unit="UNIT"}
metric() {
	if [ -n "${3:-}" ]; then cat "$3"; else sv metrics; fi 2>/dev/null |
		awk -v k="$1{unit=\"$2\"}" '$1 == k { print $2; exit }'
}
# usec FLOAT-SECONDS -> integer usec
usec() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 + 0.5 }'; }
# within A B TOL: |A - B| <= TOL
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

check "default accounting: plain's leaf has memory.current" test -f "$CG/other/plain/memory.current"
check "default accounting: plain's leaf has pids.current" test -f "$CG/other/plain/pids.current"
check_eq "plain: pids.current 1 (its sleep)" "$(cat "$CG/other/plain/pids.current" 2>/dev/null)" 1
# svctl status of every unit: svctl's reads (svctl/cgstat.c); the JSON,
# whose fields do not move as the table's two-word SINCE moves them
st=$(sv --json status | grep '"name":"plain"' | grep -o '"memory_current":[0-9]*')
check "svctl status (every unit) shows plain's memory ($st)" [ -n "$st" ]
# svctl reads below initd's root only where its own mount namespace has
# that very cgroup there. A tmpfs over the mount: no cgroup2, plain is
# listed without figures. Another cgroup bound there (fakeroot, holding
# other/plain as initd's root does): cgroup2, but not initd's root (the
# id in the reply), so its cpu.stat, which every cgroup has, is not
# taken for plain's.
ns_status() { unshare -m --propagation private sh -c "$1 && svctl -t 10 --json status" 2>/dev/null | grep '"name":"plain"'; }
o=$(ns_status "mount -t tmpfs none $CG")
check "svctl status, no cgroup2 at initd's root here: plain listed, no figures" \
	eval '[ -n "$o" ] && ! printf "%s" "$o" | grep -q "memory_current\|cpu_usage_usec"'
mkdir -p "$CG/fakeroot/other/plain"
o=$(ns_status "mount --bind $CG/fakeroot $CG")
check "svctl status, another cgroup at initd's root here: plain listed, not its figures" \
	eval '[ -n "$o" ] && ! printf "%s" "$o" | grep -q "memory_current\|cpu_usage_usec"'
rmdir "$CG/fakeroot/other/plain" "$CG/fakeroot/other" "$CG/fakeroot"

# memory: a sleeping process's memory barely moves between two reads
m=$(metric initd_unit_memory_current_bytes plain) k=$(cat "$CG/other/plain/memory.current")
check "metrics: plain memory_current $m ~ kernel $k" within "${m:-x}" "$k" 262144
check_eq "metrics: plain pids_current" "$(metric initd_unit_pids_current plain)" 1
check_eq "metrics: plain state running" \
	"$(sv metrics | grep -c '^initd_unit_state{unit="plain",state="running"} 1$')" 1

# CPU: spin burns 20%: the metric is read before the file, both counters
u0=$(usec "$(metric initd_unit_cpu_usage_seconds_total spin)")
u1=$(kv "$CG/apps/spin/cpu.stat" usage_usec)
check "metrics: spin cpu usage $u0 <= kernel $u1, within 2s" \
	eval '[ "${u0:-x}" -le "$u1" ] && [ $((u1 - u0)) -le 2000000 ]'
t0=$(metric initd_unit_cpu_throttled_periods_total spin)
t1=$(kv "$CG/apps/spin/cpu.stat" nr_throttled)
check "metrics: spin nr_throttled $t0 <= kernel $t1, within 40 periods" \
	eval '[ "${t0:-x}" -le "$t1" ] && [ $((t1 - t0)) -le 40 ]'
s0=$(usec "$(metric initd_unit_cpu_throttled_seconds_total spin)")
s1=$(kv "$CG/apps/spin/cpu.stat" throttled_usec)
check "metrics: spin throttled_usec $s0 <= kernel $s1" eval '[ "${s0:-x}" -le "$s1" ]'
check "metrics: PSI of spin's cgroup (cpu.pressure present)" \
	eval '[ ! -f "$CG/apps/spin/cpu.pressure" ] || sv metrics | grep -q "^initd_unit_pressure_avg10_ratio{unit=\"spin\",resource=\"cpu\",kind=\"some\"} "'

# A member of control_group (cgroup.conf: nogroup) gets the text in the
# reply, not in an fd: the answer PID 1 sends once the helper reported,
# with the same families as root's and plain's memory in it.
families() { grep '^# TYPE' | grep -v ' initd_boot_settled_seconds ' | sort; }
mt=$(su -s /bin/sh nobody -c '/bin/svctl -t 10 metrics' 2>&1)
[ "$(printf '%s\n' "$mt" | wc -l)" -gt 1 ] || diag "metrics: as nobody: $mt"
check "metrics: a member of control_group gets plain's memory in the reply" \
	eval 'printf "%s\n" "$mt" | grep -q "^initd_unit_memory_current_bytes{unit=\"plain\"} [0-9]"'
check_eq "metrics: ... with root's families" "$(printf '%s\n' "$mt" | families)" \
	"$(sv metrics | families)"

# the file: there, and rewritten (renamed over) after a kill -> restart
check "metrics_file is there" eventually 5 test -f "$MFILE"
r0=$(metric initd_unit_restarts_total spin "$MFILE") ino=$(stat -c %i "$MFILE")
kill -KILL "$(main_pid spin)"
check "metrics_file: spin's restart reaches it ($r0 -> $((r0 + 1)))" \
	eventually 10 eval '[ "$(metric initd_unit_restarts_total spin "$MFILE")" = $((r0 + 1)) ]'
check "metrics_file: replaced, not edited" eval '[ "$(stat -c %i "$MFILE")" != "$ino" ]'
check_eq "metrics_file: spin's last exit signal 9" \
	"$(metric initd_unit_last_exit_signal spin "$MFILE")" 9
check "metrics_file: memory of plain there too" \
	eval '[ -n "$(metric initd_unit_memory_current_bytes plain "$MFILE")" ]'
