/* commands_cgroup.c — the cgroup parts of the control replies: a service's
 * statistics in its SERVICE attribute (a status of named units), the
 * cgroup root below which svctl reads a listing's files itself, and the
 * `tree` request (every node of the cgroup tree with its limits, parents
 * first; svctl reads each node's cgroup.subtree_control). Limits are the
 * ones initd wrote, in the form it wrote them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/commands.h"

/* a service's leaf, and a file name below it */
#define PATH_SIZE (UNIT_CGROUP_PATH_MAX + 64)

static void put_u64_if(struct proto_buf *b, const struct cgroup_stats *st, enum cgroup_stat bit,
		       uint16_t attr, uint64_t v)
{
	if (st->have & CGROUP_STAT_BIT(bit))
		proto_put_u64(b, attr, v);
}

static void put_psi(struct proto_buf *b, const struct cgroup_stats *st, enum cgroup_stat bit,
		    uint16_t some, uint16_t full, const struct cgroup_psi *p)
{
	if (!(st->have & CGROUP_STAT_BIT(bit)))
		return;
	proto_put_u32(b, some, p->some_avg10);
	proto_put_u32(b, full, p->full_avg10);
}

void commands_put_cgroup_root(struct commands *cmds, struct proto_buf *b)
{
	const struct cgroup_tree *cg = manager_cgroup_tree(cmds->manager);

	if (cg) {
		proto_put_str(b, PROTO_ATTR_CGROUP_ROOT, cg->root);
		proto_put_u64(b, PROTO_ATTR_CGROUP_ROOT_ID, cg->root_id);
	}
}

void commands_put_cgroup_path(struct commands *cmds, struct proto_buf *b, struct service *s)
{
	char cg[UNIT_CGROUP_PATH_MAX + 1];

	if (manager_cgroup_path(cmds->manager, s, cg, sizeof(cg)))
		proto_put_str(b, PROTO_ATTR_CGROUP, cg);
}

void commands_put_cgroup_stats(struct commands *cmds, struct proto_buf *b, struct service *s)
{
	struct cgroup_stats st;

	if (manager_cgroup_stats(cmds->manager, s, &st) < 0)
		return;
	put_u64_if(b, &st, CGROUP_STAT_MEM_CURRENT, PROTO_ATTR_MEM_CURRENT, st.mem_current);
	put_u64_if(b, &st, CGROUP_STAT_MEM_PEAK, PROTO_ATTR_MEM_PEAK, st.mem_peak);
	put_u64_if(b, &st, CGROUP_STAT_MEM_MAX, PROTO_ATTR_MEM_MAX, st.mem_max);
	put_u64_if(b, &st, CGROUP_STAT_PIDS_CURRENT, PROTO_ATTR_PIDS_CURRENT, st.pids_current);
	put_u64_if(b, &st, CGROUP_STAT_PIDS_MAX, PROTO_ATTR_PIDS_MAX, st.pids_max);
	put_u64_if(b, &st, CGROUP_STAT_PIDS_EVENTS, PROTO_ATTR_PIDS_EVENTS, st.pids_events);
	put_u64_if(b, &st, CGROUP_STAT_CPU_USAGE, PROTO_ATTR_CPU_USAGE_USEC, st.cpu_usage_usec);
	if (st.have & CGROUP_STAT_BIT(CGROUP_STAT_CPU_THROTTLING)) {
		proto_put_u64(b, PROTO_ATTR_CPU_NR_PERIODS, st.cpu_nr_periods);
		proto_put_u64(b, PROTO_ATTR_CPU_NR_THROTTLED, st.cpu_nr_throttled);
		proto_put_u64(b, PROTO_ATTR_CPU_THROTTLED_USEC, st.cpu_throttled_usec);
	}
	put_psi(b, &st, CGROUP_STAT_PSI_CPU, PROTO_ATTR_PSI_CPU_SOME, PROTO_ATTR_PSI_CPU_FULL,
		&st.psi_cpu);
	put_psi(b, &st, CGROUP_STAT_PSI_MEMORY, PROTO_ATTR_PSI_MEM_SOME, PROTO_ATTR_PSI_MEM_FULL,
		&st.psi_memory);
	put_psi(b, &st, CGROUP_STAT_PSI_IO, PROTO_ATTR_PSI_IO_SOME, PROTO_ATTR_PSI_IO_FULL,
		&st.psi_io);
	put_u64_if(b, &st, CGROUP_STAT_OOM_KILLS, PROTO_ATTR_OOM_KILLS, st.oom_kills);
}

/* ---- tree ------------------------------------------------------------------------- */

