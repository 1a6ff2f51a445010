/* cgroup_plan.h — what a unit set asks of the cgroup v2 tree, and building
 * it.
 *
 * Nodes: the root, every slice of initd.conf (`apps`, `apps/db`), and one
 * node per service (`SLICE/NAME`). A service whose unit delegates
 * (`cgroup.subtree_control`) keeps its processes in the child leaf
 * `SLICE/NAME/main`, so its node may enable controllers for the
 * sub-cgroups the service makes; every other service node is itself the
 * leaf.
 *
 * A limit needs its controller in the parent's cgroup.subtree_control, and
 * so in every ancestor's up to the root: a controller is enabled top-down
 * exactly on the path to the nodes whose limits (or delegation) need it,
 * and nowhere else. What the kernel lacks (not in the root's
 * cgroup.controllers) fails only the units that need it.
 *
 * Building the plan is pure; applying it writes below a root given as a
 * directory fd (a temporary directory in tests).
 *
 * After a reload the tree is pruned to the new plan: what an earlier plan
 * enabled that this one does not want is disabled again, and slices that
 * left initd.conf are removed once empty. A plan inherits that list from
 * its predecessor; pruning works it off, deepest nodes first, and what the
 * kernel still refuses (EBUSY: a node is not empty yet) waits for the next
 * try.
 */
#ifndef INITD_CGROUP_PLAN_H
#define INITD_CGROUP_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "initd/cgroup.h"
#include "units/unit.h"

#define CGROUP_PROBLEM_MAX 128
/* "SLICE/.../NAME" below the root, NUL included, with room to spare. */
#define CGROUP_PATH_MAX (UNIT_CGROUP_PATH_MAX + 16)
#define CGROUP_GONE_MAX UNIT_SLICE_MAX   /* slices left to remove, at most */

struct cgroup_plan {
	uint32_t available;         /* controllers of the root (cgroup.controllers),
	                             * less those the root refused to enable */
	uint32_t root_subtree;      /* the root's cgroup.subtree_control */
	size_t n_slices;            /* the slices of the set, sorted by path: */
	char **slice_path;          /* copies, so the plan outlives its set */
	uint32_t *slice_needs;      /* controllers each slice's limits need */
	uint32_t *slice_subtree;    /* each slice's cgroup.subtree_control */
	char (*slice_problem)[CGROUP_PROBLEM_MAX];   /* "" or why the slice
	                                              * could not be set up */

	/* left to prune (cgroup_plan_inherit, cgroup_plan_prune) */
	uint32_t root_stale;        /* enabled by an earlier plan, unwanted now */
	uint32_t *slice_stale;      /* the same, per slice */
	size_t n_gone;              /* slices of earlier plans not in this one: */
	char **gone_path;           /* to remove once empty */
	uint32_t *gone_subtree;     /* what an earlier plan enabled in each */
};

/* The controllers u needs above its node: its limits, its delegation, and
 * the limits of its slice and the slice's ancestors. */
uint32_t cgroup_plan_unit_needs(const struct cgroup_plan *p, const struct unit *u);

/* Compute the plan of set (good units only) given the root's controllers.
 * 0 or -ENOMEM; *ret is the caller's (cgroup_plan_free). */
int cgroup_plan_build(const struct unit_set *set, uint32_t available, struct cgroup_plan **ret);
void cgroup_plan_free(struct cgroup_plan *p);   /* accepts NULL */

/* Why u cannot get its cgroup ("no 'io' controller in this kernel",
 * "slice apps: memory.max: Invalid argument"), written into buf; NULL when
 * nothing stands in the way. */
const char *cgroup_plan_unit_problem(const struct cgroup_plan *p, const struct unit *u,
				     char *buf, size_t size);

/* Enable the root's controllers, create every slice, write its limits and
 * its cgroup.subtree_control. prev (NULL at boot) is the set applied
 * before: a limit its slice set that set's does not goes back to the
 * kernel's default. Never fails as a whole: a controller the root refuses
 * leaves `available`, a slice that cannot be set up gets its problem (and
 * its descendants theirs), each logged once. */
void cgroup_plan_apply(struct cgroup_plan *p, const struct unit_set *set,
		       const struct unit_set *prev, int root_fd);

/* Take over from old (the plan p replaces) what is left to undo: the
 * controllers old enabled (or still had to disable) in a node that p does
 * not want there, and old's slices (and slices still to remove) that p
 * does not have. At most CGROUP_GONE_MAX slices are remembered; beyond
 * that they are left in place. 0 or -ENOMEM (p is then unchanged). */
int cgroup_plan_inherit(struct cgroup_plan *p, const struct cgroup_plan *old);

/* Prune the tree below root_fd to p, deepest nodes first: write "-CTRL"
 * to the cgroup.subtree_control of each slice (and of the root) for every
 * controller left to disable there, and rmdir each slice left to remove.
 * Only nodes the plans named are touched (never init.scope, never a
 * service's node). Done work leaves p; EBUSY (still in use) stays for a
 * later call; any other error is logged once and dropped. Returns how
 * many nodes are still left: 0 when done (then a call costs nothing). */
size_t cgroup_plan_prune(struct cgroup_plan *p, int root_fd);

/* The cgroup of one service: create (or reuse) SLICE/NAME below root_fd,
 * write the unit's limits (in a node that was there, what the unit does
 * not declare is reset to the kernel's default first); for a delegating
 * unit also enable its subtree_control, create NAME/main, and, with
 * uid != (uid_t)-1, hand the node to that user (the directory and its
 * cgroup.procs, cgroup.threads, cgroup.subtree_control). *ret_node: the node (events, kill, stats);
 * *ret_leaf: where processes go, -1 when that is the node itself.
 * Returns 1 when the node was made by this call (its event counters are
 * all 0: nothing to read), 0 when it was there. On failure returns -errno
 * with the reason in problem, and no fd open. */
int cgroup_plan_open_service(const struct unit *u, int root_fd, uid_t uid, gid_t gid,
			     int *ret_node, int *ret_leaf, char *problem, size_t size);

#endif
