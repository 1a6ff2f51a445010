/* instances_parse.c — initd.conf's instances read, and making the
 * instances of a set from the templates of its units directory
 * (template.c substitutes). Freeing and the invariants are instances.c's.
 *
 * The instances a load makes: those initd.conf declares, those `svctl
 * start` asked for at run time (PID 1 hands their names to the loader it
 * forks), and any TEMPLATE@INST another unit (or instance) names in its
 * requires or after when units/TEMPLATE@.unit exists. A template no
 * instance uses is still parsed and checked, as TEMPLATE@1 (a placeholder
 * that fits an address, a hostname and a path alike). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* The instance a template no instance uses is checked as. */
#define PLACEHOLDER_INSTANCE "1"

/* ---- initd.conf: instances = ( { template = "getty"; names = [...]; } ) ---- */

static int parse_template(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct string_rule rule = {
		.valid = unit_template_name_valid, .what = "template name",
		.hint = " (a unit name without '@': \"getty\" for units/getty@.unit)",
	};

	return setting_strdup_valid(c, s, path, &rule, &((struct unit_instances *)obj)->template);
}

static int parse_names(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_strv(c, s, path, UNIT_INSTANCE_NAMES_MAX, &((struct unit_instances *)obj)->names);
}

static const struct key instance_keys[] = {
	{ "template", parse_template },
	{ "names", parse_names },
};

/* Is template@name already in v[0..k] (k's own names before index j)? */
static bool instance_listed(const struct unit_instances *v, size_t k, size_t j)
{
	for (size_t i = 0; i <= k; i++) {
		if (strcmp(v[i].template, v[k].template) != 0)
			continue;
		for (size_t m = 0; v[i].names[m] && (i < k || m < j); m++)
			if (strcmp(v[i].names[m], v[k].names[j]) == 0)
				return true;
	}
	return false;
}

/* Each name of v[k] a valid instance, making a valid unit name, once. */
static int check_names(struct parse_ctx *c, config_setting_t *s, const char *path,
		       const struct unit_instances *v, size_t k)
{
	config_setting_t *names = config_setting_get_member(s, "names");
	char p[DIAG_PATH_SIZE], q[DIAG_QUOTE_SIZE];
	int r = 0;

	for (size_t j = 0; v[k].names[j] && r != -ENOMEM; j++) {
		config_setting_t *e = config_setting_get_elem(names, (unsigned)j);
		const char *name = v[k].names[j], *why = unit_instance_problem(name);

		setting_elem_path(p, path, (int)j);
		diag_quote(q, name);
		if (!why && strlen(v[k].template) + 1 + strlen(name) > UNIT_NAME_MAX)
			why = "makes a unit name longer than " STRINGIFY(UNIT_NAME_MAX) " bytes";
		if (why)
			r = FAIL(c, e, "'%s': invalid instance name '%s': it %s", p, q, why);
		else if (instance_listed(v, k, j))
			r = FAIL(c, e, "'%s': instance '%s@%s' is declared twice", p,
				 v[k].template, q);
	}
	return r;
}

static int parse_instance(struct parse_ctx *c, config_setting_t *s, const char *path, void *elems,
			  size_t k)
{
	struct unit_instances *v = elems;
	char p[DIAG_PATH_SIZE];
	int r;

	v[k] = (struct unit_instances){ .line = setting_line(s) };
	r = setting_group(c, s, path, instance_keys, ARRAY_SIZE(instance_keys), &v[k]);
	if (r == 0 && !c->failed && config_setting_is_group(s) && (!v[k].template || !v[k].names))
		r = diag_add(c, setting_line(s), "missing required key '%s.%s'", path,
			     v[k].template ? "names" : "template");
	if (r == 0 && !c->failed)
		r = check_names(c, s, setting_path(p, path, "names"), v, k);
	return r;
}

