/* service.c — the service state machine: its transition table, then the
 * events that move it. */
#include "initd/service.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initd/log.h"

static const char *const state_names[SERVICE_STATE_MAX] = {
	[SERVICE_STOPPED] = "stopped",
	[SERVICE_WAITING] = "waiting",
	[SERVICE_STARTING] = "starting",
	[SERVICE_RUNNING] = "running",
	[SERVICE_STOPPING] = "stopping",
	[SERVICE_RESTARTING] = "restarting",
	[SERVICE_EXITED] = "exited",
	[SERVICE_FAILED] = "failed",
	[SERVICE_BAD_CONFIG] = "bad-config",
};

const char *service_state_to_string(enum service_state st)
{
	return st < SERVICE_STATE_MAX ? state_names[st] : "unknown";
}

bool service_is_ready(const struct service *s)
{
	return s->state == SERVICE_RUNNING ||
	       (s->state == SERVICE_EXITED && s->unit->type == UNIT_ONESHOT);
}

bool service_is_settled(const struct service *s)
{
	switch (s->state) {
	case SERVICE_WAITING:
	case SERVICE_STARTING:
	case SERVICE_STOPPING:
		return false;
	case SERVICE_RESTARTING:
		return !s->want_running;
	default:
		return true;
	}
}

bool service_is_active(const struct service *s)
{
	return s->pid > 0 || s->state == SERVICE_STARTING || s->state == SERVICE_RUNNING ||
	       s->state == SERVICE_STOPPING || s->state == SERVICE_RESTARTING;
}

bool service_is_failing(const struct service *s)
{
	return s->state == SERVICE_STOPPING && s->stop_cause == STOP_DEPENDENCY &&
	       !s->want_running;
}

static void watchdog_fired(struct loop *l, void *data);
static void main_poll_fired(struct loop *l, void *data);
static void probe_timer_fired(struct loop *l, void *data);
static void rekill_fired(struct loop *l, void *data);

/* Arm one of s->cold_timers, made at the first use. Memory short: not
 * armed, said (a watchdog not kept, a probe or search for the daemon not
 * run: the start timeout still ends the start). */
static void cold_arm(struct service *s, enum service_cold_timer t, uint64_t deadline)
{
	static const loop_timer_fn fn[SERVICE_COLD_TIMERS] = {
		[SERVICE_WATCHDOG] = watchdog_fired,
		[SERVICE_PROBE_TIMER] = probe_timer_fired,
		[SERVICE_MAIN_POLL] = main_poll_fired,
		[SERVICE_REKILL] = rekill_fired,
	};

	if (!s->cold_timers) {
		s->cold_timers = malloc(SERVICE_COLD_TIMERS * sizeof(*s->cold_timers));
		if (!s->cold_timers) {
			log_error("%s: out of memory for a timer", s->unit->name);
			return;
		}
		for (int i = 0; i < SERVICE_COLD_TIMERS; i++)
			loop_timer_init(&s->cold_timers[i], fn[i], s);
	}
	loop_timer_arm(s->loop, &s->cold_timers[t], deadline);
}

static void cold_cancel(struct service *s, enum service_cold_timer t)
{
	if (s->cold_timers)
		loop_timer_cancel(s->loop, &s->cold_timers[t]);
}

static bool cold_armed(const struct service *s, enum service_cold_timer t)
{
	return s->cold_timers && loop_timer_armed(&s->cold_timers[t]);
}

static void watchdog_arm(struct service *s)
{
	if (s->unit->watchdog_usec && !s->suspended)
		cold_arm(s, SERVICE_WATCHDOG, now_usec() + s->unit->watchdog_usec);
}

/* notify, oneshot and forking units wait for a signal of readiness
 * (READY=1, a clean exit, the daemon's PID) that may never come, and so
 * does a unit with a ready probe: bounded by start_timeout, which so covers
 * a forking unit's whole start (the starter not exiting, the pid file never
 * appearing) and every ready probe until one succeeds. */
static void start_timeout_arm(struct service *s)
{
	s->start_extended = false;
	if (s->unit->start_timeout_usec &&
	    (s->unit->type != UNIT_SIMPLE || s->unit->opt->ready.kind != UNIT_PROBE_NONE))
		loop_timer_arm(s->loop, &s->timer, now_usec() + s->unit->start_timeout_usec);
}

/* How often a leaf killed one by one is killed again: a tenth of the stop
 * timeout, from 1ms to 1s. */
static uint64_t rekill_interval(const struct service *s)
{
	uint64_t d = s->unit->stop_timeout_usec / 10;

	return d < USEC_PER_MSEC ? USEC_PER_MSEC : d > USEC_PER_SEC ? USEC_PER_SEC : d;
}

/* Kill everything the unit has left: kill_all (its leaf). Processes killed
 * one by one (cgroup.kill failed) may have forked a child meanwhile, and
 * no empty event would come: killed again from SERVICE_REKILL, unless that
 * already runs. Where kill_all fails outright (cgroup.kill refused and its
 * processes not even listed: the manager said why), the main process
 * still gets SIGKILL through its pidfd, and its exit is what is waited
 * for; without one nothing would tell an end, so the wait ends now, what
 * is left said. What could not be killed after SERVICE_REKILLS tries is
 * not waited for again in this run (rekill_gave_up). 1: nothing to wait
 * for, 0: an end will be told (the empty event, the exit, the timer). */
static int kill_everything(struct service *s)
{
	int r;

	if (s->rekill_gave_up)
		return 1;
	r = s->ops->kill_all(s);
	if (r > 1) {
		if (!cold_armed(s, SERVICE_REKILL)) {
			s->rekills = 0;
			cold_arm(s, SERVICE_REKILL, now_usec() + rekill_interval(s));
		}
		if (cold_armed(s, SERVICE_REKILL))
			return 0;
		r = -ENOMEM;   /* no timer: nothing would ask again */
	}
	if (r >= 0)
		return r;
	if (s->pid > 0) {
		s->ops->signal(s, SIGKILL);
		return 0;
	}
	log_error("%s: cannot kill what is left in its cgroup (%s): not waiting for it",
		  s->unit->name, strerror(-r));
	return 1;
}

/* Every change of state the machine makes, and what makes it. The unit
 * tests walk each row (tests/unit/test_service.c). */
