/* cgroup_limits.h — a unit's or slice's limits as the kernel's cgroup v2
 * files take them, and the statistics `svctl status` shows, read back from
 * a node. Everything works on a directory fd, so tests use a temporary
 * directory as a fake cgroup.
 */
#ifndef INITD_CGROUP_LIMITS_H
#define INITD_CGROUP_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "units/unit.h"

#define CGROUP_VALUE_MAX    (UNIT_CPULIST_MAX + 64)
#define CGROUP_SETTINGS_MAX (UNIT_LIMIT_MAX + UNIT_IO_DEVICES_MAX)

/* One write: value into the node's file. */
struct cgroup_setting {
	const char *file;                /* "memory.max" (static) */
	char value[CGROUP_VALUE_MAX];    /* "67108864", "max", "8:0 rbps=..." */
};

/* The files l sets, in the order they are written (unit_limit_table's:
 * cpu.max.burst after cpu.max). out has room for CGROUP_SETTINGS_MAX.
 * Returns how many were filled. */
size_t cgroup_limits_settings(const struct unit_limits *l, struct cgroup_setting *out);

/* Write every setting of l into dir_fd. 0, or the first -errno with
 * *ret_file naming the file that refused it. */
int cgroup_limits_write(int dir_fd, const struct unit_limits *l, const char **ret_file);

/* A reload took keys away: write the kernel's default (unit_limit_table's
 * reset) into each file was sets and now does not (an io.max device now
 * leaves out: "max" for each of its rates), so the node holds what the new
 * text says. was NULL: a node some earlier text (or someone else) set up,
 * so every key now does not set, and every device io.max lists. A file
 * that is gone (its controller disabled) is fine; the others are all
 * tried. 0, or the first -errno with *ret_file naming the file. */
int cgroup_limits_reset(int dir_fd, const struct unit_limits *was, const struct unit_limits *now,
			const char **ret_file);

/* Bits of cgroup_stats.have: which values could be read. */
enum cgroup_stat {
	CGROUP_STAT_MEM_CURRENT,
	CGROUP_STAT_MEM_PEAK,
	CGROUP_STAT_MEM_MAX,        /* absent: no memory controller, or "max" */
	CGROUP_STAT_PIDS_CURRENT,
	CGROUP_STAT_PIDS_MAX,       /* absent: no pids controller, or "max" */
	CGROUP_STAT_PIDS_EVENTS,    /* forks refused by pids.max */
	CGROUP_STAT_CPU_USAGE,
	CGROUP_STAT_CPU_THROTTLING, /* nr_periods, nr_throttled, throttled_usec */
	CGROUP_STAT_PSI_CPU,
	CGROUP_STAT_PSI_MEMORY,
	CGROUP_STAT_PSI_IO,
	CGROUP_STAT_OOM_KILLS,
	CGROUP_STAT_MAX,
};
#define CGROUP_STAT_BIT(s) (1U << (s))

/* Pressure: avg10 of "some" and "full", in hundredths of a percent, and
 * their total= (usec stalled since the cgroup was made; 0 if absent). */
struct cgroup_psi {
	uint32_t some_avg10;
	uint32_t full_avg10;
	uint64_t some_total;
	uint64_t full_total;
};

struct cgroup_stats {
	uint32_t have;              /* CGROUP_STAT_BIT() set */
	uint64_t mem_current, mem_peak, mem_max;       /* bytes */
	uint64_t pids_current, pids_max, pids_events;
	uint64_t cpu_usage_usec;
	uint64_t cpu_nr_periods, cpu_nr_throttled, cpu_throttled_usec;
	struct cgroup_psi psi_cpu, psi_memory, psi_io;
	uint64_t oom_kills;
};

/* Read what dir_fd offers; a file that is absent (controller not enabled,
 * kernel without it) leaves its bit clear. Each read is bounded. Never
 * fails: ret->have says what is there. */
void cgroup_stats_read(int dir_fd, struct cgroup_stats *ret);

/* A PSI file's text into p. 0 or -EBADMSG ("full" may be absent: 0). */
int cgroup_psi_parse(const char *text, struct cgroup_psi *p);

/* "cpu memory pids" <-> UNIT_CONTROLLER_BIT()s; unknown names are skipped.
 * format: names separated by spaces, each prefixed with prefix ("" or "+"). */
uint32_t cgroup_controllers_parse(const char *list);
const char *cgroup_controllers_format(uint32_t mask, const char *prefix, char *buf, size_t size);

#endif
