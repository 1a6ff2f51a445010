#!/bin/sh
# smoke.sh — the arm64 smoke boot's driver (tests/vm/arm64.sh runs it inside
# the appliance with `make run ARCH=arm64 SCRIPT=`). TAP lines about the
# kernel's state; lib.sh comes in the overlay arm64.sh builds.
. /usr/lib/vmtest/lib.sh
section arm64

check_eq "uname -m is aarch64" "$(uname -m)" aarch64
check "veth (arm64 module) is loaded" test -d /sys/module/veth
check "virtio (built into the arm64 kernel) counts as loaded" \
	eval 'dmesg | grep -q "module virtio: built into the kernel"'
check "no listed module is reported missing" eval '! dmesg | grep -q "not found under /lib/modules"'

# a leaf cgroup per service, read from /proc/PID/cgroup
for u in sleeper ticker; do
	pid=$(main_pid $u)
	if ! is_pid "$pid"; then
		not_ok "$u: running" "$(sv status $u 2>&1)"
		continue
	fi
	cg=$(cgroup_of "$pid")
	case $u in
	sleeper) want=/apps/sleeper ;;
	*) want=/system/$u ;;
	esac
	check_eq "$u: /proc/$pid/cgroup is its own cgroup" "$cg" "$want"
	check "$u: $cg is a leaf holding its main process" \
		eval 'is_leaf "$CG$cg" && procs_has "$CG$cg" "$pid"'
done

# limits, read back from the kernel
check_eq "sleeper: pids.max" "$(cat $CG/apps/sleeper/pids.max 2>&1)" 16
check_eq "sleeper: memory.max (32M)" "$(cat $CG/apps/sleeper/memory.max 2>&1)" 33554432
check_eq "apps slice: memory.max (128M)" "$(cat $CG/apps/memory.max 2>&1)" 134217728

# restart after SIGKILL: a new main PID, the restart count goes up
old=$(main_pid sleeper)
r0=$(unit_restarts sleeper)
kill -KILL "$old"
if new=$(wait_new_pid sleeper "$old" 20); then
	ok "sleeper: restarted after SIGKILL (pid $old -> $new)"
	check "sleeper: restart count went up (was $r0)" \
		eventually 5 eval '[ "$(unit_restarts sleeper)" -gt "$r0" ]'
	check_eq "sleeper: the new process is in the same cgroup" "$(cgroup_of "$new")" /apps/sleeper
else
	not_ok "sleeper: restarted after SIGKILL" "$(sv status sleeper 2>&1)"
fi
check "no zombies" no_zombies
[ "$failures" -eq 0 ]
