/* rescue.h — the rescue shell: a root shell on the console, a child of
 * PID 1, started once every unit has stopped (a failure action "rescue",
 * initd.rescue on the kernel command line, the reboot-loop guard) and
 * started again when it exits, at most once per RESCUE_RESPAWN_MIN_USEC
 * while it keeps dying young (doubling up to RESCUE_RESPAWN_MAX_USEC), so
 * a missing /bin/sh cannot flood the console; a start that fails (the
 * fork, or the watch of its exit: that shell is killed) is retried on
 * the same delay. initd goes on answering
 * svctl meanwhile (start, status, reboot, poweroff). PID 1 only: not as
 * PID 1 the console is not initd's (main.c says so and starts none).
 */
#ifndef INITD_RESCUE_H
#define INITD_RESCUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "initd/loop.h"

#define RESCUE_SHELL            "/bin/sh"
#define RESCUE_RESPAWN_MIN_USEC (1 * USEC_PER_SEC)
#define RESCUE_RESPAWN_MAX_USEC (60 * USEC_PER_SEC)
#define RESCUE_LIVED_USEC       (10 * USEC_PER_SEC)   /* "died young" below this */

struct rescue_shell {
	struct loop *loop;
	struct loop_watch exit;     /* the shell's pidfd: readable once it exits
	                             * (whoever reaps it: the manager's waitid) */
	struct loop_timer respawn;
	pid_t pid;                  /* 0 when none */
	uint64_t started_at;        /* monotonic usec */
	uint64_t delay;             /* the next respawn's, after a young death */
	bool released;              /* its exit is its last (rescue_shell_release) */
};

void rescue_shell_init(struct rescue_shell *r, struct loop *l);
/* Start the shell now (no-op when one runs, or a respawn is pending).
 * 0 or -errno (logged; the respawn is then armed). */
int rescue_shell_start(struct rescue_shell *r);
/* What the shell was there for is over (the units a failed load left
 * out are in): the one running may stay until it exits, none comes after
 * it. A rescue_shell_start undoes this. */
void rescue_shell_release(struct rescue_shell *r);
/* Stop watching and respawning (the shutdown kills the shell itself). */
void rescue_shell_done(struct rescue_shell *r);

#endif
