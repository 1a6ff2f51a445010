/* conf_parse.c — initd.conf, the global settings, read. Every key has a
 * default and the file may be absent. A bad key is reported and keeps its
 * default, so a broken initd.conf still yields a usable configuration; the
 * caller decides whether to boot with it. Two configurations compared
 * (initd_conf_equal) is here too: the round-trip tests' business, not PID
 * 1's. The defaults and the invariants are conf.c's. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

static int parse_hostname(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;

	return setting_hostname(c, s, path, &conf->hostname);
}

static int parse_crash_action(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;
	int v, r;

	r = setting_enum(c, s, path, crash_action_names, CRASH_ACTION_MAX, &v);
	if (r == 0)
		conf->crash_action = (enum crash_action)v;
	return r;
}

static int parse_control_group(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;

	return setting_account(c, s, path, "group", &conf->control_group);
}

static int parse_modules(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct string_rule rule = { .valid = module_name_valid, .what = "module name" };
	struct initd_conf *conf = obj;

	return setting_strv_valid(c, s, path, UNIT_MODULES_MAX, &rule, &conf->modules);
}

static int parse_shutdown_timeout(struct parse_ctx *c, config_setting_t *s, const char *path,
				  void *obj)
{
	struct initd_conf *conf = obj;

	return setting_duration(c, s, path, &conf->shutdown_timeout_usec);
}

/* A duration from 1s to 1h (sync_timeout, metrics_interval). */
static int setting_duration_1s_1h(struct parse_ctx *c, config_setting_t *s, const char *path,
				  uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	uint64_t v;
	int r = setting_duration(c, s, path, &v);

	if (r < 0)
		return r;
	if (v < USEC_PER_SEC || v > 3600 * USEC_PER_SEC)
		return FAIL(c, s, "'%s' must be between 1s and 1h (got '%s')", path,
			    diag_quote(q, config_setting_get_string(s)));
	*ret = v;
	return 0;
}

static int parse_sync_timeout(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	return setting_duration_1s_1h(c, s, path, &((struct initd_conf *)obj)->sync_timeout_usec);
}

static int parse_log_buffer(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;
	char q[DIAG_QUOTE_SIZE];
	uint64_t v;
	int r;

	r = setting_size(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < LOG_BUFFER_MIN || v > LOG_BUFFER_MAX)
		return FAIL(c, s, "'%s' must be between 4K and 16M (got '%s')", path,
			    diag_quote(q, config_setting_get_string(s)));
	conf->log_buffer_size = (size_t)v;
	return 0;
}

/* ---- watchdog = { device = "/dev/watchdog0"; timeout = "30s"; ... } ---- */

/* A watchdog timeout: WDIOC_SETTIMEOUT takes whole seconds, and neither a
 * timeout the loop cannot beat on a slow machine nor one longer than an
 * hour (no reset worth the name) is taken. */
static int parse_watchdog_seconds(struct parse_ctx *c, config_setting_t *s, const char *path,
				  uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	uint64_t v;
	int r;

	r = setting_duration(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < WATCHDOG_TIMEOUT_MIN || v > WATCHDOG_TIMEOUT_MAX || v % USEC_PER_SEC)
		return FAIL(c, s, "'%s' must be whole seconds between 1s and 60min (got '%s')", path,
			    diag_quote(q, config_setting_get_string(s)));
	*ret = v;
	return 0;
}

static int parse_watchdog_device(struct parse_ctx *c, config_setting_t *s, const char *path,
				 void *obj)
{
	struct unit_watchdog *w = obj;

	return setting_abspath(c, s, path, &w->device);
}

static int parse_watchdog_timeout(struct parse_ctx *c, config_setting_t *s, const char *path,
				  void *obj)
{
	return parse_watchdog_seconds(c, s, path, &((struct unit_watchdog *)obj)->timeout_usec);
}

static int parse_watchdog_shutdown(struct parse_ctx *c, config_setting_t *s, const char *path,
				   void *obj)
{
	struct unit_watchdog *w = obj;

	return parse_watchdog_seconds(c, s, path, &w->shutdown_timeout_usec);
}

/* The group's presence turns the watchdog on, with the defaults for what
 * it leaves out (`watchdog = { };` is /dev/watchdog0 at 30s). A bad key
 * keeps its default, as everywhere in initd.conf. */
