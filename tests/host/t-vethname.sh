#!/bin/bash
# t-vethname.sh — two initds, each PID 1 of a PID namespace of its own,
# share one network namespace (a fresh one, made here, never the host's),
# as two containers may. Each starts a service with a point-to-point veth
# whose PID is the same in its own namespace: the host ends, both in the
# shared namespace, are named apart (before, both were "vi<PID>": the
# second service's link was refused, EEXIST, and the service failed).
. "$(dirname "$0")/lib.sh"

# net_unit A.B.C.D: a service with a point-to-point veth, the host end
# A.B.C.D/30, the service's end the next address; started by hand.
net_unit() {
	local base=${1%.*} last=${1##*.}
	unit net <<EOF
description = "a point-to-point veth in a network namespace another initd shares";
exec = [ "/bin/sleep", "1000" ];
autostart = false;
restart = "no";
namespaces = [ "net" ];
network = { veth = { host_address = "$1/30"; address = "$base.$((last + 1))/30"; }; };
EOF
}

# The two boots' state, lib.sh's globals saved and put back in turn.
use_boot() {
	if [ "$1" = a ]; then
		T=$A_T UNSHARE_PID=$A_UNSHARE INITD_HPID=$A_HPID NS_ID=$A_NS
	else
		T=$B_T UNSHARE_PID=$B_UNSHARE INITD_HPID=$B_HPID NS_ID=$B_NS
	fi
	BOOT_OK=1
}
A_UNSHARE='' B_UNSHARE=''
kill_both() {
	[ -n "$A_UNSHARE" ] && { use_boot a; kill_initd; }
	[ -n "$B_UNSHARE" ] && { use_boot b; kill_initd; }
	return 0
}
trap 'kill_both' EXIT

# a: PID 1 of its PID namespace, in a network namespace of its own
new_boot a
net_unit 10.78.0.1
# With --no-mounts initd leaves the machine as its maker set it up: no
# bridge is made (nor sysctl written), and the log says so (a unit on
# that bridge failed "veth into bridge br0: No such device", unexplained).
cat > "$T/conf/initd.conf" <<EOF
bridges = ( { name = "br9"; address = "10.79.0.1/24"; } );
sysctl = [ "net.ipv4.conf.all.forwarding=1" ];
EOF
INITD_PRE='exec unshare --net "$@"' start_initd || exit 1
A_T=$T A_UNSHARE=$UNSHARE_PID A_HPID=$INITD_HPID A_NS=$NS_ID
check "a: --no-mounts: initd's log says initd.conf's bridges and sysctl are not applied" \
	grep -q "initd.conf's bridges, sysctl not applied (--no-mounts" "$T/initd.log"
check "a: ... and no bridge was made" eval '! nsenter -t "$A_HPID" -n ip link show br9 2>/dev/null'
check "a: in a network namespace of its own, not the host's" \
	test "$(readlink /proc/$A_HPID/ns/net)" != "$(readlink /proc/self/ns/net)"

# b: in a's network namespace (its fd, inherited through unshare)
exec {NETNS}< "/proc/$A_HPID/ns/net"
new_boot b
net_unit 10.78.0.5
INITD_PRE="exec nsenter --net=/proc/self/fd/$NETNS \"\$@\"" start_initd || exit 1
exec {NETNS}<&-
B_T=$T B_UNSHARE=$UNSHARE_PID B_HPID=$INITD_HPID B_NS=$NS_ID
check "b: in a's network namespace" \
	test "$(readlink /proc/$B_HPID/ns/net)" = "$(readlink /proc/$A_HPID/ns/net)"

use_boot a
sv start net >/dev/null 2>&1
check "a: net runs" wait_state net running 10
pid=$(svc_pid net)

# b's next PID made a's (ns_last_pid of b's namespace); something else
# b forks first takes it now and then: then stopped and tried again.
use_boot b
for try in 1 2 3 4 5; do
	in_ns sh -c "echo $((pid - 1)) > /proc/sys/kernel/ns_last_pid" || break
	sv start net >/dev/null 2>&1
	wait_until 10 eval '! state_is net starting'
	{ state_is net failed || [ "$(svc_pid net)" = "$pid" ]; } && break
	sv stop net >/dev/null 2>&1
	wait_until 10 state_is net stopped
done
check "b: net runs with a's PID, $pid, in its own namespace" \
	eval 'state_is net running && [ "$(svc_pid net)" = "$pid" ]'
diag "b: net: $(svc_line net)"
links=$(nsenter -t "$A_HPID" -n ip -o link show type veth 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort)
diag "host ends in the shared namespace: $(echo $links)"
is "two host ends in the shared namespace, named apart" "$(echo "$links" | sort -u | grep -c .)" 2
check "each name fits IFNAMSIZ" eval '! echo "$links" | grep -q ".\{16\}"'

use_boot b
stop_initd
B_UNSHARE=''
use_boot a
stop_initd
A_UNSHARE=''

[ "$FAILED" -eq 0 ]
