/* manager_pass.c — the pass: after any change of state, what can start
 * (its requirements up, its spawn budget left), what must fail (a
 * requirement failed or was left out of this boot), what may stop in a
 * shutdown, which failure action runs, and who waits for the boot to
 * settle. One deferred pass per loop iteration (manager_schedule), over
 * the units marked since the last one (manager_schedule_svc). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initd/log.h"
#include "initd/manager.h"
#include "initd/manager_internal.h"

/* Thousands of units start in slices of at most this many spawns, with
 * the event loop's fds (svctl, exits, readiness) served between two
 * slices; a reload's stop signals count too (each wakes a service that may
 * take the CPU from PID 1: 2000 of them were a second's stall). Where a
 * spawn is slow (a large PID 1 to fork, an emulated CPU, a loaded
 * machine) 32 took 0.3-0.4 s, so long every svctl waited: past
 * MANAGER_ROUND_USEC a slice ends as soon as someone waits (an svctl
 * client or a readiness datagram, a shutdown or reload signal, a timer
 * due: loop_waited_on), and goes on while nobody does; exits and probes'
 * verdicts wait for the slice to end, as they did for a count of 32
 * before the time bound. Ending it at that time regardless broke a boot
 * of ten services under emulation into slices of 2-5 spawns, each break
 * the loop's turn at what the children did meanwhile (their reports,
 * their execs) before the rest were spawned (bench/README.md). A slice
 * always makes its first spawn. A pass runs again in the same iteration
 * whenever a state changes, so the budget is per loop iteration, not per
 * pass. */
#define MANAGER_SPAWNS_PER_ROUND 32
#define MANAGER_ROUND_USEC (20 * USEC_PER_MSEC)

static bool spawn_budget_left(struct manager *m)
{
	uint64_t round = loop_iteration(m->loop);

	if (m->spawn_round != round) {
		m->spawn_round = round;
		m->spawns = 0;
	}
	if (m->spawns == 0) {
		m->round_began = now_usec();
		return true;
	}
	return m->spawns < MANAGER_SPAWNS_PER_ROUND &&
	       (now_usec() - m->round_began < MANAGER_ROUND_USEC || !loop_waited_on(m->loop));
}

/* The rest in a later pass, once the fds were served. */
static void pass_later(struct manager *m)
{
	if (!loop_timer_armed(&m->pass_timer))
		loop_timer_arm(m->loop, &m->pass_timer, now_usec());
}

bool manager_round_take(struct manager *m)
{
	if (!spawn_budget_left(m)) {
		pass_later(m);
		return false;
	}
	m->spawns++;
	return true;
}

/* A required unit stopping for a reload's swap comes back with its new
 * unit: like one restarting, it keeps its dependents (a unit the reload
 * did not change is untouched). */
static bool dep_coming_back(const struct service *d)
{
	return svc_of_const(d)->pending_unit && svc_of_const(d)->restart_after_swap;
}

/* Failed, or on its way to it (service_is_failing) unless a reload's swap
 * brings it back: seen as merely stopped, a failing unit stopped its own
 * running dependents as a stop does, and they ended "stopped" by the stop
 * signal, not failed. */
static bool dep_failed(const struct service *d)
{
	return d->state == SERVICE_BAD_CONFIG || d->state == SERVICE_FAILED ||
	       (service_is_failing(d) && !dep_coming_back(d));
}

/* v fails because d, which it requires, failed: with d's reason. */
static void svc_dep_failed(struct svc *v, const struct service *d)
{
	char reason[256] = "";

	if (d->state == SERVICE_FAILED || service_is_failing(d))
		service_exit_to_string(d, &d->last_exit, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "%s", service_state_to_string(d->state));
	service_dep_failed(&v->s, d->unit->name, reason);
}

bool manager_starts(const struct manager *m, const struct unit *u)
{
	return m->booted && !m->rescue && unit_in_mode(u, m->opt.mode);
}

