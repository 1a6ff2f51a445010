/* envdirs_parse.c — a unit's environment_files and directories keys
 * (issue 15) parsed from its file, and checked against each other; the
 * model they fill (names, validation, equality) is envdirs.c's. */
#include <stdlib.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

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

static int check_dir_name(struct parse_ctx *c, config_setting_t *e, const char *path,
			  const char *v, void *data)
{
	char q[DIAG_QUOTE_SIZE];

	if (!unit_dir_name_valid(v))
		return FAIL(c, e, "'%s': invalid directory '%s' (a relative path like \"redis\" "
			    "or \"redis/db\", without \".\" or \"..\", at most %d bytes)", path,
			    diag_quote(q, v), UNIT_DIR_NAME_MAX);
	return 0;
}

/* A runtime directory is the unit user's and goes at its stop: never
 * /run/initd, which holds initd's control and notify sockets. */
static int check_runtime_name(struct parse_ctx *c, config_setting_t *e, const char *path,
			      const char *v, void *data)
{
	int r = check_dir_name(c, e, path, v, data);

	if (r == 0 && unit_run_path_own(v))
		return FAIL(c, e, "'%s': '%s' is in /run/" UNIT_RUN_OWN ", initd's own directory "
			    "(its control and notify sockets)", path, v);
	return r;
}

static int parse_dir_kind(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj,
			  enum unit_dir_kind k)
{
	struct unit *u = parse_state_unit(obj);
	char **v;
	int r = setting_strv_checked(c, s, path, UNIT_DIRS_MAX,
				     k == UNIT_DIR_RUNTIME ? check_runtime_name : check_dir_name,
				     NULL, &unit_opt_own(u)->dirs.names[k]);

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
