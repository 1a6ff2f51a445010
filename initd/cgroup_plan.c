/* cgroup_plan.c — see cgroup_plan.h. */
#include "initd/cgroup_plan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/log.h"


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

static uint32_t unit_own_needs(const struct unit *u)
{
	return unit_limits_controllers(&u->opt->limits) | u->cgroup.subtree_control;
}

/* memory and pids in every leaf's parent unless initd.conf's
 * default_accounting is off: so `svctl status` shows every unit's memory
 * (as systemd's DefaultMemoryAccounting). Only what the kernel has. */
static uint32_t default_needs(const struct initd_conf *conf)
{
	if (!conf->default_accounting)
		return 0;
	return UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_MEMORY) | UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_PIDS);
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
	p->slice_stale = calloc(conf->n_slices + 1, sizeof(*p->slice_stale));
	if (!p->slice_path || !p->slice_needs || !p->slice_subtree || !p->slice_problem ||
	    !p->slice_stale)
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
			plan_need(p, unit_slice(u), strlen(unit_slice(u)),
				  unit_own_needs(u) | default_needs(&set->conf));
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
	free(p->slice_stale);
	for (size_t i = 0; p->gone_path && i < p->n_gone; i++)
		free(p->gone_path[i]);
	free(p->gone_path);
	free(p->gone_subtree);
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

/* One write for every controller of mask: one walk of the subtree and, on a
 * node holding processes (the root), one take of the kernel's threadgroup
 * lock instead of one per controller (issue 19). */
static int enable_all(int dir_fd, uint32_t mask)
{
	char line[32 * UNIT_CONTROLLER_MAX];
	size_t n = 0;

	for (int c = 0; c < UNIT_CONTROLLER_MAX; c++)
		if (mask & UNIT_CONTROLLER_BIT(c))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s+%s", n ? " " : "",
					      unit_controller_to_string((enum unit_controller)c));
	return n ? cgroup_write_file(dir_fd, "cgroup.subtree_control", line) : 0;
}

/* A directory stream on name below dir_fd, or NULL. */
static DIR *dir_below(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !d)
		close(fd);
	return d;
}

static bool child_has(DIR *c, const char *ctrl, char *name, size_t size)
{
	size_t len = strlen(ctrl);
	struct dirent *f;

	while ((f = readdir(c)))
		if (f->d_type == DT_DIR && strncmp(f->d_name, ctrl, len) == 0 &&
		    f->d_name[len] == '.') {
			snprintf(name, size, "%s", f->d_name);
			return true;
		}
	return false;
}

/* EEXIST enabling ctrl on dir_fd: a child node already holds a cgroup
 * named like one of ctrl's files ("cpu.max"), where the kernel would add
 * the file. Only a delegated subtree can make one. Its path into out,
 * "CHILD/NAME", so that the problem names it. */
static bool ctrl_name_taken(int dir_fd, const char *ctrl, char *out, size_t size)
{
	DIR *d = dir_below(dir_fd, ".");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char name[NAME_MAX + 1];
		DIR *c;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || !(c = dir_below(dirfd(d), e->d_name)))
			continue;
		found = child_has(c, ctrl, name, sizeof(name));
		if (found)
			snprintf(out, size, "%s/%s", e->d_name, name);
		closedir(c);
	}
	if (d)
		closedir(d);
	return found;
}

/* Enable the controllers of mask in dir_fd's cgroup.subtree_control: all
 * at once first; when that fails, one at a time, so that one refusal does
 * not hide the others. Returns the controllers refused; the first error
 * goes into problem. */
