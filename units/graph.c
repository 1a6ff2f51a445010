/* graph.c — the dependency graph of a set: a unit points at every unit it
 * names in requires or after. Cycles are found with Tarjan's strongly
 * connected components; each unit on one is reported with the shortest
 * cycle through it. The start order is Kahn's algorithm with a heap, so
 * ties go by name and the order is the same on every run. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* Adjacency in compressed rows: node i's targets are
 * edges[start[i] .. start[i + 1]), sorted. */
struct graph {
	size_t n;
	size_t *start;
	size_t *edges;
};

static void graph_free(struct graph *g)
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
static int graph_build(const struct unit_set *s, bool skip_bad, struct graph *g)
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

#define UNSET SIZE_MAX

/* Tarjan's algorithm, iterative (a chain of UNIT_MAX units must not
 * overflow the stack). comp[v] is v's component, size[c] its size. */
struct tarjan {
	const struct graph *g;
	size_t *index, *low, *pos, *stack, *call, *comp, *size;
	bool *on_stack;
	size_t next, sp, n_comp;
};

static void tarjan_enter(struct tarjan *t, size_t v)
{
	t->index[v] = t->low[v] = t->next++;
	t->pos[v] = t->g->start[v];
	t->stack[t->sp++] = v;
	t->on_stack[v] = true;
}

static void tarjan_pop(struct tarjan *t, size_t v)
{
	size_t w;

	t->size[t->n_comp] = 0;
	do {
		w = t->stack[--t->sp];
		t->on_stack[w] = false;
		t->comp[w] = t->n_comp;
		t->size[t->n_comp]++;
	} while (w != v);
	t->n_comp++;
}

static void tarjan_visit(struct tarjan *t, size_t root)
{
	size_t csp = 0;

	tarjan_enter(t, root);
	t->call[csp++] = root;
	while (csp > 0) {
		size_t v = t->call[csp - 1];
		if (t->pos[v] < t->g->start[v + 1]) {
			size_t w = t->g->edges[t->pos[v]++];
			if (t->index[w] == UNSET) {
				tarjan_enter(t, w);
				t->call[csp++] = w;
			} else if (t->on_stack[w] && t->index[w] < t->low[v]) {
				t->low[v] = t->index[w];
			}
			continue;
		}
		csp--;
		if (csp > 0 && t->low[v] < t->low[t->call[csp - 1]])
			t->low[t->call[csp - 1]] = t->low[v];
		if (t->low[v] == t->index[v])
			tarjan_pop(t, v);
	}
}

/* One allocation for the seven size_t arrays and the flags. */
static int tarjan_run(const struct graph *g, struct tarjan *t)
{
	size_t n = g->n ? g->n : 1;
	size_t *m = malloc(n * (7 * sizeof(size_t) + sizeof(bool)));

	if (!m)
		return -ENOMEM;
	*t = (struct tarjan){ .g = g, .index = m, .low = m + n, .pos = m + 2 * n,
			      .stack = m + 3 * n, .call = m + 4 * n, .comp = m + 5 * n,
			      .size = m + 6 * n, .on_stack = (bool *)(m + 7 * n) };
	for (size_t v = 0; v < g->n; v++)
		t->index[v] = UNSET;
	for (size_t v = 0; v < g->n; v++)
		if (t->index[v] == UNSET)
			tarjan_visit(t, v);
	return 0;
}

static bool graph_has_edge(const struct graph *g, size_t from, size_t to)
{
	for (size_t e = g->start[from]; e < g->start[from + 1]; e++)
		if (g->edges[e] == to)
			return true;
	return false;
}

/* The shortest cycle from u back to u inside u's component, breadth first
 * so neighbours are tried in name order. Fills path (u first, u not
 * repeated at the end), returns its length. work holds 3 * n entries. */
static size_t cycle_path(const struct graph *g, const struct tarjan *t, size_t u,
			 size_t *work, size_t *path)
{
	size_t *queue = work, *parent = work + g->n, *seen = work + 2 * g->n;
	size_t head = 0, tail = 0, last = UNSET, k = 0;

	for (size_t v = 0; v < g->n; v++)
		seen[v] = 0;
	queue[tail++] = u;
	seen[u] = 1;
	while (head < tail && last == UNSET) {
		size_t x = queue[head++];
		for (size_t e = g->start[x]; e < g->start[x + 1] && last == UNSET; e++) {
			size_t w = g->edges[e];
			if (w == u)
				last = x;
			else if (t->comp[w] == t->comp[u] && !seen[w]) {
				seen[w] = 1;
				parent[w] = x;
				queue[tail++] = w;
			}
		}
	}
	for (size_t x = last; x != u; x = parent[x])
		path[k++] = x;
	path[k++] = u;
	for (size_t i = 0; i < k / 2; i++) {
		size_t tmp = path[i];
		path[i] = path[k - 1 - i];
		path[k - 1 - i] = tmp;
	}
	return k;
}

#define CYCLE_MESSAGE_MAX 1024

/* The line of u's requires (else after) entry naming name; 0 if unknown. */
static int dep_line(const struct unit *u, const struct unit_lines *lines, const char *name)
{
	for (size_t i = 0; lines && u->requires[i] && i < UNIT_DEPS_MAX; i++)
		if (strcmp(u->requires[i], name) == 0)
			return lines->requires[i];
	for (size_t i = 0; lines && u->after[i] && i < UNIT_DEPS_MAX; i++)
		if (strcmp(u->after[i], name) == 0)
			return lines->after[i];
	return 0;
}

/* Report "dependency cycle: a -> b -> a" on path[0], which becomes bad. A
 * long cycle is cut short with "...". */
static int cycle_report(struct unit_set *s, const struct unit_lines *lines,
			const size_t *path, size_t k)
{
	struct unit *u = s->units[path[0]];
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	char msg[CYCLE_MESSAGE_MAX], q[DIAG_QUOTE_SIZE];
	size_t o;

	o = (size_t)snprintf(msg, sizeof(msg), "dependency cycle: %s", diag_quote(q, u->name));
	for (size_t i = 1; i < k; i++) {
		diag_quote(q, s->units[path[i]]->name);
		if (o + strlen(q) + 2 * DIAG_QUOTE_SIZE + 16 > sizeof(msg)) {
			o += (size_t)snprintf(msg + o, sizeof(msg) - o, " -> ...");
			break;
		}
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, " -> %s", q);
	}
	snprintf(msg + o, sizeof(msg) - o, " -> %s", diag_quote(q, u->name));
	u->bad = true;
	return diag_add(&c, dep_line(u, lines ? &lines[path[0]] : NULL,
				     s->units[path[k > 1 ? 1 : 0]]->name), "%s", msg);
}

int graph_check_cycles(struct unit_set *s, const struct unit_lines *lines)
{
	_cleanup_free_ size_t *work = NULL;
	struct graph g;
	struct tarjan t = { .index = NULL };
	int r;

	r = graph_build(s, false, &g);
	if (r < 0)
		return r;
	r = tarjan_run(&g, &t);
	work = malloc((4 * g.n + 1) * sizeof(size_t));
	if (r < 0 || !work) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t v = 0; v < g.n && r == 0; v++) {
		if (t.size[t.comp[v]] > 1 || graph_has_edge(&g, v, v)) {
			size_t k = cycle_path(&g, &t, v, work, work + 3 * g.n);
			r = cycle_report(s, lines, work + 3 * g.n, k);
		}
	}
out:
	free(t.index);
	graph_free(&g);
	return r;
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
