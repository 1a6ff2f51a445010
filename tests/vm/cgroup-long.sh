# cgroup-long.sh — sourced by scenarios-cgroup.sh: the longest legal cgroup
# path. cgroup.conf declares a slice chain of UNIT_SLICE_DEPTH (8) names of
# UNIT_NAME_MAX (64) bytes; two units with 64-byte names live below it, so
# their leaves are 584 bytes below the root (UNIT_CGROUP_PATH_MAX). Both are
# notify units: one gets READY=1 from a child of its main process (found by
# its cgroup path), the other names a child with MAINPID= (believed only for
# a process in its own cgroup).
section cgroup-long
LONG_SLICE=s1abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s2abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s3abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s4abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s5abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s6abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s7abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz/s8abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz
LONG_NOTIFY=longnotifynnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn
LONG_FORK=longforkffffffffffffffffffffffffffffffffffffffffffffffffffffffff
check_eq "long: the slice path is 519 bytes (8 x 64 + 7)" "${#LONG_SLICE}" 519
check "long: the notify unit becomes running (ready)" eventually 10 state_is "$LONG_NOTIFY" running
p=$(main_pid "$LONG_NOTIFY")
check_eq "long: its main PID's /proc/PID/cgroup shows the full path" \
	"$(cgroup_of "$p")" "/$LONG_SLICE/$LONG_NOTIFY"
check "long: the kernel has the leaf" test -d "$CG/$LONG_SLICE/$LONG_NOTIFY"
check "long: the forking unit becomes running" eventually 10 state_is "$LONG_FORK" running
p=$(main_pid "$LONG_FORK")
check "long: its main process is the child it named (PPid 1, alive)" \
	eval 'alive "$p" && [ "$(proc_ppid "$p")" = 1 ]'
check_eq "long: the child's /proc/PID/cgroup shows the full path" \
	"$(cgroup_of "$p")" "/$LONG_SLICE/$LONG_FORK"
check_eq "long: the forking unit was not restarted" "$(unit_restarts "$LONG_FORK")" 0
