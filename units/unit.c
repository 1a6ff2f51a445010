/* unit.c — the life of a struct unit and of a set: a unit with every
 * default, freeing, comparing, and the NULL-terminated string vectors they
 * are made of. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* An empty NULL-terminated vector; NULL on ENOMEM. Caller frees. */
char **strv_new(void)
{
	return calloc(1, sizeof(char *));
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* NULL equals NULL (and only NULL). */
bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool strv_equal(char *const *a, char *const *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return !*a && !*b;
}

struct unit_optional *unit_optional_new(void)
{
	struct unit_optional *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	probes_init(o);
	if (isolation_init(&o->iso) < 0 || dirs_init(&o->dirs) < 0) {
		unit_optional_free(o);
		return NULL;
	}
	return o;
}

void unit_optional_free(struct unit_optional *o)
{
	if (!o)
		return;
	isolation_clear(&o->iso);
	unit_limits_clear(&o->limits);
	unit_probe_clear(&o->ready);
	unit_probe_clear(&o->health);
	seccomp_clear(&o->seccomp);
	dirs_clear(&o->dirs);
	free(o);
}

int unit_forget_groups(struct unit *u)
{
	struct unit_optional *o = unit_optional_new();
	char **mounts = strv_new();

	if (!o || !mounts) {
		unit_optional_free(o);
		strv_free(mounts);
		return -ENOMEM;
	}
	unit_optional_free(unit_opt_own(u));
	u->opt = o;
	strv_free(u->requires_mounts);
	u->requires_mounts = mounts;
	envdirs_clear(u);
	return envdirs_init(u);
}

void unit_free(struct unit *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->file);
	diags_clear(&u->diags);
	free(u->description);
	strv_free(u->exec);
	strv_free(u->requires);
	strv_free(u->after);
	strv_free(u->requires_mounts);
	free(u->user);
	free(u->group);
	strv_free(u->environment);
	strv_free(u->modes);
	free(u->workdir);
	free(u->log_file);
	free(u->pidfile);
	free(u->cgroup.slice);
	envdirs_clear(u);
	/* a unit unit_free is called on owns its optional groups (a decoded
	 * set's units are freed with its arena, never one by one) */
	unit_optional_free(unit_opt_own(u));
	free(u);
}

void unit_set_free(struct unit_set *s)
{
	if (!s)
		return;
	conf_clear(&s->conf);
	/* A decoded set's units are in its arena (encode.c), freed at once. */
	for (size_t i = 0; !s->arena && i < s->n_units; i++)
		unit_free(s->units[i]);
	arena_free(s->arena);
	free(s->units);
	diags_clear(&s->diags);
	diags_clear(&s->warnings);
	strv_free(s->templates);
	free(s);
}

static bool diags_equal(const struct unit_diags *a, const struct unit_diags *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!streq_ptr(a->v[i].file, b->v[i].file) || a->v[i].line != b->v[i].line ||
		    !streq_ptr(a->v[i].message, b->v[i].message))
			return false;
	return true;
}

static bool unit_numbers_equal(const struct unit *a, const struct unit *b)
{
	return a->bad == b->bad && a->type == b->type && a->restart == b->restart &&
	       a->restart_delay_usec == b->restart_delay_usec &&
	       a->restart_delay_max_usec == b->restart_delay_max_usec &&
	       a->start_limit_burst == b->start_limit_burst &&
	       a->postmortems == b->postmortems &&
	       a->start_limit_interval_usec == b->start_limit_interval_usec &&
	       a->stop_signal == b->stop_signal && a->stop_timeout_usec == b->stop_timeout_usec &&
	       a->start_timeout_usec == b->start_timeout_usec &&
	       a->watchdog_usec == b->watchdog_usec && a->log_console == b->log_console &&
	       a->log_kmsg == b->log_kmsg && a->on_failure == b->on_failure &&
	       a->critical == b->critical && a->autostart == b->autostart &&
	       a->log_max_size == b->log_max_size && a->log_keep == b->log_keep &&
	       a->log_keep_set == b->log_keep_set;
}