static uint32_t enable_controllers(int dir_fd, uint32_t mask, char *problem, size_t size)
{
	uint32_t refused = 0;

	if (enable_all(dir_fd, mask) == 0)
		return 0;
	for (int c = 0; c < UNIT_CONTROLLER_MAX; c++) {
		char word[32];
		int r;

		if (!(mask & UNIT_CONTROLLER_BIT(c)))
			continue;
		snprintf(word, sizeof(word), "+%s", unit_controller_to_string((enum unit_controller)c));
		r = cgroup_write_file(dir_fd, "cgroup.subtree_control", word);
		if (r < 0 && !refused && problem) {
			char taken[2 * NAME_MAX + 2];

			if (r == -EEXIST && ctrl_name_taken(dir_fd, word + 1, taken, sizeof(taken)))
				snprintf(problem, size, "cgroup.subtree_control %.10s: %.48s takes "
					 "a file's name (a delegated cgroup)", word, taken);
			else
				snprintf(problem, size, "cgroup.subtree_control %s: %s", word,
					 strerror(-r));
		}
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

/* The slice at path in conf, or NULL. */
static const struct unit_slice *conf_slice(const struct initd_conf *conf, const char *path)
{
	for (size_t i = 0; conf && i < conf->n_slices; i++)
		if (strcmp(conf->slices[i].path, path) == 0)
			return &conf->slices[i];
	return NULL;
}

static void apply_slice(struct cgroup_plan *p, const struct initd_conf *conf,
			const struct initd_conf *prev, size_t i, int root_fd)
{
	const struct unit_slice *s = &conf->slices[i], *was = conf_slice(prev, s->path);
	char *problem = p->slice_problem[i];
	_cleanup_close_ int fd = -1;
	const char *file = NULL;
	int r;

	bool existed = false;

	if (inherit_problem(p, i))
		return;
	if (mkdirat(root_fd, s->path, 0755) < 0) {
		if (errno != EEXIST) {
			snprintf(problem, CGROUP_PROBLEM_MAX, "mkdir: %s", strerror(errno));
			return;
		}
		existed = true;
	}
	fd = openat(root_fd, s->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(problem, CGROUP_PROBLEM_MAX, "open: %s", strerror(errno));
		return;
	}
	/* First what an earlier text set and this one no longer does: the
	 * last text's keys, or (a slice that was there, but not in the last
	 * text: dropped by an earlier reload, not yet pruned) all of them.
	 * Best effort: the limits this text declares matter more. */
	if ((was || existed) &&
	    (r = cgroup_limits_reset(fd, was ? &was->limits : NULL, &s->limits, &file)) < 0)
		log_warn("cgroup: slice %s: cannot reset %s: %s", s->path, file, strerror(-r));
	r = cgroup_limits_write(fd, &s->limits, &file);
	if (r < 0) {
		snprintf(problem, CGROUP_PROBLEM_MAX, "%s: %s", file, strerror(-r));
		return;
	}
	enable_controllers(fd, p->slice_subtree[i] & p->available, problem, CGROUP_PROBLEM_MAX);
}

void cgroup_plan_apply(struct cgroup_plan *p, const struct unit_set *set,
		       const struct unit_set *prev, int root_fd)
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
		apply_slice(p, conf, prev ? &prev->conf : NULL, i, root_fd);
		if (p->slice_problem[i][0] && strncmp(p->slice_problem[i], "in slice ", 9) != 0)
			log_error("cgroup: slice %s: %s; its units fail", conf->slices[i].path,
				  p->slice_problem[i]);
	}
}

/* ---- pruning after a reload ------------------------------------------------------ */

/* A slice of an earlier plan that enabled `enabled` in it: p's to undo.
 * Old's slices and old's gone ones never overlap, so no path comes twice. */
static int inherit_slice(struct cgroup_plan *p, const char *path, uint32_t enabled)
{
	ssize_t i = slice_index(p, path, strlen(path));

	if (i >= 0) {
		p->slice_stale[i] |= enabled & ~p->slice_subtree[i];
		return 0;
	}
	if (p->n_gone == CGROUP_GONE_MAX)
		return 0;   /* left in place */
	p->gone_path[p->n_gone] = strdup(path);
	if (!p->gone_path[p->n_gone])
		return -ENOMEM;
	p->gone_subtree[p->n_gone++] = enabled;
	return 0;
}

