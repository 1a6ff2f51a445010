/* clean.h — text from initd, for a terminal (clean.c). */
#ifndef INITD_SVCTL_CLEAN_H
#define INITD_SVCTL_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Text initd relays, for a terminal: it may come from a service (STATUS=,
 * its output, a reason quoting it) and must not drive the terminal. A
 * control character (C0 but those in keep, DEL, and C1, which a terminal
 * takes for ESC [ and the like, as UTF-8 or as a raw byte) or a byte that
 * is not UTF-8 is shown as '?'. print_clean: all of s, keeping none. */
void print_clean_n(FILE *f, const char *s, size_t n, const char *keep);
void print_clean(FILE *f, const char *s);
/* Whether s[0..n) is printable ASCII (' ' to '~'): the text print_clean_n
 * prints as it is, with no UTF-8 walk. */
bool clean_is_plain(const char *s, size_t n);

/* The same for text that comes in chunks cut at any byte (a service's
 * output, as initd's replies carry it): a UTF-8 sequence a chunk cut waits
 * for the next one; clean_stream_end writes what still waits. */
struct clean_stream {
	unsigned char buf[4];
	size_t n;
};
void clean_stream_write(FILE *f, struct clean_stream *cs, const char *s, size_t n,
			const char *keep);
void clean_stream_end(FILE *f, struct clean_stream *cs, const char *keep);

#endif
