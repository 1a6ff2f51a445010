/* instances.c — initd.conf's instances: freeing and the invariants of a
 * decoded configuration. They are read, and the instances of a set made,
 * in instances_parse.c. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* ---- initd.conf: instances = ( { template = "getty"; names = [...]; } ) ---- */

void instances_clear(void *elem)
{
	struct unit_instances *g = elem;

	free(g->template);
	strv_free(g->names);
	*g = (struct unit_instances){ .template = NULL };
}

void instances_conf_clear(struct initd_conf *conf)
{
	for (size_t i = 0; conf->instances && i < conf->n_instances; i++)
		instances_clear(&conf->instances[i]);
	free(conf->instances);
	conf->instances = NULL;
	conf->n_instances = 0;
}

bool instances_conf_valid(const struct initd_conf *conf)
{
	if (conf->n_instances > UNIT_INSTANCES_MAX || (conf->n_instances && !conf->instances))
		return false;
	for (size_t i = 0; i < conf->n_instances; i++) {
		const struct unit_instances *g = &conf->instances[i];
		if (!g->template || !unit_template_name_valid(g->template) || !g->names ||
		    strv_length(g->names) > UNIT_INSTANCE_NAMES_MAX)
			return false;
		for (char **n = g->names; *n; n++)
			if (!unit_instance_valid(*n) ||
			    strlen(g->template) + 1 + strlen(*n) > UNIT_NAME_MAX)
				return false;
	}
	return true;
}
