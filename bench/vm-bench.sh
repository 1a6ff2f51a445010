#!/bin/sh
# vm-bench.sh — inside the bench VM booted with initd (`make run
# SCRIPT=bench/vm-bench.sh` or bench/vm.sh). run-script starts it once
# `svctl wait` returned. Prints "BENCH key=value ..." lines for bench/vm.sh:
# the boot figures (the same ones bench/vm/report.sh prints under the other
# inits) and, in the extra image (/bench/extra, plus a unit r), figures that
# need a real PID 1 with cgroups: svctl status latency, restart latency,
# PID-1 memory, idle wakeups and CPU.
if [ ! -x /bench/benchtool ]; then
	echo "vm-bench: this image has no /bench: boot the bench image (bench/vm.sh builds it;" \
		"then make run SCRIPT=bench/vm-bench.sh UNITS=build/bench/vm/units OVERLAY=build/bench/vm/overlay)"
	exit 1
fi
ready=$(/bench/benchtool now)
# PID 1's CPU time and its time waiting for a CPU since initd's exec, ms
# ("CPU/WAIT"): /proc/1/schedstat now less what /bench/stamp-initd read
# before the exec (the same as bench/vm/report.sh's for the other inits).
sched=-
[ -s /bench/stamp-initd.sched ] && sched=$(awk 'NR == FNR { c = $1; w = $2; next }
	{ printf "%.1f/%.1f", ($1 - c) / 1e6, ($2 - w) / 1e6 }' /bench/stamp-initd.sched /proc/1/schedstat)
echo "BENCH init=initd services=$(cat /tmp/s*.touch 2>/dev/null | wc -l) t0=$(cat /bench/stamp-initd.t0)" \
	"first=$(cat /tmp/s*.touch | awk '{ print $2 }' | sort -n | head -n 1)" \
	"last=$(cat /tmp/s*.touch | awk '{ print $2 }' | sort -n | tail -n 1)" \
	"ready=$ready" \
	"pid1_sched_ms=$sched" \
	"pid1_ticks=$(sed 's/^.*) //' /proc/1/stat | awk '{ print $20 }')" \
	"pid1_rss=$(awk '/^Rss:/ { print $2 }' /proc/1/smaps_rollup)" \
	"pid1_priv=$(awk '/^Private_Dirty:/ { print $2 }' /proc/1/smaps_rollup)" \
	"pid1_cgroup=$(cut -d: -f3 /proc/1/cgroup)"
# PID 1's boot phases and each unit's spawn/exec stamps (bench/phases.py)
echo "BENCH-ANALYZE $(svctl analyze --json 2>/dev/null)"
# The scale image (/bench/scale, SCALE_UNITS testd units): initd start ->
# every unit settled (svctl analyze), then the floor in the same boot
# (benchtool leaves: SCALE_UNITS x mkdir a leaf + clone3 into it + exec)
# and svctl status at that many units.
if [ -f /bench/scale ]; then
	. /bench/scale
	svctl -t 240 wait >/dev/null 2>&1
	a=$(svctl analyze --json 2>/dev/null)
	ex=$(echo "$a" | sed -n 's/.*"exec_usec":\([0-9]*\).*"first_spawn_usec.*/\1/p')
	st=$(echo "$a" | sed -n 's/.*"settled_usec":\([0-9]*\).*/\1/p')
	floor=$(/bench/benchtool leaves "$SCALE_UNITS" /sys/fs/cgroup/bench-floor /bench/testd /tmp/floor.touch)
	status=$(/bench/benchtool times 5 svctl status | sort -n | sed -n 3p)
	# the two cgroup files per unit the table reads, without initd or svctl
	statreads=$(/bench/benchtool statreads /sys/fs/cgroup system | cut -d' ' -f1)
	echo "BENCH-ANALYZE-SCALE $a"
	echo "BENCH-SCALE units=$SCALE_UNITS running=$(svctl status | awk '$2 == "running"' | wc -l)" \
		"t0=$(cat /bench/stamp-initd.t0) exec=$ex settled=$st floor_usec=$floor status_usec=$status statreads_usec=$statreads" \
		"pid1_rss=$(awk '/^Rss:/ { print $2 }' /proc/1/smaps_rollup)" \
		"pid1_fds=$(ls /proc/1/fd | wc -l) nofile=$(awk '/^Max open files/ { print $4 }' /proc/1/limits)"
	exit 0
fi
[ -f /bench/extra ] || exit 0
. /bench/extra     # RESTARTS, STATUS_RUNS, IDLE_SECS, IDLE_ONLY

cpu() { sed 's/^.*) //' /proc/1/stat | awk '{ print $12 + $13 }'; }
switches() { awk '/ctxt_switches/ { s += $2 } END { print s }' /proc/1/status; }
pets() { svctl show-system --json | sed -n 's/.*"pets":\([0-9]*\).*/\1/p'; }

# PID 1's wakeups while nothing happens; with a hardware watchdog
# (initd.conf `watchdog`), also the pets it made meanwhile: the two should
# be equal (the pets are its only periodic wakeups).
idle() {
	local v0 v1 c0 c1 p0 p1
	p0=$(pets) v0=$(switches) c0=$(cpu)
	sleep "$IDLE_SECS"
	v1=$(switches) c1=$(cpu) p1=$(pets)
	echo "BENCH-IDLE switches=$((v1 - v0)) cpu_ticks=$((c1 - c0)) seconds=$IDLE_SECS" \
		"pets=$(( ${p1:-0} - ${p0:-0} )) watchdog=$(svctl show-system | awk '$1 == "watchdog" { print $2 }')"
}
if [ -n "${IDLE_ONLY:-}" ]; then
	svctl wait >/dev/null 2>&1
	idle
	exit 0
fi

stats() {
	sort -n | awk '{ v[NR] = $1 }
		function pct(p,  i) { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; return v[i] }
		END { if (NR) printf "n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f\n", NR,
			pct(50) / 1000, pct(90) / 1000, pct(99) / 1000, v[NR] / 1000 }'
}

echo "BENCH-STATUS $(/bench/benchtool times "$STATUS_RUNS" svctl status | stats)"

# restart latency with a real cgroup per service (the extra image has r.unit)
svctl wait >/dev/null 2>&1
echo "BENCH-RESTART $(/bench/benchtool restart "$RESTARTS" /tmp/r.touch | stats)"
echo "BENCH-CGROUP $(cat /proc/$(tail -n 1 /tmp/r.touch | cut -d' ' -f1)/cgroup 2>/dev/null)"
svctl stop r >/dev/null 2>&1
echo "BENCH-MEM rss=$(awk '/^Rss:/ { print $2 }' /proc/1/smaps_rollup) priv=$(awk '/^Private_Dirty:/ { print $2 }' /proc/1/smaps_rollup)"

idle

# spawn latency, no namespace against a net namespace with a point-to-point
# veth, both ends given IPv4 + IPv6 addresses (issue 18; the same unit as
# bench/host.sh's row); measured last so that the figures above see the
# same units as before. Ratio: p50 over p50.
spawn_unit() {   # spawn_unit NAME [LINE...]
	_n=$1
	shift
	{
		echo "exec = [ \"/bench/testd\", \"--touch\", \"/tmp/$_n.touch\" ];"
		echo 'restart = "no";'
		for _l in "$@"; do echo "$_l"; done
	} > "/etc/initd/units/$_n.unit"
	: > "/tmp/$_n.touch"
}
spawn_unit sp0
spawn_unit sp6 'namespaces = [ "net" ];' \
	'network = { veth = { host_address = "10.77.0.1/30"; host_address6 = "fd00:77::1/64"; address = "10.77.0.2/30"; address6 = "fd00:77::2/64"; gateway6 = "fd00:77::1"; }; };'
svctl reload >/dev/null 2>&1
svctl wait >/dev/null 2>&1
s0=$(/bench/benchtool spawn "${SPAWNS:-30}" /run/initd/control sp0 /tmp/sp0.touch | stats)
s6=$(/bench/benchtool spawn "${SPAWNS:-30}" /run/initd/control sp6 /tmp/sp6.touch | stats)
echo "BENCH-SPAWN0 $s0"
echo "BENCH-SPAWN6 $s6 ratio=$(echo "$s0 $s6" | sed 's/[a-z0-9]*=//g' |
	awk '{ if ($2 > 0) printf "%.1f", $7 / $2; else print "-" }')"
exit 0
