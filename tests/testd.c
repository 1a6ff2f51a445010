/* testd.c — a small, scriptable service for the lifecycle tests.
 *
 * Every behaviour is an option, and options combine: a test writes a unit
 * whose exec line says what the service should do (exit, crash, ignore
 * SIGTERM, notify readiness, print, leave orphans behind) and then checks the
 * kernel's view of what happened, using the files testd writes:
 *
 *   --touch FILE        one line per start: "PID MONOTONIC_USEC", written once
 *                       testd's signals are set up (after exec: a unit can
 *                       be "running" before the line is there)
 *   --log FILE          one line per event: "PID MONOTONIC_USEC EVENT..."
 *   --check-clean FILE  the state testd was started in (signal mask,
 *                       ignored signals, open fds), before testd changed any
 *
 * PIDs are as seen by testd itself (its PID namespace, the one svctl reports);
 * times are CLOCK_MONOTONIC in microseconds, comparable across processes and
 * with `testd --now`. Each record is one O_APPEND write, so concurrent
 * writers never interleave.
 *
 * With no option testd runs until a signal ends it. SIGTERM is logged and
 * then (at once, or --term-delay MS later) takes its default action, so a
 * stopped testd still dies "by SIGTERM".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "common/util.h"

#define NEVER UINT64_MAX

enum term_mode {
	TERM_DEFAULT,   /* log, then die by SIGTERM */
	TERM_IGNORE,    /* SIG_IGN */
	TERM_HANG,      /* log, keep running */
	TERM_EXIT,      /* log, exit with term_exit_code (dropbear exits 1) */
};

struct options {
	long exit_after_ms;     /* -1 = never */
	int exit_code;
	long crash_after_ms;    /* -1 = never */
	enum term_mode term;
	long term_delay_ms;     /* TERM_DEFAULT: linger this long before dying */
	long notify_after_ms;   /* -1 = never */
	const char *notify_when; /* NULL, or READY=1 once this file exists */
	long watchdog_every_ms; /* -1 = never: send WATCHDOG=1 this often */
	int term_exit_code;     /* TERM_EXIT */
	bool fork_mainpid;      /* fork; the parent sends MAINPID=child and exits */
	long notify_flood;      /* ... after this many STATUS= datagrams */
	const char *handover_after; /* ... once this file exists */
	bool chain_mainpid;     /* ... and the child hands over to its own child */
	bool daemonize;         /* fork; the parent exits 0 without a word */
	long twice_ms;          /* --daemonize-twice: the middle's wait, -1: none */
	const char *pidfile;    /* --daemonize: the child writes its pid here */
	const char *pidfile_value;  /* ... or this text instead */
	const char *pidfile_after;  /* ... once this file exists */
	bool pidfile_link;      /* ... into PIDFILE.real, PIDFILE a symlink to it */
	bool double_fork_mainpid; /* the same through an intermediate that exits */
	const char *mainpid;    /* NULL, or send MAINPID=this (see --mainpid) */
	long as_uid;            /* -1, or become this uid (and gid) before --mainpid */
	long watchdog_stop_ms;  /* -1 = never: stop pinging after this long */
	bool raw_notify;
	const char *status;
	long print_every_ms;    /* -1 = never */
	bool to_stderr;
	long orphans;
	long orphan_sleep_ms;
	const char *orphan_until; /* NULL, or orphans live until this file exists */
	const char *touch_file;
	const char *log_file;
	const char *clean_file;
	long workers;           /* fork this many copies that run on as workers */
	bool log_signals;       /* log HUP, USR1, USR2 and 40 (a queued RT signal) */
};

static volatile sig_atomic_t got_term;

/* --log-signals: how many of each arrived (a realtime signal queues, so a
 * signal sent twice is counted twice). */
static const int logged_signals[] = { SIGHUP, SIGUSR1, SIGUSR2, 40 };
static volatile sig_atomic_t signal_count[ARRAY_SIZE(logged_signals)];

static void on_logged_signal(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(logged_signals); i++)
		if (logged_signals[i] == sig)
			signal_count[i]++;
}
static int log_fd = -1;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* Append one formatted line to fd with a single write. */
_printf_(2, 3)
static void append_line(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)write_all(fd, buf, (size_t)n);
}