#define T(f, t, ev) { SERVICE_##f, SERVICE_##t, ev }
const struct service_transition service_transitions[] = {
	T(STOPPED,    WAITING,    "start, or pulled in by a dependent"),
	T(STOPPED,    BAD_CONFIG, "reload: the unit no longer parses"),
	T(STOPPED,    FAILED,     "its cgroup leaf refused by the kernel (a unit not started)"),
	T(WAITING,    STARTING,   "dependencies ready: spawned"),
	T(WAITING,    FAILED,     "start limit, spawn failed, a required unit or mount failed"),
	T(WAITING,    STOPPED,    "stop"),
	T(WAITING,    STOPPING,   "stop, while leftovers of a run are killed"),
	T(WAITING,    BAD_CONFIG, "reload: the unit no longer parses"),
	T(STARTING,   RUNNING,    "exec (simple), READY=1 (notify), main PID known (forking); "
				  "then the ready probe's first success"),
	T(STARTING,   EXITED,     "exit 0 (oneshot), no restart"),
	T(STARTING,   FAILED,     "exit (before ready: a failure), no restart"),
	T(STARTING,   RESTARTING, "exit, restart wanted"),
	T(STARTING,   STOPPING,   "stop, start timeout, a required unit failed, "
				  "no main PID (forking)"),
	T(STARTING,   STOPPED,    "exit while an operator's stop waits (service_stop_later)"),
	T(RUNNING,    EXITED,     "clean exit, no restart"),
	T(RUNNING,    FAILED,     "exit, no restart"),
	T(RUNNING,    RESTARTING, "exit, restart wanted"),
	T(RUNNING,    STOPPING,   "stop, a required unit failed, health probe failed, "
				  "the shutdown's timeout (killed)"),
	T(RUNNING,    STOPPED,    "exit while an operator's stop waits (service_stop_later)"),
	T(STOPPING,   STOPPED,    "exit and empty leaf"),
	T(STOPPING,   WAITING,    "exit and empty leaf, started again meanwhile"),
	T(STOPPING,   FAILED,     "exit: stopped for a failed dependency, or a start "
				  "timeout, refused main PID or failed health probe without "
				  "restart"),
	T(STOPPING,   RESTARTING, "exit after a start timeout, a refused main PID or a "
				  "failed health probe, restart wanted"),
	T(RESTARTING, WAITING,    "backoff over (or none), leaf empty; or an operator's start: "
				  "it starts as a start does, once its requirements are ready"),
	T(RESTARTING, FAILED,     "a required unit failed"),
	T(RESTARTING, STOPPED,    "stop, a required unit stopped"),
	T(RESTARTING, STOPPING,   "stop, while leftovers of a run are killed"),
	T(EXITED,     WAITING,    "start, or pulled in by a dependent"),
	T(EXITED,     BAD_CONFIG, "reload: the unit no longer parses"),
	T(FAILED,     WAITING,    "start"),
	T(FAILED,     BAD_CONFIG, "reload: the unit no longer parses"),
	T(BAD_CONFIG, STOPPED,    "reload: the unit parses again"),
};
#undef T
const size_t service_n_transitions = ARRAY_SIZE(service_transitions);

bool service_transition_allowed(enum service_state from, enum service_state to)
{
	for (size_t i = 0; i < service_n_transitions; i++)
		if (service_transitions[i].from == from && service_transitions[i].to == to)
			return true;
	return false;
}

static void probes_follow_state(struct service *s);

unsigned service_transitions_outside_table;

/* The one place where the state changes. A change the table does not have
 * is a bug in initd, but PID 1 must go on: it is said, counted and made. */
static void service_set_state(struct service *s, enum service_state st)
{
	enum service_state old = s->state;

	if (old == st)
		return;
	if (!service_transition_allowed(old, st)) {
		service_transitions_outside_table++;
		log_warn("%s: state %s -> %s is not in the transition table", s->unit->name,
			 service_state_to_string(old), service_state_to_string(st));
	}
	s->state = st;
	s->state_since = now_usec();
	if (st == SERVICE_WAITING)
		s->requested_at = s->state_since;
	else if ((st == SERVICE_RUNNING || st == SERVICE_EXITED) && old == SERVICE_STARTING)
		s->ready_at = s->state_since;   /* exited: a oneshot's success */
	/* s->timer is the start timeout while starting, and only then; the
	 * states that follow arm it for themselves after this. */
	if (st == SERVICE_STARTING)
		start_timeout_arm(s);
	else if (old == SERVICE_STARTING) {
		loop_timer_cancel(s->loop, &s->timer);
		cold_cancel(s, SERVICE_MAIN_POLL);
	}
	/* The watchdog runs while the service is ready, and only then. */
	if (st == SERVICE_RUNNING)
		watchdog_arm(s);
	else
		cold_cancel(s, SERVICE_WATCHDOG);
	probes_follow_state(s);
	if (s->ops->changed)
		s->ops->changed(s, old);
}

void service_exit_set(struct service_exit *e, struct service_exit v)
{
	free(e->detail);
	*e = v;
}

