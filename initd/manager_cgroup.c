/* manager_cgroup.c — the manager's cgroup side: the plan of the current
 * set (cgroup_plan.h; the manager owns it, cgroup.c only does the kernel's
 * file I/O) and building the tree it asks for, each service's node and
 * leaf, and the kernel's events on them: cgroup.events (populated),
 * memory.events (oom_kill) and pids.events (max), each change seen through
 * the manager's one inotify instance (cgroup_watch.h).
 *
 * A service's node is what is killed, watched and read for statistics, so
 * a delegating service's sub-cgroups are covered too. Its processes go to
 * the node's "main" leaf when the unit delegates, else to the node. PID 1
 * keeps no fd for either: they are opened by path when used, and the event
 * files are watched through the manager's one inotify instance. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup_limits.h"
#include "initd/cgroup_watch.h"
#include "initd/cgroup_plan.h"
#include "initd/log.h"
#include "initd/manager_internal.h"
#include "initd/proc.h"
#include "initd/spawn.h"

/* ---- the node, by path ---------------------------------------------------------- */

/* PID 1 holds no fd per unit for its cgroup (the fd budget, initd(8)): the
 * node is opened by path for each use, which costs one openat. `leaf`: the
 * directory its processes go to (a delegating unit's "main"). */
static int svc_cgroup_open(struct manager *m, struct svc *v, bool leaf)
{
	char path[CGROUP_PATH_MAX + sizeof("/" CGROUP_LEAF_NAME)];
	int fd, r;

	if (!v->has_cgroup)
		return -ENOENT;
	r = unit_cgroup_path(v->s.unit, path, sizeof(path));
	if (r < 0)
		return r;
	if (leaf && v->s.unit->cgroup.subtree_control)
		strcat(path, "/" CGROUP_LEAF_NAME);
	fd = openat(m->cg.root_fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int svc_cgroup_node_open(struct manager *m, struct svc *v)
{
	return svc_cgroup_open(m, v, false);
}

int svc_cgroup_leaf_open(struct manager *m, struct svc *v)
{
	return svc_cgroup_open(m, v, true);
}

/* cgroup.kill failed with kill_err (a kernel before 5.14 has none, a node
 * may refuse the write): SIGKILL to each process the node's cgroup.procs
 * and those below it list (cgroup_signal: bounded reads of in-memory
 * files, never a wait), said with the unit's name and the kernel's
 * reason, once a unit (a kernel without cgroup.kill would say it at every
 * stop). 1 + n when n were killed (not atomic with fork: a child forked
 * meanwhile may be left, so the state machine kills again from a timer,
 * service.c SERVICE_REKILL), 1 when none is left, kill_err when neither
 * works: the state machine then kills the main process alone, or waits
 * for nothing (service.c, kill_everything). */
static int svc_cgroup_kill_each(struct svc *v, int fd, int kill_err)
{
	const char *name = v->s.unit->name;
	int n = cgroup_signal(fd, SIGKILL), populated;

	if (n < 0) {
		log_error("%s: cannot kill its cgroup: cgroup.kill: %s, cgroup.procs: %s", name,
			  strerror(-kill_err), strerror(-n));
		return kill_err;
	}
	if (!v->kill_warned)
		log_warn("%s: cgroup.kill failed (%s): %d process(es) killed one by one", name,
			 strerror(-kill_err), n);
	v->kill_warned = true;
	if (n > 0)
		return 1 + n;
	populated = cgroup_is_populated(fd);
	return populated == 0 ? 1 : kill_err;   /* none listed, yet populated: not waited for */
}

int svc_cgroup_kill(struct manager *m, struct svc *v)
{
	_cleanup_close_ int fd = svc_cgroup_open(m, v, false);
	int r;

	if (fd < 0)
		return fd == -ENOENT ? 1 : fd;
	r = cgroup_kill(fd);
	return r < 0 ? svc_cgroup_kill_each(v, fd, r) : r;
}

int svc_cgroup_signal(struct manager *m, struct svc *v, int sig)
{
	_cleanup_close_ int fd = svc_cgroup_open(m, v, false);

	return fd < 0 ? fd : cgroup_signal(fd, sig);
}

int svc_cgroup_populated(struct manager *m, struct svc *v)
{
	_cleanup_close_ int fd = svc_cgroup_open(m, v, false);

	return fd < 0 ? (fd == -ENOENT ? 0 : fd) : cgroup_is_populated(fd);
}

int svc_cgroup_procs(struct manager *m, struct svc *v, char *buf, size_t size)
{
	_cleanup_close_ int fd = svc_cgroup_open(m, v, true);

	return fd < 0 ? fd : cgroup_read_file(fd, "cgroup.procs", buf, size);
}

/* ---- events -------------------------------------------------------------------- */

/* memory.events' oom_kill in the node at fd, into v->oom_kills: 1 when it
 * grew, 0 when not (or past what 32 bits count), -errno. */
static int oom_kills_read(struct svc *v, int fd)
{
	unsigned long n = v->oom_kills;
	int r = cgroup_oom_kills(fd, &n);
	uint32_t kept = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;

	if (r == 1 && kept == v->oom_kills)
		return 0;
	v->oom_kills = kept;
	return r;
}

/* The main process is alive and not dying (proc_dying) as an OOM kill is
 * read: the kill may have taken another process of the leaf, or the main
 * process itself a moment before its SIGKILL lands (the kernel counts
 * first): service_on_oom weighs its death. In a PID namespace the main
 * process is the reaper, never the victim, and the service's own death
 * shows only as the reaper's exit 137: any kill counts there. */
static bool oom_main_alive(const struct svc *v)
{
	return v->s.pid > 0 &&
	       !(v->s.unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID)) &&
	       proc_dying(v->s.pid) == 0;
}

void svc_cgroup_poll_oom(struct svc *v, bool main_exited)
{
	unsigned long before = v->oom_kills;
	_cleanup_close_ int fd = svc_cgroup_open(v->m, v, false);
	bool alive;

	if (fd < 0 || oom_kills_read(v, fd) != 1)
		return;
	alive = !main_exited && oom_main_alive(v);
	log_warn("%s: the OOM killer killed %lu process(es) in its cgroup%s", v->s.unit->name,
		 v->oom_kills - before, alive ? "; its main process was alive" : "");
	service_on_oom(&v->s, alive);
	/* A kill that left the main process up changes no state, but it is
	 * an event the metrics_file is rewritten on: a pass ends in the
	 * pass hook, which tells the metrics (at most a write a second). */
	manager_schedule_svc(v->m, v);
}

/* Forks refused by pids.max: said once per start, counted always. */
static void svc_cgroup_poll_pids(struct svc *v)
{
	_cleanup_close_ int fd = svc_cgroup_open(v->m, v, false);
	struct svc_pids *pids = v->rare ? v->rare->pids : NULL;
	struct svc_rare *rare;
	char buf[128];
	uint64_t n;

	if (fd < 0 || cgroup_read_file(fd, "pids.events", buf, sizeof(buf)) < 0 ||
	    cgroup_keyed_value(buf, "max", &n) < 0 || n <= (pids ? pids->refused : 0))
		return;
	if (!pids || pids->refused_at < v->s.started_at)
		log_warn("%s: pids.max reached, forks refused", v->s.unit->name);
	if (!pids && (rare = svc_rare_get(v)))
		pids = rare->pids = calloc(1, sizeof(*pids));
	if (!pids)
		return;   /* memory short: said again at the next refusal */
	pids->refused = n;
	pids->refused_at = now_usec();
}

/* cgroup.events: populated (an empty node ends a run) and frozen
 * (manager_freeze.c). No cgroup: empty. */
static void svc_cgroup_events_changed(struct svc *v)
{
	bool populated = false, frozen = false;
	int r = svc_cgroup_events(v->m, v, &populated, &frozen);

	if (r < 0 && r != -ENOENT)
		return;
	if (r == 0)
		svc_freeze_seen(v, frozen);
	if (!populated)
		service_on_empty(&v->s);
}

void svc_cgroup_event(void *owner, enum cgroup_event ev)
{
	struct svc *v = owner;

	switch (ev) {
	case CGROUP_EVENT_POPULATED:
		svc_cgroup_events_changed(v);
		break;
	case CGROUP_EVENT_MEMORY:
		svc_cgroup_poll_oom(v, false);
		break;
	case CGROUP_EVENT_PIDS:
		svc_cgroup_poll_pids(v);
		break;
	default:
		break;
	}
}

/* Watch the node's event files that exist (memory.events and pids.events
 * only where their controller is enabled). */
static int svc_cgroup_watch(struct manager *m, struct svc *v)
{
	char dir[sizeof(m->cg.root) + CGROUP_PATH_MAX + 1];
	size_t n = (size_t)snprintf(dir, sizeof(dir), "%s/", m->cg.root);
	int r = unit_cgroup_path(v->s.unit, dir + n, sizeof(dir) - n);

	for (int ev = 0; r == 0 && ev < CGROUP_EVENT_MAX; ev++) {
		r = cgroup_watch_add(m->watch, dir, (enum cgroup_event)ev, v, &v->wd[ev]);
		if (r == -ENOENT)
			r = 0;
	}
	return r;
}

/* ---- one service ----------------------------------------------------------------- */

void svc_cgroup_init(struct svc *v)
{
	v->has_cgroup = false;
	for (int ev = 0; ev < CGROUP_EVENT_MAX; ev++)
		v->wd[ev] = -1;
}

void svc_close_cgroup(struct manager *m, struct svc *v)
{
	for (int ev = 0; ev < CGROUP_EVENT_MAX; ev++) {
		cgroup_watch_remove(m->watch, v->wd[ev]);
		v->wd[ev] = -1;
	}
	v->has_cgroup = false;
}

/* The unit cannot have its cgroup: the reason becomes its last exit.
 * Failing it is the caller's: svc_cgroup_check (a unit just made is born
 * failed), service_spawn (a start in progress fails with this reason),
 * service_setup_refused (a unit not started, given its leaf after a pass). */
static void svc_cgroup_refused(struct svc *v, const char *why)
{
	log_error("%s: cgroup: %s", v->s.unit->name, why);
	service_exit_set(&v->s.last_exit,
			 (struct service_exit){ .kind = EXIT_CGROUP, .at = now_usec() });
	service_exit_describe(&v->s.last_exit, "%s", why);
	v->m->escalate_dirty = true;
}

/* id of a user namespace whose map is `map`, as the host sees it: 0, or
 * -ERANGE when the map does not hold it. */
static int id_outside(const char *map, uint32_t id, uint32_t *ret)
{
	struct unit_id_range v[UNIT_ID_MAP_MAX];
	size_t n = 0;

	if (!map || unit_id_map_parse(map, v, UNIT_ID_MAP_MAX, &n) < 0)
		return -ERANGE;
	for (size_t i = 0; i < n; i++)
		if (id >= v[i].inside && id - v[i].inside < v[i].count) {
			*ret = v[i].outside + (id - v[i].inside);
			return 0;
		}
	return -ERANGE;
}

/* The owner a delegated node is given: the unit's user (and group), or
 * (uid_t)-1 for root. In a user namespace of the unit's own, its user is
 * an id in there (its root when none is named): the node goes to what the
 * host sees that id as, the process that will use it; the host's user of
 * that number would be somebody else (another unit's nobody). -ENOENT: an
 * unknown user or group; -ERANGE: an id its map does not hold. */
static int delegate_owner(struct manager *m, const struct unit *u, uid_t *uid, gid_t *gid)
{
	bool userns = u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER);
	uid_t in_uid = 0;
	gid_t in_gid = 0;
	uint32_t out_uid, out_gid;
	char home[256];
	int r = 0;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (!u->cgroup.subtree_control || (!u->user && !userns))
		return 0;
	if (u->user)
		r = spawn_lookup_user(m->opt.passwd_file, u->user, &in_uid, &in_gid, home,
				      sizeof(home), NULL, 0);
	if (r == 0 && u->group)
		r = spawn_lookup_group(m->opt.group_file, u->group, &in_gid);
	if (r < 0)
		return -ENOENT;
	if (!userns) {
		*uid = in_uid;
		*gid = in_gid;
		return 0;
	}
	if (id_outside(u->opt->iso.uid_map, in_uid, &out_uid) < 0 ||
	    id_outside(u->opt->iso.gid_map, in_gid, &out_gid) < 0)
		return -ERANGE;
	*uid = (uid_t)out_uid;
	*gid = (gid_t)out_gid;
	return 0;
}

