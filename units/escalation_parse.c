/* escalation_parse.c — issue 14's keys parsed: a unit's on_failure,
 * critical, modes and autostart; initd.conf's sysctl and boot_guard; the
 * warnings they give (a unit that requires one not started in some mode, a
 * sysctl the checking machine does not know). What a mode name and a sysctl
 * entry are, and the invariants, are escalation.c's. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* ---- unit keys -------------------------------------------------------------- */

int parse_on_failure(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	int v, r;

	parse_state_lines(obj)->on_failure = setting_line(s);
	r = setting_enum(c, s, path, failure_action_names, FAILURE_ACTION_MAX, &v);
	if (r == 0)
		u->on_failure = (enum failure_action)v;
	return r;
}

int parse_critical(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->critical = setting_line(s);
	return setting_bool(c, s, path, &parse_state_unit(obj)->critical);
}

int parse_autostart(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &parse_state_unit(obj)->autostart);
}

static int check_mode(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
		      void *data)
{
	char **seen = data, q[DIAG_QUOTE_SIZE];

	if (!unit_mode_name_valid(v))
		return FAIL(c, e, "'%s': invalid mode name '%s' (expected 1 to %d of "
			    "[A-Za-z0-9_-])", path, diag_quote(q, v), UNIT_MODE_NAME_MAX);
	for (; *seen; seen++)
		if (strcmp(*seen, v) == 0)
			return FAIL(c, e, "'%s': mode '%s' is listed twice", path, v);
	*seen = (char *)v;
	return 0;
}

int parse_modes(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	const char *seen[UNIT_MODES_MAX + 1] = { NULL };

	/* Unset is every mode; an empty list could mean either. */
	if (config_setting_is_array(s) && config_setting_length(s) == 0)
		return FAIL(c, s, "'%s' is empty: leave it out for every mode, or set "
			    "'autostart = false' for none", path);
	return setting_strv_checked(c, s, path, UNIT_MODES_MAX, check_mode, seen,
				    &parse_state_unit(obj)->modes);
}

/* Both keys say what a failure does: only one may. */
int escalation_check(struct parse_ctx *c, struct unit *u, const struct unit_lines *l)
{
	if (u->critical && l->on_failure)
		return diag_add(c, l->critical, "'critical' and 'on_failure' are both set "
				"('critical = true' is 'on_failure = \"reboot\"'): keep one");
	return 0;
}

/* ---- initd.conf keys ---------------------------------------------------------- */

/* An unknown name is only a warning: the checking machine may lack a
 * module the target loads (conf's modules come first at boot). So is an
 * empty value. */
static int check_sysctl(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
			void *data)
{
	char q[DIAG_QUOTE_SIZE], file[UNIT_SYSCTL_NAME_MAX + 16];
	const char *why;
	size_t n;

	if (unit_sysctl_entry_check(v, &n, &why) < 0)
		return FAIL(c, e, "'%s': '%s': %s", path, diag_quote(q, v), why);
	/* Only a warning: a string sysctl (kernel.core_pattern) takes it,
	 * and which one is a string no name tells. */
	if (c->warnings && v[n + 1] == '\0')
		return warn_add(c, setting_line(e), "'%s': '%s': an empty value: a string sysctl "
				"is cleared, a number's refuses it at boot", path, diag_quote(q, v));
	sysctl_path(file, sizeof(file), v, n);
	if (c->warnings && access("/proc/sys", F_OK) == 0 && access(file, F_OK) < 0)
		return warn_add(c, setting_line(e), "'%s': no %s on this machine: unknown "
				"sysctl '%.*s'?", path, file, (int)n, v);
	return 0;
}

int parse_sysctl(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct initd_conf *conf = obj;

	return setting_strv_checked(c, s, path, UNIT_SYSCTL_MAX, check_sysctl, NULL,
				    &conf->sysctl);
}

/* Normalised, as a mount's `where` is: the boot finds the mount that holds
 * it by its text (a guard under a missing mount cannot count). */
static int parse_guard_file(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	char **file = &((struct initd_conf *)obj)->boot_guard_file;
	int r = setting_abspath(c, s, path, file);

	if (r == 0 && !where_valid(*file))
		r = FAIL(c, s, "'%s': '%s' is not a normalised path (no '//', '.', '..' or "
			 "trailing '/')", path, *file);
	return r;
}

static int parse_guard_max(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	long long v;
	int r = setting_int_range(c, s, path, 1, UNIT_BOOT_GUARD_MAX, &v);

	if (r == 0)
		((struct initd_conf *)obj)->boot_guard_max = (uint32_t)v;
	return r;
}

static const struct key guard_keys[] = {
	{ "file", parse_guard_file },
	{ "max", parse_guard_max },
};

/* 'file' missing from the group, not one that is there but bad (a third
 * error beside its own and max's): that one was said at its line. */
int parse_boot_guard(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	int r = setting_group(c, s, path, guard_keys, ARRAY_SIZE(guard_keys), obj);

	if (r == 0 && config_setting_is_group(s) && !config_setting_get_member(s, "file"))
		r = FAIL(c, s, "'%s' needs 'file' (where the count of failed boots is kept)", path);
	return r;
}

/* ---- across units: a requirement that will not start with its dependent ---- */

/* A mode u lists that d does not boot in, or NULL (also when u lists none:
 * see escalation_check_requires). */
static const char *mode_missing(const struct unit *u, const struct unit *d)
{
	if (!d->modes[0])
		return NULL;
	for (char **m = u->modes; *m; m++)
		if (!unit_in_mode(d, *m))
			return *m;
	return NULL;
}

/* d's modes, "'a', 'b'", into buf. */
static const char *modes_list(const struct unit *d, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (char **m = d->modes; *m && o < size; m++) {
		int n = snprintf(buf + o, size - o, "%s'%s'", o ? ", " : "", *m);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return buf;
}

int escalation_check_requires(struct unit_set *s, const struct unit *u,
			      const struct unit_lines *lines)
{
	struct parse_ctx c = { .file = u->file, .diags = &s->warnings, .warnings = &s->warnings };

	if (u->bad || !u->autostart)
		return 0;   /* a unit the boot does not start pulls nothing in */
	for (size_t k = 0; u->requires[k] && k < UNIT_DEPS_MAX; k++) {
		const struct unit *d = unit_set_find(s, u->requires[k]);
		const char *mode;
		char list[UNIT_MODES_MAX * (UNIT_MODE_NAME_MAX + 4)];
		int r = 0;

		if (!d || d->bad)
			continue;
		if (!d->autostart)
			r = warn_add(&c, lines->requires[k], "requires '%s', which has 'autostart "
				     "= false': this unit will fail at boot unless '%s' is started "
				     "first", d->name, d->name);
		else if (!u->modes[0] && d->modes[0])
			r = warn_add(&c, lines->requires[k], "requires '%s', which is started only "
				     "in mode %s while this unit is in every mode: it will fail at "
				     "boot in the others", d->name,
				     modes_list(d, list, sizeof(list)));
		else if ((mode = mode_missing(u, d)))
			r = warn_add(&c, lines->requires[k], "requires '%s', which is not started "
				     "in mode '%s' (its modes do not list it): this unit will fail "
				     "at boot in that mode", d->name, mode);
		if (r < 0)
			return r;
	}
	return 0;
}
