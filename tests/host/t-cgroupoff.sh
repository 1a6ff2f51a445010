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
# lim is failed already: only what the start says, and initd's log, show
# that it was tried again (and failed again) rather than left alone.
refusals() { grep -c "error: lim: cgroup: limits need a cgroup2 hierarchy" "$T/initd.log"; }
before=$(refusals)
start_out=$(sv start lim 2>&1); rc=$?
is "lim: svctl start exits 1 (failed): $start_out" "$rc" 1
check "lim: svctl start says why" eval 'grep -q "lim.*limits need a cgroup2 hierarchy" <<< "$start_out"'
check "lim: the start was tried, and refused again (initd's log: $before before)" \
	wait_until 5 eval '[ "$(refusals)" -gt "$before" ]'
check "lim: svctl start fails it again, it never runs unconfined" state_is lim failed
is "lim: no process" "$(svc_pid lim)" "-"
is "lim: the same reason" "$(svc_reason lim)" "cgroup: limits need a cgroup2 hierarchy"
stop_initd

[ "$FAILED" -eq 0 ]
