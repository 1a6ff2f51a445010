/* log.c — see log.h. */
#include "initd/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/utf8.h"
#include "initd/loop.h"
#include "initd/nofork.h"

/* The longest record written at once: a message or a forwarded line. */
#define LOG_LINE_MAX 1100

static int kmsg_fd = -1;
static int max_level = LOG_INFO;
static unsigned long dropped;

/* A write to /dev/kmsg prints the record on the console inside it when
 * the console's level lets it (6.1, a boot without `quiet`): at the
 * UART's speed, ~9 ms a line at 115200 baud. So PID 1 spends at most
 * KMSG_BUDGET_USEC of each KMSG_WINDOW_USEC in those writes (and one
 * record more); the records past it are dropped, counted, and the count
 * goes to /dev/kmsg before the next record of a later window. */
#define KMSG_WINDOW_USEC USEC_PER_SEC
#define KMSG_BUDGET_USEC (50 * USEC_PER_MSEC)
static struct {
	uint64_t window;             /* its start, monotonic */
	uint64_t spent;              /* usec inside write() in it */
	unsigned long lost;          /* records dropped, not yet reported */
} kbudget;

/* Console records that could not be written at once, in order. A tty
 * refuses a non-blocking write while another process writes to it (its
 * write lock is taken with a trylock), not only when its buffer is full:
 * a rescue shell echoing a typed line was enough to lose a message. The
 * bytes live in BSS, touched only when a record has to wait. */
static struct {
	size_t len;
	unsigned long lost;          /* records dropped since the last report */
	struct loop *loop;
	struct loop_watch watch;     /* fd 2, while bytes wait */
	bool watching;
	char buf[LOG_PENDING_MAX + LOG_LINE_MAX];   /* a started record always fits */
} pending;

/* How much of the queue services' forwarded lines may fill: the rest is
 * kept for initd's own messages. */
#define FORWARD_PENDING_MAX (LOG_PENDING_MAX / 2)

/* PID 1 writes the console through fd 2, non-blocking: its own records
 * and anything else of PID 1's there (glibc's message before it aborts on
 * a broken heap), so that a console that takes nothing cannot hold it.
 * The helpers it starts (loader, mount helper and its fsck, log writer,
 * metrics helper) expect writes that block, and O_NONBLOCK on the open
 * file description they share with PID 1 would cut their lines with
 * EAGAIN. So PID 1's fd 2 becomes an open of its own (by /proc's link),
 * and the description it was given stays as it was at `shared`, for the
 * helpers' fd 2 (log_console_for_helpers). A file needs neither (and a
 * second open would write from its start); a socket cannot be opened
 * again and is asked per write instead (MSG_DONTWAIT). */
static struct {
	bool sock;
	bool closed;           /* fd 2 was closed, and /dev/null could not be put there */
	int shared;            /* fd 2's first description, or -1: fd 2 is it */
} con = { .shared = -1 };

/* fd 2 closed (no console): /dev/null there, or PID 1's next fd would
 * land on it, take its records, and go to every helper as its stderr. */
static void console_none(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd == STDERR_FILENO)
		fcntl(fd, F_SETFD, 0);
	else if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);   /* on 0 or 1 when they were closed: closed again */
	} else
		con.closed = true;
}

/* fd 2 an open of its own, non-blocking; the one it was kept at con.shared. */
static int console_reopen(void)
{
	unsigned n;
	int fd, keep;

	/* a pty's master would open as a new pty, not this one */
	if (ioctl(STDERR_FILENO, TIOCGPTN, &n) == 0)
		return -ENOTTY;
	fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	keep = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (keep < 0 || dup2(fd, STDERR_FILENO) < 0) {   /* dup2: 2 is not CLOEXEC */
		int r = -errno;

		if (keep >= 0)
			close(keep);
		close(fd);
		return r;
	}
	close(fd);   /* on 0 or 1 when they were closed: closed again */
	con.shared = keep;
	return 0;
}

