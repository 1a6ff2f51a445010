/* set_load.c — a directory of unit files plus initd.conf into a unit_set,
 * and what can only be checked with every unit at hand: dependencies
 * exist, slices are declared, no cycles. The set's invariants, which a
 * decoded set must meet as well as a loaded one, and its lookup are
 * set.c's. */
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The NAME.unit files in dirfd, sorted, into a new vector (caller frees
 * with strv_free). More than UNIT_MAX gives -E2BIG; others -errno. */
static int list_unit_files(int dirfd, char ***ret)
{
	_cleanup_free_ char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	v = calloc(UNIT_MAX + 1, sizeof(*v));
	while (v && r == 0 && (errno = 0, de = readdir(d))) {
		if (!unit_file_name_ok(de->d_name))
			continue;
		if (n == UNIT_MAX)
			r = -E2BIG;
		else if (!(v[n++] = strdup(de->d_name)))
			r = -ENOMEM;
	}
	if (!v)
		r = -ENOMEM;
	else if (r == 0 && errno != 0)
		r = -errno;
	closedir(d);
	if (r < 0) {
		strv_free(TAKE_PTR(v));
		return r;
	}
	qsort(v, n, sizeof(*v), compare_str);
	*ret = TAKE_PTR(v);
	return 0;
}

static int compare_entry(const void *a, const void *b)
{
	return strcmp(((const struct load_entry *)a)->unit->name,
		      ((const struct load_entry *)b)->unit->name);
}

/* "NAME@.unit": a template (issue 15), not a unit. */
static bool is_template_file(const char *file)
{
	size_t n = strlen(file);

	return n >= 6 && strcmp(file + n - 6, "@.unit") == 0;
}

/* Move the templates out of files (NAME@.unit) into s->templates as
 * NAME, sorted; a bad template name is reported in head. 0 or -ENOMEM. */
static int split_templates(struct unit_set *s, char **files, const char *dir,
			   struct unit_diags *head)
{
	size_t n = strv_length(files), k = 0, t = 0;
	int r = 0;

	s->templates = calloc(n + 1, sizeof(char *));
	if (!s->templates)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *name = NULL;
		char q[DIAG_QUOTE_SIZE];

		if (!is_template_file(files[i])) {
			files[k++] = files[i];
			continue;
		}
		name = r < 0 ? NULL : strndup(files[i], strlen(files[i]) - 6);
		if (r < 0)
			;   /* out of memory already: only free the rest */
		else if (!name)
			r = -ENOMEM;
		else if (!unit_template_name_valid(name))
			r = diag_add(&(struct parse_ctx){ .file = dir, .diags = head }, 0,
				     "invalid template name '%s' (file %s)", diag_quote(q, name),
				     files[i]);
		else
			s->templates[t++] = TAKE_PTR(name);
		free(files[i]);
	}
	for (size_t i = k; i < n; i++)
		files[i] = NULL;   /* moved, or freed */
	/* "a-b@.unit" sorts before "a@.unit", "a" before "a-b" */
	qsort(s->templates, t, sizeof(char *), compare_str);
	return r;
}

/* Parse each file in dirfd into e (sorted by unit name). */
static int parse_unit_files(int dirfd, const char *dir, char **files, struct load_entries *e)
{
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *path = NULL;
		struct unit_lines lines;
		struct unit *u;
		int r;
		if (asprintf(&path, "%s/%s", dir, files[i]) < 0) {
			path = NULL;
			return -ENOMEM;
		}
		r = unit_parse_at(dirfd, path, files[i], &u, &lines);
		if (r == 0)
			r = load_entries_push(e, u, &lines);
		if (r < 0)
			return r;
	}
	if (e->n)   /* qsort wants a non-NULL base even for 0 elements */
		qsort(e->v, e->n, sizeof(*e->v), compare_entry);
	return 0;
}

