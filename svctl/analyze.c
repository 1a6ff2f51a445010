/* analyze.c — `svctl analyze` (analyze.h): where the boot's time went,
 * drawn from the stamps initd keeps (doc/DESIGN.md, "Boot analysis").
 * Every time shown is relative to initd's exec ("@1.234s"); the kernel's
 * part is the exec's own time, the kernel having started at 0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "svctl/analyze.h"
#include "svctl/cgstat.h"
#include "svctl/output.h"

/* Each unit's CPU and memory.peak, read below the reply's cgroup root as
 * the status table's columns are (svctl/cgstat.h); none where svctl
 * cannot (another mount namespace) or out of memory. */
void analyze_read_cgroups(struct analyze *a, const void *payload, size_t len)
{
	struct unit_status *u = calloc(a->n ? a->n : 1, sizeof(*u));

	for (size_t i = 0; u && i < a->n; i++)
		u[i].cgroup = a->u[i].cgroup;
	if (!u || cgstat_fill(payload, len, u, a->n, CGSTAT_ANALYZE) < 0) {
		free(u);
		return;
	}
	/* only what was read: an older initd's reply has them itself */
	for (size_t i = 0; i < a->n; i++) {
		struct analyze_unit *au = &a->u[i];

		if (u[i].cg_have & CGSTAT_BIT(PROTO_ATTR_CPU_USAGE_USEC)) {
			au->have_cpu = true;
			au->cpu_usec = u[i].cg[PROTO_ATTR_CPU_USAGE_USEC - STATUS_CG_FIRST];
		}
		if (u[i].cg_have & CGSTAT_BIT(PROTO_ATTR_MEM_PEAK)) {
			au->have_mem = true;
			au->mem_peak = u[i].cg[PROTO_ATTR_MEM_PEAK - STATUS_CG_FIRST];
		}
	}
	free(u);
}

static int unit_attr(struct analyze_unit *u, const struct proto_attr_view *a)
{
	static const struct {
		uint16_t attr;
		size_t off;
	} times[] = {
		{ PROTO_ATTR_REQUESTED_AT, offsetof(struct analyze_unit, requested) },
		{ PROTO_ATTR_SPAWNED_AT, offsetof(struct analyze_unit, spawned) },
		{ PROTO_ATTR_EXEC_AT, offsetof(struct analyze_unit, exec) },
		{ PROTO_ATTR_READY_AT, offsetof(struct analyze_unit, ready) },
		{ PROTO_ATTR_ENDED_AT, offsetof(struct analyze_unit, ended) },
		{ PROTO_ATTR_CPU_USAGE_USEC, offsetof(struct analyze_unit, cpu_usec) },
		{ PROTO_ATTR_MEM_PEAK, offsetof(struct analyze_unit, mem_peak) },
	};

	if (a->type == PROTO_ATTR_NAME)
		return proto_get_str(a, &u->name);
	if (a->type == PROTO_ATTR_STATE)
		return proto_get_str(a, &u->state);
	if (a->type == PROTO_ATTR_CGROUP)
		return proto_get_str(a, &u->cgroup);
	if (a->type == PROTO_ATTR_REQUIRES || a->type == PROTO_ATTR_AFTER) {
		if (u->n_deps >= ANALYZE_DEPS_MAX)
			return 0;   /* more than initd allows: ignored */
		return proto_get_str(a, &u->deps[u->n_deps++]);
	}
	if (a->type == PROTO_ATTR_CPU_USAGE_USEC)
		u->have_cpu = true;
	if (a->type == PROTO_ATTR_MEM_PEAK)
		u->have_mem = true;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		if (a->type == times[i].attr)
			return proto_get_u64(a, (uint64_t *)((char *)u + times[i].off));
	return 0;
}

static int unit_parse(const struct proto_attr_view *svc, struct analyze_unit *u)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r;

	memset(u, 0, sizeof(*u));
	proto_iter_init(&it, svc->data, svc->len);
	while ((r = proto_iter_next(&it, &a)) > 0)
		if (unit_attr(u, &a) < 0)
			return -EBADMSG;
	return r < 0 || !u->name || !u->state ? -EBADMSG : 0;
}

