#!/bin/bash
# t-nonroot.sh — initd not as PID 1 and not as root: a user's own
# supervisor of a directory of units (initd(8), "Not as root"). A unit that
# names no account runs as initd's own user, with its groups (only root may
# change them); initd's own user may use every svctl command; any other
# user but root is refused, by initd itself (the socket opened to all for
# it); SIGTERM stops the units and initd exits 0. Run as nobody, initd
# grants its user nothing: a peer from outside its user namespace reads
# as nobody too.
# Both of initd's children are used: a plain unit (its child on initd's
# memory, spawn_shared.c, outside the sanitizer build) and one with
# environment_files (the forked child, spawn.c), plus an exec probe
# (probe.c). Runs as daemon (1, with group sys, 3, beside its own), with no
# cgroups and no namespace.
. "$(dirname "$0")/lib.sh"

as_daemon() { setpriv --reuid 1 --regid 1 --clear-groups -- "$@"; }
as_bin() { setpriv --reuid 2 --regid 2 --clear-groups -- "$@"; }
svn() { as_daemon timeout 5 "$SVCTL" --socket "$T/control" "$@"; }
state_of() { svn status "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
uid_of() { awk '/^Uid:/ { print $2 "," $3 "," $4 "," $5 }' "/proc/$1/status"; }
pid_of() { svn status "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $3 }'; }

new_boot nonroot
echo 'A=1' > "$T/env"
testd_unit plain ""
testd_unit forked "" "environment_files = [ $(cfg_str "$T/env") ];"
testd_unit probed "" 'ready = { exec = [ "/bin/true" ]; };'
testd_unit asroot "" 'user = "root";'
testd_unit asself "" 'user = "daemon";' 'group = "daemon";'
chown -R 1:1 "$T"
# setpriv, not as_daemon: $! must be initd itself (setpriv execs it)
HOME=$T setpriv --reuid 1 --regid 1 --groups 3 -- "$INITD" --no-cgroup --config "$T/conf" --control "$T/control" \
	> "$T/initd.log" 2>&1 < /dev/null &
ipid=$!
BOOT_OK=1   # not booted by start_initd: this initd is our own child
# An early end (a timeout): the units run as uid 1 in no cgroup or
# namespace, so they would outlive a SIGKILL of initd alone. initd stops
# them on SIGTERM (checked below); SIGKILL only if it does not end.
stop_own_initd() {
	[ -n "$ipid" ] || return 0   # only while unreaped
	kill -TERM "$ipid" 2>/dev/null
	wait_until 10 eval '! alive "$ipid"'
	kill -KILL "$ipid" 2>/dev/null
}
trap stop_own_initd EXIT
check "initd's own user may use svctl" wait_until 5 eval 'svn status >/dev/null'
for u in plain forked probed; do
	check "$u reaches running" wait_until 5 is_state "$u" running
	p=$(pid_of "$u")
	is "$u runs as initd's user (uid, gid)" "$(uid_of "$p"),$(awk '/^Gid:/ { print $2 }' "/proc/$p/status")" \
		"1,1,1,1,1"
	is "$u keeps initd's groups" "$(awk '/^Groups:/ { print $2 }' "/proc/$p/status")" 3
done
for u in plain forked; do
	is "$u's HOME is the one initd was given" \
		"$(tr '\0' '\n' < "/proc/$(pid_of "$u")/environ" | grep '^HOME=')" "HOME=$T"
done
check "a unit naming initd's own user and group runs" wait_until 5 is_state asself running
is "asself runs as daemon, with initd's groups" \
	"$(uid_of "$(pid_of asself)") $(awk '/^Groups:/ { print $2 }' "/proc/$(pid_of asself)/status")" "1,1,1,1 3"
check "a unit naming root fails: only root may change the account" \
	wait_until 5 is_state asroot failed
check "and says why" eval '[[ "$(svn status asroot)" == *"Operation not permitted"* ]]'
check "initd's user may stop a unit" svn stop plain
check "and start it" svn start plain
chmod 0666 "$T/control"   # for initd's own refusal, not the socket's mode
refusal=$(as_bin timeout 5 "$SVCTL" --socket "$T/control" status 2>&1); rc=$?
is "another user is refused (exit 4)" "$rc" 4
check "by initd, naming its own user ($refusal)" \
	eval '[[ "$refusal" == *"only root and uid 1 (initd'"'"'s own)"* ]]'

kill -TERM "$ipid"
gone() { ! alive "$ipid"; }
check "initd exits after SIGTERM" wait_until 10 gone
wait "$ipid"; rc=$?
ipid=
is "its exit status is 0" "$rc" 0

# As nobody: its own user is no owner (any unmapped peer reads as nobody).
new_boot nonroot-nobody
chown -R 65534:65534 "$T"
HOME=$T setpriv --reuid 65534 --regid 65534 --clear-groups -- "$INITD" --no-cgroup --config "$T/conf" --control "$T/control" \
	> "$T/initd.log" 2>&1 < /dev/null &
ipid=$!
check "initd as nobody makes its socket" wait_until 5 test -S "$T/control"
chmod 0666 "$T/control"
check "nobody is refused by initd as nobody" wait_until 5 eval \
	'r=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- timeout 5 "$SVCTL" --socket "$T/control" status 2>&1); [ $? = 4 ] && [[ "$r" == *"only root may use"* ]]'
kill -TERM "$ipid"
check "initd as nobody exits after SIGTERM" wait_until 10 gone
wait "$ipid"
ipid=
[ "$FAILED" -eq 0 ] || { diag "--- initd.log"; sed 's/^/#   /' "$T/initd.log"; }
[ "$FAILED" -eq 0 ]
