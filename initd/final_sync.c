/* final_sync.c — the final phase's writes to disk in a child of PID 1,
 * bounded by their progress. See final_sync.h. */
#include <errno.h>
#include <fcntl.h>
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

	/* One write under PIPE_BUF: the step arrives whole or not at all. */
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

/* What the report pipe holds: the last whole step name into step, true
 * when one came. */
static bool read_steps(int fd, char *step, size_t size, bool *ended)
{
	char buf[512], *nl, *start;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	bool got = false;

	if (n == 0)
		*ended = true;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (start = buf; (nl = strchr(start, '\n')); start = nl + 1) {
		*nl = '\0';
		snprintf(step, size, "%s", start);
		got = true;
	}
	return got;
}

/* Until the child's end (its pipe's end-of-file) or stall_usec without a
 * step begun or a page written. */
static int wait_child(int fd, int meminfo, uint64_t stall_usec, struct watchdog *wd,
		      char *stuck, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t least = unwritten_kb(meminfo), moved = now_usec();
	bool ended = false;

	for (;;) {
		uint64_t now, kb;

		if (poll(&p, 1, FINAL_SYNC_TICK_MSEC) > 0 &&
		    read_steps(fd, stuck, size, &ended))
			moved = now_usec();
		if (ended)
			return 0;
		watchdog_pet_final(wd);
		now = now_usec();
		/* Only a fall is progress: the pages a stuck write holds
		 * move from dirty to writeback, the sum stays. */
		kb = unwritten_kb(meminfo);
		if (kb < least) {
			least = kb;
			moved = now;
		}
		if (now - moved >= stall_usec)
			return -ETIMEDOUT;
	}
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
		close(p[0]);
		fn(p[1], data);
		/* Its own records (an unmount's error) out before it ends. */
		log_drain(LOG_DRAIN_MSEC);
		_exit(0);
	}
	close(p[1]);
	r = wait_child(p[0], meminfo, stall_usec, wd, stuck, size);
	close(p[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	else
		waitpid(pid, NULL, 0);
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