static bool unit_has_limits(const struct unit *u)
{
	return u->opt->limits.declared || u->cgroup.subtree_control;
}

/* What the plan and the passwd file can tell, without touching the tree:
 * 0, or -EINVAL with the reason recorded (svc_cgroup_refused); *uid and
 * *gid the owner of a delegated node. */
static int svc_cgroup_plan_check(struct manager *m, struct svc *v, uid_t *uid, gid_t *gid)
{
	const struct unit *u = v->s.unit;
	char why[CGROUP_PROBLEM_MAX];
	int r;

	if (m->cgroup_plan && cgroup_plan_unit_problem(m->cgroup_plan, u, why, sizeof(why))) {
		svc_cgroup_refused(v, why);
		return -EINVAL;
	}
	r = delegate_owner(m, u, uid, gid);
	if (r < 0) {
		svc_cgroup_refused(v, r == -ERANGE ? "delegation: its user or group is not in its "
						     "user namespace's map" :
						     "delegation: unknown user or group");
		return -EINVAL;
	}
	return 0;
}

/* Without a cgroup2 hierarchy, limits cannot be had. */
static int svc_cgroup_off_check(struct svc *v)
{
	if (!unit_has_limits(v->s.unit))
		return 0;
	svc_cgroup_refused(v, "limits need a cgroup2 hierarchy");
	return -EINVAL;
}

