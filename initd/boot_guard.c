/* boot_guard.c — see boot_guard.h. */
#include "initd/boot_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/spawn.h"

struct boot_guard {
	struct loop *loop;
	struct loop_watch pipe;       /* the child's answer; end-of-file once it ended */
	struct loop_timer timeout;    /* the check's bound (the boot waits for it) */
	int pidfd;                    /* to kill the child, and to wait for its end */
	bool reset;                   /* writes 0; else the check (count + 1) */
	char answer[32];
	size_t len;
	boot_guard_fn done;
	void *data;
};

/* The file, opened only if it is a regular file (else -EBADF): looked at
 * before the open (a device node is never opened: a watchdog's would arm),
 * and opened O_NONBLOCK (a FIFO swapped in meanwhile would block its
 * opener forever; for a writer with no reader, ENXIO). */
static int guard_open(const char *file, int flags)
{
	struct stat st;
	int fd;

	if (fstatat(AT_FDCWD, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		return -EBADF;
	fd = open(file, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno == ENXIO || errno == ELOOP ? -EBADF : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADF;
	}
	return fd;
}

const char *boot_guard_strerror(int r)
{
	if (r == -EBADF)
		return "not a regular file";
	if (r == -ETIMEDOUT)
		return "no answer in 10 s (a hung disk?)";
	return strerror(-r);
}

int boot_guard_read(const char *file)
{
	_cleanup_close_ int fd = guard_open(file, O_RDONLY);
	char buf[32];
	ssize_t n;
	char *end;
	long v;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	/* Garbage (an operator's typo; writes are whole, boot_guard_write)
	 * counts as no failure: the guard must never be what keeps a good
	 * machine in rescue. A number too large (past the bound, past a long,
	 * past the bytes read) is a number, and past any max: counted as
	 * reached, or a corrupt count would let a reboot loop go on. */
	if (end == buf || v < 0)
		return 0;
	if ((errno == ERANGE && v == LONG_MAX) || v > BOOT_GUARD_COUNT_MAX)
		return BOOT_GUARD_COUNT_MAX;
	return (int)v;
}

/* fsync the directory of file: the rename is on the disk. */
static int guard_sync_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	size_t n = !slash ? 1 : slash == file ? 1 : (size_t)(slash - file);
	char dir[PATH_MAX];
	_cleanup_close_ int fd = -1;

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, slash ? file : ".", n);   /* "/data/fb" -> "/data", "/fb" -> "/" */
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* Through FILE.new and a rename: a reader, a boot after a power cut or
 * after a writer killed half-way (the guard kills its children) sees the
 * old count or the new one, never an empty file (which counts 0). */
int boot_guard_write(const char *file, int count)
{
	char tmp[PATH_MAX], buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", count), r;
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (fstatat(AT_FDCWD, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		return -EBADF;   /* a rename would replace it */
	if (snprintf(tmp, sizeof(tmp), "%s.new", file) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = guard_open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd == -ENOENT) {
		/* Its directory, on a data disk formatted at this boot: a
		 * guard that cannot count lets an appliance reboot for ever. */
		char dir[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", file);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			r = mkdir_p(dir);
			if (r < 0)
				return r;
		}
		fd = guard_open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
	}
	if (fd < 0)
		return fd;
	if (write_all(fd, buf, (size_t)n) < 0 || fsync(fd) < 0 || rename(tmp, file) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return guard_sync_dir(file);
}

/* The child: fresh signals, no fd of PID 1's but out; answers one number
 * (the check: the count before this boot, or -errno; the reset: 0 or
 * -errno) once its write is on the disk, then exits. */
static _Noreturn void guard_child(int out, const char *file, unsigned max, bool reset)
{
	char buf[32];
	int count = 0, r = 0, n;

	if (child_reset_signals() < 0)
		_exit(1);
	if (out > 3)
		close_range(3, (unsigned)out - 1, 0);
	close_range((unsigned)out + 1, ~0U, 0);
	if (reset)
		r = boot_guard_write(file, 0);
	else if ((count = boot_guard_read(file)) >= 0 && (unsigned)count < max)
		r = boot_guard_write(file, count + 1);
	n = snprintf(buf, sizeof(buf), "%d\n", count < 0 ? count : r < 0 ? r : count);
	_exit(write_all(out, buf, (size_t)n) < 0 ? 1 : 0);
}

/* kill: a check past its bound, or cancelled; a reset is left to finish
 * (its 0 is what a good boot wants) unless a failure kills it first. */
static void guard_free(struct boot_guard *g, bool kill)
{
	if (!g)
		return;
	loop_watch_close(g->loop, &g->pipe);
	loop_timer_cancel(g->loop, &g->timeout);
	if (kill)
		syscall(SYS_pidfd_send_signal, g->pidfd, SIGKILL, NULL, 0);
	close(g->pidfd);
	free(g);
}

static void guard_finish(struct boot_guard *g, int count, bool kill)
{
	boot_guard_fn done = g->done;
	void *data = g->data;

	guard_free(g, kill);
	done(count, data);
}

/* Read what the child answered: 1 until end-of-file (or a full buffer),
 * then 0 with *v its number (-EIO: none, or garbage). */
static int guard_answer(struct boot_guard *g, long *v)
{
	ssize_t n = read(g->pipe.fd, g->answer + g->len, sizeof(g->answer) - 1 - g->len);
	char *end;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n > 0 && g->len + (size_t)n < sizeof(g->answer) - 1) {
		g->len += (size_t)n;
		return 1;   /* until end-of-file */
	}
	if (n > 0)
		g->len += (size_t)n;
	g->answer[g->len] = '\0';
	errno = 0;
	*v = strtol(g->answer, &end, 10);
	if (g->len == 0 || errno || end == g->answer || *v > BOOT_GUARD_COUNT_MAX || *v < -4095)
		*v = -EIO;
	return 0;
}

static void guard_pipe_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct boot_guard *g = data;
	long v;

	if (guard_answer(g, &v) == 0)
		guard_finish(g, (int)v, false);   /* it answered: its write is done */
}

static void guard_timed_out(struct loop *l, void *data)
{
	guard_finish(data, -ETIMEDOUT, true);
}

static int guard_start(struct loop *l, const char *file, unsigned max, bool reset,
		       boot_guard_fn done, void *data, struct boot_guard **ret)
{
	struct boot_guard *g = calloc(1, sizeof(*g));
	int p[2], pidfd = -1, r;
	/* CLONE_PIDFD: the child is never without its pidfd (pidfd_open
	 * after a fork can fail, and an untracked reset could write its 0
	 * after a failure's count). */
	struct clone_args args = { .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&pidfd,
				   .exit_signal = SIGCHLD };
	pid_t pid;

	if (!g)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(g);
		return -errno;
	}
	spawn_settle();
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		free(g);
		return r;
	}
	if (pid == 0)
		guard_child(p[1], file, max, reset);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*g = (struct boot_guard){ .loop = l, .pidfd = pidfd, .reset = reset, .done = done,
				  .data = data };
	g->pipe = (struct loop_watch){ .fd = p[0], .fn = guard_pipe_ready, .data = g };
	loop_timer_init(&g->timeout, guard_timed_out, g);
	if (loop_watch_add(l, &g->pipe, EPOLLIN) < 0 ||
	    (!reset && loop_timer_arm(l, &g->timeout, now_usec() + BOOT_GUARD_TIMEOUT_USEC) < 0)) {
		r = -errno;
		guard_free(g, true);
		return r ? r : -ENOMEM;
	}
	if (ret)
		*ret = g;
	return 0;
}

