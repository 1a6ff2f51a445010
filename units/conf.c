/* conf.c — initd.conf, the global settings: their defaults, freeing, a
 * slice found by path, and the invariants of a decoded configuration. The
 * file is read in conf_parse.c.
 *
 * crash_action defaults to "reboot": initd runs unattended appliances, and
 * one that comes back on its own is better than one frozen (or sitting at
 * a root shell on its console) until somebody notices. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "units/internal.h"

/* Upsert: a resource initd.conf names replaces its default, the others
 * stay. Kept sorted by resource, so equal settings compare equal. */
int rlimit_put(struct initd_conf *conf, const struct unit_rlimit *rl)
{
	struct unit_rlimit *v;
	size_t i = 0;

	while (i < conf->n_rlimits && conf->rlimits[i].resource < rl->resource)
		i++;
	if (i < conf->n_rlimits && conf->rlimits[i].resource == rl->resource) {
		conf->rlimits[i] = *rl;
		return 0;
	}
	v = reallocarray(conf->rlimits, conf->n_rlimits + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memmove(&v[i + 1], &v[i], (conf->n_rlimits - i) * sizeof(*v));
	v[i] = *rl;
	conf->rlimits = v;
	conf->n_rlimits++;
	return 0;
}

bool metrics_file_valid(const char *v)
{
	size_t len = strlen(v);

	return strncmp(v, METRICS_FILE_PREFIX, strlen(METRICS_FILE_PREFIX)) == 0 &&
	       len > strlen(METRICS_FILE_PREFIX) && len <= METRICS_FILE_MAX && v[len - 1] != '/' &&
	       !strstr(v, "/../") && !strstr(v, "/./") && !strstr(v, "//");
}

/* Every service's open-file limit unless initd.conf or its unit says
 * otherwise: PID 1 raises its own limit for thousands of units, and a
 * service should not inherit that (select(2) breaks past 1024); its hard
 * limit leaves room to raise it itself, as systemd's default does. */
#define RLIMIT_NOFILE_SOFT 1024
#define RLIMIT_NOFILE_HARD 524288

/* Fill conf with the defaults. 0 or -ENOMEM (conf then needs conf_clear). */
int conf_init(struct initd_conf *conf)
{
	static const struct unit_rlimit nofile = {
		RLIMIT_NOFILE, RLIMIT_NOFILE_SOFT, RLIMIT_NOFILE_HARD
	};

	*conf = (struct initd_conf){
		.crash_action = CRASH_REBOOT,
		.modules = strv_new(),
		.slices = calloc(1, sizeof(struct unit_slice)),
		.shutdown_timeout_usec = 30 * USEC_PER_SEC,
		.sync_timeout_usec = SYNC_TIMEOUT_DEFAULT,
		.log_buffer_size = 64 * 1024,
		.watchdog = { .timeout_usec = WATCHDOG_TIMEOUT_DEFAULT,
			      .shutdown_timeout_usec = WATCHDOG_SHUTDOWN_DEFAULT },
		.sysctl = strv_new(),
		.boot_guard_max = 3,
		.log_max_size = UNIT_LOG_SIZE_DEFAULT,
		.log_keep = UNIT_LOG_KEEP_DEFAULT,
		.default_accounting = true,
	};
	if (!conf->modules || !conf->sysctl || !conf->slices || rlimit_put(conf, &nofile) < 0)
		return -ENOMEM;
	conf->slices[0].path = strdup("system");
	if (!conf->slices[0].path)
		return -ENOMEM;
	conf->n_slices = 1;
	return 0;
}

/* Free what conf holds and zero it; accepts a zeroed conf. */
void conf_clear(struct initd_conf *conf)
{
	free(conf->file);
	free(conf->hostname);
	free(conf->control_group);
	free(conf->log_directory);
	strv_free(conf->modules);
	slices_clear(conf);
	network_conf_clear(conf);
	mounts_conf_clear(conf);
	free(conf->rlimits);
	free(conf->watchdog.device);
	strv_free(conf->sysctl);
	free(conf->boot_guard_file);
	free(conf->metrics_file);
	instances_conf_clear(conf);
	*conf = (struct initd_conf){ .file = NULL };
}

/* The declared slice with this path (slices are sorted), or NULL. */
struct unit_slice *conf_find_slice(const struct initd_conf *conf, const char *path)
{
	size_t lo = 0, hi = conf->n_slices;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(path, conf->slices[mid].path);
		if (d == 0)
			return &conf->slices[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool watchdog_seconds_valid(uint64_t v)
{
	return v >= WATCHDOG_TIMEOUT_MIN && v <= WATCHDOG_TIMEOUT_MAX && v % USEC_PER_SEC == 0;
}

/* As parse_watchdog leaves it (encode.c's decoder checks a set with it). */
bool watchdog_conf_valid(const struct unit_watchdog *w)
{
	return (!w->device || w->device[0] == '/') && watchdog_seconds_valid(w->timeout_usec) &&
	       watchdog_seconds_valid(w->shutdown_timeout_usec);
}
