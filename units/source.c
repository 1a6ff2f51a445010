/* source.c — getting a file's text into a libconfig tree: a bounded read,
 * checks libconfig cannot make itself (NUL bytes, line numbers it would
 * wrap, @include that would read other files), then config_read_string. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "units/internal.h"

/* libconfig keeps line numbers in an unsigned short. */
#define SOURCE_LINES_MAX 65535

static int report_errno(struct parse_ctx *c, const char *what, int err)
{
	int r = diag_add(c, 0, "%s: %s", what, strerror(err));
	return r < 0 ? r : -EINVAL;
}

static int count_lines(const char *text, size_t len)
{
	int lines = 1;

	for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))); p++)
		lines++;
	return lines;
}

int source_read(struct parse_ctx *c, int dirfd, const char *path, char **ret_text)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *nul;
	struct stat st;
	ssize_t len;

	/* Looked at before it is opened, as compiled.c's digest does: an
	 * entry naming a device must not be opened (opening /dev/watchdog
	 * arms it, and a close without the magic resets the machine), and
	 * again once open (swapped in between). */
	if (fstatat(dirfd, path, &st, 0) < 0)
		return errno == ENOENT ? -ENOENT : report_errno(c, "cannot stat file", errno);
	if (S_ISREG(st.st_mode)) {
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return errno == ENOENT ? -ENOENT : report_errno(c, "cannot open file", errno);
		if (fstat(fd, &st) < 0)
			return report_errno(c, "cannot stat file", errno);
	}
	if (!S_ISREG(st.st_mode)) {
		int r = diag_add(c, 0, "not a regular file");
		return r < 0 ? r : -EINVAL;
	}
	buf = malloc(UNIT_FILE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	len = unit_file_read(fd, buf);
	if (len < 0)
		return report_errno(c, "cannot read file", (int)-len);
	if (len > UNIT_FILE_MAX) {
		int r = diag_add(c, 0, "file is larger than %d bytes", UNIT_FILE_MAX);
		return r < 0 ? r : -EINVAL;
	}
	nul = memchr(buf, '\0', (size_t)len);
	if (nul) {
		int r = diag_add(c, count_lines(buf, (size_t)(nul - buf)), "file contains a NUL byte");
		return r < 0 ? r : -EINVAL;
	}
	buf[len] = '\0';
	*ret_text = TAKE_PTR(buf);
	return 0;
}

/* Report every line that starts with @include: libconfig would read the
 * named file, outside the bounds and the file:line accounting here.
 * Returns how many were reported, or -ENOMEM. */
static int check_includes(struct parse_ctx *c, const char *text)
{
	int line = 1, found = 0, r;

	for (const char *p = text; p; line++) {
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0) {
			r = diag_add(c, line, "@include is not allowed");
			if (r < 0)
				return r;
			found++;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return found;
}

/* ---- integers libconfig would wrap ----------------------------------------
 * libconfig 1.5 reads an integer without the L suffix with atoi() and a
 * hex one into an int: 4294967297 becomes 1, and so passes a range check
 * meant to refuse it. Its tokens are found here as its scanner finds
 * them: outside strings and comments, not inside a setting name (letters,
 * digits, '_', '-', '*') or after a '.', and not part of a float, which
 * is read whole (its exponent's digits after a sign are no integer). */

static bool name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == '*' || ch == '.';
}

static bool digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Past the exponent at p ([eE][-+]?[0-9]+), or p where there is none. */
static const char *exponent_end(const char *p)
{
	const char *q = p + 1;

	if (*p != 'e' && *p != 'E')
		return p;
	q += *q == '+' || *q == '-';
	return digit(*q) ? q + strspn(q, "0123456789") : p;
}

/* Past the float at p (after its sign), as libconfig's scanner reads one:
 * digits, a '.', digits, an exponent, with a '.' or an exponent at
 * least; p where there is no float (digits alone are an integer). */
static const char *float_end(const char *p)
{
	const char *q = p + strspn(p, "0123456789"), *e;

	if (*q == '.')
		return exponent_end(q + 1 + strspn(q + 1, "0123456789"));
	e = exponent_end(q);
	return q > p && e > q ? e : p;
}

/* Past a comment or string at p (which starts one), counting lines. */
static const char *skip_comment_or_string(const char *p, int *line)
{
	const char *end;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (*p == '\n')
				(*line)++;
		}
		return *p ? p + 1 : p;
	}
	if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
		end = strchr(p, '\n');
		return end ? end : p + strlen(p);
	}
	end = strstr(p + 2, "*/");   /* '/' '*' */
	end = end ? end + 2 : p + strlen(p);
	for (; p < end; p++)
		if (*p == '\n')
			(*line)++;
	return end;
}

/* The number token at p (a sign, a digit or a '.', not inside a name):
 * its end into *ret_end; -ERANGE when libconfig would wrap it (an integer
 * without L beyond 32 bits), -EOVERFLOW when it is beyond 64 bits (an L
 * cannot help), -ENOENT when it is no integer (a float, or no number). */
