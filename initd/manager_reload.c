/* manager_reload.c — the manager's side of a reload: apply a new unit set to a running manager.
 *
 * Unchanged units keep their runtime and just point at the new model.
 * Changed units are stopped; once nothing of theirs runs, the pass swaps the
 * new unit in and starts them again (if they were running, or were
 * bad-config and are now fixed). Removed units are stopped and then freed
 * with their leaf. The old set stays alive, retired, until no service points
 * into it any more. The log ring and pipe of a kept service survive, so its
 * log reads across the reload. Once no service of an older set is left, the
 * cgroup tree is pruned to the new plan (unneeded controllers disabled,
 * dropped slices removed), pass after pass until nothing is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initd/log.h"
#include "initd/manager.h"
#include "initd/manager_internal.h"

static int retire_set(struct manager *m)
{
	struct retired_set *r = reallocarray(m->retired, m->n_retired + 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r[m->n_retired++] = (struct retired_set){ .set = m->set, .gen = m->gen };
	m->retired = r;
	return 0;
}

/* Room for n more removed records, so that removing cannot fail past the
 * point of no return. */
static int removed_reserve(struct manager *m, size_t n)
{
	struct svc **r;

	if (n == 0)
		return 0;
	r = reallocarray(m->removed, m->n_removed + n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	m->removed = r;
	return 0;
}

static bool removed_up(const struct svc *v)
{
	return v->s.state == SERVICE_STARTING || v->s.state == SERVICE_RUNNING;
}

/* Into the room removed_reserve made. One that is up stays up, wanted
 * by nobody (an exit meanwhile ends it stopped), until what required it
 * or came after it is down: reload_stop_removed. */
static void remove_svc(struct manager *m, struct svc *v)
{
	m->removed[m->n_removed++] = v;
	v->removed = true;
	v->pending_unit = NULL;
	v->restart_after_swap = false;
	if (removed_up(v))
		service_stop_later(&v->s);
	else
		service_stop(&v->s);
}

/* What a unit going down for a reload (removed, or changed and stopping
 * for its swap) still needs up: the units its running unit requires or
 * comes after, into need (NULL: only counted). */
static size_t going_down_needs(const struct svc *v, const char **need, size_t n)
{
	char *const *lists[] = { v->s.unit->requires, v->s.unit->after };

	if (!service_is_active(&v->s) || (!v->removed && !v->pending_unit))
		return n;
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (char *const *p = lists[l]; p && *p; p++, n++)
			if (need)
				need[n] = *p;
	return n;
}

static size_t all_going_down_needs(const struct manager *m, const char **need)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_removed; i++)
		n = going_down_needs(m->removed[i], need, n);
	for (size_t i = 0; i < m->n_svcs; i++)
		n = going_down_needs(m->svcs[i], need, n);
	return n;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names units going down for a reload still need up, sorted, in a
 * block of the caller's; NULL when none or out of memory. */
static const char **going_down_needs_sorted(const struct manager *m, size_t *ret_n)
{
	const char **need;
	size_t n = all_going_down_needs(m, NULL);

	*ret_n = 0;
	if (!n || !(need = calloc(n, sizeof(*need))))
		return NULL;
	all_going_down_needs(m, need);
	qsort(need, n, sizeof(*need), name_cmp);
	*ret_n = n;
	return need;
}

static bool needs_has(const char **need, size_t n, const char *name)
{
	return need && bsearch(&name, need, n, sizeof(*need), name_cmp);
}

/* Removed units still up (remove_svc) stop once nothing going down needs
 * them any more, as at a shutdown. The names still needed are gathered
 * and sorted once a pass: a reload that removes thousands of units costs
 * no pass a walk of every unit per removed one. Out of memory: they stop
 * now, out of order, rather than never. */
static void reload_stop_removed(struct manager *m)
{
	_cleanup_free_ const char **need = NULL;
	size_t n = 0, up = 0;

	for (size_t i = 0; i < m->n_removed; i++)
		up += removed_up(m->removed[i]);
	if (!up)
		return;
	need = going_down_needs_sorted(m, &n);
	for (size_t i = 0; i < m->n_removed; i++) {
		struct svc *v = m->removed[i];

		if (removed_up(v) && !needs_has(need, n, v->s.unit->name)) {
			if (!manager_round_take(m))
				return;   /* the rest in a later pass */
			service_stop(&v->s);
		}
	}
}

