/* reaper.c — see reaper.h: PID 1's side and the clone3 child's; the
 * reaper process itself is initd-loader's (loader/reaper.c). */
#include "initd/reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

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

int reaper_all_request(int sig, const siginfo_t *si)
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
