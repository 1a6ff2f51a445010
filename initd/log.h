/* log.h — initd's own messages: to stderr (the console when PID 1) and, when
 * PID 1, to /dev/kmsg. Never blocks: both fds are non-blocking; fd 2 is an
 * open of the console of PID 1's own, so that the description its helpers
 * write to stays blocking (log_console_for_helpers). A record the
 * console cannot take now (another process is writing to the tty, or its
 * buffer is full) waits in order, LOG_PENDING_MAX bytes at most, and goes
 * out when fd 2 is writable again; past that, records are dropped, counted
 * and the count written once there is room. Services' output is not logged
 * here; see logbuf.h. */
#ifndef INITD_LOG_H
#define INITD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

#include "common/util.h"

/* The console's queue (above); services' forwarded lines may fill half. */
#define LOG_PENDING_MAX (16 * 1024)
/* How long log_drain waits at most before reboot(2) or exit: the queue
 * and a UART's 4 KiB buffer are ~1.8 s at 115200 baud. */
#define LOG_DRAIN_MSEC  2000

struct loop;

/* fd 2 made PID 1's (non-blocking, an open of its own: see log.c); once,
 * or again after fd 2 was replaced (tests). */
void log_open(bool kmsg);
/* What a helper puts on its fd 2 before it execs (child_place_fds): the
 * description PID 1 was given, blocking, or fd 2 itself where that is the
 * same (a file, a socket, a console that cannot be opened again, or the
 * /dev/null log_open put on a closed fd 2), or -1: fd 2 stays closed. */
int log_console_for_helpers(void);
/* One write to fd 2, never waiting, past the queue: the crash report.
 * Async-signal-safe. */
ssize_t log_console_raw(const char *s, size_t n);
/* /dev/kmsg's stand-in (tests): fd, or -1 for none. */
void log_set_kmsg_fd(int fd);
/* The kernel log's fd (-1: none), for a fork that keeps it and closes the
 * rest. */
int log_kmsg_fd(void);
/* Write waiting records when fd 2 becomes writable (NULL: stop, before
 * the loop is freed). Without a loop, the next record tries again. */
void log_attach(struct loop *l);
/* Before reboot(2) or exit: the waiting records written and the tty's
 * buffer sent, timeout_ms at most; what is left is dropped and counted. */
void log_drain(int timeout_ms);
/* In a child of PID 1 (child_reset_signals): PID 1's waiting records and
 * its loop are not the child's. Async-signal-safe: plain stores. */
void log_forked(void);
void log_set_max_level(int level);
void log_msg(int level, const char *fmt, ...) _printf_(2, 3);
unsigned long log_dropped(void);

/* Forwarding a service's output costs PID 1 a write per line and sink (and
 * /dev/kmsg may print on a slow console inside write()), so it is bounded:
 * at most LOG_FORWARD_PER_CALL lines per chunk read, and LOG_FORWARD_RATE
 * lines per second for all services together (a burst of that many). Lines
 * past the budget are counted, per service, and not forwarded; the count
 * is written ("NAME: N lines not forwarded", at most once a second per
 * service) before the service's next forwarded line. The ring (logbuf.h) gets every line regardless. */
#define LOG_FORWARD_PER_CALL 64
#define LOG_FORWARD_RATE     1000

#define LOG_FORWARD_TEXT_MAX 1000   /* a forwarded line's bytes; the rest is cut */

struct log_forward {
	unsigned long skipped;       /* lines not forwarded, not yet reported */
	uint64_t summary_usec;       /* when the last count was written */
	char *partial;               /* a line an earlier chunk began (its first
	                              * LOG_FORWARD_TEXT_MAX bytes; nofork.h),
	                              * NULL while none waits */
	size_t partial_len;
};

/* Copy a chunk of a service's output to the console and/or /dev/kmsg, one
 * "NAME: line" record per line, within the budget above. A line may come
 * in pieces (output is read in chunks, a service may write a line in
 * several writes): its start waits in `fw` for the rest, and goes as one
 * record. Non-blocking like everything here. `fw` is the service's own. */
void log_service_output(const char *name, const char *buf, size_t len, bool console,
			bool kmsg, struct log_forward *fw);
/* The service's output ended (every writer gone, or a new run begins): a
 * line it left unfinished goes now, and fw holds no memory after. With
 * neither sink, only that memory goes. */
void log_service_output_end(const char *name, bool console, bool kmsg, struct log_forward *fw);

/* Messages a service can make initd say at will (a datagram each) are
 * bounded: log_limit is true for at most `burst` a second per limiter;
 * the rest are counted, and the count is said ("N WHAT not logged") with
 * the next one let through. */
struct log_limit {
	uint64_t window;             /* its second's start, monotonic */
	unsigned said;
	unsigned long quiet;         /* not logged since the last said */
};
bool log_limit(struct log_limit *l, unsigned burst, const char *what);

#define log_error(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
