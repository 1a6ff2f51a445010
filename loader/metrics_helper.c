/* metrics_helper.c — see initd/metrics_helper.h: initd-loader's mode
 * `--metrics`. Each unit's cgroup files are read once, then the families
 * written one after another (the text format groups a family's samples). */
#include "initd/metrics_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/prom.h"
#include "common/util.h"
#include "initd/cgroup_limits.h"
#include "units/unit.h"

struct sample {
	const char *unit;
	struct cgroup_stats st;
};

/* Each family of one cgroup value, in the text's order. */
static const struct stat_family {
	enum prom_cgroup_family family;
	enum cgroup_stat bit;
	size_t offset;
	bool seconds;                 /* usec, written as seconds */
} stat_families[] = {
	{ PROM_MEM_CURRENT, CGROUP_STAT_MEM_CURRENT, offsetof(struct cgroup_stats, mem_current),
	  false },
	{ PROM_MEM_PEAK, CGROUP_STAT_MEM_PEAK, offsetof(struct cgroup_stats, mem_peak), false },
	{ PROM_CPU_USAGE, CGROUP_STAT_CPU_USAGE, offsetof(struct cgroup_stats, cpu_usage_usec),
	  true },
	{ PROM_CPU_THROTTLED_PERIODS, CGROUP_STAT_CPU_THROTTLING,
	  offsetof(struct cgroup_stats, cpu_nr_throttled), false },
	{ PROM_CPU_THROTTLED_SECONDS, CGROUP_STAT_CPU_THROTTLING,
	  offsetof(struct cgroup_stats, cpu_throttled_usec), true },
	{ PROM_PIDS_CURRENT, CGROUP_STAT_PIDS_CURRENT, offsetof(struct cgroup_stats, pids_current),
	  false },
	{ PROM_OOM_KILLS, CGROUP_STAT_OOM_KILLS, offsetof(struct cgroup_stats, oom_kills), false },
};

_Static_assert(ARRAY_SIZE(stat_families) + 2 == PROM_CGROUP_FAMILIES,
	       "the helper writes every cgroup family: these, then the two of pressure");

/* The units whose cgroup has the value. */
static void render_stat(FILE *f, const struct sample *v, size_t n, const struct stat_family *sf)
{
	const char *name = prom_cgroup_families[sf->family].name;

	prom_cgroup_family(f, sf->family);
	for (size_t i = 0; i < n; i++) {
		uint64_t x;

		if (!(v[i].st.have & CGROUP_STAT_BIT(sf->bit)))
			continue;
		memcpy(&x, (const char *)&v[i].st + sf->offset, sizeof(x));
		if (sf->seconds)
			prom_seconds(f, name, v[i].unit, x);
		else
			prom_u64(f, name, v[i].unit, x);
	}
}

static const struct psi_file {
	const char *resource;
	enum cgroup_stat bit;
	size_t offset;
} psi_files[] = {
	{ "cpu", CGROUP_STAT_PSI_CPU, offsetof(struct cgroup_stats, psi_cpu) },
	{ "memory", CGROUP_STAT_PSI_MEMORY, offsetof(struct cgroup_stats, psi_memory) },
	{ "io", CGROUP_STAT_PSI_IO, offsetof(struct cgroup_stats, psi_io) },
};

static void put_psi(FILE *f, const char *name, const char *unit, const char *res,
		    const char *kind, const char *value)
{
	prom_unit(f, name, unit);
	fprintf(f, ",resource=\"%s\",kind=\"%s\"} %s\n", res, kind, value);
}

/* avg10 as a ratio (0..1) and total as seconds, from RESOURCE.pressure. */
static void render_psi(FILE *f, const struct sample *v, size_t n, bool totals)
{
	enum prom_cgroup_family k = totals ? PROM_PSI_STALLED : PROM_PSI_AVG10;
	const char *name = prom_cgroup_families[k].name;

	prom_cgroup_family(f, k);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ARRAY_SIZE(psi_files); j++) {
			const struct psi_file *pf = &psi_files[j];
			struct cgroup_psi p;
			char some[48], full[48];

			if (!(v[i].st.have & CGROUP_STAT_BIT(pf->bit)))
				continue;
			memcpy(&p, (const char *)&v[i].st + pf->offset, sizeof(p));
			if (totals) {
				snprintf(some, sizeof(some), "%" PRIu64 ".%06" PRIu64,
					 p.some_total / 1000000, p.some_total % 1000000);
				snprintf(full, sizeof(full), "%" PRIu64 ".%06" PRIu64,
					 p.full_total / 1000000, p.full_total % 1000000);
			} else {
				snprintf(some, sizeof(some), "%u.%04u", p.some_avg10 / 10000,
					 p.some_avg10 % 10000);
				snprintf(full, sizeof(full), "%u.%04u", p.full_avg10 / 10000,
					 p.full_avg10 % 10000);
			}
			put_psi(f, name, v[i].unit, pf->resource, "some", some);
			put_psi(f, name, v[i].unit, pf->resource, "full", full);
		}
}