bool reload_going_down_needs(struct manager *m, const char *name)
{
	/* none going down: a unit stopping for its swap still points into
	 * a retired set */
	if (!m->n_removed && !m->n_retired)
		return false;
	if (!m->down_needs_built) {
		m->down_needs = going_down_needs_sorted(m, &m->n_down_needs);
		m->down_needs_built = true;
	}
	return needs_has(m->down_needs, m->n_down_needs, name);
}

void reload_needs_drop(struct manager *m)
{
	free(m->down_needs);
	m->down_needs = NULL;
	m->n_down_needs = 0;
	m->down_needs_built = false;
}

/* How a unit of the new set is placed (MATCH_NONE: not yet). */
enum match {
	MATCH_NONE,
	MATCH_NEW,        /* a new record, made here */
	MATCH_SAME,       /* an existing record, its unit unchanged */
	MATCH_CHANGED,    /* an existing record, its unit changed */
	MATCH_REVIVED,    /* a record an earlier reload removed, still stopping:
	                   * it comes back as a changed one (one record per
	                   * name, so one owner for its cgroup node) */
};

/* A removed record of this name, still stopping, or NULL. */
static struct svc *removed_find(struct manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_removed; i++)
		if (strcmp(m->removed[i]->s.unit->name, name) == 0)
			return m->removed[i];
	return NULL;
}

bool manager_knows(struct manager *m, const char *name)
{
	return manager_find(m, name) || removed_find(m, name);
}

/* Take v out of the removed records (a reload added its name again). */
static void removed_take(struct manager *m, struct svc *v)
{
	for (size_t i = 0; i < m->n_removed; i++)
		if (m->removed[i] == v) {
			m->removed[i] = m->removed[--m->n_removed];
			break;
		}
	v->removed = false;
	v->operator_start = false;   /* back as a new unit: the boot's rules */
}

/* One more unit of kind k; its name is shown if it fits. */
static void summary_name(struct reload_summary *sum, enum reload_change k, const char *name)
{
	struct reload_names *n = &sum->names[k];
	size_t len = strlen(n->text), add = strlen(name) + (n->shown ? 2 : 0);

	if (n->shown != (k == RELOAD_ADDED ? sum->added : k == RELOAD_REMOVED ? sum->removed
			 : sum->changed) || len + add >= sizeof(n->text))
		goto counted;   /* one was left out: later ones too, in order */
	snprintf(n->text + len, sizeof(n->text) - len, "%s%s", n->shown ? ", " : "", name);
	n->shown++;
counted:
	if (k == RELOAD_ADDED)
		sum->added++;
	else if (k == RELOAD_REMOVED)
		sum->removed++;
	else
		sum->changed++;
}

void reload_summary_format(const struct reload_summary *sum, char *buf, size_t size)
{
	static const char *const kind[RELOAD_CHANGES] = { "added", "removed", "changed" };
	const size_t count[RELOAD_CHANGES] = { sum->added, sum->removed, sum->changed };
	const char *sep = " (";
	size_t len;

	len = (size_t)snprintf(buf, size, "reload: %zu added, %zu removed, %zu changed, "
			       "%zu unchanged", sum->added, sum->removed, sum->changed,
			       sum->unchanged);
	for (int k = 0; k < RELOAD_CHANGES && len < size; k++) {
		if (!count[k])
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s: %s", sep, kind[k],
					sum->names[k].text);
		if (len < size && count[k] > sum->names[k].shown)
			len += (size_t)snprintf(buf + len, size - len, " and %zu more",
						count[k] - sum->names[k].shown);
		sep = "; ";
	}
	if (len < size && *sep == ';')
		snprintf(buf + len, size - len, ")");
}

/* Place every unit of the new set: an existing record when the name is known,
 * a new one otherwise. Fills svcs[] and how[] (new order) and marks taken[]
 * (old). Existing records are not touched: on failure the new set is freed
 * and nothing may point into it (match_commit does that part). */
