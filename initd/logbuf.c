/* logbuf.c — see logbuf.h. */
#include "initd/logbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "initd/nofork.h"

/* The first ring fits the first output: nofork's smallest class, doubled
 * until it holds it. Most services say a line or two at startup and then
 * little; 256 bytes each was a fifth of PID 1's memory per unit with 1000
 * of them (issue 19). A chatty one pays two more doublings, once. */
#define LOGBUF_FIRST 64

int logbuf_init(struct logbuf *b, size_t size)
{
	static uint64_t serials;

	b->data = NULL;
	b->cap = 0;
	b->size = size;
	b->end = 0;
	b->serial = ++serials;
	return size ? 0 : -EINVAL;
}

void logbuf_free(struct logbuf *b)
{
	nofork_free(b->data, b->cap);
	b->data = NULL;
	b->cap = 0;
}

/* Before the ring is full size it never wraps: bytes sit at their offset, so
 * growing is a plain copy. Returns false when memory ran out. */
static bool grow(struct logbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : LOGBUF_FIRST;
	char *d;

	while (cap < need && cap < b->size)
		cap *= 2;
	if (cap > b->size)
		cap = b->size;
	d = nofork_realloc(b->data, b->cap, cap);
	if (!d)
		return false;
	b->data = d;
	b->cap = cap;
	return true;
}

void logbuf_append(struct logbuf *b, const void *p, size_t n)
{
	const char *s = p;

	if (n == 0)
		return;
	if (b->cap < b->size && b->end + n > b->cap &&
	    !grow(b, b->end + n > b->size ? b->size : (size_t)b->end + n)) {
		/* Out of memory: the ring stays the size it has (nothing is
		 * kept when it has none). Every byte kept is still at its
		 * offset modulo the smaller size, and no read reaches past
		 * what was allocated or into bytes never written. */
		if (!b->data)
			return;
		b->size = b->cap;
	}
	if (n > b->size) {
		b->end += n - b->size;
		s += n - b->size;
		n = b->size;
	}
	while (n > 0) {
		size_t at = (size_t)(b->end % b->size);
		size_t k = b->size - at < n ? b->size - at : n;

		memcpy(b->data + at, s, k);
		b->end += k;
		s += k;
		n -= k;
	}
}

static uint64_t oldest(const struct logbuf *b)
{
	return b->end > b->size ? b->end - b->size : 0;
}

uint64_t logbuf_oldest(const struct logbuf *b)
{
	return oldest(b);
}

/* What logbuf_tail_offset_before hands memrchr at once, at most. */
#define TAIL_WINDOW 4096

static char byte_at(const struct logbuf *b, uint64_t off)
{
	return b->data[off % b->size];
}

uint64_t logbuf_tail_offset(const struct logbuf *b, unsigned lines)
{
	return logbuf_tail_offset_before(b, b->end, lines);
}

uint64_t logbuf_tail_offset_before(const struct logbuf *b, uint64_t end, unsigned lines)
{
	uint64_t first = oldest(b), off = end > b->end ? b->end : end < first ? first : end;

	end = off;
	if (!b->data || lines == 0)
		return end;
	/* A trailing newline ends the last line; it does not start another. */
	if (off > first && byte_at(b, off - 1) == '\n')
		off--;
	/* Back a window of a stretch the ring holds in one piece at a time,
	 * by memrchr: `logs --since` reads a 16 MiB ring whole, and a byte
	 * and a modulo per step cost PID 1 ~40 ms of it per request. The
	 * window bounds each call: a sanitizer checks the whole range it is
	 * given, which over the whole stretch made the scan quadratic. */
	while (off > first) {
		size_t at = (size_t)((off - 1) % b->size) + 1;   /* data[0, at) ends at off */
		size_t span = off - first < at ? (size_t)(off - first) : at;
		const char *base = b->data + at - (span < TAIL_WINDOW ? span : TAIL_WINDOW);
		const char *end_p = b->data + at, *nl = end_p;

		while ((nl = memrchr(base, '\n', (size_t)(nl - base))))
			if (--lines == 0)
				return off - (uint64_t)(end_p - nl) + 1;
		off -= (uint64_t)(end_p - base);
	}
	return first;
}

size_t logbuf_read(const struct logbuf *b, uint64_t from, char *out, size_t max,
		   uint64_t *ret_next)
{
	size_t n = 0;

	if (from < oldest(b))
		from = oldest(b);
	while (b->data && from < b->end && n < max) {
		size_t at = (size_t)(from % b->size);
		size_t k = b->size - at;

		if (k > b->end - from)
			k = (size_t)(b->end - from);
		if (k > max - n)
			k = max - n;
		memcpy(out + n, b->data + at, k);
		n += k;
		from += k;
	}
	*ret_next = from;
	return n;
}

size_t logbuf_follow(const struct logbuf *b, uint64_t *offset, char *out, size_t max,
		     uint64_t *ret_lost)
{
	uint64_t from = *offset > b->end ? b->end : *offset;   /* another ring's: its end */

	*ret_lost = from < oldest(b) ? oldest(b) - from : 0;
	return logbuf_read(b, from + *ret_lost, out, max, offset);
}

uint64_t logbuf_line_after(const struct logbuf *b, uint64_t off)
{
	if (off < oldest(b))
		off = oldest(b);
	while (b->data && off < b->end) {
		size_t at = (size_t)(off % b->size), k = b->size - at;
		const char *nl;

		if (k > b->end - off)
			k = (size_t)(b->end - off);
		nl = memchr(b->data + at, '\n', k);
		if (nl)
			return off + (uint64_t)(nl - (b->data + at)) + 1;
		off += k;
	}
	return b->end;
}
