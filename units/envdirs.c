/* envdirs.c — a unit's environment_files and directories (issue 15):
 * names, validation of a decoded model, equality, freeing; the keys are
 * parsed in envdirs_parse.c. The files
 * are read and the directories made by the spawned child (initd/spawn.c,
 * initd/dirs.c), never here. */
#include <stdlib.h>
#include <string.h>

#include "units/internal.h"

static const char *const dir_kind_names[UNIT_DIR_KIND_MAX] = {
	[UNIT_DIR_RUNTIME] = "runtime",
	[UNIT_DIR_STATE] = "state",
	[UNIT_DIR_LOGS] = "logs",
	[UNIT_DIR_CACHE] = "cache",
};

static const char *const dir_kind_bases[UNIT_DIR_KIND_MAX] = {
	[UNIT_DIR_RUNTIME] = "/run",
	[UNIT_DIR_STATE] = "/var/lib",
	[UNIT_DIR_LOGS] = "/var/log",
	[UNIT_DIR_CACHE] = "/var/cache",
};

const char *unit_dir_kind_name(enum unit_dir_kind k)
{
	return (unsigned)k < UNIT_DIR_KIND_MAX ? dir_kind_names[k] : NULL;
}

const char *unit_dir_kind_base(enum unit_dir_kind k)
{
	return (unsigned)k < UNIT_DIR_KIND_MAX ? dir_kind_bases[k] : NULL;
}

/* Components separated by single '/', none empty, "." or "..", no control
 * byte: the path stays below its base, whatever is there. */
bool unit_dir_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > UNIT_DIR_NAME_MAX)
		return false;
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
			return false;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return false;
		p += len;
		if (*p == '/' && !*++p)
			return false;   /* a trailing '/' */
	}
	return true;
}

bool unit_has_dirs(const struct unit *u, enum unit_dir_kind k)
{
	for (unsigned i = 0; i < UNIT_DIR_KIND_MAX; i++)
		if ((k == UNIT_DIR_KIND_MAX || i == (unsigned)k) && u->opt->dirs.names[i] &&
		    u->opt->dirs.names[i][0])
			return true;
	return false;
}

/* ---- environment_files ------------------------------------------------- */

/* "-/path" (optional) or "/path". */
bool env_file_valid(const char *v)
{
	if (v[0] == '-')
		v++;
	return v[0] == '/' && strlen(v) < UNIT_STRING_MAX;
}

/* ---- the model ------------------------------------------------------------- */

int envdirs_init(struct unit *u)
{
	u->environment_files = strv_new();
	return u->environment_files ? 0 : -ENOMEM;
}

int dirs_init(struct unit_directories *d)
{
	d->mode = UNIT_DIR_MODE_DEFAULT;
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++)
		d->names[k] = strv_new();
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++)
		if (!d->names[k])
			return -ENOMEM;
	return 0;
}

void envdirs_clear(struct unit *u)
{
	strv_free(u->environment_files);
	u->environment_files = NULL;
}

void dirs_clear(struct unit_directories *d)
{
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++) {
		strv_free(d->names[k]);
		d->names[k] = NULL;
	}
}

bool envdirs_equal(const struct unit *a, const struct unit *b)
{
	return strv_equal(a->environment_files, b->environment_files);
}

bool dirs_equal(const struct unit_directories *a, const struct unit_directories *b)
{
	if (a->mode != b->mode)
		return false;
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++)
		if (!strv_equal(a->names[k], b->names[k]))
			return false;
	return true;
}

/* What a decoded unit must hold, bad or not. */
bool envdirs_valid(const struct unit *u)
{
	if (!u->environment_files || strv_length(u->environment_files) > UNIT_ENV_FILES_MAX ||
	    u->opt->dirs.mode > 07777)
		return false;
	for (char **f = u->environment_files; *f; f++)
		if (!env_file_valid(*f))
			return false;
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++) {
		if (!u->opt->dirs.names[k] || strv_length(u->opt->dirs.names[k]) > UNIT_DIRS_MAX)
			return false;
		for (char **n = u->opt->dirs.names[k]; *n; n++)
			if (!unit_dir_name_valid(*n) ||
			    (k == UNIT_DIR_RUNTIME && unit_run_path_own(*n)))
				return false;
	}
	return true;
}
