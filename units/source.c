/* source.c — getting a file's text into a libconfig tree: a bounded read,
 * checks libconfig cannot make itself (NUL bytes, line numbers it would
 * wrap, @include that would read other files), then config_read_string. */
#include <fcntl.h>
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
	if (!config_read_string(cfg, text)) {
		const char *msg = config_error_text(cfg);
		r = diag_add(c, config_error_line(cfg), "%s", msg ? msg : "syntax error");
		return r < 0 ? r : -EINVAL;
	}
	return 0;
}
