#!/bin/bash
# t-seccomp.sh — issue 18's seccomp key on the host tier (the VM tier has
# tests/vm/seccomp.sh): a denylist service whose mount(2) fails with the
# declared EPERM while its ordinary work runs, and whose /proc status shows
# the filter (Seccomp: 2) and no_new_privs; a denied call without errno
# kills with SIGSYS and svctl status says so; a failed exec under a filter
# is reported as the exec's failure; an allowlist of
# @system-service lets a daemon's child call setsid, setpgid and chown; an allowlist of
# @system-service runs a shell; `initd --check` names an unknown group by
# FILE:LINE; a forking unit whose daemon the filter killed before initd
# looked for it says SIGSYS killed it (it read "no main process: process
# N: it has exited"); no_new_privs = false beside a filter is in effect true (in
# /proc and in svctl show) and a --check warning at its line. Each mount attempt targets a directory of this test, inside
# the boot's private mount namespace.
. "$(dirname "$0")/lib.sh"

new_boot seccomp
mkdir -p "$T/mnt" "$T/mnt2"
# mount(2) through libc: prints "mount ERRNONAME" (or "mount ok").
cat > "$T/mount.py" <<'EOF2'
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.mount(b"none", sys.argv[1].encode(), b"tmpfs", 0, None)
print("mount", "ok" if r == 0 else errno.errorcode[ctypes.get_errno()])
EOF2
PY="/usr/bin/python3 $T/mount.py"
unit deny <<EOF2
exec = [ "/bin/sh", "-c", "$PY $T/mnt > $T/deny.out 2>&1; echo work > $T/deny.work; exec sleep 1000" ];
restart = "no";
seccomp = { deny = [ "@mount", "@module", "@reboot", "@swap", "@raw-io", "kexec_load" ]; errno = "EPERM"; };
EOF2
unit plain <<EOF2
exec = [ "/bin/sh", "-c", "$PY $T/mnt2 > $T/plain.out 2>&1; exec sleep 1000" ];
restart = "no";
EOF2
unit kill <<EOF2
exec = [ "/usr/sbin/swapoff", "$T/nothing" ];
restart = "no";
seccomp = { deny = [ "@swap" ]; };
EOF2
unit allowlist <<EOF2
exec = [ "/bin/sh", "-c", "echo work > $T/allowlist.work; exec sleep 1000" ];
restart = "no";
seccomp = { default = "kill"; allow = [ "@system-service" ]; };
EOF2
# A daemon's own habits under @system-service: a child that starts a
# session (setsid, as a daemon detaching), one that starts a process
# group (setpgid), one that chowns the socket it made (a root daemon
# giving its socket to a group); each child's exit status (it was SIGSYS,
# the daemon killed at its detach).
cat > "$T/detach.py" <<'EOF3'
import os, sys, time
ok = []
for f in (os.setsid, lambda: os.setpgid(0, 0), lambda: os.chown(sys.argv[1], 0, 0)):
    open(sys.argv[1], "w").close()
    pid = os.fork()
    if pid == 0:
        f()
        os._exit(0)
    ok.append(str(os.waitpid(pid, 0)[1]))
open(sys.argv[1], "w").write(" ".join(ok) + "\n")
time.sleep(1000)
EOF3
unit detach <<EOF2
exec = [ "/usr/bin/python3", "$T/detach.py", "$T/detach.out" ];
restart = "no";
seccomp = { default = "kill"; allow = [ "@system-service" ]; };
EOF2
# no_new_privs = false beside a filter: the filter still comes with
# PR_SET_NO_NEW_PRIVS, and svctl show says what is in effect (it printed
# "no_new_privs = false;", for deny too, which leaves the key out).
unit nnpoff <<EOF2
exec = [ "/bin/sleep", "1000" ];
restart = "no";
no_new_privs = false;
seccomp = { deny = [ "@mount" ]; errno = "EPERM"; };
EOF2
# An exec probe's command runs as confined as the service: the same
# rlimits and umask, bounding set and capabilities, no_new_privs and filter (a command in the
# service's own files must not get more than the service has).
LIMITS='echo nofile $(ulimit -Sn) $(ulimit -Hn) umask $(umask)'
unit probed <<EOF2
exec = [ "/bin/sh", "-c", "grep -E '^(Seccomp|NoNewPrivs|CapBnd|CapEff):' /proc/self/status > $T/probed.svc; $LIMITS > $T/probed.svclim; exec sleep 1000" ];
restart = "no";
capabilities = [ "CAP_NET_BIND_SERVICE" ];
seccomp = { deny = [ "@mount" ]; errno = "EPERM"; };
rlimits = { nofile = [ 256, 512 ]; };
umask = "0077";
ready = { exec = [ "/bin/sh", "-c", "grep -E '^(Seccomp|NoNewPrivs|CapBnd|CapEff):' /proc/self/status > $T/probed.probe; $LIMITS > $T/probed.problim" ]; interval = "100ms"; };
EOF2
# A failed exec under a filter still says why: what would fail is checked
# before the filter goes in (the filter killed or refused the child's
# report, and the unit counted as started, then failed of SIGSYS or exit
# 127).
for f in 'default = "kill"; allow = [ "@default" ];' \
	'default = "errno"; allow = [ "@default" ];' 'deny = [ "write" ];'; do
	n=$((${n:-0} + 1))
	unit noexec$n <<EOF2
