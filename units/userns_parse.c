/* userns_parse.c — two isolation keys that need more than one unit to
 * check, read and checked across the set (the model is userns.c's):
 *
 * user_namespace.auto (issue 18.3): a range of ids of the unit's own,
 * derived from its name (FNV-1a picks a slot of the pool above the static
 * ranges), so it is the same on every load, reload and boot and files the
 * unit left behind stay its own. Nothing is recorded: a range never moves.
 * Two auto ranges that meet, or an auto range meeting another unit's
 * explicit map, refuse the unit whose name sorts later (the other keeps
 * its range); the message names both and asks for an explicit slot.
 *
 * namespaces_from (issue 18.4): join another unit's net, uts or ipc
 * namespace (the main process's, by pidfd), or a named one by path. A
 * source unit is an implicit requires + after; the manager restarts the
 * joiner whenever the source's main process changes (manager_pass.c). */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* ---- auto ranges ---------------------------------------------------------- */

/* FNV-1a, 32 bits: small, well spread over short names, and fixed forever
 * (changing it would move every auto range). */
uint32_t userns_name_hash(const char *name)
{
	uint32_t h = 2166136261U;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619U;
	}
	return h;
}

uint32_t userns_default_slot(const char *name, uint32_t size)
{
	uint32_t slot = userns_name_hash(name) % UNIT_USERNS_SLOTS, k = slots_of(size);

	return slot + k > UNIT_USERNS_SLOTS ? UNIT_USERNS_SLOTS - k : slot;
}

int parse_userns_size(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	long long v;
	int r = setting_int_range(c, s, path, 1, UNIT_USERNS_SIZE_MAX, &v);

	if (r == 0)
		unit_opt_own(parse_state_unit(obj))->iso.userns_size = (uint32_t)v;
	return r;
}

int parse_userns_slot(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	long long v;
	int r = setting_int_range(c, s, path, 0, UNIT_USERNS_SLOTS - 1, &v);

	if (r == 0) {
		unit_opt_own(parse_state_unit(obj))->iso.userns_slot = (uint32_t)v;
		parse_state_lines(obj)->iso.userns_slot = setting_line(s);
	}
	return r;
}

int parse_userns_auto(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &unit_opt_own(parse_state_unit(obj))->iso.userns_auto);
}

/* Once the file was read: auto's maps, or size/slot without auto. */
int userns_check(struct parse_ctx *c, struct unit *u, const struct isolation_lines *l)
{
	struct unit_isolation *iso = &unit_opt_own(u)->iso;
	uint32_t k;

	if (!iso->userns_auto) {
		if (iso->userns_size || l->userns_slot)
			return diag_add(c, l->user_namespace, "'user_namespace': 'size' and "
					"'slot' apply with 'auto = true' only");
		return 0;
	}
	if (iso->uid_map || iso->gid_map)
		return diag_add(c, l->user_namespace, "'user_namespace': 'auto' and "
				"'uid_map'/'gid_map' exclude each other");
	if (!iso->userns_size)
		iso->userns_size = UNIT_USERNS_SLOT;
	k = slots_of(iso->userns_size);
	if (!l->userns_slot)
		iso->userns_slot = userns_default_slot(u->name, iso->userns_size);
	else if (iso->userns_slot + k > UNIT_USERNS_SLOTS)
		return diag_add(c, l->userns_slot, "'user_namespace.slot': %u slots from %u "
				"run past the pool's %u", k, iso->userns_slot, UNIT_USERNS_SLOTS);
	if (asprintf(&iso->uid_map, "0 %u %u\n", userns_base(iso->userns_slot),
		     iso->userns_size) < 0) {
		iso->uid_map = NULL;
		return -ENOMEM;
	}
	iso->gid_map = strdup(iso->uid_map);
	return iso->gid_map ? 0 : -ENOMEM;
}

/* ---- across the set: auto ranges meet nothing else ---------------------- */

/* One outside range of a unit: [start, end), auto or one of its maps. */
struct id_span {
	uint64_t start, end;
	size_t unit;
	bool is_auto;
};