/* An event: to the log file (if any) and to stdout/stderr. Returns the
 * time it was logged with, so a deadline counted from the event is counted
 * from the very time a test reads in the log. */
_printf_(2, 3)
static uint64_t event(const struct options *o, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	uint64_t at = now_usec();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	append_line(log_fd, "%d %" PRIu64 " %s", (int)getpid(), at, msg);
	fprintf(o->to_stderr ? stderr : stdout, "testd %d %s\n", (int)getpid(), msg);
	fflush(o->to_stderr ? stderr : stdout);
	return at;
}

static int open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		fprintf(stderr, "testd: %s: %s\n", path, strerror(errno));
	return fd;
}

/* Copy the lines of /proc/self/status that start with `key` into out. */
static void copy_status_line(FILE *out, const char *key)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			fputs(line, out);
	fclose(f);
}

/* Record the state testd was started in: must run before testd opens any
 * file or touches a signal. Open fds are listed first (excluding the
 * directory's own fd), then the report is written. */
static int check_clean(const char *path)
{
	int fds[256], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	FILE *out;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < (int)ARRAY_SIZE(fds)) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d))
			fds[n++] = fd;
	}
	/* Resolve the targets while nothing else is open. */
	char (*targets)[PATH_MAX] = calloc((size_t)n + 1, PATH_MAX);
	if (!targets) {
		closedir(d);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		char link[64];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
		len = readlink(link, targets[i], PATH_MAX - 1);
		targets[i][len < 0 ? 0 : len] = '\0';
	}
	closedir(d);

	out = fopen(path, "we");
	if (!out) {
		free(targets);
		return -errno;
	}
	copy_status_line(out, "SigBlk:");
	copy_status_line(out, "SigIgn:");
	copy_status_line(out, "FDSize:");
	fprintf(out, "fds:");
	for (int i = 0; i < n; i++)
		fprintf(out, " %d", fds[i]);
	fprintf(out, "\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "fd %d -> %s\n", fds[i], targets[i]);
	fprintf(out, "pid %d ppid %d uid %d gid %d\n", (int)getpid(), (int)getppid(),
		(int)getuid(), (int)getgid());
	free(targets);
	return fclose(out) == 0 ? 0 : -errno;
}

/* Fork n children that each fork a grandchild and exit at once: the
 * grandchildren are orphaned, sleep sleep_ms, and exit for PID 1 to reap.
 * testd reaps its direct children itself, so any zombie left behind is the
 * reaper's fault. */
