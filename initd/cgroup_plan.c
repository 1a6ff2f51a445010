/* cgroup_plan.c — see cgroup_plan.h. */
#include "initd/cgroup_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/log.h"

#define PATH_MAX_CG (UNIT_SLICE_DEPTH * (UNIT_NAME_MAX + 1) + UNIT_NAME_MAX + 16)

/* Index of the slice with this path (the first len bytes of it), or -1. */
static ssize_t slice_index(const struct cgroup_plan *p, const char *path, size_t len)
{
	size_t lo = 0, hi = p->n_slices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = p->slice_path[mid];
		int d = strncmp(path, s, len);

		if (d == 0)
			d = s[len] ? -1 : 0;
		if (d == 0)
			return (ssize_t)mid;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Call fn for the slice made of the first len bytes of path and each of
 * its ancestors, innermost first. */
static void slice_chain(const struct cgroup_plan *p, const char *path, size_t len,
			void (*fn)(const struct cgroup_plan *p, size_t i, void *data), void *data)
{
	while (len > 0) {
		ssize_t i = slice_index(p, path, len);
		const char *slash;

		if (i >= 0)
			fn(p, (size_t)i, data);
		slash = memrchr(path, '/', len);
		len = slash ? (size_t)(slash - path) : 0;
	}
}

static void add_needs(const struct cgroup_plan *p, size_t i, void *data)
{
	*(uint32_t *)data |= p->slice_needs[i];
}

static void add_subtree(const struct cgroup_plan *p, size_t i, void *data)
{
	p->slice_subtree[i] |= *(uint32_t *)data;
}

static const char *unit_slice(const struct unit *u)
{
	return u->cgroup.slice ? u->cgroup.slice : "system";
}

static uint32_t unit_own_needs(const struct unit *u)
{
	return unit_limits_controllers(&u->cgroup.limits) | u->cgroup.subtree_control;
}

uint32_t cgroup_plan_unit_needs(const struct cgroup_plan *p, const struct unit *u)
{
	uint32_t mask = unit_own_needs(u);

	slice_chain(p, unit_slice(u), strlen(unit_slice(u)), add_needs, &mask);
	return mask;
}

/* mask must be enabled in the slice made of the first len bytes of parent
 * (the root when len is 0) and in every ancestor of it. */
static void plan_need(struct cgroup_plan *p, const char *parent, size_t len, uint32_t mask)
{
	mask &= p->available;
	p->root_subtree |= mask;
	slice_chain(p, parent, len, add_subtree, &mask);
}

static int plan_copy_slices(struct cgroup_plan *p, const struct initd_conf *conf)
{
	p->slice_path = calloc(conf->n_slices + 1, sizeof(*p->slice_path));
	p->slice_needs = calloc(conf->n_slices + 1, sizeof(*p->slice_needs));
	p->slice_subtree = calloc(conf->n_slices + 1, sizeof(*p->slice_subtree));
	p->slice_problem = calloc(conf->n_slices + 1, sizeof(*p->slice_problem));
	if (!p->slice_path || !p->slice_needs || !p->slice_subtree || !p->slice_problem)
		return -ENOMEM;
	for (size_t i = 0; i < conf->n_slices; i++, p->n_slices++) {
		p->slice_path[i] = strdup(conf->slices[i].path);
		if (!p->slice_path[i])
			return -ENOMEM;
		p->slice_needs[i] = unit_limits_controllers(&conf->slices[i].limits);
	}
	return 0;
}

int cgroup_plan_build(const struct unit_set *set, uint32_t available, struct cgroup_plan **ret)
{
	struct cgroup_plan *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->available = available;
	if (plan_copy_slices(p, &set->conf) < 0) {
		cgroup_plan_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_slices; i++) {
		const char *path = p->slice_path[i], *slash = strrchr(path, '/');
		plan_need(p, path, slash ? (size_t)(slash - path) : 0, p->slice_needs[i]);
	}
	for (size_t i = 0; i < set->n_units; i++) {
		const struct unit *u = set->units[i];
		if (!u->bad)
			plan_need(p, unit_slice(u), strlen(unit_slice(u)), unit_own_needs(u));
	}
	*ret = p;
	return 0;
}

void cgroup_plan_free(struct cgroup_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->slice_path && i < p->n_slices; i++)
		free(p->slice_path[i]);
	free(p->slice_path);
	free(p->slice_needs);
	free(p->slice_subtree);
	free(p->slice_problem);
	free(p);
}

