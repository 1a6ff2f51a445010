/* utf8.h — UTF-8 as a terminal reads it: what initd relays from a service
 * (its output, STATUS=) must not drive the console or svctl's terminal. */
#ifndef INITD_COMMON_UTF8_H
#define INITD_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), 0 if it is not one or
 * goes past avail bytes. Overlong forms, surrogates and code points past
 * U+10FFFF are invalid. A NUL is never a continuation byte, so a C string
 * may pass SIZE_MAX. */
size_t utf8_sequence(const unsigned char *s, size_t avail);

/* The character at p (n >= 1 bytes there): its length, and whether a
 * terminal must not get it as it is: a C0 control but those in keep, DEL,
 * C1 (U+0080..U+009F, which a terminal takes for ESC [ and the like), or a
 * byte that is not UTF-8 (its length 1; in a terminal's 8-bit mode 0x9b is
 * CSI too), or a character that reorders text (the bidi marks,
 * overrides and isolates) or ends a line unseen (U+2028/U+2029). Each such
 * character shows as one '?'. */
size_t utf8_char(const unsigned char *p, size_t n, const char *keep, bool *control);

/* in[0..n) into out (room for n bytes) with each character utf8_char
 * calls a control as '?': the length written. */
size_t utf8_clean(char *out, const char *in, size_t n, const char *keep);

#endif
