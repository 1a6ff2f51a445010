/* parse.c — one unit file into a struct unit. The schema is the key tables
 * below; each key's parser checks its value strictly and reports problems
 * with the setting's line. A unit with any error is still returned, bad. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* What the key parsers of one file fill in. */
struct parse_state {
	struct unit *unit;
	struct unit_lines *lines;
	int delay_line;         /* restart_delay, restart_delay_max: 0 if unset */
	int delay_max_line;
	int start_timeout_line; /* 0 if unset */
	int type_line;          /* type, pidfile: 0 if unset */
	int pidfile_line;
	bool has_exec;
};

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

static int parse_description(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_strdup(c, s, path, &st->unit->description);
}

static int parse_exec(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	char q[DIAG_QUOTE_SIZE];
	int r;

	st->has_exec = true;
	r = setting_strv(c, s, path, UNIT_ARGV_MAX, &st->unit->exec);
	if (r < 0)
		return r;
	if (!st->unit->exec[0])
		return FAIL(c, s, "'%s' must not be empty", path);
	if (st->unit->exec[0][0] != '/')
		return FAIL(c, config_setting_get_elem(s, 0),
			    "'%s[0]' must be an absolute path (got '%s')", path,
			    diag_quote(q, st->unit->exec[0]));
	return 0;
}

static int parse_type(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	int v, r;

	st->type_line = setting_line(s);
	r = setting_enum(c, s, path, unit_type_names, UNIT_TYPE_MAX, &v);
	if (r == 0)
		st->unit->type = (enum unit_type)v;
	return r;
}

/* pidfile: an absolute, plain path below /run/ (no "//", ".", ".."
 * component, no trailing '/'): initd reads it from the tmpfs it mounted
 * there, never crossing into another file system (doc/DESIGN.md §6). */
static int parse_pidfile(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	st->pidfile_line = setting_line(s);
	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (v[0] != '/')
		return FAIL(c, s, "'%s' must be an absolute path (got '%s')", path, diag_quote(q, v));
	if (strlen(v) >= UNIT_PIDFILE_MAX)
		return FAIL(c, s, "'%s' is too long (at most %d bytes)", path, UNIT_PIDFILE_MAX - 1);
	if (!strncmp(v, UNIT_PIDFILE_DIR, strlen(UNIT_PIDFILE_DIR)) &&
	    unit_run_path_own(v + strlen(UNIT_PIDFILE_DIR)))
		return FAIL(c, s, "'%s' cannot be in " UNIT_PIDFILE_DIR UNIT_RUN_OWN "/, initd's own "
			    "directory (its control and notify sockets) (got '%s')", path,
			    diag_quote(q, v));
	if (!unit_pidfile_valid(v))
		return FAIL(c, s, "'%s' must be a file below " UNIT_PIDFILE_DIR " without '.', '..' "
			    "or empty components (got '%s')", path, diag_quote(q, v));
	return setting_strdup(c, s, path, &st->unit->pidfile);
}

static int parse_restart(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	int v, r;

	r = setting_enum(c, s, path, unit_restart_names, UNIT_RESTART_MAX, &v);
	if (r == 0)
		st->unit->restart = (enum unit_restart)v;
	return r;
}

/* A list of unit names; each entry's line goes into lines[]. */
static int parse_deps(struct parse_ctx *c, config_setting_t *s, const char *path,
		      char ***names, int *lines)
{
	char q[DIAG_QUOTE_SIZE];
	int r, ret = 0;

	r = setting_strv(c, s, path, UNIT_DEPS_MAX, names);
	if (r < 0)
		return r;
	for (size_t i = 0; (*names)[i]; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *n = (*names)[i];
		lines[i] = setting_line(e);
		r = 0;
		if (!unit_name_valid(n))
			r = FAIL(c, e, "'%s[%zu]': invalid unit name '%s'", path, i, diag_quote(q, n));
		for (size_t j = 0; j < i && r == 0; j++)
			if (strcmp((*names)[j], n) == 0)
				r = FAIL(c, e, "'%s[%zu]': '%s' is listed twice", path, i,
					 diag_quote(q, n));
		if (r == -ENOMEM)
			return r;
		ret = ret ? ret : r;
	}
	return ret;
}

