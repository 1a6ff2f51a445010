/* analyze_svg.c — `svctl analyze --svg`: the boot chart (analyze.h).
 * One row per unit spawned, in spawn order, over a time axis from
 * initd's exec to the boot's end (when all settled; now before that):
 * its wait for dependencies (requested -> spawned, shaded), starting
 * (spawned -> ready, a mark at exec) and running (ready -> the end);
 * beside its name, the CPU time and memory.peak of its cgroup.
 * Plain SVG 1.1, styles inline in a <style>, so any renderer draws it. */
#include <stdlib.h>
#include <string.h>

#include "svctl/analyze.h"

#define SVG_LABEL   330    /* px: names and counters left of the chart */
#define SVG_CHART   900    /* px: the time axis */
#define SVG_ROW     18
#define SVG_TOP     86     /* header, legend and axis labels */

struct chart {
	const struct analyze *a;
	uint64_t end;          /* usec after exec drawn at the right edge */
};

static double x_of(const struct chart *c, uint64_t t)
{
	uint64_t r = t > c->a->exec_at ? t - c->a->exec_at : 0;

	if (r > c->end)
		r = c->end;
	return SVG_LABEL + (double)r * SVG_CHART / (double)c->end;
}

static uint64_t chart_end(const struct analyze *a)
{
	uint64_t end = a->settled ? a->settled : a->now;

	for (size_t i = 0; i < a->n; i++) {
		const struct analyze_unit *u = &a->u[i];

		if (u->ready > end)
			end = u->ready;
		if (u->spawned > end)
			end = u->spawned;
	}
	end = end > a->exec_at ? end - a->exec_at : 0;
	if (end < UINT64_MAX / 2)
		end += end / 20;
	return end < 100000 ? 100000 : end;   /* at least 0.1 s across */
}

static int spawn_cmp(const void *x, const void *y, void *data)
{
	const struct analyze_unit *u = data;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;

	if (u[i].spawned != u[j].spawned)
		return u[i].spawned < u[j].spawned ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void svg_head(FILE *f, const struct analyze *a, size_t rows)
{
	char t[3][32];

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%zu\">\n<style>\n"
		"text { font-family: monospace; font-size: 11px; fill: #222; }\n"
		"text.stats { fill: #666; font-size: 10px; }\n"
		"text.title { font-size: 14px; font-weight: bold; }\n"
		"rect.wait { fill: #d8d8d8; }\n"
		"rect.starting { fill: #f0a030; }\n"
		"rect.running { fill: #4a9a4a; }\n"
		"line.exec { stroke: #a04000; stroke-width: 2; }\n"
		"line.tick { stroke: #ccc; stroke-width: 1; }\n"
		"line.settled { stroke: #c00; stroke-width: 1; stroke-dasharray: 4 3; }\n"
		"</style>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
		SVG_LABEL + SVG_CHART + 20, SVG_TOP + rows * SVG_ROW + 20);
	analyze_secs(t[0], sizeof(t[0]), a->exec_at);
	analyze_secs(t[1], sizeof(t[1]), a->first_spawn > a->exec_at ?
		     a->first_spawn - a->exec_at : 0);
	analyze_secs(t[2], sizeof(t[2]), a->settled > a->exec_at ? a->settled - a->exec_at : 0);
	fprintf(f, "<text class=\"title\" x=\"10\" y=\"20\">initd boot chart: kernel %s, "
		"initd exec to first spawn %s, to all settled %s</text>\n", t[0], t[1],
		a->settled ? t[2] : "not yet");
	fprintf(f, "<rect class=\"wait\" x=\"10\" y=\"32\" width=\"14\" height=\"10\"/>"
		"<text x=\"28\" y=\"41\">waiting for dependencies</text>\n"
		"<rect class=\"starting\" x=\"210\" y=\"32\" width=\"14\" height=\"10\"/>"
		"<text x=\"228\" y=\"41\">starting (| exec)</text>\n"
		"<rect class=\"running\" x=\"370\" y=\"32\" width=\"14\" height=\"10\"/>"
		"<text x=\"388\" y=\"41\">ready, running</text>\n"
		"<text class=\"stats\" x=\"520\" y=\"41\">beside each name: cgroup CPU time, "
		"memory.peak</text>\n");
}

