/* cgroup.c — see cgroup.h. */
#include "initd/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup_limits.h"
#include "units/unit.h"

static int read_at(int dir_fd, const char *file, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int write_at(int dir_fd, const char *file, const char *value)
{
	_cleanup_close_ int fd = openat(dir_fd, file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		return -errno;
	return 0;
}

int cgroup_tree_open(const char *root, struct cgroup_tree *ret)
{
	struct statfs sfs;
	struct stat st;
	int fd, n;

	ret->root_fd = -1;
	ret->controllers[0] = '\0';
	if (root[0] != '/')   /* a status reply names it to svctl, elsewhere */
		return -EINVAL;
	n = snprintf(ret->root, sizeof(ret->root), "%s", root);
	if (n < 0 || (size_t)n >= sizeof(ret->root))
		return -ENAMETOOLONG;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC || fstat(fd, &st) < 0) {
		close(fd);
		return -ENOMEDIUM;
	}
	ret->root_id = st.st_ino;
	n = read_at(fd, "cgroup.controllers", ret->controllers, sizeof(ret->controllers));
	if (n > 0 && ret->controllers[n - 1] == '\n')
		ret->controllers[n - 1] = '\0';
	ret->root_fd = fd;
	return 0;
}

void cgroup_tree_close(struct cgroup_tree *t)
{
	t->root_fd = safe_close(t->root_fd);
}

/* mkdir -p below the root, one component at a time, without following
 * anything but directories we made or found. */
int cgroup_leaf_open(const struct cgroup_tree *t, const char *slice, const char *name,
		     int *ret_fd)
{
	char path[UNIT_CGROUP_PATH_MAX + 1];
	int dir, n;

	n = snprintf(path, sizeof(path), "%s/%s", slice, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	dir = fcntl(t->root_fd, F_DUPFD_CLOEXEC, 3);
	if (dir < 0)
		return -errno;
	for (char *p = path, *slash; p && *p; p = slash ? slash + 1 : NULL) {
		int next;

		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (mkdirat(dir, p, 0755) < 0 && errno != EEXIST) {
			int r = -errno;
			close(dir);
			return r;
		}
		next = openat(dir, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		if (next < 0)
			return -errno;
		dir = next;
	}
	*ret_fd = dir;
	return 0;
}

int cgroup_is_populated(int leaf_fd)
{
	char buf[256];
	const char *p;
	int n = read_at(leaf_fd, "cgroup.events", buf, sizeof(buf));

	if (n < 0)
		return n;
	p = strstr(buf, "populated ");
	if (!p)
		return -EBADMSG;
	return p[strlen("populated ")] == '1';
}

int cgroup_kill(int leaf_fd)
{
	int r = cgroup_is_populated(leaf_fd);

	if (r <= 0)
		return r == 0 ? 1 : r;
	r = write_at(leaf_fd, "cgroup.kill", "1");
	return r < 0 ? r : 0;
}

int cgroup_move_self(const struct cgroup_tree *t, const char *name)
{
	_cleanup_close_ int fd = -1;
	char pid[16];

	if (mkdirat(t->root_fd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(t->root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_at(fd, "cgroup.procs", pid);
}

/* rmdir calls one removal may make: every sub-cgroup cgroup.max.descendants
 * lets a delegating service make, its "main" leaf and the node itself; a
 * bound should a tree still be growing. */
#define CGROUP_REMOVE_STEPS (UNIT_DELEGATE_DESCENDANTS_MAX + 2)

/* The name of some child cgroup of dir_fd into name: 1, 0 when it has none,
 * -errno. */
DIR *cgroup_dir_open(int dir_fd)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		safe_close(fd);
	return d;
}

bool cgroup_dir_is_child(const struct dirent *e)
{
	return e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

static int first_child(int dir_fd, char *name, size_t size)
{
	struct dirent *de;
	DIR *d = cgroup_dir_open(dir_fd);
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (cgroup_dir_is_child(de) && strlen(de->d_name) < size) {
			strcpy(name, de->d_name);
			r = 1;
			break;
		}
	closedir(d);
	return r;
}

/* One step of a removal: walk down from name (below dir_fd) to a cgroup with
 * no children and rmdir it. Two directory fds at a time, whatever the depth:
 * a service cannot make initd recurse. */
static int remove_deepest(int dir_fd, const char *name)
{
	char cur[NAME_MAX + 1];
	int parent = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3), fd, r;

	if (parent < 0)
		return -errno;
	snprintf(cur, sizeof(cur), "%s", name);
	for (;;) {
		fd = openat(parent, cur, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
		r = first_child(fd, cur, sizeof(cur));
		if (r <= 0) {
			close(fd);
			break;
		}
		close(parent);
		parent = fd;
	}
	/* r == 0: cur names a childless cgroup below parent */
	if (r == 0 && unlinkat(parent, cur, AT_REMOVEDIR) < 0)
		r = -errno;
	close(parent);
	return r;
}

/* rmdir name below dir_fd with every sub-cgroup a delegating service left
 * in it (its "main" leaf and whatever it made), bottom-up. A tree that still
 * has processes is killed (cgroup.kill) and -EBUSY returned: the kernel
 * frees the cgroups only once they have died, and PID 1 does not wait (the
 * caller tries again once cgroup.events says empty: manager_leftover.c). */
static int remove_tree(int dir_fd, const char *name)
{
	for (unsigned step = 0; step < CGROUP_REMOVE_STEPS; step++) {
		int r;

		if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0)
			return 0;
		if (errno != EBUSY && errno != ENOTEMPTY)
			return -errno;
		r = remove_deepest(dir_fd, name);
		if (r == -EBUSY) {
			_cleanup_close_ int fd = openat(dir_fd, name,
							O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* Killing what is left; the kernel frees the cgroups
			 * once their processes are gone: a later removal. */
			if (fd >= 0)
				cgroup_kill(fd);
			return -EBUSY;
		}
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return -ELOOP;
}

int cgroup_leaf_remove(const struct cgroup_tree *t, const char *slice, const char *name)
{
	_cleanup_close_ int slice_fd = -1;

	if (strlen(name) > NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	slice_fd = openat(t->root_fd, slice, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (slice_fd < 0)
		return -errno;
	return remove_tree(slice_fd, name);
}

int cgroup_oom_kills(int leaf_fd, unsigned long *last)
{
	char buf[512];
	uint64_t v;
	int n = read_at(leaf_fd, "memory.events", buf, sizeof(buf));

	if (n < 0)
		return n;
	if (cgroup_keyed_value(buf, "oom_kill", &v) < 0)
		return -EBADMSG;
	if (v <= *last)
		return 0;
	*last = v;
	return 1;
}

int cgroup_read_file(int dir_fd, const char *file, char *buf, size_t size)
{
	return read_at(dir_fd, file, buf, size);
}

/* O_APPEND: the kernel's files take each write whole (as with `echo >>`),
 * and a test's plain file keeps every write. */
int cgroup_write_file(int dir_fd, const char *file, const char *value)
{
	_cleanup_close_ int fd = openat(dir_fd, file, O_WRONLY | O_APPEND | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int cgroup_mkdir_open(int dir_fd, const char *name, int *ret_fd)
{
	int fd;

	if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}