static int integer_token(const char *p, const char **ret_end)
{
	const char *q = p + (*p == '+' || *p == '-');
	bool hex = q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
	const char *digits = hex ? q + 2 : q;
	size_t n = strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789");
	const char *end = digits + n;
	bool big = *end == 'L';
	long long v;
	char *e;

	if (!hex && float_end(q) > q) {
		*ret_end = float_end(q);
		return -ENOENT;
	}
	*ret_end = end + big + (big && end[1] == 'L');
	if (n == 0)
		return -ENOENT;
	errno = 0;
	if (hex) {
		unsigned long long u = strtoull(digits, &e, 16);

		if (errno == ERANGE || u > (unsigned long long)LLONG_MAX)
			return -EOVERFLOW;
		v = (long long)u;
	} else {
		v = strtoll(p, &e, 10);
		if (errno == ERANGE)
			return -EOVERFLOW;
	}
	return !big && (v < INT32_MIN || v > INT32_MAX) ? -ERANGE : 0;
}

/* Whether a number token starts at p: a digit or a '.', a sign before
 * either. */
static bool number_start(const char *p)
{
	p += *p == '+' || *p == '-';
	return digit(*p) || *p == '.';
}

/* Report each integer libconfig would read wrong; how many, or -ENOMEM. */
static int check_integers(struct parse_ctx *c, const char *text)
{
	int line = 1, found = 0, r;
	const char *p = text, *end;

	while (*p) {
		if (*p == '"' || *p == '#' || (p[0] == '/' && (p[1] == '/' || p[1] == '*'))) {
			p = skip_comment_or_string(p, &line);
			continue;
		}
		if ((p > text && name_char(p[-1])) || !number_start(p)) {
			line += *p == '\n';
			p++;
			continue;
		}
		r = integer_token(p, &end);
		if (r == -ERANGE || r == -EOVERFLOW) {
			int len = (int)(end - p);

			if (r == -EOVERFLOW)
				r = diag_add(c, line, "integer %.*s does not fit in 64 bits", len, p);
			else
				r = diag_add(c, line, "integer %.*s does not fit in 32 bits (libconfig "
					     "would wrap it; write %.*sL)", len, p, len, p);
			if (r < 0)
				return r;
			found++;
		}
		p = end;
	}
	return found;
}

/* ---- the lines of string elements -----------------------------------------
 * libconfig stamps a string element of a list or an array with the line of
 * the token after it (it reads on to see whether another string continues
 * the value: "a" "b" is one), so the last element of
 *     requires_mounts = [
 *         "/data"
 *     ];
 * was reported at the ']' line. Each string value is found again in the
 * text, in the order libconfig added them to the tree (the file's: no name
 * is quoted, no @include), and an element gets the line its value starts
 * on. A member's line is its name's, which libconfig has right. */

/* How deep the tree is walked; a deeper file keeps libconfig's lines. */
#define SOURCE_DEPTH_MAX 32

struct string_scan {
	const char *p;
	int line;
};

/* The line the next string value starts on, the scan moved past it (and
 * the strings continuing it); 0 when the text has no more. */
static int string_scan_next(struct string_scan *s)
{
	int start = 0;

	while (*s->p) {
		const char *p = s->p;

		if (*p == '"' && !start)
			start = s->line;
		if (*p == '"' || *p == '#' || (p[0] == '/' && (p[1] == '/' || p[1] == '*')))
			s->p = skip_comment_or_string(p, &s->line);
		else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f')
			s->line += *s->p++ == '\n';
		else if (start)
			break;
		else
			s->p++;
	}
	return start;
}

/* Each string value under s, in order, read off the scan: its element's
 * line set when set is true. -EINVAL when the text runs out first,
 * -E2BIG past SOURCE_DEPTH_MAX. */
static int string_lines_walk(config_setting_t *s, struct string_scan *scan, bool set,
			     unsigned depth)
{
	int n = config_setting_length(s);

	if (depth > SOURCE_DEPTH_MAX)
		return -E2BIG;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		int line, r;

		if (config_setting_is_aggregate(e)) {
			r = string_lines_walk(e, scan, set, depth + 1);
			if (r < 0)
				return r;
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			continue;
		line = string_scan_next(scan);
		if (!line)
			return -EINVAL;
		if (set && !config_setting_name(e))
			e->line = (unsigned)line;
	}
	return 0;
}

/* Once the text and the tree are seen to hold the same strings, the
 * elements' lines are set; otherwise they stay libconfig's. */
static void string_lines_fix(const char *text, config_t *cfg)
{
	struct string_scan scan = { text, 1 };

	if (string_lines_walk(config_root_setting(cfg), &scan, false, 0) < 0 ||
	    string_scan_next(&scan))
		return;
	scan = (struct string_scan){ text, 1 };
	string_lines_walk(config_root_setting(cfg), &scan, true, 0);
}

int source_parse(struct parse_ctx *c, const char *text, config_t *cfg)
{
	int r;

	config_init(cfg);
	config_set_options(cfg, config_get_options(cfg) & ~CONFIG_OPTION_AUTOCONVERT);
	if (count_lines(text, strlen(text)) > SOURCE_LINES_MAX) {
		r = diag_add(c, 0, "file has more than %d lines", SOURCE_LINES_MAX);
		return r < 0 ? r : -EINVAL;
	}
	r = check_includes(c, text);
	if (r != 0)
		return r < 0 ? r : -EINVAL;
	r = check_integers(c, text);
	if (r != 0)
		return r < 0 ? r : -EINVAL;
	if (!config_read_string(cfg, text)) {
		const char *msg = config_error_text(cfg);
		r = diag_add(c, config_error_line(cfg), "%s", msg ? msg : "syntax error");
		return r < 0 ? r : -EINVAL;
	}
	string_lines_fix(text, cfg);
	return 0;
}
