/* log.c — see log.h. */
#include "initd/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int kmsg_fd = -1;
static int max_level = LOG_INFO;
static unsigned long dropped;

void log_open(bool kmsg)
{
	int flags = fcntl(STDERR_FILENO, F_GETFL);

	if (flags >= 0)
		fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
	if (kmsg && kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

void log_set_max_level(int level)
{
	max_level = level;
}

unsigned long log_dropped(void)
{
	return dropped;
}

static const char *level_prefix(int level)
{
	switch (level) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	default:
		return "";
	}
}

void log_msg(int level, const char *fmt, ...)
{
	char text[1024], line[1100];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	n = snprintf(line, sizeof(line), "initd: %s%s\n", level_prefix(level), text);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (write(STDERR_FILENO, line, (size_t)n) != n)
		dropped++;
	if (kmsg_fd >= 0) {
		/* Clamped to notice: with "quiet" the kernel would print errors on
		 * the console a second time. The severity is in the text. */
		n = snprintf(line, sizeof(line), "<%d>initd: %s%s\n",
			     level < LOG_NOTICE ? LOG_NOTICE : level, level_prefix(level), text);
		if (n > (int)sizeof(line) - 1)
			n = sizeof(line) - 1;
		if (write(kmsg_fd, line, (size_t)n) != n)
			dropped++;
	}
}

void log_service_output(const char *name, const char *buf, size_t len, bool console,
			bool kmsg)
{
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		char line[1100];
		int k;

		if (n > 0 && console) {
			k = snprintf(line, sizeof(line), "%s: %.*s\n", name, (int)(n > 1000 ? 1000 : n),
				     buf);
			if (write(STDERR_FILENO, line, (size_t)k) != k)
				dropped++;
		}
		if (n > 0 && kmsg && kmsg_fd >= 0) {
			k = snprintf(line, sizeof(line), "<%d>%s: %.*s\n", LOG_INFO, name,
				     (int)(n > 1000 ? 1000 : n), buf);
			if (write(kmsg_fd, line, (size_t)k) != k)
				dropped++;
		}
		buf += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
}