/* Two units' optional groups; a decoded set's units without any share
 * one copy, so the pointers are often the same. */
static bool optional_equal(const struct unit_optional *a, const struct unit_optional *b)
{
	if (a == b)
		return true;
	return isolation_equal(&a->iso, &b->iso) && unit_limits_equal(&a->limits, &b->limits) &&
	       unit_probe_equal(&a->ready, &b->ready) && unit_probe_equal(&a->health, &b->health) &&
	       seccomp_equal(&a->seccomp, &b->seccomp) && dirs_equal(&a->dirs, &b->dirs) &&
	       !memcmp(a->success_exit_codes, b->success_exit_codes,
		       sizeof(a->success_exit_codes)) &&
	       a->success_exit_signals == b->success_exit_signals;
}

/* Every field counts, the diagnostics too: a unit whose messages changed is
 * shown anew. */
bool unit_equal(const struct unit *a, const struct unit *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return unit_numbers_equal(a, b) && optional_equal(a->opt, b->opt) && envdirs_equal(a, b) &&
	       streq_ptr(a->name, b->name) &&
	       streq_ptr(a->file, b->file) && diags_equal(&a->diags, &b->diags) &&
	       streq_ptr(a->description, b->description) && strv_equal(a->exec, b->exec) &&
	       strv_equal(a->requires, b->requires) && strv_equal(a->after, b->after) &&
	       strv_equal(a->requires_mounts, b->requires_mounts) &&
	       streq_ptr(a->user, b->user) && streq_ptr(a->group, b->group) &&
	       strv_equal(a->environment, b->environment) && strv_equal(a->modes, b->modes) &&
	       streq_ptr(a->workdir, b->workdir) && streq_ptr(a->log_file, b->log_file) &&
	       streq_ptr(a->pidfile, b->pidfile) &&
	       streq_ptr(a->cgroup.slice, b->cgroup.slice) &&
	       a->cgroup.subtree_control == b->cgroup.subtree_control &&
	       a->cgroup.delegate_max_depth == b->cgroup.delegate_max_depth &&
	       a->cgroup.delegate_max_descendants == b->cgroup.delegate_max_descendants;
}

const char *unit_slice(const struct unit *u)
{
	return u->cgroup.slice ? u->cgroup.slice : "system";
}

int unit_cgroup_path(const struct unit *u, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", unit_slice(u), u->name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A unit with every default, named name, read from file. NULL on ENOMEM.
 * The caller owns it (unit_free). */
struct unit *unit_new(const char *name, const char *file)
{
	struct unit *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	*u = (struct unit){
		.name = strdup(name),
		.file = strdup(file),
		.type = UNIT_SIMPLE,
		.requires = strv_new(),
		.after = strv_new(),
		.requires_mounts = strv_new(),
		.restart = UNIT_RESTART_ON_FAILURE,
		.restart_delay_usec = 100 * USEC_PER_MSEC,
		.restart_delay_max_usec = 30 * USEC_PER_SEC,
		.start_limit_burst = 5,
		.postmortems = 5,
		.start_limit_interval_usec = 10 * USEC_PER_SEC,
		.stop_signal = SIGTERM,
		.stop_timeout_usec = 5 * USEC_PER_SEC,
		.start_timeout_usec = 90 * USEC_PER_SEC,
		.environment = strv_new(),
		.modes = strv_new(),
		.autostart = true,
		.cgroup.slice = strdup("system"),
		.cgroup.delegate_max_depth = UNIT_DELEGATE_DEPTH_DEFAULT,
		.cgroup.delegate_max_descendants = UNIT_DELEGATE_DESCENDANTS_DEFAULT,
		.opt = unit_optional_new(),
	};
	if (!u->name || !u->file || !u->requires || !u->after || !u->environment ||
	    !u->modes || !u->cgroup.slice || !u->requires_mounts || !u->opt) {
		unit_free(u);
		return NULL;
	}
	if (envdirs_init(u) < 0) {
		unit_free(u);
		return NULL;
	}
	return u;
}