static int parse_requires(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return parse_deps(c, s, path, &st->unit->requires, st->lines->requires);
}

static int parse_after(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return parse_deps(c, s, path, &st->unit->after, st->lines->after);
}

static int parse_restart_delay(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	st->delay_line = setting_line(s);
	return setting_duration(c, s, path, &st->unit->restart_delay_usec);
}

static int parse_restart_delay_max(struct parse_ctx *c, config_setting_t *s, const char *path,
				   void *obj)
{
	struct parse_state *st = obj;

	st->delay_max_line = setting_line(s);
	return setting_duration(c, s, path, &st->unit->restart_delay_max_usec);
}

static int parse_burst(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	long long v;
	int r;

	r = setting_int(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < 1)
		return FAIL(c, s, "'%s' must be at least 1", path);
	if ((unsigned long long)v > UINT32_MAX)
		return FAIL(c, s, "'%s' is out of range", path);
	st->unit->start_limit_burst = (unsigned)v;
	return 0;
}

/* Records of unexpected exits PID 1 keeps for the unit (initd/postmortem.h). */
static int parse_postmortems(struct parse_ctx *c, config_setting_t *s, const char *path,
			     void *obj)
{
	struct parse_state *st = obj;
	long long v;
	int r;

	r = setting_int(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < 0 || v > UNIT_POSTMORTEMS_MAX)
		return FAIL(c, s, "'%s' must be 0..%d", path, UNIT_POSTMORTEMS_MAX);
	st->unit->postmortems = (unsigned)v;
	return 0;
}

static int parse_interval(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	uint64_t v;
	int r;

	r = setting_duration(c, s, path, &v);
	if (r < 0)
		return r;
	if (v == 0)
		return FAIL(c, s, "'%s' must be greater than 0", path);
	st->unit->start_limit_interval_usec = v;
	return 0;
}

static const struct key start_limit_keys[] = {
	{ "burst", parse_burst },
	{ "interval", parse_interval },
};

static int parse_start_limit(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_group(c, s, path, start_limit_keys, ARRAY_SIZE(start_limit_keys), obj);
}

static int parse_stop_signal(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	char q[DIAG_QUOTE_SIZE];
	const char *v, *hint;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (parse_signal(v, &st->unit->stop_signal) == 0)
		return 0;
	hint = signal_hint(v);
	if (hint)
		return FAIL(c, s, "'%s': unknown signal '%s' (did you mean '%s'?)", path,
			    diag_quote(q, v), hint);
	return FAIL(c, s, "'%s': unknown signal '%s'", path, diag_quote(q, v));
}

static int parse_stop_timeout(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_duration(c, s, path, &st->unit->stop_timeout_usec);
}

static const struct key stop_keys[] = {
	{ "signal", parse_stop_signal },
	{ "timeout", parse_stop_timeout },
};

static int parse_stop(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_group(c, s, path, stop_keys, ARRAY_SIZE(stop_keys), obj);
}

static int parse_start_timeout(struct parse_ctx *c, config_setting_t *s, const char *path,
			       void *obj)
{
	struct parse_state *st = obj;

	st->start_timeout_line = setting_line(s);
	return setting_duration(c, s, path, &st->unit->start_timeout_usec);
}

/* One entry of success_exit: an exit status 0..255 or a signal name, into
 * codes / signals; a value given twice is an error. */