static int parse_watchdog(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct key keys[] = {
		{ "device", parse_watchdog_device },
		{ "timeout", parse_watchdog_timeout },
		{ "shutdown_timeout", parse_watchdog_shutdown },
	};
	struct unit_watchdog *w = &((struct initd_conf *)obj)->watchdog;

	if (!config_setting_is_group(s))
		return FAIL(c, s, "'%s' must be a group", path);
	if (!w->device) {
		w->device = strdup(WATCHDOG_DEVICE_DEFAULT);
		if (!w->device)
			return -ENOMEM;
	}
	return setting_group(c, s, path, keys, ARRAY_SIZE(keys), w);
}

static int parse_log_directory(struct parse_ctx *c, config_setting_t *s, const char *path,
			       void *obj)
{
	struct initd_conf *conf = obj;

	return setting_log_path(c, s, path, UNIT_LOG_DIR_MAX, &conf->log_directory);
}

static int parse_log_max_size(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	struct initd_conf *conf = obj;

	return setting_log_size(c, s, path, &conf->log_max_size);
}

static int parse_log_keep(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;

	return setting_log_keep(c, s, path, &conf->log_keep);
}

static const struct key log_keys[] = {
	{ "directory", parse_log_directory },
	{ "max_size", parse_log_max_size },
	{ "keep", parse_log_keep },
};

static int parse_log(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_group(c, s, path, log_keys, ARRAY_SIZE(log_keys), obj);
}

static int parse_conf_rlimits(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	_cleanup_free_ struct unit_rlimit *v = NULL;
	size_t n;
	int r = parse_rlimit_group(c, s, path, &v, &n);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = rlimit_put(obj, &v[i]);
	return r;
}

/* Under /run/ only: PID 1 writes it from its event loop, which must never
 * wait on a slow disk, and /run is tmpfs (initd.conf(5)). */
static int parse_metrics_file(struct parse_ctx *c, config_setting_t *s, const char *path,
			      void *obj)
{
	struct initd_conf *conf = obj;
	const char *v;
	int r = setting_string(c, s, path, &v);

	if (r < 0)
		return r;
	if (strlen(v) > METRICS_FILE_MAX)
		return FAIL(c, s, "'%s' is longer than %d bytes", path, METRICS_FILE_MAX);
	if (!metrics_file_valid(v))
		return FAIL(c, s, "'%s' must be a file under " METRICS_FILE_PREFIX
			    " (tmpfs: PID 1 never writes to a disk), not \"%s\"", path, v);
	free(conf->metrics_file);
	conf->metrics_file = strdup(v);
	return conf->metrics_file ? 0 : -ENOMEM;
}

static int parse_metrics_interval(struct parse_ctx *c, config_setting_t *s, const char *path,
				  void *obj)
{
	return setting_duration_1s_1h(c, s, path,
				      &((struct initd_conf *)obj)->metrics_interval_usec);
}

static int parse_default_accounting(struct parse_ctx *c, config_setting_t *s, const char *path,
				    void *obj)
{
	return setting_bool(c, s, path, &((struct initd_conf *)obj)->default_accounting);
}

static const struct key conf_keys[] = {
	{ "hostname", parse_hostname },
	{ "crash_action", parse_crash_action },
	{ "control_group", parse_control_group },
	{ "modules", parse_modules },
	{ "slices", parse_slices },
	{ "shutdown_timeout", parse_shutdown_timeout },
	{ "sync_timeout", parse_sync_timeout },
	{ "log_buffer", parse_log_buffer },
	{ "log", parse_log },
	{ "bridges", parse_bridges },       /* network_parse.c */
	{ "ip_forward", parse_ip_forward },
	{ "rlimits", parse_conf_rlimits },
	{ "mounts", parse_mounts },         /* mounts_parse.c */
	{ "watchdog", parse_watchdog },
	{ "sysctl", parse_sysctl },          /* escalation_parse.c (issue 14) */
	{ "boot_guard", parse_boot_guard },
	{ "instances", parse_instances },    /* instances_parse.c (issue 15) */
	{ "metrics_file", parse_metrics_file },        /* issue 17 */
	{ "metrics_interval", parse_metrics_interval },
	{ "default_accounting", parse_default_accounting },
};

bool watchdog_conf_equal(const struct unit_watchdog *a, const struct unit_watchdog *b)
{
	return streq_ptr(a->device, b->device) && a->timeout_usec == b->timeout_usec &&
	       a->shutdown_timeout_usec == b->shutdown_timeout_usec;
}