/* Is dep an instance of one of s's templates (a placeholder's check: the
 * instance it would name is not made)? */
static bool dep_instantiable(const struct unit_set *s, const char *dep)
{
	char template[UNIT_NAME_MAX + 1];
	const char *inst;

	if (unit_name_split(dep, template, &inst) < 0)
		return false;
	for (char **t = s->templates; *t; t++)
		if (strcmp(*t, template) == 0)
			return true;
	return false;
}

/* The "did you mean" of unknown dependencies: each costs a look at every
 * name of the set, so a load gives at most HINTS_MAX of them (16384
 * instances a template made, each with an unknown dependency, cost the
 * loader minutes of edit distances, and the boot with it). */
#define HINTS_MAX 64
struct hints {
	const char *const *names;    /* the set's, n of them */
	size_t n;
	size_t left;
};

static const char *hint_dep(struct hints *h, const char *dep)
{
	if (!h || h->left == 0)
		return NULL;
	h->left--;
	return hint_closest(dep, h->names, h->n);
}

/* Each requires/after entry of u (index i) must name a unit of the set;
 * h NULL: no hints. */
static int check_deps(struct unit_set *s, struct unit *u, const struct unit_lines *lines,
		      struct hints *h, bool placeholder)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	char **lists[2] = { u->requires, u->after };
	const int *line[2] = { lines->requires, lines->after };
	static const char *const what[2] = { "requires", "after" };
	char q[DIAG_QUOTE_SIZE];

	for (size_t l = 0; l < 2; l++) {
		for (size_t k = 0; lists[l][k] && k < UNIT_DEPS_MAX; k++) {
			const char *dep = lists[l][k], *hint;
			int r;
			if (!unit_name_valid(dep) || unit_set_find(s, dep) ||
			    (placeholder && dep_instantiable(s, dep)))
				continue;   /* an invalid name was reported already */
			hint = hint_dep(h, dep);
			diag_quote(q, dep);
			if (hint)
				r = diag_add(&c, line[l][k], "%s unknown unit '%s' (did you mean '%s'?)",
					     what[l], q, hint);
			else
				r = diag_add(&c, line[l][k], "%s unknown unit '%s'", what[l], q);
			if (r < 0)
				return r;
		}
	}
	u->bad |= c.failed;
	return 0;
}

/* u's slice must be declared, and u's own cgroup must not be a slice. */
/* u's cpuset must lie within the one its slice (or the slice's nearest
 * ancestor declaring one) has. 0 or -ENOMEM. */
static int check_cpuset(struct unit_set *s, struct unit *u, const struct unit_lines *lines,
			struct parse_ctx *c)
{
	const struct unit_limits *l = &u->opt->limits;

