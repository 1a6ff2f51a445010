/* nofork.c — see nofork.h. */
#include "initd/nofork.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SMALL_STEP 64          /* classes 64, 128, ..., 1024, then 2048 */
#define SMALL_MAX 1024
#define LARGE_MAX 2048         /* above: a mapping of its own */
#define N_SMALL (SMALL_MAX / SMALL_STEP)
#define N_CLASSES (N_SMALL + 1)
#define CHUNK_SIZE (256 * 1024)

struct free_block {
	struct free_block *next;
};

static struct {
	struct free_block *free[N_CLASSES];
	char *bump, *bump_end;       /* the current chunk's unused part */
	struct nofork_stats st;
} pool;

/* The class of a block of size bytes (1 <= size <= LARGE_MAX). */
static unsigned class_of(size_t size)
{
	return size <= SMALL_MAX ? (unsigned)((size + SMALL_STEP - 1) / SMALL_STEP) - 1 : N_SMALL;
}

static size_t class_size(unsigned c)
{
	return c < N_SMALL ? (size_t)(c + 1) * SMALL_STEP : LARGE_MAX;
}

/* SIZE_MAX when it has no page-rounded size: no mapping is that big. The
 * machine's page (64 KiB on some arm64 kernels), not 4 KiB. */
static size_t page_round(size_t size)
{
	static size_t page;

	if (!page) {
		long p = sysconf(_SC_PAGESIZE);

		page = p > 0 ? (size_t)p : 4096;
	}
	return size > SIZE_MAX - (page - 1) ? SIZE_MAX : (size + page - 1) & ~(page - 1);
}

size_t nofork_block_size(size_t size)
{
	if (size == 0)
		return 0;
	return size > LARGE_MAX ? page_round(size) : class_size(class_of(size));
}

#ifdef NOFORK_SANITIZED
void *nofork_alloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void nofork_free(void *p, size_t size)
{
	free(p);
}

void *nofork_realloc(void *p, size_t old_size, size_t new_size)
{
	return realloc(p, new_size ? new_size : 1);
}

#else
/* Anonymous memory a fork leaves out. */
static void *map_nofork(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, size, MADV_DONTFORK) < 0) {
		/* Not a reason to fail: only forks cost more. */
	}
	pool.st.mapped += size;
	return p;
}

void *nofork_alloc(size_t size)
{
	struct free_block *b;
	size_t bs = nofork_block_size(size ? size : 1);
	unsigned c;

	if (bs > LARGE_MAX) {
		void *p = bs < SIZE_MAX ? map_nofork(bs) : NULL;

		if (p)
			pool.st.in_use += bs;
		return p;   /* a fresh mapping is zeroed */
	}
	c = class_of(bs);
	if ((b = pool.free[c])) {
		pool.free[c] = b->next;
		pool.st.free -= bs;
		memset(b, 0, bs);
	} else {
		if ((size_t)(pool.bump_end - pool.bump) < bs) {
			/* The old chunk's tail (less than one block) stays
			 * unused: never touched, so never resident. */
			char *chunk = map_nofork(CHUNK_SIZE);

			if (!chunk)
				return NULL;
			pool.bump = chunk;
			pool.bump_end = chunk + CHUNK_SIZE;
		}
		b = (struct free_block *)pool.bump;   /* never handed out: zeroed */
		pool.bump += bs;
	}
	pool.st.in_use += bs;
	return b;
}

void nofork_free(void *p, size_t size)
{
	size_t bs = nofork_block_size(size ? size : 1);
	struct free_block *b = p;
	unsigned c;

	if (!p)
		return;
	pool.st.in_use -= bs;
	if (bs > LARGE_MAX) {
		munmap(p, bs);
		pool.st.mapped -= bs;
		return;
	}
	c = class_of(bs);
	b->next = pool.free[c];
	pool.free[c] = b;
	pool.st.free += bs;
}

void *nofork_realloc(void *p, size_t old_size, size_t new_size)
{
	size_t ob = nofork_block_size(old_size ? old_size : 1);
	size_t nb = nofork_block_size(new_size ? new_size : 1);
	void *n;

	if (p && ob == nb)
		return p;
	if (p && ob > LARGE_MAX && nb > LARGE_MAX && nb < SIZE_MAX) {
		/* Page tables moved, no bytes copied; the flags stay. */
		n = mremap(p, ob, nb, MREMAP_MAYMOVE);
		if (n == MAP_FAILED)
			return NULL;
		pool.st.in_use += nb - ob;
		pool.st.mapped += nb - ob;
		return n;
	}
	if (!(n = nofork_alloc(new_size)))
		return NULL;
	if (p)
		memcpy(n, p, old_size < new_size ? old_size : new_size);
	nofork_free(p, old_size);
	return n;
}
#endif

void nofork_stats(struct nofork_stats *ret)
{
	*ret = pool.st;
}
