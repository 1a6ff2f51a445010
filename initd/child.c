/* child.c — see child.h. */
#include "initd/child.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
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

void child_reset_actions(void)
{
	struct kernel_sigaction dfl = { .handler = SIG_DFL };
	stack_t no_stack = { .ss_flags = SS_DISABLE };

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	/* The crash handler's stack is PID 1's static buffer: not ours. */
	sigaltstack(&no_stack, NULL);
}

int child_block_all(void)
{
	uint64_t all = ~(uint64_t)0;   /* the kernel keeps KILL and STOP out */

	return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all)) < 0 ? -errno : 0;
}

int child_reset_signals(void)
{
	sigset_t none;

	child_reset_actions();
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL) < 0 ? -errno : 0;
}