	for (int mems = 0; mems < 2; mems++) {
		const char *own = mems ? l->cpuset_mems : l->cpuset_cpus, *theirs;
		const struct unit_slice *bound;
		char q[DIAG_QUOTE_SIZE];
		int r;

		bound = own ? unit_slice_cpuset_bound(&s->conf, u->cgroup.slice, mems) : NULL;
		theirs = bound ? (mems ? bound->limits.cpuset_mems : bound->limits.cpuset_cpus) : NULL;
		if (!theirs || unit_cpulist_subset(own, theirs))
			continue;
		r = diag_add(c, mems ? lines->cpuset_mems : lines->cpuset_cpus,
			     "'cgroup.cpuset.%s': '%s' is not within '%s' of slice '%s'",
			     mems ? "mems" : "cpus", diag_quote(q, own), theirs, bound->path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_slice(struct unit_set *s, struct unit *u, const struct unit_lines *lines)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	_cleanup_free_ char *own = NULL;
	int r = 0;

	if (!u->cgroup.slice || !unit_name_valid(u->name))
		return 0;
	if (!conf_find_slice(&s->conf, u->cgroup.slice)) {
		r = diag_add(&c, lines->slice, "slice '%s' is not declared in initd.conf",
			     u->cgroup.slice);
	} else if (asprintf(&own, "%s/%s", u->cgroup.slice, u->name) < 0) {
		own = NULL;
		return -ENOMEM;
	} else if (conf_find_slice(&s->conf, own)) {
		r = diag_add(&c, lines->slice, "the unit's cgroup '%s' is also a slice in initd.conf",
			     own);
	} else {
		r = check_cpuset(s, u, lines, &c);
	}
	u->bad |= c.failed;
	return r;
}

static int check_units(struct unit_set *s, const struct unit_lines *lines)
{
	_cleanup_free_ const char **names = calloc(s->n_units + 1, sizeof(*names));
	struct hints h = { names, s->n_units, HINTS_MAX };
	int r = 0;

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_units; i++)
		names[i] = s->units[i]->name;
	for (size_t i = 0; i < s->n_units && r == 0; i++) {
		r = check_deps(s, s->units[i], &lines[i], &h, false);
		if (r == 0)
			r = check_slice(s, s->units[i], &lines[i]);
		if (r == 0)
			r = network_check_unit(&s->conf, s->units[i], &lines[i]);
		if (r == 0)
			r = mounts_check_unit(&s->conf, s->units[i], &lines[i]);
		if (r == 0)
			r = join_check_set(s, s->units[i], &lines[i]);
	}
	for (size_t i = 0; i < s->n_units && r == 0; i++)
		r = escalation_check_requires(s, s->units[i], &lines[i]);
	for (size_t i = 0; i < s->n_units && r == 0; i++)
		r = seccomp_warn_no_new_privs(s, s->units[i], &lines[i].iso);
	if (r == 0)
		r = userns_check_set(s, lines);
	if (r == 0)
		r = userns_warn_shared_delegation(s, lines);
	if (r == 0)
		r = logfiles_check_set(s, lines);
	return r < 0 ? r : graph_check_cycles(s, lines);
}

static size_t diag_bytes(const struct unit_diag *d)
{
	return strlen(d->file ? d->file : "") + strlen(d->message) + 2;
}

#define TOO_MANY_ERRORS "too many errors, not reporting more"

/* Every unit's own diagnostics, which the model carries beside the set's
 * copy of them, stop at UNIT_SET_DIAGS_BYTES_MAX of text all told, in
 * name order: the unit that reaches it keeps what fits, its last entry
 * saying so, and each one after keeps only that (a bad unit says
 * something). 0 or -ENOMEM. */
static int units_diags_bound(struct unit_set *s)
{
	size_t bytes = 0;

	for (size_t u = 0; u < s->n_units; u++) {
		struct unit_diags *d = &s->units[u]->diags;
		size_t keep = 0;
		char *closing;

		while (keep < d->n && diag_bytes(&d->v[keep]) <= UNIT_SET_DIAGS_BYTES_MAX - bytes)
			bytes += diag_bytes(&d->v[keep++]);
		if (keep == d->n)
			continue;
		if (!(closing = strdup(TOO_MANY_ERRORS)))
			return -ENOMEM;
		free(d->v[keep].message);
		d->v[keep].message = closing;
		for (size_t i = keep + 1; i < d->n; i++) {
			free(d->v[i].file);
			free(d->v[i].message);
		}
		d->n = keep + 1;
		bytes = UNIT_SET_DIAGS_BYTES_MAX;   /* the next unit's first is past it too */
	}
	return 0;
}

/* set->diags: head (initd.conf, the directory), then every unit's, into
 * one array sized first: grown a diagnostic at a time, it was copied
 * whole at each step where realloc cannot grow in place (a sanitizer's
 * never does: 16384 instances' diagnostics took 15 s). 0 or -ENOMEM. */
int set_collect_diags(struct unit_set *s, const struct unit_diags *head)
{
	size_t total = s->diags.n + head->n, cap = UNIT_SET_DIAGS_MAX, bytes = 0;
	struct unit_diag *v;
	int r = units_diags_bound(s);

	if (r < 0)
		return r;

	for (size_t i = 0; i < s->n_units; i++)
		total += s->units[i]->diags.n;
	if (total == s->diags.n)
		return 0;
	total = total < cap ? total : cap;
	v = realloc(s->diags.v, total * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->diags.v = v;
	/* Past the bounds the model carries (many broken templates'
	 * placeholders, or long ones): the last room says so, and the set
	 * still encodes. */
	for (size_t u = 0; u <= s->n_units && r == 0; u++) {
		const struct unit_diags *from = u == 0 ? head : &s->units[u - 1]->diags;

		for (size_t i = 0; i < from->n && r == 0; i++) {
			const struct unit_diag *d = &from->v[i];
			bool last = (s->diags.n == cap - 1 && !(u == s->n_units && i == from->n - 1)) ||
				    diag_bytes(d) > UNIT_SET_DIAGS_BYTES_MAX - bytes;

			r = diags_set_at(&s->diags, d->file, d->line,
					 last ? TOO_MANY_ERRORS : d->message);
			if (last)
				return r;
			bytes += diag_bytes(d);
		}
	}
	return r;
}

static int compare_entry_ptr(const void *a, const void *b)
{
	return compare_entry(*(const struct load_entry *const *)a,
			     *(const struct load_entry *const *)b);
}

/* The dependency cycles among the placeholders, reported on each. A
 * placeholder is named by no unit of the set (a name a made unit named
 * would have made its template used), only by placeholders: a cycle
 * through one runs through placeholders alone, and every instance of its
 * template would be on it (b@1 -> b@1 for requires = [ "b@%i" ]). So they
 * are looked at as a set of their own. 0 or -ENOMEM. */
static int check_placeholder_cycles(struct load_entries *checks)
{
	_cleanup_free_ const struct load_entry **by_name = calloc(checks->n + 1, sizeof(*by_name));
	_cleanup_free_ struct unit **units = calloc(checks->n + 1, sizeof(*units));
	_cleanup_free_ struct unit_lines *lines = calloc(checks->n + 1, sizeof(*lines));
	struct unit_set alone = { .units = units, .n_units = checks->n };

	if (!by_name || !units || !lines)
		return -ENOMEM;
	for (size_t i = 0; i < checks->n; i++)
		by_name[i] = &checks->v[i];
	/* sorted by name, as graph.c looks names up (templates sort apart:
	 * "a" before "a-b", but "a-b@1" before "a@1") */
	qsort(by_name, checks->n, sizeof(*by_name), compare_entry_ptr);
	for (size_t i = 0; i < checks->n; i++) {
		units[i] = by_name[i]->unit;
		lines[i] = by_name[i]->lines;
	}
	return graph_check_cycles(&alone, lines);
}

/* The cross-unit checks of a placeholder instance (instances_parse.c), but
 * its cycles; the unit is not kept. */
static int check_placeholder(struct unit_set *s, struct load_entry *e)
{
	int r = check_deps(s, e->unit, &e->lines, NULL, true);

	if (r == 0)
		r = check_slice(s, e->unit, &e->lines);
	if (r == 0)
		r = network_check_unit(&s->conf, e->unit, &e->lines);
	if (r == 0)
		r = mounts_check_unit(&s->conf, e->unit, &e->lines);
	if (r == 0)
		r = seccomp_warn_no_new_privs(s, e->unit, &e->lines.iso);
	return r;
}

/* Every placeholder's checks, then their cycles; the diagnostics,
 * labelled, go to head. */
static int check_placeholders(struct unit_set *s, struct load_entries *checks,
			      struct unit_diags *head)
{
	int r = 0;

	for (size_t i = 0; i < checks->n && r == 0; i++)
		r = check_placeholder(s, &checks->v[i]);
	if (r == 0 && checks->n)
		r = check_placeholder_cycles(checks);
	for (size_t i = 0; i < checks->n && r == 0; i++) {
		r = instances_label_diags(checks->v[i].unit, "placeholder instance");
		if (r == 0)
			r = diags_copy(head, &checks->v[i].unit->diags);
	}
	return r;
}

/* Label the instances' diagnostics with their names. */
static int label_instances(struct unit_set *s)
{
	int r = 0;

	for (size_t i = 0; i < s->n_units && r == 0; i++)
		if (strchr(s->units[i]->name, '@') && strstr(s->units[i]->file, "@.unit"))
			r = instances_label_diags(s->units[i], "instance");
	return r;
}

static void entries_free(struct load_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		unit_free(e->v[i].unit);
	free(e->v);
}

/* Load the units of dirfd into s, with the instances of its templates
 * (extra: the run-time ones). 0, or -ENOMEM; a directory with too many
 * unit files is reported in head. */
static int load_units(struct unit_set *s, int dirfd, const char *dir, struct unit_diags *head,
		      char *const *extra)
{
	struct load_entries e = { NULL, 0, 0 }, checks = { NULL, 0, 0 };
	_cleanup_free_ struct unit_lines *lines = NULL;
	char **files = NULL;
	int r;

	r = list_unit_files(dirfd, &files);
	if (r == -E2BIG)
		return diag_add(&(struct parse_ctx){ .file = dir, .diags = head }, 0,
				"more than %d unit files, none loaded", UNIT_MAX);
	if (r < 0)
		return r;
	r = split_templates(s, files, dir, head);
	if (r == 0)
		r = parse_unit_files(dirfd, dir, files, &e);
	strv_free(files);
	if (r == 0)
		r = instances_make(s, dirfd, dir, &e, head, extra, &checks);
	if (r == 0 && e.n)
		qsort(e.v, e.n, sizeof(*e.v), compare_entry);
	s->units = calloc(e.n + 1, sizeof(*s->units));
	lines = calloc(e.n + 1, sizeof(*lines));
	for (size_t i = 0; i < e.n && s->units && lines; i++) {
		s->units[s->n_units++] = TAKE_PTR(e.v[i].unit);
		lines[i] = e.v[i].lines;
	}
	entries_free(&e);   /* the units are the set's now, even on failure */
	if (r == 0 && (!s->units || !lines))
		r = -ENOMEM;
	if (r == 0)
		r = check_units(s, lines);
	if (r == 0)
		r = check_placeholders(s, &checks, head);
	entries_free(&checks);
	return r < 0 ? r : label_instances(s);
}

int unit_set_load_with(const char *conf_path, const char *units_dir, char *const *extra,
		       struct unit_set **ret)
{
	struct unit_diags head = { NULL, 0 };
	struct unit_set *s;
	_cleanup_close_ int dirfd = -1;
	int r;

	if (!units_dir)
		units_dir = UNIT_CONFIG_DIR "/units";
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = conf_load_warn(conf_path ? conf_path : UNIT_CONFIG_DIR "/initd.conf", &s->conf, &head,
			   &s->warnings);
	if (r == 0) {
		dirfd = open(units_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = dirfd < 0 ? -errno : load_units(s, dirfd, units_dir, &head, extra);
	}
	if (r == 0 && !s->templates)
		r = (s->templates = strv_new()) ? 0 : -ENOMEM;
	if (r == 0)
		r = set_collect_diags(s, &head);
	/* after every check that reads them, diagnostics taken */
	for (size_t i = 0; r == 0 && i < s->n_units; i++)
		if (s->units[i]->bad)
			r = unit_forget_groups(s->units[i]);
	diags_clear(&head);
	if (r < 0) {
		unit_set_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int unit_set_load(const char *conf_path, const char *units_dir, struct unit_set **ret)
{
	return unit_set_load_with(conf_path, units_dir, NULL, ret);
}