void service_exit_describe(struct service_exit *e, const char *fmt, ...)
{
	char buf[SERVICE_EXIT_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(e->detail);
	e->detail = buf[0] ? strdup(buf) : NULL;
}

void service_exit_copy(struct service_exit *dst, const struct service_exit *src)
{
	service_exit_set(dst, *src);
	dst->detail = src->detail ? strdup(src->detail) : NULL;
}

void service_exit_free(struct service_exit *e)
{
	free(e->detail);
	e->detail = NULL;
}

static void service_record_exit(struct service *s, enum exit_kind kind, int code)
{
	service_exit_set(&s->last_exit,
			 (struct service_exit){ .kind = kind, .code = code, .at = now_usec() });
}

/* ---- probes (issue 15) --------------------------------------------------- */

/* The last probe failure, truncated to SERVICE_PROBE_WHY_MAX; NULL clears
 * it (memory short: none said). */
static void probe_why_set(struct service *s, const char *why)
{
	free(s->probe_why);
	s->probe_why = why ? strndup(why, SERVICE_PROBE_WHY_MAX - 1) : NULL;
}

static void probe_arm(struct service *s, uint64_t delay)
{
	cold_arm(s, SERVICE_PROBE_TIMER, now_usec() + delay);
}

static void probe_stop(struct service *s)
{
	cold_cancel(s, SERVICE_PROBE_TIMER);
	if (s->probe_running && s->ops->probe_cancel)
		s->ops->probe_cancel(s);
	s->probe_running = false;
}

/* Probes run while starting (ready, once the type's own sign came) and
 * while running (health), and only then: entering running schedules the
 * first health probe one interval later; any other state ends probing. */
static void probes_follow_state(struct service *s)
{
	if (s->state == SERVICE_STARTING && s->type_ready)
		return;
	probe_stop(s);
	s->probe_failures = 0;
	if (s->state == SERVICE_RUNNING && s->unit->opt->health.kind != UNIT_PROBE_NONE)
		probe_arm(s, s->unit->opt->health.interval_usec);
}

static const struct unit_probe *probe_due(const struct service *s)
{
	if (s->suspended)
		return NULL;
	if (s->state == SERVICE_STARTING && s->type_ready)
		return &s->unit->opt->ready;
	if (s->state == SERVICE_RUNNING && s->unit->opt->health.kind != UNIT_PROBE_NONE)
		return &s->unit->opt->health;
	return NULL;
}

static void probe_run(struct service *s)
{
	const struct unit_probe *p = probe_due(s);
	char why[SERVICE_PROBE_WHY_MAX];
	int r;

	if (!p || s->probe_running)
		return;
	r = s->ops->probe_start ? s->ops->probe_start(s, p) : -ENOSYS;
	if (r == 0) {
		s->probe_running = true;
		return;
	}
	if (r == -EBUSY) {
		probe_arm(s, p->interval_usec);   /* not the service's fault */
		return;
	}
	snprintf(why, sizeof(why), "cannot run the probe: %s", strerror(-r));
	service_on_probe(s, false, why);
}

static void probe_timer_fired(struct loop *l, void *data)
{
	probe_run(data);
}

static void service_send_stop(struct service *s);

/* A stop for a failure of the unit's own (start timeout, health probe,
 * refused main PID), cause. While an operator's stop waits for the units
 * requiring it (service_stop_later) it is that stop: the unit ends
 * stopped, "stopped by svctl", not failed (no restart, no failure
 * action), as an exit meanwhile does. */
static void service_stop_for_failure(struct service *s, enum stop_cause cause)
{
	bool stop_waits = !s->want_running && s->stop_cause == STOP_OPERATOR;

	service_send_stop(s);
	s->stop_cause = stop_waits ? STOP_OPERATOR : cause;
}

/* The health probe failed `failures` times in a row: stopped as a stop
 * does, still wanted, the exit a failure for the restart policy. SIGCONT
 * after the stop signal: a stopped process would not see it. */
static void service_health_failed(struct service *s)
{
	service_record_exit(s, EXIT_HEALTH, 0);
	service_exit_describe(&s->last_exit, "%s", s->probe_why ? s->probe_why : "");
	service_stop_for_failure(s, STOP_HEALTH);
	if (s->pid > 0)
		s->ops->signal(s, SIGCONT);
}

void service_on_probe(struct service *s, bool ok, const char *why)
{
	const struct unit_probe *p;

	s->probe_running = false;
	p = probe_due(s);
	if (!p)
		return;   /* a verdict that came as the state changed */
	if (ok && p == &s->unit->opt->ready) {
		probe_why_set(s, NULL);
		service_set_state(s, SERVICE_RUNNING);
		return;
	}
	if (ok) {
		s->probe_failures = 0;
	} else {
		probe_why_set(s, why && *why ? why : "failed");
		if (s->probe_failures < UINT_MAX)   /* a ready probe may fail for ever */
			s->probe_failures++;
	}
	if (!ok && p == &s->unit->opt->health && s->probe_failures >= p->failures) {
		service_health_failed(s);
		return;
	}
	probe_arm(s, p->interval_usec);
}

void service_on_probe_not_run(struct service *s)
{
	const struct unit_probe *p;

	s->probe_running = false;
	p = probe_due(s);
	if (p)   /* else a verdict that came as the state changed */
		probe_arm(s, p->interval_usec);
}

/* Frozen (manager_freeze.c): a frozen process can neither pet its
 * watchdog nor answer a probe, so neither runs; thawed, both start afresh
 * (a whole watchdog interval, the health count from zero). */
void service_suspend(struct service *s, bool on)
{
	if (s->suspended == on)
		return;
	s->suspended = on;
	if (on) {
		cold_cancel(s, SERVICE_WATCHDOG);
		probe_stop(s);
		return;
	}
	if (s->state == SERVICE_RUNNING)
		watchdog_arm(s);
	probes_follow_state(s);
}

/* The type's own sign of readiness came (exec, READY=1, the daemon's PID):
 * running; with a ready probe, probing at once until it succeeds. */
static void service_type_ready(struct service *s)
{
	if (s->unit->opt->ready.kind == UNIT_PROBE_NONE) {
		service_set_state(s, SERVICE_RUNNING);
		return;
	}
	if (s->type_ready)
		return;
	s->type_ready = true;
	probe_run(s);
}

static void timer_fired(struct loop *l, void *data);
static void stop_without_main(struct service *s);

static void setup_error_clear(struct service *s)
{
	free(s->setup_error.detail);
	s->setup_error.detail = NULL;
	s->setup_error.set = false;
}

/* The child's report becomes the exit (its detail truncated as any). */
static void setup_error_take(struct service *s)
{
	service_exit_set(&s->last_exit, (struct service_exit){
		.kind = EXIT_SETUP, .stage = s->setup_error.stage, .code = s->setup_error.code,
		.at = s->setup_error.at
	});
	service_exit_describe(&s->last_exit, "%s",
			      s->setup_error.detail ? s->setup_error.detail : "");
}

void service_init(struct service *s, const struct unit *u, const struct service_ops *ops,
		  struct loop *l)
{
	memset(s, 0, sizeof(*s));
	s->unit = u;
	s->ops = ops;
	s->loop = l;
	s->pidfd = -1;
	s->state = u->bad ? SERVICE_BAD_CONFIG : SERVICE_STOPPED;
	s->state_since = now_usec();
	s->restart_delay = u->restart_delay_usec;
	loop_timer_init(&s->timer, timer_fired, s);
}

void service_set_status_text(struct service *s, const char *text)
{
	char *t = text && *text ? strdup(text) : NULL;

	free(s->status_text);   /* allocated only for services that send STATUS= */
	s->status_text = t;
}

void service_done(struct service *s)
{
	free(s->status_text);
	s->status_text = NULL;
	free(s->limit_starts);
	s->limit_starts = NULL;
	if (s->limit_exit)
		service_exit_free(s->limit_exit);
	free(s->limit_exit);
	s->limit_exit = NULL;
	service_exit_free(&s->last_exit);
	probe_why_set(s, NULL);
	setup_error_clear(s);
	loop_timer_cancel(s->loop, &s->timer);
	cold_cancel(s, SERVICE_WATCHDOG);
	cold_cancel(s, SERVICE_MAIN_POLL);
	cold_cancel(s, SERVICE_REKILL);
	probe_stop(s);
	free(s->cold_timers);
	s->cold_timers = NULL;
}

/* A new count of starts (an operator's start, a fresh start after a
 * failure, a reload): the next start is its first. */
static void start_limit_reset(struct service *s)
{
	s->limit_count = 0;
	s->restart_delay = s->unit->restart_delay_usec;
}

void service_replace_unit(struct service *s, const struct unit *u)
{
	s->unit = u;
	start_limit_reset(s);
	free(s->limit_starts);   /* its size is the old unit's burst */
	s->limit_starts = NULL;
	if (u->bad)
		service_set_state(s, SERVICE_BAD_CONFIG);
	else if (s->state == SERVICE_BAD_CONFIG)
		service_set_state(s, SERVICE_STOPPED);
}

/* ---- starting ----------------------------------------------------------- */

/* A burst too large for a ring of its starts (1000000 in the bench, to
 * turn the limit off): windows that begin at a start, more than `burst`
 * starts in one hit it, as systemd counts them. */
static bool start_window_hit(struct service *s, uint64_t now, const struct unit *u)
{
	if (now - s->limit_starts[0] > u->start_limit_interval_usec) {
		s->limit_starts[0] = now;
		s->limit_count = 1;
		return false;
	}
	return ++s->limit_count > u->start_limit_burst;
}

/* Start limit: more than `burst` starts within any `interval` hits it (a
 * window that begins at the first start would miss a crash loop that
 * begins late in it: the end of one window and the start of the next
 * each see fewer, and the backoff outgrows the interval before a later
 * window fills). The start burst starts before this one is the ring's
 * slot this one takes. No memory for the ring at the second start: no
 * limit until a start finds some (said in the log). */
static bool start_limit_hit(struct service *s, uint64_t now)
{
	const struct unit *u = s->unit;
	unsigned burst = u->start_limit_burst, slot;
	bool exact = burst <= START_LIMIT_EXACT_BURST;

	if (s->limit_count == 0) {   /* its time is started_at, from here on */
		s->limit_count = 1;
		return false;
	}
	if (!s->limit_starts &&
	    !(s->limit_starts = calloc(exact ? burst : 1, sizeof(*s->limit_starts)))) {
		log_error("%s: no memory to count its starts: no start limit for now", u->name);
		return false;
	}
	if (s->limit_count == 1)
		s->limit_starts[0] = s->started_at;
	if (!exact)
		return start_window_hit(s, now, u);
	slot = s->limit_count % burst;
	if (s->limit_count >= burst && now - s->limit_starts[slot] <= u->start_limit_interval_usec)
		return true;   /* this start would be the (burst + 1)th within it */
	s->limit_starts[slot] = now;
	/* 2 * burst and burst name the same slot: the count stays small. */
	if (++s->limit_count == 2 * burst)
		s->limit_count = burst;
	return false;
}

/* A unit failed by its start limit records that as its last exit, but
 * its last run's process did end, and how and when (limit_exit: "exit 3"
 * at its exit, not at the refused restart) is what a crash loop's
 * scraper and boot chart need. */
const struct service_exit *service_last_run_exit(const struct service *s)
{
	if (s->last_exit.kind == EXIT_START_LIMIT && s->limit_exit)
		return s->limit_exit;
	return &s->last_exit;
}

static void service_fail(struct service *s, enum exit_kind kind, int code)
{
	if (kind != EXIT_NONE)
		service_record_exit(s, kind, code);
	s->want_running = false;
	loop_timer_cancel(s->loop, &s->timer);
	service_set_state(s, SERVICE_FAILED);
}

static void service_spawn(struct service *s)
{
	uint64_t now = now_usec();
	int r;

	if (start_limit_hit(s, now)) {
		if (!s->limit_exit)
			s->limit_exit = calloc(1, sizeof(*s->limit_exit));
		if (s->limit_exit)
			service_exit_copy(s->limit_exit, &s->last_exit);
		service_fail(s, EXIT_START_LIMIT, 0);
		return;
	}
	s->restarted = false;
	s->start_asked = false;
	/* a new run: what the last one left no longer counts (the rekill
	 * timer must not kill the new run) */
	cold_cancel(s, SERVICE_REKILL);
	s->rekill_gave_up = false;
	s->exec_seen = false;
	s->main_found = false;
	s->main_guessed = false;
	s->starter_pid = 0;
	s->main_poll_delay = SERVICE_MAIN_POLL_FIRST;
	s->stop_timed_out = false;
	s->stop_cause = STOP_NONE;
	s->watchdog_fired = false;
	s->type_ready = false;
	probe_why_set(s, NULL);
	s->probe_failures = 0;
	s->notify_errno = 0;
	/* The last run's STATUS= is not this one's (svctl status would show
	 * "ready, 12 jobs done" while it starts). */
	service_set_status_text(s, NULL);
	setup_error_clear(s);
	s->started_at = now;
	if (s->state != SERVICE_WAITING)
		s->requested_at = now;   /* a restart: asked for by its timer */
	s->exec_at = 0;
	s->ready_at = 0;
	r = s->ops->spawn(s);
	if (r < 0) {
		/* The ops may have said why already (a cgroup leaf they could
		 * not make: EXIT_CGROUP with its reason, stamped now): keep it. */
		bool said = s->last_exit.kind == EXIT_CGROUP && s->last_exit.at >= now;

		service_fail(s, said ? EXIT_NONE : EXIT_SPAWN, -r);
		return;
	}
	service_set_state(s, SERVICE_STARTING);
}

/* A start asked while s stops for a failure: a fresh start once down, as
 * of a failed unit (a new start limit window, no backoff). */
static void start_after_failure(struct service *s)
{
	s->start_asked = true;
	start_limit_reset(s);
}

void service_start(struct service *s)
{
	s->restarted = false;   /* asked for: after units hold it as at boot */
	switch (s->state) {
	case SERVICE_BAD_CONFIG:
		return;
	case SERVICE_STOPPED:
	case SERVICE_EXITED:
	case SERVICE_FAILED:
		/* An operator's start is a fresh start: new window, no backoff. */
		s->want_running = true;
		start_limit_reset(s);
		service_set_state(s, SERVICE_WAITING);
		return;
	case SERVICE_STOPPING:
		/* Comes back once stopped (service_after_exit). Stopping
		 * for a failed requirement: a start after that failure, as
		 * of a failed unit, with a new window and no backoff; a
		 * stop after it is a plain stop (service_stop_by_operator). */
		if (service_is_failing(s))
			start_after_failure(s);
		s->want_running = true;
		return;
	case SERVICE_STARTING:
	case SERVICE_RUNNING:
		if (s->stop_cause == STOP_OPERATOR)
			s->stop_cause = STOP_NONE;   /* a stop that waited: called off */
		/* fall through */
	case SERVICE_RESTARTING:
	case SERVICE_WAITING:
		s->want_running = true;
		return;
	case SERVICE_STATE_MAX:
		return;
	}
}

void service_pull_in(struct service *s)
{
	s->restarted = false;   /* a start a dependent asked for */
	if (s->state != SERVICE_STOPPED && s->state != SERVICE_EXITED) {
		service_start(s);
		return;
	}
	s->want_running = true;
	service_set_state(s, SERVICE_WAITING);
}

void service_deps_ready(struct service *s)
{
	bool restart = s->restarted, beside = false;

	if (s->state != SERVICE_WAITING || !s->want_running)
		return;
	if (!s->ops->is_empty(s)) {
		/* Leftovers of the previous run are still being killed; those
		 * that cannot be are not waited for. */
		if (kill_everything(s) == 0)
			return;
		beside = !s->ops->is_empty(s);
	}
	service_spawn(s);
	/* Said, so that nobody takes what they do next for the new run's. */
	if (beside && s->state == SERVICE_STARTING)
		log_warn("%s: %s with processes of its last run left in its cgroup "
			 "(they could not be killed)", s->unit->name,
			 restart ? "restarted" : "started");
}

/* A stop that is a failure of the unit's own: the restart policy judges
 * its exit (a dependency's failure is its own case). */
static bool stop_is_failure(const struct service *s)
{
	return s->state == SERVICE_STOPPING && (s->stop_cause == STOP_START_TIMEOUT ||
						s->stop_cause == STOP_MAIN_REFUSED ||
						s->stop_cause == STOP_HEALTH);
}

/* svctl start of a unit waiting out its restart backoff: a fresh start
 * now, as of a failed unit (a new start limit window, no backoff). It is
 * the restart it cuts short: its required units hold it, those it comes
 * after do not (it got past them at its first start, and one of them in a
 * backoff of its own would hold it that long). What its last run left in
 * its leaf is killed first (service_deps_ready). */
static void backoff_called_off(struct service *s)
{
	start_limit_reset(s);
	loop_timer_cancel(s->loop, &s->timer);
	s->restarted = true;
	service_set_state(s, SERVICE_WAITING);
}

void service_start_by_operator(struct service *s)
{
	bool backoff = s->state == SERVICE_RESTARTING;

	if (stop_is_failure(s))
		start_after_failure(s);
	service_start(s);
	if (backoff)
		backoff_called_off(s);
}

static void service_dep_fail(struct service *s, const char *dep, const char *reason, int code)
{
	if (s->state == SERVICE_BAD_CONFIG)
		return;
	service_record_exit(s, EXIT_DEPENDENCY, code);
	service_exit_describe(&s->last_exit, "%s%s%s", dep, reason && *reason ? ": " : "",
			      reason ? reason : "");
	/* Through a stop while a process or leftovers remain (in its restart
	 * delay, leftovers of its last run may still be dying): failed once
	 * they are gone, so that a shutdown or a reload waits for them. */
	if (s->pid > 0 || s->state == SERVICE_STARTING || s->state == SERVICE_RUNNING ||
	    ((s->state == SERVICE_RESTARTING || s->state == SERVICE_WAITING) &&
	     !s->ops->is_empty(s))) {
		service_stop(s);
		s->stop_cause = STOP_DEPENDENCY;
		return;
	}
	service_fail(s, EXIT_NONE, 0);
}

void service_setup_refused(struct service *s)
{
	if (s->state == SERVICE_STOPPED)
		service_fail(s, EXIT_NONE, 0);
}

void service_mount_failed(struct service *s, const char *why)
{
	if (s->state != SERVICE_WAITING)
		return;
	service_record_exit(s, EXIT_MOUNT, 0);
	service_exit_describe(&s->last_exit, "%s", why);
	service_fail(s, EXIT_NONE, 0);
}

void service_dep_failed(struct service *s, const char *dep, const char *reason)
{
	service_dep_fail(s, dep, reason, 0);
}

void service_dep_not_started(struct service *s, const char *dep, const char *why)
{
	service_dep_fail(s, dep, why, 1);
}

void service_requirement_stopped(struct service *s, const char *dep, bool exited)
{
	service_record_exit(s, EXIT_REQUIREMENT, exited);
	service_exit_describe(&s->last_exit, "%s", dep);
	service_stop(s);
	if (s->state == SERVICE_STOPPING)
		s->stop_cause = STOP_REQUIREMENT;
}

void service_stop_for_reload(struct service *s)
{
	service_record_exit(s, EXIT_RELOAD, 0);
	service_stop(s);
	if (s->state == SERVICE_STOPPING)
		s->stop_cause = STOP_RELOAD;
}

/* ---- events while starting --------------------------------------------- */

void service_on_exec(struct service *s)
{
	s->exec_seen = true;
	s->exec_at = now_usec();
	if (s->state == SERVICE_STARTING && s->unit->type == UNIT_SIMPLE)
		service_type_ready(s);
}

void service_on_setup_failed(struct service *s, int stage, int err, const char *detail)
{
	/* The child exits right after reporting; the exit event decides. */
	setup_error_clear(s);
	s->setup_error.set = true;
	s->setup_error.stage = stage;
	s->setup_error.code = err;
	s->setup_error.at = now_usec();
	s->setup_error.detail = detail && *detail ? strdup(detail) : NULL;
}

void service_on_ready(struct service *s)
{
	if (s->state == SERVICE_STARTING && s->unit->type == UNIT_NOTIFY)
		service_type_ready(s);
}

/* ---- forking: the daemon the starter left ------------------------------ */

/* The starter of a forking unit exited 0 before its daemon was found: the
 * start goes on (its exit is no exit of the service). Anything else (a
 * failure, a setup error, the daemon's own exit) is an exit as usual. */
static bool starter_done(const struct service *s, const siginfo_t *si)
{
	return s->unit->type == UNIT_FORKING && s->state == SERVICE_STARTING && !s->main_found &&
	       !s->setup_error.set && si->si_code == CLD_EXITED &&
	       si->si_status == 0;
}

/* Look for the daemon: found, running; not yet, look again later (the
 * delay doubles, start_timeout bounds the whole); refused, the start fails
 * with the reason, once what the starter left is gone (stop_without_main). */
static void service_find_main(struct service *s)
{
	char why[SERVICE_EXIT_DETAIL_MAX] = "";
	uint64_t delay;
	int r = s->ops->find_main(s, why, sizeof(why));

	if (r > 0) {
		s->main_found = true;
		s->main_guessed = !s->unit->pidfile;
		service_type_ready(s);
		return;
	}
	if (r == 0) {
		delay = s->main_poll_delay;
		s->main_poll_delay = delay * 2 > SERVICE_MAIN_POLL_MAX ? SERVICE_MAIN_POLL_MAX
								  : delay * 2;
		cold_arm(s, SERVICE_MAIN_POLL, now_usec() + delay);
		return;
	}
	service_record_exit(s, EXIT_MAIN_REFUSED, -r);
	service_exit_describe(&s->last_exit, "%s", why[0] ? why : strerror(-r));
	service_stop_for_failure(s, STOP_MAIN_REFUSED);
}

void service_on_main_named(struct service *s, pid_t starter)
{
	s->main_guessed = false;   /* named by the service: no guess to amend */
	/* A hand-over queued before the old main process was signalled (read
	 * at its reap's drain): the new one gets what the old one got, the
	 * stop signal, or SIGKILL once the stop timed out or the watchdog
	 * fired. Those timers do not fire again, and without a leaf to kill
	 * nothing else would reach it. */
	if (s->stop_timed_out || s->watchdog_fired) {
		kill_everything(s);
		return;
	}
	if (s->state == SERVICE_STOPPING) {
		s->ops->signal(s, s->unit->stop_signal);
		return;
	}
	if (s->unit->type != UNIT_FORKING || s->state != SERVICE_STARTING || s->main_found)
		return;
	s->starter_pid = starter;
	s->main_found = true;
	service_type_ready(s);
}

/* While starting: look for the daemon again. While stopping before it was
 * found: end the stop (service_send_stop deferred it here, so that the
 * caller's stop_cause is in place to name the exit). */
static void main_poll_fired(struct loop *l, void *data)
{
	struct service *s = data;

	if (s->state == SERVICE_STARTING && s->pid <= 0)
		service_find_main(s);
	else if (s->state == SERVICE_STOPPING && s->pid <= 0)
		stop_without_main(s);
}

/* The OOM killer may pick any process of the leaf: the last exit stays what
 * it is (the count is the cgroup's, in svctl status NAME); only a main
 * process that dies by SIGKILL of it reads oom-kill (classify_exit). */
void service_on_oom(struct service *s, bool main_alive)
{
	s->oom_at = now_usec();
	s->oom_main_alive = main_alive;
}

/* The main process, killed by SIGKILL now, died of the OOM kill last
 * counted in this run (service_on_oom). */
static bool oom_killed_main(const struct service *s)
{
	if (!s->oom_at || s->oom_at < s->started_at)
		return false;
	return !s->oom_main_alive || now_usec() - s->oom_at <= SERVICE_OOM_SIGNAL_USEC;
}

void service_on_watchdog(struct service *s)
{
	if (s->state == SERVICE_RUNNING)
		watchdog_arm(s);
}

/* As systemd takes it: a slow start (a database's recovery) or stop says
 * it needs longer, again before each extension ends. s->timer is the
 * start timeout while starting, the stop timeout while stopping. A stop
 * whose kill is sent (its timeout ran out, a shutdown's) asks for nothing
 * more, and a stop timeout of 0 kills at once: its timer, armed for now,
 * was pushed back by an extension sent before it fired. */
void service_on_extend_timeout(struct service *s, uint64_t usec)
{
	uint64_t deadline = now_usec() + usec;

	if (s->state != SERVICE_STARTING && s->state != SERVICE_STOPPING)
		return;
	if (s->state == SERVICE_STOPPING &&
	    (s->stop_timed_out || s->unit->stop_timeout_usec == 0))
		return;
	if (loop_timer_armed(&s->timer) && deadline > s->timer.deadline) {
		loop_timer_arm(s->loop, &s->timer, deadline);
		if (s->state == SERVICE_STARTING)
			s->start_extended = true;
		else
			s->stop_extended = true;
	}
}

/* Ready, then silent for a whole watchdog interval: hung. Its whole leaf is
 * killed; the exit that follows is a failure for the restart policy. */
static void watchdog_fired(struct loop *l, void *data)
{
	struct service *s = data;

	if (s->state != SERVICE_RUNNING || s->pid <= 0)
		return;
	s->watchdog_fired = true;
	if (kill_everything(s) == 1)
		s->ops->signal(s, SIGKILL);   /* no leaf to kill: the main process */
}

/* ---- exit --------------------------------------------------------------- */

/* Status 0, or a status or signal the unit lists in success_exit (dropbear
 * exits 1 on SIGTERM). Never an exit before READY=1. */
bool service_exit_is_success(const struct service *s, const struct service_exit *e)
{
	const struct unit *u = s->unit;

	if (e->before_ready)
		return false;
	switch (e->kind) {
	case EXIT_CODE:
		return e->code == 0 ||
		       (e->code > 0 && e->code < 256 &&
			(u->opt->success_exit_codes[e->code / 64] >> (e->code % 64)) & 1);
	case EXIT_SIGNAL:
		return e->code >= 1 && e->code <= 64 &&
		       (u->opt->success_exit_signals >> (e->code - 1)) & 1;
	case EXIT_UNKNOWN:
		return true;
	default:
		return false;
	}
}

/* What the exit of the main process means, into last_exit. */
/* Killed by sig: in a PID namespace the main process is its reaper, which
 * exits 128 + the signal of the service (reaper.h). */
static bool killed_by(const struct service *s, const siginfo_t *si, int sig)
{
	if (si->si_code != CLD_EXITED)
		return si->si_status == sig;
	return (s->unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID)) &&
	       si->si_status == 128 + sig;
}

