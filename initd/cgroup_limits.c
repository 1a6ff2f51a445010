/* cgroup_limits.c — see cgroup_limits.h. */
#include "initd/cgroup_limits.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initd/cgroup.h"

#define STAT_FILE_MAX 1024   /* bytes read from one statistics file */

static bool has(const struct unit_limits *l, enum unit_limit bit)
{
	return l->declared & UNIT_LIMIT_BIT(bit);
}

/* A byte count or a rate, or "max". */
static void format_limit(char *buf, size_t size, uint64_t v)
{
	if (v == UNIT_UNLIMITED)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

static struct cgroup_setting *add(struct cgroup_setting *out, size_t *n, const char *file)
{
	out[*n].file = file;
	out[*n].value[0] = '\0';
	return &out[(*n)++];
}

/* io.max: a line per device. */
static void settings_io_max(const struct unit_limits *l, const char *file,
			    struct cgroup_setting *out, size_t *n)
{
	for (size_t i = 0; i < l->n_io_max; i++) {
		const struct unit_io_limit *d = &l->io_max[i];
		char r[24], w[24], ri[24], wi[24];

		format_limit(r, sizeof(r), d->rbps);
		format_limit(w, sizeof(w), d->wbps);
		format_limit(ri, sizeof(ri), d->riops);
		format_limit(wi, sizeof(wi), d->wiops);
		snprintf(add(out, n, file)->value, CGROUP_VALUE_MAX,
			 "%" PRIu32 ":%" PRIu32 " rbps=%s wbps=%s riops=%s wiops=%s",
			 d->major, d->minor, r, w, ri, wi);
	}
}

/* Key i's value as its kernel file takes it. */
static void setting_value(const struct unit_limits *l, enum unit_limit i, char *buf)
{
	const void *v = unit_limit_value(l, i);

	switch (unit_limit_table[i].kind) {
	case UNIT_LIMIT_KIND_SIZE:
	case UNIT_LIMIT_KIND_COUNT:
		format_limit(buf, CGROUP_VALUE_MAX, *(const uint64_t *)v);
		break;
	case UNIT_LIMIT_KIND_WEIGHT:
		snprintf(buf, CGROUP_VALUE_MAX, "%" PRIu32, *(const uint32_t *)v);
		break;
	case UNIT_LIMIT_KIND_IO_WEIGHT:
		snprintf(buf, CGROUP_VALUE_MAX, "default %" PRIu32, *(const uint32_t *)v);
		break;
	case UNIT_LIMIT_KIND_BOOL:
		snprintf(buf, CGROUP_VALUE_MAX, "%d", *(const bool *)v ? 1 : 0);
		break;
	case UNIT_LIMIT_KIND_DURATION:
		snprintf(buf, CGROUP_VALUE_MAX, "%" PRIu64, *(const uint64_t *)v);
		break;
	case UNIT_LIMIT_KIND_CPULIST:
		snprintf(buf, CGROUP_VALUE_MAX, "%s", *(char *const *)v);
		break;
	case UNIT_LIMIT_KIND_CPU_MAX:
		format_limit(buf, CGROUP_VALUE_MAX, l->cpu_quota_usec);
		snprintf(buf + strlen(buf), CGROUP_VALUE_MAX - strlen(buf), " %" PRIu64,
			 l->cpu_period_usec);
		break;
	case UNIT_LIMIT_KIND_IO_MAX:   /* several lines: settings_io_max */
	case UNIT_LIMIT_KIND_MAX:
		break;
	}
}

/* In table order: a key's file is written after those of the keys above
 * it (cpu.max before anything that the kernel bounds by it). */
size_t cgroup_limits_settings(const struct unit_limits *l, struct cgroup_setting *out)
{
	size_t n = 0;

	for (int i = 0; i < UNIT_LIMIT_MAX; i++) {
		const struct unit_limit_desc *d = &unit_limit_table[i];
		if (!has(l, i))
			continue;
		if (d->kind == UNIT_LIMIT_KIND_IO_MAX)
			settings_io_max(l, d->file, out, &n);
		else
			setting_value(l, i, add(out, &n, d->file)->value);
	}
	return n;
}

int cgroup_limits_write(int dir_fd, const struct unit_limits *l, const char **ret_file)
{
	_cleanup_free_ struct cgroup_setting *s = NULL;
	size_t n;

	/* Most units declare none: then no table either, whose zeroing
	 * after a fork took a copy-on-write fault on each of its pages at
	 * every leaf made (issue 19). */
	if (!l->declared)
		return 0;
	s = calloc(CGROUP_SETTINGS_MAX, sizeof(*s));
	if (!s)
		return -ENOMEM;
	n = cgroup_limits_settings(l, s);
	/* The kernel refuses a cpu.max quota below the cpu.max.burst already
	 * set (a reload lowering both): clear the burst first; it is
	 * written again from the table when declared. Absent before 5.14. */
	if (l->declared & UNIT_LIMIT_BIT(UNIT_LIMIT_CPU_MAX)) {
		int r = cgroup_write_file(dir_fd, "cpu.max.burst", "0");
		if (r < 0 && r != -ENOENT) {
			*ret_file = "cpu.max.burst";
			return r;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int r = cgroup_write_file(dir_fd, s[i].file, s[i].value);
		if (r < 0) {
			*ret_file = s[i].file;
			return r;
		}
	}
	return 0;
}

static bool io_device_kept(const struct unit_limits *now, uint32_t major, uint32_t minor)
{
	for (size_t i = 0; has(now, UNIT_LIMIT_IO_MAX) && i < now->n_io_max; i++)
		if (now->io_max[i].major == major && now->io_max[i].minor == minor)
			return true;
	return false;
}

static int reset_io_device(int dir_fd, const struct unit_limits *now, uint32_t major,
			   uint32_t minor)
{
	char line[96];
	int r;

	if (io_device_kept(now, major, minor))
		return 0;
	snprintf(line, sizeof(line), "%" PRIu32 ":%" PRIu32 " rbps=max wbps=max riops=max wiops=max",
		 major, minor);
	r = cgroup_write_file(dir_fd, "io.max", line);
	return r == -ENODEV ? 0 : r;   /* the device went away, its limit too */
}

/* io.max read back to reset a slice that was not in the previous text:
 * a line is ~60 bytes, so ~270 limited devices. */
#define IO_MAX_FILE_MAX 16384

/* "MAJ:MIN ..." of an io.max line (the kernel writes a blank and the
 * limits after it: a line without one was cut). By hand, not sscanf:
 * glibc's scanf and its locale code were 120 KiB of the static PID 1. */
static bool io_line_device(const char *line, unsigned *major, unsigned *minor)
{
	char *end;
	unsigned long a, b;

	if (*line < '0' || *line > '9')
		return false;
	a = strtoul(line, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	b = strtoul(end + 1, &end, 10);
	if (*end != ' ' || a > UINT_MAX || b > UINT_MAX)
		return false;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return true;
}

/* was's devices, or (was NULL) those the file lists: "MAJ:MIN rbps=...". */
static int reset_io_max(int dir_fd, const struct unit_limits *was, const struct unit_limits *now)
{
	char text[IO_MAX_FILE_MAX], *line, *save = NULL;
	unsigned major, minor;
	int r = 0, k, n;

	if (was) {
		for (size_t i = 0; i < was->n_io_max; i++)
			if ((k = reset_io_device(dir_fd, now, was->io_max[i].major,
						 was->io_max[i].minor)) < 0 && r == 0)
				r = k;
		return r;
	}
	n = cgroup_read_file(dir_fd, "io.max", text, sizeof(text));
	if (n < 0)
		return n;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (io_line_device(line, &major, &minor) &&
		    (k = reset_io_device(dir_fd, now, major, minor)) < 0 && r == 0)
			r = k;
	/* A full buffer may have left devices unread: said, not hidden. */
	return r == 0 && (size_t)n == sizeof(text) - 1 ? -EFBIG : r;
}

int cgroup_limits_reset(int dir_fd, const struct unit_limits *was, const struct unit_limits *now,
			const char **ret_file)
{
	int first = 0;

	for (int i = 0; i < UNIT_LIMIT_MAX; i++) {
		const struct unit_limit_desc *d = &unit_limit_table[i];
		int r = 0;

		if (was && !has(was, i))
			continue;
		if (i == UNIT_LIMIT_IO_MAX)
			r = reset_io_max(dir_fd, was, now);
		else if (!has(now, i))
			r = cgroup_write_file(dir_fd, d->file, d->reset);
		if (r < 0 && r != -ENOENT && first == 0) {
			*ret_file = d->file;
			first = r;   /* the others are still tried */
		}
	}
	return first;
}

/* ---- statistics -------------------------------------------------------------- */

/* "avg10=12.34" in line -> 1234. */
static int psi_avg10(const char *line, uint32_t *ret)
{
	const char *p = strstr(line, "avg10=");
	unsigned whole = 0, frac = 0, k;

	if (!p)
		return -EBADMSG;
	p += 6;
	for (k = 0; *p >= '0' && *p <= '9' && k < 4; p++, k++)
		whole = whole * 10 + (unsigned)(*p - '0');
	if (k == 0 || *p++ != '.' || whole > 100)
		return -EBADMSG;
	/* the kernel prints two decimals; a third (never seen) is cut */
	for (k = 0; *p >= '0' && *p <= '9' && k < 2; p++, k++)
		frac = frac * 10 + (unsigned)(*p - '0');
	if (k == 0)
		return -EBADMSG;
	*ret = whole * 100 + (k == 1 ? frac * 10 : frac);
	return 0;
}

/* "total=N" in line, up to its end: N, or 0 when absent (older kernels'
 * files all have it; a test's fake file may not). */
static uint64_t psi_total(const char *line)
{
	const char *p = strstr(line, "total=");
	const char *nl = strchr(line, '\n');

	if (!p || (nl && p > nl))
		return 0;
	return strtoull(p + 6, NULL, 10);
}

int cgroup_psi_parse(const char *text, struct cgroup_psi *p)
{
	const char *full = strstr(text, "full ");

	*p = (struct cgroup_psi){ 0, 0, 0, 0 };
	if (strncmp(text, "some ", 5) != 0 || psi_avg10(text, &p->some_avg10) < 0)
		return -EBADMSG;
	p->some_total = psi_total(text);
	if (full && psi_avg10(full, &p->full_avg10) < 0)
		return -EBADMSG;
	if (full)
		p->full_total = psi_total(full);
	return 0;
}

/* A file holding one number or "max": 0, or -errno/-EBADMSG; "max" gives
 * UNIT_UNLIMITED. */
static int read_number(int dir_fd, const char *file, uint64_t *ret)
{
	char buf[64], *end;
	unsigned long long v;
	int n = cgroup_read_file(dir_fd, file, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (strncmp(buf, "max", 3) == 0) {
		*ret = UNIT_UNLIMITED;
		return 0;
	}
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static void stat_number(int dir_fd, const char *file, uint64_t *v, struct cgroup_stats *st,
			enum cgroup_stat bit, bool max_counts)
{
	if (read_number(dir_fd, file, v) == 0 && (max_counts || *v != UNIT_UNLIMITED))
		st->have |= CGROUP_STAT_BIT(bit);
}

static void stats_cpu(int dir_fd, struct cgroup_stats *st, char *buf)
{
	if (cgroup_read_file(dir_fd, "cpu.stat", buf, STAT_FILE_MAX) < 0)
		return;
	if (cgroup_keyed_value(buf, "usage_usec", &st->cpu_usage_usec) == 0)
		st->have |= CGROUP_STAT_BIT(CGROUP_STAT_CPU_USAGE);
	if (cgroup_keyed_value(buf, "nr_periods", &st->cpu_nr_periods) == 0 &&
	    cgroup_keyed_value(buf, "nr_throttled", &st->cpu_nr_throttled) == 0 &&
	    cgroup_keyed_value(buf, "throttled_usec", &st->cpu_throttled_usec) == 0)
		st->have |= CGROUP_STAT_BIT(CGROUP_STAT_CPU_THROTTLING);
}

static void stats_events(int dir_fd, struct cgroup_stats *st, char *buf)
{
	if (cgroup_read_file(dir_fd, "memory.events", buf, STAT_FILE_MAX) >= 0 &&
	    cgroup_keyed_value(buf, "oom_kill", &st->oom_kills) == 0)
		st->have |= CGROUP_STAT_BIT(CGROUP_STAT_OOM_KILLS);
	if (cgroup_read_file(dir_fd, "pids.events", buf, STAT_FILE_MAX) >= 0 &&
	    cgroup_keyed_value(buf, "max", &st->pids_events) == 0)
		st->have |= CGROUP_STAT_BIT(CGROUP_STAT_PIDS_EVENTS);
}

static void stats_psi(int dir_fd, struct cgroup_stats *st, char *buf)
{
	static const struct {
		const char *file;
		enum cgroup_stat bit;
		size_t offset;
	} files[] = {
		{ "cpu.pressure", CGROUP_STAT_PSI_CPU, offsetof(struct cgroup_stats, psi_cpu) },
		{ "memory.pressure", CGROUP_STAT_PSI_MEMORY, offsetof(struct cgroup_stats, psi_memory) },
		{ "io.pressure", CGROUP_STAT_PSI_IO, offsetof(struct cgroup_stats, psi_io) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct cgroup_psi p;
		if (cgroup_read_file(dir_fd, files[i].file, buf, STAT_FILE_MAX) < 0 ||
		    cgroup_psi_parse(buf, &p) < 0)
			continue;
		memcpy((char *)st + files[i].offset, &p, sizeof(p));
		st->have |= CGROUP_STAT_BIT(files[i].bit);
	}
}

void cgroup_stats_read(int dir_fd, struct cgroup_stats *ret)
{
	char buf[STAT_FILE_MAX];

	memset(ret, 0, sizeof(*ret));
	stat_number(dir_fd, "memory.current", &ret->mem_current, ret, CGROUP_STAT_MEM_CURRENT, true);
	stat_number(dir_fd, "memory.peak", &ret->mem_peak, ret, CGROUP_STAT_MEM_PEAK, true);
	stat_number(dir_fd, "memory.max", &ret->mem_max, ret, CGROUP_STAT_MEM_MAX, false);
	stat_number(dir_fd, "pids.current", &ret->pids_current, ret, CGROUP_STAT_PIDS_CURRENT, true);
	stat_number(dir_fd, "pids.max", &ret->pids_max, ret, CGROUP_STAT_PIDS_MAX, false);
	stats_cpu(dir_fd, ret, buf);
	stats_events(dir_fd, ret, buf);
	stats_psi(dir_fd, ret, buf);
}

/* ---- controller lists ------------------------------------------------------------ */

uint32_t cgroup_controllers_parse(const char *list)
{
	char word[32];
	uint32_t mask = 0;

	for (const char *p = list; *p; ) {
		size_t n = strcspn(p, " \n");
		int c;

		if (n > 0 && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			c = unit_controller_from_string(word);
			if (c >= 0)
				mask |= UNIT_CONTROLLER_BIT(c);
		}
		p += n;
		p += strspn(p, " \n");
	}
	return mask;
}

const char *cgroup_controllers_format(uint32_t mask, const char *prefix, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int c = 0; c < UNIT_CONTROLLER_MAX && o < size; c++)
		if (mask & UNIT_CONTROLLER_BIT(c))
			o += (size_t)snprintf(buf + o, size - o, "%s%s%s", o ? " " : "", prefix,
					      unit_controller_to_string((enum unit_controller)c));
	return buf;
}