static int parse_success_entry(struct parse_ctx *c, config_setting_t *e, const char *path,
			       size_t i, struct unit *u)
{
	char q[DIAG_QUOTE_SIZE];
	const char *name, *hint;
	int type = config_setting_type(e), sig;
	uint64_t *word, bit;
	long long v;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(e);
		if (v < 0 || v > 255)
			return FAIL(c, e, "'%s[%zu]': exit status %lld is out of range (0 to 255)",
				    path, i, v);
		word = &unit_opt_own(u)->success_exit_codes[v / 64];
		bit = 1ULL << (v % 64);
		snprintf(q, sizeof(q), "%lld", v);
	} else if (type == CONFIG_TYPE_STRING) {
		name = config_setting_get_string(e);
		/* stop.signal takes "15" for TERM, but here a quoted number
		 * reads as much as an exit status in quotes: ask which. */
		if (name[0] >= '0' && name[0] <= '9' && parse_signal(name, &sig) == 0 &&
		    signal_to_string(sig))
			return FAIL(c, e, "'%s[%zu]': \"%s\" is a number in quotes: write %d for "
				    "exit status %d, or a signal by name (\"%s\")", path, i,
				    diag_quote(q, name), sig, sig, signal_to_string(sig));
		if (parse_signal(name, &sig) < 0 || sig < 1 || sig > 64) {
			hint = signal_hint(name);
			if (hint)
				return FAIL(c, e, "'%s[%zu]': unknown signal '%s' (did you mean '%s'?)",
					    path, i, diag_quote(q, name), hint);
			return FAIL(c, e, "'%s[%zu]': unknown signal '%s'", path, i,
				    diag_quote(q, name));
		}
		word = &unit_opt_own(u)->success_exit_signals;
		bit = 1ULL << (sig - 1);
		diag_quote(q, name);
	} else
		return FAIL(c, e, "'%s[%zu]' must be an exit status (0 to 255) or a signal name",
			    path, i);
	if (*word & bit)
		return FAIL(c, e, "'%s[%zu]': %s is listed twice", path, i, q);
	*word |= bit;
	return 0;
}

/* success_exit = ( 1, "TERM" ): a list, since a libconfig array cannot mix
 * numbers and strings (an array of either is accepted too). */
static int parse_success_exit(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	struct parse_state *st = obj;
	int n, r, ret = 0;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return FAIL(c, s, "'%s' must be a list of exit statuses and signal names, "
			    "e.g. ( 1, \"TERM\" )", path);
	r = setting_length(c, s, path, UNIT_SUCCESS_EXIT_MAX, &n);
	if (r < 0)
		return r;
	for (int i = 0; i < n; i++) {
		r = parse_success_entry(c, config_setting_get_elem(s, (unsigned)i), path,
					(size_t)i, st->unit);
		if (r == -ENOMEM)
			return r;
		ret = ret ? ret : r;
	}
	return ret;
}

static int parse_user(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_account(c, s, path, "user", &st->unit->user);
}

static int parse_group_key(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_account(c, s, path, "group", &st->unit->group);
}

static int parse_workdir(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_abspath(c, s, path, &st->unit->workdir);
}

