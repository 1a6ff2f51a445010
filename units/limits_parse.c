/* limits_parse.c — cgroup resource limits read from a unit's `cgroup`
 * group and from initd.conf's slices, by the kind unit_limit_table gives
 * each key; the checks across keys; a cpu list within another. The table,
 * equality, validity, controller names and the cpu list syntax are
 * limits.c's. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

#define CPU_MAX_HINT "expected \"N%%\", \"QUOTA PERIOD\" in microseconds, or \"max\""
#define CPULIST_HINT "expected the kernel's list syntax, like \"0-3,6\""
_Static_assert(UNIT_CPULIST_ID_MAX == 8191, "update the cpu list hint");
#define CPU_PERCENT_MAX 100000            /* 1000 CPUs */

/* Is [lo, hi] inside the union of parent's ranges? 0 yes, 1 no. */
static int range_covered(uint64_t lo, uint64_t hi, const void *data)
{
	bool moved = true;

	while (lo <= hi && moved) {
		const char *p = data;
		uint64_t plo, phi;

		moved = false;
		while (cpulist_range(&p, &plo, &phi) == 0) {
			if (plo <= lo && lo <= phi) {
				lo = phi + 1;
				moved = true;
			}
			if (*p != ',')
				break;
			p++;
		}
	}
	return lo > hi ? 0 : 1;
}

bool unit_cpulist_subset(const char *list, const char *parent)
{
	return cpulist_each(list, range_covered, parent) == 0;
}

/* ---- scalar syntaxes ----------------------------------------------------------- */

/* "N%", "QUOTA [PERIOD]", "max [PERIOD]". -ERANGE for 0%. */
static int parse_cpu_max(const char *v, uint64_t *quota, uint64_t *period)
{
	const char *p = v;
	uint64_t q, per = UNIT_CPU_PERIOD_DEFAULT;

	if (strncmp(p, "max", 3) == 0) {
		q = UNIT_UNLIMITED;
		p += 3;
	} else if (digits(&p, &q) < 0) {
		return -EINVAL;
	} else if (*p == '%') {
		if (p[1] != '\0' || q > CPU_PERCENT_MAX)
			return -EINVAL;
		if (q == 0)
			return -ERANGE;
		*quota = q * (UNIT_CPU_PERIOD_DEFAULT / 100);
		*period = UNIT_CPU_PERIOD_DEFAULT;
		return 0;
	} else if (q < CPU_QUOTA_MIN) {
		return -EINVAL;
	}
	if (*p == ' ') {
		p++;
		if (digits(&p, &per) < 0 || per < CPU_PERIOD_MIN || per > CPU_PERIOD_MAX)
			return -EINVAL;
	}
	if (*p != '\0')
		return -EINVAL;
	*quota = q;
	*period = per;
	return 0;
}

/* "MAJ:MIN" */
static int parse_device(const char *v, uint32_t *major, uint32_t *minor)
{
	const char *p = v;
	uint64_t a, b;

	if (digits(&p, &a) < 0 || *p++ != ':' || digits(&p, &b) < 0 || *p != '\0' ||
	    a > DEV_MAJOR_MAX || b > DEV_MINOR_MAX)
		return -EINVAL;
	*major = (uint32_t)a;
	*minor = (uint32_t)b;
	return 0;
}

/* ---- typed getters ----------------------------------------------------------- */

static bool is_max(config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING &&
	       strcmp(config_setting_get_string(s), "max") == 0;
}

/* A size string or "max". */
static int size_or_max(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret)
{
	if (is_max(s)) {
		*ret = UNIT_UNLIMITED;
		return 0;
	}
	return setting_size(c, s, path, ret);
}

