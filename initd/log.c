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

/* The lines every service together may still forward: LOG_FORWARD_RATE a
 * second, up to a burst of as many. */
static uint64_t forward_tokens = LOG_FORWARD_RATE;
static uint64_t forward_stamp;

static void forward_refill(void)
{
	uint64_t now = now_usec();
	uint64_t add = (now - forward_stamp) * LOG_FORWARD_RATE / USEC_PER_SEC;

	if (add == 0)
		return;      /* less than one line's worth: keep counting from the stamp */
	forward_stamp = now;
	forward_tokens = forward_tokens + add > LOG_FORWARD_RATE ? LOG_FORWARD_RATE
								 : forward_tokens + add;
}

/* One record to each sink asked for; a sink that cannot take it now drops
 * it (non-blocking). */
static void forward_line(const char *name, const char *text, size_t n, bool console, bool kmsg)
{
	char line[1100];
	int k;

	if (n > 1000)
		n = 1000;
	if (console) {
		k = snprintf(line, sizeof(line), "%s: %.*s\n", name, (int)n, text);
		if (write(STDERR_FILENO, line, (size_t)k) != k)
			dropped++;
	}
	if (kmsg && kmsg_fd >= 0) {
		k = snprintf(line, sizeof(line), "<%d>%s: %.*s\n", LOG_INFO, name, (int)n, text);
		if (write(kmsg_fd, line, (size_t)k) != k)
			dropped++;
	}
}

void log_service_output(const char *name, const char *buf, size_t len, bool console,
			bool kmsg, struct log_forward *fw)
{
	unsigned budget = LOG_FORWARD_PER_CALL;
	char summary[64];

	kmsg = kmsg && kmsg_fd >= 0;
	if (!console && !kmsg)
		return;
	forward_refill();
	/* At most one summary a second per service: a flood is reported in
	 * a few lines, not in one per chunk. */
	if (fw->skipped && forward_tokens > 0 &&
	    now_usec() - fw->summary_usec >= USEC_PER_SEC) {
		int k = snprintf(summary, sizeof(summary), "%lu lines not forwarded", fw->skipped);

		forward_line(name, summary, (size_t)k, console, kmsg);
		forward_tokens--;
		budget--;
		fw->skipped = 0;
		fw->summary_usec = now_usec();
	}
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (n > 0 && budget > 0 && forward_tokens > 0) {
			forward_line(name, buf, n, console, kmsg);
			forward_tokens--;
			budget--;
		} else if (n > 0) {
			fw->skipped++;
		}
		buf += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
}
