/* envfile.c — see envfile.h. */
#include "common/envfile.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool key_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

/* One line, line[0..n) with no '\n': *ret_entry NULL when skipped.
 * 0, or -EINVAL with *ret_why. */
static int parse_line(char *line, size_t n, char **ret_entry, const char **ret_why)
{
	size_t i = 0, k, v;

	*ret_entry = NULL;
	if (n && line[n - 1] == '\r')
		n--;
	while (i < n && is_blank(line[i]))
		i++;
	if (i == n || line[i] == '#')
		return 0;
	for (k = i; k < n && key_char(line[k], k == i); k++)
		;
	if (k == i || k == n || line[k] != '=') {
		*ret_why = k == i ? "expected KEY=VALUE" : "expected '=' right after the name";
		return -EINVAL;
	}
	v = k + 1;
	while (n > v && is_blank(line[n - 1]))
		n--;
	if (n > v && (line[v] == '"' || line[v] == '\'')) {
		if (n - v < 2 || line[n - 1] != line[v]) {
			*ret_why = "unterminated quote";
			return -EINVAL;
		}
		memmove(line + v, line + v + 1, n - v - 2);
		n -= 2;
	}
	line[n] = '\0';
	*ret_entry = line + i;
	return 0;
}

int envfile_parse(char *text, size_t len, envfile_fn *fn, void *data, unsigned *ret_line,
		  const char **ret_why)
{
	unsigned lineno = 0;

	*ret_why = NULL;
	if (len > ENVFILE_SIZE_MAX) {
		*ret_line = 0;
		*ret_why = "file too large";
		return -EINVAL;
	}
	for (size_t at = 0; at < len;) {
		char *nl = memchr(text + at, '\n', len - at), *entry;
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		int r;

		*ret_line = ++lineno;
		if (memchr(text + at, '\0', n)) {
			*ret_why = "NUL byte";
			return -EINVAL;
		}
		if (n > ENVFILE_LINE_MAX) {
			*ret_why = "line too long";
			return -EINVAL;
		}
		r = parse_line(text + at, n, &entry, ret_why);
		if (r == 0 && entry)
			r = fn(entry, data);
		if (r < 0)
			return r;
		at += n + 1;
	}
	return 0;
}