static void classify_exit(struct service *s, const siginfo_t *si)
{
	if (s->setup_error.set)
		setup_error_take(s);
	else if (s->state == SERVICE_STOPPING && (s->stop_cause == STOP_DEPENDENCY ||
						    s->stop_cause == STOP_REQUIREMENT ||
						    s->stop_cause == STOP_RELOAD ||
						    s->stop_cause == STOP_MAIN_REFUSED ||
						    s->stop_cause == STOP_HEALTH))
		return;   /* it was stopped for that reason: keep it */
	else if (s->state == SERVICE_STOPPING && s->stop_cause == STOP_START_TIMEOUT) {
		service_record_exit(s, EXIT_START_TIMEOUT, s->start_extended);   /* even if killed */
		/* a ready probe that never succeeded says why */
		service_exit_describe(&s->last_exit, "%s", s->probe_why ? s->probe_why : "");
	}
	else if (s->state == SERVICE_STOPPING && s->stop_cause == STOP_OPERATOR &&
		 !s->stop_timed_out)   /* however it ended; code 1: it comes back */
		service_record_exit(s, EXIT_OPERATOR, s->want_running);
	else if (s->stop_timed_out)
		service_record_exit(s, EXIT_STOP_TIMEOUT, SIGKILL);
	else if (s->watchdog_fired)
		service_record_exit(s, EXIT_WATCHDOG, SIGKILL);
	else if (si->si_code == 0)
		service_record_exit(s, EXIT_UNKNOWN, 0);
	else if (killed_by(s, si, SIGKILL) && oom_killed_main(s))
		service_record_exit(s, EXIT_OOM, SIGKILL);
	else if (si->si_code == CLD_EXITED) {
		service_record_exit(s, EXIT_CODE, si->si_status);
		s->last_exit.notify_errno = s->notify_errno;
	}
	else
		service_record_exit(s, EXIT_SIGNAL, si->si_status);
	/* A notify unit that ends before READY=1 never came up, even with exit
	 * 0 (typically a daemon that forked into the background): a failure.
	 * So is a forking unit's starter that failed (starter_done takes its
	 * exit 0). */
	if (s->state == SERVICE_STARTING && s->last_exit.kind != EXIT_SETUP &&
	    (s->unit->type == UNIT_NOTIFY || (s->unit->type == UNIT_FORKING && !s->main_found)))
		s->last_exit.before_ready = true;
}

