/* slices.c — the `slices` list of initd.conf, the cgroup nodes services
 * are placed in, each with its own limits (units/limits.c): freeing and
 * the invariants of a decoded configuration. The list is read, parents and
 * cpusets checked, in slices_parse.c. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

void slices_clear(struct initd_conf *conf)
{
	for (size_t i = 0; conf->slices && i < conf->n_slices; i++) {
		free(conf->slices[i].path);
		unit_limits_clear(&conf->slices[i].limits);
	}
	free(conf->slices);
	conf->slices = NULL;
	conf->n_slices = 0;
}

/* What a decoded configuration's slices must meet beyond their paths. */
bool slices_valid(const struct initd_conf *conf)
{
	for (size_t i = 0; i < conf->n_slices; i++) {
		const struct unit_limits *l = &conf->slices[i].limits;
		if (!limits_valid(l))
			return false;
	}
	return true;
}
