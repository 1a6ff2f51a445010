/* cgstat.h — the status table's MEMORY and CPU columns, read by svctl.
 *
 * A status of every unit comes without cgroup statistics (proto.h): at
 * 1000 units the two kernfs files a unit cost ~70 ms under TCG, and that
 * was PID 1's time, spent for whichever client asked. Its reply names
 * initd's cgroup2 root instead (CGROUP_ROOT), and svctl reads each unit's
 * memory.current and cpu.stat's usage_usec below it, in its own mount
 * namespace and with its own permissions, on up to a thread a CPU. */
#ifndef INITD_SVCTL_CGSTAT_H
#define INITD_SVCTL_CGSTAT_H

#include <stddef.h>

#include "svctl/output.h"

#define CGSTAT_THREADS_MAX     8
#define CGSTAT_UNITS_A_THREAD  64   /* fewer: a thread costs more than it reads */

/* Fill MEM_CURRENT and CPU_USAGE_USEC of each of u[0..n) that has a
 * cgroup, below the reply's CGROUP_ROOT. A file that cannot be read leaves
 * its column "-", as a unit without the controller. 0 (also when the
 * reply names no root: initd without cgroups, or an older one), or -errno
 * with nothing filled: -EINVAL for a relative root or no CGROUP_ROOT_ID,
 * -ENOMEDIUM when the path is not a cgroup2 directory here (svctl in a
 * mount namespace of its own), -EXDEV when it is another cgroup than
 * initd's root (not CGROUP_ROOT_ID), or open(2)'s. */
int cgstat_fill(const void *payload, size_t len, struct unit_status *u, size_t n);

/* The same below root_fd, any directory (the tests' tree), on at most
 * threads threads (the caller's one of them). */
void cgstat_fill_at(int root_fd, struct unit_status *u, size_t n, unsigned threads);

#endif