static bool restart_wanted(const struct service *s, bool success)
{
	if (!s->want_running)
		return false;
	if (s->last_exit.kind == EXIT_SETUP)
		return false;   /* a missing binary will not appear by retrying */
	switch (s->unit->restart) {
	case UNIT_RESTART_ALWAYS:
		return true;
	case UNIT_RESTART_ON_FAILURE:
		return !success;
	default:
		return false;
	}
}

/* Exponential backoff, reset once the service stayed up for a whole start
 * limit interval: a service that crashes once a day restarts at once. */
static uint64_t next_restart_delay(struct service *s, uint64_t now)
{
	const struct unit *u = s->unit;
	uint64_t delay;

	if (now - s->started_at >= u->start_limit_interval_usec)
		s->restart_delay = u->restart_delay_usec;
	delay = s->restart_delay;
	s->restart_delay = delay * 2 > u->restart_delay_max_usec ? u->restart_delay_max_usec
								   : delay * 2;
	return delay;
}

/* Main process gone and leaf empty: decide what comes next. */
static void restart_now(struct service *s);

static void service_after_exit(struct service *s)
{
	bool success = service_exit_is_success(s, &s->last_exit);
	uint64_t now = now_usec();

	if (s->state == SERVICE_STOPPING) {
		bool asked = s->start_asked;

		s->start_asked = false;
		loop_timer_cancel(s->loop, &s->timer);
		if (s->stop_cause == STOP_DEPENDENCY) {
			/* Wanted again only by a start asked while it stopped
			 * (service_dep_fail took want_running away): that start
			 * comes after the failure, as after an operator's stop. */
			if (s->want_running)
				service_set_state(s, SERVICE_WAITING);
			else
				service_fail(s, EXIT_NONE, 0);
			return;
		}
		if (!stop_is_failure(s) || (asked && s->want_running)) {
			service_set_state(s, s->want_running ? SERVICE_WAITING : SERVICE_STOPPED);
			return;
		}
		/* a start timeout, a refused main PID, a failed health probe:
		 * a failure like a crash */
	}
	if (!s->want_running && s->stop_cause == STOP_OPERATOR) {
		service_set_state(s, SERVICE_STOPPED);   /* service_stop_later */
		return;
	}
	if (restart_wanted(s, success)) {
		uint64_t delay = next_restart_delay(s, now);

		s->restarts++;
		service_set_state(s, SERVICE_RESTARTING);
		if (delay == 0 && s->ops->is_empty(s)) {
			restart_now(s);   /* no delay asked: no trip through the timer */
			return;
		}
		loop_timer_arm(s->loop, &s->timer, now + delay);
		return;
	}
	s->want_running = false;
	service_set_state(s, success ? SERVICE_EXITED : SERVICE_FAILED);
}