/* Ticks at a round step, about ten across; past the largest step (a
 * malformed reply), a twelfth of the span: never more than 13 ticks. */
static void svg_axis(FILE *f, const struct chart *c, size_t rows)
{
	static const uint64_t steps[] = { 10000, 20000, 50000, 100000, 200000, 500000,
		1000000, 2000000, 5000000, 10000000, 30000000, 60000000, 300000000 };
	uint64_t step = c->end / 12 + 1;
	double bottom = SVG_TOP + (double)rows * SVG_ROW;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (c->end / steps[i] <= 12) {
			step = steps[i];
			break;
		}
	for (uint64_t k = 0; k <= 12 && k * step <= c->end; k++) {
		double x = SVG_LABEL + (double)(k * step) * SVG_CHART / (double)c->end;

		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2fs</text>\n",
			x, SVG_TOP - 12, x, bottom, x, SVG_TOP - 16, (double)(k * step) / 1e6);
	}
	if (c->a->settled) {
		double x = x_of(c, c->a->settled);

		fprintf(f, "<line class=\"settled\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%.1f\"/>\n", x, SVG_TOP - 12, x, bottom);
	}
}

static void svg_rect(FILE *f, const char *cls, double x1, double x2, double y)
{
	if (x2 - x1 < 1)
		x2 = x1 + 1;   /* a zero-length segment still shows */
	fprintf(f, "  <rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"/>\n",
		cls, x1, y, x2 - x1, SVG_ROW - 4);
}

static void svg_stats(FILE *f, const struct analyze_unit *u, double y)
{
	if (!u->have_cpu && !u->have_mem)
		return;
	fprintf(f, "  <text class=\"stats\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
		SVG_LABEL - 6, y);
	if (u->have_cpu)
		fprintf(f, "cpu %.0fms", (double)u->cpu_usec / 1e3);
	if (u->have_mem)
		fprintf(f, "%smem %.1fM", u->have_cpu ? " " : "", (double)u->mem_peak / 1048576.0);
	fputs("</text>\n", f);
}

static void svg_unit(FILE *f, const struct chart *c, const struct analyze_unit *u, size_t row)
{
	double y = SVG_TOP + (double)row * SVG_ROW + 2;
	double xs = x_of(c, u->spawned);
	double xe = u->ended >= u->spawned && u->ended ? x_of(c, u->ended) : SVG_LABEL + SVG_CHART;
	double xr = u->ready >= u->spawned && u->ready ? x_of(c, u->ready) : xe;

	if (xr > xe)
		xr = xe;
	fputs("<g class=\"unit\" data-unit=\"", f);
	xml_print_escaped(f, u->name);
	fputs("\">\n  <title>", f);
	xml_print_escaped(f, u->name);
	fputs(" (", f);
	xml_print_escaped(f, u->state);
	fprintf(f, ")</title>\n  <text x=\"6\" y=\"%.1f\">", y + SVG_ROW - 7);
	xml_print_escaped(f, u->name);
	fputs("</text>\n", f);
	svg_stats(f, u, y + SVG_ROW - 7);
	if (u->requested && u->requested < u->spawned)
		svg_rect(f, "wait", x_of(c, u->requested), xs, y);
	svg_rect(f, "starting", xs, xr, y);
	if (u->ready && u->ready >= u->spawned && xe > xr)
		svg_rect(f, "running", xr, xe, y);
	if (u->exec >= u->spawned && u->exec) {
		double xx = x_of(c, u->exec);

		fprintf(f, "  <line class=\"exec\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\"/>\n", xx, y, xx, y + SVG_ROW - 4);
	}
	fputs("</g>\n", f);
}

void analyze_print_svg(FILE *f, const struct analyze *a)
{
	struct chart c = { a, chart_end(a) };
	size_t *order = calloc(a->n ? a->n : 1, sizeof(*order)), rows = 0;

	if (!order) {
		fputs("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>\n", f);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->u[i].spawned)
			order[rows++] = i;
	qsort_r(order, rows, sizeof(*order), spawn_cmp, a->u);
	svg_head(f, a, rows);
	svg_axis(f, &c, rows);
	for (size_t k = 0; k < rows; k++)
		svg_unit(f, &c, &a->u[order[k]], k);
	fputs("</svg>\n", f);
	free(order);
}