exec = [ "/nonexistent/binary" ];
restart = "no";
seccomp = { $f };
EOF2
done
# ... a #! line naming a missing interpreter, too.
printf '#!/nonexistent/sh\necho hi\n' > "$T/script"
chmod 755 "$T/script"
unit noexec4 <<EOF2
exec = [ "$T/script" ];
restart = "no";
seccomp = { default = "kill"; allow = [ "@default" ]; };
EOF2
# No write gets through a filter that denies it, whatever fd it is on (a
# rule for the child's report fd would outlive the exec: any file put on
# that number could be written).
cat > "$T/escape.py" <<'EOF2'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
wrote = False
for n in range(3, 200):
    try:
        os.dup2(fd, n)
        os.write(n, b"x")
        wrote = True
    except OSError:
        pass
os._exit(42 if wrote else 7)
EOF2
unit escape <<EOF2
exec = [ "/usr/bin/python3", "$T/escape.py", "$T/escape.out" ];
restart = "no";
seccomp = { deny = [ "write" ]; errno = "EPERM"; };
EOF2
# fork: its starter forks the daemon, which its filter kills at swapoff,
# waits for that death without reaping it (WNOWAIT) and exits 0: initd
# finds the daemon dead.
cat > "$T/fork.py" <<'EOF2'
import ctypes, os
pid = os.fork()
if pid == 0:
    ctypes.CDLL(None).swapoff(b"/nonexistent")
    os._exit(3)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
os._exit(0)
EOF2
unit fork <<EOF2
type = "forking";
exec = [ "/usr/bin/python3", "$T/fork.py" ];
restart = "no";
seccomp = { deny = [ "@swap" ]; };
EOF2
start_initd || exit 1

check "escape: it ended" wait_state escape failed 10
is "escape: no write went through (exit 7, not 42)" "$(svc_reason escape)" "exit 7"
is "escape: its file is empty" "$(wc -c < "$T/escape.out" 2>/dev/null)" 0
check "noexec4 fails" wait_state noexec4 failed 5
is "noexec4: the reason is the exec's, under a filter" "$(svc_reason noexec4)" \
	"exec $T/script: No such file or directory"
for n in 1 2 3; do
	check "noexec$n fails" wait_state noexec$n failed 5
	is "noexec$n: the reason is the exec's, under a filter" "$(svc_reason noexec$n)" \
		"exec /nonexistent/binary: No such file or directory"
done
if grep -q "noexec.: starting -> running" "$T/initd.log"; then
	not_ok "noexec: never running" "$(grep 'noexec.: starting -> running' "$T/initd.log")"
else
	ok "noexec: never running"
fi

check "probed: its ready probe ran" wait_until 10 test -s "$T/probed.probe"
check "probed reaches running" wait_state probed running 5
is "probed: the probe's command holds the service's filter, bounding set, capabilities and no_new_privs" \
	"$(cat "$T/probed.probe" 2>/dev/null)" "$(cat "$T/probed.svc" 2>/dev/null)"
is "probed: ... which are confined (Seccomp: 2, NoNewPrivs: 1, CapBnd/CapEff: net_bind_service)" \
	"$(awk '{ printf "%s%s ", $1, $2 }' "$T/probed.probe" 2>/dev/null)" \
	"CapEff:0000000000000400 CapBnd:0000000000000400 NoNewPrivs:1 Seccomp:2 "
is "probed: the probe's command has the unit's rlimits and umask, not PID 1's" \
	"$(cat "$T/probed.problim" 2>/dev/null)" "nofile 256 512 umask 0077"
is "probed: ... as the service has" "$(cat "$T/probed.svclim" 2>/dev/null)" "nofile 256 512 umask 0077"