static int match_units(struct manager *m, struct unit_set *set, struct svc **svcs,
		       bool *taken, enum match *how, struct reload_summary *sum)
{
	for (size_t i = 0; i < set->n_units; i++) {
		const struct unit *u = set->units[i];
		ssize_t old = set_index(m->set, u->name);

		if (old < 0 && (svcs[i] = removed_find(m, u->name))) {
			how[i] = MATCH_REVIVED;
			summary_name(sum, RELOAD_ADDED, u->name);
			continue;
		}
		if (old < 0) {
			int r = svc_new(m, u, &svcs[i]);
			if (r < 0)
				return r;
			svcs[i]->gen = m->gen + 1;
			how[i] = MATCH_NEW;
			summary_name(sum, RELOAD_ADDED, u->name);
			continue;
		}
		taken[old] = true;
		svcs[i] = m->svcs[old];
		how[i] = unit_equal(svcs[i]->s.unit, u) ? MATCH_SAME : MATCH_CHANGED;
		if (how[i] == MATCH_SAME)
			sum->unchanged++;
		else
			summary_name(sum, RELOAD_CHANGED, u->name);
	}
	return 0;
}

/* Past the point of no return: existing records take their new unit (now,
 * or once stopped). */
static void match_commit(struct manager *m, struct unit_set *set, struct svc **svcs,
			 const enum match *how)
{
	for (size_t i = 0; i < set->n_units; i++) {
		struct svc *v = svcs[i];
		/* Stopping for an earlier reload's swap: its wish to come back
		 * holds (an operator's stop or a shutdown cleared it). */
		bool due = v && v->pending_unit && v->restart_after_swap;

		if (how[i] == MATCH_NEW)
			continue;
		v->pending_unit = NULL;
		if (how[i] == MATCH_REVIVED) {
			removed_take(m, v);
			v->pending_unit = set->units[i];
			/* a new unit of the set: it starts if the boot would */
			v->restart_after_swap = manager_starts(m, set->units[i]);
		} else if (how[i] == MATCH_SAME) {
			/* restart_after_swap stays: a change reverted while
			 * its swap waited comes back (reload_kick). */
			v->s.unit = set->units[i];
			v->gen = m->gen + 1;
		} else {
			/* Wanted, or up; not one an operator's stop or a
			 * dependency's is taking down. */
			v->pending_unit = set->units[i];
			v->restart_after_swap = due || v->s.want_running ||
						v->s.state == SERVICE_BAD_CONFIG ||
						(service_is_active(&v->s) &&
						 v->s.state != SERVICE_STOPPING &&
						 !v->stop_after_dependents);
		}
	}
}

/* The new set becomes the model: its records, order and links. Past this
 * point there is no going back; -ENOMEM from linking leaves dependencies
 * partly resolved, which the caller reports. */
static int reload_install(struct manager *m, struct unit_set *set, struct svc **svcs,
			  size_t *order)
{
	manager_unlink(m);
	free(m->svcs);
	free(m->order);
	m->svcs = svcs;
	m->n_svcs = set->n_units;
	m->order = order;
	m->set = set;
	m->gen++;
	if (unit_set_order(set, m->order) < 0) {
		free(m->order);
		m->order = NULL;
	}
	return manager_link(m);
}

/* New units start. Changed units that run are stopped by the pass (a
 * round of them each loop iteration, manager_pass.c), which swaps them in
 * once they are down; not one an operator's stop holds up until the
 * units that require it are down (stop_after_dependents: the pass stops
 * it after them). */
static void reload_kick(struct manager *m, const enum match *how)
{
	for (size_t i = 0; i < m->n_svcs; i++) {
		struct svc *v = m->svcs[i];

		if (v->pending_unit && service_is_active(&v->s)) {
			continue;
		} else if (how[i] == MATCH_NEW && manager_starts(m, v->s.unit)) {
			service_start(&v->s);
		} else if (how[i] == MATCH_SAME && v->restart_after_swap) {
			v->restart_after_swap = false;
			service_start(&v->s);   /* its stop for a swap no longer due */
		}
	}
}

int manager_reload(struct manager *m, struct unit_set *set, struct reload_summary *ret)
{
	struct reload_summary sum = { 0 };
	char line[RELOAD_SUMMARY_LINE];
	struct svc **svcs = calloc(set->n_units ? set->n_units : 1, sizeof(*svcs));
	size_t *order = calloc(set->n_units ? set->n_units : 1, sizeof(*order));
	bool *taken = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*taken));
	enum match *how = calloc(set->n_units ? set->n_units : 1, sizeof(*how));
	bool applied = false;
	int r = -ENOMEM;

	if (!svcs || !order || !taken || !how || retire_set(m) < 0)
		goto fail;
	manager_cgroup_apply(m, set, m->set);   /* new slices and controllers first */
	applied = true;
	r = match_units(m, set, svcs, taken, how, &sum);
	if (r < 0)
		goto fail;
	r = removed_reserve(m, m->n_svcs - (sum.unchanged + sum.changed));
	if (r < 0)
		goto fail;
	match_commit(m, set, svcs, how);
	for (size_t i = 0; i < m->n_svcs; i++)
		if (!taken[i]) {
			summary_name(&sum, RELOAD_REMOVED, m->svcs[i]->s.unit->name);
			remove_svc(m, m->svcs[i]);
		}
	r = reload_install(m, set, svcs, order);
	reload_kick(m, how);
	m->cgroup_prune_pending = true;   /* once the old services are gone */
	free(taken);
	free(how);
	reload_summary_format(&sum, line, sizeof(line));
	log_info("%s", line);
	if (ret)
		*ret = sum;
	manager_schedule(m);
	return r;
