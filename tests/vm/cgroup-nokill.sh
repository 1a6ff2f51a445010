# cgroup-nokill.sh — a stop whose cgroup.kill fails, and a status of
# several named units (cgroup boot; runs inside the VM).
#
#   nokill  hog ignoring SIGTERM, and a child of its own that ignores it
#           too; stop timeout 1 s; /system/nokill
#
# A read-only bind mount over its cgroup.kill makes the kernel refuse the
# write (EROFS), as a kernel before 5.14, without the file, would refuse
# it. The stop timeout still kills both processes, each from cgroup.procs,
# the log says why with the unit's name, and the stop ends. It stayed
# stopping for ever: nothing was killed.
section nokill
NK=$CG/system/nokill
check "nokill: running" eventually 10 state_is nokill running
check "nokill: main and child in its leaf" eventually 10 procs_count_is "$NK" 2
nk_procs=$(cat "$NK/cgroup.procs" | tr '\n' ' ')
: >/run/nokill.ro
if mount --bind /run/nokill.ro "$NK/cgroup.kill" && mount -o remount,bind,ro "$NK/cgroup.kill"; then
	check "nokill: its cgroup.kill refuses a write" eval '! echo 1 2>/dev/null >"$NK/cgroup.kill"'
	svctl -t 30 stop nokill >/dev/null 2>&1
	check "nokill: svctl stop ends, stopped" eventually 30 state_is nokill stopped
	for p in $nk_procs; do
		check "nokill: process $p is gone" eventually 10 eval '! alive "$p"'
	done
	check "nokill: its leaf is empty" eventually 10 unpopulated "$NK"
	check "nokill: the log names the unit and the kernel's reason" \
		eval 'dmesg | grep -q "nokill: cgroup.kill failed (Read-only file system): 2 process(es) killed one by one"'
	umount "$NK/cgroup.kill"
else
	not_ok "nokill: a read-only bind mount over its cgroup.kill" "mount failed"
	umount "$NK/cgroup.kill" 2>/dev/null
fi
diag "nokill: $(dmesg | grep 'nokill' | tail -n 4 | tr '\n' '|')"

# ---- a status of several named units: svctl reads their figures -----------------
# PID 1 sends the table's root, not the figures (a request could name
# 256 units, each read ten files in PID 1); svctl reads memory.current
# and cpu.stat below it. One named unit's figures are still all PID 1's.
section named-status
two=$(sv --json status plain lim 2>/dev/null)
for u in plain lim; do
	check "svctl status plain lim: $u's memory_current, read by svctl" \
		eval 'printf "%s\n" "$two" | grep "\"name\":\"$u\"" | grep -q "\"memory_current\":[1-9]"'
done
check "svctl status plain lim: no memory_peak (PID 1 read none)" \
	eval '! printf "%s\n" "$two" | grep -q "\"memory_peak\""'
check "svctl status plain: memory_peak and pids_current, read by PID 1" \
	eval 'sv --json status plain | grep -q "\"memory_peak\":[1-9].*\"pids_current\":1"'
