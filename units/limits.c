/* limits.c — cgroup resource limits, shared by a unit's `cgroup` group and
 * the slices of initd.conf: the key parsers (cpu, cpuset, memory, pids, io),
 * the checks across keys, controller names and the kernel's cpu list syntax.
 *
 * Values are kept as the kernel takes them (bytes, microseconds), with
 * UNIT_UNLIMITED for "max"; `declared` says which keys were given, since
 * "not given" and "max" differ (a given key needs its controller). */
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
#define CPU_QUOTA_MIN 1000                /* usec, the kernel's minimum */
#define CPU_PERIOD_MIN 1000
#define CPU_PERIOD_MAX 1000000
#define WEIGHT_MIN 1
#define WEIGHT_MAX 10000
#define DEV_MAJOR_MAX 4095
#define DEV_MINOR_MAX 1048575

static const char *const controller_names[UNIT_CONTROLLER_MAX] = {
	[UNIT_CONTROLLER_CPUSET] = "cpuset",
	[UNIT_CONTROLLER_CPU] = "cpu",
	[UNIT_CONTROLLER_IO] = "io",
	[UNIT_CONTROLLER_MEMORY] = "memory",
	[UNIT_CONTROLLER_HUGETLB] = "hugetlb",
	[UNIT_CONTROLLER_PIDS] = "pids",
	[UNIT_CONTROLLER_RDMA] = "rdma",
	[UNIT_CONTROLLER_MISC] = "misc",
};

const char *unit_controller_to_string(enum unit_controller c)
{
	return (unsigned)c < UNIT_CONTROLLER_MAX ? controller_names[c] : NULL;
}

int unit_controller_from_string(const char *s)
{
	for (int i = 0; i < UNIT_CONTROLLER_MAX; i++)
		if (strcmp(s, controller_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* ---- the model ------------------------------------------------------------- */

uint32_t unit_limits_controllers(const struct unit_limits *l)
{
	static const uint8_t needs[UNIT_LIMIT_MAX] = {
		[UNIT_LIMIT_CPU_MAX] = UNIT_CONTROLLER_CPU,
		[UNIT_LIMIT_CPU_WEIGHT] = UNIT_CONTROLLER_CPU,
		[UNIT_LIMIT_CPUSET_CPUS] = UNIT_CONTROLLER_CPUSET,
		[UNIT_LIMIT_CPUSET_MEMS] = UNIT_CONTROLLER_CPUSET,
		[UNIT_LIMIT_MEMORY_MAX] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_MEMORY_HIGH] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_MEMORY_LOW] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_MEMORY_MIN] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_MEMORY_SWAP_MAX] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_MEMORY_OOM_GROUP] = UNIT_CONTROLLER_MEMORY,
		[UNIT_LIMIT_PIDS_MAX] = UNIT_CONTROLLER_PIDS,
		[UNIT_LIMIT_IO_WEIGHT] = UNIT_CONTROLLER_IO,
		[UNIT_LIMIT_IO_MAX] = UNIT_CONTROLLER_IO,
	};
	uint32_t mask = 0;

	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (l->declared & UNIT_LIMIT_BIT(i))
			mask |= UNIT_CONTROLLER_BIT(needs[i]);
	return mask;
}

bool unit_limits_equal(const struct unit_limits *a, const struct unit_limits *b)
{
	if (a->declared != b->declared || a->cpu_quota_usec != b->cpu_quota_usec ||
	    a->cpu_period_usec != b->cpu_period_usec || a->cpu_weight != b->cpu_weight ||
	    !streq_ptr(a->cpuset_cpus, b->cpuset_cpus) ||
	    !streq_ptr(a->cpuset_mems, b->cpuset_mems) || a->memory_max != b->memory_max ||
	    a->memory_high != b->memory_high || a->memory_low != b->memory_low ||
	    a->memory_min != b->memory_min || a->memory_swap_max != b->memory_swap_max ||
	    a->memory_oom_group != b->memory_oom_group || a->pids_max != b->pids_max ||
	    a->io_weight != b->io_weight || a->n_io_max != b->n_io_max)
		return false;
	for (size_t i = 0; i < a->n_io_max; i++)
		if (memcmp(&a->io_max[i], &b->io_max[i], sizeof(a->io_max[i])) != 0)
			return false;
	return true;
}

void unit_limits_clear(struct unit_limits *l)
{
	if (!l)
		return;
	free(l->cpuset_cpus);
	free(l->cpuset_mems);
	free(l->io_max);
	*l = (struct unit_limits){ .declared = 0 };
}

/* ---- scalar syntaxes ----------------------------------------------------------- */

/* Decimal digits at *p (no sign) into *ret, advancing *p. */
static int digits(const char **p, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*ret = v;
	return 0;
}