/* Keeps the outermost slice with a problem (the chain runs inside out). */
static void find_problem(const struct cgroup_plan *p, size_t i, void *data)
{
	if (p->slice_problem[i][0])
		*(ssize_t *)data = (ssize_t)i;
}

const char *cgroup_plan_unit_problem(const struct cgroup_plan *p, const struct unit *u,
				     char *buf, size_t size)
{
	uint32_t missing = cgroup_plan_unit_needs(p, u) & ~p->available;
	ssize_t slice = -1;
	char names[128];

	if (missing) {
		cgroup_controllers_format(missing, "", names, sizeof(names));
		snprintf(buf, size, "no %s controller in this kernel", names);
		return buf;
	}
	slice_chain(p, unit_slice(u), strlen(unit_slice(u)), find_problem, &slice);
	if (slice < 0)
		return NULL;
	snprintf(buf, size, "slice %s: %s", p->slice_path[slice], p->slice_problem[slice]);
	return buf;
}

/* ---- applying ------------------------------------------------------------------ */

/* Enable each controller of mask in dir_fd's cgroup.subtree_control, one
 * at a time so that one refusal does not hide the others. Returns the
 * controllers refused; the first error goes into problem. */
static uint32_t enable_controllers(int dir_fd, uint32_t mask, char *problem, size_t size)
{
	uint32_t refused = 0;

	for (int c = 0; c < UNIT_CONTROLLER_MAX; c++) {
		char word[32];
		int r;

		if (!(mask & UNIT_CONTROLLER_BIT(c)))
			continue;
		snprintf(word, sizeof(word), "+%s", unit_controller_to_string((enum unit_controller)c));
		r = cgroup_write_file(dir_fd, "cgroup.subtree_control", word);
		if (r < 0 && !refused && problem)
			snprintf(problem, size, "cgroup.subtree_control %s: %s", word, strerror(-r));
		if (r < 0)
			refused |= UNIT_CONTROLLER_BIT(c);
	}
	return refused;
}

/* The parent's problem, if any, makes the slice unusable too. */
static bool inherit_problem(struct cgroup_plan *p, size_t i)
{
	const char *path = p->slice_path[i], *slash = strrchr(path, '/');
	ssize_t parent = slash ? slice_index(p, path, (size_t)(slash - path)) : -1;

	if (parent < 0 || !p->slice_problem[parent][0])
		return false;
	snprintf(p->slice_problem[i], CGROUP_PROBLEM_MAX, "in slice %s", p->slice_path[parent]);
	return true;
}

static void apply_slice(struct cgroup_plan *p, const struct initd_conf *conf, size_t i, int root_fd)
{
	const struct unit_slice *s = &conf->slices[i];
	char *problem = p->slice_problem[i];
	_cleanup_close_ int fd = -1;
	const char *file = NULL;
	int r;

	if (inherit_problem(p, i))
		return;
	if (mkdirat(root_fd, s->path, 0755) < 0 && errno != EEXIST) {
		snprintf(problem, CGROUP_PROBLEM_MAX, "mkdir: %s", strerror(errno));
		return;
	}
	fd = openat(root_fd, s->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(problem, CGROUP_PROBLEM_MAX, "open: %s", strerror(errno));
		return;
	}
	r = cgroup_limits_write(fd, &s->limits, &file);
	if (r < 0) {
		snprintf(problem, CGROUP_PROBLEM_MAX, "%s: %s", file, strerror(-r));
		return;
	}
	enable_controllers(fd, p->slice_subtree[i] & p->available, problem, CGROUP_PROBLEM_MAX);
}

