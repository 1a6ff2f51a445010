/* kmod.c — see kmod.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/kmod.h"

/* Module names: '-' and '_' are one character to the kernel. */
bool kmod_name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return i == alen && !b[i];
}

/* Does one line ("kernel/.../NAME.ko") name the module? */
static bool line_names(const char *line, size_t len, const char *name)
{
	const char *base;

	if (len < 4 || memcmp(line + len - 3, ".ko", 3) != 0)
		return false;
	len -= 3;
	base = memrchr(line, '/', len);
	base = base ? base + 1 : line;
	return kmod_name_eq(base, len - (size_t)(base - line), name);
}

bool kmod_file_names(const char *file, const char *name)
{
	size_t len = strlen(file);

	return len > 3 && memcmp(file + len - 3, ".ko", 3) == 0 &&
	       kmod_name_eq(file, len - 3, name);
}

bool kmod_builtin(int fd, const char *name)
{
	char buf[4096], line[KMOD_LINE_MAX];
	size_t len = 0, total = 0;
	bool skipping = false;
	ssize_t n;

	if (fd < 0 || !name || !*name)
		return false;
	while (total < KMOD_SIZE_MAX && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		total += (size_t)n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line))
					line[len++] = buf[i];
				else
					skipping = true;
				continue;
			}
			if (!skipping && line_names(line, len, name))
				return true;
			len = 0;
			skipping = false;
		}
	}
	return !skipping && line_names(line, len, name);
}