static void console_open(void)
{
	struct stat st;
	int flags;

	if (con.shared >= 0)
		close(con.shared);
	con.shared = -1;
	con.sock = false;
	con.closed = false;
	if (fstat(STDERR_FILENO, &st) < 0) {
		console_none();
		return;
	}
	if (S_ISREG(st.st_mode))
		return;
	if (S_ISSOCK(st.st_mode)) {
		con.sock = true;
		return;
	}
	if (console_reopen() == 0)
		return;
	/* no /proc, a pty's master, a reopen refused: the one description
	 * non-blocking, as before (the helpers' lines may be cut again) */
	flags = fcntl(STDERR_FILENO, F_GETFL);
	if (flags >= 0)
		fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
}

static ssize_t console_send(const void *buf, size_t n)
{
	if (con.sock)
		return send(STDERR_FILENO, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(STDERR_FILENO, buf, n);
}

int log_console_for_helpers(void)
{
	if (con.closed)
		return -1;
	return con.shared >= 0 ? con.shared : STDERR_FILENO;
}

ssize_t log_console_raw(const char *s, size_t n)
{
	return console_send(s, n);
}

void log_open(bool kmsg)
{
	struct loop *l = pending.loop;

	log_attach(NULL);       /* epoll's watch is on fd 2's old description */
	console_open();
	log_attach(l);
	if (kmsg && kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

/* One record to /dev/kmsg, within the time budget. */
static void kmsg_write(const char *line, size_t n)
{
	uint64_t start = now_usec();
	char note[128];
	int k;

	if (start - kbudget.window >= KMSG_WINDOW_USEC) {
		kbudget.window = start;
		kbudget.spent = 0;
		if (kbudget.lost) {
			k = snprintf(note, sizeof(note), "<%d>initd: %lu records not written "
				     "here: the console's speed held each write (boot with quiet)\n",
				     LOG_NOTICE, kbudget.lost);
			kbudget.lost = write(kmsg_fd, note, (size_t)k) == k ? 0 : kbudget.lost;
		}
	}
	if (kbudget.spent >= KMSG_BUDGET_USEC) {
		kbudget.lost++;
		dropped++;
		return;
	}
	if (write(kmsg_fd, line, n) != (ssize_t)n)
		dropped++;
	kbudget.spent += now_usec() - start;
}

int log_kmsg_fd(void)
{
	return kmsg_fd;
}

void log_set_kmsg_fd(int fd)
{
	kmsg_fd = fd;
	kbudget = (typeof(kbudget)){ 0 };
}

void log_forked(void)
{
	pending.len = 0;
	pending.lost = 0;
	pending.loop = NULL;
	pending.watching = false;
}

static unsigned long count_records(const char *p, size_t n)
{
	unsigned long k = 0;
	const char *nl;

	while (n > 0 && (nl = memchr(p, '\n', n))) {
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
		k++;
	}
	return k + (n > 0);
}

/* What waits, dropped and counted: the console failed (hung up), or no
 * wakeup will come for it. */
static void pending_drop(void)
{
	unsigned long k = count_records(pending.buf, pending.len);

	pending.lost += k;
	dropped += k;
	pending.len = 0;
}

static void console_watch(bool want)
{
	int r;

	if (!pending.loop || want == pending.watching)
		return;
	if (!want) {
		loop_watch_del(pending.loop, &pending.watch);
	} else if ((r = loop_watch_add(pending.loop, &pending.watch, EPOLLOUT)) < 0) {
		/* EPERM: a regular file, whose short write (a full disk) is
		 * not followed by room; else the next record tries again. */
		if (r == -EPERM)
			pending_drop();
		return;
	}
	pending.watching = want;
}

/* Write what waits. False when bytes still wait: the console cannot take
 * them now. */
static bool console_flush(void)
{
	ssize_t w;

	while (pending.len > 0) {
		w = console_send(pending.buf, pending.len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			pending_drop();
			break;
		}
		memmove(pending.buf, pending.buf + w, pending.len - (size_t)w);
		pending.len -= (size_t)w;
	}
	console_watch(pending.len > 0);
	return pending.len == 0;
}

static void console_write(const char *s, size_t n, size_t limit);

/* Once what waited is out, how much did not wait: that is news too. */
static void console_report_lost(void)
{
	char line[96];
	int k;

	if (pending.len > 0 || pending.lost == 0)
		return;
	k = snprintf(line, sizeof(line),
		     "initd: warning: %lu console lines dropped: the console did not take them\n",
		     pending.lost);
	pending.lost = 0;
	console_write(line, (size_t)k, LOG_PENDING_MAX);
}

/* One record to fd 2, never waiting: behind the records that wait while
 * the queue holds fewer than `limit` bytes (else dropped and counted), or
 * queued itself when the console takes it only in part or not at all. */
static void console_write(const char *s, size_t n, size_t limit)
{
	ssize_t w;

	if (pending.len == 0 || console_flush())
		console_report_lost();
	if (pending.len > 0) {
		if (pending.len >= limit) {
			pending.lost++;
			dropped++;
		} else {
			memcpy(pending.buf + pending.len, s, n);
			pending.len += n;
		}
		return;
	}
	do
		w = console_send(s, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return;
	if (w < 0 && errno != EAGAIN) {
		dropped++;      /* a console that fails (hung up, closed) */
		return;
	}
	w = w < 0 ? 0 : w;
	memcpy(pending.buf, s + w, n - (size_t)w);
	pending.len = n - (size_t)w;
	console_watch(true);
}

static void console_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	if (console_flush())
		console_report_lost();
}

void log_attach(struct loop *l)
{
	console_watch(false);
	pending.loop = l;
	pending.watch = (struct loop_watch){ .fd = STDERR_FILENO, .fn = console_ready };
	console_watch(l && pending.len > 0);
}

/* Bytes the tty has taken but not yet sent (a UART's buffer): none on a
 * pipe or a file. */
static int console_unsent(void)
{
	int q;

	/* isatty first: on a socket the same request is SIOCOUTQ, bytes its
	 * reader has not read yet */
	return isatty(STDERR_FILENO) && ioctl(STDERR_FILENO, TIOCOUTQ, &q) == 0 ? q : 0;
}

void log_drain(int timeout_ms)
{
	uint64_t end = now_usec() + (uint64_t)timeout_ms * USEC_PER_MSEC, now;
	struct pollfd p = { .fd = STDERR_FILENO, .events = POLLOUT };

	for (;;) {
		if (console_flush())
			console_report_lost();
		if (pending.len == 0 && console_unsent() == 0)
			return;
		now = now_usec();
		if (now >= end)
			break;
		/* POLLOUT says the queue may go on; the UART's own buffer
		 * empties at its baud rate, told by no event: a short nap. */
		if (pending.len > 0)
			poll(&p, 1, (int)((end - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
		else
			poll(NULL, 0, 10);
	}
	pending_drop();
	console_watch(false);
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
	char raw[1024], text[sizeof(raw)], line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* The text may hold what came from outside (a unit file's name, a
	 * path, a reason): cleaned as a service's lines are, so that it
	 * forges no record of its own and never drives the console. */
	n = n < 0 ? 0 : n > (int)sizeof(raw) - 1 ? (int)sizeof(raw) - 1 : n;
	text[utf8_clean(text, raw, (size_t)n, "")] = '\0';

	n = snprintf(line, sizeof(line), "initd: %s%s\n", level_prefix(level), text);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	console_write(line, (size_t)n, LOG_PENDING_MAX);
	if (kmsg_fd >= 0) {
		/* Clamped to notice: with "quiet" the kernel would print errors on
		 * the console a second time. The severity is in the text. */
		n = snprintf(line, sizeof(line), "<%d>initd: %s%s\n",
			     level < LOG_NOTICE ? LOG_NOTICE : level, level_prefix(level), text);
		if (n > (int)sizeof(line) - 1)
			n = sizeof(line) - 1;
		kmsg_write(line, (size_t)n);
	}
}

bool log_limit(struct log_limit *l, unsigned burst, const char *what)
{
	uint64_t now = now_usec();

	if (now - l->window >= USEC_PER_SEC) {
		l->window = now;
		l->said = 0;
	}
	if (l->said >= burst) {
		l->quiet++;
		return false;
	}
	l->said++;
	if (l->quiet) {
		log_notice("%lu %s not logged (more than %u a second)", l->quiet, what, burst);
		l->quiet = 0;
	}
	return true;
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
 * it (non-blocking). A service's bytes must not drive the console: its
 * controls (ESC and CSI start every terminal sequence; a NUL ended the
 * record) and what is not UTF-8 go as '?', tabs stay (utf8.h). */
static void forward_line(const char *name, const char *raw, size_t n, bool console, bool kmsg)
{
	char line[LOG_LINE_MAX], text[LOG_FORWARD_TEXT_MAX];
	int k;

	if (n > sizeof(text))
		n = sizeof(text);
	n = utf8_clean(text, raw, n, "\t");
	if (console) {
		k = snprintf(line, sizeof(line), "%s: %.*s\n", name, (int)n, text);
		console_write(line, k < (int)sizeof(line) ? (size_t)k : sizeof(line) - 1,
			      FORWARD_PENDING_MAX);
	}
	if (kmsg && kmsg_fd >= 0) {
		k = snprintf(line, sizeof(line), "<%d>%s: %.*s\n", LOG_INFO, name, (int)n, text);
		kmsg_write(line, k < (int)sizeof(line) ? (size_t)k : sizeof(line) - 1);
	}
}

/* A line of a service's (its newline gone) within the budgets, or counted. */
static void forward_or_count(const char *name, const char *text, size_t n, bool console,
			     bool kmsg, struct log_forward *fw, unsigned *budget)
{
	if (*budget > 0 && forward_tokens > 0) {
		forward_line(name, text, n, console, kmsg);
		forward_tokens--;
		(*budget)--;
	} else {
		fw->skipped++;
	}
}

/* A piece of a line the next chunk goes on with: kept up to the cut that
 * forward_line makes anyway. Without memory for it, it is lost, the ring
 * still has it. */
static void partial_add(struct log_forward *fw, const char *p, size_t n)
{
	if (!fw->partial && !(fw->partial = nofork_alloc(LOG_FORWARD_TEXT_MAX)))
		return;
	if (n > LOG_FORWARD_TEXT_MAX - fw->partial_len)
		n = LOG_FORWARD_TEXT_MAX - fw->partial_len;
	memcpy(fw->partial + fw->partial_len, p, n);
	fw->partial_len += n;
}

static void partial_free(struct log_forward *fw)
{
	nofork_free(fw->partial, LOG_FORWARD_TEXT_MAX);
	fw->partial = NULL;
	fw->partial_len = 0;
}

/* The line ends: forwarded whole, and its memory goes (most lines come in
 * one piece: none is held between them). */
static void partial_end(const char *name, bool console, bool kmsg, struct log_forward *fw,
			unsigned *budget)
{
	if (fw->partial_len > 0)
		forward_or_count(name, fw->partial, fw->partial_len, console, kmsg, fw, budget);
	partial_free(fw);
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

		if (!nl || fw->partial) {   /* a line's start, or its rest */
			partial_add(fw, buf, n);
			if (nl)
				partial_end(name, console, kmsg, fw, &budget);
		} else if (n > 0) {
			forward_or_count(name, buf, n, console, kmsg, fw, &budget);
		}
		buf += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
}

void log_service_output_end(const char *name, bool console, bool kmsg, struct log_forward *fw)
{
	unsigned budget = LOG_FORWARD_PER_CALL;

	if (!fw->partial)
		return;
	kmsg = kmsg && kmsg_fd >= 0;
	if (!console && !kmsg) {
		partial_free(fw);
		return;
	}
	forward_refill();
	partial_end(name, console, kmsg, fw, &budget);
}
