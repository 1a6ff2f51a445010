# reload.sh — sourced by scenarios-cgroup.sh, last: `svctl reload` against the
# kernel's files. lim2 changes (cpu.max rewritten, weight dropped), plain is
# removed, rl-new is added, bystander is unchanged; then a broken set is
# refused whole. Last, a reload that shrinks the tree: slice apps/db leaves
# initd.conf (dbsvc moves to other), lim (the only user of cpuset and io)
# and sys1 (the only user of pids in system) are removed; the tree is pruned
# to the new plan, and what is still needed stays.
U=/etc/initd/units
CG=/sys/fs/cgroup

by_pid=$(main_pid bystander)
lim2_pid=$(main_pid lim2)
plain_pid=$(main_pid plain)
cat > $U/lim2.unit <<'EOT'
description = "changed by a reload: cpu.max 50%, weight back to its default";
exec = [ "/bin/sleep", "7402" ];
cgroup = { slice = "apps"; cpu = { max = "50%"; }; };
EOT
rm -f $U/plain.unit
cat > $U/rl-new.unit <<'EOT'
description = "added by a reload";
exec = [ "/bin/sleep", "7420" ];
cgroup = { slice = "apps"; pids = { max = 5; }; };
EOT
out=$(sv reload 2>&1); rc=$?
check_eq "reload: svctl reload exits 0" "$rc" 0
check "reload: it reports 1 added, 1 removed, 1 changed" \
	sh -c "echo '$out' | grep -q '1 added, 1 removed, 1 changed'"
sv wait >/dev/null 2>&1
check_eq "reload: lim2's cpu.max is rewritten" "$(cat $CG/apps/lim2/cpu.max 2>/dev/null)" "50000 100000"
check_eq "reload: lim2's dropped cpu.weight is back to the default" \
	"$(cat $CG/apps/lim2/cpu.weight 2>/dev/null)" 100
new=$(main_pid lim2)
check "reload: lim2 runs again with a new PID" sh -c "[ -n '$new' ] && [ '$new' != - ] && [ '$new' != '$lim2_pid' ]"
check_eq "reload: lim2's new process is in /apps/lim2" "$(cgroup_of "$new")" /apps/lim2
rl=$(main_pid rl-new)
check_eq "reload: rl-new runs in its leaf /apps/rl-new" "$(cgroup_of "$rl")" /apps/rl-new
check_eq "reload: rl-new's pids.max is 5" "$(cat $CG/apps/rl-new/pids.max 2>/dev/null)" 5
check "reload: plain's leaf /other/plain is removed" sh -c "[ ! -d $CG/other/plain ]"
check "reload: plain's process is gone" sh -c "! [ -d /proc/$plain_pid ] || [ \"\$(sed -n 's/^.*) \\([A-Z]\\) .*/\\1/p' /proc/$plain_pid/stat)\" = Z ]"
check_eq "reload: bystander (unchanged) keeps its PID" "$(main_pid bystander)" "$by_pid"

echo 'exce = [ "/bin/true" ];' > $U/rl-bad.unit
out=$(sv reload 2>&1); rc=$?
check "reload: a broken set is refused (exit $rc)" sh -c "[ $rc -ne 0 ]"
check "reload: the refusal names FILE:LINE" sh -c "echo '$out' | grep -q 'rl-bad.unit:1: unknown key'"
check "reload: nothing changed after the refusal" \
	sh -c "[ '$(main_pid bystander)' = '$by_pid' ] && [ -z \"\$(svctl status rl-bad 2>/dev/null)\" ]"
rm -f $U/rl-bad.unit

