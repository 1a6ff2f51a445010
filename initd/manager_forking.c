/* manager_forking.c — type "forking": once the process a unit started has
 * exited 0, which process is the daemon it left. From the unit's pidfile
 * (pidfile.h: read without blocking from /run), or the one process left in
 * its leaf (cgroup.procs; without cgroups, the one process in the starter's
 * session). The PID is then checked as MAINPID= is (svc_main_refusal: in the
 * unit's cgroup, never PID 1, initd or another unit's) and followed by
 * pidfd (svc_follow_main). The state changes are service.c's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/manager_internal.h"
#include "initd/pidfile.h"
#include "initd/proc.h"

#define LEAF_PROCS_BUF 256   /* cgroup.procs of a leaf: a few pids is all we need */
#define PROC_SCAN_MAX 65536  /* /proc entries looked at without cgroups */

/* The processes in v's leaf: their count (up to 2: "several" is enough),
 * the first into *ret_pid. */
static int leaf_count(struct manager *m, struct svc *v, pid_t *ret_pid)
{
	char buf[LEAF_PROCS_BUF];
	int n = svc_cgroup_procs(m, v, buf, sizeof(buf)), count = 0;
	char *p = buf, *end;

	if (n < 0)
		return n;
	while (count < 2 && *p) {
		long pid = strtol(p, &end, 10);

		if (end == p || pid <= 0)
			break;
		if (count++ == 0)
			*ret_pid = (pid_t)pid;
		p = end + strspn(end, "\n");
	}
	return count;
}

/* 1 with *ret_pid, 0 while the file is absent or empty, -errno refused.
 * Absent with the leaf empty: the daemon died before writing it, nothing
 * is left to (without cgroups no such check: a daemon that calls setsid
 * leaves the starter's session, so an empty session proves nothing). */
static int main_from_pidfile(struct manager *m, struct svc *v, pid_t *ret_pid, char *why,
			     size_t size)
{
	const struct service *s = &v->s;
	const char *w = NULL;
	int r = pidfile_read(s->unit->pidfile, ret_pid, &w);

	/* The whole node, not main: a delegated daemon may have moved itself
	 * into a cgroup of its own before it writes the file. */
	if ((r == -ENOENT || r == -ENODATA) && v->has_cgroup && svc_cgroup_populated(m, v) == 0) {
		snprintf(why, size, "no pid file %s and no process left in its cgroup",
			 s->unit->pidfile);
		return -ESRCH;
	}
	if (r == -ENOENT || r == -ENODATA)
		return 0;
	if (r < 0) {
		snprintf(why, size, "pid file %s %s", s->unit->pidfile, w ? w : strerror(-r));
		return r;
	}
	return 1;
}

/* Without cgroups: the processes in the starter's session (the starter
 * called setsid, only its descendants can be in it), up to 2. */
static int session_count(pid_t session, pid_t *ret_pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned seen = 0;
	int count = 0;

	if (!d)
		return -errno;
	while (count < 2 && seen++ < PROC_SCAN_MAX && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		pid_t ppid, sid;

		if (*end || pid <= 0 || proc_stat_ids((pid_t)pid, &ppid, &sid) < 0 || sid != session)
			continue;
		if (count++ == 0)
			*ret_pid = (pid_t)pid;
	}
	closedir(d);
	return count;
}

/* No pidfile: the one process left. Several may be a double fork's middle
 * process not reaped yet: looked at again while the poll delay grows
 * (about 2 s), then refused. */
static int main_from_leaf(struct manager *m, struct svc *v, pid_t *ret_pid, char *why,
			  size_t size)
{
	struct service *s = &v->s;
	int n = v->has_cgroup ? leaf_count(m, v, ret_pid) : session_count(s->starter_pid, ret_pid);
	const char *where = v->has_cgroup ? "its leaf" : "its session";

	if (n < 0) {
		snprintf(why, size, "reading %s: %s", where, strerror(-n));
		return n;
	}
	if (n == 1)
		return 1;
	if (n > 1 && s->main_poll_delay < SERVICE_MAIN_POLL_MAX)
		return 0;
	if (n == 0)
		snprintf(why, size, "no process left in %s", where);
	else
		snprintf(why, size, "several processes in %s and no pidfile to name the main one",
			 where);
	return -ESRCH;
}

/* The process taken for the daemon had already exited (a zombie initd
 * adopted): how it ended, as a main process's exit reads ("signal SYS
 * (159): a call its seccomp filter kills": a daemon its filter killed at
 * once read only "it has exited"); NULL when initd cannot tell (not its
 * child). Peeked at (WNOWAIT): the walk reaps it as any orphan. */
static const char *dead_main_exit(const struct service *s, int fd, char *buf, size_t size)
{
	siginfo_t si = { 0 };
	struct service_exit e = { 0 };

	if (fd < 0 || waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid <= 0)
		return NULL;
	e.kind = si.si_code == CLD_EXITED ? EXIT_CODE : EXIT_SIGNAL;
	e.code = si.si_status;
	return service_exit_to_string(s, &e, buf, size);
}

int svc_find_main(struct service *s, char *why, size_t size)
{
	struct svc *v = svc_of(s);
	struct manager *m = v->m;
	const char *refusal, *how = NULL;
	char ended[128];
	pid_t pid = 0;
	int fd, r;

	r = s->unit->pidfile ? main_from_pidfile(m, v, &pid, why, size)
			     : main_from_leaf(m, v, &pid, why, size);
	if (r <= 0)
		return r;
	/* Opened before the checks: a PID reused meanwhile is caught. */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	refusal = svc_main_refusal(m, v, 0, v->has_cgroup ? 0 : s->starter_pid, pid, fd);
	if (refusal) {
		if (refusal == svc_refusal_exited)
			how = dead_main_exit(s, fd, ended, sizeof(ended));
		safe_close(fd);
		if (s->unit->pidfile)
			snprintf(why, size, "pid file %s names %d: %s%s%s", s->unit->pidfile,
				 (int)pid, refusal, how ? ", " : "", how ? how : "");
		else
			snprintf(why, size, "process %d: %s%s%s", (int)pid, refusal, how ? ", " : "",
				 how ? how : "");
		return -EPERM;
	}
	log_info("%s: main process is %d (%s)", s->unit->name, (int)pid,
		 s->unit->pidfile ? s->unit->pidfile : "the one left in its leaf");
	svc_follow_main(m, v, pid, fd);
	return 1;
}