static void make_orphans(const struct options *o)
{
	for (long i = 0; i < o->orphans; i++) {
		pid_t child = fork();

		if (child < 0) {
			event(o, "fork: %s", strerror(errno));
			return;
		}
		if (child == 0) {
			pid_t grandchild = fork();

			if (grandchild == 0) {
				struct timespec ts = {
					.tv_sec = o->orphan_sleep_ms / 1000,
					.tv_nsec = (o->orphan_sleep_ms % 1000) * 1000000L,
				};
				/* --orphan-until: until the file exists (at most 60 s). */
				if (o->orphan_until) {
					for (int n = 0; access(o->orphan_until, F_OK) < 0 && n < 3000; n++)
						usleep(20000);
					_exit(0);
				}
				while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			if (grandchild > 0)
				append_line(log_fd, "%d %" PRIu64 " orphan %d",
					    (int)getppid(), now_usec(), (int)grandchild);
			_exit(grandchild > 0 ? 0 : 1);
		}
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	event(o, "made %ld orphans", o->orphans);
}

#ifndef HAVE_LIBSYSTEMD
static int sd_notify(int unset_environment, const char *state)
{
	(void)unset_environment;
	(void)state;
	return -ENOSYS;
}
#endif

/* Send a notify message by hand: one datagram to $NOTIFY_SOCKET. */
static int raw_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd, r = 0;

	if (!path || !*path)
		return -ENOENT;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void notify(const struct options *o, const char *msg)
{
	int r = o->raw_notify ? raw_notify(msg) : sd_notify(0, msg);

	/* sd_notify returns 0 when NOTIFY_SOCKET is unset, >0 when sent. */
	if (r < 0)
		event(o, "notify failed: %s", strerror(-r));
	else if (r == 0 && !o->raw_notify)
		event(o, "notify: NOTIFY_SOCKET not set");
}

static void notify_ready(const struct options *o)
{
	char msg[256];

	if (o->status)
		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", o->status);
	else
		snprintf(msg, sizeof(msg), "READY=1");
	/* Logged before sending, so a dependent's start can be checked
	 * against it. */
	event(o, "ready");
	notify(o, msg);
}

static long parse_num(const char *opt, const char *s);

/* The PID --mainpid names: a number, "parent", or @FILE (the first field
 * of FILE's last line; waits up to 5 s for FILE to have one). */
static long mainpid_value(const char *what)
{
	char line[128] = "";

	if (strcmp(what, "parent") == 0)
		return (long)getppid();
	if (strcmp(what, "self") == 0)
		return (long)getpid();
	if (what[0] != '@')
		return parse_num("--mainpid", what);
	for (int i = 0; i < 100 && !line[0]; i++) {
		FILE *f = fopen(what + 1, "re");
		char buf[128];

		while (f && fgets(buf, sizeof(buf), f))
			memcpy(line, buf, sizeof(line));
		if (f)
			fclose(f);
		if (!line[0])
			usleep(50000);
	}
	return strtol(line, NULL, 10);
}

/* --mainpid: name some process as the main one, claim readiness, run on. */
static void send_mainpid(const struct options *o)
{
	char msg[64];
	long pid = mainpid_value(o->mainpid);

	snprintf(msg, sizeof(msg), "MAINPID=%ld\nREADY=1", pid);
	event(o, "sending MAINPID=%ld", pid);
	notify(o, msg);
}

/* --pidfile: a forking daemon's pid file, written whole (a temporary file
 * renamed over it), once --pidfile-after's file exists. */
static void write_pidfile(const struct options *o)
{
	char tmp[4096], real[4096], text[64];
	FILE *f;

	for (int i = 0; o->pidfile_after && access(o->pidfile_after, F_OK) < 0 && i < 3000; i++)
		usleep(20000);
	if (o->pidfile_value && o->pidfile_value[0] == '@')
		snprintf(text, sizeof(text), "%ld\n", mainpid_value(o->pidfile_value));
	else if (o->pidfile_value)
		snprintf(text, sizeof(text), "%s\n", o->pidfile_value);
	else
		snprintf(text, sizeof(text), "%d\n", (int)getpid());
	snprintf(real, sizeof(real), "%s%s", o->pidfile, o->pidfile_link ? ".real" : "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->pidfile);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, real);
	if (o->pidfile_link)
		(void)!symlink(real, o->pidfile);
}

/* --chain-mainpid, in the child of --fork-mainpid: fork again; once the
 * parent (which names us) has exited, name the new child with MAINPID=,
 * write FILE.sent (FILE: --handover-after's) and sleep for good. Returns
 * in the new child, which runs on as testd: two hand-overs, the second
 * right behind the first. */
static void chain_mainpid(const struct options *o, pid_t parent)
{
	char msg[64], sent[PATH_MAX];
	pid_t child = fork();

	if (child <= 0)
		return;
	while (getppid() == parent)
		usleep(1000);
	snprintf(msg, sizeof(msg), "MAINPID=%d\nREADY=1", (int)child);
	notify(o, msg);
	if (o->handover_after) {
		snprintf(sent, sizeof(sent), "%s.sent", o->handover_after);
		safe_close(open(sent, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	for (;;)
		pause();
}

/* --double-fork-mainpid: a daemon that forks twice without setsid(). The
 * middle process exits, so the grandchild is reparented to initd (PID 1 or
 * subreaper); only then does the first process send MAINPID=grandchild and
 * READY=1, and exit. The grandchild returns and runs as testd. */
static void double_fork_mainpid(const struct options *o)
{
	int p[2];
	pid_t middle, grandchild = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		exit(1);
	middle = fork();
	if (middle < 0)
		exit(1);
	if (middle == 0) {
		pid_t g = fork();

		if (g == 0) {
			close(p[0]);
			close(p[1]);
			return;   /* the grandchild: the daemon proper */
		}
		(void)!write(p[1], &g, sizeof(g));
		_exit(g > 0 ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &grandchild, sizeof(grandchild)) != (ssize_t)sizeof(grandchild))
		exit(1);
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	char msg[64];

	snprintf(msg, sizeof(msg), "MAINPID=%d\nREADY=1", (int)grandchild);
	notify(o, msg);
	_exit(0);
}

static _Noreturn void crash(const struct options *o)
{
	struct rlimit no_core = { 0, 0 };

	event(o, "crashing");
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGSEGV, SIG_DFL);
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	raise(SIGSEGV);
	abort();
}

static _Noreturn void die_by_term(void)
{
	sigset_t term;

	signal(SIGTERM, SIG_DFL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	raise(SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	_exit(128 + SIGTERM);   /* not reached */
}

static uint64_t deadline(uint64_t start, long ms)
{
	return ms < 0 ? NEVER : start + (uint64_t)ms * USEC_PER_MSEC;
}

static int run(const struct options *o)
{
	uint64_t start = now_usec();
	uint64_t exit_at = deadline(start, o->exit_after_ms);
	uint64_t crash_at = deadline(start, o->crash_after_ms);
	uint64_t notify_at = deadline(start, o->notify_after_ms);
	uint64_t print_at = deadline(start, o->print_every_ms);
	uint64_t ping_at = deadline(start, o->watchdog_every_ms);
	uint64_t ping_stop = deadline(start, o->watchdog_stop_ms);
	uint64_t term_at = NEVER;
	bool notify_when_pending = o->notify_when != NULL;
	unsigned long line = 0;
	sigset_t blocked, waitmask;

	/* SIGTERM is blocked except while sleeping in ppoll, so a flag set by
	 * the handler is always seen before the next sleep. */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	for (size_t i = 0; o->log_signals && i < ARRAY_SIZE(logged_signals); i++)
		sigaddset(&blocked, logged_signals[i]);
	sigprocmask(SIG_BLOCK, &blocked, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	for (size_t i = 0; o->log_signals && i < ARRAY_SIZE(logged_signals); i++)
		sigdelset(&waitmask, logged_signals[i]);

	for (;;) {
		uint64_t now = now_usec(), next = NEVER;

		for (size_t i = 0; i < ARRAY_SIZE(logged_signals); i++)
			for (; signal_count[i] > 0; signal_count[i]--)
				event(o, "got signal %d", logged_signals[i]);

		if (got_term) {
			uint64_t at;

			got_term = 0;
			at = event(o, "got SIGTERM%s", o->term == TERM_HANG ? ", ignoring it" : "");
			/* --term-delay counts from the time logged: a test that
			 * reads it knows the end is at least that much later. */
			if ((o->term == TERM_DEFAULT || o->term == TERM_EXIT) && term_at == NEVER)
				term_at = deadline(at, o->term_delay_ms);
		}
		if (now >= term_at && o->term == TERM_EXIT) {
			event(o, "exiting with code %d on SIGTERM", o->term_exit_code);
			exit(o->term_exit_code);
		}
		if (now >= term_at) {
			event(o, "dying by SIGTERM");
			die_by_term();
		}
		if (now >= crash_at)
			crash(o);
		if (now >= exit_at) {
			event(o, "exiting with code %d", o->exit_code);
			exit(o->exit_code);
		}
		if (now >= notify_at) {
			notify_ready(o);
			notify_at = NEVER;
		}
		if (notify_when_pending && access(o->notify_when, F_OK) == 0) {
			notify_ready(o);
			notify_when_pending = false;
		}
		if (now >= ping_at) {
			if (now < ping_stop)
				notify(o, "WATCHDOG=1");
			ping_at = now >= ping_stop ? NEVER :
				  now + (uint64_t)o->watchdog_every_ms * USEC_PER_MSEC;
		}
		if (now >= print_at) {
			FILE *f = o->to_stderr ? stderr : stdout;
			fprintf(f, "testd %d line %lu\n", (int)getpid(), ++line);
			fflush(f);
			print_at += (uint64_t)o->print_every_ms * USEC_PER_MSEC;
			if (print_at <= now)
				print_at = now + 1;
		}

		uint64_t poll_at = notify_when_pending ? now + 20 * USEC_PER_MSEC : NEVER;
		uint64_t all[] = { exit_at, crash_at, notify_at, print_at, term_at, ping_at, poll_at };
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			if (all[i] < next)
				next = all[i];

		struct timespec ts, *tsp = NULL;
		if (next != NEVER) {
			uint64_t wait = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(wait / USEC_PER_SEC);
			ts.tv_nsec = (long)(wait % USEC_PER_SEC) * 1000;
			tsp = &ts;
		}
		ppoll(NULL, 0, tsp, &waitmask);
	}
}

static void usage(FILE *f)
{
	fputs("usage: testd [OPTION]...\n"
	      "  --exit-after MS      exit after MS milliseconds (with --exit-code N, default 0)\n"
	      "  --crash-after MS     die by SIGSEGV after MS milliseconds\n"
	      "  --ignore-term        ignore SIGTERM (SIG_IGN)\n"
	      "  --hang-on-term       catch SIGTERM, log it and keep running\n"
	      "  --term-delay MS      on SIGTERM, log it and die by it MS milliseconds later\n"
	      "  --term-exit CODE     on SIGTERM, log it and exit with CODE (as dropbear does)\n"
	      "  --notify-after MS    send READY=1 after MS milliseconds (sd_notify)\n"
	      "  --notify-when FILE   send READY=1 once FILE exists (polled every 20ms)\n"
	      "  --raw-notify         send notify datagrams by hand, not with libsystemd\n"
	      "  --watchdog-every MS  send WATCHDOG=1 every MS milliseconds\n"
	      "  --watchdog-stop MS   stop sending WATCHDOG=1 after MS milliseconds (a hang)\n"
	      "  --fork-mainpid       fork; the parent sends MAINPID=child, READY=1 and exits\n"
	      "  --notify-flood N     ... after N STATUS= datagrams (more than initd reads at once)\n"
	      "  --handover-after F   ... once file F exists (polled, at most 60s)\n"
	      "  --chain-mainpid      ... and the child forks, names its own child with\n"
	      "                       MAINPID= once the parent is gone, writes F.sent, sleeps\n"
	      "  --pidfile PATH       with --daemonize: the child writes its pid into PATH\n"
	      "  --pidfile-value V    ... writes V instead of its pid (@FILE: FILE's last line)\n"
	      "  --pidfile-after F    ... once file F exists (polled, at most 60s)\n"
	      "  --pidfile-link       ... into PATH.real, and makes PATH a symlink to it\n"
	      "  --daemonize          fork; the parent exits 0 at once and says nothing (no\n"
	      "                       READY=1, no MAINPID=); the child runs on as testd and\n"
	      "                       never sends READY=1 either (--notify-after is ignored):\n"
	      "                       a daemon that forks despite type = \"notify\"\n"
	      "  --daemonize-twice MS as --daemonize, but the child waits MS ms alone,\n"
	      "                       then forks the daemon and exits 0: a double fork's\n"
	      "                       middle, without a pidfile\n"
	      "  --double-fork-mainpid  fork twice (the middle one exits, the grandchild is\n"
	      "                       reparented to initd); then as --fork-mainpid\n"
	      "  --mainpid WHAT       send MAINPID=WHAT, READY=1 at start and keep running:\n"
	      "                       a number, \"parent\" (testd's parent: initd), \"self\", or\n"
	      "                       @FILE (the PID of FILE's last line, e.g. another testd's\n"
	      "                       --touch)\n"
	      "  --as-uid N           become uid and gid N (no groups) before --mainpid: a\n"
	      "                       worker that dropped its privileges\n"
	      "  --status TEXT        STATUS=TEXT (with READY=1, or at start)\n"
	      "  --print-every MS     print \"testd PID line N\" every MS milliseconds\n"
	      "  --stderr             print to stderr instead of stdout\n"
	      "  --orphans N          leave N orphaned grandchildren behind\n"
	      "  --workers N          fork N workers that run on like testd itself\n"
	      "  --log-signals        log \"got signal N\" for HUP, USR1, USR2 and 40, each time\n"
	      "  --orphan-sleep MS    how long each orphan lives (default 500)\n"
	      "  --orphan-until FILE  each orphan lives until FILE exists (polled, at most 60s)\n"
	      "  --touch FILE         append \"PID MONOTONIC_USEC\" to FILE at start\n"
	      "  --log FILE           append \"PID MONOTONIC_USEC EVENT\" lines to FILE\n"
	      "  --check-clean FILE   write the signal mask and open fds at start to FILE\n"
	      "  --now                print CLOCK_MONOTONIC in microseconds and exit\n", f);
}

static long parse_num(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "testd: %s: invalid number '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_EXIT_AFTER = 256, OPT_EXIT_CODE, OPT_CRASH_AFTER, OPT_IGNORE_TERM,
		OPT_HANG_ON_TERM, OPT_TERM_DELAY, OPT_NOTIFY_AFTER, OPT_RAW_NOTIFY, OPT_STATUS,
		OPT_PRINT_EVERY, OPT_STDERR, OPT_ORPHANS, OPT_ORPHAN_SLEEP, OPT_TOUCH,
		OPT_LOG, OPT_CHECK_CLEAN, OPT_NOW, OPT_HELP, OPT_WATCHDOG_EVERY, OPT_WATCHDOG_STOP,
		OPT_FORK_MAINPID, OPT_DOUBLE_FORK_MAINPID, OPT_MAINPID, OPT_AS_UID, OPT_TERM_EXIT,
		OPT_DAEMONIZE, OPT_DAEMONIZE_TWICE, OPT_NOTIFY_FLOOD, OPT_HANDOVER_AFTER, OPT_CHAIN_MAINPID, OPT_WORKERS, OPT_LOG_SIGNALS, OPT_PIDFILE, OPT_PIDFILE_VALUE,
		OPT_PIDFILE_AFTER, OPT_PIDFILE_LINK, OPT_NOTIFY_WHEN, OPT_ORPHAN_UNTIL,
	};
	static const struct option longopts[] = {
		{ "exit-after",   required_argument, NULL, OPT_EXIT_AFTER },
		{ "exit-code",    required_argument, NULL, OPT_EXIT_CODE },
		{ "crash-after",  required_argument, NULL, OPT_CRASH_AFTER },
		{ "ignore-term",  no_argument,       NULL, OPT_IGNORE_TERM },
		{ "hang-on-term", no_argument,       NULL, OPT_HANG_ON_TERM },
		{ "term-delay",   required_argument, NULL, OPT_TERM_DELAY },
		{ "term-exit",    required_argument, NULL, OPT_TERM_EXIT },
		{ "daemonize",    no_argument,       NULL, OPT_DAEMONIZE },
		{ "daemonize-twice", required_argument, NULL, OPT_DAEMONIZE_TWICE },
		{ "pidfile",      required_argument, NULL, OPT_PIDFILE },
		{ "pidfile-value", required_argument, NULL, OPT_PIDFILE_VALUE },
		{ "pidfile-after", required_argument, NULL, OPT_PIDFILE_AFTER },
		{ "pidfile-link", no_argument,       NULL, OPT_PIDFILE_LINK },
		{ "notify-after", required_argument, NULL, OPT_NOTIFY_AFTER },
		{ "notify-when",  required_argument, NULL, OPT_NOTIFY_WHEN },
		{ "watchdog-every", required_argument, NULL, OPT_WATCHDOG_EVERY },
		{ "watchdog-stop", required_argument, NULL, OPT_WATCHDOG_STOP },
		{ "fork-mainpid", no_argument, NULL, OPT_FORK_MAINPID },
		{ "notify-flood", required_argument, NULL, OPT_NOTIFY_FLOOD },
		{ "handover-after", required_argument, NULL, OPT_HANDOVER_AFTER },
		{ "chain-mainpid", no_argument, NULL, OPT_CHAIN_MAINPID },
		{ "double-fork-mainpid", no_argument, NULL, OPT_DOUBLE_FORK_MAINPID },
		{ "mainpid",      required_argument, NULL, OPT_MAINPID },
		{ "as-uid",       required_argument, NULL, OPT_AS_UID },
		{ "raw-notify",   no_argument,       NULL, OPT_RAW_NOTIFY },
		{ "status",       required_argument, NULL, OPT_STATUS },
		{ "print-every",  required_argument, NULL, OPT_PRINT_EVERY },
		{ "stderr",       no_argument,       NULL, OPT_STDERR },
		{ "orphans",      required_argument, NULL, OPT_ORPHANS },
		{ "workers",      required_argument, NULL, OPT_WORKERS },
		{ "log-signals",  no_argument,       NULL, OPT_LOG_SIGNALS },
		{ "orphan-sleep", required_argument, NULL, OPT_ORPHAN_SLEEP },
		{ "orphan-until", required_argument, NULL, OPT_ORPHAN_UNTIL },
		{ "touch",        required_argument, NULL, OPT_TOUCH },
		{ "log",          required_argument, NULL, OPT_LOG },
		{ "check-clean",  required_argument, NULL, OPT_CHECK_CLEAN },
		{ "now",          no_argument,       NULL, OPT_NOW },
		{ "help",         no_argument,       NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options) {
		.exit_after_ms = -1, .crash_after_ms = -1, .notify_after_ms = -1, .twice_ms = -1,
		.watchdog_every_ms = -1, .watchdog_stop_ms = -1,
		.print_every_ms = -1, .orphan_sleep_ms = 500, .as_uid = -1,
	};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EXIT_AFTER:   o->exit_after_ms = parse_num("--exit-after", optarg); break;
		case OPT_EXIT_CODE:    o->exit_code = (int)parse_num("--exit-code", optarg) & 0xff; break;
		case OPT_CRASH_AFTER:  o->crash_after_ms = parse_num("--crash-after", optarg); break;
		case OPT_IGNORE_TERM:  o->term = TERM_IGNORE; break;
		case OPT_HANG_ON_TERM: o->term = TERM_HANG; break;
		case OPT_TERM_DELAY:   o->term_delay_ms = parse_num("--term-delay", optarg); break;
		case OPT_TERM_EXIT:
			o->term = TERM_EXIT;
			o->term_exit_code = (int)parse_num("--term-exit", optarg) & 0xff;
			break;
		case OPT_DAEMONIZE:    o->daemonize = true; break;
		case OPT_DAEMONIZE_TWICE:
			o->daemonize = true;
			o->twice_ms = parse_num("--daemonize-twice", optarg);
			break;
		case OPT_PIDFILE:      o->pidfile = optarg; break;
		case OPT_PIDFILE_VALUE: o->pidfile_value = optarg; break;
		case OPT_PIDFILE_AFTER: o->pidfile_after = optarg; break;
		case OPT_PIDFILE_LINK: o->pidfile_link = true; break;
		case OPT_NOTIFY_AFTER: o->notify_after_ms = parse_num("--notify-after", optarg); break;
		case OPT_NOTIFY_WHEN:  o->notify_when = optarg; break;
		case OPT_RAW_NOTIFY:   o->raw_notify = true; break;
		case OPT_WATCHDOG_EVERY: o->watchdog_every_ms = parse_num("--watchdog-every", optarg); break;
		case OPT_WATCHDOG_STOP: o->watchdog_stop_ms = parse_num("--watchdog-stop", optarg); break;
		case OPT_FORK_MAINPID: o->fork_mainpid = true; break;
		case OPT_NOTIFY_FLOOD: o->notify_flood = parse_num("--notify-flood", optarg); break;
		case OPT_HANDOVER_AFTER: o->handover_after = optarg; break;
		case OPT_CHAIN_MAINPID: o->chain_mainpid = true; break;
		case OPT_DOUBLE_FORK_MAINPID: o->double_fork_mainpid = true; break;
		case OPT_MAINPID:      o->mainpid = optarg; break;
		case OPT_AS_UID:       o->as_uid = parse_num("--as-uid", optarg); break;
		case OPT_STATUS:       o->status = optarg; break;
		case OPT_PRINT_EVERY:
			o->print_every_ms = parse_num("--print-every", optarg);
			if (o->print_every_ms == 0)
				o->print_every_ms = 1;
			break;
		case OPT_STDERR:       o->to_stderr = true; break;
		case OPT_ORPHANS:      o->orphans = parse_num("--orphans", optarg); break;
		case OPT_WORKERS:      o->workers = parse_num("--workers", optarg); break;
		case OPT_LOG_SIGNALS:  o->log_signals = true; break;
		case OPT_ORPHAN_SLEEP: o->orphan_sleep_ms = parse_num("--orphan-sleep", optarg); break;
		case OPT_ORPHAN_UNTIL: o->orphan_until = optarg; break;
		case OPT_TOUCH:        o->touch_file = optarg; break;
		case OPT_LOG:          o->log_file = optarg; break;
		case OPT_CHECK_CLEAN:  o->clean_file = optarg; break;
		case OPT_NOW:
			printf("%" PRIu64 "\n", now_usec());
			exit(0);
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "testd: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	int r;

	parse_options(argc, argv, &o);

	/* First, before testd opens anything or touches a signal. */
	if (o.clean_file) {
		r = check_clean(o.clean_file);
		if (r < 0)
			fprintf(stderr, "testd: %s: %s\n", o.clean_file, strerror(-r));
	}

	if (o.double_fork_mainpid)
		double_fork_mainpid(&o);
	if (o.daemonize) {
		/* Deterministic on purpose: a READY=1 sent by the child could
		 * reach initd before or after the parent's exit, so the child
		 * never sends one. */
		pid_t child = fork();

		if (child < 0)
			return 1;
		if (child > 0)
			_exit(0);
		if (o.twice_ms >= 0) {   /* the middle: alone a while, then the daemon */
			struct timespec t = { o.twice_ms / 1000, (o.twice_ms % 1000) * 1000000L };

			while (nanosleep(&t, &t) < 0 && errno == EINTR)
				;
			child = fork();
			if (child < 0)
				_exit(1);
			if (child > 0)
				_exit(0);
		}
		o.notify_after_ms = -1;
		o.notify_when = NULL;
		if (o.pidfile)
			write_pidfile(&o);
	}
	if (o.as_uid >= 0 && (setgroups(0, NULL) < 0 || setresgid((gid_t)o.as_uid, (gid_t)o.as_uid,
			(gid_t)o.as_uid) < 0 || setresuid((uid_t)o.as_uid, (uid_t)o.as_uid,
			(uid_t)o.as_uid) < 0)) {
		fprintf(stderr, "testd: --as-uid %ld: %s\n", o.as_uid, strerror(errno));
		return 1;
	}
	if (o.mainpid)
		send_mainpid(&o);
	if (o.fork_mainpid) {
		/* A classic forking daemon: the parent names its child with
		 * MAINPID= and READY=1, then leaves. */
		pid_t child = fork();
		char msg[64];

		if (child < 0)
			return 1;
		if (child == 0 && o.chain_mainpid)
			chain_mainpid(&o, getppid());   /* returns in the grandchild */
		if (child > 0) {
			for (int i = 0; o.handover_after && access(o.handover_after, F_OK) < 0 &&
					i < 3000; i++)
				usleep(20000);
			for (long i = 0; i < o.notify_flood; i++) {
				snprintf(msg, sizeof(msg), "STATUS=flood %ld", i);
				notify(&o, msg);
			}
			snprintf(msg, sizeof(msg), "MAINPID=%d\nREADY=1", (int)child);
			notify(&o, msg);
			_exit(0);
		}
	}
	/* Signals first: once the touch line (or "started") is there, a
	 * SIGTERM is met as the options say (ignored, logged, delayed), never
	 * by the default action of a testd not yet set up. A test waits for
	 * the line before it stops a --hang-on-term or --term-delay unit. */
	if (o.term == TERM_IGNORE) {
		signal(SIGTERM, SIG_IGN);
	} else {
		/* SA_RESTART: a write of the lines below is not cut short
		 * (ppoll, where testd waits for it, is never restarted). */
		struct sigaction sa = { .sa_handler = on_term, .sa_flags = SA_RESTART };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
	}

	if (o.log_signals) {
		struct sigaction sa = { .sa_handler = on_logged_signal, .sa_flags = SA_RESTART };
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < ARRAY_SIZE(logged_signals); i++)
			sigaction(logged_signals[i], &sa, NULL);
	}

	if (o.log_file)
		log_fd = open_append(o.log_file);
	if (o.touch_file) {
		int fd = open_append(o.touch_file);
		append_line(fd, "%d %" PRIu64, (int)getpid(), now_usec());
		safe_close(fd);
	}
	event(&o, "started");

	/* Workers: copies that run on (signals already caught), each saying
	 * so in the log; never readiness or orphans of their own. */
	for (long i = 0; i < o.workers; i++) {
		pid_t w = fork();

		if (w == 0) {
			event(&o, "worker of %d", (int)getppid());
			o.notify_after_ms = -1;
			o.notify_when = NULL;
			o.orphans = 0;
			o.status = NULL;
			return run(&o);
		}
		if (w < 0)
			event(&o, "fork: %s", strerror(errno));
	}

	if (o.status && o.notify_after_ms < 0 && !o.notify_when) {
		char msg[256];
		snprintf(msg, sizeof(msg), "STATUS=%s", o.status);
		notify(&o, msg);
	}
	if (o.orphans > 0)
		make_orphans(&o);

	return run(&o);
}
