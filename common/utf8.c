/* utf8.c — see utf8.h. */
#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	uint32_t cp, min;
	size_t n;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if (i >= avail || (s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A valid sequence of k bytes that reorders the text around it, or ends a
 * line where a terminal shows none: the bidi marks, embeddings, overrides
 * and isolates (U+061C, U+200E/F, U+202A-202E, U+2066-2069) and the line
 * and paragraph separators (U+2028/9). A service's line could otherwise
 * display in an order that lies. The joiners (U+200C/D: emoji sequences,
 * Persian and Indic text) are text. */
static bool utf8_format(const unsigned char *p, size_t k)
{
	if (k == 2)
		return p[0] == 0xd8 && p[1] == 0x9c;
	if (k != 3 || p[0] != 0xe2)
		return false;
	return (p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xa8 && p[2] <= 0xae))) ||
	       (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
}

size_t utf8_char(const unsigned char *p, size_t n, const char *keep, bool *control)
{
	size_t k = utf8_sequence(p, n);

	*control = k == 0 || (p[0] < 0x20 && !(p[0] && strchr(keep, p[0]))) || p[0] == 0x7f ||
		   (k == 2 && p[0] == 0xc2 && p[1] < 0xa0) || utf8_format(p, k);
	return k ? k : 1;
}

size_t utf8_clean(char *out, const char *in, size_t n, const char *keep)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t len = 0;

	for (size_t i = 0; i < n;) {
		bool control;
		size_t k = utf8_char(p + i, n - i, keep, &control);

		if (control)
			out[len++] = '?';
		else
			memcpy(out + len, p + i, k), len += k;
		i += k;
	}
	return len;
}