/* One BOOT_PHASE: {NAME, PHASE_AT}; both needed. */
static int phase_parse(struct analyze *a, const struct proto_attr_view *v)
{
	struct analyze_phase ph = { 0 };
	struct proto_attr_iter it;
	struct proto_attr_view f;
	int r;

	proto_iter_init(&it, v->data, v->len);
	while ((r = proto_iter_next(&it, &f)) > 0) {
		if (f.type == PROTO_ATTR_NAME)
			r = proto_get_str(&f, &ph.name);
		else if (f.type == PROTO_ATTR_PHASE_AT)
			r = proto_get_u64(&f, &ph.at);
		if (r < 0)
			return -EBADMSG;
	}
	if (r < 0 || !ph.name || !ph.at)
		return -EBADMSG;
	if (a->n_phases < ANALYZE_PHASES_MAX)
		a->phases[a->n_phases++] = ph;
	return 0;
}

static int top_attr(struct analyze *a, const struct proto_attr_view *v, bool *have_exec)
{
	if (v->type == PROTO_ATTR_BOOT_PHASE)
		return phase_parse(a, v);
	if (v->type == PROTO_ATTR_EXEC_AT) {
		*have_exec = true;
		return proto_get_u64(v, &a->exec_at);
	}
	if (v->type == PROTO_ATTR_FIRST_SPAWN)
		return proto_get_u64(v, &a->first_spawn);
	if (v->type == PROTO_ATTR_SETTLED_AT)
		return proto_get_u64(v, &a->settled);
	if (v->type == PROTO_ATTR_NOW)
		return proto_get_u64(v, &a->now);
	return 0;
}

int analyze_parse(const void *payload, size_t len, struct analyze *ret)
{
	struct proto_attr_iter it;
	struct proto_attr_view v;
	bool have_exec = false;
	size_t n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	proto_iter_init(&it, payload, len);
	while ((r = proto_iter_next(&it, &v)) > 0)
		n += v.type == PROTO_ATTR_SERVICE;
	if (r < 0)
		return -EBADMSG;
	ret->u = calloc(n ? n : 1, sizeof(*ret->u));
	if (!ret->u)
		return -ENOMEM;
	proto_iter_init(&it, payload, len);
	while (proto_iter_next(&it, &v) > 0) {
		if (v.type == PROTO_ATTR_SERVICE)
			r = unit_parse(&v, &ret->u[ret->n++]);
		else
			r = top_attr(ret, &v, &have_exec);
		if (r < 0)
			break;
	}
	if (r < 0 || !have_exec) {
		analyze_free(ret);
		return -EBADMSG;
	}
	return 0;
}

void analyze_free(struct analyze *a)
{
	free(a->u);
	a->u = NULL;
	a->n = 0;
}

long analyze_find(const struct analyze *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->u[i].name, name))
			return (long)i;
	return -1;
}

/* The dependency of u that became ready last, no later than u's spawn:
 * the one u waited for. -1 when none. */
static long chain_prev(const struct analyze *a, const struct analyze_unit *u)
{
	long best = -1;

	for (size_t k = 0; k < u->n_deps; k++) {
		long d = analyze_find(a, u->deps[k]);

		if (d < 0 || !a->u[d].ready || a->u[d].ready > u->spawned)
			continue;
		if (best < 0 || a->u[d].ready > a->u[best].ready)
			best = d;
	}
	return best;
}

/* Where the chain ends: the unit ready last by the boot's settle (issue
 * 17: the path that decided when the boot's last unit became ready), or
 * by now while the boot has not settled. A unit ready after the settle
 * was restarted since (a crash loop's latest start): it decided nothing
 * of the boot. -1 when none. */
static long chain_end(const struct analyze *a)
{
	long cur = -1;

	for (size_t i = 0; i < a->n; i++) {
		const struct analyze_unit *u = &a->u[i];

		if (!u->ready || !u->spawned || (a->settled && u->ready > a->settled))
			continue;
		if (cur < 0 || u->ready > a->u[cur].ready)
			cur = (long)i;
	}
	return cur;
}

