/* setting.c — strict, typed access to libconfig settings. A value of the
 * wrong type is an error, never converted; every problem becomes a
 * diagnostic naming the setting by its path ("stop.signal", "exec[0]"). */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define DURATION_HINT "expected a duration string like \"5s\""
#define SIZE_HINT     "expected a size like \"64K\""

/* Report and return -EINVAL (or -ENOMEM if the report could not be kept). */
#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

int setting_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

const char *setting_path(char buf[static DIAG_PATH_SIZE], const char *prefix, const char *name)
{
	if (prefix && *prefix)
		snprintf(buf, DIAG_PATH_SIZE, "%s.%s", prefix, name);
	else
		snprintf(buf, DIAG_PATH_SIZE, "%s", name);
	return buf;
}

const char *setting_elem_path(char buf[static DIAG_PATH_SIZE], const char *path, int i)
{
	snprintf(buf, DIAG_PATH_SIZE, "%s[%d]", path, i);
	return buf;
}

static int report_unknown(struct parse_ctx *c, config_setting_t *m, const char *path,
			  const struct key *keys, size_t n_keys)
{
	const char *names[32], *hint;
	char p[DIAG_PATH_SIZE], h[DIAG_PATH_SIZE], q[DIAG_QUOTE_SIZE];

	for (size_t i = 0; i < n_keys && i < ARRAY_SIZE(names); i++)
		names[i] = keys[i].name;
	hint = hint_closest(config_setting_name(m), names, n_keys < 32 ? n_keys : 32);
	diag_quote(q, setting_path(p, path, config_setting_name(m)));
	if (hint)
		return FAIL(c, m, "unknown key '%s' (did you mean '%s'?)", q,
			    setting_path(h, path, hint));
	return FAIL(c, m, "unknown key '%s'", q);
}

/* Check s is a group and hand each member to its key's parser; a member
 * without a key is an error. 0 (problems are in c) or -ENOMEM. */
int setting_group(struct parse_ctx *c, config_setting_t *s, const char *path,
		  const struct key *keys, size_t n_keys, void *obj)
{
	int n, r;

	if (!config_setting_is_group(s)) {
		r = FAIL(c, s, "'%s' must be a group", path);
		return r == -ENOMEM ? r : 0;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		const struct key *k = NULL;
		char p[DIAG_PATH_SIZE];

		for (size_t j = 0; j < n_keys && !k; j++)
			if (strcmp(keys[j].name, name) == 0)
				k = &keys[j];
		r = k ? k->parse(c, m, setting_path(p, path, name), obj)
		      : report_unknown(c, m, path, keys, n_keys);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

int setting_string(struct parse_ctx *c, config_setting_t *s, const char *path, const char **ret)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return FAIL(c, s, "'%s' must be a string", path);
	v = config_setting_get_string(s);
	if (strlen(v) > UNIT_STRING_MAX)
		return FAIL(c, s, "'%s' is longer than %d bytes", path, UNIT_STRING_MAX);
	*ret = v;
	return 0;
}

/* Like setting_string, into a copy: *ret's old value is freed. */
int setting_strdup(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	const char *v;
	char *copy;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*ret);
	*ret = copy;
	return 0;
}

int setting_length(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		   int *ret_n)
{
	int n = config_setting_length(s);

	if ((size_t)n > max)
		return FAIL(c, s, "'%s' has more than %zu entries", path, max);
	*ret_n = n;
	return 0;
}

int setting_list(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		 const char *example, int *ret_n)
{
	if (!config_setting_is_list(s) && !(config_setting_is_array(s) && !config_setting_length(s)))
		return FAIL(c, s, "'%s' must be a list of groups%s", path, example ? example : "");
	return setting_length(c, s, path, max, ret_n);
}

