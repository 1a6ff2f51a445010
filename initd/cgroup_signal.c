/* cgroup_signal.c — send a signal to every process of a cgroup subtree.
 *
 * Kernel 6.1 has no cgroup-wide signal file (cgroup.kill sends SIGKILL
 * only), so `svctl kill` reads the cgroup.procs of the node and of every
 * cgroup below it (a delegating unit's own sub-cgroups) and signals each
 * PID. A process may fork while this runs, its child landing in the same
 * cgroup after its file was read: the pass is repeated until one signals no
 * new PID, at most CGROUP_SIGNAL_ROUNDS times. A PID is signalled once per
 * call (the set of those done is kept sorted). Quick: a few reads of
 * in-memory files, never a wait.
 *
 * PIDs come from the kernel in the reader's namespace; one may exit and
 * be reused between the read and the kill, the window every cgroup-based
 * killer has without cgroup.kill. A PID-namespace unit is not signalled
 * this way but through its reaper (reaper.h), which skips itself. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "units/unit.h"

#define CGROUP_SIGNAL_ROUNDS 8
/* sub-cgroups below the node: its main/ and as deep as a unit may
 * delegate (delegate_max_depth) */
#define CGROUP_SIGNAL_DEPTH (UNIT_DELEGATE_DEPTH_MAX + 1)
#define CGROUP_SIGNAL_PIDS_MAX 16384 /* processes signalled per call */

struct pid_set {
	pid_t *pids;    /* sorted */
	size_t n, cap;
	int sig;
	size_t fresh;   /* signalled in this round */
};

/* Insert pid unless present: 1 if inserted, 0 if present, -errno. */
static int pid_set_add(struct pid_set *set, pid_t pid)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->pids[mid] == pid)
			return 0;
		if (set->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->n == CGROUP_SIGNAL_PIDS_MAX)
		return -E2BIG;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		pid_t *p = realloc(set->pids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		set->pids = p;
		set->cap = cap;
	}
	memmove(set->pids + lo + 1, set->pids + lo, (set->n - lo) * sizeof(pid_t));
	set->pids[lo] = pid;
	set->n++;
	return 1;
}

static int signal_one(struct pid_set *set, pid_t pid)
{
	int r;

	if (pid <= 1 || pid == getpid())
		return 0;
	r = pid_set_add(set, pid);
	if (r <= 0)
		return r;
	/* Gone meanwhile (ESRCH) is as good as signalled. */
	if (kill(pid, set->sig) < 0 && errno != ESRCH)
		return -errno;
	set->fresh++;
	return 0;
}

/* Every PID of dir_fd's cgroup.procs (one per line). */
static int signal_procs(struct pid_set *set, int dir_fd)
{
	_cleanup_close_ int fd = openat(dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	char buf[4096];
	size_t have = 0;
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while (r == 0 && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			r = signal_one(set, (pid_t)strtol(line, NULL, 10));
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	return r ? r : (n < 0 ? -errno : 0);
}

static int signal_tree(struct pid_set *set, int dir_fd, int depth)
{
	DIR *d;
	struct dirent *e;
	int r = signal_procs(set, dir_fd);

	if (r < 0 || depth == CGROUP_SIGNAL_DEPTH)
		return r;
	d = cgroup_dir_open(dir_fd);
	if (!d)
		return -errno;
	while (r == 0 && (e = readdir(d))) {
		_cleanup_close_ int sub = -1;

		if (!cgroup_dir_is_child(e))
			continue;
		sub = openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;   /* removed meanwhile */
		r = signal_tree(set, sub, depth + 1);
	}
	closedir(d);
	return r;
}

int cgroup_signal(int node_fd, int sig)
{
	struct pid_set set = { .sig = sig };
	int r = 0;

	for (int round = 0; r == 0 && round < CGROUP_SIGNAL_ROUNDS; round++) {
		set.fresh = 0;
		r = signal_tree(&set, node_fd, 0);
		if (set.fresh == 0)
			break;
	}
	free(set.pids);
	if (r < 0)
		return r;
	return set.n > (size_t)INT_MAX ? INT_MAX : (int)set.n;
}