int cgroup_plan_inherit(struct cgroup_plan *p, const struct cgroup_plan *old)
{
	size_t n = old->n_slices + old->n_gone;
	int r = 0;

	if (n > CGROUP_GONE_MAX)
		n = CGROUP_GONE_MAX;
	p->gone_path = calloc(n + 1, sizeof(*p->gone_path));
	p->gone_subtree = calloc(n + 1, sizeof(*p->gone_subtree));
	if (!p->gone_path || !p->gone_subtree)
		return -ENOMEM;
	p->root_stale = ((old->root_subtree & old->available) | old->root_stale) & ~p->root_subtree;
	for (size_t i = 0; i < old->n_slices && r == 0; i++)
		r = inherit_slice(p, old->slice_path[i],
				  (old->slice_subtree[i] & old->available) | old->slice_stale[i]);
	for (size_t i = 0; i < old->n_gone && r == 0; i++)
		r = inherit_slice(p, old->gone_path[i], old->gone_subtree[i]);
	return r;
}

static unsigned path_depth(const char *path)
{
	unsigned d = 1;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* Write "-CTRL" for each controller of *mask; done ones leave *mask, EBUSY
 * ones stay, others are logged and dropped. */
static void disable_controllers(int dir_fd, const char *node, uint32_t *mask)
{
	for (int c = 0; c < UNIT_CONTROLLER_MAX; c++) {
		const char *name = unit_controller_to_string((enum unit_controller)c);
		char word[32];
		int r;

		if (!(*mask & UNIT_CONTROLLER_BIT(c)))
			continue;
		snprintf(word, sizeof(word), "-%s", name);
		r = cgroup_write_file(dir_fd, "cgroup.subtree_control", word);
		if (r == -EBUSY)
			continue;   /* a child still uses it: next time */
		if (r < 0)
			log_warn("cgroup: %s: cannot disable %s: %s", node, name, strerror(-r));
		*mask &= ~UNIT_CONTROLLER_BIT(c);
	}
}

static void prune_slice(struct cgroup_plan *p, size_t i, int root_fd)
{
	_cleanup_close_ int fd = openat(root_fd, p->slice_path[i],
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("cgroup: slice %s: open: %s", p->slice_path[i], strerror(errno));
		p->slice_stale[i] = 0;
		return;
	}
	disable_controllers(fd, p->slice_path[i], &p->slice_stale[i]);
}

/* true when the slice is gone (or given up), false while it is busy. */
static bool prune_gone(const struct cgroup_plan *p, size_t k, int root_fd)
{
	if (unlinkat(root_fd, p->gone_path[k], AT_REMOVEDIR) == 0 || errno == ENOENT)
		return true;
	if (errno == EBUSY || errno == ENOTEMPTY)
		return false;   /* a node (or process) is still in it: next time */
	log_warn("cgroup: cannot remove slice %s: %s", p->gone_path[k], strerror(errno));
	return true;
}

static bool plan_prune_pending(const struct cgroup_plan *p)
{
	if (p->root_stale || p->n_gone)
		return true;
	for (size_t i = 0; i < p->n_slices; i++)
		if (p->slice_stale[i])
			return true;
	return false;
}

size_t cgroup_plan_prune(struct cgroup_plan *p, int root_fd)
{
	size_t left = 0, k = 0;

	if (!plan_prune_pending(p))
		return 0;
	for (unsigned d = UNIT_SLICE_DEPTH; d > 0; d--) {   /* deepest first */
		for (size_t g = 0; g < p->n_gone; g++)
			if (p->gone_path[g] && path_depth(p->gone_path[g]) == d &&
			    prune_gone(p, g, root_fd)) {
				free(p->gone_path[g]);
				p->gone_path[g] = NULL;
			}
		for (size_t i = 0; i < p->n_slices; i++)
			if (p->slice_stale[i] && path_depth(p->slice_path[i]) == d)
				prune_slice(p, i, root_fd);
	}
	disable_controllers(root_fd, "the root", &p->root_stale);
	for (size_t g = 0; g < p->n_gone; g++)
		if (p->gone_path[g]) {
			p->gone_subtree[k] = p->gone_subtree[g];
			p->gone_path[k++] = p->gone_path[g];
		}
	p->n_gone = k;
	for (size_t i = 0; i < p->n_slices; i++)
		left += p->slice_stale[i] != 0;
	return left + k + (p->root_stale != 0);
}

/* ---- one service ------------------------------------------------------------------ */

/* mkdir -p PATH below root_fd; *ret_fd opens it. Returns 1 when its last
 * component was made by this call (a new cgroup: every counter in its
 * *.events is 0), 0 when it was there (or a missing parent was made on
 * the way). The slices are made by cgroup_plan_apply before any service's
 * node, so a spawn makes and opens one directory: the walk is only for a
 * parent removed since (issue 19: no work per unit that is done once). */
static int open_path(int root_fd, const char *path, int *ret_fd)
{
	char buf[CGROUP_PATH_MAX], *save = NULL;
	int dir = root_fd, made, r = 0;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	made = mkdirat(root_fd, path, 0755) == 0;
	if (made || errno == EEXIST) {
		dir = openat(root_fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir < 0)
			return -errno;
		*ret_fd = dir;
		return made;
	}
	if (errno != ENOENT)
		return -errno;
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

/* Bound the subtree the service may build (before it is handed over: the
 * node's own cgroup.max.* stay root's, and the kernel applies every
 * ancestor's bounds to what the service makes below). */
static int delegate_bound(const struct unit *u, int node_fd, char *problem, size_t size)
{
	const struct { const char *file; uint32_t value; } bounds[] = {
		{ "cgroup.max.depth", u->cgroup.delegate_max_depth },
		{ "cgroup.max.descendants", u->cgroup.delegate_max_descendants },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bounds); i++) {
		char v[16];
		int r;

		snprintf(v, sizeof(v), "%u", bounds[i].value);
		r = cgroup_write_file(node_fd, bounds[i].file, v);
		if (r < 0) {
			snprintf(problem, size, "%s: %s", bounds[i].file, strerror(-r));
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

	r = delegate_bound(u, node_fd, problem, size);
	if (r < 0)
		return r;
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
	/* main too: the subtree is the service's, and a process it moved out
	 * of main must be able to go back (the destination's cgroup.procs). */
	r = uid != (uid_t)-1 ? delegate_to(node_fd, uid, gid, problem, size) : 0;
	if (r == 0 && uid != (uid_t)-1)
		r = delegate_to(*ret_leaf, uid, gid, problem, size);
	if (r < 0)
		*ret_leaf = safe_close(*ret_leaf);
	return r;
}

/* A node that was there already: a reload's new unit taking the node of
 * its old one, which a process still held, or one an earlier text left.
 * What this unit does not declare goes back to the kernel's default, so
 * the node holds what its text says (the writes after it only cover what
 * it declares). Best effort, as for a slice: those limits matter more. */
static void reset_found_node(const struct unit *u, int node_fd)
{
	const char *file = NULL;
	int r = cgroup_limits_reset(node_fd, NULL, &u->opt->limits, &file);

	if (r < 0)
		log_warn("%s: cannot reset %s in the cgroup it found: %s", u->name, file,
			 strerror(-r));
}

int cgroup_plan_open_service(const struct unit *u, int root_fd, uid_t uid, gid_t gid,
			     int *ret_node, int *ret_leaf, char *problem, size_t size)
{
	char path[CGROUP_PATH_MAX];
	const char *file = NULL;
	int node = -1, leaf = -1, made, r;

	unit_cgroup_path(u, path, sizeof(path));
	made = open_path(root_fd, path, &node);
	if (made < 0) {
		snprintf(problem, size, "mkdir %s: %s", path, strerror(-made));
		return made;
	}
	if (made == 0)
		reset_found_node(u, node);
	r = cgroup_limits_write(node, &u->opt->limits, &file);
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
	return made;
}