check "deny reaches running" wait_state deny running 5
check "deny tried its mount" wait_until 5 test -s "$T/deny.work"
is "deny: mount(2) fails with the declared EPERM" "$(cat "$T/deny.out" 2>/dev/null)" "mount EPERM"
dpid=$(svc_pid deny)
is "deny: the kernel holds a filter (Seccomp: 2)" \
	"$(in_ns awk '$1 == "Seccomp:" { print $2 }' "/proc/$dpid/status")" 2
is "deny: no_new_privs is implied (NoNewPrivs: 1)" \
	"$(in_ns awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$dpid/status")" 1
check "deny: svctl show says no_new_privs = true (a filter implies it)" \
	eval 'sv show deny | grep -qx "no_new_privs = true;"'
check "nnpoff reaches running" wait_state nnpoff running 5
is "nnpoff: no_new_privs = false, yet a filter: NoNewPrivs: 1" \
	"$(in_ns awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$(svc_pid nnpoff)/status")" 1
check "nnpoff: svctl show says no_new_privs = true, as in effect" \
	eval 'sv show nnpoff | grep -qx "no_new_privs = true;"'
# the same mount without a filter succeeds: EPERM above was the filter's
check "plain reaches running" wait_state plain running 5
check "plain tried its mount" wait_until 5 test -s "$T/plain.out"
is "plain: the same mount without a filter works" "$(cat "$T/plain.out" 2>/dev/null)" "mount ok"
ppid=$(svc_pid plain)
is "plain: no filter (Seccomp: 0)" \
	"$(in_ns awk '$1 == "Seccomp:" { print $2 }' "/proc/$ppid/status")" 0

check "kill fails" wait_state kill failed 5
reason=$(svc_reason kill)
case $reason in
"signal SYS (159): a call its seccomp filter kills") ok "kill: a denied call without errno kills with SIGSYS" ;;
*) not_ok "kill: a denied call without errno kills with SIGSYS" "reason '$reason'" ;;
esac

check "fork fails" wait_state fork failed 5
reason=$(svc_reason fork)
case $reason in
"no main process: process "*": it has exited, signal SYS (159): a call its seccomp filter kills")
	ok "fork: a daemon its filter killed before it was found: SIGSYS named" ;;
*) not_ok "fork: a daemon its filter killed before it was found: SIGSYS named" "reason '$reason'" ;;
esac

check "allowlist reaches running" wait_state allowlist running 5
check "allowlist: a shell runs under @system-service" wait_until 5 test -s "$T/allowlist.work"
check "detach: under @system-service, its children's setsid, setpgid and chown ran" \
	wait_until 5 test -s "$T/detach.out"
is "detach: each child exited 0 (not SIGSYS)" "$(cat "$T/detach.out" 2>&1)" "0 0 0"
apid=$(svc_pid allowlist)
is "allowlist: Seccomp: 2" "$(in_ns awk '$1 == "Seccomp:" { print $2 }' "/proc/$apid/status")" 2
stop_initd

# --check: an unknown group is an error at its line
C=$WORK/check
rm -rf "$C"
mkdir -p "$C/units"
: > "$C/initd.conf"
printf 'exec = [ "/bin/true" ];\nseccomp = {\n  deny = [ "@mounts" ];\n};\n' > "$C/units/bad.unit"
out=$(timeout 10 "$INITD" --check "$C" 2>&1)
rc=$?
is "--check: an unknown group fails" "$rc" 1
case $out in
*"$C/units/bad.unit:3: 'seccomp.deny[0]': unknown group '@mounts' (did you mean '@mount'?)"*)
	ok "--check: the unknown group is named by FILE:LINE" ;;
*) not_ok "--check: the unknown group is named by FILE:LINE" "$out" ;;
esac

# --check: no_new_privs = false beside a filter is a warning at its line
# (the unit loads: the filter implies it), not an error
rm "$C/units/bad.unit"
printf 'exec = [ "/bin/true" ];\nno_new_privs = false;\nseccomp = { deny = [ "@mount" ]; };\n' \
	> "$C/units/nnp.unit"
out=$(timeout 10 "$INITD" --check "$C" 2>&1)
rc=$?
is "--check: no_new_privs = false with seccomp passes" "$rc" 0
case $out in
*"$C/units/nnp.unit:2: warning: "*"no_new_privs = false"*"seccomp"*"implies"*)
	ok "--check: it warns at FILE:LINE that seccomp implies no_new_privs" ;;
*) not_ok "--check: it warns at FILE:LINE that seccomp implies no_new_privs" "$out" ;;
esac

[ "$FAILED" -eq 0 ]
