/* cmdline_word.c — see cmdline_word.h. */
#include "common/cmdline_word.h"

#include <errno.h>
#include <stdbool.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int cmdline_word_next(const char **p, const char *end, char *w, size_t size)
{
	const char *s = *p;
	size_t len = 0;
	bool quoted = false, long_word = false;

	while (s < end && is_blank(*s))
		s++;
	if (s == end) {
		*p = s;
		return 0;
	}
	for (; s < end && (quoted || !is_blank(*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (len < size - 1)
			w[len++] = *s;
		else
			long_word = true;
	}
	w[len] = '\0';
	*p = s;
	return long_word ? -E2BIG : 1;
}