static void put_limits(struct proto_buf *b, const struct unit_limits *l)
{
	_cleanup_free_ struct cgroup_setting *s = calloc(CGROUP_SETTINGS_MAX, sizeof(*s));
	char line[CGROUP_VALUE_MAX + 32];
	size_t n;

	if (!s) {
		b->error = b->error ? b->error : -ENOMEM;
		return;
	}
	n = cgroup_limits_settings(l, s);
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s %s", s[i].file, s[i].value);
		proto_put_str(b, PROTO_ATTR_LIMIT, line);
	}
}

/* A node's path and kind. Its cgroup.subtree_control is svctl's to read
 * (svctl/tree.c), below the root the reply names: PID 1 reads no file a
 * node. */
static void put_node_head(struct proto_buf *b, const char *path, const char *kind)
{
	proto_nest_begin(b, PROTO_ATTR_NODE);
	proto_put_str(b, PROTO_ATTR_PATH, path);
	proto_put_str(b, PROTO_ATTR_KIND, kind);
}

static void put_root(struct proto_buf *b, const struct cgroup_tree *t)
{
	char line[300];

	put_node_head(b, "", "root");
	snprintf(line, sizeof(line), "cgroup.controllers %s", t->controllers);
	proto_put_str(b, PROTO_ATTR_LIMIT, line);
	proto_nest_end(b);
}

static void put_slice(struct proto_buf *b, const struct manager *m, const struct unit_slice *sl)
{
	const char *problem = manager_cgroup_slice_problem(m, sl->path);

	put_node_head(b, sl->path, "slice");
	put_limits(b, &sl->limits);
	if (problem)
		proto_put_str(b, PROTO_ATTR_MESSAGE, problem);
	proto_nest_end(b);
}

static void put_service_node(struct commands *cmds, struct proto_buf *b, struct service *s)
{
	const struct unit *u = s->unit;
	char path[PATH_SIZE], reason[256];

	if (!manager_cgroup_path(cmds->manager, s, path, sizeof(path))) {
		/* no cgroup (failed to set up): shown with why */
		unit_cgroup_path(u, path, sizeof(path));
		proto_nest_begin(b, PROTO_ATTR_NODE);
		proto_put_str(b, PROTO_ATTR_PATH, path);
		proto_put_str(b, PROTO_ATTR_KIND, "service");
		/* its directory may be left (a write failed after the mkdir):
		 * what it holds is not initd's */
		proto_put_flag(b, PROTO_ATTR_NO_CGROUP);
	} else {
		put_node_head(b, path, "service");
	}
	proto_put_str(b, PROTO_ATTR_NAME, u->name);
	proto_put_str(b, PROTO_ATTR_STATE, manager_state_name(cmds->manager, s));   /* as status */
	put_limits(b, &u->opt->limits);
	if (s->last_exit.kind == EXIT_CGROUP)
		proto_put_str(b, PROTO_ATTR_MESSAGE,
			      service_exit_to_string(s, &s->last_exit, reason, sizeof(reason)));
	proto_nest_end(b);
	if (u->cgroup.subtree_control && !u->bad && s->last_exit.kind != EXIT_CGROUP) {
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", CGROUP_LEAF_NAME);
		put_node_head(b, path, "leaf");
		proto_nest_end(b);
	}
}

static bool in_slice(const struct service *s, const char *slice)
{
	return strcmp(unit_slice(s->unit), slice) == 0;
}

int commands_tree(struct commands *cmds, struct proto_buf *reply)
{
	const struct cgroup_tree *t = manager_cgroup_tree(cmds->manager);
	const struct unit_set *set = manager_set(cmds->manager);
	int r;

	if (!t || !set) {
		proto_msg_begin(reply, PROTO_REPLY_ERROR);
		proto_put_u32(reply, PROTO_ATTR_ERRNO, ENODEV);
		proto_put_str(reply, PROTO_ATTR_MESSAGE, "initd runs without a cgroup2 hierarchy");
		return proto_msg_end(reply);
	}
	proto_msg_begin(reply, PROTO_REPLY_OK);
	commands_put_cgroup_root(cmds, reply);
	put_root(reply, t);
	for (size_t i = 0; i < set->conf.n_slices; i++) {
		put_slice(reply, cmds->manager, &set->conf.slices[i]);
		for (size_t k = 0; k < manager_count(cmds->manager); k++) {
			struct service *s = manager_service_at(cmds->manager, k);
			if (!s->unit->bad && in_slice(s, set->conf.slices[i].path))
				put_service_node(cmds, reply, s);
		}
	}
	r = proto_msg_end(reply);
	if (r < 0) {
		proto_msg_begin(reply, PROTO_REPLY_ERROR);
		proto_put_u32(reply, PROTO_ATTR_ERRNO, (uint32_t)-r);
		proto_put_str(reply, PROTO_ATTR_MESSAGE, "tree reply too large");
		return proto_msg_end(reply);
	}
	return 0;
}
