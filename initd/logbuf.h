/* logbuf.h — a bounded ring of a service's output.
 *
 * initd holds each service's stdout/stderr pipe across restarts and appends
 * what it reads here; when the ring is full the oldest bytes go. `svctl logs`
 * reads the last N lines. A monotonically growing byte offset (`end`) lets a
 * follower ask for "everything after offset X" and learn what it missed.
 */
#ifndef INITD_LOGBUF_H
#define INITD_LOGBUF_H

#include <stddef.h>
#include <stdint.h>

struct logbuf {
	char *data;
	size_t cap;        /* allocated: grows by doubling up to size */
	size_t size;       /* the ring's bound */
	uint64_t end;      /* total bytes ever appended */
	uint64_t serial;   /* this ring's alone (0: none yet): a follower tells
	                    * a unit's new ring from the one it read */
};

/* Set up an empty ring of at most `size` bytes. Memory comes with output:
 * it starts small and doubles until it reaches `size`, and only then wraps,
 * so a quiet service costs little and a chatty one its bound. The bytes are
 * PID 1's alone: from nofork.h, which no forked child gets. */
int logbuf_init(struct logbuf *b, size_t size);
void logbuf_free(struct logbuf *b);
void logbuf_append(struct logbuf *b, const void *p, size_t n);

/* Offset where the last `lines` lines begin (the oldest retained byte at
 * most). */
uint64_t logbuf_tail_offset(const struct logbuf *b, unsigned lines);
/* The same for the lines that end before offset end. */
uint64_t logbuf_tail_offset_before(const struct logbuf *b, uint64_t end, unsigned lines);
/* The offset just past the first newline at or after off (the end when
 * there is none): where the next line starts. */
uint64_t logbuf_line_after(const struct logbuf *b, uint64_t off);
/* Copy bytes [from, end) (from clamped to what is retained) into out, at most
 * max bytes; returns the number copied and the offset after them. */
size_t logbuf_read(const struct logbuf *b, uint64_t from, char *out, size_t max,
		   uint64_t *ret_next);

/* The offset of the oldest byte still held (0 until the ring wrapped). */
uint64_t logbuf_oldest(const struct logbuf *b);

/* For a follower at *offset: how many bytes it lost (overwritten before it
 * took them), then up to max bytes from where the ring still has them, as
 * logbuf_read. *offset moves past both. */
size_t logbuf_follow(const struct logbuf *b, uint64_t *offset, char *out, size_t max,
		     uint64_t *ret_lost);

#endif
