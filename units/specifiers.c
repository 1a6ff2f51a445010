/* specifiers.c — a template's specifiers (%i the instance, %n the unit's
 * full name, %p the template's name, %% a '%') expanded in a string, and
 * in every string value of a libconfig tree. Substitution happens here, in
 * the loader, on the libconfig tree before the keys are read, so an
 * instance is validated exactly as any unit is, and PID 1 only ever sees
 * ordinary units named NAME@INST (template.c). */
#include <string.h>

#include "units/internal.h"

/* Nesting of lists and groups walked (a unit file needs 3 or 4). */
#define TEMPLATE_DEPTH_MAX 16

/* What a specifier stands for; NULL for an unknown one. */
static const char *specifier_value(char spec, const char *name, const char *instance,
				   const char *prefix)
{
	switch (spec) {
	case 'i':
		return instance;
	case 'n':
		return name;
	case 'p':
		return prefix;
	case '%':
		return "%";
	default:
		return NULL;
	}
}

int unit_specifiers_expand(const char *in, const char *name, const char *instance, char **ret,
			   const char **ret_why)
{
	_cleanup_free_ char *out = malloc(UNIT_STRING_MAX + 1);
	char prefix[UNIT_NAME_MAX + 1];
	size_t len = 0;

	if (!out)
		return -ENOMEM;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(name, "@"), name);
	for (const char *p = in; *p; p++) {
		const char *v = p[0] == '%' ? specifier_value(p[1], name, instance, prefix) : NULL;
		size_t n = v ? strlen(v) : 1;

		if (p[0] == '%' && !v) {
			*ret_why = p[1] ? "an unknown specifier (%i, %n, %p or %% for a '%')"
					: "a '%' at the end (write %% for a '%')";
			return -EINVAL;
		}
		if (len + n > UNIT_STRING_MAX) {
			*ret_why = "longer than " STRINGIFY(UNIT_STRING_MAX) " bytes once expanded";
			return -EINVAL;
		}
		memcpy(out + len, v ? v : p, n);
		len += n;
		p += v ? 1 : 0;
	}
	out[len] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

static int substitute_string(struct parse_ctx *c, config_setting_t *s, const char *path,
			     const char *name, const char *instance)
{
	_cleanup_free_ char *v = NULL;
	const char *why = NULL;
	char q[DIAG_QUOTE_SIZE];
	int r;

	r = unit_specifiers_expand(config_setting_get_string(s), name, instance, &v, &why);
	if (r == -EINVAL)
		return diag_add(c, setting_line(s), "'%s': '%s' holds %s", path,
				diag_quote(q, config_setting_get_string(s)), why);
	if (r < 0)
		return r;
	return config_setting_set_string(s, v) == CONFIG_TRUE ? 0 : -ENOMEM;
}

/* Every string below s (path names it), substituted. 0 (problems in c)
 * or -ENOMEM. */
static int substitute_tree(struct parse_ctx *c, config_setting_t *s, const char *path,
			   const char *name, const char *instance, unsigned depth)
{
	int n, r = 0;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return substitute_string(c, s, path, name, instance);
	if (!config_setting_is_aggregate(s))
		return 0;
	if (depth >= TEMPLATE_DEPTH_MAX)
		return diag_add(c, setting_line(s), "'%s' is nested too deep", path);
	n = config_setting_length(s);
	for (int i = 0; i < n && r == 0; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char p[DIAG_PATH_SIZE];

		if (config_setting_is_group(s))
			setting_path(p, path, config_setting_name(e));
		else
			setting_elem_path(p, path, i);
		r = substitute_tree(c, e, p, name, instance, depth + 1);
	}
	return r;
}

int template_substitute(struct parse_ctx *c, config_setting_t *root, const char *name,
			const char *instance)
{
	return substitute_tree(c, root, "", name, instance, 0);
}
