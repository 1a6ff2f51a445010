/* slices_parse.c — the `slices` list of initd.conf read: the cgroup nodes
 * services are placed in, each with its own limits (units/limits.c). A
 * slice needs its parent declared ("system" always is); a slice's cpuset
 * must lie within the nearest ancestor's that declares one. A slice with an
 * error is reported and dropped, so units placed in it are bad. Freeing
 * and the invariants are slices.c's. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* A slice as read, with its lines, before sorting. */
struct slice_decl {
	char *path;
	int line;
	struct unit_limits limits;
	int cpus_line, mems_line;
};

/* What the keys of one slice group fill in. */
struct slice_parse {
	struct slice_decl *d;
	struct limits_parse lp;
};

static void slice_decl_clear(struct slice_decl *d)
{
	free(d->path);
	d->path = NULL;
	unit_limits_clear(&d->limits);
}

static int parse_slice_path(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct slice_decl *d = ((struct slice_parse *)obj)->d;

	d->line = setting_line(s);
	return setting_slice_path(c, s, path, &d->path);
}

static int parse_slice_limit(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return limits_parse_key(c, s, path, &((struct slice_parse *)obj)->lp);
}

static const struct key slice_keys[] = {
	{ "path", parse_slice_path },
	{ "cpu", parse_slice_limit },
	{ "cpuset", parse_slice_limit },
	{ "memory", parse_slice_limit },
	{ "pids", parse_slice_limit },
	{ "io", parse_slice_limit },
};

/* One element of slices: a group with a path. d->path stays NULL when the
 * element is bad. */
static int parse_slice_decl(struct parse_ctx *c, config_setting_t *s, const char *path,
			    struct slice_decl *d)
{
	struct slice_parse sp = { .d = d, .lp = { .limits = &d->limits, .prefix = path } };
	bool failed = c->failed;
	int r;

	c->failed = false;
	r = setting_group(c, s, path, slice_keys, ARRAY_SIZE(slice_keys), &sp);
	if (r == 0 && !c->failed && !d->path && config_setting_is_group(s))
		r = diag_add(c, setting_line(s), "missing required key '%s.path'", path);
	if (r == 0)
		r = limits_check(c, &sp.lp);
	d->cpus_line = sp.lp.line[UNIT_LIMIT_CPUSET_CPUS];
	d->mems_line = sp.lp.line[UNIT_LIMIT_CPUSET_MEMS];
	if (c->failed)
		slice_decl_clear(d);
	c->failed |= failed;
	return r;
}

static int slice_decl_compare(const void *a, const void *b)
{
	return strcmp(((const struct slice_decl *)a)->path, ((const struct slice_decl *)b)->path);
}

/* The entry of d[0..n) with this path, or NULL. */
static const struct slice_decl *decl_find(const struct slice_decl *d, size_t n, const char *path,
					  size_t len)
{
	for (size_t j = 0; j < n; j++)
		if (strlen(d[j].path) == len && strncmp(d[j].path, path, len) == 0)
			return &d[j];
	return NULL;
}

static bool slice_has_parent(const struct slice_decl *d, size_t n, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t plen = slash ? (size_t)(slash - path) : 0;

	if (!slash || (plen == 6 && strncmp(path, "system", 6) == 0))
		return true;
	return decl_find(d, n, path, plen) != NULL;
}

/* The nearest strict ancestor of path in d[0..n) declaring this cpuset
 * list (mems or cpus), or NULL. */
static const struct slice_decl *cpuset_parent(const struct slice_decl *d, size_t n,
					      const char *path, bool mems)
{
	uint32_t bit = UNIT_LIMIT_BIT(mems ? UNIT_LIMIT_CPUSET_MEMS : UNIT_LIMIT_CPUSET_CPUS);

	for (const char *end = strrchr(path, '/'); end; ) {
		size_t len = (size_t)(end - path);
		const struct slice_decl *p = decl_find(d, n, path, len);
		if (p && (p->limits.declared & bit))
			return p;
		end = len ? memrchr(path, '/', len) : NULL;
	}
	return NULL;
}

