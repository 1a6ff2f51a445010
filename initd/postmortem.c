/* postmortem.c — a unit's post-mortem records: the ring, what goes into a
 * record (postmortem.h says what and why). */
#include "initd/postmortem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/logtime.h"
#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/logbuf.h"

/* ---- the ring ---------------------------------------------------------------- */

/* Resize to keep slots, the newest min(n, keep) records kept in order. */
static int ring_resize(struct postmortem_ring *r, unsigned keep)
{
	struct postmortem *rec = calloc(keep, sizeof(*rec));
	unsigned n = r->n < keep ? r->n : keep;

	if (!rec)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)   /* oldest kept first */
		rec[i] = *postmortem_ring_get(r, n - 1 - i);
	free(r->rec);
	r->rec = rec;
	r->cap = keep;
	r->n = n;
	r->next = n % keep;
	return 0;
}

int postmortem_ring_fit(struct postmortem_ring *r, unsigned keep)
{
	if (keep == 0) {
		postmortem_ring_free(r);
		return 0;
	}
	return r->cap != keep ? ring_resize(r, keep) : 0;
}

struct postmortem *postmortem_ring_add(struct postmortem_ring *r, unsigned keep)
{
	struct postmortem *p;

	if (postmortem_ring_fit(r, keep) < 0 || keep == 0)
		return NULL;
	p = &r->rec[r->next];
	memset(p, 0, sizeof(*p));
	r->next = (r->next + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
	return p;
}

const struct postmortem *postmortem_ring_get(const struct postmortem_ring *r, unsigned i)
{
	if (i >= r->n)
		return NULL;
	return &r->rec[(r->next + r->cap - 1 - i) % r->cap];
}

void postmortem_ring_free(struct postmortem_ring *r)
{
	free(r->rec);
	*r = (struct postmortem_ring){ 0 };
}

/* ---- filling a record ---------------------------------------------------------- */

#define POSTMORTEM_FILE_MAX 512   /* cpu.stat is the longest we read */

static void stat_number(int dir_fd, const char *file, struct postmortem *p,
			enum postmortem_stat st)
{
	char buf[64], *end;
	unsigned long long v;

	if (cgroup_read_file(dir_fd, file, buf, sizeof(buf)) < 0)
		return;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return;
	p->stat[st] = v;
	p->have |= 1U << st;
}

static void stat_keyed(int dir_fd, const char *file, const char *key, struct postmortem *p,
		       enum postmortem_stat st)
{
	char buf[POSTMORTEM_FILE_MAX];

	if (cgroup_read_file(dir_fd, file, buf, sizeof(buf)) >= 0 &&
	    cgroup_keyed_value(buf, key, &p->stat[st]) == 0)
		p->have |= 1U << st;
}

void postmortem_read_cgroup(int dir_fd, struct postmortem *p)
{
	stat_number(dir_fd, "memory.peak", p, POSTMORTEM_MEM_PEAK);
	stat_keyed(dir_fd, "cpu.stat", "usage_usec", p, POSTMORTEM_CPU_USAGE);
	stat_keyed(dir_fd, "memory.events", "oom_kill", p, POSTMORTEM_OOM_KILLS);
	stat_number(dir_fd, "pids.peak", p, POSTMORTEM_PIDS_PEAK);
}

void postmortem_take_lines(struct postmortem *p, const struct logbuf *log, unsigned lines)
{
	uint64_t from = logbuf_tail_offset(log, lines), next;
	size_t n;

	/* More than fits: start at the first whole line of the last bytes. */
	if (log->end - from > sizeof(p->lines) - 1)
		from = logbuf_line_after(log, log->end - (sizeof(p->lines) - 1));
	n = logbuf_read(log, from, p->lines, sizeof(p->lines) - 1, &next);
	p->lines[n] = '\0';
	/* The record is text to its end: a NUL the service wrote would hide
	 * the lines after it, its crash message often among them. */
	for (char *z = memchr(p->lines, '\0', n); z; z = memchr(z, '\0', n - (size_t)(z - p->lines)))
		*z = '?';
}

/* ---- as text --------------------------------------------------------------------- */

static size_t put(char *buf, size_t size, size_t o, const char *fmt, ...) _printf_(4, 5);

static size_t put(char *buf, size_t size, size_t o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o >= size)
		return o;
	va_start(ap, fmt);
	n = vsnprintf(buf + o, size - o, fmt, ap);
	va_end(ap);
	return n < 0 ? o : o + (size_t)n;
}

static size_t put_counters(const struct postmortem *p, char *buf, size_t size, size_t o)
{
	static const char *const names[POSTMORTEM_STAT_MAX] = {
		[POSTMORTEM_MEM_PEAK] = "memory.peak",
		[POSTMORTEM_CPU_USAGE] = "cpu.usage_usec",
		[POSTMORTEM_OOM_KILLS] = "oom_kills",
		[POSTMORTEM_PIDS_PEAK] = "pids.peak",
	};

	o = put(buf, size, o, "  restarts %u", p->restarts);
	for (int i = 0; i < POSTMORTEM_STAT_MAX; i++)
		if (p->have & (1U << i))
			o = put(buf, size, o, ", %s %llu", names[i], (unsigned long long)p->stat[i]);
	return put(buf, size, o, "\n");
}

size_t postmortem_format(const struct postmortem *p, const char *name, char *buf, size_t size)
{
	char stamp[LOGTIME_SIZE];
	size_t o;

	if (size == 0)
		return 0;
	logtime_format(stamp, p->wall_usec);
	o = put(buf, size, 0, "%s post-mortem %s: %s\n", stamp, name, p->reason);
	o = put_counters(p, buf, size, o);
	for (const char *l = p->lines; *l; ) {
		size_t k = strcspn(l, "\n");

		o = put(buf, size, o, "  | %.*s\n", (int)k, l);
		l += k + (l[k] == '\n');
	}
	if (o >= size)
		o = size - 1;
	buf[o] = '\0';
	return o;
}
