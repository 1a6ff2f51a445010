/* mounts_parse.c — initd.conf's `mounts` (issue 14) and a unit's
 * `requires_mounts` parsed, and the check across the two. What a mount's
 * values are, and the split of its options string (which --check and the
 * mount helper share), are mounts.c's. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* ---- initd.conf's mounts ------------------------------------------------- */

static int parse_what(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_mount *m = obj;
	char q[DIAG_QUOTE_SIZE];
	const char *v, *why;
	int r = setting_string(c, s, path, &v);

	if (r < 0)
		return r;
	why = what_problem(v);
	if (why)
		return FAIL(c, s, "'%s': invalid source '%s': %s", path, diag_quote(q, v), why);
	return setting_strdup(c, s, path, &m->what);
}

static int parse_where(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct string_rule rule = {
		.valid = where_valid, .what = "mount point",
		.hint = " (an absolute path, not \"/\", without '.', '..', '//' or a trailing '/')",
	};

	const char *v;
	int r = setting_string(c, s, path, &v);

	if (r < 0)
		return r;
	if (where_valid(v) && where_hides_initd(v))
		return FAIL(c, s, "'%s': '%s' would hide initd's own mount of /proc, /sys, "
			    "/sys/fs/cgroup, /dev or /run (its control socket is in /run/initd): "
			    "mount below it", path, v);
	return setting_strdup_valid(c, s, path, &rule, &((struct unit_mount *)obj)->where);
}

static int parse_type(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct string_rule rule = {
		.valid = type_valid, .what = "filesystem type",
		.hint = " (1 to 32 bytes of a-z, 0-9, '_', '.')",
	};

	return setting_strdup_valid(c, s, path, &rule, &((struct unit_mount *)obj)->type);
}

static int parse_options(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_mount *m = obj;
	const char *v;
	int r = setting_string(c, s, path, &v);

	if (r < 0)
		return r;
	if (strlen(v) > UNIT_MOUNT_OPTIONS_MAX)
		return FAIL(c, s, "'%s' is longer than %d bytes", path, UNIT_MOUNT_OPTIONS_MAX);
	return setting_strdup(c, s, path, &m->options);   /* checked with the type */
}

static int parse_fsck(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &((struct unit_mount *)obj)->fsck);
}

static int parse_format(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	int v, r = setting_enum(c, s, path, mount_format_names, MOUNT_FORMAT_MAX, &v);

	if (r == 0)
		((struct unit_mount *)obj)->format = (enum mount_format)v;
	return r;
}

static int parse_required(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &((struct unit_mount *)obj)->required);
}

static int parse_timeout(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_mount *m = obj;
	uint64_t v;
	int r = setting_duration(c, s, path, &v);

	if (r < 0)
		return r;
	if (v == 0)
		return FAIL(c, s, "'%s' must be more than 0", path);
	m->timeout_usec = v;
	return 0;
}

static int parse_mount_on_failure(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	int v, r = setting_enum(c, s, path, failure_action_names, FAILURE_ACTION_MAX, &v);

	if (r == 0)
		((struct unit_mount *)obj)->on_failure = (enum failure_action)v;
	return r;
}

static const struct key mount_keys[] = {
	{ "what", parse_what },
	{ "where", parse_where },
	{ "type", parse_type },
	{ "options", parse_options },
	{ "fsck", parse_fsck },
	{ "format", parse_format },
	{ "required", parse_required },
	{ "timeout", parse_timeout },
	{ "on_failure", parse_mount_on_failure },
};

/* The member key of entry s, or s itself where the key is not written: a
 * check across keys reports at the line of the key it names, the one to
 * fix, not at the entry's '{' lines above it. */
static config_setting_t *entry_key(config_setting_t *s, const char *key)
{
	config_setting_t *k = config_setting_get_member(s, key);

	return k ? k : s;
}

/* Checks across one entry's keys, once each was read. */
static int mount_check(struct parse_ctx *c, config_setting_t *s, const char *path,
		       const struct unit_mount *m)
{
	char data[UNIT_MOUNT_OPTIONS_MAX + 1], bad[DIAG_QUOTE_MAX], q[DIAG_QUOTE_SIZE];
	unsigned long flags;
	int r;

	const char *missing = !m->what ? "what" : !m->where ? "where" : !m->type ? "type" : NULL;

	if (missing)
		return FAIL(c, s, "missing required key '%s.%s'", path, missing);
	if (type_needs_device(m->type) && !is_block_source(m->what))
		return FAIL(c, entry_key(s, "what"), "'%s.what': '%s' is not a device, which type %s "
			    "needs (expected a device path, LABEL=, UUID= or PARTUUID=)", path,
			    diag_quote(q, m->what), m->type);
	r = unit_mount_options_parse(m->type, m->options, &flags, data, bad, sizeof(bad));
	if (r < 0)
		return FAIL(c, entry_key(s, "options"), "'%s.options': %s option '%s' for type %s%s",
			    path, mount8_word(bad) ? "mount(8)-only" : "unknown",
			    diag_quote(q, bad), m->type,
			    !strcmp(bad, "nofail") ? " (write required = false)" : "");
	if (m->fsck && !is_block_source(m->what))
		return FAIL(c, entry_key(s, "fsck"), "'%s.fsck': '%s' is not a block device", path,
			    m->what);
	/* no options at all: the type is what asks for them */
	if (!strcmp(m->type, "overlay") && !strstr(data, "lowerdir="))
		return FAIL(c, entry_key(s, m->options ? "options" : "type"),
			    "'%s.options': an overlay needs lowerdir=", path);
	if (format_problem(m))
		return FAIL(c, entry_key(s, "format"), "'%s.format': %s (what '%s', type %s)", path,
			    format_problem(m), m->what, m->type);
	if (!m->required && config_setting_get_member(s, "on_failure"))
		return FAIL(c, entry_key(s, "on_failure"), "'%s.on_failure' is for a required "
			    "mount: this one has 'required = false' (its failure is logged and "
			    "skipped)", path);
	return 0;
}

