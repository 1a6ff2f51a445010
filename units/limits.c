/* limits.c — cgroup resource limits, shared by a unit's `cgroup` group and
 * the slices of initd.conf: unit_limit_table (one row per key, see
 * UNIT_LIMITS in unit.h) and what reads it by kind (equality, validity),
 * controller names and the kernel's cpu list syntax. Parsing by kind and
 * the checks across keys are limits_parse.c's.
 *
 * Values are kept as the kernel takes them (bytes, microseconds), with
 * UNIT_UNLIMITED for "max"; `declared` says which keys were given, since
 * "not given" and "max" differ (a given key needs its controller). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

const char *const controller_names[UNIT_CONTROLLER_MAX] = {
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

/* ---- the table ---------------------------------------------------------------- */

/* One row per enum unit_limit: both come from UNIT_LIMITS, so neither can
 * miss a key the other has. */
const struct unit_limit_desc unit_limit_table[UNIT_LIMIT_MAX] = {
#define UNIT_LIMIT_ROW(name, grp, k, f, field, kind, ctl, reset) \
	[UNIT_LIMIT_##name] = { grp, k, f, offsetof(struct unit_limits, field), \
				UNIT_LIMIT_KIND_##kind, UNIT_CONTROLLER_##ctl, reset },
	UNIT_LIMITS(UNIT_LIMIT_ROW)
#undef UNIT_LIMIT_ROW
};
_Static_assert(UNIT_LIMIT_MAX < 32, "unit_limits.declared is a uint32_t (and encodes its bound)");

/* The C type each kind keeps its value in: a row naming a field of another
 * type (a size key pointed at a bool, say) does not compile. */
#define KIND_TYPE_SIZE uint64_t
#define KIND_TYPE_COUNT uint64_t
#define KIND_TYPE_WEIGHT uint32_t
#define KIND_TYPE_IO_WEIGHT uint32_t
#define KIND_TYPE_BOOL bool
#define KIND_TYPE_DURATION uint64_t
#define KIND_TYPE_CPULIST char *
#define KIND_TYPE_CPU_MAX uint64_t
#define KIND_TYPE_IO_MAX struct unit_io_limit *
#define UNIT_LIMIT_TYPE_CHECK(name, grp, k, f, field, kind, ctl, reset) \
	_Static_assert(_Generic(((struct unit_limits *)0)->field, KIND_TYPE_##kind: 1, default: 0), \
		       "UNIT_LIMIT_" #name ": the field's type is not its kind's"); \
	_Static_assert((UNIT_LIMIT_KIND_##kind == UNIT_LIMIT_KIND_IO_MAX) == \
		       __builtin_types_compatible_p(typeof(reset), void *), \
		       "UNIT_LIMIT_" #name ": a reset value (NULL for io.max alone)");
UNIT_LIMITS(UNIT_LIMIT_TYPE_CHECK)
#undef UNIT_LIMIT_TYPE_CHECK

static bool has(const struct unit_limits *l, enum unit_limit i)
{
	return l->declared & UNIT_LIMIT_BIT(i);
}

/* The value of key i in l, of its kind's type. */
void *value_of(struct unit_limits *l, enum unit_limit i)
{
	return (char *)l + unit_limit_table[i].offset;
}

#define U64(l, i) (*(const uint64_t *)unit_limit_value((l), (i)))
#define U32(l, i) (*(const uint32_t *)unit_limit_value((l), (i)))

/* Equal values of key i, both declared. */
static bool value_equal(const struct unit_limits *a, const struct unit_limits *b,
			enum unit_limit i)
{
	switch (unit_limit_table[i].kind) {
	case UNIT_LIMIT_KIND_SIZE:
	case UNIT_LIMIT_KIND_COUNT:
	case UNIT_LIMIT_KIND_DURATION:
		return U64(a, i) == U64(b, i);
	case UNIT_LIMIT_KIND_WEIGHT:
	case UNIT_LIMIT_KIND_IO_WEIGHT:
		return U32(a, i) == U32(b, i);
	case UNIT_LIMIT_KIND_BOOL:
		return *(const bool *)unit_limit_value(a, i) == *(const bool *)unit_limit_value(b, i);
	case UNIT_LIMIT_KIND_CPULIST:
		return streq_ptr(*(char *const *)unit_limit_value(a, i),
				 *(char *const *)unit_limit_value(b, i));
	case UNIT_LIMIT_KIND_CPU_MAX:
		return a->cpu_quota_usec == b->cpu_quota_usec &&
		       a->cpu_period_usec == b->cpu_period_usec;
	case UNIT_LIMIT_KIND_IO_MAX:
		return a->n_io_max == b->n_io_max &&
		       (a->n_io_max == 0 ||
			memcmp(a->io_max, b->io_max, a->n_io_max * sizeof(*a->io_max)) == 0);
	case UNIT_LIMIT_KIND_MAX:
		break;
	}
	return false;
}

/* ---- the model ------------------------------------------------------------- */

uint32_t unit_limits_controllers(const struct unit_limits *l)
{
	uint32_t mask = 0;

	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (has(l, i))
			mask |= UNIT_CONTROLLER_BIT(unit_limit_table[i].controller);
	return mask;
}

/* Only declared values count: an undeclared one is no limit at all. */
bool unit_limits_equal(const struct unit_limits *a, const struct unit_limits *b)
{
	if (a->declared != b->declared)
		return false;
	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (has(a, i) && !value_equal(a, b, i))
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
int digits(const char **p, uint64_t *ret)
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
int cpulist_range(const char **p, uint64_t *lo, uint64_t *hi)
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
int cpulist_each(const char *list, int (*fn)(uint64_t lo, uint64_t hi, const void *d),
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

/* The kernel refuses a cpu.max.burst above the node's own cpu.max quota
 * (without cpu.max the quota is "max"). */
bool burst_within_quota(const struct unit_limits *l)
{
	return !has(l, UNIT_LIMIT_CPU_MAX_BURST) || !has(l, UNIT_LIMIT_CPU_MAX) ||
	       l->cpu_quota_usec == UNIT_UNLIMITED || l->cpu_burst_usec <= l->cpu_quota_usec;
}

/* Key i's value in l as the parsers leave it; a pointer is set exactly
 * when the key is declared. */
static bool value_valid(const struct unit_limits *l, enum unit_limit i)
{
	bool d = has(l, i);

	switch (unit_limit_table[i].kind) {
	case UNIT_LIMIT_KIND_SIZE:
	case UNIT_LIMIT_KIND_COUNT:
	case UNIT_LIMIT_KIND_BOOL:   /* the decoder bounds it to 0..1 */
		return true;
	case UNIT_LIMIT_KIND_DURATION:
		return U64(l, i) <= UNIT_LIMIT_DURATION_MAX;
	case UNIT_LIMIT_KIND_WEIGHT:
	case UNIT_LIMIT_KIND_IO_WEIGHT:
		return !d || (U32(l, i) >= WEIGHT_MIN && U32(l, i) <= WEIGHT_MAX);
	case UNIT_LIMIT_KIND_CPULIST: {
		const char *list = *(char *const *)unit_limit_value(l, i);
		return !d == !list && (!list || unit_cpulist_valid(list));
	}
	case UNIT_LIMIT_KIND_CPU_MAX:
		return !d || (l->cpu_period_usec >= CPU_PERIOD_MIN &&
			      l->cpu_period_usec <= CPU_PERIOD_MAX &&
			      l->cpu_quota_usec >= CPU_QUOTA_MIN);
	case UNIT_LIMIT_KIND_IO_MAX:
		if (!d != !l->n_io_max || l->n_io_max > UNIT_IO_DEVICES_MAX ||
		    (l->n_io_max && !l->io_max))
			return false;
		for (size_t k = 0; k < l->n_io_max; k++)
			if (l->io_max[k].major > DEV_MAJOR_MAX || l->io_max[k].minor > DEV_MINOR_MAX)
				return false;
		return true;
	case UNIT_LIMIT_KIND_MAX:
		break;
	}
	return false;
}

/* What a decoded set may contain: values as the parsers accept them. */
bool limits_valid(const struct unit_limits *l)
{
	if (l->declared >= UNIT_LIMIT_BIT(UNIT_LIMIT_MAX))
		return false;
	for (int i = 0; i < UNIT_LIMIT_MAX; i++)
		if (!value_valid(l, i))
			return false;
	return burst_within_quota(l);
}