/* A required unit nobody asked for is pulled in, unless the boot leaves it
 * out (another mode, autostart off): then v fails saying so. An operator's
 * start asks for it too (pass_may_start). true when d was left out. */
static bool pass_dep_left_out(struct manager *m, struct svc *v, const struct service *d)
{
	char why[UNIT_MODE_NAME_MAX + 64];

	if (unit_in_mode(d->unit, m->opt.mode) || v->operator_start)
		return false;
	if (!d->unit->autostart)
		snprintf(why, sizeof(why), "has autostart = false and was not started");
	else
		snprintf(why, sizeof(why), "is not started in mode %s",
			 m->opt.mode ? m->opt.mode : "default");
	service_dep_not_started(&v->s, d->unit->name, why);
	return true;
}

/* A waiting service starts once every required unit is ready and every unit
 * it comes after has settled. A required unit that nobody asked for is pulled
 * in (pass_dep_left_out). Returns true when it may start. */
static bool pass_may_start(struct manager *m, struct svc *v)
{
	bool ready = true;

	for (char **w = v->s.unit->requires_mounts; m->mount_hook && w && *w; w++) {
		char why[SERVICE_EXIT_DETAIL_MAX];

		if (!m->mount_hook(m->mount_ctx, *w, why, sizeof(why))) {
			log_error("%s: %s", v->s.unit->name, why);
			service_mount_failed(&v->s, why);
			return false;
		}
	}

	for (size_t k = 0; k < v->deps->n_requires; k++) {
		struct service *d = &m->svcs[v->deps->requires[k]]->s;

		/* An operator's start (svctl start of v, or of a unit that
		 * pulled v in) asks for what v requires, as `svctl start` of
		 * each would: of any mode, and a failed one once more (once:
		 * failing again, it fails v), or one on its way to failed (it
		 * comes back once stopped: service_after_exit). */
		if (dep_failed(d) && !(v->operator_start && !svc_of(d)->operator_start &&
				       (d->state == SERVICE_FAILED || service_is_failing(d)))) {
			svc_dep_failed(v, d);
			return false;
		}
		/* Still up but on its way down (svctl stop waiting for its
		 * dependents): v started now would be stopped with it. It
		 * waits, and pulls d back in once d is down, as it would
		 * have had it come a moment later. */
		if (!d->want_running && service_is_active(d) && !dep_coming_back(d)) {
			ready = false;
			continue;
		}
		if (!d->want_running && !service_is_ready(d) && !dep_coming_back(d)) {
			if (pass_dep_left_out(m, v, d))
				return false;
			svc_of(d)->operator_start = v->operator_start;
			service_pull_in(d);   /* not a fresh start: its limits hold */
			manager_schedule_svc(m, svc_of(d));   /* want_running alone may change */
		}
		if (!service_is_ready(d))
			ready = false;
	}
	/* An automatic restart waits for what it requires, not for the units
	 * it comes after: ordering is for starts an operator or the boot
	 * asked for (one of them in its backoff would hold it that long). */
	for (size_t k = 0; !v->s.restarted && k < v->deps->n_after; k++) {
		struct service *d = &m->svcs[v->deps->after[k]]->s;

		/* Coming up, or going down to come back (a restart, or a
		 * reload's swap): not yet. */
		if (d->state == SERVICE_WAITING || d->state == SERVICE_STARTING ||
		    ((d->state == SERVICE_RESTARTING || d->state == SERVICE_STOPPING) &&
		     (d->want_running || dep_coming_back(d))))
			ready = false;
	}
	return ready;
}

/* A running service (or one in its restart delay) whose required unit
 * failed or was stopped goes too. */
static void pass_check_requires(struct manager *m, struct svc *v)
{
	for (size_t k = 0; k < v->deps->n_requires; k++) {
		struct service *d = &m->svcs[v->deps->requires[k]]->s;

		if (dep_failed(d)) {
			svc_dep_failed(v, d);
			return;
		}
		if (!d->want_running && !service_is_ready(d) && !dep_coming_back(d)) {
			service_requirement_stopped(&v->s, d->unit->name,
						    d->state == SERVICE_EXITED);
			return;
		}
	}
}