/* One element of mounts: a group, complete and consistent, with a `where`
 * no earlier entry has. */
static int parse_mount(struct parse_ctx *c, config_setting_t *s, const char *path, void *elems,
		       size_t k)
{
	struct unit_mount *v = elems;
	int r;

	v[k] = (struct unit_mount){ .required = true, .timeout_usec = UNIT_MOUNT_TIMEOUT_DEFAULT,
				    .on_failure = FAILURE_RESCUE };
	r = setting_group(c, s, path, mount_keys, ARRAY_SIZE(mount_keys), &v[k]);
	if (r == 0 && !c->failed && config_setting_is_group(s))
		r = mount_check(c, s, path, &v[k]);
	for (size_t i = 0; r == 0 && !c->failed && i < k; i++)
		if (strcmp(v[i].where, v[k].where) == 0)
			r = diag_add(c, setting_line(entry_key(s, "where")),
				     "'%s': '%s' is mounted by an earlier entry", path, v[k].where);
	return r;
}

int parse_mounts(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct group_list list = {
		UNIT_MOUNTS_MAX, sizeof(struct unit_mount),
		" ( { what = \"LABEL=data\"; where = \"/data\"; type = \"ext4\"; } )",
		parse_mount, mount_clear,
	};
	struct initd_conf *conf = obj;
	void *v;
	size_t n;
	int r = setting_group_list(c, s, path, &list, &v, &n);

	if (r < 0)
		return r;
	mounts_conf_clear(conf);
	conf->mounts = v;   /* the good ones: a bad entry is reported and left out */
	conf->n_mounts = n;
	return 0;
}

bool mounts_conf_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (a->n_mounts != b->n_mounts)
		return false;
	for (size_t i = 0; i < a->n_mounts; i++) {
		const struct unit_mount *x = &a->mounts[i], *y = &b->mounts[i];

		if (!streq_ptr(x->what, y->what) || !streq_ptr(x->where, y->where) ||
		    !streq_ptr(x->type, y->type) || !streq_ptr(x->options, y->options) ||
		    x->fsck != y->fsck || x->format != y->format || x->required != y->required ||
		    x->timeout_usec != y->timeout_usec || x->on_failure != y->on_failure)
			return false;
	}
	return true;
}

/* ---- a unit's requires_mounts -------------------------------------------- */

static int check_where(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
		       void *data)
{
	char q[DIAG_QUOTE_SIZE];

	if (!where_valid(v))
		return FAIL(c, e, "'%s': invalid mount point '%s' (an absolute path, not \"/\")",
			    path, diag_quote(q, v));
	return 0;
}

int parse_requires_mounts(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	struct unit_lines *l = parse_state_lines(obj);
	int r = setting_strv_checked(c, s, path, UNIT_MOUNTS_MAX, check_where, NULL,
				     &u->requires_mounts);

	for (size_t i = 0; r == 0 && u->requires_mounts[i]; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		l->requires_mounts[i] = setting_line(e);
		for (size_t j = 0; r == 0 && j < i; j++)
			if (!strcmp(u->requires_mounts[j], u->requires_mounts[i]))
				r = FAIL(c, e, "'%s[%zu]': '%s' is listed twice", path, i,
					 u->requires_mounts[i]);
	}
	return r;
}

/* Cross-file: each required mount is one initd.conf declares (an error:
 * the unit could never start). 0 or -ENOMEM. */
int mounts_check_unit(const struct initd_conf *conf, struct unit *u, const struct unit_lines *l)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };

	for (size_t i = 0; u->requires_mounts[i] && i < UNIT_MOUNTS_MAX; i++) {
		const char *w = u->requires_mounts[i];
		int r;

		if (!where_valid(w) || mounts_find(conf, w))
			continue;
		r = diag_add(&c, l->requires_mounts[i], "requires_mounts: '%s' is not in initd.conf's "
			     "mounts (mounts = ( { where = \"%s\"; ... } ))", w, w);
		if (r < 0)
			return r;
	}
	u->bad |= c.failed;
	return 0;
}