int parse_instances(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct group_list list = {
		UNIT_INSTANCES_MAX, sizeof(struct unit_instances),
		" ( { template = \"getty\"; names = [ \"ttyS0\" ]; } )",
		parse_instance, instances_clear,
	};
	struct initd_conf *conf = obj;
	void *v;
	size_t n;
	int r = setting_group_list(c, s, path, &list, &v, &n);

	if (r < 0)
		return r;
	instances_conf_clear(conf);
	conf->instances = v;   /* the good ones: a bad group is reported and left out */
	conf->n_instances = n;
	return 0;
}

bool instances_conf_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (a->n_instances != b->n_instances)
		return false;
	for (size_t i = 0; i < a->n_instances; i++)
		if (!streq_ptr(a->instances[i].template, b->instances[i].template) ||
		    !strv_equal(a->instances[i].names, b->instances[i].names))
			return false;
	return true;
}

/* ---- making the instances of a set ---------------------------------------- */

/* One load's instance names, in the order they were asked for, and a
 * hash of them (a scan for each name made a template's 16384 instances
 * cost the loader minutes). */
struct instance_queue {
	char **names;           /* n of them, each its own */
	size_t n, cap;
	size_t *slots;          /* open addressing: index + 1, 0 = free */
	size_t n_slots;         /* a power of two, >= 2 * cap */
};

static size_t name_hash(const char *p)
{
	size_t h = 14695981039346656037ULL;   /* FNV-1a */

	while (*p)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

/* The slot of name: its own, or the free one where it would go. */
static size_t *queue_slot(const struct instance_queue *q, const char *name)
{
	size_t mask = q->n_slots - 1, i = name_hash(name) & mask;

	while (q->slots[i] && strcmp(q->names[q->slots[i] - 1], name) != 0)
		i = (i + 1) & mask;
	return &q->slots[i];
}

/* Room for one more name in both. 0 or -ENOMEM. */
static int queue_grow(struct instance_queue *q)
{
	size_t cap = q->cap ? 2 * q->cap : 16;
	char **v;

	if (q->n < q->cap)
		return 0;
	v = realloc(q->names, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	q->names = v;
	q->cap = cap;
	free(q->slots);
	q->n_slots = 2 * cap;
	q->slots = calloc(q->n_slots, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	for (size_t i = 0; i < q->n; i++)
		*queue_slot(q, q->names[i]) = i + 1;
	return 0;
}

struct instance_ctx {
	struct unit_set *s;
	int dirfd;
	const char *dir;
	struct load_entries *e;
	size_t n_plain;         /* e->v[0..n_plain] are the plain units, sorted */
	struct unit_diags *head;
	struct instance_queue q;
	char **texts;           /* a template's text once read, by index in s->templates */
	bool *unreadable;
	bool *used;             /* a template has an instance */
	bool full;              /* UNIT_MAX reached and said */
};

static int compare_entry_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct load_entry *)elem)->unit->name);
}

