/* cgroup.h — the cgroup v2 tree initd builds: /<slice path>/<service>.
 *
 * Processes live only in leaves (the root is exempt, and holds initd itself).
 * A service's leaf is made once and reused across restarts; its directory fd,
 * opened by path when needed, is what clone3(CLONE_INTO_CGROUP) spawns into.
 * Emptiness is read from cgroup.events, whose changes cgroup_watch.h sees
 * through one inotify instance for every unit (doc/DESIGN.md §5, §14).
 */
#ifndef INITD_CGROUP_H
#define INITD_CGROUP_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A delegating service keeps its processes in this leaf below its node. */
#define CGROUP_LEAF_NAME "main"

/* The mount point, open. What a unit set asks of it (the plan) is the
 * manager's (manager_cgroup.c): this layer only reads and writes the
 * kernel's files. */
struct cgroup_tree {
	int root_fd;              /* -1 when initd supervises without cgroups */
	char root[256];
	uint64_t root_id;         /* its inode number: the cgroup's id, the same
	                           * through any mount of the hierarchy */
	char controllers[256];    /* cgroup.controllers of the root */
};

/* Mount point to use. Returns 0, or -ENOMEDIUM when root is not cgroup2,
 * -EINVAL when its path is relative, -ENAMETOOLONG when it does not fit
 * ret->root (a status reply names it to svctl). */
int cgroup_tree_open(const char *root, struct cgroup_tree *ret);
void cgroup_tree_close(struct cgroup_tree *t);
static inline bool cgroup_tree_enabled(const struct cgroup_tree *t)
{
	return t->root_fd >= 0;
}

/* Create (or reuse) SLICE/NAME and open it. *ret_fd is an O_DIRECTORY fd. */
int cgroup_leaf_open(const struct cgroup_tree *t, const char *slice, const char *name,
		     int *ret_fd);

/* 1 when populated, 0 when empty, -errno. */
int cgroup_is_populated(int leaf_fd);

/* Kill everything in the leaf. 1 if it was already empty, 0 if killing. */
int cgroup_kill(int leaf_fd);

/* Send sig to every process in node_fd's cgroup and the cgroups below it,
 * until no new one appears (cgroup_signal.c). The number signalled, or
 * -errno. */
int cgroup_signal(int node_fd, int sig);

/* Move the calling process into the leaf NAME directly below the root (PID 1
 * into "init.scope"): then every process lives in a leaf, initd included. */
int cgroup_move_self(const struct cgroup_tree *t, const char *name);

/* Remove SLICE/NAME and the cgroups below it (all must be empty of
 * processes). */
int cgroup_leaf_remove(const struct cgroup_tree *t, const char *slice, const char *name);

/* 1 when memory.events shows an oom_kill count above *last (updated), 0 if
 * not, -errno when the file is absent (controller not enabled). */
int cgroup_oom_kills(int leaf_fd, unsigned long *last);

/* A directory stream over dir_fd's cgroup (a new fd: dir_fd stays the
 * caller's), for listing its child cgroups; NULL with errno set. */
DIR *cgroup_dir_open(int dir_fd);
/* A child cgroup's entry: a directory other than "." and "..". */
bool cgroup_dir_is_child(const struct dirent *e);

/* Read a file of dir_fd (one bounded read, NUL-terminated): its length, or
 * -errno. Write value to a file of dir_fd: 0 or -errno. */
int cgroup_read_file(int dir_fd, const char *file, char *buf, size_t size);
int cgroup_write_file(int dir_fd, const char *file, const char *value);

/* mkdir (if needed) and open NAME below dir_fd, not following links. */
int cgroup_mkdir_open(int dir_fd, const char *name, int *ret_fd);

#endif
