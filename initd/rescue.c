/* rescue.c — see rescue.h. */
#include "initd/rescue.h"

#include <errno.h>
#include <fcntl.h>
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

int rescue_shell_start(struct rescue_shell *r)
{
	pid_t pid;
	int fd;

	r->released = false;
	if (r->pid > 0 || loop_timer_armed(&r->respawn))
		return 0;   /* one runs, or one comes after its young death's delay */
	pid = spawn_helper_fork();
	if (pid < 0) {
		log_error("rescue: cannot start %s: %s", RESCUE_SHELL, strerror(errno));
		return -errno;
	}
	if (pid == 0)
		shell_child();
	/* Not reaped yet (the reaper runs from this loop): pid names it. */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	r->pid = pid;
	r->started_at = now_usec();
	r->exit = (struct loop_watch){ .fd = fd, .fn = shell_exited, .data = r };
	if (fd < 0 || loop_watch_add(r->loop, &r->exit, EPOLLIN) < 0) {
		/* It runs, but its end will not be seen: no respawn. */
		log_warn("rescue: cannot watch the shell (pid %d): it will not be restarted", pid);
		r->exit.fd = safe_close(fd);
		return 0;
	}
	log_notice("rescue: root shell on the console (pid %d)", pid);
	return 0;
}

/* Right away after a long life; after a young death, with a delay that
 * doubles (a shell that cannot start must not flood the console). */
static void shell_exited(struct loop *l, int fd, uint32_t events, void *data)
{
	struct rescue_shell *r = data;
	uint64_t now = now_usec();

	loop_watch_close(l, &r->exit);
	r->pid = 0;
	if (r->released) {
		log_notice("rescue: the shell exited; the units are in, so no other comes");
		return;
	}
	if (now - r->started_at >= RESCUE_LIVED_USEC)
		r->delay = 0;
	else
		r->delay = r->delay ? r->delay * 2 : RESCUE_RESPAWN_MIN_USEC;
	if (r->delay > RESCUE_RESPAWN_MAX_USEC)
		r->delay = RESCUE_RESPAWN_MAX_USEC;
	if (r->delay)
		log_notice("rescue: the shell exited; a new one in %llu s",
			   (unsigned long long)(r->delay / USEC_PER_SEC));
	loop_timer_arm(l, &r->respawn, now + r->delay);
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
