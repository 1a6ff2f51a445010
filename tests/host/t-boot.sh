#!/bin/bash
# t-boot.sh — initd boots three testd services: each is running, and the PID
# svctl shows is a live testd in the namespace, a child of initd, the same
# process that wrote its --touch file. One of them records the state it was
# started in: no blocked or ignored signals, only fds 0, 1 and 2. Output on
# stdout and stderr reaches `svctl logs`. No process changes cgroup.
. "$(dirname "$0")/lib.sh"

all_running() {
	local n
	for n in "$@"; do state_is "$n" running || return 1; done
}

new_boot three
testd_unit alpha "--print-every 100"
testd_unit beta "--print-every 100 --stderr"
testd_unit gamma "--check-clean $T/gamma.clean"
# Boot initd with junk a careless parent leaves behind: fds 9 and 300 open
# (not CLOEXEC) and SIGUSR2 ignored. Neither may reach a service; initd
# closes the fds first thing (t-inherit.sh has the rest).
: > "$T/junk"
exec 9< "$T/junk" 300< "$T/junk"
trap '' USR2
start_initd
trap - USR2
exec 9<&- 300<&-

check "alpha, beta, gamma reach running" wait_until 5 all_running alpha beta gamma
pids=
for n in alpha beta gamma; do
	pid=$(svc_pid "$n")
	check "$n: svctl's PID ($pid) is a live testd in the namespace" ns_alive "$pid"
	check "$n: its parent is initd (PPid 1)" \
		eval '[ "$(ns_stat "$pid" | cut -d" " -f2)" = 1 ]'
	# running at exec, its touch line written after: polled
	check "$n: it is the process that started (touch file)" \
		wait_until 5 eval '[ "$(touch_pid "$n")" = "$pid" ]'
	pids="$pids $pid"
done
check "the three PIDs differ" \
	eval '[ "$(printf "%s\n" $pids | sort -u | wc -l)" = 3 ]'
check "initd is PID 1 of the namespace" \
	eval '[ "$(ns_stat 1 | cut -d" " -f3)" = initd ]'

# The clean start (doc/DESIGN.md §7 and §13: reset signal mask and
# dispositions; a service sees only stdin/stdout/stderr). First, that there
# was something to clean:
# initd itself has the junk fd and ignored signal, and blocks signals.
usr2=$(printf '%x' $(( 1 << ($(kill -l USR2) - 1) )))
check "initd closed the fds it inherited (9, 300)" \
	eval '! ls -l /proc/$INITD_HPID/fd/ | grep -q "$T/junk"'
check "precondition: initd inherited SIGUSR2 ignored" \
	eval '(( 0x$(awk "/^SigIgn:/ { print \$2 }" /proc/$INITD_HPID/status) & 0x$usr2 ))'
clean=$T/gamma.clean
check "gamma: wrote its start state" test -s "$clean"
check "gamma: no blocked signals (SigBlk 0)" \
	grep -Eq '^SigBlk:[[:space:]]+0+$' "$clean"
# Signals 32 and 33 are glibc's own (SIGCANCEL, SIGSETXID): glibc's
# posix_spawn hands them down ignored (so under make, initd starts with them
# ignored) and glibc's sigaction() refuses to touch them, so they are left
# out here; every other signal must be back to SIG_DFL.
sigign=$(awk '/^SigIgn:/ { print $2 }' "$clean" 2>/dev/null)
check "gamma: no ignored signals (SigIgn ${sigign:-?}, 32/33 aside)" \
	eval '[ -n "$sigign" ] && (( (0x$sigign & ~0x180000000) == 0 ))'
check "gamma: only fds 0 1 2 are open" grep -qx 'fds: 0 1 2' "$clean"
fdsize=$(awk '/^FDSize:/ { print $2 }' "$clean" 2>/dev/null)
check "gamma: a small fd table (FDSize ${fdsize:-?})" eval '[ -n "$fdsize" ] && [ "$fdsize" -le 64 ]'
[ "$BOOT_FAILS" -gt 0 ] && [ -f "$clean" ] && sed 's/^/#   /' "$clean"

# --no-cgroup: nothing moved any process to another cgroup (this tier must
# not touch the host's hierarchy).
mine=$(cat /proc/$$/cgroup)
check "initd is in the test's own cgroups" \
	eval '[ "$(cat /proc/$INITD_HPID/cgroup)" = "$mine" ]'
check "gamma is in the test's own cgroups" \
	eval '[ "$(in_ns cat /proc/$(svc_pid gamma)/cgroup)" = "$mine" ]'

# svctl logs: alpha prints "testd PID line N" every 100ms, beta to stderr.
# The whole ring (-n): by default svctl shows only the last lines, and on a
# loaded machine line 3 may already have scrolled past them.
apid=$(svc_pid alpha)
check "alpha: svctl logs shows its output" \
	wait_until 3 eval 'sv logs -n 1000 alpha | grep -q "testd $apid line 3"'
bpid=$(svc_pid beta)
check "beta: svctl logs shows its stderr" \
	wait_until 3 eval 'sv logs -n 1000 beta | grep -q "testd $bpid line 3"'

stop_initd

# SIGCHLD inherited ignored: the kernel would reap initd's children itself
# (no zombie, so no exit status for waitid). initd sets it back to default.
# (sh's trap '' CHLD does not reach an exec; coreutils' env does it.)
ign_chld='exec env --ignore-signal=CHLD "$@"'
new_boot chld
testd_unit quitter "--exit-after 300 --exit-code 3" 'restart = "no";'
INITD_PRE=$ign_chld start_initd
chld_ign=$(/bin/sh -c "$ign_chld" sh awk '/^SigIgn:/ { print $2 }' /proc/self/status)
check "precondition: that wrapper hands SIGCHLD on ignored (SigIgn $chld_ign, bit 16)" \
	eval '(( 0x$chld_ign & 0x10000 ))'
check "quitter: its exit 3 is seen (failed)" wait_state quitter failed 5
check "quitter: the reason names exit 3" eval 'svc_reason quitter | grep -q "exit 3"'
stop_initd
[ "$FAILED" -eq 0 ]