/* The main process a forking unit without a pidfile was given (the one
 * its leaf held) exited 0 and left one process: that was a double fork's
 * middle, seen alone before it forked the daemon. The one left is the
 * daemon, as initd.unit(5) says ("the one process left"): followed, and
 * this exit is none of the service's. Once only, and only within the
 * start's bound of the spawn (a daemon that exits 0 days later leaving a
 * helper has ended), while running or its ready probe runs. Several left,
 * or none: an exit. */
static bool main_handed_on(struct service *s, const siginfo_t *si)
{
	uint64_t bound = s->unit->start_timeout_usec;
	char why[SERVICE_EXIT_DETAIL_MAX];
	pid_t old = s->pid;

	if (!s->main_guessed || s->unit->type != UNIT_FORKING || si->si_code != CLD_EXITED ||
	    si->si_status != 0 || (bound && now_usec() - s->started_at > bound) ||
	    !(s->state == SERVICE_RUNNING || (s->state == SERVICE_STARTING && s->main_found)) ||
	    s->ops->is_empty(s))
		return false;
	s->main_guessed = false;
	s->pid = 0;
	if (s->ops->find_main(s, why, sizeof(why)) > 0)
		return true;
	s->pid = old;
	return false;
}

bool service_on_exit(struct service *s, const siginfo_t *si)
{
	if (main_handed_on(s, si))
		return false;
	if (starter_done(s, si)) {
		s->starter_pid = s->pid;
		s->pid = 0;
		service_find_main(s);
		return false;
	}
	s->pid = 0;
	classify_exit(s, si);
	/* Whatever the main process left behind goes with it. */
	s->ops->main_ended(s, si->si_pid);
	if (!s->ops->is_empty(s) && kill_everything(s) == 0 && s->state == SERVICE_STOPPING)
		return true;   /* service_on_empty finishes the stop */
	service_after_exit(s);
	return true;
}

