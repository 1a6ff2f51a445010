/* reaper.c — see reaper.h. */
#include "initd/reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/caps.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* ---- PID 1: the sealed copy ----------------------------------------------- */

static int exe_copy_fd = -1;

static int memfd_executable(void)
{
	/* Kernels with vm.memfd_noexec want MFD_EXEC said; older ones
	 * (before 6.3) refuse the flag they do not know. */
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

static int exe_copy_make(void)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int fd, r;

	if (src < 0)
		return -errno;
	fd = memfd_executable();
	if (fd < 0)
		return fd;
	r = copy_all(fd, src);
	/* Sealed: nobody, not even a process that gets hold of the fd, can
	 * change what every later reaper runs. */
	if (r == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			    F_SEAL_SEAL) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int reaper_exe_fd(void)
{
	if (exe_copy_fd < 0) {
		int fd = exe_copy_make();
		if (fd < 0)
			return fd;
		exe_copy_fd = fd;
	}
	return exe_copy_fd;
}

/* ---- PID 1: signal the whole namespace ------------------------------------------ */

/* The carrier: blockable (so that KILL and STOP can be asked for without
 * killing or stopping the reaper) and queued with SI_QUEUE and a value
 * whose high bits say it is a request, which a forwarded signal never is. */
#define REAPER_SIG_ALL SIGRTMAX
#define REAPER_ALL_MAGIC 0x5a110000
#define REAPER_ALL_MASK 0xffff0000

int reaper_signal_all(int pidfd, int sig)
{
	siginfo_t si = { .si_signo = REAPER_SIG_ALL, .si_code = SI_QUEUE };

	if (sig <= 0 || sig >= NSIG)
		return -EINVAL;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = REAPER_ALL_MAGIC | sig;
	if (syscall(SYS_pidfd_send_signal, pidfd, REAPER_SIG_ALL, &si, 0) < 0)
		return -errno;
	return 0;
}

/* A request from reaper_signal_all: the signal it asks for, else 0. */
static int reaper_all_request(int sig, const siginfo_t *si)
{
	int want = si->si_value.sival_int;

	if (sig != REAPER_SIG_ALL || si->si_code != SI_QUEUE ||
	    (want & (int)REAPER_ALL_MASK) != REAPER_ALL_MAGIC)
		return 0;
	want &= ~(int)REAPER_ALL_MASK;
	return want > 0 && want < NSIG ? want : 0;
}

/* ---- the clone3 child: fork, exec the reaper -------------------------------- */

/* The reaper-to-be: exec; on failure tell the waiting child (one byte, so
 * that it does not mistake our exit for the exec) and return -errno. */
static int reaper_exec(int exe_fd, pid_t main_pid, int exec_w)
{
	char pid_text[16];
	char *argv[] = { "initd", "--reaper", pid_text, NULL };
	char *envp[] = { NULL };
	int r;

	snprintf(pid_text, sizeof(pid_text), "%d", (int)main_pid);
	syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
	r = -errno;
	if (write(exec_w, "x", 1) < 0) {
		/* the namespace dies with us anyway */
	}
	return r;
}

/* The service-to-be: wait for the reaper's exec (end-of-file). */
static int reaper_wait_exec(int exec_r)
{
	char c;
	ssize_t n;

	do
		n = read(exec_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0)
		_exit(127);   /* the reaper failed and reports it */
	close(exec_r);
	return 0;
}

int reaper_fork(int exe_fd)
{
	sigset_t all, old;
	int exec_pipe[2], r;
	pid_t pid;

	if (pipe2(exec_pipe, O_CLOEXEC) < 0)
		return -errno;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(exec_pipe[0]);
		return reaper_exec(exe_fd, pid, exec_pipe[1]);
	}
	close(exec_pipe[1]);
	r = sigprocmask(SIG_SETMASK, &old, NULL) < 0 ? -errno : 0;
	return r < 0 ? r : reaper_wait_exec(exec_pipe[0]);
}

/* ---- the reaper ------------------------------------------------------------- */

bool reaper_requested(int argc, char **argv)
{
	return argc == 3 && strcmp(argv[1], "--reaper") == 0;
}

static _Noreturn void reaper_loop(pid_t main_pid)
{
	sigset_t all;

	sigfillset(&all);
	/* Already blocked across the exec; said again for a reaper started
	 * by hand. */
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si), status;
		pid_t p;
		int every;

		if (sig < 0)
			continue;
		every = reaper_all_request(sig, &si);
		if (every) {
			/* Every process of the namespace but us. */
			kill(-1, every);
			continue;
		}
		if (sig != SIGCHLD) {
			kill(main_pid, sig);
			continue;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != main_pid)
				continue;
			/* PID 1 of a namespace cannot die of its own signal:
			 * report it the way a shell does. */
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		}
	}
}

_Noreturn void reaper_main(int argc, char **argv)
{
	char *end;
	long pid;

	/* First: nobody attaches to us or reads our memory, whatever uid. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)argc;
	errno = 0;
	pid = strtol(argv[2], &end, 10);
	if (errno || *end || pid <= 1)
		_exit(127);
	/* Root again after the exec: keep only what forwarding signals to a
	 * service of another uid needs. A failure leaves us as we are. */
	if (caps_limit_bounding(1ULL << CAP_KILL) == 0)
		caps_apply(1ULL << CAP_KILL, true);
	reaper_loop((pid_t)pid);
}
