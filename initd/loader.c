/* loader.c — see loader.h. */
#include "initd/loader.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/bootphase.h"
#include "initd/child.h"

struct loader {
	struct loop *loop;
	struct loop_watch pipe;
	struct loop_timer timeout;
	int pidfd;
	uint8_t *buf;
	size_t len, cap;
	loader_done_fn done;
	void *data;
};

#ifdef INITD_FAULT_INJECTION
/* Test builds: a units directory holding ".crash-loader" makes the loader
 * fault the way a bug in libconfig or the parser would (tests/vm/crash.sh). */
static void loader_fault_if_asked(const char *units_dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/.crash-loader", units_dir);
	if (access(path, F_OK) == 0)
		raise(SIGSEGV);
}
#endif

static _Noreturn void loader_child(int out, const char *conf_path, const char *units_dir,
				   char *const *extra)
{
	struct unit_set *set = NULL;
	void *buf = NULL;
	size_t len = 0;
	int r;

	/* First: a fault in libconfig or the parser must kill the loader, not
	 * run PID 1's crash action (reboot) from here. */
	if (child_reset_signals() < 0)
		_exit(1);
	/* Not PID 1's sockets, pidfds and pipes: a client initd drops must
	 * see its end now, not when the loader exits. */
	if (out > 3)
		close_range(3, (unsigned)out - 1, 0);
	close_range((unsigned)out + 1, ~0U, 0);
#ifdef INITD_FAULT_INJECTION
	loader_fault_if_asked(units_dir);
#endif
	r = unit_set_load_with(conf_path, units_dir, extra, &set);
	if (r >= 0)
		r = unit_set_encode(set, &buf, &len);
	if (r < 0) {
		int32_t err = r;   /* a 4-byte answer: "no model, this errno" */
		(void)!write_all(out, &err, sizeof(err));
		_exit(1);
	}
	_exit(write_all(out, buf, len) < 0 ? 1 : 0);
}

static void loader_free(struct loader *ld)
{
	if (!ld)
		return;
	if (ld->pipe.fd >= 0) {
		loop_watch_del(ld->loop, &ld->pipe);
		close(ld->pipe.fd);
	}
	loop_timer_cancel(ld->loop, &ld->timeout);
	if (ld->pidfd >= 0) {
		/* Harmless if it already exited: the pidfd cannot name another. */
		syscall(SYS_pidfd_send_signal, ld->pidfd, SIGKILL, NULL, 0);
		close(ld->pidfd);
	}
	free(ld->buf);
	free(ld);
}

static void loader_finish(struct loader *ld, struct unit_set *set, int err, const char *why)
{
	loader_done_fn done = ld->done;
	void *data = ld->data;

	loader_free(ld);   /* the reaper collects the child */
	done(set, err, why, data);
}

static void loader_decode(struct loader *ld)
{
	struct unit_set *set = NULL;
	int32_t err;
	int r;

	if (ld->len == sizeof(err)) {
		memcpy(&err, ld->buf, sizeof(err));
		loader_finish(ld, NULL, err < 0 ? err : -EIO, "cannot read the unit files");
		return;
	}
	if (ld->len == 0) {
		loader_finish(ld, NULL, -EPIPE, "the unit loader died without an answer");
		return;
	}
	boot_phase_mark(BOOT_PHASE_MODEL_READ);
	r = unit_set_decode(ld->buf, ld->len, &set);
	boot_phase_mark(BOOT_PHASE_MODEL_DECODED);
	if (r < 0) {
		loader_finish(ld, NULL, r, r == -ENOMEM ? "out of memory decoding the unit model" :
					   "the unit loader sent a malformed model");
		return;
	}
	loader_finish(ld, set, 0, NULL);
	/* The decoder's scratch (each unit as a tree of mallocs before it was
	 * copied into the set's block) and the answer's buffer are free now:
	 * give their pages back, or they stay dirty in PID 1 (issue 19). */
	malloc_trim(0);
}

static void pipe_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct loader *ld = data;

	for (;;) {
		ssize_t n;

		if (ld->len == ld->cap) {
			size_t cap = ld->cap ? ld->cap * 2 : 64 * 1024;
			uint8_t *b;

			if (cap > LOADER_OUTPUT_MAX) {
				loader_finish(ld, NULL, -EFBIG, "the unit loader's answer is too big");
				return;
			}
			b = realloc(ld->buf, cap);
			if (!b) {
				loader_finish(ld, NULL, -ENOMEM, "out of memory reading the units");
				return;
			}
			ld->buf = b;
			ld->cap = cap;
		}
		n = read(fd, ld->buf + ld->len, ld->cap - ld->len);
		if (n > 0) {
			ld->len += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		loader_decode(ld);   /* EOF (or a read error: decode what came) */
		return;
	}
}

static void loader_timed_out(struct loop *l, void *data)
{
	loader_finish(data, NULL, -ETIMEDOUT, "the unit loader hung and was killed");
}

int loader_start(struct loop *l, const char *conf_path, const char *units_dir,
		 char *const *extra, loader_done_fn done, void *data, struct loader **ret)
{
	struct loader *ld = calloc(1, sizeof(*ld));
	int p[2];
	pid_t pid;

	if (!ld)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(ld);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(p[0]);
		close(p[1]);
		free(ld);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		loader_child(p[1], conf_path, units_dir, extra);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ld->loop = l;
	ld->done = done;
	ld->data = data;
	/* Not yet reaped (the reaper runs from this same loop), so the pid
	 * still names our child. */
	ld->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ld->pipe = (struct loop_watch){ .fd = p[0], .fn = pipe_ready, .data = ld };
	loop_timer_init(&ld->timeout, loader_timed_out, ld);
	if (loop_watch_add(l, &ld->pipe, EPOLLIN) < 0 ||
	    loop_timer_arm(l, &ld->timeout, now_usec() + LOADER_TIMEOUT_USEC) < 0) {
		int r = -errno;
		loader_free(ld);
		return r ? r : -ENOMEM;
	}
	if (ret)
		*ret = ld;
	return 0;
}

void loader_cancel(struct loader *ld)
{
	loader_free(ld);
}
