/* diag_collect.c — diagnostics collected while a file is read: "FILE:LINE:
 * message" appended, outside values quoted into messages, and "did you
 * mean" hints. A diagnostic's text and freeing are diag.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* A copy of file and msg into slot v (whose old contents are not freed).
 * 0 or -ENOMEM (v untouched). */
static int diag_set(struct unit_diag *v, const char *file, int line, const char *msg)
{
	_cleanup_free_ char *f = strdup(file ? file : "");
	_cleanup_free_ char *m = strdup(msg);

	if (!f || !m)
		return -ENOMEM;
	*v = (struct unit_diag){ TAKE_PTR(f), line < 0 ? 0 : line, TAKE_PTR(m) };
	return 0;
}

/* Append a copy of file and msg to d. 0 or -ENOMEM (d->n unchanged). */
int diags_append(struct unit_diags *d, const char *file, int line, const char *msg)
{
	struct unit_diag *v = realloc(d->v, (d->n + 1) * sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	d->v = v;
	r = diag_set(&v[d->n], file, line, msg);
	d->n += r == 0;
	return r;
}

int diags_set_at(struct unit_diags *to, const char *file, int line, const char *msg)
{
	int r = diag_set(&to->v[to->n], file, line, msg);

	to->n += r == 0;
	return r;
}

/* Append copies of from's diagnostics to to, whose array already has room
 * for them past to->n (diags_copy makes it; set_collect_diags makes it once
 * for all the units). 0 or -ENOMEM (those copied so far kept). */
int diags_copy_into(struct unit_diags *to, const struct unit_diags *from)
{
	for (size_t i = 0; i < from->n; i++) {
		int r = diag_set(&to->v[to->n], from->v[i].file, from->v[i].line,
				 from->v[i].message);
		if (r < 0)
			return r;
		to->n++;
	}
	return 0;
}

int diags_copy(struct unit_diags *to, const struct unit_diags *from)
{
	struct unit_diag *v;

	if (from->n == 0)
		return 0;
	v = realloc(to->v, (to->n + from->n) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	to->v = v;
	return diags_copy_into(to, from);
}

/* Report an error in c's file. Past UNIT_DIAG_MAX - 1 diagnostics one last
 * "too many errors" is kept and the rest dropped. 0 or -ENOMEM. */
int diag_add(struct parse_ctx *c, int line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	c->failed = true;
	if (c->diags->n >= UNIT_DIAG_MAX)
		return 0;
	if (c->diags->n == UNIT_DIAG_MAX - 1)
		return diags_append(c->diags, c->file, 0, "too many errors, not reporting more");
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		msg = NULL;
		return -ENOMEM;
	}
	return diags_append(c->diags, c->file, line, msg);
}

int warn_add(struct parse_ctx *c, int line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	if (!c->warnings || c->warnings->n >= UNIT_DIAG_MAX)
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		msg = NULL;
		return -ENOMEM;
	}
	return diags_append(c->warnings, c->file, line, msg);
}

/* Copy s into buf for a message: at most DIAG_QUOTE_MAX bytes, then "...";
 * control characters, quotes and backslashes escaped as \xNN. Returns buf. */
const char *diag_quote(char buf[static DIAG_QUOTE_SIZE], const char *s)
{
	size_t o = 0, i;

	for (i = 0; i < DIAG_QUOTE_MAX && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || ch == '\'' || ch == '\\')
			o += (size_t)snprintf(buf + o, DIAG_QUOTE_SIZE - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	if (s[i])
		o += (size_t)snprintf(buf + o, DIAG_QUOTE_SIZE - o, "...");
	buf[o] = '\0';
	return buf;
}

#define HINT_LEN_MAX 64

/* Optimal string alignment distance of a (la bytes) and b (lb bytes), a
 * transposition counting once, when it is at most limit; else limit + 1.
 * Bounded because a hint looks at every name of a unit set: the rows stop
 * once two in a row are all past limit (a cell takes from its own row,
 * the one above, and the one above that plus one, so none after them can
 * come back), and names whose lengths differ by more are not compared. */
static size_t edit_distance_within(const char *a, size_t la, const char *b, size_t lb,
				   size_t limit)
{
	uint8_t d[HINT_LEN_MAX + 1][HINT_LEN_MAX + 1];   /* distances <= 64 */
	size_t above_min = 0;

	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (uint8_t)j;
	for (size_t i = 1; i <= la; i++) {
		size_t row_min = i;
		d[i][0] = (uint8_t)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = d[i - 1][j - 1] + (unsigned)(a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1u < v)
				v = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < v)
				v = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (uint8_t)v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > limit && above_min > limit)
			return limit + 1;
		above_min = row_min;
	}
	return d[la][lb] <= limit ? d[la][lb] : limit + 1;
}

/* The candidate closest to word when it is close enough to be a typo
 * (distance 1 for words of up to 4 bytes, else 2), the first on ties;
 * NULL otherwise. Returns a borrowed candidate. Each comparison is bounded
 * by the best distance found so far (a later candidate must beat it). */
const char *hint_closest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : 2;
	const char *best = NULL;

	if (len == 0 || len > HINT_LEN_MAX)
		return NULL;
	if (limit >= len)
		limit = len - 1;   /* under the word's length: "a" is no typo of "b" */
	for (size_t i = 0; i < n && limit > 0; i++) {
		size_t lc, d;
		if (!candidates[i] || (lc = strnlen(candidates[i], HINT_LEN_MAX + 1)) > HINT_LEN_MAX)
			continue;
		d = edit_distance_within(word, len, candidates[i], lc, limit);
		if (d > 0 && d <= limit) {
			best = candidates[i];
			limit = d - 1;
		}
	}
	return best;
}
