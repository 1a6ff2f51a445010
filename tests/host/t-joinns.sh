#!/bin/bash
# t-joinns.sh — namespaces_from (issue 18.4) on the host tier: a sidecar
# joins a unit's net and uts namespaces (the same nsfs inodes in /proc,
# not initd's own), is restarted when its source restarts and then shares
# the source's new namespaces; a named netns path is joined; a missing
# path fails naming the key, the path and the errno; the
# sidecar stops when its source is stopped. The VM tier repeats it with a
# veth (tests/vm/userns.sh).
. "$(dirname "$0")/lib.sh"

HTTPD=
if busybox --list 2>/dev/null | grep -qx httpd; then
	HTTPD=$(command -v busybox)
fi

# joinns_boot NAME [window] — the whole check, in one boot.
joinns_boot() {
	local how=${2:-}
	new_boot "$1"
	unit src <<EOF3
exec = [ "/bin/sleep", "1000" ];
namespaces = [ "net", "uts" ];
EOF3
	unit side <<EOF3
exec = [ "/bin/sleep", "1000" ];
namespaces_from = { net = "src"; uts = "src"; };
EOF3
	unit named <<EOF3
exec = [ "/bin/sleep", "1000" ];
namespaces_from = { net = "$T/named"; };
EOF3
	unit missing <<EOF3
exec = [ "/bin/sleep", "1000" ];
restart = "no";
namespaces_from = { ipc = "$T/absent"; };
EOF3
	# A sidecar's probe runs in the namespace it joined: pweb serves in its own
	# netns, psid (joined to it) is ready once 127.0.0.1:18091 answers there;
	# nothing listens on that port in initd's own network.
	if [ -n "$HTTPD" ]; then
		mkdir -p "$T/www"
		unit pweb <<EOF3
exec = [ "$HTTPD", "httpd", "-f", "-p", "127.0.0.1:18091", "-h", "$T/www" ];
namespaces = [ "net" ];
EOF3
		unit psid <<EOF3
exec = [ "/bin/sleep", "1000" ];
namespaces_from = { net = "pweb"; };
ready = { tcp = "127.0.0.1:18091"; interval = "100ms"; };
start_timeout = "30s";
EOF3
	fi
	# The window: PID 1 holding fds above 64 when these spawn. Forty units
	# started first hold two each (a pidfd, an output pipe); an inherited
	# fd no longer does it (initd closes what its caller left it).
	if [ "$how" = window ]; then
		local i after=
		for i in $(seq 1 40); do
			echo 'exec = [ "/bin/sleep", "1000" ];' > "$T/conf/units/f$i.unit"
			after="$after${after:+, }\"f$i\""
		done
		for u in "$T"/conf/units/{src,side,named,missing,pweb,psid}.unit; do
			[ -e "$u" ] && echo "after = [ $after ];" >> "$u"
		done
	fi
	INITD_PRE="touch $T/named; unshare --net=$T/named true" start_initd || exit 1
	[ "$how" = window ] &&
		check "precondition: initd holds an fd above 64 (its spawns take the window)" \
			wait_until 10 eval '[ "$(ls /proc/$INITD_HPID/fd | sort -n | tail -n 1)" -ge 64 ]'

	ns_of() { in_ns readlink "/proc/$1/ns/$2"; }
	# same_ns A B KIND — both processes in one KIND namespace.
	same_ns() { [ -n "$1" ] && [ -n "$2" ] && [ "$(ns_of "$1" "$3")" = "$(ns_of "$2" "$3")" ]; }

	check "src reaches running" wait_state src running 5
	check "side reaches running" wait_state side running 5
	spid=$(svc_pid src)
	dpid=$(svc_pid side)
	# a table of its own: forked directly from a small one, or through the
	# window from one holding fds above 64 (else it would be a copy of 128
	# slots or more)
	fdsize=$(in_ns awk '/^FDSize:/ { print $2 }' "/proc/$dpid/status")
	check "side's fd table is not a copy of initd's (FDSize ${fdsize:-?})" \
		test "${fdsize:-9999}" -le 64
	check "side is in src's net namespace" same_ns "$spid" "$dpid" net
	check "side is in src's uts namespace" same_ns "$spid" "$dpid" uts
	check "src's net namespace is not initd's" eval '! same_ns 1 "$spid" net'
	oldns=$(ns_of "$spid" net)

	sv restart src >/dev/null 2>&1
	newpid() { p=$(svc_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ] && state_is "$1" running; }
	check "src restarted" wait_until 5 newpid src "$spid"
	check "side restarted after src" wait_until 5 newpid side "$dpid"
	spid2=$(svc_pid src)
	dpid2=$(svc_pid side)
	check "side shares src's new net namespace" same_ns "$spid2" "$dpid2" net
	check "the new net namespace is not the old one" eval '[ "$(ns_of "$spid2" net)" != "$oldns" ]'

	check "named reaches running" wait_state named running 5
	npid=$(svc_pid named)
	is "named joined the netns bound at a path" "$(ns_of "$npid" net)" \
		"net:[$(in_ns stat -L -c %i "$T/named")]"

	check "missing fails" wait_state missing failed 5
	reason=$(svc_reason missing)
	case $reason in
	*"namespaces_from.ipc \"$T/absent\": No such file"*)
		ok "missing: the key, the path and ENOENT" ;;
	*) not_ok "missing: the key, the path and ENOENT" "reason '$reason'" ;;
	esac

	if [ -z "$HTTPD" ]; then
		diag "no busybox httpd on this host: a sidecar's probe not checked"
	else
		check "psid is ready: its tcp probe ran in pweb's network" wait_state psid running 10
		check "nothing answers on 127.0.0.1:18091 in initd's network" \
			eval '! in_ns nc -z 127.0.0.1 18091'
	fi

	sv stop src >/dev/null 2>&1
	check "side stops with its source" wait_until 5 eval '! state_is side running'
	stop_initd
}

# Twice: with a few fds PID 1 forks each service itself; holding fds above
# 64 (forty other units'), it forks them through spawn.c's fd window, whose
# slots carry the joined namespaces' fds.
joinns_boot joinns
TEST_FILE="$TEST_FILE, fd window"
joinns_boot joinns-window window
[ "$FAILED" -eq 0 ]