/* The restart delay is over and the leaf empty: waiting, so that it starts
 * as any start does, once its requirements are ready (the pass calls
 * service_deps_ready), unless nothing wants it any more (a shutdown or
 * rescue that reaches it only once its dependents have stopped). */
static void restart_now(struct service *s)
{
	if (s->want_running) {
		s->restarted = true;
		service_set_state(s, SERVICE_WAITING);
	} else {
		service_stop(s);
	}
}

void service_on_empty(struct service *s)
{
	if (s->pid > 0)
		return;
	if (s->state == SERVICE_STOPPING) {
		if (!cold_armed(s, SERVICE_MAIN_POLL))   /* else stop_without_main ends it */
			service_after_exit(s);
		return;
	}
	if (s->state == SERVICE_WAITING && s->want_running) {
		/* Only the manager's pass knows whether its dependencies are
		 * ready: let it decide (it calls service_deps_ready). */
		if (s->ops->changed)
			s->ops->changed(s, s->state);
		return;
	}
	if (s->state == SERVICE_RESTARTING && !loop_timer_armed(&s->timer))
		restart_now(s);
	/* A forking unit's leaf emptied before its daemon was found (it died
	 * before writing its pid file): nothing is left to write it, so look
	 * now rather than at the next poll; find_main refuses an empty leaf. */
	if (s->state == SERVICE_STARTING && s->unit->type == UNIT_FORKING && !s->main_found &&
	    cold_armed(s, SERVICE_MAIN_POLL)) {
		cold_cancel(s, SERVICE_MAIN_POLL);
		service_find_main(s);
	}
}

/* What follows once the kills are given up, as the log says it: a stop
 * ends without them; a restart, or a start after one, goes on, its new
 * main process beside them in the cgroup (service_deps_ready says so
 * again when it spawns it); anything else (exited, failed, a stop coming)
 * just no longer waits. Never "not stopped" where nothing was stopping. */
static const char *rekill_next(const struct service *s)
{
	if (s->state == SERVICE_STOPPING)
		return "its stop ends without them";
	if (!s->want_running)
		return "not waiting for them";
	if (s->state == SERVICE_RESTARTING || (s->state == SERVICE_WAITING && s->restarted))
		return "its restart goes on with them left";
	if (s->state == SERVICE_WAITING)
		return "its start goes on with them left";
	return "not waiting for them";
}

