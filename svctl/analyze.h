/* analyze.h — `svctl analyze`: the boot's times as initd stamped them
 * (an ANALYZE reply), read into a table, and what is drawn from it: the
 * header, blame, the critical chain, JSON and an SVG boot chart. Split
 * from svctl.c so that the unit tier can test the chain and the SVG. */
#ifndef INITD_SVCTL_ANALYZE_H
#define INITD_SVCTL_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* requires + after of one unit (UNIT_DEPS_MAX each); more are ignored */
#define ANALYZE_DEPS_MAX 128

/* One unit. Times are monotonic usec, 0 when not reached; strings point
 * into the reply's payload. */
struct analyze_unit {
	const char *name;
	const char *state;
	uint64_t requested, spawned, exec, ready;
	uint64_t ended;        /* its latest run is over: its exit */
	const char *deps[ANALYZE_DEPS_MAX];   /* requires, then after */
	size_t n_deps;
	const char *cgroup;    /* below the reply's CGROUP_ROOT, or NULL */
	bool have_cpu, have_mem;
	uint64_t cpu_usec, mem_peak;
};

/* PID 1's boot phases (initd/bootphase.h); more are ignored */
#define ANALYZE_PHASES_MAX 32

struct analyze_phase {
	const char *name;      /* into the payload */
	uint64_t at;
};

struct analyze {
	uint64_t exec_at;      /* initd's main(); the kernel started at 0 */
	struct analyze_phase phases[ANALYZE_PHASES_MAX];   /* in boot order */
	size_t n_phases;
	uint64_t first_spawn;  /* 0: none yet */
	uint64_t settled;      /* 0: not yet */
	uint64_t now;
	struct analyze_unit *u;   /* malloc'ed */
	size_t n;
};

/* 0, -EBADMSG (malformed, a SERVICE without NAME or STATE, no EXEC_AT)
 * or -ENOMEM; analyze_free frees. */
int analyze_parse(const void *payload, size_t len, struct analyze *ret);
void analyze_free(struct analyze *a);

/* Each unit's CPU and memory.peak, read by svctl below the reply's
 * cgroup root (svctl/cgstat.h), where it can; what an older initd's
 * reply carried itself is kept. */
void analyze_read_cgroups(struct analyze *a, const void *payload, size_t len);

/* Index of the unit named name, or -1. */
long analyze_find(const struct analyze *a, const char *name);

/* The critical chain: from the unit ready last by the boot's settle (by
 * now before it settled: a restart since the boot does not move it), back
 * along its dependencies (requires and after), at each step the one ready
 * last before the unit was spawned (the one it waited for). Writes indexes
 * into a->u into chain[max], first link first; returns how many (0: no
 * unit is ready). A cycle in the data cannot loop: at most a->n links. */
size_t analyze_critical_chain(const struct analyze *a, size_t *chain, size_t max);

/* s with & < > " ' as entities and control characters as '?' (XML 1.0
 * has no way to write most of them). */
void xml_print_escaped(FILE *f, const char *s);

void analyze_print(FILE *f, const struct analyze *a);
/* usec as the text shows it, "3.275s": cut to the millisecond, never
 * rounded up (the chart's title says the same). */
const char *analyze_secs(char *buf, size_t size, uint64_t usec);
void analyze_print_json(FILE *f, const struct analyze *a);
/* The boot chart: one <g class="unit" data-unit="NAME"> per unit that
 * was spawned, its segments rects of class wait, starting, running. */
void analyze_print_svg(FILE *f, const struct analyze *a);

#endif
