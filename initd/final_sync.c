/* final_sync.c — the final phase's writes to disk in a child of PID 1,
 * bounded by their progress. See final_sync.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/final_sync.h"
#include "initd/log.h"
#include "initd/watchdog.h"

const char *final_sync_meminfo = "/proc/meminfo";

void final_sync_step(int fd, const char *name)
{
	char line[FINAL_SYNC_STEP_MAX];
	size_t n = strnlen(name, sizeof(line) - 1);

	/* One write under PIPE_BUF: the step arrives whole or not at all. An
	 * empty name is the end (final_sync_run's own). */
	memcpy(line, name, n);
	line[n++] = '\n';
	if (write(fd, line, n) < 0) {
		/* PID 1 gone to its reboot: nobody to tell */
	}
}

/* Pages the kernel still has to write: Dirty + Writeback, in kB, from an
 * fd opened before the child could detach /proc; UINT64_MAX when it cannot
 * be read (then only the steps count as progress). */
static uint64_t unwritten_kb(int fd)
{
	char text[4096];
	uint64_t dirty, writeback;
	ssize_t n = fd >= 0 ? pread(fd, text, sizeof(text) - 1, 0) : -1;

	if (n <= 0)
		return UINT64_MAX;
	text[n] = '\0';
	if (cgroup_keyed_value(text, "Dirty:", &dirty) < 0 ||
	    cgroup_keyed_value(text, "Writeback:", &writeback) < 0)
		return UINT64_MAX;
	return dirty + writeback;
}

/* The report pipe's states, as PID 1 reads them. */
enum report {
	REPORT_NONE,       /* nothing new */
	REPORT_STEP,       /* a step began */
	REPORT_DONE,       /* fn returned: the empty line */
	REPORT_EOF,        /* the child is gone, done or not */
};

/* One line of the report pipe, which poll said is readable: each line was
 * written whole (final_sync_step), so it is all there. Read a byte at a
 * time (a few hundred in all): no line is ever split between two reads.
 * Its name into step, cut to size. */
static enum report read_step(int fd, char *step, size_t size)
{
	size_t n = 0;
	char c = 0;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r == 0 && n == 0)
			return REPORT_EOF;
		if (r <= 0 || c == '\n')
			break;   /* r <= 0: cut, what came */
		if (n + 1 < size)
			step[n++] = c;
	}
	if (n == 0)
		return c == '\n' ? REPORT_DONE : REPORT_NONE;
	step[n] = '\0';
	return REPORT_STEP;
}

/* Until fn has returned in the child (0), the child died before (-ECHILD),
 * or stall_usec passed without a step begun or a page written
 * (-ETIMEDOUT). */
static int wait_child(int fd, int meminfo, uint64_t stall_usec, struct watchdog *wd,
		      char *stuck, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t last = unwritten_kb(meminfo), moved = now_usec();

	for (;;) {
		enum report r = REPORT_NONE;
		uint64_t now, kb;

		if (poll(&p, 1, FINAL_SYNC_TICK_MSEC) > 0)
			r = read_step(fd, stuck, size);
		if (r == REPORT_DONE)
			return 0;
		if (r == REPORT_EOF)
			return -ECHILD;
		watchdog_pet_final(wd);
		now = now_usec();
		/* A fall since the last look is progress: the pages a stuck
		 * write holds move from dirty to writeback, the sum stays;
		 * pages dirtied meanwhile (a journal's commit, an unmount's
		 * inodes) raise it, and their writing is progress again. */
		kb = unwritten_kb(meminfo);
		if (r == REPORT_STEP || kb < last)
			moved = now;
		last = kb;
		if (now - moved >= stall_usec)
			return -ETIMEDOUT;
	}
}

/* What the child keeps of PID 1's fds: stdio, its report pipe and the
 * kernel log's (either may be below 3, or -1). A stuck child that held the
 * hardware watchdog's fd would keep a halt's magic close from stopping it
 * (a driver stops at its last close), and it needs none of the others. */
static void close_all_but(int report, int kmsg)
{
	int keep[2] = { report < kmsg ? report : kmsg, report < kmsg ? kmsg : report };
	unsigned from = 3;

	for (size_t i = 0; i < 2; i++) {
		if (keep[i] < (int)from)
			continue;
		if (keep[i] > (int)from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* The child after wait_child's r: killed when stuck (it dies when the
 * kernel lets it); else reaped, once it has exited (done, it drains its
 * console records first, LOG_DRAIN_MSEC at most: its pipe's end-of-file
 * says it has), and a death before fn returned said: the steps after
 * `stuck` did not run. */
static void reap(pid_t pid, int fd, int r, const char *stuck, struct watchdog *wd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = now_usec() + (LOG_DRAIN_MSEC + 1000) * USEC_PER_MSEC;
	int status = 0, n = 0;
	char c;

	if (r == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		return;
	}
	/* In ticks, petting: the drain may take its whole bound. */
	while (r == 0 && now_usec() < end &&
	       (n = poll(&p, 1, FINAL_SYNC_TICK_MSEC)) == 0)
		watchdog_pet_final(wd);
	if (r == 0 && (n <= 0 || read(fd, &c, 1) != 0))
		return;
	if (waitpid(pid, &status, 0) != pid || r == 0)
		return;
	if (WIFSIGNALED(status))
		log_error("%s: the final sync's child died of signal %d; the steps after it did "
			  "not run", stuck, WTERMSIG(status));
	else
		log_error("%s: the final sync's child exited with status %d; the steps after it "
			  "did not run", stuck, WEXITSTATUS(status));
}

int final_sync_run(final_sync_fn *fn, void *data, uint64_t stall_usec, struct watchdog *wd,
		   char *stuck, size_t size)
{
	int p[2], meminfo, r, null;
	pid_t pid;

	snprintf(stuck, size, "starting");
	meminfo = open(final_sync_meminfo, O_RDONLY | O_CLOEXEC);
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		goto inline_run;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		goto inline_run;
	}
	if (pid == 0) {
		child_reset_signals();
		close_all_but(p[1], log_kmsg_fd());
		fn(p[1], data);
		final_sync_step(p[1], "");   /* done: what follows is not counted */
		/* Its own records (an unmount's error) out before it ends. */
		log_drain(LOG_DRAIN_MSEC);
		_exit(0);
	}
	close(p[1]);
	r = wait_child(p[0], meminfo, stall_usec, wd, stuck, size);
	reap(pid, p[0], r, stuck, wd);
	close(p[0]);
	if (meminfo >= 0)
		close(meminfo);
	return r;

inline_run:
	/* No child (out of memory, out of pids at the very end): the old
	 * way, in PID 1, rather than no sync at all. */
	log_error("cannot fork for the final sync (%s): syncing in PID 1, unbounded",
		  strerror(-r));
	if (meminfo >= 0)
		close(meminfo);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fn(null, data);
	if (null >= 0)
		close(null);
	return r;
}
