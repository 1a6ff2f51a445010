/* envdirs.c — a unit's environment_files and directories (issue 15):
 * parsing, validation of a decoded model, equality, freeing. The files
 * are read and the directories made by the spawned child (initd/spawn.c,
 * initd/dirs.c), never here. */
#include <stdlib.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

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
static bool env_file_valid(const char *v)
{
	if (v[0] == '-')
		v++;
	return v[0] == '/' && strlen(v) < UNIT_STRING_MAX;
}

static int check_env_file(struct parse_ctx *c, config_setting_t *e, const char *path,
			  const char *v, void *data)
{
	char q[DIAG_QUOTE_SIZE];

	if (!env_file_valid(v))
		return FAIL(c, e, "'%s': invalid environment file '%s' (an absolute path, "
			    "\"-/path\" when optional)", path, diag_quote(q, v));
	return 0;
}

int parse_environment_files(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);

	return setting_strv_checked(c, s, path, UNIT_ENV_FILES_MAX, check_env_file, NULL,
				    &u->environment_files);
}

/* ---- directories --------------------------------------------------------- */

static int check_dir_name(struct parse_ctx *c, config_setting_t *e, const char *path,
			  const char *v, void *data)
{
	char q[DIAG_QUOTE_SIZE];

	if (!unit_dir_name_valid(v))
		return FAIL(c, e, "'%s': invalid directory '%s' (a relative path like \"redis\" "
			    "or \"redis/db\", without \".\" or \"..\")", path, diag_quote(q, v));
	return 0;
}

static int parse_dir_kind(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj,
			  enum unit_dir_kind k)
{
	struct unit *u = parse_state_unit(obj);
	char **v;
	int r = setting_strv_checked(c, s, path, UNIT_DIRS_MAX, check_dir_name, NULL,
				     &unit_opt_own(u)->dirs.names[k]);

	v = u->opt->dirs.names[k];
	for (size_t i = 0; r == 0 && v[i]; i++)
		for (size_t j = 0; r == 0 && j < i; j++)
			if (!strcmp(v[i], v[j]))
				r = FAIL(c, config_setting_get_elem(s, (unsigned)i),
					 "'%s[%zu]': '%s' is listed twice", path, i, v[i]);
	return r;
}

static int parse_dirs_runtime(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_dir_kind(c, s, path, obj, UNIT_DIR_RUNTIME);
}

static int parse_dirs_state(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_dir_kind(c, s, path, obj, UNIT_DIR_STATE);
}

static int parse_dirs_logs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_dir_kind(c, s, path, obj, UNIT_DIR_LOGS);
}

static int parse_dirs_cache(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_dir_kind(c, s, path, obj, UNIT_DIR_CACHE);
}

static int parse_dirs_mode(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	size_t n;
	int r = setting_string(c, s, path, &v);

	if (r < 0)
		return r;
	n = strlen(v);
	if (n < 1 || n > 5 || strspn(v, "01234567") != n || strtoul(v, NULL, 8) > 07777)
		return FAIL(c, s, "'%s': invalid mode '%s' (expected octal like \"0750\")", path,
			    diag_quote(q, v));
	unit_opt_own(u)->dirs.mode = (uint32_t)strtoul(v, NULL, 8);
	return 0;
}

static const struct key dirs_keys[] = {
	{ "runtime", parse_dirs_runtime },
	{ "state", parse_dirs_state },
	{ "logs", parse_dirs_logs },
	{ "cache", parse_dirs_cache },
	{ "mode", parse_dirs_mode },
};

int parse_directories(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->directories = setting_line(s);
	return setting_group(c, s, path, dirs_keys, ARRAY_SIZE(dirs_keys), obj);
}

/* Across keys: the child makes the directories as the host's root before
 * it enters its namespaces; in a user namespace of its own it is no
 * longer that root, so it could not. */
int envdirs_check(struct parse_ctx *c, const struct unit *u, const struct unit_lines *l)
{
	if (unit_has_dirs(u, UNIT_DIR_KIND_MAX) &&
	    (u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		return diag_add(c, l->directories, "'directories' cannot be used with the \"user\" "
				"namespace (initd makes them as the host's root)");
	return 0;
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
			if (!unit_dir_name_valid(*n))
				return false;
	}
	return true;
}
