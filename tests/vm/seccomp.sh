# seccomp.sh — the seccomp key (issue 18), sourced by scenarios.sh (main
# boot) after isolation.sh (it uses iso_child). Every check reads the
# kernel: the errno mount(2) returned to the service (its log), the
# Seccomp and NoNewPrivs lines of /proc/PID/status, the signal that ended a
# service; svctl only names the PIDs and the reason.
#
# Units (tests/vm/units): sc-deny (a denylist, errno EPERM; hog mount on a
# path that does not exist, so without the filter mount(2) says ENOENT),
# sc-allow (an allowlist of @system-service with errno EACCES, in a PID
# namespace: the reaper holds no filter), sc-kill (autostart = false: the
# same mount denied without errno, so SIGSYS kills it). Then a reload that
# changes sc-deny's errno restarts it with the new filter.

section "seccomp"

# sc_log_has NAME LINE: NAME's log holds exactly LINE.
sc_log_has() { sv logs --raw -n 50 "$1" 2>/dev/null | grep -qx "$2"; }

for u in sc-deny sc-allow; do
	eventually 10 state_is "$u" running
	check "$u: running" state_is "$u" running
done

dpid=$(main_pid sc-deny)
check "sc-deny: mount(2) fails with the declared EPERM (errno 1)" \
	eventually 5 sc_log_has sc-deny "mount: errno 1"
check "sc-deny: its ordinary work runs" sc_log_has sc-deny "work: ok"
check_eq "sc-deny: the kernel holds its filter (Seccomp: 2)" "$(status_field "$dpid" Seccomp)" 2
check_eq "sc-deny: no_new_privs is implied (NoNewPrivs: 1)" "$(status_field "$dpid" NoNewPrivs)" 1
check_eq "PID 1 holds no filter (Seccomp: 0)" "$(status_field 1 Seccomp)" 0

apid=$(main_pid sc-allow)
asvc=$(iso_child "$apid")
check "sc-allow: mount(2), not in @system-service, fails with EACCES (errno 13)" \
	eventually 5 sc_log_has sc-allow "mount: errno 13"
check "sc-allow: its ordinary work runs" sc_log_has sc-allow "work: ok"
check_eq "sc-allow: the service holds the filter (Seccomp: 2)" "$(status_field "$asvc" Seccomp)" 2
check_eq "sc-allow: its reaper holds none (Seccomp: 0)" "$(status_field "$apid" Seccomp)" 0

sv start sc-kill >/dev/null 2>&1
eventually 10 state_is sc-kill failed
check "sc-kill: ends failed" state_is sc-kill failed
check_eq "sc-kill: a denied call without errno kills it with SIGSYS" "$(unit_reason sc-kill)" \
	"signal SYS (159): a call its seccomp filter kills"

# A changed filter is a changed unit: the reload restarts it with the new one.
f=/etc/initd/units/sc-deny.unit
cp "$f" /tmp/sc-deny.unit.orig
sed -i 's/errno = "EPERM"/errno = "EACCES"/' "$f"
sv reload >/dev/null 2>&1
npid=$(wait_new_pid sc-deny "$dpid" 10)
check "sc-deny: a reload that changes its filter restarts it" is_pid "$npid"
check "sc-deny: the new filter answers EACCES (errno 13)" \
	eventually 5 sc_log_has sc-deny "mount: errno 13"
cp /tmp/sc-deny.unit.orig "$f"
sv reload >/dev/null 2>&1
