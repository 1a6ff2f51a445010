/* commands.c — what each control request does: decode its attributes,
 * act on the manager, build the reply. Requests that must wait (start, stop,
 * restart, wait) are deferred until the manager has settled, unless they
 * carry NO_WAIT. */
#include "initd/commands.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initd/log.h"
#include "common/logtime.h"
#include "initd/logbuf.h"
#include "initd/metrics.h"
#include "initd/cgroup_limits.h"
#include "initd/loader.h"

_Static_assert(COMMANDS_INSTANCES_MAX <= LOADER_EXTRA_MAX,
	       "every run-time instance must fit on the loader's command line");

#define LOG_CHUNK (32u * 1024)
/* What a `logs -f` client may have queued in PID 1. Past it the follower
 * waits in the ring (its offset), and what the ring overwrites meanwhile
 * is lost to it and said so in its stream. */
#define FOLLOW_QUEUE_MAX (64u * 1024)
#define FOLLOW_MARKER_MAX 64

/* A request parked until the manager settles. */
struct pending {
	struct pending *next;
	struct commands *cmds;
	struct control_client *client;
	uint16_t type;
	uint64_t at;              /* when it was asked (CLOCK_MONOTONIC usec) */
	size_t n_names;
	char *names[];
};

/* A `logs -f` client: everything after `offset` goes to it as it comes. */
struct follower {
	struct follower *next;
	struct control_client *client;
	char name[UNIT_NAME_MAX + 1];   /* by name: a reload may free the service
	                                 * (ended once none of the name is left) */
	uint64_t offset;                /* the next byte of the ring it gets */
	uint64_t serial;                /* of that ring: another (the unit removed
	                                 * and added again) is read from its start */
	bool mid_line;                  /* the last byte it got was not '\n' */
};

struct reload_waiter {
	struct reload_waiter *next;
	struct control_client *client;
	bool included;   /* a load started after its request answers it */
};

static int reply_ok(struct proto_buf *reply)
{
	proto_msg_begin(reply, PROTO_REPLY_OK);
	return proto_msg_end(reply);
}

/* request_names's refusal, as the operator reads it. */
static int reply_names_error(struct proto_buf *reply, int r)
{
	if (r == -E2BIG)
		return proto_msg_errorf(reply, E2BIG, "more than %d unit names in one request",
					PROTO_NAMES_MAX);
	return proto_msg_errorf(reply, -r, "malformed request");
}

/* Collect the NAME attributes of a request (borrowed pointers). */
static int request_names(const struct control_request *req, const char **names, size_t max,
			 size_t *ret_n)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	size_t n = 0;
	int r;

	proto_iter_init(&it, req->payload, req->len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		if (a.type != PROTO_ATTR_NAME)
			continue;
		if (n == max)
			return -E2BIG;
		if (proto_get_str(&a, &names[n]) < 0)
			return -EBADMSG;
		n++;
	}
	*ret_n = n;
	return r;
}

/* The request's first attribute of this type: 1, 0 when absent, or
 * -EBADMSG for a malformed payload. */
static int request_attr(const struct control_request *req, uint16_t type,
			struct proto_attr_view *ret)
{
	struct proto_attr_iter it;
	int r;

	proto_iter_init(&it, req->payload, req->len);
	while ((r = proto_iter_next(&it, ret)) > 0)
		if (ret->type == type)
			return 1;
	return r;
}

static int request_u32(const struct control_request *req, uint16_t type, uint32_t *ret)
{
	struct proto_attr_view a;
	int r = request_attr(req, type, &a);

	return r > 0 && proto_get_u32(&a, ret) < 0 ? -EBADMSG : r;
}

static int request_u64(const struct control_request *req, uint16_t type, uint64_t *ret)
{
	struct proto_attr_view a;
	int r = request_attr(req, type, &a);

	return r > 0 && proto_get_u64(&a, ret) < 0 ? -EBADMSG : r;
}

static bool request_flag(const struct control_request *req, uint16_t type)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;

	proto_iter_init(&it, req->payload, req->len);
	while (proto_iter_next(&it, &a) > 0)
		if (a.type == type)
			return true;
	return false;
}

/* ---- status ----------------------------------------------------------------- */

/* The last exit, and for a unit waiting out its restart backoff when it
 * comes back: "exit 1, restarting in 3.2s" (the backoff made visible).
 * A probe failing before it decides anything comes after the exit, or
 * alone: a unit starting for ever on its ready probe (start_timeout 0), or
 * running with its health probe failing below its failures, said nothing
 * of it; the exit that restarted the unit stays first ("health check
 * failed: ...; ready probe failing (3 tries): ..."). NULL: nothing to say. */
static const char *status_reason(struct service *s, char *buf, size_t size)
{
	char delay[32], probe[256];
	size_t len;
	uint64_t now = now_usec();
	bool failing = service_probe_failing_to_string(s, probe, sizeof(probe));

	if (s->last_exit.kind == EXIT_NONE && !failing)
		return NULL;
	if (s->last_exit.kind == EXIT_NONE) {
		snprintf(buf, size, "%s", probe);
		return buf;
	}
	service_exit_to_string(s, &s->last_exit, buf, size);
	len = strlen(buf);
	if (failing) {
		snprintf(buf + len, size - len, "; %s", probe);
		return buf;
	}
	if (s->state != SERVICE_RESTARTING)
		return buf;
	format_duration(delay, sizeof(delay),
			s->timer.deadline > now ? s->timer.deadline - now : 0);
	snprintf(buf + len, size - len, ", restarting in %s", delay);
	return buf;
}

/* last_failure: its last post-mortem too (a status of one unit). table:
 * the status of every unit (or of several named), with no cgroup
 * statistics: its reply names the cgroup2 root (cmd_status) and svctl
 * reads the table's two files a unit itself (svctl/cgstat.c), so PID 1's
 * part stays the model's (state, pid, restarts, last exit), kept by the
 * events, and costs no system call a unit. At 1000 units the files were
 * ~70 ms of kernfs opens under TCG, taken from PID 1's loop for whichever
 * client asked. */
static void put_service_ex(struct commands *cmds, struct proto_buf *b, struct service *s,
			   bool last_failure, bool table)
{
	const struct unit *u = s->unit;
	const struct postmortem *pm = last_failure ? manager_postmortem(cmds->manager, s, 0) : NULL;
	char reason[512];
	const char *why = status_reason(s, reason, sizeof(reason));

	proto_nest_begin(b, PROTO_ATTR_SERVICE);
	proto_put_str(b, PROTO_ATTR_NAME, u->name);
	proto_put_str(b, PROTO_ATTR_STATE, manager_state_name(cmds->manager, s));
	proto_put_u32(b, PROTO_ATTR_PID, s->pid > 0 ? (uint32_t)s->pid : 0);
	proto_put_u32(b, PROTO_ATTR_RESTARTS, s->restarts);
	proto_put_u64(b, PROTO_ATTR_SINCE, now_usec() - s->state_since);
	if (why)
		proto_put_str(b, PROTO_ATTR_REASON, why);
	if (u->description)
		proto_put_str(b, PROTO_ATTR_DESCRIPTION, u->description);
	if (s->status_text)
		proto_put_str(b, PROTO_ATTR_STATUS_TEXT, s->status_text);
	commands_put_cgroup_path(cmds, b, s);
	if (!table)
		commands_put_cgroup_stats(cmds, b, s);
	for (size_t i = 0; i < u->diags.n; i++) {
		char line[UNIT_STRING_MAX + 300];

		/* "FILE: message" where no line applies, as initd --check */
		unit_diag_format(&u->diags.v[i], line, sizeof(line));
		proto_put_str(b, PROTO_ATTR_MESSAGE, line);
	}
	if (pm)
		commands_put_postmortem(b, pm);
	proto_nest_end(b);
}