fail:
	if (svcs && how)
		for (size_t i = 0; i < set->n_units; i++)
			if (how[i] == MATCH_NEW)
				svc_free(m, svcs[i]);
	if (m->n_retired && m->retired[m->n_retired - 1].set == m->set)
		m->n_retired--;
	if (applied) {   /* back to the plan of the set that stays */
		manager_cgroup_apply(m, m->set, set);
		m->cgroup_prune_pending = true;
	}
	free(svcs);
	free(order);
	free(taken);
	free(how);
	unit_set_free(set);
	return r;
}

/* A changed unit whose old process is gone takes its new unit. Its node is
 * made anew: a limit the new unit no longer declares must not linger in the
 * kernel, and the slice may have changed. The node is empty by now; if a
 * process someone else put there still holds it (killed), the old node is
 * reused in the same slice (at its open, what the new unit does not declare
 * goes back to the kernel's default and its limits are written), or, in
 * another slice, removed once empty (manager_leftover.c). */
static void swap_in(struct manager *m, struct svc *v)
{
	const struct unit *old = v->s.unit, *u = v->pending_unit;

	v->pending_unit = NULL;
	svc_close_cgroup(m, v);
	manager_cgroup_remove_leaf(m, old, u);
	service_replace_unit(&v->s, u);
	svc_postmortems_fit(v);   /* as many records as the new unit keeps */
	/* a failed unit's new failure action is due now, not at the next
	 * unit that happens to fail (manager_pass.c walks only when dirty) */
	m->escalate_dirty = true;
	v->gen = m->gen;
	m->leaves_pending = true;   /* its new leaf: at its spawn, or after the pass */
	if (v->restart_after_swap && !u->bad) {
		service_start(&v->s);
		v->stop_after_dependents = false;
	}
	v->restart_after_swap = false;
	manager_schedule_svc(m, v);   /* its type, so what ready means, may differ */
}

static void free_removed(struct manager *m)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n_removed; i++) {
		struct svc *v = m->removed[i];
		const struct unit *u = v->s.unit;

		if (service_is_active(&v->s)) {
			m->removed[k++] = v;
			continue;
		}
		if (m->removed_hook)
			m->removed_hook(m->removed_ctx, &v->s);
		svc_close_cgroup(m, v);
		manager_cgroup_remove_leaf(m, u, NULL);
		svc_free(m, v);
	}
	m->n_removed = k;
}

static bool gen_in_use(const struct manager *m, unsigned gen)
{
	for (size_t i = 0; i < m->n_svcs; i++)
		if (m->svcs[i]->gen == gen)
			return true;
	for (size_t i = 0; i < m->n_removed; i++)
		if (m->removed[i]->gen == gen)
			return true;
	return false;
}

static void free_retired(struct manager *m)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n_retired; i++) {
		if (gen_in_use(m, m->retired[i].gen))
			m->retired[k++] = m->retired[i];
		else
			unit_set_free(m->retired[i].set);
	}
	m->n_retired = k;
}

/* Swap in, free what is done, and once no service of an older set is left,
 * prune the cgroup tree to the current plan (until nothing is left). */
void reload_pass(struct manager *m)
{
	if (m->n_retired || m->n_removed) {
		for (size_t i = 0; i < m->n_svcs; i++) {
			struct svc *v = m->svcs[i];

			if (v->pending_unit && !service_is_active(&v->s))
				swap_in(m, v);
		}
		reload_stop_removed(m);
		free_removed(m);
		free_retired(m);
	}
	reload_prune(m);
}

void reload_prune(struct manager *m)
{
	if (m->cgroup_prune_pending && !m->n_retired && !m->n_removed)
		m->cgroup_prune_pending = manager_cgroup_prune(m);
}