/* A slice's cpuset must lie within its nearest ancestor's. 0 fits. */
static int slice_check_cpuset(struct parse_ctx *c, const struct slice_decl *d, size_t n,
			      const struct slice_decl *s)
{
	for (int mems = 0; mems < 2; mems++) {
		const char *own = mems ? s->limits.cpuset_mems : s->limits.cpuset_cpus;
		const struct slice_decl *p = own ? cpuset_parent(d, n, s->path, mems) : NULL;
		const char *theirs = p ? (mems ? p->limits.cpuset_mems : p->limits.cpuset_cpus) : NULL;
		char q[DIAG_QUOTE_SIZE];

		if (!theirs || unit_cpulist_subset(own, theirs))
			continue;
		return diag_add(c, mems ? s->mems_line : s->cpus_line,
				"'slices': cpuset.%s '%s' of slice '%s' is not within '%s' of "
				"slice '%s'", mems ? "mems" : "cpus", diag_quote(q, own), s->path,
				theirs, p->path) ?: -EINVAL;
	}
	return 0;
}

/* Each slice must be unique and have its parent declared ("system" is
 * always there), its cpuset within its parent's. Reported slices are
 * dropped. Paths were validated, so they need no quoting. 0 or -ENOMEM. */
static int slices_check(struct parse_ctx *c, struct slice_decl *d, size_t *n)
{
	size_t k = 0;
	int r = 0;

	qsort(d, *n, sizeof(*d), slice_decl_compare);
	for (size_t i = 0; i < *n; i++) {
		const char *p = d[i].path;
		if (r == -ENOMEM) {
			/* out of memory: just drop the rest */
		} else if (k > 0 && strcmp(d[k - 1].path, p) == 0) {
			r = diag_add(c, d[i].line, "'slices': slice '%s' is declared twice", p);
		} else if (!slice_has_parent(d, k, p)) {
			r = diag_add(c, d[i].line, "'slices': parent '%.*s' of slice '%s' is not declared",
				     (int)(strrchr(p, '/') - p), p, p);
		} else if ((r = slice_check_cpuset(c, d, k, &d[i])) == 0) {
			d[k++] = d[i];
			continue;
		}
		slice_decl_clear(&d[i]);
	}
	*n = k;
	return r == -ENOMEM ? r : 0;
}

/* Move the declared slices, plus "system" if missing, into conf. d is
 * consumed (its contents moved or freed); it has room for one more. */
static int slices_store(struct parse_ctx *c, struct initd_conf *conf, struct slice_decl *d, size_t n)
{
	struct unit_slice *v;
	bool has_system = false;
	int r;

	for (size_t i = 0; i < n; i++)
		has_system |= strcmp(d[i].path, "system") == 0;
	if (!has_system) {
		d[n] = (struct slice_decl){ .path = strdup("system") };
		if (!d[n].path) {
			for (size_t i = 0; i < n; i++)
				slice_decl_clear(&d[i]);
			return -ENOMEM;
		}
		n++;
	}
	r = slices_check(c, d, &n);
	v = calloc(n, sizeof(*v));
	if (r < 0 || !v) {
		for (size_t i = 0; i < n; i++)
			slice_decl_clear(&d[i]);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (struct unit_slice){ .path = d[i].path, .limits = d[i].limits };
	slices_clear(conf);
	conf->slices = v;
	conf->n_slices = n;
	return 0;
}

int parse_slices(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	_cleanup_free_ struct slice_decl *d = NULL;
	size_t k = 0;
	int n, r = 0;

	r = setting_list(c, s, path, UNIT_SLICE_MAX, NULL, &n);
	if (r < 0)
		return r;
	d = calloc((size_t)n + 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (int i = 0; i < n && r == 0; i++) {
		char p[DIAG_PATH_SIZE];
		r = parse_slice_decl(c, config_setting_get_elem(s, (unsigned)i),
				     setting_elem_path(p, path, i), &d[k]);
		k += d[k].path != NULL;
	}
	if (r < 0) {
		for (size_t i = 0; i <= k; i++)   /* d[k]: a half-read element */
			slice_decl_clear(&d[i]);
		return r;
	}
	return slices_store(c, obj, d, k);
}

bool slices_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (a->n_slices != b->n_slices)
		return false;
	for (size_t i = 0; i < a->n_slices; i++)
		if (!streq_ptr(a->slices[i].path, b->slices[i].path) ||
		    !unit_limits_equal(&a->slices[i].limits, &b->slices[i].limits))
			return false;
	return true;
}
