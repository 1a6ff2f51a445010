/* set.c — a unit_set's lookup by name and its invariants, which a decoded
 * set must meet as well as a loaded one. Loading a set from a directory is
 * set_load.c's. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

struct unit *unit_set_find(const struct unit_set *s, const char *name)
{
	size_t lo = 0, hi = s->n_units;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name, s->units[mid]->name);
		if (d == 0)
			return s->units[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A NULL or a name / numeric id as setting_account takes it. */
static bool account_valid(const char *s)
{
	uint32_t id;

	return !s || account_name_valid(s) || parse_id(s, &id) == 0;
}

/* A log path as setting_log_path checks it, or none. */
static bool log_path_valid(const char *p, size_t max)
{
	size_t n = p ? strlen(p) : 0;

	return !p || (p[0] == '/' && n >= 2 && n <= max && p[n - 1] != '/' &&
		      !log_path_is_kernel(p) && !log_path_has_dotdot(p));
}

/* Values as conf.c checks them; slices sorted, unique, valid, each with
 * its parent, "system" present. */
static bool conf_valid(const struct initd_conf *conf)
{
	if (!conf->modules || strv_length(conf->modules) > UNIT_MODULES_MAX ||
	    (unsigned)conf->crash_action >= CRASH_ACTION_MAX ||
	    (conf->hostname && !hostname_valid(conf->hostname)) ||
	    !account_valid(conf->control_group) ||
	    conf->log_buffer_size < LOG_BUFFER_MIN || conf->log_buffer_size > LOG_BUFFER_MAX ||
	    !log_path_valid(conf->log_directory, UNIT_LOG_DIR_MAX) ||
	    conf->log_max_size < UNIT_LOG_SIZE_MIN || conf->log_max_size > UNIT_LOG_SIZE_MAX ||
	    conf->log_keep > UNIT_LOG_KEEP_MAX ||
	    !conf_find_slice(conf, "system") || !network_conf_valid(conf) ||
	    !slices_valid(conf) || !rlimits_valid(conf->rlimits, conf->n_rlimits) ||
	    !mounts_conf_valid(conf) ||
	    !watchdog_conf_valid(&conf->watchdog) || !escalation_conf_valid(conf) ||
	    !instances_conf_valid(conf) ||
	    (conf->metrics_file && !metrics_file_valid(conf->metrics_file)) ||
	    (conf->metrics_interval_usec &&
	     (conf->metrics_interval_usec < METRICS_INTERVAL_MIN ||
	      conf->metrics_interval_usec > METRICS_INTERVAL_MAX)) ||
	    conf->sync_timeout_usec < SYNC_TIMEOUT_MIN || conf->sync_timeout_usec > SYNC_TIMEOUT_MAX)
		return false;
	for (char **m = conf->modules; *m; m++)
		if (!module_name_valid(*m))
			return false;
	for (size_t i = 0; i < conf->n_slices; i++) {
		const char *p = conf->slices[i].path, *slash;
		if (!p || !unit_slice_path_valid(p) ||
		    (i > 0 && strcmp(conf->slices[i - 1].path, p) >= 0))
			return false;
		slash = strrchr(p, '/');
		if (slash) {
			char parent[UNIT_SLICE_DEPTH * (UNIT_NAME_MAX + 1)];
			memcpy(parent, p, (size_t)(slash - p));
			parent[slash - p] = '\0';
			if (strcmp(parent, "system") != 0 && !conf_find_slice(conf, parent))
				return false;
		}
	}
	return true;
}

static bool deps_names_valid(char *const *deps)
{
	if (strv_length(deps) > UNIT_DEPS_MAX)
		return false;
	for (; *deps; deps++)
		if (!unit_name_valid(*deps))
			return false;
	return true;
}

static bool deps_present(const struct unit_set *s, char *const *deps)
{
	for (; *deps; deps++)
		if (!unit_set_find(s, *deps))
			return false;
	return true;
}

