/* commands_instance.c — `svctl start NAME@INST` (or restart) of an
 * instance no load made yet (doc/DESIGN.md §9, "Run-time instances").
 *
 * PID 1 never parses, so it cannot make the instance itself: it adds the
 * name to cmds->instances, the run-time instances every load is handed,
 * and asks for a load as `svctl reload` does. When that load is applied
 * the instance is an ordinary unit and is started like any other; when it
 * is refused (the instance does not validate, or another file on disk is
 * broken) the client gets the load's errors and the name is forgotten. A
 * stopped or exited one is left out of the next load and forgotten once
 * that load is applied (a start or restart of it meanwhile waits, as
 * below: run at once, it would be stopped by that load's apply). A
 * request that comes while a load runs waits for the next one: the load
 * in flight was forked before the name was known. */
#include "initd/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A start waiting for a load to make its instances. */
struct instance_waiter {
	struct instance_waiter *next;
	struct control_client *client;
	uint16_t type;          /* PROTO_REQ_START or PROTO_REQ_RESTART */
	bool no_wait;
	bool included;          /* the load in flight knows its names */
	size_t n_names;
	char *names[];          /* every name of the request */
};

static bool instance_listed(const struct commands *cmds, const char *name)
{
	for (size_t i = 0; i < cmds->n_instances; i++)
		if (strcmp(cmds->instances[i], name) == 0)
			return true;
	return false;
}

/* set may be NULL (manager_set of a manager no set was applied to, as
 * commands_tree allows): no template then. */
static bool is_template(const struct unit_set *set, const char *template)
{
	if (!set)
		return false;
	for (char **t = set->templates; t && *t; t++)
		if (strcmp(*t, template) == 0)
			return true;
	return false;
}

/* name is not loaded: 0 if a load can make it, or the error replied. */
static int check_instance(struct commands *cmds, const char *name, struct proto_buf *reply)
{
	char template[UNIT_NAME_MAX + 1];
	const char *inst, *why;

	if (strlen(name) > UNIT_NAME_MAX)
		return proto_msg_errorf(reply, EINVAL, "%.80s...: a unit name is at most %d bytes",
					name, UNIT_NAME_MAX), -EINVAL;
	if (unit_name_split(name, template, &inst) < 0)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", name), -ENOENT;
	if (!is_template(manager_set(cmds->manager), template))
		return proto_msg_errorf(reply, ENOENT, "unit %s not found (no template %s@.unit)",
					name, template), -ENOENT;
	why = unit_instance_problem(inst);
	if (why)
		return proto_msg_errorf(reply, EINVAL, "%s: invalid instance name '%s': it %s",
					name, inst, why), -EINVAL;
	return 0;
}

