/* cmdline.c — see cmdline.h. */
#include "initd/cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cmdline_word.h"
#include "common/util.h"

#define CMDLINE_WORD_MAX 256   /* longer initd.* words are reported, not parsed */

/* A problem: counted, and told to fn with its message. */
#define report(fn, ctx, n, ...) do {					\
		char msg_[CMDLINE_WORD_MAX + 128];			\
		snprintf(msg_, sizeof(msg_), __VA_ARGS__);		\
		(*(n))++;						\
		if (fn)							\
			(fn)((ctx), msg_);				\
	} while (0)

static int crash_action_from(const char *v, enum crash_action *ret)
{
	for (int a = 0; a < CRASH_ACTION_MAX; a++)
		if (strcmp(v, crash_action_to_string((enum crash_action)a)) == 0) {
			*ret = (enum crash_action)a;
			return 0;
		}
	return -EINVAL;
}

/* initd.root=, initd.rootfstype=, initd.rootwait=: stage 1's (a disk
 * image), still on the command line when initd runs. */
static bool stage1_word(const char *w, size_t klen)
{
	static const char *const keys[] = { "initd.root", "initd.rootfstype", "initd.rootwait" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (klen == strlen(keys[i]) && !strncmp(w, keys[i], klen))
			return true;
	return false;
}

/* One word, "initd." already known to start it. */
static void parse_word(const char *w, struct boot_cmdline *c, cmdline_report_fn fn, void *ctx,
		       int *n)
{
	const char *eq = strchr(w, '=');
	const char *v = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - w) : strlen(w);

	if (klen == 10 && strncmp(w, "initd.mode", klen) == 0 && v) {
		if (unit_mode_name_valid(v))
			snprintf(c->mode, sizeof(c->mode), "%s", v);
		else
			report(fn, ctx, n, "%s: invalid mode name (1 to 32 of [A-Za-z0-9_-])", w);
	} else if (klen == 12 && strncmp(w, "initd.rescue", klen) == 0 && !v) {
		c->rescue = true;
	} else if (klen == 13 && strncmp(w, "initd.verbose", klen) == 0 && !v) {
		c->verbose = true;
	} else if (klen == 18 && strncmp(w, "initd.crash_action", klen) == 0 && v) {
		if (crash_action_from(v, &c->crash_action) == 0)
			c->has_crash_action = true;
		else
			report(fn, ctx, n, "%s: expected freeze, shell, reboot or poweroff", w);
	} else if (stage1_word(w, klen) && v) {
		;   /* the disk image's stage 1 read it (stage1/stage1.c) */
	} else {
		report(fn, ctx, n, "%s: unknown initd parameter (initd.mode=, initd.rescue, "
		       "initd.verbose, initd.crash_action=)", w);
	}
}

/* One word of either source: an initd.* word parsed (a too long one
 * reported), any other ignored. */
static void take_word(const char *w, bool too_long, struct boot_cmdline *c, cmdline_report_fn fn,
		      void *ctx, int *n)
{
	if (strncmp(w, "initd.", 6) != 0)
		return;
	if (too_long)
		report(fn, ctx, n, "%.64s...: too long", w);
	else
		parse_word(w, c, fn, ctx, n);
}

int cmdline_parse(const char *text, struct boot_cmdline *ret, cmdline_report_fn fn, void *ctx)
{
	const char *p = text, *end = text + strnlen(text, CMDLINE_MAX);
	int n = 0;

	*ret = (struct boot_cmdline){ .crash_action = CRASH_REBOOT };
	for (;;) {
		char w[CMDLINE_WORD_MAX + 1];
		int r = cmdline_word_next(&p, end, w, sizeof(w));

		if (r == 0)
			break;
		take_word(w, r < 0, ret, fn, ctx, &n);
	}
	return n;
}

int cmdline_parse_words(char *const *words, int count, struct boot_cmdline *c,
			cmdline_report_fn fn, void *ctx)
{
	size_t bytes = 0;
	int n = 0;

	for (int i = 0; i < count && words[i]; i++) {
		size_t len = strlen(words[i]);

		bytes += len + 1;
		if (bytes > CMDLINE_MAX)
			break;
		take_word(words[i], len > CMDLINE_WORD_MAX, c, fn, ctx, &n);
	}
	return n;
}

int cmdline_read(const char *path, char *buf, size_t size)
{
	/* PID 1 reads it before its event loop exists: a FIFO or a tty given
	 * with --cmdline must not hold it (no wait in open, none in read). */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	ssize_t got;

	if (size <= CMDLINE_MAX)
		return -EINVAL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	got = read_full(fd, buf, CMDLINE_MAX);
	if (got < 0)
		return (int)got;
	buf[got] = '\0';
	return 0;
}
