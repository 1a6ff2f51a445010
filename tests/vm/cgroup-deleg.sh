# cgroup-deleg.sh — sourced by scenarios-cgroup.sh after cgroup.sh: the
# bounds on delegated subtrees, and the removal of a deep one. deleg (3
# levels, 5 descendants) tried to go deeper and wider (svc-deleg.sh);
# deepdeleg (20 levels, default descendants) built an 18-level chain with a
# process at its bottom, and is removed by a reload.
section cgroup-deleg
U=/etc/initd/units
check_eq "deleg: /apps/deleg/cgroup.max.depth is 3" "$(cat $CG/apps/deleg/cgroup.max.depth 2>&1)" 3
check_eq "deleg: /apps/deleg/cgroup.max.descendants is 5" \
	"$(cat $CG/apps/deleg/cgroup.max.descendants 2>&1)" 5
check "deleg: made work/d2/d3 (3 levels down)" eventually 5 test -d "$CG/apps/deleg/work/d2/d3"
check "deleg: the kernel refused a 4th level" eval '! test -d "$CG/apps/deleg/work/d2/d3/d4"'
check "deleg: the kernel refused a 6th descendant" eval '! test -d "$CG/apps/deleg/extra"'
check_eq "deleg: cgroup.stat nr_descendants is 5" "$(kv $CG/apps/deleg/cgroup.stat nr_descendants)" 5
check "deleg: its log says both were refused" \
	eval 'sv logs deleg 2>&1 | grep -q "depth 4 refused" && sv logs deleg 2>&1 | grep -q "descendant 6 refused"'
check_eq "deepdeleg: cgroup.max.depth is 20" "$(cat $CG/apps/deepdeleg/cgroup.max.depth 2>&1)" 20
check_eq "deepdeleg: cgroup.max.descendants is the default 256" \
	"$(cat $CG/apps/deepdeleg/cgroup.max.descendants 2>&1)" 256
deep=$CG/apps/deepdeleg/t1/t2/t3/t4/t5/t6/t7/t8/t9/t10/t11/t12/t13/t14/t15/t16/t17/t18
check "deepdeleg: built t1/.../t18" eventually 5 test -d "$deep"
dp=$(cat "$deep/cgroup.procs" 2>/dev/null)
check "deepdeleg: a process lives at the bottom ($dp)" eval 'alive "$dp"'
rm -f $U/deepdeleg.unit
out=$(sv reload 2>&1)
check "deepdeleg: the reload removes it ($out)" eval 'echo "$out" | grep -q "1 removed"'
check "deepdeleg: its node /apps/deepdeleg is gone, 19 levels and all" \
	eventually 15 eval '! test -d "$CG/apps/deepdeleg"'
check "deepdeleg: the process at the bottom is gone" eval '! alive "$dp"'
sv wait >/dev/null 2>&1

# A delegated cgroup named like a controller's file ("cpu.max": the kernel
# allows it while cpu is not enabled above) makes the kernel refuse that
# controller on the slice (EEXIST). The unit that needs it fails with a
# reason that names the cgroup in the way, not a bare "File exists". In a
# slice of its own (coll), dropped again after.
sed -i 's|^  { path = "other"; },|  { path = "other"; },\n  { path = "coll"; },|' /etc/initd/initd.conf
cat > $U/dlg.unit <<'EOT'
description = "delegates pids in slice coll";
exec = [ "/bin/sleep", "7501" ];
cgroup = { slice = "coll"; subtree_control = [ "pids" ]; };
EOT
sv reload >/dev/null 2>&1
sv wait >/dev/null 2>&1
check "collision: dlg runs in /coll/dlg" eventually 5 test -d "$CG/coll/dlg/main"
check "collision: cpu is not enabled in /coll" eval '! grep -qw cpu "$CG/coll/cgroup.subtree_control"'
check "collision: a cgroup named cpu.max in dlg's node" mkdir "$CG/coll/dlg/cpu.max"
cat > $U/dlgcpu.unit <<'EOT'
description = "needs cpu in slice coll";
exec = [ "/bin/sleep", "7502" ];
cgroup = { slice = "coll"; cpu = { weight = 50; }; };
EOT
sv reload >/dev/null 2>&1
sv wait >/dev/null 2>&1
st=$(sv status dlgcpu 2>&1)
check "collision: dlgcpu does not run" eval '! echo "$st" | grep -q " running "'
check "collision: its reason names dlg/cpu.max ($st)" \
	eval 'echo "$st" | grep -q "dlg/cpu.max takes a file.s name"'
rmdir "$CG/coll/dlg/cpu.max"
rm -f $U/dlg.unit $U/dlgcpu.unit
sed -i '/path = "coll"/d' /etc/initd/initd.conf
sv reload >/dev/null 2>&1
sv wait >/dev/null 2>&1
check "collision: the slice coll is removed after" eventually 10 eval '! test -d "$CG/coll"'