/* namespaces_from: a source whose main process is not the one whose
 * namespaces v joined (it restarted, or stopped) took them away: v goes
 * and comes back, once the source is ready again (its implied requires). */
static void pass_check_joined(struct manager *m, struct svc *v)
{
	/* join_pid is made at the first spawn of a unit that joins another
	 * (svc_join_pids): none, so nothing to look up. Every pass asks this
	 * of every running unit (issue 19: at 10,000 units the three lookups
	 * were most of a pass). */
	const pid_t *joined = v->rare ? v->rare->join_pid : NULL;

	if (!joined)
		return;
	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		struct svc *src = svc_join_source(m, v, (enum unit_join)k);

		if (!src || src->s.pid == joined[k])
			continue;
		log_info("%s: the %s namespace of %s is gone, restarting", v->s.unit->name,
			 unit_join_names[k], src->s.unit->name);
		service_stop(&v->s);
		service_start(&v->s);
		return;
	}
}

/* An operator's stop of a unit others require (manager_stop): it stops
 * once those it stopped have, as at a shutdown, and once a unit going
 * down for a reload, whose running unit required it or came after it,
 * has stopped too (removed, it is out of the graph; stopping for its
 * swap, the graph is its new unit's). True: v's turn is over. */
static bool pass_stop_after_dependents(struct manager *m, struct svc *v)
{
	for (size_t k = 0; k < v->deps->n_dependents; k++) {
		const struct service *d = &m->svcs[v->deps->dependents[k]]->s;

		if (service_is_active(d) && !d->want_running)
			return true;   /* one still on its way down */
	}
	if (reload_going_down_needs(m, v->s.unit->name))
		return true;
	v->stop_after_dependents = false;
	if (v->s.want_running)
		return false;   /* started again meanwhile: its turn as any unit's */
	service_stop_by_operator(&v->s);
	return true;
}

/* Shutting down: a service stops once everything that depends on it has,
 * a unit going down for a reload included. */
static void pass_shutdown_one(struct manager *m, struct svc *v)
{
	for (size_t k = 0; k < v->deps->n_dependents; k++)
		if (service_is_active(&m->svcs[v->deps->dependents[k]]->s))
			return;
	if (reload_going_down_needs(m, v->s.unit->name))
		return;
	service_stop(&v->s);
}

static bool svc_settled(const struct svc *v)
{
	return service_is_settled(&v->s) && !v->pending_unit && !v->stop_after_dependents;
}

/* Every pass asks while the boot runs: the unit found unsettled last time
 * is looked at first, and the walk starts there, so a boot of n units
 * costs O(n) walks in all instead of one per pass (issue 19). */
static bool manager_all_settled(struct manager *m)
{
	size_t n = m->n_svcs, start = m->settle_hint < n ? m->settle_hint : 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = (start + k) % n;

		if (!svc_settled(m->svcs[i])) {
			m->settle_hint = i;
			return false;
		}
	}
	return m->n_removed == 0;
}

static bool manager_all_stopped(const struct manager *m)
{
	for (size_t i = 0; i < m->n_svcs; i++)
		if (service_is_active(&m->svcs[i]->s))
			return false;
	for (size_t i = 0; i < m->n_removed; i++)
		if (service_is_active(&m->removed[i]->s))
			return false;
	return true;
}

void shutdown_finish(struct manager *m)
{
	if (m->shutdown_finished)
		return;
	m->shutdown_finished = true;
	loop_timer_cancel(m->loop, &m->shutdown_timer);
	if (m->shutdown_done)
		m->shutdown_done(m, m->shutdown, m->shutdown_data);
}

static void notify_settled(struct manager *m)
{
	struct settled_waiter *w = m->waiters;
	size_t n = m->n_waiters;

	if (!n || !manager_all_settled(m))
		return;
	m->waiters = NULL;
	m->n_waiters = 0;
	for (size_t i = 0; i < n; i++)
		w[i].fn(m, w[i].data);
	free(w);
}

