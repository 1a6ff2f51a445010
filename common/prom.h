/* prom.h — the Prometheus text format's lines, as initd's metrics write
 * them (issue 17): PID 1 writes the fleet's and the model's families,
 * the metrics helper (initd-loader --metrics) the cgroups' after them, so
 * both write each line by these. A sample's labels open with the unit's:
 * `metric{unit="NAME"` (prom_unit), then the caller's own, then prom_u64
 * or prom_seconds closes it with the value. */
#ifndef INITD_COMMON_PROM_H
#define INITD_COMMON_PROM_H

#include <stdint.h>
#include <stdio.h>

/* s as a label value: backslash, double quote and newline escaped. */
void prom_label(FILE *f, const char *s);

/* A family's HELP and TYPE lines. */
void prom_family(FILE *f, const char *name, const char *type, const char *help);

/* `metric{unit="NAME"`: the caller adds labels of its own, or not. */
void prom_unit(FILE *f, const char *metric, const char *unit);

/* One whole sample of a unit: the value as is, or usec as seconds
 * (exactly: no float rounding on the way). */
void prom_u64(FILE *f, const char *metric, const char *unit, uint64_t v);
void prom_seconds(FILE *f, const char *metric, const char *unit, uint64_t usec);

/* The families of the units' cgroups, in the text's order: the metrics
 * helper writes each with its samples; PID 1, when no unit has a cgroup
 * to read, writes them without any, so that the text has the same
 * families either way (a scraper's view does not change shape when the
 * last unit with a cgroup stops). */
enum prom_cgroup_family {
	PROM_MEM_CURRENT,
	PROM_MEM_PEAK,
	PROM_CPU_USAGE,
	PROM_CPU_THROTTLED_PERIODS,
	PROM_CPU_THROTTLED_SECONDS,
	PROM_PIDS_CURRENT,
	PROM_OOM_KILLS,
	PROM_PSI_AVG10,
	PROM_PSI_STALLED,
	PROM_CGROUP_FAMILIES,
};
struct prom_family_def {
	const char *name, *type, *help;
};
extern const struct prom_family_def prom_cgroup_families[PROM_CGROUP_FAMILIES];

/* prom_family() of prom_cgroup_families[k]. */
void prom_cgroup_family(FILE *f, enum prom_cgroup_family k);

#endif
