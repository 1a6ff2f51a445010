#!/bin/sh
# svc-deleg.sh — the delegating service of the cgroup boot (deleg.unit,
# checked by cgroup.sh). initd starts it in the leaf "main" under its node
# /apps/deleg (its unit has subtree_control); it makes its own sub-cgroup
# work/ with the pids controller enabled in it, and moves a child into
# work/leaf.
me=$(sed -n 's/^0:://p' /proc/self/cgroup)
node=/sys/fs/cgroup${me%/*}
echo "deleg: in $me, node $node"
mkdir -p "$node/work/leaf" || echo "deleg: mkdir $node/work/leaf failed"
echo +pids >"$node/work/cgroup.subtree_control" ||
	echo "deleg: +pids in $node/work failed"
sleep 7409 &
echo $! >"$node/work/leaf/cgroup.procs" ||
	echo "deleg: moving $! to $node/work/leaf failed"
echo "deleg: done"
wait