static int compare_name(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

/* The index of template in s->templates, or -1. */
static ssize_t template_index(const struct unit_set *s, const char *template)
{
	char **t = bsearch(template, s->templates, strv_length(s->templates), sizeof(char *),
			   compare_name);

	return t ? t - s->templates : -1;
}

static bool name_present(struct instance_ctx *ic, const char *name)
{
	/* bsearch wants a non-NULL base even for 0 elements */
	if (ic->n_plain &&
	    bsearch(name, ic->e->v, ic->n_plain, sizeof(*ic->e->v), compare_entry_name))
		return true;
	return ic->q.n && *queue_slot(&ic->q, name) != 0;
}

/* Queue name (an instance of an existing template) unless it is there
 * already. 0 or -ENOMEM; past UNIT_MAX, one diagnostic and nothing more. */
static int queue_push(struct instance_ctx *ic, const char *name)
{
	if (name_present(ic, name))
		return 0;
	if (ic->n_plain + ic->q.n >= UNIT_MAX) {
		if (ic->full)
			return 0;
		ic->full = true;
		return diag_add(&(struct parse_ctx){ .file = ic->dir, .diags = ic->head }, 0,
				"more than %d units with the instances, %s left out", UNIT_MAX,
				name);
	}
	if (queue_grow(&ic->q) < 0)
		return -ENOMEM;
	ic->q.names[ic->q.n] = strdup(name);
	if (!ic->q.names[ic->q.n])
		return -ENOMEM;
	*queue_slot(&ic->q, name) = ++ic->q.n;
	return 0;
}

/* name, if it is TEMPLATE@INST of an existing template and a valid
 * instance: 1 when it is one (queued), 0 when not. */
static int queue_if_instance(struct instance_ctx *ic, const char *name)
{
	char template[UNIT_NAME_MAX + 1];
	const char *inst;

	if (!unit_name_valid(name) || unit_name_split(name, template, &inst) < 0 ||
	    template_index(ic->s, template) < 0)
		return 0;
	int r = queue_push(ic, name);
	return r < 0 ? r : 1;
}

/* The dependencies of u that are instances of a template. */
static int queue_deps(struct instance_ctx *ic, const struct unit *u)
{
	char **lists[2] = { u->requires, u->after };
	int r = 0;

	for (size_t l = 0; l < 2 && r >= 0; l++)
		for (size_t k = 0; lists[l] && lists[l][k] && r >= 0; k++)
			r = queue_if_instance(ic, lists[l][k]);
	return r < 0 ? r : 0;
}

static int queue_declared(struct instance_ctx *ic)
{
	const struct initd_conf *conf = &ic->s->conf;
	int r = 0;

	for (size_t i = 0; i < conf->n_instances && r == 0; i++) {
		const struct unit_instances *g = &conf->instances[i];
		char name[UNIT_NAME_MAX + 2];

		if (template_index(ic->s, g->template) < 0) {
			r = diag_add(&(struct parse_ctx){ .file = conf->file, .diags = ic->head },
				     g->line, "instances: no template %s/%s@.unit for '%s'",
				     ic->dir, g->template, g->template);
			continue;
		}
		for (char **n = g->names; *n && r == 0; n++) {
			snprintf(name, sizeof(name), "%s@%s", g->template, *n);
			r = queue_push(ic, name);
		}
	}
	return r;
}

/* Run-time instances whose template is gone (or names that are none) are
 * left out, said in the warnings. */
static int queue_extra(struct instance_ctx *ic, char *const *extra)
{
	int r = 0;

	for (; extra && *extra && r >= 0; extra++) {
		r = queue_if_instance(ic, *extra);
		if (r == 0)
			r = warn_add(&(struct parse_ctx){ .file = ic->dir, .diags = ic->head,
							  .warnings = &ic->s->warnings },
				     0, "run-time instance '%s' left out: its template is gone",
				     *extra);
	}
	return r < 0 ? r : 0;
}

/* The text of template k, read once; NULL (reported once) if unreadable. */
static int template_text(struct instance_ctx *ic, size_t k, const char **ret)
{
	_cleanup_free_ char *file = NULL, *path = NULL;
	int r;

	*ret = ic->texts[k];
	if (ic->texts[k] || ic->unreadable[k])
		return 0;
	if (asprintf(&file, "%s@.unit", ic->s->templates[k]) < 0 ||
	    asprintf(&path, "%s/%s", ic->dir, file) < 0)
		return -ENOMEM;
	r = source_read(&(struct parse_ctx){ .file = path, .diags = ic->head }, ic->dirfd, file,
			&ic->texts[k]);
	if (r == -ENOENT)
		r = diag_add(&(struct parse_ctx){ .file = path, .diags = ic->head }, 0,
			     "cannot open file: %s", strerror(ENOENT));
	ic->unreadable[k] = !ic->texts[k];
	*ret = ic->texts[k];
	return r == -ENOMEM ? r : 0;
}

/* Parse one instance of template k into *ret (NULL when the template
 * cannot be read). */
static int instance_parse(struct instance_ctx *ic, size_t k, const char *name, struct unit **ret,
			  struct unit_lines *lines)
{
	_cleanup_free_ char *path = NULL;
	const char *text;
	int r = template_text(ic, k, &text);

	*ret = NULL;
	if (r < 0 || !text)
		return r;
	if (asprintf(&path, "%s/%s@.unit", ic->dir, ic->s->templates[k]) < 0)
		return -ENOMEM;
	return unit_parse_instance(path, text, name, strchr(name, '@') + 1, ret, lines);
}

/* Make each queued instance (which may queue more). */
static int make_queued(struct instance_ctx *ic)
{
	int r = 0;

	for (size_t i = 0; i < ic->q.n && r == 0; i++) {
		char template[UNIT_NAME_MAX + 1];
		const char *inst;
		struct unit_lines lines;
		struct unit *u;
		ssize_t k;

		unit_name_split(ic->q.names[i], template, &inst);
		k = template_index(ic->s, template);
		ic->used[k] = true;
		r = instance_parse(ic, (size_t)k, ic->q.names[i], &u, &lines);
		if (r < 0 || !u)
			continue;
		r = load_entries_push(ic->e, u, &lines);
		if (r == 0)
			r = queue_deps(ic, u);
	}
	return r;
}

/* Each template no instance used, parsed as TEMPLATE@1 into checks. */
static int make_placeholders(struct instance_ctx *ic, struct load_entries *checks)
{
	int r = 0;

	for (size_t k = 0; ic->s->templates[k] && r == 0; k++) {
		char name[UNIT_NAME_MAX + 2];
		struct unit_lines lines;
		struct unit *u;

		if (ic->used[k])
			continue;
		snprintf(name, sizeof(name), "%s@" PLACEHOLDER_INSTANCE, ic->s->templates[k]);
		r = instance_parse(ic, k, name, &u, &lines);
		if (r == 0 && u)
			r = load_entries_push(checks, u, &lines);
	}
	return r;
}

int instances_make(struct unit_set *s, int dirfd, const char *dir, struct load_entries *e,
		   struct unit_diags *head, char *const *extra, struct load_entries *checks)
{
	size_t n_templates = strv_length(s->templates);
	struct instance_ctx ic = {
		.s = s, .dirfd = dirfd, .dir = dir, .e = e, .n_plain = e->n, .head = head,
		.texts = calloc(n_templates + 1, sizeof(char *)),
		.unreadable = calloc(n_templates + 1, sizeof(bool)),
		.used = calloc(n_templates + 1, sizeof(bool)),
	};
	int r = ic.texts && ic.unreadable && ic.used ? 0 : -ENOMEM;

	if (r == 0)
		r = queue_declared(&ic);
	if (r == 0)
		r = queue_extra(&ic, extra);
	for (size_t i = 0; i < ic.n_plain && r == 0; i++)
		r = queue_deps(&ic, e->v[i].unit);
	if (r == 0)
		r = make_queued(&ic);
	if (r == 0)
		r = make_placeholders(&ic, checks);
	for (size_t i = 0; i < ic.q.n; i++)
		free(ic.q.names[i]);
	for (size_t k = 0; ic.texts && k < n_templates; k++)
		free(ic.texts[k]);
	free(ic.q.names);
	free(ic.q.slots);
	free(ic.texts);
	free(ic.unreadable);
	free(ic.used);
	return r;
}

int load_entries_push(struct load_entries *e, struct unit *u, const struct unit_lines *lines)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct load_entry *v = realloc(e->v, cap * sizeof(*v));
		if (!v) {
			unit_free(u);
			return -ENOMEM;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = (struct load_entry){ u, *lines };
	return 0;
}

/* "instance 'worker@3': " (or what) before each of u's messages. */
int instances_label_diags(struct unit *u, const char *what)
{
	for (size_t i = 0; i < u->diags.n; i++) {
		char *m;
		if (asprintf(&m, "%s '%s': %s", what, u->name, u->diags.v[i].message) < 0)
			return -ENOMEM;
		free(u->diags.v[i].message);
		u->diags.v[i].message = m;
	}
	return 0;
}
