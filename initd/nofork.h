/* nofork.h — PID 1's memory that no forked child gets (issue 19).
 *
 * Every fork of PID 1 (a service's clone3, a probe, the log writer) copies
 * the page tables of PID 1's writable memory, write-protects them for
 * copy-on-write, and the child's exec tears its copy down again: kernel
 * work per page PID 1 holds, so with 10,000 units each spawn cost more
 * than with 1,000. What only PID 1 ever reads, each service's runtime
 * record and its log ring, comes from here instead: chunks marked
 * MADV_DONTFORK, which a forked child does not have at all.
 *
 * So a forked child must never touch this memory (it would fault), nor
 * allocate from it: the children's code reads only the unit model, PID
 * 1's configuration and its own stack (doc/DESIGN.md §13 and §14).
 *
 * Blocks up to 2 KiB come in size classes (multiples of 64 bytes to 1 KiB,
 * then 2 KiB) carved from 256 KiB chunks, a freed block kept on its
 * class's list for the next of that class; a larger block is a mapping
 * of its own, unmapped when freed (all of it back to the kernel) and
 * grown by mremap (nothing copied). The caller passes a block's size
 * back: it always knows it (a struct's, a ring's capacity).
 *
 * Under ASan the blocks are malloc's, so the sanitizer still sees every
 * overflow of them (and nofork_stats reads 0); PID 1 is single-threaded,
 * and so is this.
 */
#ifndef INITD_NOFORK_H
#define INITD_NOFORK_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define NOFORK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NOFORK_SANITIZED 1
#endif
#endif

/* A zeroed block of at least size bytes, NULL when out of memory. */
void *nofork_alloc(size_t size);
void nofork_free(void *p, size_t size);
/* A block of new_size holding p's first min(old, new) bytes (the rest not
 * zeroed), p freed; NULL (p untouched) when out of memory. */
void *nofork_realloc(void *p, size_t old_size, size_t new_size);
/* What a block of that size takes (its class), for the memory metrics. */
size_t nofork_block_size(size_t size);

struct nofork_stats {
	size_t in_use;     /* bytes in blocks handed out, by their class */
	size_t free;       /* bytes on the free lists */
	size_t mapped;     /* chunks and large blocks */
};
void nofork_stats(struct nofork_stats *ret);

#endif