static int compare_span(const void *a, const void *b)
{
	const struct id_span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* The outside ranges of unit i's maps into v at *n (auto: one span). */
static void spans_add(const struct unit *u, size_t i, struct id_span *v, size_t *n)
{
	const char *maps[2] = { u->opt->iso.uid_map, u->opt->iso.gid_map };

	if (u->opt->iso.userns_auto) {
		uint64_t b = userns_base(u->opt->iso.userns_slot);
		v[(*n)++] = (struct id_span){ b, b + u->opt->iso.userns_size, i, true };
		return;
	}
	for (int m = 0; m < 2; m++) {
		struct unit_id_range r[UNIT_ID_MAP_MAX];
		size_t nr = 0;
		if (!maps[m] || unit_id_map_parse(maps[m], r, UNIT_ID_MAP_MAX, &nr) < 0 ||
		    (m == 1 && maps[0] && !strcmp(maps[0], maps[1])))
			continue;   /* bad, or the same ranges again: one clash, said once */
		for (size_t k = 0; k < nr; k++)
			v[(*n)++] = (struct id_span){ r[k].outside,
						      (uint64_t)r[k].outside + r[k].count, i, false };
	}
}

/* a (auto) meets b: refuse the auto one whose name sorts later, or a
 * itself when b is an explicit map. */
static int span_clash(struct unit_set *s, const struct unit_lines *lines,
		      const struct id_span *a, const struct id_span *b)
{
	const struct id_span *loser = a, *other = b;
	struct unit *u, *w;
	struct parse_ctx c;
	int r;

	if (b->is_auto && b->unit > a->unit) {
		loser = b;
		other = a;
	}
	u = s->units[loser->unit];
	w = s->units[other->unit];
	c = (struct parse_ctx){ .file = u->file, .diags = &u->diags };
	if (other->is_auto)
		r = diag_add(&c, lines[loser->unit].iso.user_namespace,
			     "'user_namespace': the auto range of '%s' (slot %u) meets the one of "
			     "'%s' (%s, slot %u): give one of them a free 'slot' (or explicit maps)",
			     u->name, u->opt->iso.userns_slot, w->name, w->file,
			     w->opt->iso.userns_slot);
	else
		r = diag_add(&c, lines[loser->unit].iso.user_namespace,
			     "'user_namespace': the auto range of '%s' (%llu..%llu) meets a map "
			     "of '%s' (%s): give '%s' a free 'slot'", u->name,
			     (unsigned long long)loser->start, (unsigned long long)loser->end - 1,
			     w->name, w->file, u->name);
	u->bad = true;
	return r;
}

/* Sorted by start, a span meets an earlier one iff it starts before the
 * furthest end seen; keeping the furthest auto and explicit spans apart
 * finds every auto span that meets anything. */
int userns_check_set(struct unit_set *s, const struct unit_lines *lines)
{
	_cleanup_free_ struct id_span *v = NULL;
	const struct id_span *best[2] = { NULL, NULL };   /* [is_auto] */
	size_t n = 0, n_auto = 0;
	int r = 0;

	for (size_t i = 0; i < s->n_units; i++)
		n_auto += s->units[i]->opt->iso.userns_auto;
	if (!n_auto)
		return 0;
	v = calloc(s->n_units * 2 * UNIT_ID_MAP_MAX + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_units; i++)
		if (s->units[i]->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER))
			spans_add(s->units[i], i, v, &n);
	qsort(v, n, sizeof(*v), compare_span);
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct id_span *x = &v[i];
		for (int a = 0; a < 2 && r == 0; a++) {
			const struct id_span *y = best[a];
			if (y && y->unit != x->unit && (x->is_auto || y->is_auto) &&
			    x->start < y->end)
				r = span_clash(s, lines, x->is_auto ? x : y, x->is_auto ? y : x);
		}
		if (!best[x->is_auto] || x->end > best[x->is_auto]->end)
			best[x->is_auto] = x;
	}
	return r;
}

static bool has_userns(const struct unit *u)
{
	return u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER);
}