/* A unit whose failure action is not none ended failed: once per failure,
 * never while shutting down nor in rescue (the operator is there). */
static void pass_escalate(struct manager *m)
{
	bool may = m->shutdown == SHUTDOWN_NONE && !m->rescue && m->failure_hook;

	/* Only when a unit entered or left failed (escalate_dirty): a walk of
	 * every unit per pass made a boot O(n^2). While escalation may not
	 * run, the flag stays set, so the walk comes once it may. */
	if (!m->escalate_dirty)
		return;
	if (may)
		m->escalate_dirty = false;
	for (size_t i = 0; i < m->n_svcs; i++) {
		struct svc *v = m->svcs[i];
		enum failure_action a;
		char why[UNIT_NAME_MAX + 320], reason[256];

		if (v->s.state != SERVICE_FAILED) {
			v->escalated = false;
			continue;
		}
		a = unit_failure_action(v->s.unit);
		/* a failure action may have started a shutdown meanwhile */
		if (v->escalated || a == FAILURE_NONE || m->shutdown != SHUTDOWN_NONE ||
		    m->rescue || !m->failure_hook)
			continue;
		v->escalated = true;
		snprintf(why, sizeof(why), "%s failed: %s", v->s.unit->name,
			 service_exit_to_string(&v->s, &v->s.last_exit, reason, sizeof(reason)));
		m->failure_hook(m->failure_ctx, v->s.unit, a, why);
	}
}

/* initd into /init.scope (own_leaf), once: when the boot has settled,
 * before `svctl wait` hears so, or on reaching rescue. The migration
 * waits for an RCU grace period in the kernel (cgroup.procs takes the
 * threadgroup rwsem for writing): ~60 ms of the bench VM's path to the
 * first exec when it came before the first spawn, and still 35-50 ms of
 * PID 1 between two of its ten spawns when it came at the end of the
 * boot's first pass, which a spawn round (MANAGER_ROUND_USEC) cuts short
 * under TCG (issue 19). Until then PID 1 stays in the root, which has no
 * controllers' no-internal-process rule; a boot that never settles (a
 * unit restarting without a start limit) leaves it there. */
static void pass_own_leaf(struct manager *m)
{
	int r;

	if (!m->opt.own_leaf || m->own_leaf_done || !(m->settled_at || m->rescue) ||
	    !cgroup_tree_enabled(&m->cg))
		return;
	m->own_leaf_done = true;
	r = cgroup_move_self(&m->cg, "init.scope");
	if (r < 0)
		log_warn("cannot move initd into /init.scope: %s", strerror(-r));
}

/* ---- which units a pass looks at ------------------------------------------- */

#define MARK_BITS 64
_Static_assert(UNIT_MAX < (1 << 22), "struct svc's pass_pos has 22 bits");

static void bit_set(uint64_t *bits, size_t k, bool on)
{
	uint64_t b = UINT64_C(1) << (k % MARK_BITS);

	bits[k / MARK_BITS] = on ? bits[k / MARK_BITS] | b : bits[k / MARK_BITS] & ~b;
}

static void pass_mark_pos(struct manager *m, size_t k)
{
	if (k < m->pass_marks_n)
		bit_set(m->pass_marks, k, true);
}

static void pass_mark_all(struct manager *m)
{
	size_t words = (m->pass_marks_n + MARK_BITS - 1) / MARK_BITS;

	if (!words)
		return;
	memset(m->pass_marks, 0xff, words * sizeof(*m->pass_marks));
	if (m->pass_marks_n % MARK_BITS)   /* no bit past the last unit */
		m->pass_marks[words - 1] = (UINT64_C(1) << (m->pass_marks_n % MARK_BITS)) - 1;
}

