# reload.sh — sourced by scenarios-cgroup.sh, last: `svctl reload` against the
# kernel's files. lim2 changes (cpu.max rewritten, weight dropped), plain is
# removed, rl-new is added, bystander is unchanged; then a broken set is
# refused whole.
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
