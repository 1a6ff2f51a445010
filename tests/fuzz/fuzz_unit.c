/* fuzz_unit.c — one unit file through the parser, then through the binary
 * form PID 1 receives.
 *
 * Properties: the parser never crashes, leaks or reads out of bounds; a bad
 * unit carries diagnostics that format; a good unit, put in a set with what
 * it refers to (stub units for its dependencies, its slice declared), passes
 * the set's invariants, and unit_set_encode -> unit_set_decode gives back a
 * unit equal to it (unit_equal: every field). A text holding a '%' is
 * parsed a second time as a template's, for the instance fuzz@x-1
 * (unit_parse_instance: specifiers substituted first), to the same
 * properties. */
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "units/internal.h"

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct unit *const *)a)->name, (*(struct unit *const *)b)->name);
}

static bool set_has(const struct unit_set *s, const char *name)
{
	for (size_t i = 0; i < s->n_units; i++)
		if (strcmp(s->units[i]->name, name) == 0)
			return true;
	return false;
}

/* Add a stub unit (good, exec /bin/true) named name. */
static void add_stub(struct unit_set *s, const char *name)
{
	struct unit *u;

	if (set_has(s, name))
		return;
	u = unit_new(name, "stub.unit");
	FUZZ_ASSERT(u);
	u->exec = calloc(2, sizeof(char *));
	FUZZ_ASSERT(u->exec);
	u->exec[0] = strdup("/bin/true");
	FUZZ_ASSERT(u->exec[0]);
	s->units[s->n_units++] = u;
}

static int slice_cmp(const void *a, const void *b)
{
	return strcmp(((const struct unit_slice *)a)->path, ((const struct unit_slice *)b)->path);
}

/* Declare path and each of its parents in conf (sorted, unique). */
static void declare_slice(struct initd_conf *conf, const char *path)
{
	char buf[UNIT_SLICE_DEPTH * (UNIT_NAME_MAX + 1) + 1];
	size_t n = strlen(path);

	FUZZ_ASSERT(n < sizeof(buf));
	for (size_t i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		if (conf_find_slice(conf, buf))
			continue;
		conf->slices = realloc(conf->slices, (conf->n_slices + 1) * sizeof(*conf->slices));
		FUZZ_ASSERT(conf->slices);
		/* Declared with no limits of its own: every other field zero. */
		memset(&conf->slices[conf->n_slices], 0, sizeof(conf->slices[0]));
		conf->slices[conf->n_slices].path = strdup(buf);
		FUZZ_ASSERT(conf->slices[conf->n_slices].path);
		conf->n_slices++;
		qsort(conf->slices, conf->n_slices, sizeof(*conf->slices), slice_cmp);
	}
}

static bool lists(char *const *v, const char *name)
{
	for (; *v; v++)
		if (strcmp(*v, name) == 0)
			return true;
	return false;
}

static void roundtrip(struct unit *u)
{
	struct unit_set *s = calloc(1, sizeof(*s)), *back = NULL;
	size_t n = 1 + strv_length(u->requires) + strv_length(u->after), len;
	void *buf = NULL;

	FUZZ_ASSERT(s);
	FUZZ_ASSERT(conf_init(&s->conf) == 0);
	s->units = calloc(n, sizeof(*s->units));
	FUZZ_ASSERT(s->units);
	s->units[s->n_units++] = u;
	for (char **d = u->requires; *d; d++)
		add_stub(s, *d);
	for (char **d = u->after; *d; d++)
		add_stub(s, *d);
	qsort(s->units, s->n_units, sizeof(*s->units), by_name);
	declare_slice(&s->conf, u->cgroup.slice);

	FUZZ_ASSERT(set_check_invariants(s) == 0);
	FUZZ_ASSERT(unit_set_encode(s, &buf, &len) == 0);
	FUZZ_ASSERT(unit_set_decode(buf, len, &back) == 0);
	FUZZ_ASSERT(back->n_units == s->n_units);
	FUZZ_ASSERT(unit_equal(unit_set_find(back, u->name), u));
	FUZZ_ASSERT(initd_conf_equal(&back->conf, &s->conf));
	free(buf);
	unit_set_free(back);
	unit_set_free(s);
}

/* What a parse gave (r, u named name): the properties above. */
static void check(int r, struct unit *u, const char *name)
{
	if (r == -ENOMEM)
		return;
	FUZZ_ASSERT(r == 0 && u);
	FUZZ_ASSERT(strcmp(u->name, name) == 0);
	FUZZ_ASSERT(u->bad == (u->diags.n > 0));
	FUZZ_ASSERT(u->diags.n <= UNIT_DIAG_MAX);
	for (size_t i = 0; i < u->diags.n; i++) {
		char line[256];
		size_t need = unit_diag_format(&u->diags.v[i], line, sizeof(line));

		FUZZ_ASSERT(need > 0);
		FUZZ_ASSERT(strlen(line) == (need < sizeof(line) ? need : sizeof(line) - 1));
	}
	/* A bad unit's groups go back to their defaults at the load's end
	 * (unit_forget_groups): then it holds what PID 1 checks of every
	 * unit, or the whole model would be refused. */
	if (u->bad) {
		r = unit_forget_groups(u);
		FUZZ_ASSERT(r == 0 || r == -ENOMEM);
		FUZZ_ASSERT(r < 0 || unit_alone_valid(u));
	}
	/* A self-dependency is a one-unit cycle: set.c makes it bad, and no
	 * set holds it as a good unit. */
	if (u->bad || lists(u->requires, u->name) || lists(u->after, u->name)) {
		unit_free(u);
		return;
	}
	roundtrip(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit *u = NULL;
	char *text;
	int r;

	if (size > UNIT_FILE_MAX)
		return 0;
	text = fuzz_strndup(data, size);
	if (!text)
		return 0;
	r = unit_parse_string("fuzz.unit", text, &u);
	check(r, u, "fuzz");
	/* The same text as a template's, for an instance (template.c): the
	 * loader substitutes %i, %n, %p and %% in every string first
	 * (specifiers.c). Only when there is a '%': without one the
	 * substitution changes nothing and the parse above covered it. */
	if (strchr(text, '%')) {
		u = NULL;
		r = unit_parse_instance("fuzz@.unit", text, "fuzz@x-1", "x-1", &u, NULL);
		check(r, u, "fuzz@x-1");
	}
	free(text);
	return 0;
}
