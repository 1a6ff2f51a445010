/* clean.c — text from initd made safe for a terminal (clean.h). Apart from
 * output.c so that what links only the client (svctl/client.c: its error
 * messages) does not link every table printer too. */
#include "svctl/clean.h"

#include <string.h>

#include "common/utf8.h"

bool clean_is_plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] - 0x20u > 0x7eu - 0x20u)
			return false;
	return true;
}

/* The clean bytes go out in runs, one fwrite each (not one a character:
 * a table of 1000 units is ~70,000 of them). */
void print_clean_n(FILE *f, const char *s, size_t n, const char *keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;   /* clean bytes before p + i, not written yet */

	if (clean_is_plain(s, n)) {   /* most text: no UTF-8 walk */
		fwrite(s, 1, n, f);
		return;
	}
	for (size_t i = 0; i < n;) {
		bool control;
		size_t k = utf8_char(p + i, n - i, keep, &control);

		if (control) {
			fwrite(p + i - run, 1, run, f);
			run = 0;
			fputc('?', f);
		} else {
			run += k;
		}
		i += k;
	}
	fwrite(p + n - run, 1, run, f);
}

void print_clean(FILE *f, const char *s)
{
	print_clean_n(f, s, strlen(s), "");
}

/* The length a UTF-8 lead byte announces; 1 for anything else (a byte that
 * print_clean_n judges alone). */
static size_t utf8_announced(unsigned char c)
{
	return c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
	       c >= 0xf0 && c <= 0xf4 ? 4 : 1;
}

/* How many bytes at the end of p[0..n) start a sequence that goes on past
 * it (0 to 3): those wait for the next chunk. */
static size_t utf8_cut_tail(const unsigned char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = p[n - back];

		if ((c & 0xc0) != 0x80)   /* not a continuation: the lead */
			return utf8_announced(c) > back ? back : 0;
	}
	return 0;
}

void clean_stream_write(FILE *f, struct clean_stream *cs, const char *s, size_t n,
			const char *keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t tail;

	/* A sequence the last chunk cut: completed from this one (or judged
	 * as it is, once its announced length is there or cannot be). */
	while (cs->n && n) {
		size_t want = utf8_announced(cs->buf[0]);

		if ((*p & 0xc0) != 0x80 || cs->n == want) {
			clean_stream_end(f, cs, keep);
			break;
		}
		cs->buf[cs->n++] = *p++;
		n--;
		if (cs->n == want)
			clean_stream_end(f, cs, keep);
	}
	tail = utf8_cut_tail(p, n);
	print_clean_n(f, (const char *)p, n - tail, keep);
	memcpy(cs->buf, p + n - tail, tail);
	cs->n += tail;
}

void clean_stream_end(FILE *f, struct clean_stream *cs, const char *keep)
{
	if (cs->n)
		print_clean_n(f, (const char *)cs->buf, cs->n, keep);
	cs->n = 0;
}
