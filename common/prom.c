/* prom.c — see prom.h. */
#include "common/prom.h"

#include <inttypes.h>

void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_unit(FILE *f, const char *metric, const char *unit)
{
	fprintf(f, "%s{unit=\"", metric);
	prom_label(f, unit);
	fputc('"', f);
}

void prom_u64(FILE *f, const char *metric, const char *unit, uint64_t v)
{
	prom_unit(f, metric, unit);
	fprintf(f, "} %" PRIu64 "\n", v);
}

void prom_seconds(FILE *f, const char *metric, const char *unit, uint64_t usec)
{
	prom_unit(f, metric, unit);
	fprintf(f, "} %" PRIu64 ".%06" PRIu64 "\n", usec / 1000000, usec % 1000000);
}

const struct prom_family_def prom_cgroup_families[PROM_CGROUP_FAMILIES] = {
	[PROM_MEM_CURRENT] = { "initd_unit_memory_current_bytes", "gauge",
			       "memory.current of the unit's cgroup." },
	[PROM_MEM_PEAK] = { "initd_unit_memory_peak_bytes", "gauge",
			    "memory.peak of the unit's cgroup." },
	[PROM_CPU_USAGE] = { "initd_unit_cpu_usage_seconds_total", "counter",
			     "cpu.stat usage_usec, in seconds." },
	[PROM_CPU_THROTTLED_PERIODS] = { "initd_unit_cpu_throttled_periods_total", "counter",
					 "cpu.stat nr_throttled." },
	[PROM_CPU_THROTTLED_SECONDS] = { "initd_unit_cpu_throttled_seconds_total", "counter",
					 "cpu.stat throttled_usec, in seconds." },
	[PROM_PIDS_CURRENT] = { "initd_unit_pids_current", "gauge",
				"pids.current of the unit's cgroup." },
	[PROM_OOM_KILLS] = { "initd_unit_oom_kills_total", "counter", "memory.events oom_kill." },
	[PROM_PSI_AVG10] = { "initd_unit_pressure_avg10_ratio", "gauge",
			     "PSI avg10= of the unit's cgroup, as a ratio." },
	[PROM_PSI_STALLED] = { "initd_unit_pressure_stalled_seconds_total", "counter",
			       "PSI total= of the unit's cgroup, in seconds." },
};

void prom_cgroup_family(FILE *f, enum prom_cgroup_family k)
{
	prom_family(f, prom_cgroup_families[k].name, prom_cgroup_families[k].type,
		    prom_cgroup_families[k].help);
}