static void pass_mark_named(struct manager *m, char *const *names)
{
	for (; names && *names; names++) {
		struct service *s = manager_find(m, *names);

		if (s)
			pass_mark_pos(m, svc_of(s)->pass_pos);
	}
}

void pass_index_free(struct manager *m)
{
	free(m->pass_marks);
	free(m->pass_waiting);
	m->pass_marks = m->pass_waiting = NULL;
	m->pass_marks_n = 0;
}

int pass_index(struct manager *m)
{
	size_t n = m->n_svcs, words = (n + MARK_BITS - 1) / MARK_BITS;

	pass_index_free(m);
	m->pass_marks = calloc(words ? words : 1, sizeof(*m->pass_marks));
	m->pass_waiting = calloc(words ? words : 1, sizeof(*m->pass_waiting));
	if (!m->pass_marks || !m->pass_waiting) {
		pass_index_free(m);
		return -ENOMEM;
	}
	m->pass_marks_n = n;
	for (size_t k = 0; k < n; k++) {
		struct svc *v = m->svcs[m->order ? m->order[k] : k];

		v->pass_pos = (uint32_t)k;
		bit_set(m->pass_waiting, k, v->s.state == SERVICE_WAITING);
	}
	pass_mark_all(m);
	return 0;
}

/* The first marked position from k on, its mark taken; n_svcs when none.
 * skip_waiting: not one marked as waiting (its mark stays). Without the
 * bitmaps every position counts as marked. */
static size_t pass_take(struct manager *m, size_t k, bool skip_waiting)
{
	size_t n = m->n_svcs;

	if (!m->pass_marks)
		return k < n ? k : n;
	while (k < n && k < m->pass_marks_n) {
		size_t w = k / MARK_BITS;
		uint64_t bits = m->pass_marks[w] & (~UINT64_C(0) << (k % MARK_BITS));

		if (skip_waiting)
			bits &= ~m->pass_waiting[w];
		if (bits) {
			k = w * MARK_BITS + (size_t)__builtin_ctzll(bits);
			bit_set(m->pass_marks, k, false);
			return k < n ? k : n;
		}
		k = (w + 1) * MARK_BITS;
	}
	return n;
}

/* One unit's turn in the pass; false when it waits for the next loop
 * iteration's spawn budget. */
static bool pass_one(struct manager *m, struct svc *v)
{
	if (m->shutdown != SHUTDOWN_NONE) {
		v->stop_after_dependents = false;   /* the shutdown's order rules */
		pass_shutdown_one(m, v);
		return true;
	}
	/* An operator's stop first: a unit a reload changed meanwhile still
	 * goes down after the units that require it (reload_kick left it). */
	if (v->stop_after_dependents && pass_stop_after_dependents(m, v))
		return true;
	if (v->pending_unit) {
		/* Its stop for the swap, unless under way (an operator's stop
		 * that held it up was called off by a start meanwhile);
		 * reload_pass swaps it in and restarts it once down. A
		 * signal wakes the service, which may take the CPU from PID
		 * 1: a reload changing thousands is a wave, as a boot is. */
		if (service_is_active(&v->s) && v->s.state != SERVICE_STOPPING) {
			if (!manager_round_take(m))
				return false;
			service_stop_for_reload(&v->s);
		}
		return true;
	}
	if (v->s.state == SERVICE_WAITING && v->s.want_running) {
		if (!spawn_budget_left(m)) {
			pass_later(m);
			return false;
		}
		if (pass_may_start(m, v)) {
			service_deps_ready(&v->s);
			m->spawns++;
			if (!m->first_spawn_at && v->s.state == SERVICE_STARTING)
				m->first_spawn_at = v->s.started_at;
		}
	} else if (v->s.state == SERVICE_STARTING || v->s.state == SERVICE_RUNNING ||
		   v->s.state == SERVICE_RESTARTING) {
		/* In its restart delay too: a requirement that failed fails it
		 * now, not once the delay (up to restart_delay_max) is out. */
		pass_check_requires(m, v);
		if (v->s.state == SERVICE_STARTING || v->s.state == SERVICE_RUNNING)
			pass_check_joined(m, v);
	}
	return true;
}

