# freeze.sh — issue 17 in the VM (cgroup boot): svctl freeze / thaw through
# cgroup.freeze, checked in the kernel's files (cgroup.events frozen,
# /proc/PID/status State), and the post-mortem of an OOM kill (memhog,
# cgroup.sh let it hog) with the cgroup's counters.
#
#   spin  a busy loop (State R): frozen it sleeps (State S) in the
#         freezer's trap, thawed it runs again
#   frz   notify, watchdog 2s, health probe every 500ms (frz.unit): frozen
#         for longer than both, neither fires; frozen then stopped: stopped,
#         not restarted
section freeze

# ---- spin: R -> frozen (S) -> R ---------------------------------------------------
SPIN=$CG/apps/spin
spin_pid=$(main_pid spin)
check "spin: running, State R before the freeze" \
	eventually 10 eval '[ "$(status_field "$spin_pid" State)" = R ]'
check "svctl freeze spin" sv freeze spin
check_eq "spin: cgroup.freeze reads 1" "$(cat $SPIN/cgroup.freeze)" 1
check "spin: cgroup.events says frozen 1" \
	eventually 10 eval '[ "$(kv $SPIN/cgroup.events frozen)" = 1 ]'
check "spin: svctl status shows frozen" eventually 10 state_is spin frozen
check "spin: svctl tree shows frozen too" eval 'sv tree | grep -q "^ *spin  (service, frozen)"'
# Linux 6.1's cgroup v2 freezer parks each task in do_freezer_trap(),
# TASK_INTERRUPTIBLE: State S (sleeping), never D.
diag "spin: frozen: $(grep ^State: /proc/$spin_pid/status)"
check_eq "spin: frozen, its main process reads State S" "$(status_field "$spin_pid" State)" S
u0=$(kv $SPIN/cpu.stat usage_usec)
sleep 1
check_eq "spin: no CPU used while frozen" "$(kv $SPIN/cpu.stat usage_usec)" "$u0"
check "freeze of a frozen unit is no error" sv freeze spin
check "svctl thaw spin" sv thaw spin
check "spin: cgroup.events says frozen 0" \
	eventually 10 eval '[ "$(kv $SPIN/cgroup.events frozen)" = 0 ]'
check "spin: back to running, the same process" \
	eval 'state_is spin running && [ "$(main_pid spin)" = "$spin_pid" ]'
check "spin: State R again" eventually 10 eval '[ "$(status_field "$spin_pid" State)" = R ]'
check "thaw of a unit not frozen is an error" eval '! sv thaw spin 2>/dev/null'

# ---- frz: watchdog and probe suspended; stop while frozen ---------------------------
FRZ=$CG/other/frz
check "frz: running" eventually 10 state_is frz running
frz_pid=$(main_pid frz)
frz_restarts=$(unit_restarts frz)
check "svctl freeze frz" sv freeze frz
check "frz: cgroup.events says frozen 1" \
	eventually 10 eval '[ "$(kv $FRZ/cgroup.events frozen)" = 1 ]'
check "frz: svctl status shows frozen" eventually 10 state_is frz frozen
last=$(sv logs frz -n 1)
sleep 6   # past its 2s watchdog and two 2s probe timeouts
check "frz: after 6s frozen: still frozen, same PID, not restarted" \
	eval 'state_is frz frozen && [ "$(main_pid frz)" = "$frz_pid" ] &&
	      [ "$(unit_restarts frz)" = "$frz_restarts" ]'
check_eq "frz: no output while frozen" "$(sv logs frz -n 1)" "$last"
check "svctl thaw frz" sv thaw frz
check "frz: running again, output resumes" \
	eventually 10 eval 'state_is frz running && [ "$(sv logs frz -n 1)" != "$last" ]'
sleep 3   # its watchdog and probe run again, and pass
check "frz: thawed 3s: same PID, no restart" \
	eval 'state_is frz running && [ "$(main_pid frz)" = "$frz_pid" ] &&
	      [ "$(unit_restarts frz)" = "$frz_restarts" ]'
check "svctl freeze frz, again" sv freeze frz
check "frz: frozen" eventually 10 state_is frz frozen
check "svctl stop frz (frozen)" sv stop frz
check "frz: stopped" eventually 10 state_is frz stopped
check "frz: its process is gone" eval '! alive "$frz_pid"'
check_eq "frz: cgroup.freeze back to 0" "$(cat $FRZ/cgroup.freeze 2>/dev/null || echo 0)" 0
sleep 1
check "frz: stays stopped, not restarted" \
	eval 'state_is frz stopped && [ "$(unit_restarts frz)" = "$frz_restarts" ]'
check "frz: no post-mortem for a requested stop" \
	eval 'sv postmortem frz | grep -q "no unexpected exit"'
out=$(sv freeze frz 2>&1)
check "freeze of a stopped unit is a clear error" \
	eval 'printf "%s\n" "$out" | grep -q "frz is stopped: only a running unit can be frozen"'
check "svctl start frz" sv start frz
check "frz: runs again, not frozen (cgroup.events frozen 0)" \
	eventually 10 eval 'state_is frz running && [ "$(kv $FRZ/cgroup.events frozen)" = 0 ]'

# ---- the post-mortem of memhog's OOM kills -----------------------------------------------
section postmortem
pm=$(sv postmortem memhog -n 1)
diag "memhog: $(printf '%s\n' "$pm" | head -n 2 | tr '\n' '|')"
check "memhog: a post-mortem says oom-kill" \
	eval 'printf "%s\n" "$pm" | grep -q "^failure: .*Z oom-kill (restarts [0-9]*)$"'
peak=$(printf '%s\n' "$pm" | sed -n 's/.*memory.peak \([0-9]*\) bytes.*/\1/p')
check "memhog: its memory.peak ($peak) is near its 32M memory.max" \
	eval '[ "${peak:-0}" -ge 25000000 ] && [ "$peak" -le 33554432 ]'
check "memhog: its oom_kills >= 1 and its cpu usage recorded" \
	eval 'printf "%s\n" "$pm" | grep -Eq "cpu [1-9][0-9]* usec, oom_kills [1-9]"'
check "memhog: svctl status memhog shows the last failure" \
	eval 'sv status memhog | grep -q "last failure: .* oom-kill"'
check "memhog: --json has memory_peak and oom_kills" \
	eval 'sv postmortem memhog --json | grep -q "\"memory_peak\":[1-9][0-9]*,\"cpu_usage_usec\":[0-9]*,\"oom_kills\":[1-9]"'
