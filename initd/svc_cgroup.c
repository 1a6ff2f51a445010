/* svc_cgroup.c — the manager's cgroup side: building the tree a set asks for
 * (cgroup_plan.h), each service's node and leaf, and the kernel's events on
 * them: cgroup.events (populated), memory.events (oom_kill) and
 * pids.events (max), all signalled with EPOLLPRI.
 *
 * A service's node is cgroup_fd: it is what is killed, watched and read for
 * statistics, so a delegating service's sub-cgroups are covered too. Its
 * processes go to leaf_fd when the unit delegates, else to the node. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup_limits.h"
#include "initd/cgroup_plan.h"
#include "initd/log.h"
#include "initd/manager_internal.h"
#include "initd/spawn.h"

/* ---- events -------------------------------------------------------------------- */

/* kernfs reports a watched file ready until that same fd reads it again:
 * reading another fd of the file would leave PID 1 spinning. */
static void watch_rearm(int fd)
{
	char buf[512];

	if (pread(fd, buf, sizeof(buf), 0) < 0) {
		/* the node is gone; its removal is handled elsewhere */
	}
}

static void events_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct svc *v = data;

	watch_rearm(fd);
	if (v->cgroup_fd >= 0 && cgroup_is_populated(v->cgroup_fd) == 0)
		service_on_empty(&v->s);
}

void svc_cgroup_poll_oom(struct svc *v)
{
	unsigned long before = v->oom_kills;

	if (v->cgroup_fd < 0 || cgroup_oom_kills(v->cgroup_fd, &v->oom_kills) != 1)
		return;
	log_warn("%s: the OOM killer killed %lu process(es) in its cgroup", v->s.unit->name,
		 v->oom_kills - before);
	service_on_oom(&v->s);
}

static void memory_events_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	watch_rearm(fd);
	svc_cgroup_poll_oom(data);
}

/* Forks refused by pids.max: said once per start, counted always. */
static void pids_events_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct svc *v = data;
	char buf[128];
	uint64_t n;

	watch_rearm(fd);
	if (cgroup_read_file(v->cgroup_fd, "pids.events", buf, sizeof(buf)) < 0 ||
	    cgroup_keyed_value(buf, "max", &n) < 0 || n <= v->pids_refused)
		return;
	if (v->pids_refused_at < v->s.started_at)
		log_warn("%s: pids.max reached, forks refused", v->s.unit->name);
	v->pids_refused = n;
	v->pids_refused_at = now_usec();
}

/* Watch file of the node with EPOLLPRI when it exists (its controller is
 * enabled); absent is fine. */