void svc_cgroup_check(struct manager *m, struct svc *v)
{
	uid_t uid;
	gid_t gid;
	int r;

	if (v->s.unit->bad)
		return;
	r = cgroup_tree_enabled(&m->cg) ? svc_cgroup_plan_check(m, v, &uid, &gid)
					: svc_cgroup_off_check(v);
	if (r < 0)
		v->s.state = SERVICE_FAILED;   /* born failed: nothing saw it stopped */
	else
		m->leaves_pending = true;
}

int svc_open_cgroup(struct manager *m, struct svc *v, int *ret_spawn_fd)
{
	const struct unit *u = v->s.unit;
	char why[CGROUP_PROBLEM_MAX];
	int node = -1, leaf = -1, r;
	uid_t uid;
	gid_t gid;

	r = svc_cgroup_plan_check(m, v, &uid, &gid);
	if (r < 0)
		return r;
	r = cgroup_plan_open_service(u, m->cg.root_fd, uid, gid, &node, &leaf, why, sizeof(why));
	if (r < 0) {
		svc_cgroup_refused(v, why);
		return r;
	}
	/* Counted from here on: a node made just now has counted nothing. */
	if (r == 1)
		v->oom_kills = 0;
	else
		oom_kills_read(v, node);
	r = svc_cgroup_watch(m, v);
	if (r < 0) {
		/* Unwatched, a node would never say it emptied: no cgroup
		 * rather than one whose end is missed (a later start retries). */
		svc_close_cgroup(m, v);
		safe_close(leaf);
		safe_close(node);
		snprintf(why, sizeof(why), "cannot watch its cgroup.events: %s", strerror(-r));
		svc_cgroup_refused(v, why);
		return r;
	}
	v->has_cgroup = true;
	/* Where its processes go, for the spawn that made it: not opened
	 * twice. */
	if (ret_spawn_fd && leaf >= 0) {
		*ret_spawn_fd = leaf;
		leaf = -1;
	} else if (ret_spawn_fd) {
		*ret_spawn_fd = node;
		node = -1;
	}
	safe_close(leaf);
	safe_close(node);
	return 0;
}

