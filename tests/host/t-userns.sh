#!/bin/bash
# t-userns.sh — user_namespace.auto (issue 18.3) on the host tier: two
# auto units get the ranges --check's dump names, the kernel's uid_map and
# gid_map say so and do not overlap; a file each writes in a shared
# directory is owned by an id of its own range and not of the other's; the
# maps are the same after `svctl restart` and `svctl reload` (so the unit
# still owns what it wrote: it appends to its file again). The VM tier
# repeats it (tests/vm/userns.sh).
. "$(dirname "$0")/lib.sh"

new_boot userns
mkdir -p "$T/shared"
chmod 1777 "$T/shared"
for n in alpha beta; do
	unit $n <<EOF3
exec = [ "/bin/sh", "-c", "echo run >> $T/shared/$n && exec sleep 1000" ];
namespaces = [ "user", "mount" ];
user_namespace = { auto = true; };
EOF3
done
# The ranges as the loader resolves them: "0 BASE 65536".
want() { "$INITD" --check --dump "$T/conf" 2>/dev/null |
	awk -v u="# $1.unit" '$0 == u { f = 1 } f && /auto range/ { gsub(/"/, ""); print $(NF-2), $(NF-1), $NF; exit }'; }
wa=$(want alpha)
wb=$(want beta)
start_initd || exit 1

map() { in_ns awk '{ print $1, $2, $3 }' "/proc/$1/$2_map"; }
check "alpha reaches running" wait_state alpha running 5
check "beta reaches running" wait_state beta running 5
pa=$(svc_pid alpha)
pb=$(svc_pid beta)
is "alpha: uid_map is the dump's auto range" "$(map "$pa" uid)" "$wa"
is "alpha: gid_map is the dump's auto range" "$(map "$pa" gid)" "$wa"
is "beta: uid_map is the dump's auto range" "$(map "$pb" uid)" "$wb"
set -- $wa
abase=$2 acount=$3
set -- $wb
bbase=$2 bcount=$3
check "the two ranges do not overlap" \
	eval '[ $((abase + acount)) -le "$bbase" ] || [ $((bbase + bcount)) -le "$abase" ]'
inrange() { [ "$1" -ge "$2" ] && [ "$1" -lt $(($2 + $3)) ]; }
check "alpha wrote its file" wait_until 5 test -s "$T/shared/alpha"
check "beta wrote its file" wait_until 5 test -s "$T/shared/beta"
ua=$(stat -c %u "$T/shared/alpha")
ub=$(stat -c %u "$T/shared/beta")
check "alpha's file is owned by alpha's range ($ua)" inrange "$ua" "$abase" "$acount"
check "alpha's file is not owned by beta's range" eval '! inrange "$ua" "$bbase" "$bcount"'
check "beta's file is owned by beta's range ($ub)" inrange "$ub" "$bbase" "$bcount"
is "alpha's file's group is alpha's range too" "$(stat -c %g "$T/shared/alpha")" "$abase"

sv restart alpha >/dev/null 2>&1
newpid() { p=$(svc_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ] && state_is "$1" running; }
check "alpha restarted" wait_until 5 newpid alpha "$pa"
pa2=$(svc_pid alpha)
is "alpha: the same uid_map after a restart" "$(map "$pa2" uid)" "$wa"
check "alpha wrote to its own file again after the restart" \
	wait_until 5 eval '[ "$(wc -l < "$T/shared/alpha")" -eq 2 ]'
sv reload >/dev/null 2>&1
is "alpha: the same uid_map after a reload" "$(map "$(svc_pid alpha)" uid)" "$wa"
is "beta: the same uid_map after a reload" "$(map "$(svc_pid beta)" uid)" "$wb"
stop_initd
[ "$FAILED" -eq 0 ]
