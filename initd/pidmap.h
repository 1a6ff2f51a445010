/* pidmap.h — which object a PID names, in O(1) (issue 19).
 *
 * The manager asks "whose main process is PID" at every readiness
 * datagram (anyone may send them, as often as they like), at every child
 * the SIGCHLD walk reaps (orphans included) and at every MAINPID= check.
 * A walk of every unit made each of those O(units): at 10,000 units,
 * 10,000 records read per datagram. This is an open-addressing table with
 * linear probing, kept at most half full, a deletion shifting its
 * followers back (no tombstones, so lookups never slow down over time).
 *
 * Its slots are nofork memory (nofork.h): no forked child reads them.
 * A failed growth (ENOMEM) leaves the table as it was and is the caller's
 * to handle (the manager then walks its units, as before the table).
 */
#ifndef INITD_PIDMAP_H
#define INITD_PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct pidmap_slot {
	pid_t pid;          /* 0: free */
	void *value;
};

struct pidmap {
	struct pidmap_slot *slot;
	size_t cap;         /* a power of two, or 0 before the first set */
	size_t n;
};

/* PID names VALUE from now on (whatever it named before). 0, -EINVAL
 * (pid <= 0), -ENOMEM. */
int pidmap_set(struct pidmap *pm, pid_t pid, void *value);
/* PID names nothing any more, if it named VALUE (another's entry stays). */
void pidmap_del(struct pidmap *pm, pid_t pid, const void *value);
/* What PID names, NULL when nothing. */
void *pidmap_get(const struct pidmap *pm, pid_t pid);
void pidmap_free(struct pidmap *pm);

#endif
