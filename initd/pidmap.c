/* pidmap.c — see pidmap.h. */
#include "initd/pidmap.h"

#include <errno.h>
#include <stdint.h>

#include "initd/nofork.h"

#define PIDMAP_CAP_MIN 64   /* slots: 1 KiB, one nofork block */

/* Fibonacci hashing: PIDs come in runs, which the multiply spreads. */
static size_t home(const struct pidmap *pm, pid_t pid)
{
	return (size_t)(((uint32_t)pid * 2654435761u) & (uint32_t)(pm->cap - 1));
}

static size_t find(const struct pidmap *pm, pid_t pid)
{
	size_t i = home(pm, pid);

	while (pm->slot[i].pid && pm->slot[i].pid != pid)
		i = (i + 1) & (pm->cap - 1);
	return i;
}

static int grow(struct pidmap *pm)
{
	size_t cap = pm->cap ? pm->cap * 2 : PIDMAP_CAP_MIN;
	struct pidmap old = *pm;

	if (cap > SIZE_MAX / 2 / sizeof(*pm->slot))
		return -ENOMEM;
	pm->slot = nofork_alloc(cap * sizeof(*pm->slot));
	if (!pm->slot) {
		*pm = old;
		return -ENOMEM;
	}
	pm->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].pid)
			pm->slot[find(pm, old.slot[i].pid)] = old.slot[i];
	nofork_free(old.slot, old.cap * sizeof(*old.slot));
	return 0;
}

int pidmap_set(struct pidmap *pm, pid_t pid, void *value)
{
	size_t i;

	if (pid <= 0)
		return -EINVAL;
	if (pm->cap) {
		i = find(pm, pid);
		if (pm->slot[i].pid) {
			pm->slot[i].value = value;
			return 0;
		}
	}
	if ((pm->n + 1) * 2 > pm->cap && grow(pm) < 0)
		return -ENOMEM;
	i = find(pm, pid);
	pm->slot[i] = (struct pidmap_slot){ .pid = pid, .value = value };
	pm->n++;
	return 0;
}

void *pidmap_get(const struct pidmap *pm, pid_t pid)
{
	size_t i;

	if (!pm->cap || pid <= 0)
		return NULL;
	i = find(pm, pid);
	return pm->slot[i].pid ? pm->slot[i].value : NULL;
}

/* Linear probing's deletion: each follower in the run after the hole
 * moves into it unless its home lies cyclically in (hole, follower]. */
void pidmap_del(struct pidmap *pm, pid_t pid, const void *value)
{
	size_t mask = pm->cap - 1, hole, j;

	if (!pm->cap || pid <= 0)
		return;
	hole = find(pm, pid);
	if (!pm->slot[hole].pid || pm->slot[hole].value != value)
		return;
	for (j = (hole + 1) & mask; pm->slot[j].pid; j = (j + 1) & mask) {
		size_t h = home(pm, pm->slot[j].pid);

		if (((j - h) & mask) >= ((j - hole) & mask)) {
			pm->slot[hole] = pm->slot[j];
			hole = j;
		}
	}
	pm->slot[hole] = (struct pidmap_slot){ 0 };
	pm->n--;
}

void pidmap_free(struct pidmap *pm)
{
	if (pm->cap)
		nofork_free(pm->slot, pm->cap * sizeof(*pm->slot));
	*pm = (struct pidmap){ 0 };
}
