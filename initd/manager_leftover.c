/* manager_leftover.c — a unit's leaf that a reload took away (the unit
 * removed, or moved to another slice) while a process was still in it.
 *
 * The unit itself has stopped by then, so its leaf is empty but for what
 * someone else put there since (a process moved in by hand, one that
 * escaped into the leaf's sub-cgroups) or what cannot die yet (a task in
 * uninterruptible sleep). cgroup_leaf_remove kills them (cgroup.kill) and
 * returns -EBUSY: the kernel frees a cgroup only once its processes are
 * gone. The leaf is then kept here and removed at the IN_MODIFY of its
 * cgroup.events that says it is empty, through an inotify instance of its
 * own, made at the first leftover and kept (one fd): a wd names a file, so
 * a watch of the manager's instance on the same file (a unit given the same
 * leaf again) would take this one's place. No timer, no retry loop: PID 1
 * does nothing until the kernel says the leaf is empty. Then the tree is
 * pruned again (a slice the reload dropped waited for this leaf). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initd/cgroup.h"
#include "initd/cgroup_watch.h"
#include "initd/log.h"
#include "initd/manager_internal.h"

/* Each costs its path (at most UNIT_CGROUP_PATH_MAX) and an inotify watch;
 * past this many, a leaf that is still busy stays, with a warning. */
#define LEFTOVERS_MAX 1024

struct leftover {
	struct manager *m;
	int wd;
	size_t name_at;       /* path + name_at: the name */
	char path[];          /* "SLICE\0NAME" */
};

static const char *leftover_name(const struct leftover *l)
{
	return l->path + l->name_at;
}

static void leftover_drop(struct manager *m, struct leftover *l)
{
	for (size_t i = 0; i < m->n_leftovers; i++)
		if (m->leftovers[i] == l) {
			m->leftovers[i] = m->leftovers[--m->n_leftovers];
			break;
		}
	cgroup_watch_remove(m->leftover_watch, l->wd);
	free(l);
}

/* A unit of the current set has this node (a reload added the name again,
 * in the same slice): it is that unit's now. */
static bool node_in_set(const struct manager *m, const char *slice, const char *name)
{
	ssize_t i = m->set ? set_index(m->set, name) : -1;
	const struct unit *u = i >= 0 ? m->set->units[i] : NULL;

	return u && !u->bad && strcmp(unit_slice(u), slice) == 0;
}

/* 1: removed (or no longer this module's), 0: still busy, -errno. */
static int leftover_try(struct manager *m, struct leftover *l)
{
	int r;

	if (node_in_set(m, l->path, leftover_name(l)))
		return 1;
	r = cgroup_leaf_remove(&m->cg, l->path, leftover_name(l));
	if (r == -EBUSY)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	log_info("cgroup: %s/%s removed once its last process was gone", l->path,
		 leftover_name(l));
	m->cgroup_prune_pending = true;
	reload_prune(m);
	return 1;
}

static void leftover_event(void *owner, enum cgroup_event ev)
{
	struct leftover *l = owner;
	struct manager *m = l->m;
	int r = leftover_try(m, l);

	if (r == 0)
		return;
	if (r < 0)
		log_warn("cgroup: %s/%s: cannot remove it: %s", l->path, leftover_name(l),
			 strerror(-r));
	leftover_drop(m, l);
}

static int leftover_watch(struct manager *m, struct leftover *l)
{
	char dir[sizeof(m->cg.root) + UNIT_CGROUP_PATH_MAX + 2];
	int r;

	if (!m->leftover_watch) {
		r = cgroup_watch_new(m->loop, leftover_event, &m->leftover_watch);
		if (r < 0)
			return r;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/%s", m->cg.root, l->path,
			     leftover_name(l)) >= sizeof(dir))
		return -ENAMETOOLONG;
	return cgroup_watch_add(m->leftover_watch, dir, CGROUP_EVENT_POPULATED, l, &l->wd);
}

/* Drop the leftovers whose node someone else removed (its watch went
 * with it, unsaid): walked at each new one, which is rare. Whether one
 * for slice/name is already kept (its watch is the one the kernel would
 * give again: a wd names a file). */
static bool leftovers_tidy(struct manager *m, const char *slice, const char *name)
{
	char path[UNIT_CGROUP_PATH_MAX + 2];
	bool kept = false;

	for (size_t i = m->n_leftovers; i-- > 0;) {   /* a drop moves the last to i */
		struct leftover *l = m->leftovers[i];

		snprintf(path, sizeof(path), "%s/%s", l->path, leftover_name(l));
		if (faccessat(m->cg.root_fd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			leftover_drop(m, l);
		else if (strcmp(l->path, slice) == 0 && strcmp(leftover_name(l), name) == 0)
			kept = true;
	}
	return kept;
}

/* A new leftover for slice/name, watched before one more try, so that an
 * exit between the first try and the watch is not missed: 0 while it
 * waits, 1 when the node is gone already (or a unit's again), -errno. */
static int leftover_new(struct manager *m, const char *slice, const char *name)
{
	size_t ns = strlen(slice), nn = strlen(name);
	struct leftover *l, **v;
	int r;

	if (m->n_leftovers >= LEFTOVERS_MAX)
		return -ENOSPC;
	v = reallocarray(m->leftovers, m->n_leftovers + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->leftovers = v;   /* realloc may have moved it: kept whatever fails next */
	l = malloc(sizeof(*l) + ns + nn + 2);
	if (!l)
		return -ENOMEM;
	*l = (struct leftover){ .m = m, .wd = -1, .name_at = ns + 1 };
	memcpy(l->path, slice, ns + 1);
	memcpy(l->path + ns + 1, name, nn + 1);
	m->leftovers[m->n_leftovers++] = l;
	r = leftover_watch(m, l);
	if (r == -ENOENT)
		r = 1;   /* gone meanwhile */
	else if (r == 0)
		r = leftover_try(m, l);
	if (r != 0)
		leftover_drop(m, l);
	return r;
}

/* Keep slice/name until it is empty. */
static void leftover_add(struct manager *m, const char *slice, const char *name)
{
	int r = leftovers_tidy(m, slice, name) ? 0 : leftover_new(m, slice, name);

	if (r == 0)
		log_info("cgroup: %s/%s still has processes (killed): removed once they are gone",
			 slice, name);
	else if (r < 0)
		log_warn("cgroup: %s/%s still has processes (killed) and stays: %s", slice, name,
			 strerror(-r));
}

void manager_cgroup_remove_leaf(struct manager *m, const struct unit *u,
				const struct unit *next)
{
	const char *slice = unit_slice(u);
	int r;

	if (!cgroup_tree_enabled(&m->cg) || u->bad)
		return;
	/* a removed unit added again by a later reload: the node is the new one's */
	if (!next && node_in_set(m, slice, u->name))
		return;
	r = cgroup_leaf_remove(&m->cg, slice, u->name);
	if (r == 0 || r == -ENOENT)
		return;
	if (r == -EBUSY && next && !next->bad && strcmp(unit_slice(next), slice) == 0)
		log_info("%s: its cgroup still has processes (killed); the new unit takes it",
			 u->name);
	else if (r == -EBUSY)
		leftover_add(m, slice, u->name);
	else
		log_warn("%s: cannot remove its old cgroup: %s", u->name, strerror(-r));
}

void manager_leftovers_free(struct manager *m)
{
	for (size_t i = 0; i < m->n_leftovers; i++)
		free(m->leftovers[i]);
	free(m->leftovers);
	m->leftovers = NULL;
	m->n_leftovers = 0;
	cgroup_watch_free(m->leftover_watch);
	m->leftover_watch = NULL;
}