bool initd_conf_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (!network_conf_equal(a, b) || !mounts_conf_equal(a, b) || !instances_conf_equal(a, b))
		return false;
	if (!streq_ptr(a->file, b->file) || !streq_ptr(a->hostname, b->hostname) ||
	    a->crash_action != b->crash_action || !streq_ptr(a->control_group, b->control_group) ||
	    !strv_equal(a->modules, b->modules) || !slices_equal(a, b) ||
	    a->shutdown_timeout_usec != b->shutdown_timeout_usec ||
	    a->sync_timeout_usec != b->sync_timeout_usec ||
	    a->log_buffer_size != b->log_buffer_size ||
	    !watchdog_conf_equal(&a->watchdog, &b->watchdog) ||
	    !strv_equal(a->sysctl, b->sysctl) || !streq_ptr(a->boot_guard_file, b->boot_guard_file) ||
	    a->boot_guard_max != b->boot_guard_max ||
	    !streq_ptr(a->metrics_file, b->metrics_file) ||
	    a->metrics_interval_usec != b->metrics_interval_usec ||
	    a->default_accounting != b->default_accounting ||
	    !streq_ptr(a->log_directory, b->log_directory) ||
	    a->log_max_size != b->log_max_size || a->log_keep != b->log_keep ||
	    !rlimits_equal(a->rlimits, a->n_rlimits, b->rlimits, b->n_rlimits))
		return false;
	return true;
}

/* Across keys, once every one is read (either may come first): a hardware
 * watchdog whose shutdown_timeout ends within the services' own bound
 * resets a slow but healthy shutdown before its final sync (initd.conf(5):
 * keep it above). A warning, not an error: a board may want exactly that. */
static int conf_check_watchdog(struct parse_ctx *c, config_t *cfg, const struct initd_conf *conf)
{
	const struct unit_watchdog *w = &conf->watchdog;
	config_setting_t *s = config_lookup(cfg, "watchdog"), *k = NULL;
	char a[32], b[32], d[32];

	if (!w->device || !s || w->shutdown_timeout_usec > conf->shutdown_timeout_usec)
		return 0;
	if (config_setting_is_group(s))
		k = config_setting_get_member(s, "shutdown_timeout");
	if (conf->shutdown_timeout_usec >= WATCHDOG_TIMEOUT_MAX)   /* no value would do */
		return warn_add(c, setting_line(k ? k : s),
				"'watchdog.shutdown_timeout' (%s) cannot be above shutdown_timeout "
				"(%s): it is at most %s, so a shutdown that takes longer is reset "
				"before its final sync",
				format_duration(a, sizeof(a), w->shutdown_timeout_usec),
				format_duration(b, sizeof(b), conf->shutdown_timeout_usec),
				format_duration(d, sizeof(d), WATCHDOG_TIMEOUT_MAX));
	return warn_add(c, setting_line(k ? k : s),
			"'watchdog.shutdown_timeout' (%s) is not above shutdown_timeout (%s): a slow "
			"but healthy shutdown would be reset before its final sync",
			format_duration(a, sizeof(a), w->shutdown_timeout_usec),
			format_duration(b, sizeof(b), conf->shutdown_timeout_usec));
}

static int conf_parse_text(struct parse_ctx *c, const char *text, struct initd_conf *conf)
{
	config_t cfg;
	int r;

	r = source_parse(c, text, &cfg);
	if (r == 0)
		r = setting_group(c, config_root_setting(&cfg), "", conf_keys,
				  ARRAY_SIZE(conf_keys), conf);
	if (r == 0)
		r = conf_check_watchdog(c, &cfg, conf);
	config_destroy(&cfg);
	return r == -ENOMEM ? r : 0;
}

int conf_load(const char *path, struct initd_conf *conf, struct unit_diags *diags)
{
	return conf_load_warn(path, conf, diags, NULL);
}

int conf_load_warn(const char *path, struct initd_conf *conf, struct unit_diags *diags,
		   struct unit_diags *warnings)
{
	_cleanup_free_ char *text = NULL;
	struct parse_ctx c = { .file = path, .diags = diags, .warnings = warnings };
	int r;

	r = conf_init(conf);
	if (r < 0)
		return r;
	r = source_read(&c, AT_FDCWD, path, &text);
	if (r == -ENOENT)
		return 0;
	conf->file = strdup(path);
	if (!conf->file)
		return -ENOMEM;
	if (r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	return conf_parse_text(&c, text, conf);
}
