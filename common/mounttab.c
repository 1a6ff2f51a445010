/* mounttab.c — see mounttab.h. */
#include "common/mounttab.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

int mounttab_unescape(const char *field, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = field[i];

		/* The kernel escapes a byte as a backslash and three octal digits
		 * (fs/proc_namespace.c, mangle()); anything else is itself. */
		if (c == '\\' && i + 3 < len && is_octal(field[i + 1]) &&
		    is_octal(field[i + 2]) && is_octal(field[i + 3])) {
			c = (char)((field[i + 1] - '0') << 6 | (field[i + 2] - '0') << 3 |
				   (field[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Append a copy of target to t. 0 or -ENOMEM. */
static int targets_add(struct mounttab *t, size_t *cap, const char *target)
{
	if (t->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		char **v = realloc(t->targets, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->targets = v;
		*cap = ncap;
	}
	t->targets[t->n] = strdup(target);
	if (!t->targets[t->n])
		return -ENOMEM;
	t->n++;
	return 0;
}

int mounttab_read(FILE *f, struct mounttab *ret)
{
	char *line = NULL, target[PATH_MAX];
	size_t line_size = 0, cap = 0, len;
	const char *field;
	ssize_t n = 0;
	int r = 0;

	*ret = (struct mounttab){ 0 };
	/* getline: the kernel writes the lines, and an escaped path may be
	 * four times PATH_MAX. A target that does not decode into PATH_MAX
	 * bytes is no path umount2 takes: skipped. */
	while (r == 0 && ret->n < MOUNTTAB_MAX) {
		errno = 0;
		n = getline(&line, &line_size, f);
		if (n <= 0)
			break;
		if ((field = str_field(line, 1, &len)) &&
		    mounttab_unescape(field, len, target, sizeof(target)) == 0)
			r = targets_add(ret, &cap, target);
	}
	/* A failed read (getline's buffer, the kernel's seq_file out of
	 * memory) is not the table's end: the caller must not take what was
	 * read for all of it. Before glibc 2.37 getline's own ENOMEM sets no
	 * error flag: errno says it, and the stream is not at its end. */
	if (r == 0 && n < 0 && (ferror(f) || (errno && !feof(f))))
		r = errno == ENOMEM ? -ENOMEM : -EIO;
	free(line);
	return r;
}

void mounttab_free(struct mounttab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->targets[i]);
	free(t->targets);
	*t = (struct mounttab){ 0 };
}
