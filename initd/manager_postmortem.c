/* manager_postmortem.c — a post-mortem record for every exit that is a
 * failure nobody asked for (postmortem.h: what a record holds, its bounds),
 * and its copy in the log directory through the log writer (PID 1 does no
 * file I/O of its own: logwriter.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/logtime.h"
#include "common/util.h"
#include "initd/logwriter.h"
#include "initd/manager_internal.h"

/* Stopped on request (svctl stop or restart, a required unit that
 * stopped or failed, shutdown, reload): whatever the exit, no failure of
 * its own. A start timeout, a refused main PID or a failed health probe
 * also stop it, but as a failure. */
static bool stop_requested(const struct service *s)
{
	return s->state == SERVICE_STOPPING &&
	       (s->stop_cause == STOP_NONE || s->stop_cause == STOP_OPERATOR ||
		s->stop_cause == STOP_DEPENDENCY || s->stop_cause == STOP_REQUIREMENT ||
		s->stop_cause == STOP_RELOAD);
}

/* last_exit, as service_on_exit classified it, is a failure of the unit's
 * own: not a success (success_exit counts), not a stop by svctl, not a
 * dependency's failure, not a MAINPID= process whose status nobody knows. */
static bool exit_is_failure(const struct service *s)
{
	switch (s->last_exit.kind) {
	case EXIT_NONE:
	case EXIT_OPERATOR:
	case EXIT_DEPENDENCY:
	case EXIT_REQUIREMENT:
	case EXIT_RELOAD:
	case EXIT_UNKNOWN:
		return false;
	default:
		return !service_exit_is_success(s, &s->last_exit);
	}
}

/* Where the record goes on disk: beside the unit's log file, NAME.log
 * becoming NAME.postmortem (FILE.postmortem for a log file not named
 * .log), with the log's rotation; the writer names it, and makes none
 * beside a device (LOGWRITER_POSTMORTEM: PID 1 looks at no file). false:
 * no persistent logs. */
static bool postmortem_target(const struct svc *v, struct logwriter_target *t)
{
	if (!v->m->logwriter || !v->m->set || !logwriter_target_of(v->s.unit, &v->m->set->conf, t))
		return false;
	t->postmortem = true;
	return true;
}

static void postmortem_persist(struct svc *v, const struct postmortem *p)
{
	struct logwriter_target t;
	char text[POSTMORTEM_TEXT_MAX * 2 + POSTMORTEM_REASON_MAX + 256];
	size_t n;

	if (!postmortem_target(v, &t))
		return;
	n = postmortem_format(p, v->s.unit->name, text, sizeof(text));
	if (logwriter_send(v->m->logwriter, &t, text, n, 0) < 0)
		log_warn("%s: post-mortem not written beside %s: the log writer's queue is full",
			 v->s.unit->name, t.path);
}

/* The reason as svctl status gives it; an OOM kill in its cgroup that
 * took another process is said too. */
static void postmortem_reason(const struct service *s, struct postmortem *p)
{
	char reason[POSTMORTEM_REASON_MAX];

	service_exit_to_string(s, &s->last_exit, reason, sizeof(reason));
	if (s->last_exit.kind != EXIT_OOM && s->oom_at && s->oom_at >= s->started_at)
		snprintf(p->reason, sizeof(p->reason), "%.200s (after an oom-kill in its cgroup)",
			 reason);
	else
		snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

/* A slot in v's ring, the ring made with its first record (issue 19: a
 * unit that never failed holds none); NULL when the unit keeps none or
 * memory is short (the record is not kept). */
static struct postmortem *postmortem_slot(struct svc *v)
{
	unsigned keep = v->s.unit->postmortems;

	struct svc_rare *rare = keep ? svc_rare_get(v) : v->rare;

	if (rare && !rare->postmortems && keep)
		rare->postmortems = calloc(1, sizeof(*rare->postmortems));
	return rare && rare->postmortems ? postmortem_ring_add(rare->postmortems, keep) : NULL;
}

static void postmortem_record(struct manager *m, struct svc *v, unsigned restarts)
{
	struct postmortem *p = postmortem_slot(v);
	struct logtime_clock now;
	int fd;

	if (!p)
		return;
	logtime_clock_now(&now);
	p->wall_usec = now.realtime_usec;
	p->restarts = restarts;
	postmortem_reason(&v->s, p);
	if (v->log)
		postmortem_take_lines(p, &v->log->ring, POSTMORTEM_LINES);
	/* Small in-kernel files, read once per failure: never a disk. */
	fd = svc_cgroup_node_open(m, v);
	if (fd >= 0) {
		postmortem_read_cgroup(fd, p);
		close(fd);
	}
	postmortem_persist(v, p);
}

void svc_exit(struct manager *m, struct svc *v, const siginfo_t *si)
{
	bool requested = stop_requested(&v->s);
	unsigned restarts = v->s.restarts;

	/* A starter's exit 0 leaves last_exit as the last run's: not again. */
	if (svc_on_exit(m, v, si) && !requested && exit_is_failure(&v->s))
		postmortem_record(m, v, restarts);
}

const struct postmortem *manager_postmortem(struct manager *m, struct service *s, unsigned i)
{
	const struct svc_rare *rare = svc_of(s)->rare;
	const struct postmortem_ring *r = rare ? rare->postmortems : NULL;

	/* the unit's own count, if a reload's fit found no memory */
	return r && i < s->unit->postmortems ? postmortem_ring_get(r, i) : NULL;
}

void svc_postmortems_fit(struct svc *v)
{
	struct svc_rare *rare = v->rare;

	if (!rare || !rare->postmortems)
		return;
	postmortem_ring_fit(rare->postmortems, v->s.unit->postmortems);
	if (!rare->postmortems->cap) {
		free(rare->postmortems);
		rare->postmortems = NULL;
	}
}
