/* logbuf.c — see logbuf.h. */
#include "initd/logbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int logbuf_init(struct logbuf *b, size_t size)
{
	/* The ring is allocated by the first output: most services of an
	 * appliance print little or nothing, and 1000 idle rings would be
	 * 64 MiB of PID 1's address space for fork to copy. */
	b->data = NULL;
	b->size = size;
	b->end = 0;
	return size ? 0 : -EINVAL;
}

void logbuf_free(struct logbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->size = 0;
}

void logbuf_append(struct logbuf *b, const void *p, size_t n)
{
	const char *s = p;

	if (!b->data && n > 0 && !(b->data = malloc(b->size))) {
		b->end += n;   /* counted as lost: a follower sees the gap */
		return;
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

static char byte_at(const struct logbuf *b, uint64_t off)
{
	return b->data[off % b->size];
}

uint64_t logbuf_tail_offset(const struct logbuf *b, unsigned lines)
{
	uint64_t off = b->end, first = oldest(b);

	if (!b->data || lines == 0)
		return b->end;
	/* A trailing newline ends the last line; it does not start another. */
	if (off > first && byte_at(b, off - 1) == '\n')
		off--;
	while (off > first) {
		if (byte_at(b, off - 1) == '\n' && --lines == 0)
			return off;
		off--;
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
