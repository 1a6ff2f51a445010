#!/bin/sh
# report.sh NAME — inside a bench VM booted with another init (busybox init,
# s6-svscan, runsvdir): wait until the 10 services have started (each testd
# appends "PID MONOTONIC_USEC" to /tmp/sN.touch), print what bench/vm.sh
# parses on the second serial port, and power off. Started by that init as
# one more service (inittab "once", or a run script).
name=$1
out=/dev/ttyS1
[ -r /proc/uptime ] || /bin/busybox mount -t proc proc /proc
[ -e /dev/ttyS1 ] || /bin/busybox mount -t devtmpfs dev /dev
stty -F "$out" raw -echo 2>/dev/null
# PID 1's CPU time and its time waiting for a CPU since the init's exec,
# ms ("CPU/WAIT"): /proc/1/schedstat now less what /bench/stamp-NAME read
# before the exec.
sched_ms() {
	[ -s "$1" ] && [ -r /proc/1/schedstat ] || { echo -; return; }
	awk 'NR == FNR { c = $1; w = $2; next } { printf "%.1f/%.1f", ($1 - c) / 1e6, ($2 - w) / 1e6 }' \
		"$1" /proc/1/schedstat
}
i=0
while [ "$i" -lt 600 ]; do
	n=0
	for f in /tmp/s*.touch; do [ -s "$f" ] && n=$((n + 1)); done
	[ "$n" -ge 10 ] && break
	sleep 0.05
	i=$((i + 1))
done
{
	echo "BENCH init=$name services=$n t0=$(cat /bench/stamp-$name.t0 2>/dev/null)" \
		"first=$(cat /tmp/s*.touch | awk '{ print $2 }' | sort -n | head -n 1)" \
		"last=$(cat /tmp/s*.touch | awk '{ print $2 }' | sort -n | tail -n 1)" \
		"pid1_ticks=$(sed 's/^.*) //' /proc/1/stat | awk '{ print $20 }')" \
		"pid1_sched_ms=$(sched_ms "/bench/stamp-$name.sched")" \
		"pid1_rss=$(awk '/^Rss:/ { print $2 }' /proc/1/smaps_rollup 2>/dev/null)" \
		"pid1_priv=$(awk '/^Private_Dirty:/ { print $2 }' /proc/1/smaps_rollup 2>/dev/null)"
	echo "INITD-SCRIPT-EXIT=0"
} > "$out"
sync
/bin/busybox poweroff -f
exec sleep 3600