size_t analyze_critical_chain(const struct analyze *a, size_t *chain, size_t max)
{
	long cur = chain_end(a);
	size_t n = 0;

	/* Backwards from the last; a->n bounds a cycle in malformed data. */
	while (cur >= 0 && n < max && n < a->n) {
		chain[n++] = (size_t)cur;
		cur = chain_prev(a, &a->u[cur]);
	}
	for (size_t i = 0; i < n / 2; i++) {
		size_t t = chain[i];

		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	return n;
}

void xml_print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', f);
		else
			fputc(c, f);
	}
}

/* ---- text and JSON ----------------------------------------------------------- */

/* usec as seconds: "1.234s" */
const char *analyze_secs(char *buf, size_t size, uint64_t usec)
{
	snprintf(buf, size, "%llu.%03llus", (unsigned long long)(usec / 1000000),
		 (unsigned long long)(usec / 1000 % 1000));
	return buf;
}

static uint64_t rel(const struct analyze *a, uint64_t t)
{
	return t > a->exec_at ? t - a->exec_at : 0;
}

static uint64_t diff(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

struct blame {
	size_t i;
	uint64_t usec;
};

static int blame_cmp(const void *x, const void *y)
{
	const struct blame *p = x, *q = y;

	if (p->usec != q->usec)
		return p->usec < q->usec ? 1 : -1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* Ready units, slowest (spawn to ready) first: malloc'ed, *n of them. */
static struct blame *blame_list(const struct analyze *a, size_t *n)
{
	struct blame *b = calloc(a->n ? a->n : 1, sizeof(*b));

	*n = 0;
	if (!b)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (a->u[i].spawned && a->u[i].ready)
			b[(*n)++] = (struct blame){ i, diff(a->u[i].spawned, a->u[i].ready) };
	qsort(b, *n, sizeof(*b), blame_cmp);
	return b;
}

/* A name from the reply, cleaned for the terminal (print_clean: a server
 * that is not initd may send any bytes), then spaces to `width` bytes, as
 * %-*s pads. */
static void print_name(FILE *f, const char *name, size_t width)
{
	size_t n = strlen(name);

	print_clean(f, name);
	fprintf(f, "%*s", n < width ? (int)(width - n) : 0, "");
}

static void print_header(FILE *f, const struct analyze *a)
{
	char t1[32], t2[32], t3[32], t4[32];

	fprintf(f, "kernel %s + initd %s", analyze_secs(t1, sizeof(t1), a->exec_at),
		analyze_secs(t2, sizeof(t2), a->first_spawn ? diff(a->exec_at, a->first_spawn) : 0));
	if (a->settled)
		fprintf(f, " + units %s = %s (settled)\n",
			analyze_secs(t3, sizeof(t3), diff(a->first_spawn ? a->first_spawn : a->exec_at,
						  a->settled)),
			analyze_secs(t4, sizeof(t4), a->settled));
	else
		fputs(" + units (not settled yet)\n", f);
	fprintf(f, "  kernel start -> initd exec @%s, first spawn @%s, settled @%s\n",
		analyze_secs(t1, sizeof(t1), a->exec_at), analyze_secs(t2, sizeof(t2), a->first_spawn),
		a->settled ? analyze_secs(t3, sizeof(t3), a->settled) : "-");
	if (a->n_phases)
		fputs("\nboot phases (@after initd exec, +since the previous one):\n", f);
	for (size_t k = 0; k < a->n_phases; k++) {
		fputs("  ", f);
		print_name(f, a->phases[k].name, 16);
		fprintf(f, " @%s +%s\n", analyze_secs(t1, sizeof(t1), rel(a, a->phases[k].at)),
			analyze_secs(t2, sizeof(t2), diff(k ? a->phases[k - 1].at : a->exec_at,
						  a->phases[k].at)));
	}
}

void analyze_print(FILE *f, const struct analyze *a)
{
	size_t n, chain[256], nc;
	struct blame *b = blame_list(a, &n);
	char t1[32], t2[32];

	print_header(f, a);
	fputs("\nblame (spawn -> ready):\n", f);
	for (size_t k = 0; b && k < n; k++) {
		fprintf(f, "  %10s ", analyze_secs(t1, sizeof(t1), b[k].usec));
		print_name(f, a->u[b[k].i].name, 0);
		fputc('\n', f);
	}
	free(b);
	nc = analyze_critical_chain(a, chain, sizeof(chain) / sizeof(chain[0]));
	fputs("\ncritical chain (@ready after initd exec, +spawn -> ready):\n", f);
	for (size_t k = nc; k-- > 0;) {
		const struct analyze_unit *u = &a->u[chain[k]];

		fprintf(f, "%*s%s", (int)(2 * (nc - 1 - k)), "", k == nc - 1 ? "" : "`-");
		print_name(f, u->name, 0);
		fprintf(f, " @%s +%s\n", analyze_secs(t1, sizeof(t1), rel(a, u->ready)),
			analyze_secs(t2, sizeof(t2), diff(u->spawned, u->ready)));
	}
}

static void json_u64(FILE *f, const char *key, uint64_t v, bool have)
{
	fprintf(f, ",\"%s\":", key);
	if (have)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static void json_unit(FILE *f, const struct analyze_unit *u)
{
	fputs("{\"name\":", f);
	json_print_string(f, u->name);
	fputs(",\"state\":", f);
	json_print_string(f, u->state);
	json_u64(f, "requested_usec", u->requested, u->requested);
	json_u64(f, "spawned_usec", u->spawned, u->spawned);
	json_u64(f, "exec_usec", u->exec, u->exec);
	json_u64(f, "ready_usec", u->ready, u->ready);
	json_u64(f, "ended_usec", u->ended, u->ended);
	json_u64(f, "cpu_usage_usec", u->cpu_usec, u->have_cpu);
	json_u64(f, "memory_peak", u->mem_peak, u->have_mem);
	fputs(",\"after\":[", f);
	for (size_t k = 0; k < u->n_deps; k++) {
		if (k)
			fputc(',', f);
		json_print_string(f, u->deps[k]);
	}
	fputs("]}", f);
}

void analyze_print_json(FILE *f, const struct analyze *a)
{
	size_t n, chain[256], nc;
	struct blame *b = blame_list(a, &n);

	fprintf(f, "{\"kernel_usec\":0,\"exec_usec\":%llu", (unsigned long long)a->exec_at);
	json_u64(f, "first_spawn_usec", a->first_spawn, a->first_spawn);
	json_u64(f, "settled_usec", a->settled, a->settled);
	fputs(",\"phases\":[", f);
	for (size_t k = 0; k < a->n_phases; k++) {
		fputs(k ? ",{\"name\":" : "{\"name\":", f);
		json_print_string(f, a->phases[k].name);
		fprintf(f, ",\"usec\":%llu}", (unsigned long long)a->phases[k].at);
	}
	fputs("],\"units\":[", f);
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			fputc(',', f);
		json_unit(f, &a->u[i]);
	}
	fputs("],\"blame\":[", f);
	for (size_t k = 0; b && k < n; k++) {
		fputs(k ? ",{\"name\":" : "{\"name\":", f);
		json_print_string(f, a->u[b[k].i].name);
		fprintf(f, ",\"usec\":%llu}", (unsigned long long)b[k].usec);
	}
	free(b);
	nc = analyze_critical_chain(a, chain, sizeof(chain) / sizeof(chain[0]));
	fputs("],\"critical_chain\":[", f);
	for (size_t k = 0; k < nc; k++) {
		const struct analyze_unit *u = &a->u[chain[k]];

		fputs(k ? ",{\"name\":" : "{\"name\":", f);
		json_print_string(f, u->name);
		fprintf(f, ",\"ready_usec\":%llu,\"usec\":%llu}", (unsigned long long)u->ready,
			(unsigned long long)diff(u->spawned, u->ready));
	}
	fputs("]}\n", f);
}
