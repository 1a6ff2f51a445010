#!/bin/sh
# svc-deleg.sh — the delegating service of the cgroup boot (deleg.unit,
# checked by cgroup.sh). initd starts it in the leaf "main" under its node
# /apps/deleg (its unit has subtree_control); it makes its own sub-cgroup
# work/ with the pids controller enabled in it, and moves a child into
# work/leaf. Then it tries to go deeper, and wider, than its unit allows.
me=$(sed -n 's/^0:://p' /proc/self/cgroup)
node=/sys/fs/cgroup${me%/*}
echo "deleg: in $me, node $node"
mkdir -p "$node/work/leaf" || echo "deleg: mkdir $node/work/leaf failed"
echo +pids >"$node/work/cgroup.subtree_control" ||
	echo "deleg: +pids in $node/work failed"
sleep 7409 &
echo $! >"$node/work/leaf/cgroup.procs" ||
	echo "deleg: moving $! to $node/work/leaf failed"
# Its unit allows 3 levels and 5 descendants below the node: two more
# levels fit, a fourth level and a sixth descendant are refused.
mkdir "$node/work/d2" "$node/work/d2/d3" && echo "deleg: depth 3 made"
mkdir "$node/work/d2/d3/d4" 2>&1 && echo "deleg: depth 4 made" ||
	echo "deleg: depth 4 refused"
mkdir "$node/extra" 2>&1 && echo "deleg: descendant 6 made" ||
	echo "deleg: descendant 6 refused"
echo "deleg: done"
wait
