/* arena.c — the block a decoded set's units live in (internal.h says why).
 *
 * One anonymous mapping, bumped; nothing in it is freed alone. Strings
 * are interned through a hash table that lives only while the set is
 * being copied in: 1000 units running /bin/sleep hold "/bin/sleep" once.
 *
 * The mapping is shared, not private (issue 19): a fork copies the page
 * tables of private memory (and the child's exec tears them down again),
 * but leaves a shared mapping's to be faulted in as the child reads it. A
 * spawned child reads its one unit, a few pages, where the copy was of the
 * whole model: at 10,000 units 3.7 MiB, per spawn. Sealed, the block is
 * read-only, so no child (nor PID 1) can write into what it shares. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "units/internal.h"

struct unit_arena {
	uint8_t *base;
	size_t size;            /* mapped */
	size_t used;
	size_t strings;         /* of used: interned string bytes */
	size_t records;         /* of used: optional records (encode.c says) */
	char **table;           /* interning: open addressing, NULL = free */
	size_t table_cap;       /* a power of two, 0 = no table */
	size_t table_n;
};

struct unit_arena *arena_new(size_t size)
{
	struct unit_arena *a = calloc(1, sizeof(*a));
	long page = sysconf(_SC_PAGESIZE);

	if (!a)
		return NULL;
	a->size = (size + (size_t)page - 1) / (size_t)page * (size_t)page;
	if (a->size == 0)
		a->size = (size_t)page;
	a->base = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a->base == MAP_FAILED) {
		free(a);
		return NULL;
	}
	return a;
}

void arena_free(struct unit_arena *a)
{
	if (!a)
		return;
	if (a->size)
		munmap(a->base, a->size);
	free(a->table);
	free(a);
}

/* align: a power of two. Zeroed (fresh pages of the mapping). */
void *arena_alloc(struct unit_arena *a, size_t n, size_t align)
{
	size_t at = (a->used + align - 1) & ~(align - 1);

	if (at > a->size || n > a->size - at)
		return NULL;
	a->used = at + n;
	return a->base + at;
}

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The table at most half full: doubled (and rehashed) before that. */
static int table_grow(struct unit_arena *a)
{
	size_t cap = a->table_cap ? a->table_cap * 2 : 256;
	char **t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < a->table_cap; i++) {
		size_t j;
		if (!a->table[i])
			continue;
		for (j = str_hash(a->table[i]) & (cap - 1); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = a->table[i];
	}
	free(a->table);
	a->table = t;
	a->table_cap = cap;
	return 0;
}

char *arena_strdup(struct unit_arena *a, const char *s)
{
	size_t n = strlen(s) + 1, j;
	char *p;

	if ((a->table_n + 1) * 2 > a->table_cap && table_grow(a) < 0)
		return NULL;
	for (j = str_hash(s) & (a->table_cap - 1); a->table[j]; j = (j + 1) & (a->table_cap - 1))
		if (strcmp(a->table[j], s) == 0)
			return a->table[j];
	p = arena_alloc(a, n, 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	a->strings += n;
	a->table[j] = p;
	a->table_n++;
	return p;
}

void arena_seal(struct unit_arena *a)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t keep = (a->used + (size_t)page - 1) / (size_t)page * (size_t)page;

	free(a->table);
	a->table = NULL;
	a->table_cap = a->table_n = 0;
	if (keep == 0)
		keep = (size_t)page;
	if (keep < a->size && munmap(a->base + keep, a->size - keep) == 0)
		a->size = keep;
	if (mprotect(a->base, a->size, PROT_READ) < 0) {
		/* Still right, only writable: nothing writes a sealed set. */
	}
}

void arena_note_records(struct unit_arena *a, size_t n)
{
	a->records += n;
}

void arena_usage(const struct unit_arena *a, struct arena_usage *u)
{
	*u = (struct arena_usage){ .used = a->used, .strings = a->strings, .mapped = a->size,
				   .records = a->records };
}
