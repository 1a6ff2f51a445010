#!/bin/bash
# t-cgroupoff.sh — limits without a cgroup2 hierarchy (initd --no-cgroup,
# as on this tier): a unit declaring limits is failed at load with the
# reason, and an operator's `svctl start` fails it again with the same
# reason: it never runs without the limits it declares.
. "$(dirname "$0")/lib.sh"

new_boot cgroupoff
unit lim <<EOF2
exec = [ "/bin/sleep", "1000" ];
restart = "no";
cgroup = { memory = { max = "32M"; }; };
EOF2
unit plain <<EOF2
exec = [ "/bin/sleep", "1000" ];
EOF2
start_initd || exit 1

check "plain reaches running" wait_state plain running 5
check "lim is failed at load" wait_state lim failed 5
is "lim: the reason says why" "$(svc_reason lim)" "cgroup: limits need a cgroup2 hierarchy"
sv start lim >/dev/null 2>&1
sleep 0.5
check "lim: svctl start fails it again, it never runs unconfined" wait_state lim failed 5
is "lim: no process" "$(svc_pid lim)" "-"
is "lim: the same reason" "$(svc_reason lim)" "cgroup: limits need a cgroup2 hierarchy"
stop_initd

[ "$FAILED" -eq 0 ]
