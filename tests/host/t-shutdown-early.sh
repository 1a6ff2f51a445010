#!/bin/bash
# t-shutdown-early.sh — a poweroff asked while the first load is still under
# way ends the boot without starting a unit, even when the loader's answer
# comes in the same batch of events as the request.
#
# The order is made, not hoped for: the loader is stopped mid-load, then
# initd itself; SIGTERM is sent to initd (its signalfd is ready first), the
# loader is let go and writes its answer (ready second), and only then does
# initd run again: its one epoll_wait returns both, the request first. Evidence: initd's log
# (no "units loaded", the units said not started) and the namespace's end.
. "$(dirname "$0")/lib.sh"

# 100 units of 220 KiB each (comments): ~200 ms of parsing to catch the
# loader in, and an answer (~40 KB) its pipe takes whole, so that the
# answer is complete in the batch the request comes in.
new_boot early
python3 - "$T/conf/units" <<-'PY'
	import sys
	text = "# %s\n" % ("x" * 70) * 3000 + 'exec = [ "/bin/sleep", "100000" ];\n'
	for i in range(100):
	    open(f"{sys.argv[1]}/s{i:03}.unit", "w").write(text)
	PY

# state PID — the one-letter state of a host PID ("" when gone).
state() { sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]) .*/\1/' "/proc/$1/stat" 2>/dev/null; }

# catch — start initd under unshare and stop its first child, the loader,
# at once: "UNSHARE INITD LOADER" (host PIDs). Started from the poller
# itself (Python's own start would take longer than the load) and polled
# without a fork in between, the loader is caught within a millisecond or
# so of its start.
catch() {
	python3 - "$INITD" "$T" <<-'PY'
	import os, signal, subprocess, sys, time
	initd_exe, t = os.path.realpath(sys.argv[1]), sys.argv[2]
	log = open(f"{t}/initd.log", "w")
	u = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "--mount", "--uts",
	                      "--propagation", "private", "--mount-proc", initd_exe, "--no-mounts",
	                      "--no-cgroup", "--verbose", "--config", f"{t}/conf",
	                      "--control", f"{t}/control"],
	                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
	                     start_new_session=True)
	def kids(p):
	    try:
	        return open(f"/proc/{p}/task/{p}/children").read().split()
	    except OSError:
	        return []
	def exe(p):
	    try:
	        return os.readlink(f"/proc/{p}/exe")
	    except OSError:
	        return ""
	initd = loader = None
	end = time.time() + 5
	while time.time() < end and not loader:
	    if not initd:
	        # unshare's child, or its child: the one that runs initd
	        for k in kids(u.pid) + [g for k in kids(u.pid) for g in kids(k)]:
	            if exe(k) == initd_exe:
	                initd = k
	    if initd:
	        c = kids(initd)
	        loader = c[0] if c else None
	if loader:
	    os.kill(int(loader), signal.SIGSTOP)
	print(u.pid, initd or 0, loader or 0)
	PY
}

# boot_caught — start initd and stop its loader mid-load; non-zero when it
# was not caught in time (it had exited, or initd logged the units).
boot_caught() {
	local pids
	pids=$(catch) || return 1
	read -r UNSHARE_PID INITD_HPID LOADER <<< "$pids"
	[ "$LOADER" != 0 ] || return 1
	ns_hold
	[ "$(state "$LOADER")" = T ] && ! grep -q "units loaded" "$T/initd.log"
}

caught=0
for try in 1 2 3 4 5; do
	if boot_caught; then caught=1; break; fi
	kill_initd
	wait_unshare 5
done
BOOT_OK=$caught
check "the loader was caught mid-load (try $try)" test "$caught" = 1
if [ "$caught" = 1 ]; then
	kill -STOP "$INITD_HPID"
	# Stopped before the SIGTERM: a wait woken by the SIGSTOP and still
	# running would collect the signalfd alone.
	check "initd is stopped" wait_until 5 eval '[ "$(state "$INITD_HPID")" = T ]'
	kill -TERM "$INITD_HPID"
	kill -CONT "$LOADER"
	# its answer written: it has exited (a zombie: initd, stopped, cannot reap)
	check "the loader answered while initd was stopped" wait_until 10 \
		eval '[ "$(state "$LOADER")" = Z ]'
	kill -CONT "$INITD_HPID"
	check "the poweroff ends the namespace" wait_unshare 10
	check "no unit was started (no \"units loaded\")" eval '! grep -q "units loaded" "$T/initd.log"'
	check "initd says why" grep -q "the units came after the poweroff was asked: none is started" \
		"$T/initd.log"
	# NS_ID held (ns_hold): a namespace made since by a test beside this
	# one could take its number, and its processes read as left in this
	# one (seen twice at a load of 10); waited for, as the namespace's
	# last tasks may still be on their way out when unshare has gone
	check "no process is left in the namespace" wait_until 5 ns_empty "$NS_ID"
	grep -E "units|poweroff|powering" "$T/initd.log" | head -5 | sed 's/^/# /'
fi
kill_initd
