/* child.c — see child.h. */
#include "initd/child.h"
#include "initd/log.h"
#include "initd/rawsys.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction: glibc's sigaction() refuses the signals it
 * reserves (32, 33), and an ignored one would be inherited across exec. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

volatile sig_atomic_t child_of_pid1;

/* Bit sig - 1 set: PID 1 holds something other than SIG_DFL for sig. Every
 * signal until child_signals_snapshot() has looked. */
static uint64_t not_default = ~(uint64_t)0;

static uint64_t bit(int sig)
{
	return (uint64_t)1 << (sig - 1);
}

void child_signals_snapshot(void)
{
	uint64_t set = 0;

	for (int sig = 1; sig < NSIG; sig++) {
		struct kernel_sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) < 0 ||
		    old.handler != SIG_DFL)
			set |= bit(sig);
	}
	not_default = set;
}

/* Raw where it can be: child_reset_signals_shared runs on PID 1's memory
 * (rawsys.h). None of these fails, so glibc's would set no errno either. */
#if RAWSYS_AVAILABLE
#define SIGCALL(...) rawsys(__VA_ARGS__)
#else
#define SIGCALL(...) syscall(__VA_ARGS__)
#endif

/* Only what PID 1 changed: the rest is SIG_DFL already (issue 19: 64
 * system calls in every child were most of its setup before exec). */
static void reset_actions(void)
{
	struct kernel_sigaction dfl = { .handler = SIG_DFL };
	stack_t no_stack = { .ss_flags = SS_DISABLE };

	for (int sig = 1; sig < NSIG; sig++)
		if ((not_default & bit(sig)) && sig != SIGKILL && sig != SIGSTOP)
			SIGCALL(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	/* The crash handler's stack is PID 1's static buffer: not ours. */
	SIGCALL(SYS_sigaltstack, &no_stack, NULL);
}

int child_reset_signals(void)
{
	sigset_t none;

	reset_actions();
	log_forked();
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL) < 0 ? -errno : 0;
}

int child_place_fds(int *fds, size_t n, const int *to, size_t n_to)
{
	int above = 0;

	for (size_t i = 0; i < n_to; i++)
		above = to[i] >= above ? to[i] + 1 : above;
	/* All moved first: a later one may sit where an earlier one goes. */
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0 && (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, above)) < 0)
			return -errno;
	for (size_t i = 0; i < n_to; i++)
		if (fds[i] < 0)
			close(to[i]);   /* nothing to put there: nothing of PID 1's either */
		else if (dup2(fds[i], to[i]) < 0)
			return -errno;
	return 0;
}

void stdio_take(int fd)
{
	for (int i = 0; i < 3; i++)
		if (fd == i)
			fcntl(i, F_SETFD, 0);
		else
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

void child_console_session(void)
{
	int fd;

	setsid();
	fd = open("/dev/console", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* PID 1's 0-2 then, but not its non-blocking fd 2 (log.h) */
		dup2(log_console_for_helpers(), STDERR_FILENO);
		return;
	}
	ioctl(fd, TIOCSCTTY, 0);
	stdio_take(fd);
}

#if RAWSYS_AVAILABLE
int child_reset_signals_shared(void)
{
	uint64_t none = 0;

	reset_actions();
	return (int)rawsys(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
}
#endif
