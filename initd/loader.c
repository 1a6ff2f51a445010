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
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#include "common/util.h"
#include "initd/bootphase.h"
#include "initd/child.h"
#include "initd/log.h"
#include "initd/spawn.h"

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
	if (ld->len == sizeof(LOADER_EXEC_FAILED) - 1 + sizeof(err) &&
	    memcmp(ld->buf, LOADER_EXEC_FAILED, sizeof(LOADER_EXEC_FAILED) - 1) == 0) {
		memcpy(&err, ld->buf + sizeof(LOADER_EXEC_FAILED) - 1, sizeof(err));
		loader_finish(ld, NULL, err < 0 ? err : -EIO, "cannot exec " LOADER_EXE_NAME);
		return;
	}
	if (ld->len == 0) {
		loader_finish(ld, NULL, -EPIPE, "the unit loader died without an answer");
		return;
	}
	boot_phase_mark(BOOT_PHASE_MODEL_READ);
	r = unit_set_decode(ld->buf, ld->len, &set);
	boot_phase_mark(BOOT_PHASE_MODEL_DECODED);
	if (r < 0)
		loader_finish(ld, NULL, r, r == -ENOMEM ? "out of memory decoding the unit model" :
					   r == -EFBIG ? "the unit model would take more memory to "
					   "decode than PID 1 gives it" :
					   "the unit loader sent a malformed model");
	else
		loader_finish(ld, set, 0, NULL);
	/* The decoder's scratch (each unit as a tree of mallocs before it was
	 * copied into the set's block, or all of a refused one's) and the
	 * answer's buffer are free now: give their pages back, or they stay
	 * dirty in PID 1 (issue 19). */
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
 * the last component). Without /proc (`initd --check` in a bare chroot):
 * beside argv[0] when it names a directory, else initd-loader alone, for
 * a PATH search. */
static int loader_exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0) {
		n = snprintf(buf, size, "%s", program_invocation_name);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash) {
		snprintf(buf, size, "%s", LOADER_EXE_NAME);
		return 0;
	}
	*slash = '\0';
	if ((size_t)snprintf(slash, size - (size_t)(slash - buf), "/%s", LOADER_EXE_NAME) >=
	    size - (size_t)(slash - buf))
		return -ENAMETOOLONG;
	return 0;
}

/* An O_PATH fd on initd-loader, opened at the first need and kept: every
 * later load runs the same file as the first, so an upgrade on disk cannot
 * hand this PID 1 a loader of another version (the new one runs from the
 * next boot on). */
int loader_exe_fd(void)
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

/* ---- the sealed copy: what the reaper and the log writer run -------------- */