static void put_service(struct commands *cmds, struct proto_buf *b, struct service *s)
{
	put_service_ex(cmds, b, s, false, false);
}

static int cmd_status(struct commands *cmds, struct control_client *c,
		      const struct control_request *req, struct proto_buf *reply)
{
	const char *names[PROTO_NAMES_MAX];
	bool listed = request_flag(req, PROTO_ATTR_UNKNOWN_LISTED);
	size_t n;
	int r = request_names(req, names, PROTO_NAMES_MAX, &n);

	if (r < 0)
		return reply_names_error(reply, r);
	/* A client that takes a partial answer (UNKNOWN_LISTED) gets the
	 * known units and the unknown names; an older one, which would show
	 * the known rows and exit 0 as if all were found, the refusal. */
	for (size_t i = 0; i < n && !listed; i++)
		if (!manager_find(cmds->manager, names[i]))
			return proto_msg_errorf(reply, ENOENT, "unit %s not found", names[i]);
	proto_msg_begin(reply, PROTO_REPLY_OK);
	proto_put_str(reply, PROTO_ATTR_BOOT_MODE, cmds->mode ? cmds->mode : "default");
	if (cmds->rescue_why[0])
		proto_put_str(reply, PROTO_ATTR_RESCUE, cmds->rescue_why);
	/* Statistics for one named unit only (svctl status NAME's detail: its
	 * ten small files, once a request). Several named ones (up to
	 * PROTO_NAMES_MAX, a name as often as a client likes) are rows of
	 * the table, as every unit's: svctl reads their files, and PID 1's
	 * work stays the model's, whatever the request names. */
	if (n != 1)
		commands_put_cgroup_root(cmds, reply);
	if (n == 0)
		for (size_t i = 0; i < manager_count(cmds->manager); i++)
			put_service_ex(cmds, reply, manager_service_at(cmds->manager, i), false, true);
	for (size_t i = 0; i < n; i++) {
		struct service *s = manager_find(cmds->manager, names[i]);

		if (s)
			put_service_ex(cmds, reply, s, n == 1, n > 1);
		else
			proto_put_str(reply, PROTO_ATTR_UNKNOWN, names[i]);
	}
	r = proto_msg_end(reply);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "status reply too large");
	return 0;
}

/* ---- show ------------------------------------------------------------------------ */

static void env_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* "KEY=<hidden>" for each "KEY=value" of env: malloc'ed, NULL on ENOMEM. */
static char **env_hidden(char *const *env)
{
	size_t n = 0;
	char **v;

	while (env[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		if (asprintf(&v[i], "%.*s=<hidden>", (int)strcspn(env[i], "="), env[i]) < 0) {
			v[i] = NULL;
			env_free(v);
			return NULL;
		}
	return v;
}

/* u encoded (unit_encode) for svctl, which writes the text: PID 1 formats
 * none. Environment values may be secrets (tokens, passwords): only root
 * gets them, anyone else the keys with "<hidden>" values, masked here,
 * before anything leaves PID 1. */
static int unit_model(const struct unit *u, bool root, void **ret, size_t *ret_len)
{
	struct unit masked;
	char **hidden = NULL;
	int r;

	if (!root && u->environment && u->environment[0]) {
		hidden = env_hidden(u->environment);
		if (!hidden)
			return -ENOMEM;
		masked = *u;
		masked.environment = hidden;
		u = &masked;
	}
	r = unit_encode(u, ret, ret_len);
	env_free(hidden);
	return r;
}

/* One unit: its SERVICE (as status gives it) and its UNIT_MODEL. */
static int cmd_show(struct commands *cmds, struct control_client *c,
		    const struct control_request *req, struct proto_buf *reply)
{
	_cleanup_free_ void *model = NULL;
	const char *names[1];
	struct service *s;
	size_t n, len = 0;
	int r;

	if (request_names(req, names, 1, &n) < 0 || n != 1)
		return proto_msg_errorf(reply, EINVAL, "show needs exactly one unit name");
	s = manager_find(cmds->manager, names[0]);
	if (!s)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", names[0]);
	r = unit_model(s->unit, req->access == CONTROL_ADMIN, &model, &len);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "cannot encode the unit");
	proto_msg_begin(reply, PROTO_REPLY_OK);
	put_service(cmds, reply, s);
	proto_put_bytes(reply, PROTO_ATTR_UNIT_MODEL, model, len);
	r = proto_msg_end(reply);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "show reply too large");
	return 0;
}

/* ---- start, stop, restart, wait ------------------------------------------------ */

