#!/bin/sh
# svc-deepdeleg.sh — deepdeleg.unit of the cgroup boot (cgroup-deleg.sh): in
# its delegated node, a chain t1/t2/.../t18 with a process in the deepest
# one, as a service could leave behind. Its removal by a reload must take
# the whole tree.
me=$(sed -n 's/^0:://p' /proc/self/cgroup)
d=/sys/fs/cgroup${me%/*}
i=1
while [ $i -le 18 ]; do
	d=$d/t$i
	mkdir "$d" || echo "deepdeleg: mkdir t$i failed"
	i=$((i + 1))
done
sleep 7412 &
echo $! >"$d/cgroup.procs" || echo "deepdeleg: moving $! to t18 failed"
echo "deepdeleg: done"
wait