static void manager_pass(struct loop *l, void *data)
{
	struct manager *m = data;

	m->pass_scheduled = false;
	reload_pass(m);
	/* A unit stops once every unit that depends on it has: all of them
	 * are looked at while shutting down (once per boot). */
	if (m->shutdown != SHUTDOWN_NONE)
		pass_mark_all(m);
	/* In start order; a mark made on the way at a later position is
	 * taken in this pass, at an earlier one in the next (scheduled by
	 * whatever made it). Once the budget is spent, the waiting units
	 * keep their marks for the next round unread: a wave of n starts
	 * reads each unit about once, not n / MANAGER_SPAWNS_PER_ROUND
	 * times. */
	bool spent = false;

	for (size_t k = pass_take(m, 0, false); k < m->n_svcs; k = pass_take(m, k + 1, spent)) {
		if (!pass_one(m, m->svcs[m->order ? m->order[k] : k])) {
			pass_mark_pos(m, k);
			spent = true;
		}
	}
	if (m->booted || m->rescue)
		manager_cgroup_idle_leaves(m);   /* a refused leaf escalates below */
	if (m->shutdown == SHUTDOWN_NONE)
		pass_escalate(m);
	if (m->shutdown != SHUTDOWN_NONE && manager_all_stopped(m))
		shutdown_finish(m);
	/* The boot's end for svctl analyze: once, whatever reloads follow. */
	if (m->booted && !m->settled_at && m->shutdown == SHUTDOWN_NONE && manager_all_settled(m))
		m->settled_at = now_usec();
	pass_own_leaf(m);
	notify_settled(m);
	reload_needs_drop(m);
	if (m->pass_hook)
		m->pass_hook(m->pass_ctx);
}

static void pass_schedule(struct manager *m)
{
	if (m->pass_scheduled)
		return;
	if (loop_defer(m->loop, manager_pass, m) == 0)
		m->pass_scheduled = true;
}

/* The spawn budget's next round: the marks left are the units to go on with. */
void pass_timer_fired(struct loop *l, void *data)
{
	pass_schedule(data);
}

void manager_schedule(struct manager *m)
{
	pass_mark_all(m);
	pass_schedule(m);
}

void manager_schedule_svc(struct manager *m, struct svc *v)
{
	/* A unit a reload removed has no position, and no unit depends on
	 * it any more: reload_pass frees it once it stopped. A unit stopping
	 * for its swap is in the graph as its new unit. At a shutdown, or an
	 * operator's stop, the units either's running unit required or came
	 * after wait for it (reload_going_down_needs): those are looked at
	 * again (by name: not every unit, at each step of each of thousands
	 * removed). */
	if (v->removed || v->pending_unit) {
		pass_mark_named(m, v->s.unit->requires);
		pass_mark_named(m, v->s.unit->after);
	}
	if (!v->removed && v->pass_pos < m->pass_marks_n) {
		bit_set(m->pass_waiting, v->pass_pos, v->s.state == SERVICE_WAITING);
		pass_mark_pos(m, v->pass_pos);
		for (size_t k = 0; k < v->deps->n_dependents; k++)
			pass_mark_pos(m, m->svcs[v->deps->dependents[k]]->pass_pos);
		/* a unit v requires or comes after whose stop waits for it
		 * (pass_stop_after_dependents waits for every dependent) */
		for (size_t k = 0; k < v->deps->n_requires; k++)
			if (m->svcs[v->deps->requires[k]]->stop_after_dependents)
				pass_mark_pos(m, m->svcs[v->deps->requires[k]]->pass_pos);
		for (size_t k = 0; k < v->deps->n_after; k++)
			if (m->svcs[v->deps->after[k]]->stop_after_dependents)
				pass_mark_pos(m, m->svcs[v->deps->after[k]]->pass_pos);
	}
	pass_schedule(m);
}