static int memfd_executable(void)
{
	/* Kernels with vm.memfd_noexec want MFD_EXEC said; older ones
	 * (before 6.3) refuse the flag they do not know. The name is what
	 * /proc/PID/exe of a reaper or writer shows: "/memfd:initd-reaper",
	 * as when the copy was of initd itself. */
	int fd = memfd_create("initd-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("initd-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? -errno : fd;
}

static int copy_all(int out, int in)
{
	for (;;) {
		ssize_t n = sendfile(out, in, NULL, 1 << 20);

		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* The file behind loader_exe_fd, copied whole into a sealed memfd. Not
 * copied unless executable: the copy would run whatever its mode says. */
static int exe_copy_make(void)
{
	char path[64];
	_cleanup_close_ int src = -1;
	int exe = loader_exe_fd(), fd, r;

	if (exe < 0)
		return exe;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", exe);
	if (access(path, X_OK) < 0 || (src = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	fd = memfd_executable();
	if (fd < 0)
		return fd;
	r = copy_all(fd, src);
	/* Sealed: nobody, not even a process that gets hold of the fd, can
	 * change what every later reaper or writer runs. */
	if (r == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			    F_SEAL_SEAL) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int loader_exe_sealed_fd(void)
{
	static int copy = -1;

	if (copy < 0) {
		int fd = exe_copy_make();
		if (fd < 0)
			return fd;
		copy = fd;
	}
	return copy;
}

#define LOADER_ARGS_MAX (4 + LOADER_EXTRA_MAX + 1)

/* The loader's fork, its exec refused (EACCES, ENOEXEC, ...): the answer
 * says so with the errno, so that PID 1 can name the cause. */
static _Noreturn void loader_exec_failed(int out, int err)
{
	uint8_t answer[sizeof(LOADER_EXEC_FAILED) - 1 + sizeof(int32_t)];
	int32_t e = err;

	memcpy(answer, LOADER_EXEC_FAILED, sizeof(LOADER_EXEC_FAILED) - 1);
	memcpy(answer + sizeof(LOADER_EXEC_FAILED) - 1, &e, sizeof(e));
	(void)!write(out, answer, sizeof(answer));
	_exit(127);
}

/* fork + exec. Not posix_spawn: glibc's (a vfork: PID 1 waits until the
 * child has exec'd) held PID 1 14-34 ms per load in the bench VM under
 * TCG, a fork 6-7 ms (issue 19). The child resets what it inherited first
 * (child.h), puts the pipe on stdout and the console as PID 1 was given
 * it on stderr (log.h), and execs; every other fd of PID 1 is CLOEXEC. */
static int loader_spawn(const char *conf_path, const char *units_dir, char *const *extra,
			int out, pid_t *ret_pid)
{
	char exe[64], *argv[LOADER_ARGS_MAX];
	size_t n = 0;
	int fd = loader_exe_fd();
	pid_t pid;

	if (fd < 0)
		return fd;
	snprintf(exe, sizeof(exe), "/proc/self/fd/%d", fd);
	argv[n++] = (char *)LOADER_EXE_NAME;
	argv[n++] = (char *)LOADER_MODEL_ARG;
	argv[n++] = (char *)conf_path;
	argv[n++] = (char *)units_dir;
	for (size_t i = 0; extra && extra[i]; i++) {
		if (n == LOADER_ARGS_MAX - 1)
			return -E2BIG;
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	pid = spawn_helper_fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fds[] = { out, log_console_for_helpers() };
		static const int to[] = { STDOUT_FILENO, STDERR_FILENO };

		/* First: until then a fault here would run PID 1's crash action. */
		if (child_reset_signals() == 0 &&
		    child_place_fds(fds, ARRAY_SIZE(fds), to, ARRAY_SIZE(to)) == 0)
			execve(exe, argv, environ);
		loader_exec_failed(out, -errno);
	}
	*ret_pid = pid;
	return 0;
}

int loader_exec_tool(char *const *args)
{
	char path[4096], *argv[8];
	size_t n = 0;
	int r = loader_exe_path(path, sizeof(path));

	if (r < 0)
		return r;
	argv[n++] = (char *)LOADER_EXE_NAME;
	for (; *args; args++) {
		if (n == sizeof(argv) / sizeof(*argv) - 1)
			return -E2BIG;
		argv[n++] = *args;
	}
	argv[n] = NULL;
	execvp(path, argv);   /* a path as is; initd-loader alone: PATH */
	return -errno;
}

int loader_read_compiled(const char *model_path, const char *conf_path, const char *units_dir,
			 struct unit_set **ret)
{
	_cleanup_free_ uint8_t *buf = NULL;
	const char *why = NULL;
	uint64_t read_at = 0;
	size_t len = 0;
	int r = unit_model_check(model_path, conf_path, units_dir, &buf, &len, &why);

	if (r == 0) {
		read_at = now_usec();   /* stamped once decoded: else the loader's */
		r = unit_model_decode(buf, len, ret, &why);
	}
	if (r == -ENOENT)
		return r;
	if (r == -ESTALE) {   /* the files were edited: what they are for */
		log_notice("%s: %s; reading the unit files", model_path, why);
		return r;
	}
	if (r < 0) {
		log_warn("%s: %s (%s); reading the unit files", model_path, why, strerror(-r));
		free(TAKE_PTR(buf));
		malloc_trim(0);   /* what a refused decode allocated */
		return r;
	}
	boot_phase_mark_at(BOOT_PHASE_MODEL_READ, read_at);
	boot_phase_mark(BOOT_PHASE_MODEL_DECODED);
	log_info("units: %zu from %s (its digest matches the files)", (*ret)->n_units, model_path);
	free(TAKE_PTR(buf));
	malloc_trim(0);   /* the file's buffer and the decoder's scratch */
	return 0;
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