# ---- pruning: a slice dropped, the last users of controllers removed ------------
ctl_now() { tr ' ' '\n' <"$CG$1/cgroup.subtree_control" 2>/dev/null | grep . | sort | tr '\n' ' ' | sed 's/ $//'; }
# ctl_becomes NAME DIR WANT: DIR's cgroup.subtree_control comes to read WANT
ctl_becomes() {
	if eventually 5 eval '[ "$(ctl_now "$2")" = "$3" ]'; then ok "$1: ${2:-}/cgroup.subtree_control is '$3'"
	else not_ok "$1: ${2:-}/cgroup.subtree_control is '$3'" "got '$(ctl_now "$2")'"; fi
}
diag "before: / '$(ctl_now "")', /apps '$(ctl_now /apps)', /system '$(ctl_now /system)', /other '$(ctl_now /other)'"
by_pid=$(main_pid bystander)
sed -i '/path = "apps\/db"/d' /etc/initd/initd.conf
# and slice apps's memory limit taken away: the kernel's file goes back to
# "max" (before, 256M stayed in force after the reload)
sed -i 's|{ path = "apps"; memory = { max = "256M"; }; }|{ path = "apps"; }|' /etc/initd/initd.conf
check_eq "prune: the edit took apps's memory limit away" "$(grep -c 'path = "apps"; }' /etc/initd/initd.conf)" 1
cat > $U/dbsvc.unit <<'EOT'
description = "moved by a reload from the dropped slice apps/db to other";
exec = [ "/bin/sleep", "7407" ];
cgroup = { slice = "other"; memory = { max = "16M"; }; };
EOT
rm -f $U/lim.unit $U/sys1.unit
out=$(sv reload 2>&1); rc=$?
check_eq "prune: svctl reload exits 0" "$rc" 0
check "prune: it reports 0 added, 2 removed, 1 changed" \
	sh -c "echo '$out' | grep -q '0 added, 2 removed, 1 changed'"
sv wait >/dev/null 2>&1
check "prune: the dropped slice's directory /apps/db is removed" eventually 5 test ! -d $CG/apps/db
db=$(main_pid dbsvc)
check_eq "prune: dbsvc runs in /other/dbsvc" "$(cgroup_of "$db")" /other/dbsvc
check_eq "prune: /other/dbsvc has memory.max 16M" "$(cat $CG/other/dbsvc/memory.max 2>/dev/null)" 16777216
check "prune: lim's leaf /apps/lim is removed" eventually 5 test ! -d $CG/apps/lim
check "prune: sys1's leaf /system/sys1 is removed" eventually 5 test ! -d $CG/system/sys1
ctl_becomes "prune: root loses cpuset and io (lim was their last user)" "" "cpu memory pids"
ctl_becomes "prune: slice apps loses cpuset and io, keeps the rest" /apps "cpu memory pids"
ctl_becomes "prune: slice system keeps memory and pids (default_accounting, dfork)" /system "memory pids"
ctl_becomes "prune: slice other keeps memory and pids" /other "memory pids"
ctl_becomes "prune: deleg's node keeps its own subtree_control" /apps/deleg "memory pids"
check "prune: slices apps, system, other and init.scope stay" \
	sh -c "[ -d $CG/apps ] && [ -d $CG/system ] && [ -d $CG/other ] && [ -d $CG/init.scope ]"
check "prune: initd (PID 1) is still in /init.scope" procs_has $CG/init.scope 1
check_eq "prune: bystander (unchanged) keeps its PID" "$(main_pid bystander)" "$by_pid"
check_eq "prune: slice apps's memory.max is back to max" "$(cat $CG/apps/memory.max 2>/dev/null)" max
check_eq "prune: bystander's memory.max is still there" \
	"$(cat $CG/apps/bystander/memory.max 2>/dev/null)" 67108864
check_eq "prune: bomb's pids.max is still there" "$(cat $CG/apps/bomb/pids.max 2>/dev/null)" 16
check_eq "prune: spin's cpu.max is still there" "$(cat $CG/apps/spin/cpu.max 2>/dev/null)" "20000 100000"

# ---- a leaf taken away while a process still holds it ---------------------------
# A process moved by hand into a stopped unit's leaf: the reload that
# removes the unit, or moves it to another slice, kills it (cgroup.kill) but
# cannot rmdir the leaf until the kernel has freed it. initd removes the
# leaf once its cgroup.events says it is empty (before, it stayed for good).
# The stray has 64 MiB to tear down at its death: the leaf stays busy a
# while after the kill, so initd waits for the kernel's event (said in its
# log) far more often than its second try at once finds the leaf empty
# (either is right).

# busy_leaf NAME SLICE [LIMITS]: NAME (a new unit in SLICE, with the cgroup
# keys LIMITS) started, stopped, and a stray process put in its leaf;
# $stray its PID
busy_leaf() {
	cat > $U/$1.unit <<EOT
description = "its leaf taken away by a reload while a process it did not start is in it";
exec = [ "/bin/sleep", "7431" ];
cgroup = { slice = "$2"; ${3:-} };
EOT
	sv reload >/dev/null 2>&1
	sv wait >/dev/null 2>&1
	check "leftover: $1 runs in its leaf /$2/$1" procs_has "$CG/$2/$1" "$(main_pid "$1")"
	sv stop "$1" >/dev/null 2>&1
	sh -c "echo \$\$ > $CG/$2/$1/cgroup.procs && exec $VMT/hog mem 64" &
	stray=$!
	check "leftover: a stray process is in $1's stopped leaf" \
		eventually 5 procs_has "$CG/$2/$1" "$stray"
}