/* One "A" or "A-B" of a cpu list at *p. */
static int cpulist_range(const char **p, uint64_t *lo, uint64_t *hi)
{
	if (digits(p, lo) < 0)
		return -EINVAL;
	*hi = *lo;
	if (**p == '-') {
		(*p)++;
		if (digits(p, hi) < 0)
			return -EINVAL;
	}
	return *lo <= *hi && *hi <= UNIT_CPULIST_ID_MAX ? 0 : -EINVAL;
}

/* Call fn for every range of a list; stops at the first nonzero return. */
static int cpulist_each(const char *list, int (*fn)(uint64_t lo, uint64_t hi, const void *d),
			const void *data)
{
	const char *p = list;
	uint64_t lo, hi;
	int r;

	if (strlen(list) > UNIT_CPULIST_MAX)
		return -EINVAL;
	for (;;) {
		if (cpulist_range(&p, &lo, &hi) < 0)
			return -EINVAL;
		r = fn ? fn(lo, hi, data) : 0;
		if (r != 0)
			return r;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

bool unit_cpulist_valid(const char *list)
{
	return list && cpulist_each(list, NULL, NULL) == 0;
}

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

/* Mark key `bit` declared at s's line once its value was stored. */
static int declared(struct limits_parse *lp, config_setting_t *s, enum unit_limit bit, int r)
{
	if (r == 0) {
		lp->limits->declared |= UNIT_LIMIT_BIT(bit);
		lp->line[bit] = setting_line(s);
	}
	return r;
}

/* ---- cpu ---------------------------------------------------------------------- */

static int parse_cpu_max_key(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	r = parse_cpu_max(v, &lp->limits->cpu_quota_usec, &lp->limits->cpu_period_usec);
	if (r == -ERANGE)
		return FAIL(c, s, "'%s': a percentage must be at least 1%% (got '%s')", path,
			    diag_quote(q, v));
	if (r < 0)
		return FAIL(c, s, "'%s': invalid value '%s' (" CPU_MAX_HINT ")", path,
			    diag_quote(q, v));
	return declared(lp, s, UNIT_LIMIT_CPU_MAX, 0);
}

/* cpu.weight, io.weight */
static int parse_weight(struct parse_ctx *c, config_setting_t *s, const char *path,
			struct limits_parse *lp, enum unit_limit bit, uint32_t *ret)
{
	uint64_t v;
	int r = int_or_max(c, s, path, WEIGHT_MIN, WEIGHT_MAX, false, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return declared(lp, s, bit, r);
}

static int parse_cpu_weight(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return parse_weight(c, s, path, lp, UNIT_LIMIT_CPU_WEIGHT, &lp->limits->cpu_weight);
}

static const struct key cpu_keys[] = {
	{ "max", parse_cpu_max_key },
	{ "weight", parse_cpu_weight },
};

/* ---- cpuset ------------------------------------------------------------------- */

static int parse_cpulist(struct parse_ctx *c, config_setting_t *s, const char *path,
			 struct limits_parse *lp, enum unit_limit bit, char **ret)
{
	static const struct string_rule rule = {
		.valid = unit_cpulist_valid, .what = "list",
		.hint = " (" CPULIST_HINT ", numbers up to 8191)",
	};

	return declared(lp, s, bit, setting_strdup_valid(c, s, path, &rule, ret));
}

static int parse_cpuset_cpus(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return parse_cpulist(c, s, path, lp, UNIT_LIMIT_CPUSET_CPUS, &lp->limits->cpuset_cpus);
}

static int parse_cpuset_mems(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return parse_cpulist(c, s, path, lp, UNIT_LIMIT_CPUSET_MEMS, &lp->limits->cpuset_mems);
}

static const struct key cpuset_keys[] = {
	{ "cpus", parse_cpuset_cpus },
	{ "mems", parse_cpuset_mems },
};

/* ---- memory ------------------------------------------------------------------- */

/* Where each memory size key goes. */
static uint64_t *memory_field(struct unit_limits *l, enum unit_limit bit)
{
	switch (bit) {
	case UNIT_LIMIT_MEMORY_MAX: return &l->memory_max;
	case UNIT_LIMIT_MEMORY_HIGH: return &l->memory_high;
	case UNIT_LIMIT_MEMORY_LOW: return &l->memory_low;
	case UNIT_LIMIT_MEMORY_MIN: return &l->memory_min;
	default: return &l->memory_swap_max;
	}
}

static int parse_memory_size(struct parse_ctx *c, config_setting_t *s, const char *path,
			     struct limits_parse *lp, enum unit_limit bit)
{
	return declared(lp, s, bit, size_or_max(c, s, path, memory_field(lp->limits, bit)));
}

#define MEMORY_KEY(fn, bit) \
	static int fn(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj) \
	{ return parse_memory_size(c, s, path, obj, bit); }
MEMORY_KEY(parse_memory_max, UNIT_LIMIT_MEMORY_MAX)
MEMORY_KEY(parse_memory_high, UNIT_LIMIT_MEMORY_HIGH)
MEMORY_KEY(parse_memory_low, UNIT_LIMIT_MEMORY_LOW)
MEMORY_KEY(parse_memory_min, UNIT_LIMIT_MEMORY_MIN)
MEMORY_KEY(parse_memory_swap_max, UNIT_LIMIT_MEMORY_SWAP_MAX)

static int parse_oom_group(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return declared(lp, s, UNIT_LIMIT_MEMORY_OOM_GROUP,
			setting_bool(c, s, path, &lp->limits->memory_oom_group));
}

static const struct key memory_keys[] = {
	{ "max", parse_memory_max },
	{ "high", parse_memory_high },
	{ "low", parse_memory_low },
	{ "min", parse_memory_min },
	{ "swap_max", parse_memory_swap_max },
	{ "oom_group", parse_oom_group },
};

/* ---- pids --------------------------------------------------------------------- */

static int parse_pids_max(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return declared(lp, s, UNIT_LIMIT_PIDS_MAX,
			int_or_max(c, s, path, 0, INT32_MAX, true, &lp->limits->pids_max));
}

static const struct key pids_keys[] = {
	{ "max", parse_pids_max },
};

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

static int parse_io_max(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;
	_cleanup_free_ struct unit_io_limit *v = NULL;
	bool failed = c->failed;
	size_t k = 0;
	int n, r = 0;

	r = setting_list(c, s, path, UNIT_IO_DEVICES_MAX, NULL, &n);
	if (r < 0)
		return r;
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
	free(lp->limits->io_max);
	lp->limits->io_max = TAKE_PTR(v);
	lp->limits->n_io_max = k;
	return declared(lp, s, UNIT_LIMIT_IO_MAX, 0);
}

static int parse_io_weight(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct limits_parse *lp = obj;

	return parse_weight(c, s, path, lp, UNIT_LIMIT_IO_WEIGHT, &lp->limits->io_weight);
}

static const struct key io_keys[] = {
	{ "weight", parse_io_weight },
	{ "max", parse_io_max },
};

/* ---- entry points -------------------------------------------------------------- */

int limits_parse_key(struct parse_ctx *c, config_setting_t *s, const char *path,
		     struct limits_parse *lp)
{
	static const struct {
		const char *name;
		const struct key *keys;
		size_t n;
	} groups[] = {
		{ "cpu", cpu_keys, ARRAY_SIZE(cpu_keys) },
		{ "cpuset", cpuset_keys, ARRAY_SIZE(cpuset_keys) },
		{ "memory", memory_keys, ARRAY_SIZE(memory_keys) },
		{ "pids", pids_keys, ARRAY_SIZE(pids_keys) },
		{ "io", io_keys, ARRAY_SIZE(io_keys) },
	};
	const char *name = config_setting_name(s);

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if (strcmp(name, groups[i].name) == 0)
			return setting_group(c, s, path, groups[i].keys, groups[i].n, lp);
	return -EINVAL;   /* not a limits key: the caller's table is wrong */
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

/* What a decoded set may contain: values as the parsers accept them. */
bool limits_valid(const struct unit_limits *l)
{
	uint32_t d = l->declared;

	if (d >= UNIT_LIMIT_BIT(UNIT_LIMIT_MAX) || l->n_io_max > UNIT_IO_DEVICES_MAX ||
	    (l->n_io_max && !l->io_max))
		return false;
	if ((d & UNIT_LIMIT_BIT(UNIT_LIMIT_CPU_MAX)) &&
	    (l->cpu_period_usec < CPU_PERIOD_MIN || l->cpu_period_usec > CPU_PERIOD_MAX ||
	     l->cpu_quota_usec < CPU_QUOTA_MIN))
		return false;
	if (((d & UNIT_LIMIT_BIT(UNIT_LIMIT_CPU_WEIGHT)) &&
	     (l->cpu_weight < WEIGHT_MIN || l->cpu_weight > WEIGHT_MAX)) ||
	    ((d & UNIT_LIMIT_BIT(UNIT_LIMIT_IO_WEIGHT)) &&
	     (l->io_weight < WEIGHT_MIN || l->io_weight > WEIGHT_MAX)))
		return false;
	if (!(d & UNIT_LIMIT_BIT(UNIT_LIMIT_CPUSET_CPUS)) != !l->cpuset_cpus ||
	    !(d & UNIT_LIMIT_BIT(UNIT_LIMIT_CPUSET_MEMS)) != !l->cpuset_mems ||
	    !(d & UNIT_LIMIT_BIT(UNIT_LIMIT_IO_MAX)) != !l->n_io_max)
		return false;
	if ((l->cpuset_cpus && !unit_cpulist_valid(l->cpuset_cpus)) ||
	    (l->cpuset_mems && !unit_cpulist_valid(l->cpuset_mems)))
		return false;
	for (size_t i = 0; i < l->n_io_max; i++)
		if (l->io_max[i].major > DEV_MAJOR_MAX || l->io_max[i].minor > DEV_MINOR_MAX)
			return false;
	return true;
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
