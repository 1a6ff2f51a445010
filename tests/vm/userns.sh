# userns.sh — distinct user-namespace ranges and joined namespaces (issue
# 18.3, 18.4), sourced by scenarios.sh (main boot). From the kernel's files:
# /proc/PID/uid_map and gid_map, file owners, /proc/PID/ns/net and the
# interfaces seen in there.
#
# Units (tests/vm/units): ns-auto-a, ns-auto-b (user + mount namespaces,
# user_namespace.auto, b with size 100000; each appends a line to
# /tmp/ns-auto-NAME at every start), ns-src (net namespace, veth 10.0.1.45
# on br0), ns-side (namespaces_from net = "ns-src").

section "userns"

for u in ns-auto-a ns-auto-b ns-src ns-side; do
	eventually 10 state_is "$u" running
	check "$u: running" state_is "$u" running
done
# map PID uid|gid: the kernel's map, one line, blanks squeezed.
map() { awk '{ print $1, $2, $3 }' "/proc/$1/$2_map" 2>/dev/null; }
# inrange ID BASE COUNT
inrange() { [ "$1" -ge "$2" ] && [ "$1" -lt $(($2 + $3)) ]; }
apid=$(main_pid ns-auto-a)
bpid=$(main_pid ns-auto-b)
amap=$(map "$apid" uid)
bmap=$(map "$bpid" uid)
diag "ns-auto-a uid_map: $amap; ns-auto-b uid_map: $bmap"
check_eq "ns-auto-a: gid_map is its uid_map" "$(map "$apid" gid)" "$amap"
# raised by PID 1 (prlimit) before the child went on: in its own user
# namespace it could not (the old code failed the start, EPERM)
# its environment file, read in its user namespace (where root's /etc
# shows as owned by the overflow uid: the file is read, not a link)
check_eq "ns-auto-a: its environment file, read in its user namespace" \
	"$(cat /tmp/ns-auto-a.env 2>/dev/null)" "read-in-its-userns"
check_eq "ns-auto-b: its memlock raised past PID 1's, to 64M" \
	"$(awk '/^Max locked memory/ { print $4, $5 }' "/proc/$bpid/limits")" "67108864 67108864"
check_eq "ns-auto-b: its rtprio raised to 5" \
	"$(awk '/^Max realtime priority/ { print $4, $5 }' "/proc/$bpid/limits")" "5 5"
# a limit initd.conf has a default for: the child must not lower it again
check_eq "ns-auto-b: its nofile as the unit says, past initd.conf's default" \
	"$(awk '/^Max open files/ { print $4, $5 }' "/proc/$bpid/limits")" "1024 1048576"
check_eq "ns-auto-b: gid_map is its uid_map" "$(map "$bpid" gid)" "$bmap"
set -- $amap
abase=${2:-0} acount=${3:-0}
set -- $bmap
bbase=${2:-0} bcount=${3:-0}
check "ns-auto-a: 65536 ids from the pool (0x10000000 and up)" \
	sh -c "[ $acount -eq 65536 ] && [ $abase -ge 268435456 ]"
check "ns-auto-b: 100000 ids from the pool" sh -c "[ $bcount -eq 100000 ] && [ $bbase -ge 268435456 ]"
check "the two auto ranges do not overlap" \
	sh -c "[ $((abase + acount)) -le $bbase ] || [ $((bbase + bcount)) -le $abase ]"
eventually 5 test -s /tmp/ns-auto-a
eventually 5 test -s /tmp/ns-auto-b
aown=$(stat -c %u /tmp/ns-auto-a 2>/dev/null || echo -1)
bown=$(stat -c %u /tmp/ns-auto-b 2>/dev/null || echo -1)
check "ns-auto-a: its file is owned by its range ($aown)" inrange "$aown" "$abase" "$acount"
check "ns-auto-a: its file is not owned by ns-auto-b's range" eval '! inrange "$aown" "$bbase" "$bcount"'
check "ns-auto-b: its file is owned by its range ($bown)" inrange "$bown" "$bbase" "$bcount"
check "ns-auto-b: its file is not owned by ns-auto-a's range" eval '! inrange "$bown" "$abase" "$acount"'