static void pending_unlink(struct pending *p)
{
	for (struct pending **pp = &p->cmds->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void pending_free(struct pending *p)
{
	pending_unlink(p);
	for (size_t i = 0; i < p->n_names; i++)
		free(p->names[i]);
	free(p);
}

/* A start (or restart) that failed since the request and now waits out
 * its restart backoff. A crash-looping unit never settles (it goes from
 * backoff to starting and back): that failure is the answer, not a wait
 * until the client gives up. */
static bool pending_failed_into_backoff(const struct pending *p, const struct service *s)
{
	return p->type != PROTO_REQ_STOP && s->state == SERVICE_RESTARTING &&
	       s->last_exit.kind != EXIT_NONE && s->last_exit.at >= p->at;
}

/* "web failed: exit 3, restarting in 1.6s" */
static void reply_backoff(struct proto_buf *b, const char *name, struct service *s)
{
	char reason[512], delay[32];
	uint64_t now = now_usec();

	service_exit_to_string(s, &s->last_exit, reason, sizeof(reason));
	format_duration(delay, sizeof(delay),
			s->timer.deadline > now ? s->timer.deadline - now : 0);
	proto_msg_errorf(b, EIO, "%s failed: %s, restarting in %s", name, reason, delay);
}

/* The manager settled: say how each named unit ended up. */
static void pending_settled(struct manager *m, void *data)
{
	struct pending *p = data;
	struct proto_buf b;
	char reason[512];

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	for (size_t i = 0; i < p->n_names; i++) {
		struct service *s = manager_find(m, p->names[i]);
		bool want_up = p->type != PROTO_REQ_STOP;

		if (s && pending_failed_into_backoff(p, s)) {
			reply_backoff(&b, p->names[i], s);
			goto send;
		}
		if (!s && want_up) {
			/* A reload removed it while the start waited: it never
			 * got ready, and is no unit any more. */
			proto_msg_errorf(&b, ENOENT,
					 "%s was removed by a reload before it was ready",
					 p->names[i]);
			goto send;
		}
		if (!s || !want_up || service_is_ready(s))
			continue;
		if (s->state == SERVICE_EXITED && s->unit->type != UNIT_ONESHOT)
			continue;   /* started and finished cleanly */
		proto_msg_errorf(&b, EIO, "%s %s: %s",
				 p->names[i], service_state_to_string(s->state),
				 service_exit_to_string(s, &s->last_exit, reason, sizeof(reason)));
		goto send;
	}
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (size_t i = 0; i < p->n_names; i++) {
		struct service *s = manager_find(m, p->names[i]);
		if (s)
			put_service(p->cmds, &b, s);
	}
	proto_msg_end(&b);
send:
	control_client_reply(p->client, &b, true);
	proto_buf_free(&b);
	pending_free(p);
}

/* After every pass: answer the requests whose named units have all settled. */
static void followers_check_removed(struct commands *cmds);

void commands_pass(void *ctx)
{
	struct commands *cmds = ctx;
	struct pending *p = cmds->pending, *next;

	for (; p; p = next) {
		bool settled = true;

		next = p->next;
		if (p->n_names == 0)
			continue;   /* `wait`: answered by manager_wait_settled */
		for (size_t i = 0; i < p->n_names && settled; i++) {
			struct service *s = manager_find(cmds->manager, p->names[i]);
			settled = !s || manager_service_settled(cmds->manager, s) ||
				  pending_failed_into_backoff(p, s);
		}
		if (settled)
			pending_settled(cmds->manager, p);
	}
	followers_check_removed(cmds);
}

static int defer_until_settled(struct commands *cmds, struct control_client *c, uint16_t type,
			       const char **names, size_t n, struct proto_buf *reply)
{
	struct pending *p = calloc(1, sizeof(*p) + n * sizeof(char *));

	if (!p)
		return proto_msg_errorf(reply, ENOMEM, "out of memory");
	p->cmds = cmds;
	p->client = c;
	p->type = type;
	p->at = now_usec();
	for (size_t i = 0; i < n; i++) {
		p->names[i] = strdup(names[i]);
		if (!p->names[i]) {
			pending_free(p);
			return proto_msg_errorf(reply, ENOMEM, "out of memory");
		}
		p->n_names++;
	}
	p->next = cmds->pending;
	cmds->pending = p;
	/* Named units: commands_pass answers once they settle. `wait`: once
	 * everything has. */
	if (n == 0 && manager_wait_settled(cmds->manager, pending_settled, p) < 0) {
		pending_free(p);
		return proto_msg_errorf(reply, ENOMEM, "out of memory");
	}
	return CONTROL_DEFER;
}

/* NO_WAIT: OK with each named unit's SERVICE as it is now, the action just
 * begun. */
static int reply_services(struct commands *cmds, const char **names, size_t n,
			  struct proto_buf *reply)
{
	int r;

	proto_msg_begin(reply, PROTO_REPLY_OK);
	for (size_t i = 0; i < n; i++)
		put_service(cmds, reply, manager_find(cmds->manager, names[i]));
	r = proto_msg_end(reply);
	return r < 0 ? proto_msg_errorf(reply, -r, "reply too large") : 0;
}

int commands_lifecycle_run(struct commands *cmds, struct control_client *c, uint16_t type,
			   const char **names, size_t n, bool no_wait, struct proto_buf *reply)
{
	/* units stopped together go down in order (manager_stop_begin) */
	for (size_t i = 0; type == PROTO_REQ_STOP && i < n; i++)
		manager_stop_begin(cmds->manager, manager_find(cmds->manager, names[i]));
	for (size_t i = 0; i < n; i++) {
		struct service *s = manager_find(cmds->manager, names[i]);
		int r = type == PROTO_REQ_START ? manager_start(cmds->manager, s) :
			type == PROTO_REQ_STOP ? manager_stop(cmds->manager, s) :
			type == PROTO_REQ_RESTART ? manager_restart(cmds->manager, s) : 0;

		if (r == -ENOEXEC)
			return proto_msg_errorf(reply, ENOEXEC, "%s has a bad configuration",
						names[i]);
		if (r == -ESHUTDOWN)
			return proto_msg_errorf(reply, ESHUTDOWN, "shutting down: no %s of %s",
						type == PROTO_REQ_START ? "start" : "restart", names[i]);
		if (r < 0)
			return proto_msg_errorf(reply, -r, "%s: %s", names[i], strerror(-r));
	}
	if (n > 0 && no_wait)
		return reply_services(cmds, names, n, reply);
	return defer_until_settled(cmds, c, type, names, n, reply);
}

static int cmd_lifecycle(struct commands *cmds, struct control_client *c,
			 const struct control_request *req, struct proto_buf *reply)
{
	const char *names[PROTO_NAMES_MAX];
	bool no_wait = request_flag(req, PROTO_ATTR_NO_WAIT);
	bool load = false;
	size_t n;
	int r = request_names(req, names, PROTO_NAMES_MAX, &n);

	if (r < 0)
		return reply_names_error(reply, r);
	if (n == 0 && req->type != PROTO_REQ_WAIT)
		return proto_msg_errorf(reply, EINVAL, "no unit named");
	/* a wait on named units would wait for a pass nothing asks for */
	if (n > 0 && req->type == PROTO_REQ_WAIT)
		return proto_msg_errorf(reply, EINVAL, "wait takes no unit name");
	for (size_t i = 0; i < n; i++) {
		if (!manager_find(cmds->manager, names[i])) {
			/* an instance not loaded yet: a load makes it first. A
			 * restart of one is its start (as a restart of a unit
			 * not running is); a stop has nothing to stop. */
			if (req->type != PROTO_REQ_START && req->type != PROTO_REQ_RESTART)
				return proto_msg_errorf(reply, ENOENT, "unit %s not found", names[i]);
			load = true;
		} else if ((req->type == PROTO_REQ_START || req->type == PROTO_REQ_RESTART) &&
			   commands_instance_left_out(cmds, names[i])) {
			/* the load in flight drops it: run now, that load would
			 * stop it; the next load makes it again */
			load = true;
		}
	}
	if (load)
		return commands_start_instances(cmds, c, req->type, names, n, no_wait, reply);
	return commands_lifecycle_run(cmds, c, req->type, names, n, no_wait, reply);
}

/* ---- logs, kill ------------------------------------------------------------------ */

/* A reply's room for log bytes: its limit less the attribute headers (one
 * per LOG_CHUNK) and the marker line. */
#define LOG_REPLY_ROOM (PROTO_REPLY_MAX - 64 * 1024)

/* Put the ring's bytes from *offset to end into one OK message: the
 * newest whole lines that fit in a reply, after a line saying how much
 * older output that leaves out (log_buffer may be twice a reply). cut:
 * they are the rest of one line the ring cut (log_range), said first. */
static int put_log_data(struct proto_buf *b, const struct logbuf *log, uint64_t *offset, uint64_t end,
			bool cut)
{
	_cleanup_free_ char *chunk = malloc(LOG_CHUNK);

	if (!chunk)
		return -ENOMEM;
	proto_msg_begin(b, PROTO_REPLY_OK);
	if (cut) {
		int n = snprintf(chunk, LOG_CHUNK,
				 "[initd: the start of the line below was overwritten: it is longer than the log buffer, %zuK]\n",
				 log->size >> 10);

		proto_put_bytes(b, PROTO_ATTR_DATA, chunk, (size_t)n);
		if (end - *offset > LOG_REPLY_ROOM)
			*offset = end - LOG_REPLY_ROOM;   /* its newest bytes: no line ends before */
	}
	if (end - *offset > LOG_REPLY_ROOM) {
		uint64_t from = logbuf_line_after(log, end - LOG_REPLY_ROOM);
		int n = snprintf(chunk, LOG_CHUNK,
				 "[initd: %llu bytes of older output not shown: a reply holds at most %uM]\n",
				 (unsigned long long)(from - *offset), PROTO_REPLY_MAX >> 20);

		proto_put_bytes(b, PROTO_ATTR_DATA, chunk, (size_t)n);
		*offset = from;
	}
	while (*offset < end) {
		size_t max = end - *offset < LOG_CHUNK ? (size_t)(end - *offset) : LOG_CHUNK;
		size_t k = logbuf_read(log, *offset, chunk, max, offset);
		if (k == 0)
			break;
		proto_put_bytes(b, PROTO_ATTR_DATA, chunk, k);
	}
	return proto_msg_end(b);
}

/* The first line at or after from stamped t or later (logtime.h): lines
 * are stamped as they are read, so in order. A line without a stamp (the
 * ring's first, cut by wrapping) is passed over. A scan of the ring, its
 * size bounded by log_buffer. */
static bool log_stamp_at(const struct logbuf *log, uint64_t off, uint64_t *ret_t)
{
	char stamp[LOGTIME_LEN];
	uint64_t next;
	size_t k = logbuf_read(log, off, stamp, sizeof(stamp), &next);

	return logtime_parse_stamp(stamp, k, ret_t) == 0;
}

static uint64_t log_first_from(const struct logbuf *log, uint64_t from, uint64_t t)
{
	uint64_t off = from, v;

	while (off < log->end) {
		if (log_stamp_at(log, off, &v) && v >= t)
			return off;
		off = logbuf_line_after(log, off);
	}
	return log->end;
}

/* Where the reply's lines start and end: the last `lines` lines of those
 * stamped in [since, until] (either bound optional). *ret_cut: they
 * begin with the rest of a line whose start (and stamp) the ring
 * overwrote; that rest is passed over, but for a line that fills the
 * whole ring (output that never writes a newline), else nothing would
 * show. */
static void log_range(const struct control_request *req, const struct logbuf *log,
		      uint32_t lines, uint64_t *ret_start, uint64_t *ret_end, bool *ret_cut)
{
	uint64_t since = 0, until = 0, start = logbuf_oldest(log), end = log->end, off;
	bool has_since = request_u64(req, PROTO_ATTR_LOG_SINCE, &since) > 0;
	bool has_until = request_u64(req, PROTO_ATTR_LOG_UNTIL, &until) > 0;

	*ret_cut = false;
	if (has_since)
		start = log_first_from(log, start, since);
	else if (start < log->end && !log_stamp_at(log, start, &off)) {
		off = logbuf_line_after(log, start);   /* the rest of a line cut by wrapping */
		if (off < log->end || has_until)
			start = off;
		else
			*ret_cut = lines > 0;
	}
	if (has_until)
		end = until == UINT64_MAX ? end : log_first_from(log, start, until + 1);
	off = logbuf_tail_offset_before(log, end, lines);
	*ret_start = off > start ? off : start;
	*ret_end = end;
}

static int cmd_logs(struct commands *cmds, struct control_client *c,
		    const struct control_request *req, struct proto_buf *reply)
{
	const char *names[1];
	size_t n;
	uint32_t lines = 10;
	struct service *s;
	struct follower *f;
	uint64_t off, end;
	bool cut;

	if (request_names(req, names, 1, &n) < 0 || n != 1 ||
	    request_u32(req, PROTO_ATTR_LINES, &lines) < 0)
		return proto_msg_errorf(reply, EINVAL, "logs needs exactly one unit name");
	s = manager_find(cmds->manager, names[0]);
	if (!s)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", names[0]);
	log_range(req, manager_service_log(s), lines, &off, &end, &cut);
	if (put_log_data(reply, manager_service_log(s), &off, end, cut) < 0)
		return proto_msg_errorf(reply, EMSGSIZE, "log reply too large");
	if (!request_flag(req, PROTO_ATTR_FOLLOW))
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return proto_msg_errorf(reply, ENOMEM, "out of memory");
	*f = (struct follower){ .next = cmds->followers, .client = c, .offset = off,
				.serial = manager_service_log(s)->serial };
	snprintf(f->name, sizeof(f->name), "%s", s->unit->name);
	cmds->followers = f;
	return CONTROL_DEFER;   /* the backlog in `reply` goes first */
}

static void follower_remove(struct commands *cmds, struct follower *f)
{
	for (struct follower **pp = &cmds->followers; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			free(f);
			return;
		}
}

/* The line that tells f of `lost` bytes it did not get, in marker; its
 * length. After a newline when f's last byte ended no line. */
static size_t follower_marker(struct follower *f, uint64_t lost, char marker[FOLLOW_MARKER_MAX])
{
	int m = snprintf(marker, FOLLOW_MARKER_MAX, "%s[initd: %llu bytes dropped]\n",
			 f->mid_line ? "\n" : "", (unsigned long long)lost);

	f->mid_line = false;
	return (size_t)m;
}

/* One message of at most `room` payload bytes for f: a marker line for
 * what the ring overwrote before f took it, then what follows. 0 with
 * nothing to send, 1 with a message in b, or -errno. */
static int follower_message(struct follower *f, const struct logbuf *log, size_t room,
			    struct proto_buf *b)
{
	_cleanup_free_ char *chunk = malloc(LOG_CHUNK);
	char marker[FOLLOW_MARKER_MAX];
	uint64_t lost;
	size_t k, max;

	if (!chunk)
		return -ENOMEM;
	if (log->serial != f->serial) {   /* a ring made since: all of it is new */
		f->serial = log->serial;
		f->offset = 0;
	}
	max = room - FOLLOW_MARKER_MAX - PROTO_HDR_SIZE - 64;   /* attribute headers */
	k = logbuf_follow(log, &f->offset, chunk, max < LOG_CHUNK ? max : LOG_CHUNK, &lost);
	if (k == 0 && lost == 0)
		return 0;
	proto_msg_begin(b, PROTO_REPLY_OK);
	if (lost)
		proto_put_bytes(b, PROTO_ATTR_DATA, marker, follower_marker(f, lost, marker));
	if (k) {
		proto_put_bytes(b, PROTO_ATTR_DATA, chunk, k);
		f->mid_line = chunk[k - 1] != '\n';
	}
	return proto_msg_end(b) < 0 ? -EMSGSIZE : 1;
}

/* Send f what it may have: messages while its queue has room. Returns 0,
 * or -errno once f was removed: its client gone, or told why it is
 * released (a follower that cannot be fed would hold its slot forever; one
 * whose access a reload took back reads no further line). */
static int follower_feed(struct commands *cmds, struct follower *f, const struct logbuf *log)
{
	struct proto_buf b;
	int r = 0;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	if (control_client_access(f->client) == CONTROL_DENIED) {
		proto_msg_error(&b, EACCES, "log stream ended: a reload took the control group's access back");
		control_client_reply(f->client, &b, true);
		r = -EACCES;
	}
	while (r == 0 && control_client_pending(f->client) + LOG_CHUNK / 2 < FOLLOW_QUEUE_MAX) {
		r = follower_message(f, log, FOLLOW_QUEUE_MAX - control_client_pending(f->client),
				     &b);
		if (r < 0) {
			proto_msg_error(&b, -r, "log stream ended: cannot read the log");
			control_client_reply(f->client, &b, true);
			break;
		}
		if (r == 0)
			break;
		r = control_client_reply(f->client, &b, false);   /* < 0: dropped */
		if (r < 0)
			break;
	}
	proto_buf_free(&b);
	if (r < 0)
		follower_remove(cmds, f);
	return r < 0 ? r : 0;
}

/* What log holds that f has not taken, overwritten or not: all of a ring
 * made since f's. */
static uint64_t follower_unread(const struct follower *f, const struct logbuf *log)
{
	if (log->serial != f->serial)
		return log->end;
	return log->end > f->offset ? log->end - f->offset : 0;
}

/* A reload removed f's unit and it is gone (down, its record freed): no
 * line comes under its name unless a later reload adds it back, so the
 * stream ends now, saying why (ENOENT: svctl's "no such unit"), rather
 * than stay attached by name for ever. What f had queued goes first, then
 * how much of the unit's ring `log` (NULL: freed already) it did not get:
 * its queue was full, and the ring goes with the unit. */
static void follower_end_removed(struct commands *cmds, struct follower *f,
				 const struct logbuf *log)
{
	char marker[FOLLOW_MARKER_MAX];
	struct proto_buf b;
	uint64_t unread = log ? follower_unread(f, log) : 0;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	if (unread) {   /* small: queued past FOLLOW_QUEUE_MAX too */
		proto_msg_begin(&b, PROTO_REPLY_OK);
		proto_put_bytes(&b, PROTO_ATTR_DATA, marker, follower_marker(f, unread, marker));
		if (proto_msg_end(&b) == 0 && control_client_reply(f->client, &b, false) < 0)
			goto done;   /* the client is gone */
	}
	proto_msg_errorf(&b, ENOENT, "log stream ended: unit %s was removed by a reload",
			 f->name);
	control_client_reply(f->client, &b, true);
done:
	proto_buf_free(&b);
	follower_remove(cmds, f);
}

/* After each pass: a follower of a name no record has. commands_unit_removed
 * ends them as their unit's record goes; this is for a manager without
 * that hook. */
static void followers_check_removed(struct commands *cmds)
{
	struct follower *f, *next;

	for (f = cmds->followers; f; f = next) {
		next = f->next;
		if (!manager_knows(cmds->manager, f->name))
			follower_end_removed(cmds, f, NULL);
	}
}

void commands_unit_removed(void *ctx, struct service *s)
{
	struct commands *cmds = ctx;
	const struct logbuf *log = manager_service_log(s);
	struct follower *f, *next;

	for (f = cmds->followers; f; f = next) {
		next = f->next;
		/* what its queue takes, then the rest said dropped */
		if (strcmp(f->name, s->unit->name) == 0 && follower_feed(cmds, f, log) == 0)
			follower_end_removed(cmds, f, log);
	}
}

void commands_output(void *ctx, struct service *s)
{
	struct commands *cmds = ctx;
	struct follower *f, *next;

	for (f = cmds->followers; f; f = next) {
		next = f->next;
		if (strcmp(f->name, s->unit->name) == 0)
			follower_feed(cmds, f, manager_service_log(s));
	}
}

void commands_client_drained(void *ctx, struct control_client *c)
{
	struct commands *cmds = ctx;
	struct follower *f;
	struct service *s;

	for (f = cmds->followers; f && f->client != c; f = f->next)
		;
	if (!f || !cmds->manager)
		return;
	s = manager_find(cmds->manager, f->name);
	if (s)
		follower_feed(cmds, f, manager_service_log(s));
}

void commands_access_changed(struct commands *cmds)
{
	struct follower *f, *next;

	for (f = cmds->followers; f; f = next) {
		next = f->next;
		if (control_client_access(f->client) == CONTROL_DENIED)
			follower_feed(cmds, f, NULL);   /* ends it before any read */
	}
}

static int cmd_kill(struct commands *cmds, struct control_client *c,
		    const struct control_request *req, struct proto_buf *reply)
{
	const char *names[1];
	size_t n;
	uint32_t sig = SIGTERM;
	struct service *s;
	int r;

	if (request_names(req, names, 1, &n) < 0 || n != 1 ||
	    request_u32(req, PROTO_ATTR_SIGNAL, &sig) < 0)
		return proto_msg_errorf(reply, EINVAL, "kill needs one unit name and a signal");
	if (sig == 0 || sig >= (uint32_t)NSIG)
		return proto_msg_errorf(reply, EINVAL, "invalid signal %u", sig);
	s = manager_find(cmds->manager, names[0]);
	if (!s)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", names[0]);
	r = manager_kill(cmds->manager, s, (int)sig,
			 request_flag(req, PROTO_ATTR_MAIN_ONLY));
	if (r == -ESRCH)
		return proto_msg_errorf(reply, ESRCH, "%s has no running process", names[0]);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "kill %s: %s", names[0], strerror(-r));
	return reply_ok(reply);
}

/* ---- post-mortems, freeze, thaw (issue 17) ------------------------------------- */

/* postmortem NAME [COUNT], freeze NAME, thaw NAME: commands_forensics.c. */
static int cmd_postmortem(struct commands *cmds, struct control_client *c,
			  const struct control_request *req, struct proto_buf *reply)
{
	const char *names[1];
	uint32_t count = UINT32_MAX;
	size_t n;

	if (request_names(req, names, 1, &n) < 0 || n != 1 ||
	    request_u32(req, PROTO_ATTR_COUNT, &count) < 0)
		return proto_msg_errorf(reply, EINVAL, "postmortem needs exactly one unit name");
	return commands_postmortem(cmds, names[0], count, reply);
}

static int cmd_analyze(struct commands *cmds, struct control_client *c,
		       const struct control_request *req, struct proto_buf *reply)
{
	return commands_analyze(cmds, reply);
}

static int cmd_freeze(struct commands *cmds, struct control_client *c,
		      const struct control_request *req, struct proto_buf *reply)
{
	const char *names[1];
	size_t n;

	if (request_names(req, names, 1, &n) < 0 || n != 1)
		return proto_msg_errorf(reply, EINVAL, "%s needs exactly one unit name",
					proto_msg_name(req->type));
	return commands_freeze(cmds, names[0], req->type == PROTO_REQ_FREEZE, reply);
}

/* ---- reload ---------------------------------------------------------------------- */

static bool reload_waiting(const struct commands *cmds, const struct reload_waiter *which)
{
	for (const struct reload_waiter *w = cmds->reloads; w; w = w->next)
		if (which ? w == which : w->included)
			return true;
	return false;
}

void commands_reloads_include(struct commands *cmds)
{
	for (struct reload_waiter *w = cmds->reloads; w; w = w->next)
		w->included = true;
}

/* Included first: a load that cannot start answers them at once. */
void commands_reload_next(struct commands *cmds)
{
	commands_reloads_include(cmds);
	cmds->reload(cmds);
}

static int cmd_reload(struct commands *cmds, struct control_client *c,
		      const struct control_request *req, struct proto_buf *reply)
{
	struct reload_waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return proto_msg_errorf(reply, ENOMEM, "out of memory");
	if (!cmds->reload)
		return free(w), proto_msg_errorf(reply, EOPNOTSUPP, "reload is not available");
	/* A reload would apply initd.conf again (modules, bridges, sysctl)
	 * and relink the units being stopped. */
	if (cmds->shutting_down)
		return free(w), proto_msg_errorf(reply, ESHUTDOWN, "shutting down: no reload");
	if (cmds->manager && manager_shutting_down(cmds->manager))
		return free(w), proto_msg_errorf(reply, EBUSY,
						 "stopping every unit for rescue: no reload");
	w->client = c;
	w->next = cmds->reloads;
	cmds->reloads = w;
	/* A load in flight (another reload, an instance's, SIGHUP's) may
	 * have read the files before this request: it waits for the next. */
	if (!cmds->loading)
		commands_reload_next(cmds);
	/* A load that could not even start is answered at once, while this
	 * client is not deferred yet: it would never hear of it. */
	if (!reload_waiting(cmds, w))
		return proto_msg_errorf(reply, EAGAIN,
					"reload failed: cannot start the unit loader");
	return CONTROL_DEFER;
}

void commands_reload_done(struct commands *cmds, const struct proto_buf *msg)
{
	struct reload_waiter **pp = &cmds->reloads, *w;

	while ((w = *pp)) {
		if (!w->included) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		control_client_reply(w->client, msg, true);
		free(w);
	}
}

/* One reply to every waiting client, built by `build` only if one waits;
 * the starts waiting for run-time instances hear of the load too (ok: it
 * was applied). */
static void reload_answer(struct commands *cmds,
			  void (*build)(struct commands *cmds, struct proto_buf *b, const void *arg),
			  const void *arg, bool ok)
{
	struct proto_buf b;

	if (!reload_waiting(cmds, NULL) && (ok || !commands_instances_waiting(cmds))) {
		commands_instances_loaded(cmds, ok, NULL);
	} else {
		proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
		build(cmds, &b, arg);
		commands_reload_done(cmds, &b);
		commands_instances_loaded(cmds, ok, &b);
		proto_buf_free(&b);
	}
	/* The reloads asked for while it loaded: the next load, unless the
	 * instances' already started it (commands_load_started). */
	if (cmds->reloads && !cmds->loading)
		commands_reload_next(cmds);
}

struct reload_failure {
	int err;
	const char *text;
};

/* The why whole: a long one (a path in it) was cut at 256 bytes. */
static void build_failed(struct commands *cmds, struct proto_buf *b, const void *arg)
{
	const struct reload_failure *f = arg;
	_cleanup_free_ char *line = NULL;

	if (asprintf(&line, "reload failed: %s", f->text) < 0) {
		line = NULL;
		proto_msg_error(b, f->err, "reload failed (out of memory for why)");
		return;
	}
	proto_msg_error(b, f->err, line);
}

void commands_reload_failed(struct commands *cmds, int err, const char *fmt, ...)
{
	struct reload_failure f = { .err = err };
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		text = NULL;
	f.text = text ? text : "out of memory for why";
	reload_answer(cmds, build_failed, &f, false);
}

/* The first and the last line of a refused reload's answer at most. */
#define REFUSED_NOTE_MAX 128

/* How many diagnostics from the first, each after a newline, fit whole in
 * `room` bytes; their bytes in *ret_len. */
static size_t refused_fit(const struct unit_diags *diags, size_t room, size_t *ret_len)
{
	size_t len = 0, i;

	for (i = 0; i < diags->n; i++) {
		size_t n = 1 + unit_diag_format(&diags->v[i], NULL, 0);

		if (n > room - len)
			break;
		len += n;
	}
	*ret_len = len;
	return i;
}

/* A refused set lists every error, so that one `svctl reload` says all
 * that must be fixed: each whole, as many as COMMANDS_REFUSED_TEXT_MAX
 * holds, then how many more there are (never one cut mid-line). */
static void build_refused(struct commands *cmds, struct proto_buf *b, const void *arg)
{
	const struct unit_diags *diags = &((const struct unit_set *)arg)->diags;
	size_t lines, shown = refused_fit(diags, COMMANDS_REFUSED_TEXT_MAX -
					  2 * REFUSED_NOTE_MAX - 1, &lines);
	size_t cap = REFUSED_NOTE_MAX + lines + REFUSED_NOTE_MAX + 1, len;
	_cleanup_free_ char *text = malloc(cap);

	if (!text) {
		proto_msg_error(b, ENOMEM, "reload refused: out of memory");
		return;
	}
	len = (size_t)snprintf(text, REFUSED_NOTE_MAX, "reload refused: %zu error(s), "
			       "the running configuration is unchanged", diags->n);
	for (size_t i = 0; i < shown; i++) {
		text[len++] = '\n';
		len += unit_diag_format(&diags->v[i], text + len, cap - len);
	}
	if (shown < diags->n)
		snprintf(text + len, cap - len, "\n(%zu more error(s) not shown; "
			 "initd --check lists them all)", diags->n - shown);
	proto_msg_error(b, EINVAL, text);
}

void commands_reload_refused(struct commands *cmds, const struct unit_set *set)
{
	reload_answer(cmds, build_refused, set, false);
}

struct reload_applied {
	const struct reload_summary *sum;
	bool incomplete;
};

static void build_applied(struct commands *cmds, struct proto_buf *b, const void *arg)
{
	const struct reload_applied *a = arg;
	char line[RELOAD_SUMMARY_LINE + 64];
	size_t len;

	reload_summary_format(a->sum, line, RELOAD_SUMMARY_LINE);
	len = strlen(line);
	if (a->incomplete)
		snprintf(line + len, sizeof(line) - len,
			 " (out of memory: some changes not applied)");
	proto_msg_begin(b, PROTO_REPLY_OK);
	proto_put_str(b, PROTO_ATTR_MESSAGE, line);
	proto_msg_end(b);
}

void commands_reload_applied(struct commands *cmds, const struct reload_summary *sum,
			     bool incomplete)
{
	struct reload_applied a = { sum, incomplete };

	reload_answer(cmds, build_applied, &a, true);
}

/* The answer to a reload that had nothing running to change: the first
 * load's outcome. */
static void build_first_load(struct commands *cmds, struct proto_buf *b, const void *arg)
{
	const size_t *errors = arg;
	char line[320];

	if (!cmds->manager) {
		snprintf(line, sizeof(line), "reload failed: %s", cmds->no_units_why);
		proto_msg_error(b, EIO, line);
		return;
	}
	snprintf(line, sizeof(line), "units loaded: %zu units, %zu error(s)",
		 manager_count(cmds->manager), *errors);
	proto_msg_begin(b, PROTO_REPLY_OK);
	proto_put_str(b, PROTO_ATTR_MESSAGE, line);
	proto_msg_end(b);
}

void commands_reload_first_load(struct commands *cmds, size_t errors)
{
	reload_answer(cmds, build_first_load, &errors, cmds->manager != NULL);
}

static int cmd_tree(struct commands *cmds, struct control_client *c,
		    const struct control_request *req, struct proto_buf *reply)
{
	return commands_tree(cmds, reply);
}

/* show-system: initd's own state, which needs no unit set: the hardware
 * watchdog, as watchdog_get_status has it. */
static int cmd_system(struct commands *cmds, struct control_client *c,
		      const struct control_request *req, struct proto_buf *reply)
{
	struct watchdog_status wi = { .state = WATCHDOG_OFF };
	int r;

	if (cmds->watchdog)
		watchdog_get_status(cmds->watchdog, &wi);
	proto_msg_begin(reply, PROTO_REPLY_OK);
	proto_nest_begin(reply, PROTO_ATTR_WATCHDOG);
	proto_put_str(reply, PROTO_ATTR_STATE, watchdog_state_to_string(wi.state));
	if (wi.device) {
		proto_put_str(reply, PROTO_ATTR_PATH, wi.device);
		proto_put_u32(reply, PROTO_ATTR_ASKED, wi.asked_sec);
		proto_put_u64(reply, PROTO_ATTR_PETS, wi.pets);
	}
	if (wi.timeout_sec)
		proto_put_u32(reply, PROTO_ATTR_TIMEOUT, wi.timeout_sec);
	if (wi.last_pet)
		proto_put_u64(reply, PROTO_ATTR_LAST_PET, now_usec() - wi.last_pet);
	if (wi.nowayout)
		proto_put_flag(reply, PROTO_ATTR_NOWAYOUT);
	if (wi.error && wi.error[0])
		proto_put_str(reply, PROTO_ATTR_MESSAGE, wi.error);
	proto_nest_end(reply);
	if (cmds->metrics)
		proto_put_u64(reply, PROTO_ATTR_METRICS_WRITES, metrics_writes(cmds->metrics));
	r = proto_msg_end(reply);
	return r < 0 ? proto_msg_errorf(reply, -r, "system reply too large") : 0;
}

/* metrics: the text metrics_file holds too, rendered now. Root gets it in
 * the memfd it was rendered into, whatever its size; a member of the
 * control group in the reply, up to its bound (a passed memfd would stay
 * PID 1's memory for as long as the client keeps it). fd is taken. */
static int metrics_reply(struct commands *cmds, enum control_access access, int *pass_fd,
			 int fd, size_t len, struct proto_buf *reply)
{
	_cleanup_close_ int text_fd = fd;
	ssize_t n;
	void *text;
	int r;

	proto_msg_begin(reply, PROTO_REPLY_OK);
	if (access == CONTROL_ADMIN && pass_fd) {
		proto_put_u64(reply, PROTO_ATTR_DATA_IN_FD, len);
		r = proto_msg_end(reply);
		if (r == 0)
			*pass_fd = TAKE_FD(text_fd);
		return r < 0 ? proto_msg_errorf(reply, -r, "metrics reply too large") : 0;
	}
	if (len > metrics_text_max(cmds->metrics))
		return proto_msg_errorf(reply, E2BIG, "the metrics exceed a reply (%zuM) to a user "
					"not root: initd.conf's metrics_file has them all",
					metrics_text_max(cmds->metrics) >> 20);
	text = proto_put_space(reply, PROTO_ATTR_DATA, len);   /* no copy but the reply */
	if (!text)
		return proto_msg_errorf(reply, -reply->error, "metrics reply too large");
	n = read_full(text_fd, text, len);
	if (n != (ssize_t)len)
		return proto_msg_errorf(reply, n < 0 ? (int)-n : EIO,
					"cannot read the metrics back");
	r = proto_msg_end(reply);
	return r < 0 ? proto_msg_errorf(reply, -r, "metrics reply too large") : 0;
}

/* A request whose text the metrics helper is finishing. */
struct metrics_waiter {
	struct metrics_waiter *next;
	struct commands *cmds;
	struct control_client *client;
	struct metrics_job *job;
	enum control_access access;
	bool pass_fd;                 /* the request could take an fd */
};

static void metrics_waiter_unlink(struct metrics_waiter *w)
{
	for (struct metrics_waiter **pp = &w->cmds->metrics_waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static void metrics_rendered(void *data, int r, int fd, size_t len)
{
	struct metrics_waiter *w = data;
	struct proto_buf b;
	int pass = -1;

	metrics_waiter_unlink(w);
	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	if (r < 0)
		proto_msg_errorf(&b, -r, "cannot read the units' cgroups for the metrics: %s",
				 metrics_failure(r));
	else
		metrics_reply(w->cmds, w->access, w->pass_fd ? &pass : NULL, fd, len, &b);
	control_client_reply_fd(w->client, &b, pass);
	proto_buf_free(&b);
	free(w);
}

static int cmd_metrics(struct commands *cmds, struct control_client *c,
		       const struct control_request *req, struct proto_buf *reply)
{
	struct metrics_waiter *w = cmds->metrics ? calloc(1, sizeof(*w)) : NULL;
	size_t len = 0;
	int fd = -1, r;

	if (!w)
		return proto_msg_errorf(reply, ENOMEM, "out of memory");
	*w = (struct metrics_waiter){ .cmds = cmds, .client = c, .access = req->access,
				      .pass_fd = req->pass_fd != NULL };
	r = metrics_render(cmds->metrics, metrics_rendered, w, &fd, &len, &w->job);
	if (r == METRICS_PENDING) {
		w->next = cmds->metrics_waiters;
		cmds->metrics_waiters = w;
		return CONTROL_DEFER;
	}
	free(w);
	if (r == -EBUSY)
		return proto_msg_errorf(reply, EBUSY, "busy: %d metrics requests are being "
					"answered; try again", METRICS_REPLIES_MAX);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "cannot render the metrics");
	return metrics_reply(cmds, req->access, req->pass_fd, fd, len, reply);
}

/* poweroff, reboot, halt: need no unit set (with none, initd goes straight
 * to the end). */
static int cmd_shutdown(struct commands *cmds, struct control_client *c,
			const struct control_request *req, struct proto_buf *reply)
{
	enum shutdown_how how = req->type == PROTO_REQ_REBOOT ? SHUTDOWN_REBOOT :
				req->type == PROTO_REQ_HALT ? SHUTDOWN_HALT : SHUTDOWN_POWEROFF;

	if (cmds->shutdown && cmds->shutdown(cmds, how) == -EALREADY)
		return proto_msg_errorf(reply, EALREADY, "the services are stopped and the end of "
					"another kind is under way: too late to change it");
	return reply_ok(reply);
}

/* ---- dispatch ------------------------------------------------------------------- */

typedef int (*command_fn)(struct commands *cmds, struct control_client *c,
			  const struct control_request *req, struct proto_buf *reply);

/* Every request initd answers, who may make it and what it needs: the one
 * place that says so. A type without a handler here is unknown. The read
 * level (the control group) gets what only looks; initd.conf(5) and
 * svctl(8) list the same commands (test_access_table_documented checks),
 * and doc/DESIGN.md §9 describes the control plane around it. */
static const struct command {
	enum control_access access;   /* the least level that may ask */
	bool needs_units;             /* refused until a unit set is loaded */
	command_fn fn;
	bool large;                   /* its reply may be large: a member past
	                               * the replies' bound is told busy first */
} command_table[PROTO_REQ_MAX] = {
	[PROTO_REQ_STATUS]   = { CONTROL_READ,  true,  cmd_status, true },
	[PROTO_REQ_SHOW]     = { CONTROL_READ,  true,  cmd_show },
	[PROTO_REQ_SYSTEM]   = { CONTROL_READ,  false, cmd_system },
	[PROTO_REQ_TREE]     = { CONTROL_READ,  true,  cmd_tree, true },
	[PROTO_REQ_LOGS]     = { CONTROL_READ,  true,  cmd_logs, true },
	[PROTO_REQ_POSTMORTEM] = { CONTROL_READ, true, cmd_postmortem, true },
	[PROTO_REQ_ANALYZE]  = { CONTROL_READ,  true,  cmd_analyze, true },
	[PROTO_REQ_METRICS]  = { CONTROL_READ,  true,  cmd_metrics, true },
	[PROTO_REQ_FREEZE]   = { CONTROL_ADMIN, true,  cmd_freeze },
	[PROTO_REQ_THAW]     = { CONTROL_ADMIN, true,  cmd_freeze },
	[PROTO_REQ_WAIT]     = { CONTROL_READ,  true,  cmd_lifecycle },
	[PROTO_REQ_START]    = { CONTROL_ADMIN, true,  cmd_lifecycle },
	[PROTO_REQ_STOP]     = { CONTROL_ADMIN, true,  cmd_lifecycle },
	[PROTO_REQ_RESTART]  = { CONTROL_ADMIN, true,  cmd_lifecycle },
	[PROTO_REQ_KILL]     = { CONTROL_ADMIN, true,  cmd_kill },
	[PROTO_REQ_RELOAD]   = { CONTROL_ADMIN, false, cmd_reload },
	[PROTO_REQ_POWEROFF] = { CONTROL_ADMIN, false, cmd_shutdown },
	[PROTO_REQ_REBOOT]   = { CONTROL_ADMIN, false, cmd_shutdown },
	[PROTO_REQ_HALT]     = { CONTROL_ADMIN, false, cmd_shutdown },
};

static const struct command *command_of(uint16_t type)
{
	if (type >= ARRAY_SIZE(command_table) || !command_table[type].fn)
		return NULL;
	return &command_table[type];
}

int commands_access(uint16_t type)
{
	const struct command *cmd = command_of(type);

	return cmd ? (int)cmd->access : -EOPNOTSUPP;
}

/* No unit set: still loading the first one, or that load failed. */
static int reply_no_units(struct commands *cmds, struct proto_buf *reply)
{
	if (!cmds->no_units_why[0])
		return proto_msg_errorf(reply, EAGAIN, "initd is still loading its units");
	return proto_msg_errorf(reply, ENODATA, "no units are loaded (%s); fix that and run "
				"svctl reload", cmds->no_units_why);
}

int commands_dispatch(void *ctx, struct control_client *c, const struct control_request *req,
		      struct proto_buf *reply)
{
	struct commands *cmds = ctx;
	const struct command *cmd = command_of(req->type);

	if (!cmd)
		return proto_msg_errorf(reply, EOPNOTSUPP, "unknown request type %u", req->type);
	if (req->access < cmd->access)
		return proto_msg_errorf(reply, req->access == CONTROL_DENIED ? EACCES : EPERM,
					"permission denied: %s needs root", proto_msg_name(req->type));
	/* Before the work: its reply would be refused once built (control.c) */
	if (cmd->large && c && req->access < CONTROL_ADMIN && !control_client_may_queue_large(c))
		return proto_msg_errorf(reply, EBUSY, "busy: replies wait for clients that "
					"read them slowly; try again");
	if (cmd->needs_units && !cmds->manager)
		return reply_no_units(cmds, reply);
	return cmd->fn(cmds, c, req, reply);
}

void commands_client_gone(void *ctx, struct control_client *c)
{
	struct commands *cmds = ctx;
	struct pending *p = cmds->pending, *next;
	struct follower *f, *fnext;

	for (struct reload_waiter **pp = &cmds->reloads; *pp;) {
		struct reload_waiter *w = *pp;

		if (w->client == c) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
	commands_instances_client_gone(cmds, c);
	for (struct metrics_waiter **pp = &cmds->metrics_waiters; *pp;) {
		struct metrics_waiter *w = *pp;

		if (w->client == c) {
			*pp = w->next;
			metrics_cancel(cmds->metrics, w->job);
			free(w);
		} else {
			pp = &w->next;
		}
	}
	for (f = cmds->followers; f; f = fnext) {
		fnext = f->next;
		if (f->client == c)
			follower_remove(cmds, f);
	}
	for (; p; p = next) {
		next = p->next;
		if (p->client != c)
			continue;
		manager_cancel_settled(cmds->manager, p);
		pending_free(p);
	}
}
