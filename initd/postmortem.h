/* postmortem.h — what initd keeps of a unit's unexpected exits (issue 17).
 *
 * On every exit that is a failure (a non-zero status, a signal, an OOM
 * kill, a watchdog or health kill, a start timeout; not a requested stop)
 * the manager fills one record: the wall time, the reason as svctl status
 * gives it, the restarts before it, the node's counters read once at the
 * exit (memory.peak, cpu.stat usage_usec, memory.events oom_kill,
 * pids.peak: they count since the unit's cgroup was made, so across its
 * restarts) and its last POSTMORTEM_LINES lines of output as the ring holds
 * them (stamped), at most POSTMORTEM_TEXT_MAX bytes.
 *
 * A unit keeps its last `postmortems` records (units/unit.h, 0..32,
 * default 5) in a ring allocated at its first failure: memory only for
 * units that failed, bounded per unit by keep * sizeof(struct postmortem).
 * Records are lost with initd (a persistent copy goes through the log
 * writer: manager_postmortem.c).
 */
#ifndef INITD_POSTMORTEM_H
#define INITD_POSTMORTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct logbuf;

#define POSTMORTEM_LINES     20
#define POSTMORTEM_TEXT_MAX  2048   /* bytes of lines, NUL included */
#define POSTMORTEM_REASON_MAX 256

enum postmortem_stat {
	POSTMORTEM_MEM_PEAK,      /* bytes */
	POSTMORTEM_CPU_USAGE,     /* usec */
	POSTMORTEM_OOM_KILLS,
	POSTMORTEM_PIDS_PEAK,
	POSTMORTEM_STAT_MAX,
};

struct postmortem {
	uint64_t wall_usec;           /* CLOCK_REALTIME, usec since the epoch */
	unsigned restarts;            /* automatic restarts before this exit */
	uint32_t have;                /* bit i: stat[i] was read */
	uint64_t stat[POSTMORTEM_STAT_MAX];
	char reason[POSTMORTEM_REASON_MAX];
	char lines[POSTMORTEM_TEXT_MAX];   /* whole lines, NUL-terminated */
};

/* The last `cap` records of one unit, oldest overwritten. */
struct postmortem_ring {
	struct postmortem *rec;       /* NULL until the first record */
	unsigned cap;                 /* slots in rec */
	unsigned n;                   /* records held, <= cap */
	unsigned next;                /* the slot the next record takes */
};

/* A slot for a new record, zeroed: the ring is (re)sized to keep first
 * (the newest records kept). NULL when keep is 0 or memory is short (the
 * record is then not kept). */
struct postmortem *postmortem_ring_add(struct postmortem_ring *r, unsigned keep);
/* The ring sized to keep (0: freed), its newest records kept: a reload's
 * new unit keeps as many as it says at once. 0, or -ENOMEM (as it was). */
int postmortem_ring_fit(struct postmortem_ring *r, unsigned keep);
/* The i-th newest record (0: the last one), or NULL. */
const struct postmortem *postmortem_ring_get(const struct postmortem_ring *r, unsigned i);
/* Free the records; the ring is empty after. */
void postmortem_ring_free(struct postmortem_ring *r);

/* The node's counters (dir_fd: the unit's cgroup node) into p->stat and
 * p->have; each file read once and bounded, absent ones left out. */
void postmortem_read_cgroup(int dir_fd, struct postmortem *p);
/* The ring's last `lines` whole lines into p->lines; when they are more
 * than POSTMORTEM_TEXT_MAX - 1 bytes, the newest lines that fit. */
void postmortem_take_lines(struct postmortem *p, const struct logbuf *log, unsigned lines);

/* The record as text for a file: "STAMP post-mortem NAME: REASON", a line
 * of counters, then its lines each indented by "  | ". Returns the
 * length (truncated to size - 1, NUL-terminated). */
size_t postmortem_format(const struct postmortem *p, const char *name, char *buf, size_t size);

#endif
