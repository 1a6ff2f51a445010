/* graph_cycles.c — the dependency cycles of a set, found when it is
 * loaded: Tarjan's strongly connected components over the graph graph.c
 * builds; each unit on one is reported with the shortest cycle through
 * it. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

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