/* The outside uid ranges of every unit with a user namespace, sorted. */
static struct id_span *uid_spans(const struct unit_set *s, size_t *ret_n)
{
	struct id_span *v = calloc(s->n_units * UNIT_ID_MAP_MAX + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n_units; i++) {
		struct unit_id_range r[UNIT_ID_MAP_MAX];
		size_t nr = 0;

		if (!has_userns(s->units[i]) || !s->units[i]->opt->iso.uid_map ||
		    unit_id_map_parse(s->units[i]->opt->iso.uid_map, r, UNIT_ID_MAP_MAX, &nr) < 0)
			continue;
		for (size_t k = 0; k < nr; k++)
			v[n++] = (struct id_span){ r[k].outside,
						   (uint64_t)r[k].outside + r[k].count, i, false };
	}
	qsort(v, n, sizeof(*v), compare_span);
	*ret_n = n;
	return v;
}

/* Said once a file: a template's instances share its line. */
static bool warned_at(const struct unit_set *s, const char *file, int line)
{
	for (size_t i = 0; i < s->warnings.n; i++)
		if (s->warnings.v[i].line == line && s->warnings.v[i].file &&
		    strcmp(s->warnings.v[i].file, file) == 0)
			return true;
	return false;
}

static int warn_shared(struct unit_set *s, const struct unit_lines *lines,
		       const struct id_span *x, const struct id_span *y)
{
	const struct unit *u = s->units[x->unit], *w = s->units[y->unit];
	struct parse_ctx c = { .file = u->file, .diags = &s->warnings, .warnings = &s->warnings };
	uint64_t start = x->start > y->start ? x->start : y->start;
	uint64_t end = x->end < y->end ? x->end : y->end;

	if (!u->cgroup.subtree_control || u->bad ||
	    warned_at(s, u->file, lines[x->unit].subtree_control))
		return 0;
	return warn_add(&c, lines[x->unit].subtree_control,
			"'cgroup.subtree_control': the delegated cgroup goes to a host uid of "
			"this unit's user namespace, whose map shares %llu..%llu with '%s' (%s): "
			"its processes could manage this unit's cgroups; 'user_namespace = "
			"{ auto = true; }' gives '%s' ids of its own", (unsigned long long)start,
			(unsigned long long)end - 1, w->name, w->file, u->name);
}

/* Sorted by start, a span x meets another unit's earlier span iff the
 * furthest end among those passes x's start (kept for the two units with
 * the furthest ends, so one is another unit's), and a later one iff the
 * next span of another unit starts before x's end. */
int userns_warn_shared_delegation(struct unit_set *s, const struct unit_lines *lines)
{
	_cleanup_free_ struct id_span *v = NULL;
	const struct id_span *best = NULL, *second = NULL;   /* of two units */
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < s->n_units && !v; i++)
		if (s->units[i]->cgroup.subtree_control && has_userns(s->units[i]) &&
		    !(v = uid_spans(s, &n)))
			return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct id_span *x = &v[i], *y = best && best->unit != x->unit ? best : second;
		size_t j = i + 1;

		while (j < n && v[j].unit == x->unit)
			j++;
		if (y && x->start < y->end)
			r = warn_shared(s, lines, x, y);
		else if (j < n && v[j].start < x->end)
			r = warn_shared(s, lines, x, &v[j]);
		if (!best || x->end > best->end) {
			if (best && best->unit != x->unit)
				second = best;
			best = x;
		} else if (x->unit != best->unit && (!second || x->end > second->end)) {
			second = x;
		}
	}
	return r < 0 ? r : 0;
}

/* ---- namespaces_from ------------------------------------------------------ */

static int parse_join_kind(struct parse_ctx *c, config_setting_t *s, const char *path,
			   void *obj, enum unit_join k)
{
	static const struct string_rule rule = {
		.valid = join_source_valid, .what = "namespace source",
		.hint = " (expected a unit name or an absolute path like \"/run/netns/NAME\")",
	};

	parse_state_lines(obj)->iso.join[k] = setting_line(s);
	return setting_strdup_valid(c, s, path, &rule,
				    &unit_opt_own(parse_state_unit(obj))->iso.join[k]);
}

static int parse_join_net(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_join_kind(c, s, path, obj, UNIT_JOIN_NET);
}