/* The string at *at of at most max bytes, its NUL within the input;
 * *at moves past it. NULL when cut short or too long. */
static const char *next_string(const char *units, size_t len, size_t *at, size_t max)
{
	const char *s = units + *at;
	const char *nul = memchr(s, '\0', len - *at);

	if (!nul || (size_t)(nul - s) > max || nul == s)
		return NULL;
	*at += (size_t)(nul - s) + 1;
	return s;
}

/* The pairs, counted and checked; the names into v when v is not NULL. */
static int parse_units(const char *units, size_t len, struct sample *v, size_t *ret_n)
{
	size_t n = 0, at = 0;

	while (at < len) {
		const char *name = next_string(units, len, &at, UNIT_NAME_MAX);
		const char *path = name ? next_string(units, len, &at, UNIT_CGROUP_PATH_MAX) : NULL;

		if (!path || n == METRICS_HELPER_UNITS_MAX)
			return -EBADMSG;
		if (v)
			v[n] = (struct sample){ .unit = name, .st.have = 0 };
		n++;
	}
	*ret_n = n;
	return 0;
}

/* A path from PID 1 is relative below the root ("a/b"), never "..": the
 * helper reads nothing outside initd's cgroups even if handed garbage. */
static bool path_below(const char *path)
{
	if (path[0] == '/')
		return false;
	for (const char *p = path; *p; p += strcspn(p, "/"), p += *p == '/')
		if (p[0] == '.' && (p[1] == '\0' || p[1] == '/' ||
				    (p[1] == '.' && (p[2] == '\0' || p[2] == '/'))))
			return false;
	return true;
}

int metrics_helper_render(int root_fd, const char *units, size_t len, FILE *f)
{
	_cleanup_free_ struct sample *v = NULL;
	size_t n = 0;
	int r = parse_units(units, len, NULL, &n);

	if (r < 0)
		return r;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	parse_units(units, len, v, &n);
	for (size_t i = 0; i < n; i++) {
		const char *path = v[i].unit + strlen(v[i].unit) + 1;
		_cleanup_close_ int fd = -1;

		if (!path_below(path))
			continue;
		fd = openat(root_fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			cgroup_stats_read(fd, &v[i].st);   /* gone meanwhile: no figures */
	}
	for (size_t k = 0; k < ARRAY_SIZE(stat_families); k++)
		render_stat(f, v, n, &stat_families[k]);
	render_psi(f, v, n, false);
	render_psi(f, v, n, true);
	return 0;
}

bool metrics_helper_requested(int argc, char **argv)
{
	return argc == 2 && strcmp(argv[1], METRICS_HELPER_ARG) == 0;
}

/* The pairs: fd 0 mapped whole (a memfd PID 1 wrote and no longer
 * changes), bounded by what METRICS_HELPER_UNITS_MAX pairs can take. */
static int units_map(const char **ret, size_t *ret_len)
{
	const size_t max = (size_t)METRICS_HELPER_UNITS_MAX *
			   (UNIT_NAME_MAX + UNIT_CGROUP_PATH_MAX + 2);
	struct stat st;
	void *p;

	if (fstat(STDIN_FILENO, &st) < 0)
		return -errno;
	if (st.st_size < 0 || (uint64_t)st.st_size > max)
		return -EFBIG;
	*ret_len = (size_t)st.st_size;
	if (*ret_len == 0) {
		*ret = "";
		return 0;
	}
	p = mmap(NULL, *ret_len, PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);
	if (p == MAP_FAILED)
		return -errno;
	*ret = p;
	return 0;
}

_Noreturn void metrics_helper_main(void)
{
	static char buf[1 << 16];
	const char *units = NULL;
	size_t len = 0;
	int32_t r;
	FILE *f;

	/* Its reads go after every service's work: the text can wait. */
	setpriority(PRIO_PROCESS, 0, 10);
	prctl(PR_SET_NAME, "initd-metrics");
	r = units_map(&units, &len);
	f = r == 0 ? fdopen(STDOUT_FILENO, "w") : NULL;
	if (r == 0 && !f)
		r = -errno;
	if (r == 0) {
		setvbuf(f, buf, _IOFBF, sizeof(buf));
		r = metrics_helper_render(METRICS_HELPER_ROOT_FD, units, len, f);
		if (fflush(f) != 0 && r == 0)
			r = -errno;
	}
	(void)!write(METRICS_HELPER_REPORT_FD, &r, sizeof(r));
	_exit(r == 0 ? 0 : 1);
}