/* SERVICE_REKILL: the leaf was killed one by one and is still populated.
 * Killed again, SERVICE_REKILLS times; then what is left is said and not
 * waited for (rekill_gave_up): the stop ends stopped, the restart goes on,
 * as at an empty leaf. */
static void rekill_fired(struct loop *l, void *data)
{
	struct service *s = data;
	int r;

	(void)l;
	if (s->ops->is_empty(s))
		return;   /* service_on_empty came, or comes */
	r = s->ops->kill_all(s);
	if (r == 0 || r == 1)
		return;   /* cgroup.kill worked, or nothing is left: the empty event */
	if (r > 1 && ++s->rekills < SERVICE_REKILLS) {
		cold_arm(s, SERVICE_REKILL, now_usec() + rekill_interval(s));
		return;
	}
	if (r > 1)
		log_error("%s: %d process(es) in its cgroup could not be killed (%d tries): %s",
			  s->unit->name, r - 1, s->rekills + 1, rekill_next(s));
	else
		log_error("%s: cannot kill what is left in its cgroup (%s): not waiting for it",
			  s->unit->name, strerror(-r));
	s->rekill_gave_up = true;
	if (s->state == SERVICE_STOPPING && s->pid > 0)
		s->ops->signal(s, SIGKILL);   /* its exit ends the stop */
	service_on_empty(s);
}

/* ---- stopping ----------------------------------------------------------- */

/* The stop signal to the main process; the stop timeout. */
static void service_send_stop(struct service *s)
{
	if (s->pid > 0)
		s->ops->signal(s, s->unit->stop_signal);
	service_set_state(s, SERVICE_STOPPING);   /* cancels the start timeout */
	loop_timer_arm(s->loop, &s->timer, now_usec() + s->unit->stop_timeout_usec);
	s->stop_extended = false;
	/* A forking unit whose daemon was not found yet: nothing to signal, and
	 * no exit will come; stop_without_main runs once the caller has set
	 * stop_cause. */
	if (s->pid <= 0 && s->unit->type == UNIT_FORKING)
		cold_arm(s, SERVICE_MAIN_POLL, now_usec());
}

/* A forking unit stopped before its daemon was found: no main process will
 * exit to say how it ended, so the exit is named by why it stops
 * (classify_exit), and what the starter left in the leaf is killed at once
 * (there is no main process for the stop signal); the stop ends once the
 * leaf is empty. */
static void stop_without_main(struct service *s)
{
	siginfo_t si = { 0 };

	classify_exit(s, &si);
	if (!s->ops->is_empty(s) && kill_everything(s) == 0)
		return;   /* service_on_empty finishes the stop */
	service_after_exit(s);
}

void service_stop(struct service *s)
{
	s->want_running = false;
	switch (s->state) {
	case SERVICE_WAITING:
	case SERVICE_RESTARTING:
		/* Not running: stopped, whatever its last run's exit was (a
		 * requirement failing now fails it by service_dep_fail, not
		 * here). Leftovers are killed, a stop for no failure. */
		loop_timer_cancel(s->loop, &s->timer);
		if (s->ops->is_empty(s) || kill_everything(s) == 1) {
			service_set_state(s, SERVICE_STOPPED);
			return;
		}
		s->stop_cause = STOP_NONE;
		service_set_state(s, SERVICE_STOPPING);
		return;
	case SERVICE_STARTING:
	case SERVICE_RUNNING:
		service_send_stop(s);
		return;
	default:
		return;
	}
}

void service_restart_by_operator(struct service *s)
{
	service_stop_by_operator(s);
	start_limit_reset(s);
}

void service_stop_later(struct service *s)
{
	s->want_running = false;
	s->stop_cause = STOP_OPERATOR;
}

void service_kill_at_shutdown(struct service *s)
{
	if (!service_is_active(s))
		return;
	s->want_running = false;
	/* a stop the shutdown asked for, whatever began it (one for a
	 * failure of its own, or of a requirement, would end it failed) */
	s->stop_cause = STOP_NONE;
	if (s->state != SERVICE_STOPPING) {
		loop_timer_cancel(s->loop, &s->timer);
		service_set_state(s, SERVICE_STOPPING);
	}
	s->stop_timed_out = true;
	if (kill_everything(s) == 1 && s->pid <= 0)
		service_after_exit(s);
}

void service_stop_by_operator(struct service *s)
{
	bool live = service_is_active(s);

	service_stop(s);
	/* A stop while one for a failed requirement is under way leaves that
	 * failure as it is, unless a start came in between (start_asked). */
	if (live && s->state == SERVICE_STOPPING &&
	    (s->stop_cause != STOP_DEPENDENCY || s->start_asked))
		s->stop_cause = STOP_OPERATOR;
}

/* Not ready within start_timeout: stopped as a stop does (the stop signal,
 * then the leaf killed at the stop timeout), still wanted, so that the exit
 * is a failure for the restart policy. */
static void service_start_timed_out(struct service *s)
{
	service_stop_for_failure(s, STOP_START_TIMEOUT);
}

/* The stop timeout: no more asking. Said in the log, as the operator
 * waiting on a stop (or a shutdown) wants to know what took so long. */
static void service_stop_timed_out(struct service *s)
{
	char d[32], all[32];

	if (s->stop_extended)
		log_warn("%s: not stopped within its stop timeout (%s), which it extended "
			 "(EXTEND_TIMEOUT_USEC=) to %s in all: killing it", s->unit->name,
			 format_duration(d, sizeof(d), s->unit->stop_timeout_usec),
			 format_duration(all, sizeof(all), now_usec() - s->state_since));
	else
		log_warn("%s: not stopped within its stop timeout (%s): killing it", s->unit->name,
			 format_duration(d, sizeof(d), s->unit->stop_timeout_usec));
	s->stop_timed_out = true;
	if (kill_everything(s) == 1 && s->pid <= 0)
		service_after_exit(s);
}

static void timer_fired(struct loop *l, void *data)
{
	struct service *s = data;

	switch (s->state) {
	case SERVICE_STARTING:
		service_start_timed_out(s);
		return;
	case SERVICE_RESTARTING:
		if (s->want_running && !s->ops->is_empty(s) && kill_everything(s) == 0)
			return;   /* service_on_empty spawns */
		restart_now(s);
		return;
	case SERVICE_STOPPING:
		if (cold_armed(s, SERVICE_MAIN_POLL)) {
			cold_cancel(s, SERVICE_MAIN_POLL);
			stop_without_main(s);   /* a stop_timeout of 0 */
			if (s->state != SERVICE_STOPPING)
				return;
		}
		service_stop_timed_out(s);
		return;
	default:
		return;
	}
}

/* Reporting (service_exit_to_string): service_reason.c. */