/* An integer in [min, max], or "max" when max_ok. */
static int int_or_max(struct parse_ctx *c, config_setting_t *s, const char *path, long long min,
		      long long max, bool max_ok, uint64_t *ret)
{
	int t = config_setting_type(s);
	long long v;
	int r;

	if (max_ok && is_max(s)) {
		*ret = UNIT_UNLIMITED;
		return 0;
	}
	if (max_ok && t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return FAIL(c, s, "'%s' must be an integer or \"max\"", path);
	r = setting_int_range(c, s, path, min, max, &v);
	if (r == 0)
		*ret = (uint64_t)v;
	return r;
}

/* Mark key i declared at s's line once its value was stored. */
static int declared(struct limits_parse *lp, config_setting_t *s, enum unit_limit i, int r)
{
	if (r == 0) {
		lp->limits->declared |= UNIT_LIMIT_BIT(i);
		lp->line[i] = setting_line(s);
	}
	return r;
}

/* cpu.max: quota and period. */
static int parse_cpu_max_value(struct parse_ctx *c, config_setting_t *s, const char *path,
			       struct unit_limits *l)
{
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	r = parse_cpu_max(v, &l->cpu_quota_usec, &l->cpu_period_usec);
	if (r == -ERANGE)
		return FAIL(c, s, "'%s': a percentage must be at least 1%% (got '%s')", path,
			    diag_quote(q, v));
	if (r < 0)
		return FAIL(c, s, "'%s': invalid value '%s' (" CPU_MAX_HINT ")", path,
			    diag_quote(q, v));
	return 0;
}

/* cpu.weight, io.weight */
static int parse_weight(struct parse_ctx *c, config_setting_t *s, const char *path, uint32_t *ret)
{
	uint64_t v;
	int r = int_or_max(c, s, path, WEIGHT_MIN, WEIGHT_MAX, false, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

/* cpu.max.burst: a duration the kernel's bandwidth bound holds. */
static int parse_duration_limit(struct parse_ctx *c, config_setting_t *s, const char *path,
				uint64_t *ret)
{
	int r = setting_duration(c, s, path, ret);

	if (r == 0 && *ret > UNIT_LIMIT_DURATION_MAX)
		return FAIL(c, s, "'%s' must be at most %llu microseconds", path,
			    (unsigned long long)UNIT_LIMIT_DURATION_MAX);
	return r;
}

/* cpuset.cpus, cpuset.mems */
static int parse_cpulist(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	static const struct string_rule rule = {
		.valid = unit_cpulist_valid, .what = "list",
		.hint = " (" CPULIST_HINT ", numbers up to 8191)",
	};

	return setting_strdup_valid(c, s, path, &rule, ret);
}

/* ---- io ----------------------------------------------------------------------- */

/* One io.max entry while it is read. */
struct io_entry {
	struct unit_io_limit lim;
	bool has_device, has_limit;
};

static int parse_io_device(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct io_entry *e = obj;
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (parse_device(v, &e->lim.major, &e->lim.minor) < 0)
		return FAIL(c, s, "'%s': invalid device '%s' (expected \"MAJOR:MINOR\", like \"8:0\")",
			    path, diag_quote(q, v));
	e->has_device = true;
	return 0;
}

/* rbps/wbps: a size or "max"; riops/wiops: an integer or "max". > 0. */
static int parse_io_rate(struct parse_ctx *c, config_setting_t *s, const char *path,
			 struct io_entry *e, uint64_t *ret, bool bytes)
{
	int r = bytes ? size_or_max(c, s, path, ret)
		      : int_or_max(c, s, path, 1, INT64_MAX, true, ret);

	if (r == 0 && *ret == 0)
		return FAIL(c, s, "'%s' must be greater than 0 (or \"max\")", path);
	e->has_limit |= r == 0;
	return r;
}

#define IO_KEY(fn, field, bytes) \
	static int fn(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj) \
	{ struct io_entry *e = obj; return parse_io_rate(c, s, path, e, &e->lim.field, bytes); }

IO_KEY(parse_io_rbps, rbps, true)
IO_KEY(parse_io_wbps, wbps, true)
IO_KEY(parse_io_riops, riops, false)
IO_KEY(parse_io_wiops, wiops, false)

static const struct key io_entry_keys[] = {
	{ "device", parse_io_device },
	{ "rbps", parse_io_rbps },
	{ "wbps", parse_io_wbps },
	{ "riops", parse_io_riops },
	{ "wiops", parse_io_wiops },
};

/* One element of io.max into v[*n]; reported problems leave *n as is. */
static int parse_io_entry(struct parse_ctx *c, config_setting_t *s, const char *path,
			  struct unit_io_limit *v, size_t *n)
{
	struct io_entry e = { .lim = { 0, 0, UNIT_UNLIMITED, UNIT_UNLIMITED, UNIT_UNLIMITED,
				       UNIT_UNLIMITED } };
	bool failed = c->failed;
	int r;

	c->failed = false;
	r = setting_group(c, s, path, io_entry_keys, ARRAY_SIZE(io_entry_keys), &e);
	if (r == 0 && !c->failed && config_setting_is_group(s)) {
		if (!e.has_device)
			r = FAIL(c, s, "missing required key '%s.device'", path);
		else if (!e.has_limit)
			r = FAIL(c, s, "'%s' sets no limit (expected rbps, wbps, riops or wiops)", path);
		for (size_t i = 0; r == 0 && i < *n; i++)
			if (v[i].major == e.lim.major && v[i].minor == e.lim.minor)
				r = FAIL(c, s, "'%s': device %u:%u is listed twice", path,
					 e.lim.major, e.lim.minor);
	}
	if (r == 0 && !c->failed)
		v[(*n)++] = e.lim;
	c->failed |= failed;
	return r == -ENOMEM ? r : 0;
}

static int parse_io_max(struct parse_ctx *c, config_setting_t *s, const char *path,
			struct unit_limits *l)
{
	_cleanup_free_ struct unit_io_limit *v = NULL;
	bool failed = c->failed;
	size_t k = 0;
	int n, r = 0;

	r = setting_list(c, s, path, UNIT_IO_DEVICES_MAX, NULL, &n);
	if (r < 0)
		return r;
	if (n == 0)    /* declared, it must say something: the model holds no empty one */
		return FAIL(c, s, "'%s' lists no device (leave it out for no limit)", path);
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->failed = false;
	for (int i = 0; i < n && r == 0; i++) {
		char p[DIAG_PATH_SIZE];
		r = parse_io_entry(c, config_setting_get_elem(s, (unsigned)i),
				   setting_elem_path(p, path, i), v, &k);
	}
	if (r < 0 || c->failed) {
		c->failed |= failed;
		return r < 0 ? r : -EINVAL;
	}
	c->failed = failed;
	free(l->io_max);
	l->io_max = TAKE_PTR(v);
	l->n_io_max = k;
	return 0;
}

/* ---- entry points -------------------------------------------------------------- */

/* The value of key i at s into lp->limits, by its kind. 0, -ENOMEM, or
 * -EINVAL with the problem reported. */
static int parse_value(struct parse_ctx *c, config_setting_t *s, const char *path,
		       struct unit_limits *l, enum unit_limit i)
{
	void *v = value_of(l, i);

	switch (unit_limit_table[i].kind) {
	case UNIT_LIMIT_KIND_SIZE:
		return size_or_max(c, s, path, v);
	case UNIT_LIMIT_KIND_COUNT:
		return int_or_max(c, s, path, 0, INT32_MAX, true, v);
	case UNIT_LIMIT_KIND_WEIGHT:
	case UNIT_LIMIT_KIND_IO_WEIGHT:
		return parse_weight(c, s, path, v);
	case UNIT_LIMIT_KIND_BOOL:
		return setting_bool(c, s, path, v);
	case UNIT_LIMIT_KIND_DURATION:
		return parse_duration_limit(c, s, path, v);
	case UNIT_LIMIT_KIND_CPULIST:
		return parse_cpulist(c, s, path, v);
	case UNIT_LIMIT_KIND_CPU_MAX:
		return parse_cpu_max_value(c, s, path, l);
	case UNIT_LIMIT_KIND_IO_MAX:
		return parse_io_max(c, s, path, l);
	case UNIT_LIMIT_KIND_MAX:
		break;
	}
	return -EINVAL;
}

/* The row of group.key, or -ENOENT. */
static int limit_find(const char *group, const char *key)
{
	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (strcmp(unit_limit_table[i].group, group) == 0 &&
		    strcmp(unit_limit_table[i].key, key) == 0)
			return i;
	return -ENOENT;
}

/* A key of a limits group: s's parent names the group, s the key. */
static int parse_limit(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;
	int i = limit_find(config_setting_name(config_setting_parent(s)), config_setting_name(s));

	if (i < 0)
		return -EINVAL;   /* setting_group only hands over the table's keys */
	return declared(lp, s, i, parse_value(c, s, path, lp->limits, i));
}

int limits_parse_key(struct parse_ctx *c, config_setting_t *s, const char *path,
		     struct limits_parse *lp)
{
	const char *name = config_setting_name(s);
	struct key keys[UNIT_LIMIT_MAX];
	size_t n = 0;

	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (strcmp(unit_limit_table[i].group, name) == 0)
			keys[n++] = (struct key){ unit_limit_table[i].key, parse_limit };
	if (n == 0)
		return -EINVAL;   /* not a limits key: the caller's table is wrong */
	return setting_group(c, s, path, keys, n, lp);
}

int limits_check(struct parse_ctx *c, const struct limits_parse *lp)
{
	const struct unit_limits *l = lp->limits;
	uint32_t d = l->declared;
	int r = 0;

	if ((d & UNIT_LIMIT_BIT(UNIT_LIMIT_MEMORY_HIGH)) &&
	    (d & UNIT_LIMIT_BIT(UNIT_LIMIT_MEMORY_MAX)) && l->memory_high != UNIT_UNLIMITED &&
	    l->memory_high > l->memory_max)
		r = diag_add(c, lp->line[UNIT_LIMIT_MEMORY_HIGH],
			     "'%s.memory.high' must not be greater than '%s.memory.max'",
			     lp->prefix, lp->prefix);
	if (r == 0 && (d & UNIT_LIMIT_BIT(UNIT_LIMIT_MEMORY_MIN)) &&
	    (d & UNIT_LIMIT_BIT(UNIT_LIMIT_MEMORY_LOW)) && l->memory_min > l->memory_low)
		r = diag_add(c, lp->line[UNIT_LIMIT_MEMORY_MIN],
			     "'%s.memory.min' must not be greater than '%s.memory.low'",
			     lp->prefix, lp->prefix);
	if (r == 0 && !burst_within_quota(l))
		r = diag_add(c, lp->line[UNIT_LIMIT_CPU_MAX_BURST],
			     "'%s.cpu.max_burst' must not be greater than the quota of "
			     "'%s.cpu.max' (%lluus)", lp->prefix, lp->prefix,
			     (unsigned long long)l->cpu_quota_usec);
	return r;
}

/* A list of controller names into a bit set; each bad entry is reported. */
int limits_parse_controllers(struct parse_ctx *c, config_setting_t *s, const char *path,
			     uint32_t *ret)
{
	struct name_bits nb = { controller_names, UNIT_CONTROLLER_MAX, "controller", 0 };
	int r;

	r = setting_strv_each(c, s, path, UNIT_CONTROLLER_MAX, check_name_bit, &nb);
	if (r == 0)
		*ret = nb.bits;
	return r;
}

/* ---- slices -------------------------------------------------------------------- */

const struct unit_slice *unit_slice_cpuset_bound(const struct initd_conf *conf,
						 const char *slice_path, bool mems)
{
	uint32_t bit = UNIT_LIMIT_BIT(mems ? UNIT_LIMIT_CPUSET_MEMS : UNIT_LIMIT_CPUSET_CPUS);
	char path[UNIT_SLICE_DEPTH * (UNIT_NAME_MAX + 1) + 1];
	char *slash;

	if (strlen(slice_path) >= sizeof(path))
		return NULL;
	strcpy(path, slice_path);
	for (;;) {
		const struct unit_slice *s = conf_find_slice(conf, path);
		if (s && (s->limits.declared & bit))
			return s;
		slash = strrchr(path, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
}