static int parse_join_uts(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_join_kind(c, s, path, obj, UNIT_JOIN_UTS);
}

static int parse_join_ipc(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_join_kind(c, s, path, obj, UNIT_JOIN_IPC);
}

static const struct key join_keys[] = {
	{ "net", parse_join_net },
	{ "uts", parse_join_uts },
	{ "ipc", parse_join_ipc },
};

int parse_namespaces_from(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->iso.namespaces_from = setting_line(s);
	return setting_group(c, s, path, join_keys, ARRAY_SIZE(join_keys), obj);
}

/* name into deps (requires or after) unless there, its line into lines. */
static int dep_add(struct parse_ctx *c, char ***deps, int *lines, const char *name, int line)
{
	size_t n = strv_length(*deps);
	char **v;

	for (size_t i = 0; i < n; i++)
		if (strcmp((*deps)[i], name) == 0)
			return 0;
	if (n >= UNIT_DEPS_MAX)
		return diag_add(c, line, "'namespaces_from': more than %d dependencies with the "
				"implied requires/after", UNIT_DEPS_MAX);
	v = reallocarray(*deps, n + 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*deps = v;
	if (!(v[n] = strdup(name)))
		return -ENOMEM;
	v[n + 1] = NULL;
	lines[n] = line;
	return 0;
}

/* One kind: not also a namespace of the unit's own; a source unit is
 * required and comes first. */
static int join_check_kind(struct parse_ctx *c, struct unit *u, struct unit_lines *l,
			   enum unit_join k)
{
	const char *src = u->opt->iso.join[k], *name = unit_join_names[k];
	int line = l->iso.join[k], r;

	if (u->opt->iso.namespaces & UNIT_NS_BIT(join_ns[k]))
		return diag_add(c, line, "'namespaces_from.%s' joins a %s namespace: the unit "
				"cannot also make its own (remove '%s' from 'namespaces')",
				name, name, name);
	if (!unit_join_is_unit(src))
		return 0;
	if (strcmp(src, u->name) == 0)
		return diag_add(c, line, "'namespaces_from.%s': a unit cannot join itself", name);
	r = dep_add(c, &u->requires, l->requires, src, line);
	if (r == 0)
		r = dep_add(c, &u->after, l->after, src, line);
	return r;
}

int join_check(struct parse_ctx *c, struct unit *u, struct unit_lines *l)
{
	bool any = false;
	int r = 0;

	for (int k = 0; k < UNIT_JOIN_MAX && r == 0; k++) {
		if (!u->opt->iso.join[k])
			continue;
		any = true;
		r = join_check_kind(c, u, l, (enum unit_join)k);
	}
	if (r == 0 && any && (u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		r = diag_add(c, l->iso.namespaces_from, "'namespaces_from' cannot go with the "
			     "'user' namespace: joining needs initd's privileges, which a new "
			     "user namespace has not over the joined one");
	return r;
}

/* A source unit must have the namespace to share (its own, or joined)
 * and a process that keeps it (not a oneshot). */
int join_check_set(struct unit_set *s, struct unit *u, const struct unit_lines *l)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	int r = 0;

	for (int k = 0; k < UNIT_JOIN_MAX && r == 0; k++) {
		const char *src = u->opt->iso.join[k];
		const struct unit *w;
		if (!unit_join_is_unit(src) || !(w = unit_set_find(s, src)))
			continue;   /* an unknown unit: requires said so */
		if (!(w->opt->iso.namespaces & UNIT_NS_BIT(join_ns[k])) && !w->opt->iso.join[k])
			r = diag_add(&c, l->iso.join[k], "'namespaces_from.%s': unit '%s' has no "
				     "%s namespace of its own (add '%s' to its 'namespaces')",
				     unit_join_names[k], src, unit_join_names[k],
				     unit_join_names[k]);
		else if (w->type == UNIT_ONESHOT)
			r = diag_add(&c, l->iso.join[k], "'namespaces_from.%s': unit '%s' is a "
				     "oneshot: once done it has no process whose namespace to join",
				     unit_join_names[k], src);
	}
	u->bad |= c.failed;
	return r;
}
