# lib.sh — helpers for the VM scenarios (busybox sh, inside the VM, as root).
# Sourced by each boot's driver (scenarios.sh, scenarios-cgroup.sh,
# scenarios-bad.sh); the area files (basic.sh, lifecycle.sh, faults.sh,
# cgroup.sh, badunits.sh, isolation.sh) use them. tests/vm/run.sh puts every
# tests/vm/*.sh in the image under /usr/lib/vmtest ($VMT), next to the static
# helpers hog and testd.
#
# Output is TAP without numbers: "ok - NAME", "not ok - NAME" followed by
# "# ..." diagnostics. Every check reads the kernel's state (/proc,
# /sys/fs/cgroup); svctl is asked for main PIDs, states and reasons.

VMT=${VMT:-/usr/lib/vmtest}
CG=/sys/fs/cgroup
HOG=$VMT/hog
TESTD=$VMT/testd
failures=0
# Knobs from the host (tests/vm/run.sh writes $VMT/env).
[ -f "$VMT/env" ] && . "$VMT/env"

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	shift
	[ $# -eq 0 ] || diag "$@"
	failures=$((failures + 1))
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check NAME CMD...: ok when CMD succeeds (and then returns 0).
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; return 1; fi
}
# check_eq NAME GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

# sv ARGS...: svctl, never waiting more than 10 s for initd.
sv() { svctl -t 10 "$@"; }
# unit_field NAME N: field N of NAME's row in `svctl status NAME`
# (NAME STATE PID RESTARTS SINCE MEMORY CPU REASON...).
unit_field() { sv status "$1" 2>/dev/null | awk -v n="$1" -v f="$2" '$1 == n { print $f; exit }'; }
main_pid() { unit_field "$1" 3; }
unit_state() { unit_field "$1" 2; }
unit_restarts() { unit_field "$1" 4; }
# unit_reason NAME: the REASON column (and anything after it on the row).
unit_reason() {
	sv status "$1" 2>/dev/null |
		awk -v n="$1" '$1 == n { $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; sub(/^ +/, ""); print; exit }'
}
state_is() { [ "$(unit_state "$1")" = "$2" ]; }
# cgroup_of PID: the PID's cgroup v2 path ("/system/a").
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }
is_pid() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ -d "/proc/$1" ]; }
# alive PID: exists and is not a zombie.
alive() { is_pid "$1" && [ "$(proc_state "$1")" != Z ]; }
# proc_state PID: the state letter of /proc/PID/stat (comm may hold blanks).
proc_state() { sed -n 's/^.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null; }
proc_ppid() { sed -n 's/^.*) [A-Za-z] \([0-9]*\) .*/\1/p' "/proc/$1/stat" 2>/dev/null; }
# status_field PID FIELD: a field of /proc/PID/status ("SigBlk").
status_field() { awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null; }
# is_leaf DIR: a cgroup with no child cgroup.
is_leaf() { [ -z "$(find "$1" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]; }
# procs_has DIR PID
procs_has() { grep -qx "$2" "$1/cgroup.procs" 2>/dev/null; }
procs_count() { wc -l <"$1/cgroup.procs" 2>/dev/null || echo -1; }
procs_count_is() { [ "$(procs_count "$1")" -eq "$2" ]; }
# populated DIR: the populated value of DIR/cgroup.events (whole subtree).
populated() { sed -n 's/^populated //p' "$1/cgroup.events" 2>/dev/null; }
unpopulated() { [ "$(populated "$1")" = 0 ]; }
# kv FILE KEY: the value of "KEY VALUE" in a flat-keyed cgroup file.
kv() { awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null; }
# zombies: "PID PPID COMM" of every zombie.
zombies() {
	cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/^\([0-9]*\) (\(.*\)) Z \([0-9]*\) .*/\1 \3 \2/p'
}
no_zombies() { [ -z "$(zombies)" ]; }
# uptime_ms: guest uptime in milliseconds.
uptime_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# eventually SECS CMD...: CMD succeeds within SECS (polled every 0.2 s).
eventually() {
	_n=$(($1 * 5)); shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.2
	done
}
# wait_new_pid NAME OLD SECS: print the new main PID once it differs from OLD.
wait_new_pid() {
	_i=0
	while [ $_i -lt $(($3 * 5)) ]; do
		_p=$(main_pid "$1")
		if is_pid "$_p" && [ "$_p" != "$2" ]; then echo "$_p"; return 0; fi
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}
# units: the names of every unit svctl lists.
units() { sv status 2>/dev/null | awk 'NR > 1 && /^[A-Za-z0-9]/ { print $1 }'; }
# section TITLE: a diagnostic line between areas, with the guest uptime.
section() { echo "# ---- $1 (uptime $(cut -d' ' -f1 /proc/uptime)s)"; }
# count_cmd CMDLINE: how many processes run exactly CMDLINE ("/bin/sleep 7001").
count_cmd() { ps -o args | grep -cxF "$1"; }
