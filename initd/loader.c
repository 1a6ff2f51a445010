/* loader.c — see loader.h. */
#include "initd/loader.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/bootphase.h"
#include "initd/log.h"

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

/* Where initd-loader is: beside the running initd (/proc/self/exe: a
 * symlink such as /init resolved, " (deleted)" after an upgrade only in
 * the last component). */
static int loader_exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(slash, size - (size_t)(slash - buf), "/%s", LOADER_EXE_NAME) >=
	    size - (size_t)(slash - buf))
		return -ENAMETOOLONG;
	return 0;
}

/* An O_PATH fd on initd-loader, opened at the first load and kept: every
 * later load runs the same file as the first, so an upgrade on disk cannot
 * hand this PID 1 a loader of another version (it runs after a re-exec). */
static int loader_exe_fd(void)
{
	static int fd = -1;
	char path[4096];
	int r;

	if (fd >= 0)
		return fd;
	r = loader_exe_path(path, sizeof(path));
	if (r == 0 && (fd = open(path, O_PATH | O_CLOEXEC)) < 0)
		r = -errno;
	if (r < 0)
		log_error("%s: %s", r == -ENOENT || r == -ENAMETOOLONG ? LOADER_EXE_NAME : path,
			  strerror(-r));
	return r < 0 ? r : fd;
}

/* At most this many run-time instances go on the loader's command line
 * (commands.c keeps at most 1024). */
#define LOADER_ARGS_MAX (4 + 1024 + 1)

/* posix_spawn: glibc's is a vfork (CLONE_VM | CLONE_VFORK) that only
 * resets the signals, puts the pipe on stdout and execs, so PID 1 neither
 * copies its page tables nor takes a copy-on-write fault per page it
 * writes while the loader parses (issue 19). PID 1 waits for the exec
 * alone: a local file, never the unit files. Every other fd of PID 1 is
 * CLOEXEC. */
static int loader_spawn(const char *conf_path, const char *units_dir, char *const *extra,
			int out, pid_t *ret_pid)
{
	char exe[64], *argv[LOADER_ARGS_MAX];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	size_t n = 0;
	int fd = loader_exe_fd(), r;

	if (fd < 0)
		return fd;
	snprintf(exe, sizeof(exe), "/proc/self/fd/%d", fd);
	argv[n++] = (char *)LOADER_EXE_NAME;
	argv[n++] = (char *)LOADER_MODEL_ARG;
	argv[n++] = (char *)conf_path;
	argv[n++] = (char *)units_dir;
	for (size_t i = 0; extra && extra[i] && n < LOADER_ARGS_MAX - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	sigemptyset(&none);
	sigfillset(&all);
	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	r = posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	if (!r && !(r = posix_spawnattr_init(&at))) {
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		r = posix_spawn(ret_pid, exe, &fa, &at, argv, environ);
		posix_spawnattr_destroy(&at);
	}
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

int loader_exec_check(const char *conf_path, const char *units_dir, const char *root,
		      bool dump)
{
	char path[4096];
	char *argv[] = { (char *)LOADER_EXE_NAME, (char *)LOADER_CHECK_ARG, (char *)conf_path,
			 (char *)units_dir, dump ? (char *)"--dump" : NULL, NULL, NULL, NULL };
	size_t n = dump ? 5 : 4;
	int r = loader_exe_path(path, sizeof(path));

	if (root) {
		argv[n++] = (char *)"--root";
		argv[n++] = (char *)root;
	}
	if (r < 0)
		return r;
	execv(path, argv);
	return -errno;
}

int loader_start(struct loop *l, const char *conf_path, const char *units_dir,
		 char *const *extra, loader_done_fn done, void *data, struct loader **ret)
{
	struct loader *ld = calloc(1, sizeof(*ld));
	int p[2], r;
	pid_t pid;

	if (!ld)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(ld);
		return -errno;
	}
	r = loader_spawn(conf_path, units_dir, extra, p[1], &pid);
	if (r < 0) {
		close(p[0]);
		close(p[1]);
		free(ld);
		return r;
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
		r = -errno;
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