# leaf_gone WHAT DIR: after the reload, the stray is killed and DIR removed.
# initd's line is looked for in dmesg; PID 1 spends at most 50 ms a second
# writing /dev/kmsg (log.c: each write prints on this VM's serial console
# inside the kernel), so on a busy host the record may be dropped: then
# initd says how many were, at its next record of a later second (a
# reload's). Either counts; a drop noted before the reload does not.
leaf_gone() {
	_notes=$(dmesg | grep -c 'records not written here')
	check "leftover: $1: the stray process is killed" eventually 5 sh -c \
		"! [ -d /proc/$stray ] || [ \"\$(sed -n 's/^.*) \\([A-Z]\\) .*/\\1/p' /proc/$stray/stat)\" = Z ]"
	kill -9 "$stray" 2>/dev/null; wait "$stray" 2>/dev/null
	check "leftover: $1: the leaf $2 is removed once empty" eventually 5 test ! -d "$CG$2"
	check "leftover: $1: initd says so (kmsg, or counted among the records it dropped there)" \
		eventually 5 eval "dmesg | grep -q 'cgroup: ${2#/} removed once its last process was gone' ||
			{ sleep 1.1; sv reload >/dev/null 2>&1;
			  [ \$(dmesg | grep -c 'records not written here') -gt $_notes ]; }"
	diag "leftover: $1: initd waited for the leaf's event: $(dmesg | grep -c "${2#/} still has processes")"
}

busy_leaf lo-busy other
rm -f $U/lo-busy.unit
sv reload >/dev/null 2>&1; rc=$?
check_eq "leftover: the reload removing lo-busy exits 0" "$rc" 0
leaf_gone "unit removed" /other/lo-busy

busy_leaf lo-move other
sed -i 's/slice = "other"/slice = "apps"/' $U/lo-move.unit
sv reload >/dev/null 2>&1; rc=$?
check_eq "leftover: the reload moving lo-move to slice apps exits 0" "$rc" 0
leaf_gone "unit moved" /other/lo-move
sv start lo-move >/dev/null 2>&1
check "leftover: lo-move starts in its new leaf /apps/lo-move" \
	eventually 5 procs_has $CG/apps/lo-move "$(main_pid lo-move)"

# ---- a leaf the changed unit takes while a process still holds it ---------------
# lo-keep changed by a reload, in the same slice, with its limits dropped:
# the stray keeps the old leaf from going, so the new unit takes it. What
# the new text no longer declares is back at the kernel's default (before,
# the old memory.max and pids.max stayed in force).
busy_leaf lo-keep other 'memory = { max = "128M"; }; pids = { max = 8; };'
check_eq "reuse: lo-keep's old memory.max is set" "$(cat $CG/other/lo-keep/memory.max)" 134217728
sed -i -e 's/"7431"/"7432"/' -e 's/memory = .*pids = { max = 8; };//' $U/lo-keep.unit
check "reuse: the edit took lo-keep's limits away" sh -c "! grep -q max $U/lo-keep.unit"
sv reload >/dev/null 2>&1; rc=$?
check_eq "reuse: the reload changing lo-keep exits 0" "$rc" 0
sv wait >/dev/null 2>&1
check "reuse: lo-keep's leaf is still there" test -d $CG/other/lo-keep
diag "reuse: initd said the new unit takes it: $(dmesg | grep -c 'lo-keep: its cgroup still has processes (killed); the new unit takes it')"
check "reuse: lo-keep's memory.max is back to max" \
	eventually 5 eval '[ "$(cat $CG/other/lo-keep/memory.max)" = max ]'
check_eq "reuse: lo-keep's pids.max is back to max" "$(cat $CG/other/lo-keep/pids.max)" max
kill -9 "$stray" 2>/dev/null; wait "$stray" 2>/dev/null
sv start lo-keep >/dev/null 2>&1
check "reuse: lo-keep starts in its leaf /other/lo-keep" \
	eventually 5 procs_has $CG/other/lo-keep "$(main_pid lo-keep)"
check_eq "reuse: lo-keep's memory.max is still max once started" \
	"$(cat $CG/other/lo-keep/memory.max)" max
