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
 * A slot is only a pointer to the object (8 bytes: PID 1's memory per
 * service has a budget): the key is the pid_t at key_offset inside it. So
 * an object's key must not change while it is in the map: take it out
 * (pidmap_del), change the key, put it back (pidmap_add).
 *
 * Its slots are nofork memory (nofork.h): no forked child reads them.
 * The table doubles when it would be more than half full and halves when
 * a deletion leaves it an eighth full (at 10,000 units 256 KiB, back to
 * 1 KiB when they stop or a reload removes them). A failed growth
 * (ENOMEM) leaves the table as it was and is the caller's to handle (the
 * manager then drops it for good and walks its units, as before the
 * table); a failed shrink keeps the larger table.
 */
#ifndef INITD_PIDMAP_H
#define INITD_PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct pidmap {
	void **slot;        /* NULL: free */
	size_t cap;         /* a power of two, or 0 before the first add */
	size_t n;
	size_t key_offset;  /* of the pid_t in each object */
};

#define PIDMAP_INIT(offset) ((struct pidmap){ .key_offset = (offset) })

/* obj's key names obj from now on; an object that had the same key
 * leaves the map (its PID was reused before its end was seen). 0,
 * -EINVAL (a key <= 0), -ENOMEM. */
int pidmap_add(struct pidmap *pm, void *obj);
/* obj out of the map, found by its key; a no-op if it is not in it. */
void pidmap_del(struct pidmap *pm, const void *obj);
/* The object whose key is pid, NULL when none. */
void *pidmap_get(const struct pidmap *pm, pid_t pid);
/* The bytes its slots take (a metrics component). */
size_t pidmap_footprint(const struct pidmap *pm);
/* Every slot freed; the key offset stays. */
void pidmap_free(struct pidmap *pm);

#endif