int setting_group_list(struct parse_ctx *c, config_setting_t *s, const char *path,
		       const struct group_list *l, void **ret, size_t *ret_n)
{
	uint8_t *v;
	size_t k = 0;
	int n, r;

	r = setting_list(c, s, path, l->max, l->example, &n);
	if (r < 0)
		return r;
	v = calloc((size_t)n + 1, l->size);
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n && r != -ENOMEM; i++) {
		bool failed = c->failed;
		char p[DIAG_PATH_SIZE];

		/* c->failed says whether this element had an error. */
		c->failed = false;
		r = l->parse(c, config_setting_get_elem(s, (unsigned)i),
			     setting_elem_path(p, path, i), v, k);
		if (r == 0 && c->failed)
			r = -EINVAL;
		if (r < 0)
			l->clear(v + k * l->size);
		c->failed |= failed;
		k += r == 0;
	}
	if (r == -ENOMEM) {
		for (size_t i = 0; i < k; i++)
			l->clear(v + i * l->size);
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = k;
	return 0;
}

/* The n slots of v and v itself: a bad entry leaves a NULL among them, so
 * strv_free, which stops at the first NULL, would leak the ones after. */
static void strv_free_n(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* An array or list of up to max strings into a new NULL-terminated vector;
 * *ret's old vector is freed. Each bad entry is reported. */
int setting_strv(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max, char ***ret)
{
	char **v;
	int n, r, bad = 0;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return FAIL(c, s, "'%s' must be an array of strings", path);
	r = setting_length(c, s, path, max, &n);
	if (r < 0)
		return r;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		char p[DIAG_PATH_SIZE];
		r = setting_strdup(c, config_setting_get_elem(s, (unsigned)i),
				   setting_elem_path(p, path, i), &v[i]);
		if (r == -ENOMEM) {
			strv_free_n(v, n);
			return r;
		}
		bad |= r < 0;
	}
	if (bad) {
		strv_free_n(v, n);
		return -EINVAL;
	}
	strv_free(*ret);
	*ret = v;
	return 0;
}

int setting_int(struct parse_ctx *c, config_setting_t *s, const char *path, long long *ret)
{
	int t = config_setting_type(s);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return FAIL(c, s, "'%s' must be an integer", path);
	*ret = config_setting_get_int64(s);
	return 0;
}

int setting_int_range(struct parse_ctx *c, config_setting_t *s, const char *path, long long min,
		      long long max, long long *ret)
{
	long long v;
	int r;

	r = setting_int(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < min || v > max)
		return FAIL(c, s, "'%s' must be between %lld and %lld (got %lld)", path, min,
			    max, v);
	*ret = v;
	return 0;
}

/* A string that parse turns into a number; what ("duration") and hint
 * ("expected ...") name it in messages. */
static int setting_parsed(struct parse_ctx *c, config_setting_t *s, const char *path,
			  int (*parse)(const char *v, uint64_t *ret), const char *what,
			  const char *hint, uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return FAIL(c, s, "'%s' must be a string (%s)", path, hint);
	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	r = parse(v, ret);
	if (r == -ERANGE)
		return FAIL(c, s, "'%s': %s '%s' is out of range", path, what, diag_quote(q, v));
	if (r < 0)
		return FAIL(c, s, "'%s': invalid %s '%s' (%s)", path, what, diag_quote(q, v), hint);
	return 0;
}

int setting_duration(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret)
{
	return setting_parsed(c, s, path, parse_duration, "duration", DURATION_HINT, ret);
}

int setting_size(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret)
{
	return setting_parsed(c, s, path, parse_size, "size", SIZE_HINT, ret);
}

/* "a, b or c" for the names of an enum. */
static const char *enum_list(char *buf, size_t size, const char *const *names, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s",
				      i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	return buf;
}

int setting_enum(struct parse_ctx *c, config_setting_t *s, const char *path,
		 const char *const *names, size_t n, int *ret)
{
	char q[DIAG_QUOTE_SIZE], list[128];
	const char *v, *hint;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	}
	diag_quote(q, v);
	hint = hint_closest(v, names, n);
	if (hint)
		return FAIL(c, s, "'%s': unknown value '%s' (did you mean '%s'?)", path, q, hint);
	return FAIL(c, s, "'%s': unknown value '%s' (expected %s)", path, q,
		    enum_list(list, sizeof(list), names, n));
}

int setting_abspath(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (v[0] != '/')
		return FAIL(c, s, "'%s' must be an absolute path (got '%s')", path, diag_quote(q, v));
	return setting_strdup(c, s, path, ret);
}

