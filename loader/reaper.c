/* reaper.c — the reaper process (initd/reaper.h): initd-loader's mode
 * `--reaper MAINPID`, exec'd as PID 1 of a service's PID namespace. PID 1's
 * side (the sealed copy, the fork in the clone3 child, the request to
 * signal the whole namespace) is initd/reaper.c. */
#include "initd/reaper.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/caps.h"

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
	/* Exec'd from a memfd: its name in ps and the kernel's lines. */
	prctl(PR_SET_NAME, "initd-reaper");
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