/* Add name to the run-time instances: 0, or -E2BIG / -ENOMEM. */
static int instance_add(struct commands *cmds, const char *name)
{
	char **v;

	if (instance_listed(cmds, name))
		return 0;
	if (cmds->n_instances >= COMMANDS_INSTANCES_MAX)
		return -E2BIG;
	v = realloc(cmds->instances, (cmds->n_instances + 2) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	cmds->instances = v;
	v[cmds->n_instances] = strdup(name);
	if (!v[cmds->n_instances])
		return -ENOMEM;
	v[++cmds->n_instances] = NULL;
	return 0;
}

/* Does a start still waiting for a load name it? */
static bool instance_wanted(const struct commands *cmds, const char *name)
{
	for (const struct instance_waiter *w = cmds->instance_waiters; w; w = w->next)
		for (size_t i = 0; i < w->n_names; i++)
			if (strcmp(w->names[i], name) == 0)
				return true;
	return false;
}

/* A loaded run-time instance that was stopped or is done (exited), with
 * nothing wanting it running: a load need not make it again. A failed one
 * is not: it stays, for its operator to see, until it is stopped. */
static bool instance_idle(const struct commands *cmds, const char *name)
{
	const struct service *s = cmds->manager ? manager_find(cmds->manager, name) : NULL;

	return s && !service_is_active(s) && !s->want_running &&
	       (s->state == SERVICE_STOPPED || s->state == SERVICE_EXITED);
}

/* Forget the run-time instances that are neither loaded now nor wanted by
 * a start still waiting. */
static void instances_prune(struct commands *cmds)
{
	size_t k = 0;

	for (size_t i = 0; i < cmds->n_instances; i++) {
		if ((cmds->manager && manager_find(cmds->manager, cmds->instances[i])) ||
		    instance_wanted(cmds, cmds->instances[i]))
			cmds->instances[k++] = cmds->instances[i];
		else
			free(cmds->instances[i]);
	}
	cmds->n_instances = k;
	if (cmds->instances)
		cmds->instances[k] = NULL;
}

static void waiter_free(struct instance_waiter *w)
{
	for (size_t i = 0; i < w->n_names; i++)
		free(w->names[i]);
	free(w);
}

static struct instance_waiter *waiter_new(struct control_client *c, uint16_t type,
					  const char **names, size_t n, bool no_wait)
{
	struct instance_waiter *w = calloc(1, sizeof(*w) + n * sizeof(char *));

	if (!w)
		return NULL;
	w->client = c;
	w->type = type;
	w->no_wait = no_wait;
	for (size_t i = 0; i < n; i++) {
		w->names[i] = strdup(names[i]);
		if (!w->names[i]) {
			waiter_free(w);
			return NULL;
		}
		w->n_names++;
	}
	return w;
}

int commands_start_instances(struct commands *cmds, struct control_client *c, uint16_t type,
			     const char **names, size_t n, bool no_wait, struct proto_buf *reply)
{
	struct instance_waiter *w;
	bool was_loading = cmds->loading;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		if (!manager_find(cmds->manager, names[i]) && check_instance(cmds, names[i], reply) < 0)
			return 0;
	if (!cmds->reload)
		return proto_msg_errorf(reply, EOPNOTSUPP, "loading an instance is not available");
	if (cmds->shutting_down)
		return proto_msg_errorf(reply, ESHUTDOWN, "shutting down: no new instance");
	if (cmds->manager && manager_shutting_down(cmds->manager))
		return proto_msg_errorf(reply, EBUSY,
					"stopping every unit for rescue: no new instance");
	w = waiter_new(c, type, names, n, no_wait);
	for (size_t i = 0; i < n && w && r == 0; i++)
		if (!manager_find(cmds->manager, names[i]))
			r = instance_add(cmds, names[i]);
	if (!w || r < 0) {
		if (w)
			waiter_free(w);
		instances_prune(cmds);
		return proto_msg_errorf(reply, r == -E2BIG ? E2BIG : ENOMEM, "%s",
					r == -E2BIG ? "too many run-time instances" : "out of memory");
	}
	if (!was_loading)
		cmds->reload(cmds);   /* commands_load_started: this load has them */
	if (!was_loading && !cmds->loading) {
		waiter_free(w);
		instances_prune(cmds);
		return proto_msg_errorf(reply, EAGAIN, "cannot start the unit loader");
	}
	w->included = !was_loading;
	w->next = cmds->instance_waiters;
	cmds->instance_waiters = w;
	return CONTROL_DEFER;
}

static void left_out_clear(struct commands *cmds)
{
	for (size_t i = 0; i < cmds->n_left_out; i++)
		free(cmds->left_out[i]);
	free(cmds->left_out);
	cmds->left_out = NULL;
	cmds->n_left_out = 0;
}

char **commands_instances_for_load(struct commands *cmds)
{
	char **v = calloc(cmds->n_instances + 1, sizeof(*v));
	size_t n = 0;

	left_out_clear(cmds);
	if (!v)
		return NULL;
	cmds->left_out = calloc(cmds->n_instances + 1, sizeof(char *));
	for (size_t i = 0; i < cmds->n_instances; i++) {
		const char *name = cmds->instances[i];
		char *copy;

		if (!instance_idle(cmds, name) || instance_wanted(cmds, name) ||
		    !cmds->left_out || !(copy = strdup(name)))
			v[n++] = cmds->instances[i];
		else
			cmds->left_out[cmds->n_left_out++] = copy;
	}
	return v;
}

bool commands_instance_left_out(const struct commands *cmds, const char *name)
{
	for (size_t i = 0; i < cmds->n_left_out; i++)
		if (strcmp(cmds->left_out[i], name) == 0)
			return true;
	return false;
}

void commands_load_started(struct commands *cmds)
{
	cmds->loading = true;
	for (struct instance_waiter *w = cmds->instance_waiters; w; w = w->next)
		w->included = true;
	commands_reloads_include(cmds);
}

bool commands_instances_waiting(const struct commands *cmds)
{
	for (const struct instance_waiter *w = cmds->instance_waiters; w; w = w->next)
		if (w->included)
			return true;
	return false;
}

/* The load made w's instances: start (or restart) them as `svctl start`
 * does. */
static void waiter_start(struct commands *cmds, struct instance_waiter *w)
{
	const char *missing = NULL;
	struct proto_buf b;
	int r = 0;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	for (size_t i = 0; i < w->n_names && !missing; i++)
		if (!manager_find(cmds->manager, w->names[i]))
			missing = w->names[i];
	if (missing)
		proto_msg_errorf(&b, ENOENT, "unit %s not found: the load did not make it",
				 missing);
	else
		r = commands_lifecycle_run(cmds, w->client, w->type,
					   (const char **)w->names, w->n_names, w->no_wait, &b);
	if (r != CONTROL_DEFER)
		control_client_reply(w->client, &b, true);
	proto_buf_free(&b);
}

void commands_instances_loaded(struct commands *cmds, bool ok, const struct proto_buf *msg)
{
	struct instance_waiter **pp = &cmds->instance_waiters, *w, *done = NULL;

	cmds->loading = false;
	/* Applied, the ones it left out are no longer loaded: the prune below
	 * forgets them. Refused, they are as they were. */
	left_out_clear(cmds);
	/* Unlink first: starting a unit may run a pass that answers others. */
	while ((w = *pp)) {
		if (!w->included) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->next = done;
		done = w;
	}
	instances_prune(cmds);   /* refused: not loaded; applied: a gone template */
	for (; done; done = w) {
		w = done->next;
		if (ok)
			waiter_start(cmds, done);
		else if (msg)
			control_client_reply(done->client, msg, true);
		waiter_free(done);
	}
	if (!cmds->instance_waiters || !cmds->reload)
		return;
	/* The ones that came while it loaded are the next load's now, so that
	 * a load that cannot start answers them (asking again from inside
	 * that answer recursed for ever). */
	for (w = cmds->instance_waiters; w; w = w->next)
		w->included = true;
	cmds->reload(cmds);
}

void commands_instances_client_gone(struct commands *cmds, struct control_client *c)
{
	for (struct instance_waiter **pp = &cmds->instance_waiters; *pp;) {
		struct instance_waiter *w = *pp;

		if (w->client == c) {
			*pp = w->next;
			waiter_free(w);
		} else {
			pp = &w->next;
		}
	}
}

void commands_instances_free(struct commands *cmds)
{
	while (cmds->instance_waiters) {
		struct instance_waiter *w = cmds->instance_waiters;
		cmds->instance_waiters = w->next;
		waiter_free(w);
	}
	for (size_t i = 0; i < cmds->n_instances; i++)
		free(cmds->instances[i]);
	free(cmds->instances);
	cmds->instances = NULL;
	cmds->n_instances = 0;
	left_out_clear(cmds);
}