sv restart ns-auto-a >/dev/null 2>&1
apid2=$(wait_new_pid ns-auto-a "$apid" 10)
check_eq "ns-auto-a: the same uid_map after svctl restart" "$(map "$apid2" uid)" "$amap"
eventually 5 sh -c '[ "$(wc -l < /tmp/ns-auto-a)" -ge 2 ]'
check "ns-auto-a: appended to its own file again after the restart" \
	sh -c '[ "$(wc -l < /tmp/ns-auto-a)" -ge 2 ]'
sv reload >/dev/null 2>&1
check_eq "ns-auto-a: the same uid_map after svctl reload" "$(map "$(main_pid ns-auto-a)" uid)" "$amap"
check_eq "ns-auto-b: the same uid_map after svctl reload" "$(map "$(main_pid ns-auto-b)" uid)" "$bmap"

# ---- namespaces_from: a sidecar in ns-src's network namespace --------------
# links PID: the interface names in PID's network namespace, sorted.
links() { nsenter -t "$1" -n ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '; }
spid=$(main_pid ns-src)
dpid=$(main_pid ns-side)
sns=$(readlink "/proc/$spid/ns/net")
check_eq "ns-side: in ns-src's network namespace" "$(readlink "/proc/$dpid/ns/net")" "$sns"
check "ns-src: not PID 1's network namespace" sh -c "[ '$sns' != \"\$(readlink /proc/1/ns/net)\" ]"
check_eq "ns-side: sees ns-src's interfaces (lo eth0)" "$(links "$dpid")" "eth0 lo "
check_eq "ns-src: the same interfaces" "$(links "$spid")" "eth0 lo "
check "ns-side: eth0 has ns-src's 10.0.1.45/24" \
	sh -c "nsenter -t $dpid -n ip -o addr show eth0 | grep -q 'inet 10.0.1.45/24'"
sv restart ns-src >/dev/null 2>&1
spid2=$(wait_new_pid ns-src "$spid" 10)
dpid2=$(wait_new_pid ns-side "$dpid" 10)
eventually 10 state_is ns-side running
check "ns-side: restarted after its source restarted" is_pid "$dpid2"
sns2=$(readlink "/proc/$spid2/ns/net" 2>/dev/null)
check "ns-src: a new network namespace after its restart" sh -c "[ -n '$sns2' ] && [ '$sns2' != '$sns' ]"
check_eq "ns-side: in ns-src's new network namespace" "$(readlink "/proc/$dpid2/ns/net" 2>/dev/null)" "$sns2"
check_eq "ns-side: sees the new namespace's interfaces" "$(links "$dpid2")" "eth0 lo "
check "ns-side: the new veth's eth0 has 10.0.1.45/24" \
	sh -c "nsenter -t $dpid2 -n ip -o addr show eth0 | grep -q 'inet 10.0.1.45/24'"

# ns-deleg: its delegated node's owner is its own nobody as the host sees
# it (the map's base + 65534), not the host's nobody (65534: the old code)
eventually 10 state_is ns-deleg running
dpid=$(main_pid ns-deleg)
set -- $(map "$dpid" uid)
dbase=${2:-0}
check_eq "ns-deleg: its process runs as its map's base + 65534" \
	"$(awk '/^Uid:/ { print $2 }' "/proc/$dpid/status" 2>/dev/null)" "$((dbase + 65534))"
check_eq "ns-deleg: its node is that uid's" \
	"$(stat -c %u /sys/fs/cgroup/system/ns-deleg 2>/dev/null)" "$((dbase + 65534))"
check_eq "ns-deleg: and its cgroup.procs" \
	"$(stat -c %u /sys/fs/cgroup/system/ns-deleg/cgroup.procs 2>/dev/null)" "$((dbase + 65534))"
check_eq "ns-deleg: and its main leaf's cgroup.procs" \
	"$(stat -c %u /sys/fs/cgroup/system/ns-deleg/main/cgroup.procs 2>/dev/null)" "$((dbase + 65534))"
# it moved itself to a sub-cgroup of its own and back (the old code: main
# stayed root's, and the move back was refused)
check "ns-deleg: made its own sub-cgroup" test -d /sys/fs/cgroup/system/ns-deleg/w
check_eq "ns-deleg: moved itself back into main" "$(cgroup_of "$dpid")" /system/ns-deleg/main
