/* boot_guard.c — see boot_guard.h. */
#include "initd/boot_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"

struct boot_guard {
	struct loop *loop;
	struct loop_watch pipe;       /* the check's answer */
	struct loop_watch child;      /* the child's pidfd (the reset watches it:
	                               * readable once the child exited) */
	struct loop_timer timeout;
	char answer[32];
	size_t len;
	boot_guard_fn done;
	void *data;
};

/* The file, opened only if it is a regular file: O_NONBLOCK, because a
 * FIFO put there would block the opener forever (for a writer with no
 * reader, ENXIO; any other kind is refused after the open). */
static int guard_open(const char *file, int flags)
{
	int fd = open(file, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW, 0644);
	struct stat st;

	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

const char *boot_guard_strerror(int r)
{
	return r == -EINVAL ? "not a regular file" : strerror(-r);
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
	/* Garbage (a torn write, an operator's typo) counts as no failure:
	 * the guard must never be what keeps a good machine in rescue. */
	if (errno || end == buf || v < 0 || v > BOOT_GUARD_COUNT_MAX)
		return 0;
	return (int)v;
}

int boot_guard_write(const char *file, int count)
{
	_cleanup_close_ int fd = guard_open(file, O_WRONLY | O_CREAT | O_TRUNC);
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", count);

	if (fd < 0)
		return fd;
	if (write_all(fd, buf, (size_t)n) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The child: fresh signals, no fd of PID 1's but out. */
static void guard_child_setup(int out)
{
	if (child_reset_signals() < 0)
		_exit(1);
	if (out > 3)
		close_range(3, (unsigned)out - 1, 0);
	close_range((unsigned)out + 1, ~0U, 0);
}

static _Noreturn void guard_child(int out, const char *file, unsigned max)
{
	char buf[32];
	int count, r = 0, n;

	guard_child_setup(out);
	count = boot_guard_read(file);
	if (count >= 0 && (unsigned)count < max)
		r = boot_guard_write(file, count + 1);
	n = snprintf(buf, sizeof(buf), "%d\n", count < 0 ? count : r < 0 ? r : count);
	_exit(write_all(out, buf, (size_t)n) < 0 ? 1 : 0);
}

static void guard_free(struct boot_guard *g)
{
	if (!g)
		return;
	loop_watch_close(g->loop, &g->pipe);
	loop_timer_cancel(g->loop, &g->timeout);
	if (g->child.fd >= 0)
		syscall(SYS_pidfd_send_signal, g->child.fd, SIGKILL, NULL, 0);
	loop_watch_close(g->loop, &g->child);
	free(g);
}

static void guard_finish(struct boot_guard *g, int count)
{
	boot_guard_fn done = g->done;
	void *data = g->data;

	guard_free(g);
	done(count, data);
}

static void guard_pipe_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct boot_guard *g = data;
	ssize_t n = read(fd, g->answer + g->len, sizeof(g->answer) - 1 - g->len);
	char *end;
	long v;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && g->len + (size_t)n < sizeof(g->answer) - 1) {
		g->len += (size_t)n;
		return;   /* until end-of-file */
	}
	if (n > 0)
		g->len += (size_t)n;
	g->answer[g->len] = '\0';
	errno = 0;
	v = strtol(g->answer, &end, 10);
	if (g->len == 0 || errno || end == g->answer || v > BOOT_GUARD_COUNT_MAX || v < -4095)
		v = -EIO;
	guard_finish(g, (int)v);
}

static void guard_timed_out(struct loop *l, void *data)
{
	guard_finish(data, -ETIMEDOUT);
}

int boot_guard_begin(struct loop *l, const char *file, unsigned max, boot_guard_fn done,
		     void *data, struct boot_guard **ret)
{
	struct boot_guard *g = calloc(1, sizeof(*g));
	int p[2], r;
	pid_t pid;

	if (!g)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(g);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		free(g);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		guard_child(p[1], file, max);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*g = (struct boot_guard){ .loop = l, .done = done, .data = data };
	g->child.fd = (int)syscall(SYS_pidfd_open, pid, 0);   /* not reaped yet */
	g->pipe = (struct loop_watch){ .fd = p[0], .fn = guard_pipe_ready, .data = g };
	loop_timer_init(&g->timeout, guard_timed_out, g);
	if (loop_watch_add(l, &g->pipe, EPOLLIN) < 0 ||
	    loop_timer_arm(l, &g->timeout, now_usec() + BOOT_GUARD_TIMEOUT_USEC) < 0) {
		r = -errno;
		guard_free(g);
		return r ? r : -ENOMEM;
	}
	if (ret)
		*ret = g;
	return 0;
}

void boot_guard_cancel(struct boot_guard *g)
{
	guard_free(g);
}

/* The reset child has exited: nothing of it can land in the file now. */
static void reset_exited(struct loop *l, int fd, uint32_t events, void *data)
{
	guard_finish(data, 0);
}

int boot_guard_reset(struct loop *l, const char *file, boot_guard_fn done, void *data,
		     struct boot_guard **ret)
{
	struct boot_guard *g = calloc(1, sizeof(*g));
	pid_t pid;
	int r;

	if (!g)
		return -ENOMEM;
	pid = fork();
	if (pid < 0) {
		free(g);
		return -errno;
	}
	if (pid == 0) {
		guard_child_setup(2);   /* keeps stdio, drops the rest */
		r = boot_guard_write(file, 0);
		if (r < 0)
			dprintf(STDERR_FILENO, "initd: error: boot_guard %s: cannot reset the "
				"count: %s\n", file, boot_guard_strerror(r));
		_exit(r < 0);
	}
	*g = (struct boot_guard){ .loop = l, .done = done, .data = data, .pipe.fd = -1 };
	loop_timer_init(&g->timeout, guard_timed_out, g);
	g->child = (struct loop_watch){ .fn = reset_exited, .data = g,
					.fd = (int)syscall(SYS_pidfd_open, pid, 0) };
	if (g->child.fd < 0 || loop_watch_add(l, &g->child, EPOLLIN) < 0) {
		/* Untracked, its 0 could land after a failure's count. */
		r = -errno;
		if (g->child.fd < 0)
			kill(pid, SIGKILL);   /* not reaped: pid is still the child */
		guard_free(g);
		return r ? r : -ENOMEM;
	}
	*ret = g;
	return 0;
}

int boot_guard_fail(struct boot_guard *g, const char *file, int count)
{
	struct pollfd p;

	if (g && g->child.fd >= 0) {
		syscall(SYS_pidfd_send_signal, g->child.fd, SIGKILL, NULL, 0);
		p = (struct pollfd){ .fd = g->child.fd, .events = POLLIN };
		if (poll(&p, 1, (int)(BOOT_GUARD_TIMEOUT_USEC / 1000)) == 0) {
			guard_free(g);
			return -ETIMEDOUT;   /* stuck on the disk: writing would race */
		}
	}
	guard_free(g);
	return boot_guard_write(file, count);
}