/* The leaf fd of a service, its cgroup set up at its first spawn, made
 * anew once when it was removed behind initd's back. */
static int svc_cgroup_open_leaf(struct manager *m, struct svc *v)
{
	int fd = -1;

	if (!v->has_cgroup)
		/* on failure, its reason is recorded: service_spawn keeps it */
		return svc_open_cgroup(m, v, &fd) < 0 ? -ENODEV : fd;
	fd = svc_cgroup_open(m, v, true);
	if (fd != -ENOENT)
		return fd;
	/* Its node (or a delegating unit's "main", which the service owns)
	 * was removed behind initd's back: made anew, once. */
	log_warn("%s: its cgroup was removed; making it again", v->s.unit->name);
	svc_close_cgroup(m, v);
	return svc_open_cgroup(m, v, &fd) < 0 ? -ENODEV : fd;
}

bool svc_cgroup_may_hold(const struct manager *m, const struct svc *v)
{
	const struct unit *u = v->s.unit;

	if (!cgroup_tree_enabled(&m->cg) || !m->cgroup_plan)
		return false;
	return u->cgroup.subtree_control ||
	       (cgroup_plan_unit_needs(m->cgroup_plan, u) &
		(UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_CPU) | UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_MEMORY)));
}

int svc_spawn_cgroup_fd(struct manager *m, struct svc *v, int *ret_fd)
{
	int fd;

	if (v->s.unit->bad) {
		*ret_fd = -1;
		return 0;
	}
	if (!cgroup_tree_enabled(&m->cg)) {
		/* An operator's start of a unit failed at load for it: never
		 * run without the limits it declares. */
		*ret_fd = -1;
		return svc_cgroup_off_check(v) < 0 ? -ENODEV : 0;
	}
	fd = svc_cgroup_open_leaf(m, v);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

/* A unit the pass did not spawn and will not soon: stopped (autostart
 * false, another mode), or failed before any spawn (a dependency), but
 * not for want of its cgroup. A waiting unit gets its leaf at its spawn. */
static bool svc_idle_without_leaf(const struct svc *v)
{
	if (v->has_cgroup || v->pending_unit || v->s.unit->bad)
		return false;
	return v->s.state == SERVICE_STOPPED ||
	       (v->s.state == SERVICE_FAILED && v->s.last_exit.kind != EXIT_CGROUP);
}

void manager_cgroup_idle_leaves(struct manager *m)
{
	if (!m->leaves_pending || !cgroup_tree_enabled(&m->cg) || m->shutdown != SHUTDOWN_NONE)
		return;
	m->leaves_pending = false;
	for (size_t i = 0; i < m->n_svcs; i++) {
		struct svc *v = m->svcs[i];

		if (svc_idle_without_leaf(v) && svc_open_cgroup(m, v, NULL) < 0)
			service_setup_refused(&v->s);   /* its reason is recorded */
	}
}

/* ---- the tree ---------------------------------------------------------------------- */

void manager_cgroup_apply(struct manager *m, const struct unit_set *set,
			  const struct unit_set *prev)
{
	struct cgroup_plan *plan;

	if (!cgroup_tree_enabled(&m->cg))
		return;
	if (cgroup_plan_build(set, cgroup_controllers_parse(m->cg.controllers), &plan) < 0) {
		log_error("cgroup: out of memory planning the tree");
		return;
	}
	cgroup_plan_apply(plan, set, prev, m->cg.root_fd);
	if (m->cgroup_plan && cgroup_plan_inherit(plan, m->cgroup_plan) < 0)
		log_error("cgroup: out of memory: some unneeded controllers or slices stay");
	cgroup_plan_free(m->cgroup_plan);
	m->cgroup_plan = plan;
}

bool manager_cgroup_prune(struct manager *m)
{
	size_t left;

	if (!cgroup_tree_enabled(&m->cg) || !m->cgroup_plan)
		return false;
	left = cgroup_plan_prune(m->cgroup_plan, m->cg.root_fd);
	if (left)
		log_debug("cgroup: %zu node(s) still in use, pruned later", left);
	return left > 0;
}

int manager_cgroup_stats(struct manager *m, struct service *s, struct cgroup_stats *ret)
{
	_cleanup_close_ int fd = svc_cgroup_open(m, svc_of(s), false);

	if (fd < 0)
		return fd;
	cgroup_stats_read(fd, ret);
	return 0;
}

int manager_cgroup_node_path(struct service *s, char *buf, size_t size)
{
	return svc_of(s)->has_cgroup ? unit_cgroup_path(s->unit, buf, size) : -ENOENT;
}

const char *manager_cgroup_slice_problem(const struct manager *m, const char *path)
{
	const struct cgroup_plan *p = m->cgroup_plan;

	for (size_t i = 0; p && i < p->n_slices; i++)
		if (strcmp(p->slice_path[i], path) == 0)
			return p->slice_problem[i][0] ? p->slice_problem[i] : NULL;
	return NULL;
}

void manager_cgroup_close(struct manager *m)
{
	cgroup_plan_free(m->cgroup_plan);
	m->cgroup_plan = NULL;
	cgroup_tree_close(&m->cg);
}

const struct cgroup_tree *manager_cgroup_tree(const struct manager *m)
{
	return cgroup_tree_enabled(&m->cg) ? &m->cg : NULL;
}
