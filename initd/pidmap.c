/* pidmap.c — see pidmap.h. */
#include "initd/pidmap.h"

#include <errno.h>
#include <stdint.h>

#include "initd/nofork.h"

#define PIDMAP_CAP_MIN 128        /* slots: 1 KiB, one nofork block */
#define PIDMAP_CAP_MAX (1u << 30) /* home() shifts a 32-bit product */

static pid_t key(const struct pidmap *pm, const void *obj)
{
	return *(const pid_t *)(const void *)((const char *)obj + pm->key_offset);
}

/* Fibonacci hashing: the top bits of the product by 2^32 / phi, which
 * depend on every bit of the PID (the low ones would depend only on PID
 * mod cap). PIDs come in runs, which it spreads. */
static size_t home(const struct pidmap *pm, pid_t pid)
{
	return (size_t)(((uint32_t)pid * 2654435761u) >> (32 - __builtin_ctzl(pm->cap)));
}

/* The slot holding pid's object, or the free slot ending its run. */
static size_t find(const struct pidmap *pm, pid_t pid)
{
	size_t i = home(pm, pid);

	while (pm->slot[i] && key(pm, pm->slot[i]) != pid)
		i = (i + 1) & (pm->cap - 1);
	return i;
}

/* The table rebuilt with cap slots (a power of two holding n at most
 * half full). On ENOMEM it is left as it was. */
static int resize(struct pidmap *pm, size_t cap)
{
	struct pidmap old = *pm;

	if (cap > PIDMAP_CAP_MAX)
		return -ENOMEM;
	pm->slot = nofork_alloc(cap * sizeof(*pm->slot));
	if (!pm->slot) {
		*pm = old;
		return -ENOMEM;
	}
	pm->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i])
			pm->slot[find(pm, key(pm, old.slot[i]))] = old.slot[i];
	nofork_free(old.slot, old.cap * sizeof(*old.slot));
	return 0;
}

int pidmap_add(struct pidmap *pm, void *obj)
{
	pid_t pid = key(pm, obj);
	size_t i;

	if (pid <= 0)
		return -EINVAL;
	if (pm->cap && pm->slot[i = find(pm, pid)]) {
		pm->slot[i] = obj;   /* the same key, so the same slot */
		return 0;
	}
	if ((pm->n + 1) * 2 > pm->cap &&
	    resize(pm, pm->cap ? pm->cap * 2 : PIDMAP_CAP_MIN) < 0)
		return -ENOMEM;
	i = find(pm, pid);
	pm->slot[i] = obj;
	pm->n++;
	return 0;
}

void *pidmap_get(const struct pidmap *pm, pid_t pid)
{
	if (!pm->cap || pid <= 0)
		return NULL;
	return pm->slot[find(pm, pid)];
}

/* Linear probing's deletion: each follower in the run after the hole
 * moves into it unless its home lies cyclically in (hole, follower]. */
void pidmap_del(struct pidmap *pm, const void *obj)
{
	size_t mask = pm->cap - 1, hole, j;
	pid_t pid = key(pm, obj);

	if (!pm->cap || pid <= 0)
		return;
	hole = find(pm, pid);
	if (pm->slot[hole] != obj)
		return;
	for (j = (hole + 1) & mask; pm->slot[j]; j = (j + 1) & mask) {
		size_t h = home(pm, key(pm, pm->slot[j]));

		if (((j - h) & mask) >= ((j - hole) & mask)) {
			pm->slot[hole] = pm->slot[j];
			hole = j;
		}
	}
	pm->slot[hole] = NULL;
	pm->n--;
	/* An eighth full: half the slots go back (a reload to fewer units, a
	 * mass stop). Growth waits for half full, so a table at the boundary
	 * does not shrink and grow in turn. Without memory it stays as is. */
	if (pm->cap > PIDMAP_CAP_MIN && pm->n * 8 < pm->cap)
		(void)resize(pm, pm->cap / 2);
}

size_t pidmap_footprint(const struct pidmap *pm)
{
	return nofork_block_size(pm->cap * sizeof(*pm->slot));
}

void pidmap_free(struct pidmap *pm)
{
	if (pm->cap)
		nofork_free(pm->slot, pm->cap * sizeof(*pm->slot));
	*pm = PIDMAP_INIT(pm->key_offset);
}
