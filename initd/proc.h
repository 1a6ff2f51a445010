/* proc.h — what initd reads about other processes from /proc/PID.
 *
 * Numbers are read by PID, so a caller that must know the answer is about a
 * given process opens a pidfd first and checks it is still alive after
 * reading (pidfd_alive): while it lives, its PID cannot be reused.
 */
#ifndef INITD_PROC_H
#define INITD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The parent and session of pid (fields 4 and 6 of /proc/PID/stat, as seen
 * from initd's PID namespace). 0, or -errno (-ESRCH once it is reaped). */
int proc_stat_ids(pid_t pid, pid_t *ret_ppid, pid_t *ret_sid);

/* The cgroup v2 path of pid: the "0::/PATH" line of /proc/PID/cgroup, without
 * its leading '/'. buf receives as much of PATH as fits (always terminated),
 * so a prefix of up to size - 2 bytes can be compared even when the path is
 * longer. Returns PATH's full length, -ENOENT without a v2 line, -errno.
 * Lines of any length are read whole: the tail of a long v1 line is never
 * taken for a line of its own. */
int proc_cgroup_path(pid_t pid, char *buf, size_t size);
/* The same on an open /proc/PID/cgroup (the unit tests' seam). */
int proc_cgroup_path_read(FILE *f, char *buf, size_t size);

/* The real uid of pid (the "Uid:" line of /proc/PID/status, in initd's
 * user namespace): what a process's SCM_CREDENTIALS say by default. 0, or
 * -errno (-ESRCH once it is reaped). */
int proc_real_uid(pid_t pid, uid_t *ret);

/* Whether pid is on its way out: 1 when it is exiting or a zombie
 * (/proc/PID/stat's state, PF_EXITING) or has SIGKILL pending (SigPnd,
 * ShdPnd of /proc/PID/status); 0 when it lives on; -ESRCH once reaped,
 * -errno. The OOM killer sends its SIGKILL as it counts the kill, so a
 * main process not dying when initd reads the count was not its victim. */
int proc_dying(pid_t pid);

/* true while the process behind pidfd has not exited (a zombie has). */
bool pidfd_alive(int pidfd);

#endif
