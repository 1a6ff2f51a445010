/* graph.c — the dependency graph of a set: a unit points at every unit it
 * names in requires or after. Cycles are found with Tarjan's strongly
 * connected components when the set is loaded (graph_cycles.c). The start
 * order is Kahn's algorithm with a heap, so ties go by name and the order
 * is the same on every run. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

void graph_free(struct graph *g)
{
	free(g->start);
	free(g->edges);
	g->start = g->edges = NULL;
}

static int compare_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The index of the unit named name, SIZE_MAX if absent. */
static size_t unit_index(const struct unit_set *s, const char *name)
{
	size_t lo = 0, hi = s->n_units;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name, s->units[mid]->name);
		if (d == 0)
			return mid;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

/* Count (edges == NULL) or fill the targets of unit i. */
static size_t graph_targets(const struct unit_set *s, size_t i, size_t *edges)
{
	const struct unit *u = s->units[i];
	char **lists[2] = { u->requires, u->after };
	size_t k = 0;

	for (size_t l = 0; l < 2; l++) {
		for (char **p = lists[l]; p && *p; p++) {
			size_t t = unit_index(s, *p);
			if (t == SIZE_MAX)
				continue;
			if (edges)
				edges[k] = t;
			k++;
		}
	}
	return k;
}

/* Build the graph; with skip_bad a bad unit has no edges. 0 or -ENOMEM. */
int graph_build(const struct unit_set *s, bool skip_bad, struct graph *g)
{
	size_t total = 0;

	*g = (struct graph){ .n = s->n_units };
	g->start = calloc(s->n_units + 1, sizeof(size_t));
	if (!g->start)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_units; i++) {
		g->start[i] = total;
		total += skip_bad && s->units[i]->bad ? 0 : graph_targets(s, i, NULL);
	}
	g->start[s->n_units] = total;
	g->edges = calloc(total + 1, sizeof(size_t));
	if (!g->edges) {
		graph_free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_units; i++) {
		size_t *e = g->edges + g->start[i], n = g->start[i + 1] - g->start[i];
		if (n == 0)
			continue;
		graph_targets(s, i, e);
		qsort(e, n, sizeof(*e), compare_size);
	}
	return 0;
}

/* A binary min-heap of unit indexes, ordered by name. */
struct heap {
	const struct unit_set *s;
	size_t *v;
	size_t n;
};

static bool heap_less(const struct heap *h, size_t a, size_t b)
{
	return strcmp(h->s->units[h->v[a]]->name, h->s->units[h->v[b]]->name) < 0;
}

static void heap_swap(struct heap *h, size_t a, size_t b)
{
	size_t tmp = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = tmp;
}

static void heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;

	h->v[i] = x;
	for (; i > 0 && heap_less(h, i, (i - 1) / 2); i = (i - 1) / 2)
		heap_swap(h, i, (i - 1) / 2);
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->v[0], i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (r < h->n && heap_less(h, r, m))
			m = r;
		if (m == i)
			return top;
		heap_swap(h, i, m);
		i = m;
	}
}

/* The same graph with every edge turned around. 0 or -ENOMEM. */
static int graph_reverse(const struct graph *g, struct graph *rg)
{
	size_t total = g->start[g->n];

	*rg = (struct graph){ .n = g->n };
	rg->start = calloc(g->n + 2, sizeof(size_t));
	rg->edges = calloc(total + 1, sizeof(size_t));
	if (!rg->start || !rg->edges) {
		graph_free(rg);
		return -ENOMEM;
	}
	for (size_t e = 0; e < total; e++)
		rg->start[g->edges[e] + 2]++;
	for (size_t i = 2; i < g->n + 2; i++)
		rg->start[i] += rg->start[i - 1];
	/* start[w + 1] is now where w's row begins: fill, moving it along */
	for (size_t v = 0; v < g->n; v++)
		for (size_t e = g->start[v]; e < g->start[v + 1]; e++)
			rg->edges[rg->start[g->edges[e] + 1]++] = v;
	return 0;
}

/* Kahn's algorithm: a unit is ready once all it depends on is placed. */
static int order_kahn(const struct unit_set *s, const struct graph *g, const struct graph *rg,
		      size_t *deps_left, size_t *heap_v, size_t *order)
{
	struct heap h = { .s = s, .v = heap_v };
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++) {
		deps_left[i] = g->start[i + 1] - g->start[i];
		if (deps_left[i] == 0)
			heap_push(&h, i);
	}
	while (h.n > 0) {
		size_t v = heap_pop(&h);
		order[k++] = v;
		for (size_t e = rg->start[v]; e < rg->start[v + 1]; e++)
			if (--deps_left[rg->edges[e]] == 0)
				heap_push(&h, rg->edges[e]);
	}
	return k == g->n ? 0 : -ELOOP;
}

int unit_set_order(const struct unit_set *s, size_t *order)
{
	_cleanup_free_ size_t *work = NULL;
	struct graph g, rg = { .start = NULL };
	int r;

	r = graph_build(s, true, &g);
	if (r < 0)
		return r;
	r = graph_reverse(&g, &rg);
	work = malloc((2 * g.n + 1) * sizeof(size_t));
	if (r == 0 && !work)
		r = -ENOMEM;
	if (r == 0)
		r = order_kahn(s, &g, &rg, work, work + g.n, order);
	graph_free(&rg);
	graph_free(&g);
	return r;
}