/* One environment entry: KEY = "value" -> "KEY=value". */
static int parse_env_entry(struct parse_ctx *c, config_setting_t *m, const char *path, char **ret)
{
	const char *name = config_setting_name(m), *v;
	char q[DIAG_QUOTE_SIZE];
	int r;

	if (!env_name_valid(name))
		return FAIL(c, m, "'%s': invalid variable name '%s'", path, diag_quote(q, name));
	r = setting_string(c, m, path, &v);
	if (r < 0)
		return r;
	if (strlen(name) + 1 + strlen(v) > UNIT_STRING_MAX)
		return FAIL(c, m, "'%s' is longer than %d bytes", path, UNIT_STRING_MAX);
	if (asprintf(ret, "%s=%s", name, v) < 0) {
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int parse_environment(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	char **env;
	int n, r, bad = 0;

	if (!config_setting_is_group(s))
		return FAIL(c, s, "'%s' must be a group", path);
	r = setting_length(c, s, path, UNIT_ENV_MAX, &n);
	if (r < 0)
		return r;
	env = calloc((size_t)n + 1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (int i = 0, k = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		char p[DIAG_PATH_SIZE];
		r = parse_env_entry(c, m, setting_path(p, path, config_setting_name(m)), &env[k]);
		if (r == -ENOMEM) {
			strv_free(env);
			return r;
		}
		bad |= r < 0;
		k += r == 0;
	}
	if (bad) {
		strv_free(env);
		return -EINVAL;
	}
	strv_free(st->unit->environment);
	st->unit->environment = env;
	return 0;
}

/* ---- cgroup (issue 4): slice, limits (units/limits.c), delegation ------ */

/* What the keys of the cgroup group fill in. */
struct cgroup_parse {
	struct parse_state *st;
	struct limits_parse lp;
	int delegate_line;      /* line of a delegate_max_* key, 0 = none */
};

static int parse_slice(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = ((struct cgroup_parse *)obj)->st;

	st->lines->slice = setting_line(s);
	return setting_slice_path(c, s, path, &st->unit->cgroup.slice);
}

static int parse_cgroup_limit(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	return limits_parse_key(c, s, path, &((struct cgroup_parse *)obj)->lp);
}

static int parse_subtree_control(struct parse_ctx *c, config_setting_t *s, const char *path,
				 void *obj)
{
	struct parse_state *st = ((struct cgroup_parse *)obj)->st;

	st->lines->subtree_control = setting_line(s);
	return limits_parse_controllers(c, s, path, &st->unit->cgroup.subtree_control);
}

static int parse_delegate_bound(struct parse_ctx *c, config_setting_t *s, const char *path,
				void *obj, long long max, uint32_t *ret)
{
	struct cgroup_parse *cp = obj;
	long long v;
	int r;

	cp->delegate_line = setting_line(s);
	r = setting_int_range(c, s, path, 1, max, &v);
	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

static int parse_delegate_max_depth(struct parse_ctx *c, config_setting_t *s, const char *path,
				    void *obj)
{
	struct parse_state *st = ((struct cgroup_parse *)obj)->st;

	return parse_delegate_bound(c, s, path, obj, UNIT_DELEGATE_DEPTH_MAX,
				    &st->unit->cgroup.delegate_max_depth);
}

static int parse_delegate_max_descendants(struct parse_ctx *c, config_setting_t *s,
					  const char *path, void *obj)
{
	struct parse_state *st = ((struct cgroup_parse *)obj)->st;

	return parse_delegate_bound(c, s, path, obj, UNIT_DELEGATE_DESCENDANTS_MAX,
				    &st->unit->cgroup.delegate_max_descendants);
}

static const struct key cgroup_keys[] = {
	{ "slice", parse_slice },
	{ "cpu", parse_cgroup_limit },
	{ "cpuset", parse_cgroup_limit },
	{ "memory", parse_cgroup_limit },
	{ "pids", parse_cgroup_limit },
	{ "io", parse_cgroup_limit },
	{ "subtree_control", parse_subtree_control },
	{ "delegate_max_depth", parse_delegate_max_depth },
	{ "delegate_max_descendants", parse_delegate_max_descendants },
};

static int parse_cgroup(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	struct cgroup_parse cp = {
		.st = st,
		.lp = { .limits = &unit_opt_own(st->unit)->limits, .prefix = "cgroup" },
	};
	int r;

	r = setting_group(c, s, path, cgroup_keys, ARRAY_SIZE(cgroup_keys), &cp);
	if (r == 0)
		r = limits_check(c, &cp.lp);
	if (r == 0 && cp.delegate_line && !st->unit->cgroup.subtree_control)
		r = diag_add(c, cp.delegate_line, "'cgroup.delegate_max_*' needs "
			     "'cgroup.subtree_control' (they bound a delegated subtree)");
	st->lines->cpuset_cpus = cp.lp.line[UNIT_LIMIT_CPUSET_CPUS];
	st->lines->cpuset_mems = cp.lp.line[UNIT_LIMIT_CPUSET_MEMS];
	return r;
}

/* ---- watchdog and log (issue 3) ---------------------------------------- */

static int parse_watchdog(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_duration(c, s, path, &st->unit->watchdog_usec);
}

static int parse_log_console(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_bool(c, s, path, &st->unit->log_console);
}

static int parse_log_kmsg(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	return setting_bool(c, s, path, &st->unit->log_kmsg);
}

/* Shared with initd.conf's log group (conf.c): a log path (absolute, not a
 * directory's trailing slash, at most max bytes, not under /proc or /sys,
 * where a service's output would be written into a kernel setting), a
 * rotation size and a count of rotated files, with their bounds. */
int setting_log_path(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		     char **ret)
{
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	size_t n;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	n = strlen(v);
	if (v[0] != '/' || n < 2 || v[n - 1] == '/' || n > max)
		return FAIL(c, s, "'%s' must be an absolute path of at most %zu bytes, "
			    "not ending in '/' (got '%s')", path, max, diag_quote(q, v));
	if (log_path_has_dotdot(v))   /* "/run/../proc/...": the checks below see through none */
		return FAIL(c, s, "'%s' must have no '..' component (got '%s')", path,
			    diag_quote(q, v));
	if (log_path_is_kernel(v))
		return FAIL(c, s, "'%s': '%s' is not a log %s: /proc and /sys are the kernel's%s",
			    path, diag_quote(q, v),
			    strcmp(path, "log.directory") == 0 ? "directory" : "file",
			    strcmp(path, "log.directory") == 0 ? "" :
			    " (to the console: log.console; to a device: its /dev path)");
	return setting_strdup(c, s, path, ret);
}

int setting_log_size(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	uint64_t v;
	int r;

	r = setting_size(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < UNIT_LOG_SIZE_MIN || v > UNIT_LOG_SIZE_MAX)
		return FAIL(c, s, "'%s' must be between 4K and 1G (got '%s')", path,
			    diag_quote(q, config_setting_get_string(s)));
	*ret = v;
	return 0;
}

int setting_log_keep(struct parse_ctx *c, config_setting_t *s, const char *path, unsigned *ret)
{
	long long v;
	int r;

	r = setting_int_range(c, s, path, 0, UNIT_LOG_KEEP_MAX, &v);
	if (r == 0)
		*ret = (unsigned)v;
	return r;
}

static int parse_log_file(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;

	st->lines->log_file = setting_line(s);
	return setting_log_path(c, s, path, UNIT_LOG_PATH_MAX, &st->unit->log_file);
}

static int parse_log_max_size(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	struct parse_state *st = obj;

	return setting_log_size(c, s, path, &st->unit->log_max_size);
}

static int parse_log_keep(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct parse_state *st = obj;
	int r = setting_log_keep(c, s, path, &st->unit->log_keep);

	st->unit->log_keep_set = r == 0;
	return r;
}

static const struct key log_keys[] = {
	{ "console", parse_log_console },
	{ "kmsg", parse_log_kmsg },
	{ "file", parse_log_file },
	{ "max_size", parse_log_max_size },
	{ "keep", parse_log_keep },
};

static int parse_log(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_group(c, s, path, log_keys, ARRAY_SIZE(log_keys), obj);
}

static const struct key unit_keys[] = {
	{ "description", parse_description },
	{ "exec", parse_exec },
	{ "type", parse_type },
	{ "requires", parse_requires },
	{ "after", parse_after },
	{ "restart", parse_restart },
	{ "restart_delay", parse_restart_delay },
	{ "restart_delay_max", parse_restart_delay_max },
	{ "start_limit", parse_start_limit },
	{ "stop", parse_stop },
	{ "start_timeout", parse_start_timeout },
	{ "pidfile", parse_pidfile },
	{ "success_exit", parse_success_exit },
	{ "user", parse_user },
	{ "group", parse_group_key },
	{ "environment", parse_environment },
	{ "workdir", parse_workdir },
	{ "environment_files", parse_environment_files },   /* envdirs_parse.c */
	{ "directories", parse_directories },
	{ "ready", parse_ready },                       /* probes_parse.c */
	{ "health", parse_health },
	{ "cgroup", parse_cgroup },
	{ "watchdog", parse_watchdog },
	{ "log", parse_log },
	{ "postmortems", parse_postmortems },
	/* failure and modes (issue 14): escalation.c */
	{ "on_failure", parse_on_failure },
	{ "critical", parse_critical },
	{ "modes", parse_modes },
	{ "autostart", parse_autostart },
	/* isolation_parse.c, network_parse.c */
	{ "namespaces", parse_namespaces },
	{ "hostname", parse_iso_hostname },
	{ "rootfs", parse_rootfs },
	{ "capabilities", parse_capabilities },
	{ "no_new_privs", parse_no_new_privs },
	{ "protect_proc", parse_protect_proc },
	{ "supplementary_groups", parse_supplementary_groups },
	{ "rlimits", parse_rlimits },
	{ "umask", parse_umask },
	{ "oom_score_adj", parse_oom_score_adj },
	{ "user_namespace", parse_user_namespace },
	{ "namespaces_from", parse_namespaces_from },   /* userns_parse.c */
	{ "network", parse_network },
	{ "requires_mounts", parse_requires_mounts },   /* mounts_parse.c */
	{ "seccomp", parse_seccomp },                  /* seccomp_parse.c */
};

struct unit *parse_state_unit(void *obj)
{
	return ((struct parse_state *)obj)->unit;
}

struct unit_lines *parse_state_lines(void *obj)
{
	return ((struct parse_state *)obj)->lines;
}

/* A new unit named after file ("dir/NAME.unit"), reporting a bad name. */
static int unit_from_file(struct parse_ctx *c, const char *file, struct unit **ret)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t n = strlen(base);
	_cleanup_free_ char *name = NULL;
	char q[DIAG_QUOTE_SIZE];
	int r = 0;

	if (n > 5 && strcmp(base + n - 5, ".unit") == 0)
		n -= 5;
	name = strndup(base, n);
	if (!name)
		return -ENOMEM;
	if (strchr(name, '@'))
		r = diag_add(c, 0, "unit name '%s' holds '@': a template is NAME@.unit and its "
			     "instances are declared in initd.conf or started with svctl start",
			     diag_quote(q, name));
	else if (!unit_name_valid(name))
		r = diag_add(c, 0, "invalid unit name '%s'", diag_quote(q, name));
	if (r < 0)
		return r;
	*ret = unit_new(name, file);
	return *ret ? 0 : -ENOMEM;
}

/* type = "forking" and pidfile: the pid file only for a forking unit; a
 * forking unit neither in a PID namespace (its reaper ends with the process
 * it started: the daemon would die with its parent) nor, with a pidfile, in
 * its own rootfs (the daemon's /run is not initd's). */
static int forking_check(struct parse_ctx *c, struct parse_state *st)
{
	const struct unit *u = st->unit;

	if (st->pidfile_line && u->type != UNIT_FORKING)
		return diag_add(c, st->pidfile_line, "'pidfile' applies to forking units only "
				"(type = \"forking\")");
	if (u->type != UNIT_FORKING)
		return 0;
	if (u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID))
		return diag_add(c, st->lines->iso.namespaces ? st->lines->iso.namespaces
							      : st->type_line,
				"type \"forking\" cannot run in a PID namespace: its reaper ends "
				"with the process it started, and the daemon with it (run the "
				"daemon in the foreground as type \"simple\")");
	if (u->pidfile && unit_has_rootfs(&u->opt->iso))
		return diag_add(c, st->pidfile_line, "'pidfile' cannot be read from a unit's "
				"own rootfs (its /run is not initd's): leave it out, initd "
				"then takes the one process left in the leaf");
	return 0;
}

/* Checks across keys, once the whole file was read. */
static int unit_check(struct parse_ctx *c, struct parse_state *st)
{
	struct unit *u = st->unit;
	int r = 0;

	if (!st->has_exec)
		r = diag_add(c, 0, "missing required key 'exec'");
	if (r == 0 && u->restart_delay_max_usec < u->restart_delay_usec)
		r = diag_add(c, st->delay_max_line ? st->delay_max_line : st->delay_line,
			     "'restart_delay_max' must not be less than 'restart_delay'");
	if (r == 0 && st->start_timeout_line && u->type == UNIT_SIMPLE &&
	    u->opt->ready.kind == UNIT_PROBE_NONE)
		r = diag_add(c, st->start_timeout_line, "'start_timeout' applies to notify, "
			     "oneshot and forking units, and to simple units with 'ready' "
			     "(a simple unit is ready once executed)");
	if (r == 0)
		r = probes_check(c, u, st->lines);
	if (r == 0)
		r = forking_check(c, st);
	if (r == 0)
		r = isolation_check(c, u, &st->lines->iso);
	if (r == 0)
		r = join_check(c, u, st->lines);
	if (r == 0)
		r = escalation_check(c, u, st->lines);
	if (r == 0)
		r = envdirs_check(c, u, st->lines);
	seccomp_imply_no_new_privs(u, &st->lines->iso);
	return r;
}

/* Parse text into u, an instance's text first substituted when instance
 * is not NULL; problems go to c. 0 or -ENOMEM. */
static int unit_fill(struct parse_ctx *c, const char *text, const char *instance, struct unit *u,
		     struct unit_lines *lines)
{
	struct parse_state st = { .unit = u, .lines = lines };
	config_t cfg;
	int r;

	r = source_parse(c, text, &cfg);
	if (r == 0 && instance) {
		r = template_substitute(c, config_root_setting(&cfg), u->name, instance);
		if (r == 0 && c->failed)
			r = -EINVAL;   /* a value would be read half-expanded */
	}
	if (r == 0)
		r = setting_group(c, config_root_setting(&cfg), "", unit_keys,
				  ARRAY_SIZE(unit_keys), &st);
	if (r == 0)
		r = unit_check(c, &st);
	config_destroy(&cfg);
	return r == -ENOMEM ? r : 0;
}

/* Read and parse dirfd/path, calling it file in diagnostics and names.
 * text NULL: read the file; else parse text. *ret is the caller's. */
static int unit_parse(int dirfd, const char *path, const char *file, const char *text,
		      struct unit **ret, struct unit_lines *ret_lines)
{
	_cleanup_free_ char *buf = NULL;
	struct unit_lines lines = { .slice = 0 };
	struct unit *u = NULL;
	struct parse_ctx c = { .file = file };
	struct unit_diags diags = { NULL, 0 };
	int r;

	c.diags = &diags;
	r = unit_from_file(&c, file, &u);
	if (r == 0 && !text) {
		r = source_read(&c, dirfd, path, &buf);
		if (r == -ENOENT)
			r = diag_add(&c, 0, "cannot open file: %s", strerror(ENOENT));
		text = buf;
	}
	if (r == 0 || r == -EINVAL)
		r = text ? unit_fill(&c, text, NULL, u, &lines) : 0;
	if (r < 0) {
		unit_free(u);
		diags_clear(&diags);
		return r;
	}
	u->diags = diags;
	u->bad = c.failed;
	*ret = u;
	if (ret_lines)
		*ret_lines = lines;
	return 0;
}

int unit_parse_instance(const char *file, const char *text, const char *name,
			const char *instance, struct unit **ret, struct unit_lines *ret_lines)
{
	struct unit_lines lines = { .slice = 0 };
	struct unit_diags diags = { NULL, 0 };
	struct parse_ctx c = { .file = file, .diags = &diags };
	struct unit *u = unit_new(name, file);
	int r;

	if (!u)
		return -ENOMEM;
	r = unit_fill(&c, text, instance, u, &lines);
	if (r < 0) {
		unit_free(u);
		diags_clear(&diags);
		return r;
	}
	u->diags = diags;
	u->bad = c.failed;
	*ret = u;
	if (ret_lines)
		*ret_lines = lines;
	return 0;
}

int unit_parse_at(int dirfd, const char *file, const char *name, struct unit **ret,
		  struct unit_lines *ret_lines)
{
	return unit_parse(dirfd, name, file, NULL, ret, ret_lines);
}

int unit_parse_text(const char *file, const char *text, struct unit **ret,
		    struct unit_lines *ret_lines)
{
	return unit_parse(AT_FDCWD, NULL, file, text, ret, ret_lines);
}

int unit_parse_file(const char *path, struct unit **ret)
{
	return unit_parse(AT_FDCWD, path, path, NULL, ret, NULL);
}

int unit_parse_string(const char *file, const char *text, struct unit **ret)
{
	return unit_parse_text(file, text, ret, NULL);
}
