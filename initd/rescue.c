/* rescue.c — see rescue.h. */
#include "initd/rescue.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/log.h"
#include "initd/spawn.h"

static _Noreturn void shell_child(void)
{
	char *argv[] = { RESCUE_SHELL, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux",
			 "PS1=(rescue) # ", NULL };

	/* PID 1's handlers, alternate stack and mask are not the shell's
	 * (child.h); PID 1's other fds are CLOEXEC and go at exec. */
	child_reset_signals();
	child_console_session();
	execve(argv[0], argv, envp);
	_exit(127);
}

static void shell_exited(struct loop *l, int fd, uint32_t events, void *data);

static void respawn_fired(struct loop *l, void *data)
{
	rescue_shell_start(data);
}

void rescue_shell_init(struct rescue_shell *r, struct loop *l)
{
	*r = (struct rescue_shell){ .loop = l, .exit.fd = -1 };
	loop_timer_init(&r->respawn, respawn_fired, r);
}

/* The next shell after the delay: none after a long life, else one that
 * doubles (a shell that cannot start must not flood the console), up to
 * RESCUE_RESPAWN_MAX_USEC. */
static void respawn_schedule(struct rescue_shell *r, bool died_young)
{
	uint64_t now = now_usec();

	if (!died_young)
		r->delay = 0;
	else
		r->delay = r->delay ? r->delay * 2 : RESCUE_RESPAWN_MIN_USEC;
	if (r->delay > RESCUE_RESPAWN_MAX_USEC)
		r->delay = RESCUE_RESPAWN_MAX_USEC;
	loop_timer_arm(r->loop, &r->respawn, now + r->delay);
}

/* The shell runs but its end could not be watched: a shell whose exit
 * nobody sees is never followed by another, so it goes now (still our
 * unreaped child: pid names it; the reaper collects it) and another
 * comes after the delay. */
static int shell_unwatched(struct rescue_shell *r, pid_t pid, int err)
{
	kill(pid, SIGKILL);
	r->pid = 0;
	respawn_schedule(r, true);
	log_error("rescue: cannot watch the shell (pid %d): %s; killed, another in %llu s", pid,
		  strerror(-err), (unsigned long long)(r->delay / USEC_PER_SEC));
	return err;
}

int rescue_shell_start(struct rescue_shell *r)
{
	pid_t pid;
	int fd, err;

	r->released = false;
	if (r->pid > 0 || loop_timer_armed(&r->respawn))
		return 0;   /* one runs, or one comes after its young death's delay */
	pid = spawn_helper_fork();
	if (pid < 0) {
		/* Out of processes or memory for now: try again later, as after
		 * a shell that died young, rather than never. */
		err = -errno;
		respawn_schedule(r, true);
		log_error("rescue: cannot start %s: %s; again in %llu s", RESCUE_SHELL,
			  strerror(-err), (unsigned long long)(r->delay / USEC_PER_SEC));
		return err;
	}
	if (pid == 0)
		shell_child();
	/* Not reaped yet (the reaper runs from this loop): pid names it. */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return shell_unwatched(r, pid, -errno);
	r->pid = pid;
	r->started_at = now_usec();
	r->exit = (struct loop_watch){ .fd = fd, .fn = shell_exited, .data = r };
	err = loop_watch_add(r->loop, &r->exit, EPOLLIN);
	if (err < 0) {
		r->exit.fd = safe_close(fd);
		return shell_unwatched(r, pid, err);
	}
	log_notice("rescue: root shell on the console (pid %d)", pid);
	return 0;
}

/* Right away after a long life; after a young death, with the delay. */
static void shell_exited(struct loop *l, int fd, uint32_t events, void *data)
{
	struct rescue_shell *r = data;

	loop_watch_close(l, &r->exit);
	r->pid = 0;
	if (r->released) {
		log_notice("rescue: the shell exited; the units are in, so no other comes");
		return;
	}
	respawn_schedule(r, now_usec() - r->started_at < RESCUE_LIVED_USEC);
	if (r->delay)
		log_notice("rescue: the shell exited; a new one in %llu s",
			   (unsigned long long)(r->delay / USEC_PER_SEC));
}

void rescue_shell_release(struct rescue_shell *r)
{
	r->released = true;
	if (r->loop)
		loop_timer_cancel(r->loop, &r->respawn);
}

void rescue_shell_done(struct rescue_shell *r)
{
	if (!r->loop)
		return;
	loop_watch_close(r->loop, &r->exit);
	loop_timer_cancel(r->loop, &r->respawn);
}