/* A strv_check_fn: data is a const struct string_rule. */
static int check_rule(struct parse_ctx *c, config_setting_t *s, const char *path, const char *v,
		      void *data)
{
	const struct string_rule *rule = data;
	char q[DIAG_QUOTE_SIZE];

	if (rule->valid(v))
		return 0;
	if (!rule->what)
		return FAIL(c, s, "'%s': '%s' must be %s", path, diag_quote(q, v), rule->must);
	return FAIL(c, s, "'%s': invalid %s '%s'%s", path, rule->what, diag_quote(q, v),
		    rule->hint ? rule->hint : "");
}

int setting_strdup_valid(struct parse_ctx *c, config_setting_t *s, const char *path,
			 const struct string_rule *rule, char **ret)
{
	const char *v;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	r = check_rule(c, s, path, v, (void *)rule);
	if (r < 0)
		return r;
	return setting_strdup(c, s, path, ret);
}

int setting_strv_checked(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
			 strv_check_fn *check, void *data, char ***ret)
{
	char **v = NULL;
	int r, err = 0;

	r = setting_strv(c, s, path, max, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; v[i] && err != -ENOMEM; i++) {
		char p[DIAG_PATH_SIZE];
		r = check(c, config_setting_get_elem(s, (unsigned)i),
			  setting_elem_path(p, path, (int)i), v[i], data);
		err = r < 0 ? r : err;
	}
	if (err < 0) {
		strv_free(v);
		return err;
	}
	strv_free(*ret);
	*ret = v;
	return 0;
}

int setting_strv_each(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		      strv_check_fn *check, void *data)
{
	char **v = NULL;
	int r;

	r = setting_strv_checked(c, s, path, max, check, data, &v);
	strv_free(v);
	return r;
}

int check_name_bit(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
		   void *data)
{
	struct name_bits *nb = data;
	char q[DIAG_QUOTE_SIZE], list[128];
	const char *hint;
	size_t k;

	for (k = 0; k < nb->n && strcmp(v, nb->names[k]) != 0; k++)
		;
	if (k < nb->n && (nb->bits & (1U << k)))
		return FAIL(c, e, "'%s': '%s' is listed twice", path, diag_quote(q, v));
	if (k < nb->n) {
		nb->bits |= 1U << k;
		return 0;
	}
	diag_quote(q, v);
	hint = hint_closest(v, nb->names, nb->n);
	if (hint)
		return FAIL(c, e, "'%s': unknown %s '%s' (did you mean '%s'?)", path, nb->what, q,
			    hint);
	return FAIL(c, e, "'%s': unknown %s '%s' (expected %s)", path, nb->what, q,
		    enum_list(list, sizeof(list), nb->names, nb->n));
}

int setting_strv_valid(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		       const struct string_rule *rule, char ***ret)
{
	return setting_strv_checked(c, s, path, max, check_rule, (void *)rule, ret);
}

int setting_hostname(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	static const struct string_rule rule = { .valid = hostname_valid, .what = "hostname" };

	return setting_strdup_valid(c, s, path, &rule, ret);
}

/* The hint spells out UNIT_SLICE_DEPTH. */
_Static_assert(UNIT_SLICE_DEPTH == 8, "update the slice path hint");

int setting_slice_path(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	static const struct string_rule rule = {
		.valid = unit_slice_path_valid, .what = "slice path",
		.hint = " (expected names joined by '/', at most 8 deep)",
	};

	return setting_strdup_valid(c, s, path, &rule, ret);
}

/* A user or group: a name, or (leading digit) a strict numeric id. */
int setting_account(struct parse_ctx *c, config_setting_t *s, const char *path,
		    const char *what, char **ret)
{
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	uint32_t id;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (v[0] >= '0' && v[0] <= '9') {
		if (parse_id(v, &id) < 0)
			return FAIL(c, s, "'%s': invalid numeric id '%s'", path, diag_quote(q, v));
	} else if (!account_name_valid(v)) {
		return FAIL(c, s, "'%s': invalid %s name '%s'", path, what, diag_quote(q, v));
	}
	return setting_strdup(c, s, path, ret);
}

int setting_bool(struct parse_ctx *c, config_setting_t *s, const char *path, bool *ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return FAIL(c, s, "'%s' must be true or false", path);
	*ret = config_setting_get_bool(s) != 0;
	return 0;
}
