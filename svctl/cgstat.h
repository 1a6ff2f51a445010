/* cgstat.h — the status table's MEMORY and CPU columns (and `svctl
 * analyze`'s CPU and memory.peak), read by svctl.
 *
 * A status of every unit (or of several named) comes without cgroup
 * statistics (proto.h): at 1000 units the two kernfs files a unit cost
 * ~70 ms under TCG, and that was PID 1's time, spent for whichever
 * client asked. Its reply names
 * initd's cgroup2 root instead (CGROUP_ROOT), and svctl reads each unit's
 * memory.current and cpu.stat's usage_usec below it, in its own mount
 * namespace and with its own permissions, on up to a thread a CPU. */
#ifndef INITD_SVCTL_CGSTAT_H
#define INITD_SVCTL_CGSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "svctl/output.h"

#define CGSTAT_THREADS_MAX     8
#define CGSTAT_FILE_MAX        512  /* cpu.stat, the longest read, is ~250 */
#define CGSTAT_UNITS_A_THREAD  64   /* fewer: a thread costs more than it reads */

/* What to read, by the attribute each file fills (bits of cg_have):
 * memory.current, memory.peak, cpu.stat's usage_usec. The status table
 * shows the first and the last, `svctl analyze` the last two. */
#define CGSTAT_BIT(attr)  (1U << ((attr) - STATUS_CG_FIRST))
#define CGSTAT_STATUS \
	(CGSTAT_BIT(PROTO_ATTR_MEM_CURRENT) | CGSTAT_BIT(PROTO_ATTR_CPU_USAGE_USEC))
#define CGSTAT_ANALYZE \
	(CGSTAT_BIT(PROTO_ATTR_MEM_PEAK) | CGSTAT_BIT(PROTO_ATTR_CPU_USAGE_USEC))

/* Fill the want files' attributes of each of u[0..n) that has a cgroup,
 * below the reply's CGROUP_ROOT. A file that cannot be read leaves its
 * column "-", as a unit without the controller. 0 (also when the
 * reply names no root: initd without cgroups, or an older one), or -errno
 * with nothing filled: -EINVAL for a relative root or no CGROUP_ROOT_ID,
 * -ENOMEDIUM when the path is not a cgroup2 directory here (svctl in a
 * mount namespace of its own), -EXDEV when it is another cgroup than
 * initd's root (not CGROUP_ROOT_ID), or open(2)'s. */
int cgstat_fill(const void *payload, size_t len, struct unit_status *u, size_t n,
		uint32_t want);

/* The reply's CGROUP_ROOT, opened and checked as cgstat_fill does: an
 * fd, -ENODATA when the reply names none, or cgstat_fill's -errno. */
int cgstat_root_open(const void *payload, size_t len);

/* FILE of the cgroup cg (below root_fd; "" the root itself), NUL-ended,
 * in one read: 0 or -errno. */
int cgstat_read(int root_fd, const char *cg, const char *file, char buf[CGSTAT_FILE_MAX]);

/* The same below root_fd, any directory (the tests' tree), on at most
 * threads threads (the caller's one of them). */
void cgstat_fill_at(int root_fd, struct unit_status *u, size_t n, unsigned threads,
		   uint32_t want);

#endif