int boot_guard_begin(struct loop *l, const char *file, unsigned max, boot_guard_fn done,
		     void *data, struct boot_guard **ret)
{
	return guard_start(l, file, max, false, done, data, ret);
}

int boot_guard_reset(struct loop *l, const char *file, boot_guard_fn done, void *data,
		     struct boot_guard **ret)
{
	return guard_start(l, file, 0, true, done, data, ret);
}

/* Until g's child has ended (bounded): its files are closed, its writes
 * done, before its pidfd reads as exited. */
static int guard_wait(struct boot_guard *g)
{
	struct pollfd p = { .fd = g->pidfd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, (int)(BOOT_GUARD_TIMEOUT_USEC / 1000));
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : n == 0 ? -ETIMEDOUT : -errno;
}

int boot_guard_end(struct boot_guard *g)
{
	int r = 0;

	if (g && g->reset)
		r = guard_wait(g);
	guard_free(g, true);
	return r;
}

int boot_guard_fail(struct boot_guard *g, const char *file, int count)
{
	long v = -EIO;
	int r;

	if (g && !g->reset) {
		/* The check counts this boot itself: let it finish, and take
		 * its answer (an error: nothing was counted). */
		r = guard_wait(g);
		for (int i = 0; r == 0 && i < 4 && guard_answer(g, &v) > 0; i++)
			;   /* its number, then end-of-file: it has exited */
		guard_free(g, true);
		return r < 0 ? r : v < 0 ? (int)v : 1;
	}
	if (g) {
		syscall(SYS_pidfd_send_signal, g->pidfd, SIGKILL, NULL, 0);
		r = guard_wait(g);
		guard_free(g, false);
		if (r < 0)
			return r;   /* stuck on the disk: its 0 could still land */
	}
	return boot_guard_write(file, count);
}