static bool env_valid(char *const *env)
{
	for (; *env; env++)
		if (!strchr(*env, '='))
			return false;
	return true;
}

static bool mounts_declared(const struct unit_set *s, char *const *wheres)
{
	for (; *wheres; wheres++)
		if (!mounts_find(&s->conf, *wheres))
			return false;
	return true;
}

/* What the rest of initd may rely on for a unit that is not bad, but for
 * what only its set can tell. */
static bool good_unit_alone_valid(const struct unit *u)
{
	return unit_name_valid(u->name) && u->exec && u->exec[0] && u->exec[0][0] == '/' &&
	       deps_names_valid(u->requires) && deps_names_valid(u->after) && u->cgroup.slice &&
	       (!u->workdir || u->workdir[0] == '/') && u->start_limit_burst >= 1 &&
	       log_path_valid(u->log_file, UNIT_LOG_PATH_MAX) &&
	       (u->log_max_size == 0 || (u->log_max_size >= UNIT_LOG_SIZE_MIN &&
					  u->log_max_size <= UNIT_LOG_SIZE_MAX)) &&
	       u->start_limit_interval_usec > 0 && u->stop_signal >= 1 && u->stop_signal < _NSIG &&
	       u->restart_delay_max_usec >= u->restart_delay_usec &&
	       account_valid(u->user) && account_valid(u->group) && env_valid(u->environment) &&
	       isolation_valid(&u->opt->iso) && escalation_unit_valid(u);
}

/* What every unit, bad or not, holds. */
static bool unit_fields_valid(const struct unit *u)
{
	return u->name && u->file && u->requires && u->after && u->environment && u->modes &&
	       (unsigned)u->type < UNIT_TYPE_MAX && (unsigned)u->restart < UNIT_RESTART_MAX &&
	       strv_length(u->exec) <= UNIT_ARGV_MAX &&
	       strv_length(u->environment) <= UNIT_ENV_MAX && limits_valid(&u->opt->limits) &&
	       mounts_unit_valid(u) && envdirs_valid(u) && probes_valid(&u->opt->ready) &&
	       probes_valid(&u->opt->health) && seccomp_valid(&u->opt->seccomp) &&
	       u->cgroup.delegate_max_depth >= 1 && u->cgroup.delegate_max_descendants >= 1;
}

bool unit_alone_valid(const struct unit *u)
{
	return unit_fields_valid(u) && (u->bad || good_unit_alone_valid(u));
}

static bool unit_valid(const struct unit_set *s, const struct unit *u)
{
	return unit_alone_valid(u) &&
	       (u->bad || (deps_present(s, u->requires) && deps_present(s, u->after) &&
			   conf_find_slice(&s->conf, u->cgroup.slice) &&
			   mounts_declared(s, u->requires_mounts)));
}

/* Everything unit_set_load guarantees, checked on a set from elsewhere.
 * 0, -EBADMSG, or -ENOMEM. */
int set_check_invariants(const struct unit_set *s)
{
	_cleanup_free_ size_t *order = NULL;
	int r;

	/* templates: NULL in a set built by hand, none */
	if (!conf_valid(&s->conf) || s->n_units > UNIT_MAX || strv_length(s->templates) > UNIT_MAX)
		return -EBADMSG;
	for (size_t i = 0; s->templates && s->templates[i]; i++)
		if (!unit_template_name_valid(s->templates[i]) ||
		    (i > 0 && strcmp(s->templates[i - 1], s->templates[i]) >= 0))
			return -EBADMSG;
	for (size_t i = 0; i < s->n_units; i++) {
		if (!s->units[i] || !s->units[i]->name ||
		    (i > 0 && strcmp(s->units[i - 1]->name, s->units[i]->name) >= 0))
			return -EBADMSG;
	}
	for (size_t i = 0; i < s->n_units; i++)
		if (!unit_valid(s, s->units[i]))
			return -EBADMSG;
	order = malloc((s->n_units + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	r = unit_set_order(s, order);
	return r == -ELOOP ? -EBADMSG : r;
}