void cgroup_plan_apply(struct cgroup_plan *p, const struct unit_set *set, int root_fd)
{
	const struct initd_conf *conf = &set->conf;
	char names[128], problem[CGROUP_PROBLEM_MAX] = "";
	uint32_t refused = enable_controllers(root_fd, p->root_subtree & p->available, problem,
					      sizeof(problem));

	if (refused) {
		log_error("cgroup: the root refused %s (%s); units that need them fail",
			  cgroup_controllers_format(refused, "", names, sizeof(names)), problem);
		p->available &= ~refused;
	}
	for (size_t i = 0; i < conf->n_slices; i++) {   /* sorted: parents first */
		apply_slice(p, conf, i, root_fd);
		if (p->slice_problem[i][0] && strncmp(p->slice_problem[i], "in slice ", 9) != 0)
			log_error("cgroup: slice %s: %s; its units fail", conf->slices[i].path,
				  p->slice_problem[i]);
	}
}

/* ---- one service ------------------------------------------------------------------ */

/* mkdir -p PATH below root_fd; *ret_fd opens it. */
static int open_path(int root_fd, const char *path, int *ret_fd)
{
	char buf[PATH_MAX_CG], *save = NULL;
	int dir = root_fd, r = 0;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = strtok_r(buf, "/", &save); p && r == 0; p = strtok_r(NULL, "/", &save)) {
		int next;
		r = cgroup_mkdir_open(dir, p, &next);
		if (dir != root_fd)
			close(dir);
		dir = r == 0 ? next : -1;
	}
	if (r == 0 && dir == root_fd)
		return -EINVAL;
	if (r == 0)
		*ret_fd = dir;
	return r;
}

/* Give the delegated node to uid (cgroup-v2.rst, "Delegation"). */
static int delegate_to(int node_fd, uid_t uid, gid_t gid, char *problem, size_t size)
{
	static const char *const files[] = { "cgroup.procs", "cgroup.threads",
					     "cgroup.subtree_control" };

	if (fchown(node_fd, uid, gid) < 0) {
		snprintf(problem, size, "chown: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (fchownat(node_fd, files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
			int r = -errno;
			snprintf(problem, size, "chown %s: %s", files[i], strerror(errno));
			return r;
		}
	}
	return 0;
}

static int open_delegated(const struct unit *u, int node_fd, uid_t uid, gid_t gid, int *ret_leaf,
			  char *problem, size_t size)
{
	char names[128];
	uint32_t refused;
	int r;

	r = cgroup_mkdir_open(node_fd, CGROUP_LEAF_NAME, ret_leaf);
	if (r < 0) {
		snprintf(problem, size, "mkdir %s: %s", CGROUP_LEAF_NAME, strerror(-r));
		return r;
	}
	refused = enable_controllers(node_fd, u->cgroup.subtree_control, NULL, 0);
	if (refused) {
		snprintf(problem, size, "cgroup.subtree_control: cannot enable %s",
			 cgroup_controllers_format(refused, "", names, sizeof(names)));
		*ret_leaf = safe_close(*ret_leaf);
		return -EIO;
	}
	r = uid != (uid_t)-1 ? delegate_to(node_fd, uid, gid, problem, size) : 0;
	if (r < 0)
		*ret_leaf = safe_close(*ret_leaf);
	return r;
}

int cgroup_plan_open_service(const struct unit *u, int root_fd, uid_t uid, gid_t gid,
			     int *ret_node, int *ret_leaf, char *problem, size_t size)
{
	char path[PATH_MAX_CG];
	const char *file = NULL;
	int node = -1, leaf = -1, r;

	snprintf(path, sizeof(path), "%s/%s", u->cgroup.slice ? u->cgroup.slice : "system", u->name);
	r = open_path(root_fd, path, &node);
	if (r < 0) {
		snprintf(problem, size, "mkdir %s: %s", path, strerror(-r));
		return r;
	}
	r = cgroup_limits_write(node, &u->cgroup.limits, &file);
	if (r < 0)
		snprintf(problem, size, "%s: %s", file, strerror(-r));
	else if (u->cgroup.subtree_control)
		r = open_delegated(u, node, uid, gid, &leaf, problem, size);
	if (r < 0) {
		close(node);
		return r;
	}
	*ret_node = node;
	*ret_leaf = leaf;
	return 0;
}