static int watch_file(struct manager *m, struct svc *v, struct loop_watch *w, const char *file,
		      loop_io_fn fn)
{
	int fd = openat(v->cgroup_fd, file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	*w = (struct loop_watch){ .fd = fd, .fn = fn, .data = v };
	if (loop_watch_add(m->loop, w, EPOLLPRI) < 0) {
		w->fd = safe_close(w->fd);
		return -ENOMEM;
	}
	return 0;
}

static void unwatch(struct manager *m, struct loop_watch *w)
{
	if (w->fd < 0)
		return;
	loop_watch_del(m->loop, w);
	w->fd = safe_close(w->fd);
}

/* ---- one service ----------------------------------------------------------------- */

void svc_cgroup_init(struct svc *v)
{
	v->cgroup_fd = v->leaf_fd = -1;
	v->events.fd = v->memory_events.fd = v->pids_events.fd = -1;
}

void svc_close_cgroup(struct manager *m, struct svc *v)
{
	unwatch(m, &v->events);
	unwatch(m, &v->memory_events);
	unwatch(m, &v->pids_events);
	v->leaf_fd = safe_close(v->leaf_fd);
	v->cgroup_fd = safe_close(v->cgroup_fd);
}

/* The unit cannot have its cgroup: it fails with the reason. */
static void svc_cgroup_failed(struct svc *v, const char *why)
{
	log_error("%s: cgroup: %s", v->s.unit->name, why);
	v->s.last_exit = (struct service_exit){ .kind = EXIT_CGROUP, .at = now_usec() };
	snprintf(v->s.last_exit.detail, sizeof(v->s.last_exit.detail), "%s", why);
	v->s.state = SERVICE_FAILED;
}

/* The owner a delegated node is given: the unit's user (and group), or
 * (uid_t)-1 for root. */
static int delegate_owner(struct manager *m, const struct unit *u, uid_t *uid, gid_t *gid)
{
	char home[256];
	int r;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (!u->cgroup.subtree_control || !u->user)
		return 0;
	r = spawn_lookup_user(m->opt.passwd_file, u->user, uid, gid, home, sizeof(home));
	if (r == 0 && u->group)
		r = spawn_lookup_group(m->opt.group_file, u->group, gid);
	return r;
}

static bool unit_has_limits(const struct unit *u)
{
	return u->cgroup.limits.declared || u->cgroup.subtree_control;
}

int svc_open_cgroup(struct manager *m, struct svc *v)
{
	const struct unit *u = v->s.unit;
	char why[CGROUP_PROBLEM_MAX];
	uid_t uid;
	gid_t gid;
	int r;

	if (u->bad)
		return 0;
	if (!cgroup_tree_enabled(&m->cg)) {
		if (unit_has_limits(u))
			svc_cgroup_failed(v, "limits need a cgroup2 hierarchy");
		return 0;
	}
	if (m->cg.plan && cgroup_plan_unit_problem(m->cg.plan, u, why, sizeof(why))) {
		svc_cgroup_failed(v, why);
		return 0;
	}
	if (delegate_owner(m, u, &uid, &gid) < 0) {
		svc_cgroup_failed(v, "delegation: unknown user or group");
		return 0;
	}
	r = cgroup_plan_open_service(u, m->cg.root_fd, uid, gid, &v->cgroup_fd, &v->leaf_fd, why,
				     sizeof(why));
	if (r < 0) {
		v->cgroup_fd = v->leaf_fd = -1;
		svc_cgroup_failed(v, why);
		return 0;
	}
	cgroup_oom_kills(v->cgroup_fd, &v->oom_kills);   /* count from here on */
	r = watch_file(m, v, &v->events, "cgroup.events", events_ready);
	if (r == 0)
		r = watch_file(m, v, &v->memory_events, "memory.events", memory_events_ready);
	if (r == 0)
		r = watch_file(m, v, &v->pids_events, "pids.events", pids_events_ready);
	return r;
}

int svc_spawn_cgroup_fd(struct manager *m, struct svc *v)
{
	if (!cgroup_tree_enabled(&m->cg) || v->s.unit->bad)
		return -1;
	if (v->cgroup_fd < 0 && svc_open_cgroup(m, v) == 0 && v->cgroup_fd < 0)
		return -ENODEV;   /* failed again: the log says why */
	return v->leaf_fd >= 0 ? v->leaf_fd : v->cgroup_fd;
}

/* ---- the tree ---------------------------------------------------------------------- */

void manager_cgroup_apply(struct manager *m, const struct unit_set *set)
{
	struct cgroup_plan *plan;

	if (!cgroup_tree_enabled(&m->cg))
		return;
	if (cgroup_plan_build(set, cgroup_controllers_parse(m->cg.controllers), &plan) < 0) {
		log_error("cgroup: out of memory planning the tree");
		return;
	}
	cgroup_plan_apply(plan, set, m->cg.root_fd);
	if (m->cg.plan && cgroup_plan_inherit(plan, m->cg.plan) < 0)
		log_error("cgroup: out of memory: some unneeded controllers or slices stay");
	cgroup_plan_free(m->cg.plan);
	m->cg.plan = plan;
}

bool manager_cgroup_prune(struct manager *m)
{
	size_t left;

	if (!cgroup_tree_enabled(&m->cg) || !m->cg.plan)
		return false;
	left = cgroup_plan_prune(m->cg.plan, m->cg.root_fd);
	if (left)
		log_debug("cgroup: %zu node(s) still in use, pruned later", left);
	return left > 0;
}

int manager_cgroup_stats(struct manager *m, struct service *s, struct cgroup_stats *ret)
{
	struct svc *v = svc_of(s);

	if (v->cgroup_fd < 0)
		return -ENOENT;
	cgroup_stats_read(v->cgroup_fd, ret);
	return 0;
}

const struct cgroup_tree *manager_cgroup_tree(const struct manager *m)
{
	return cgroup_tree_enabled(&m->cg) ? &m->cg : NULL;
}
