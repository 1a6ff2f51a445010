/* pidfile.c — see pidfile.h. */
#include "initd/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "units/unit.h"

int pidfile_parse(const char *buf, size_t n, pid_t *ret_pid)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0)
		return -ENODATA;
	if (buf[n - 1] == '\n')
		n--;
	if (n == 0 || buf[0] == '0')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(buf[i] - '0');
		if (v > PIDFILE_PID_MAX)
			return -ERANGE;
	}
	*ret_pid = (pid_t)v;
	return 0;
}

static const char *type_reason(mode_t mode)
{
	if (S_ISLNK(mode))
		return "is a symbolic link";
	if (S_ISFIFO(mode))
		return "is a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "is a device";
	if (S_ISDIR(mode))
		return "is a directory";
	return "is not a regular file";
}

/* The inode at path, opened O_PATH (nothing of the file runs), without
 * following a symlink or crossing a mount point. */
static int open_path(int dir_fd, const char *path, const char **ret_why)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		return -ENOENT;
	case ELOOP:
		*ret_why = "a component is a symbolic link";
		return -ELOOP;
	case EXDEV:
		*ret_why = "crosses a mount point";
		return -EXDEV;
	default:
		*ret_why = strerror(errno);
		return -errno;
	}
}

/* Read at most PIDFILE_SIZE_MAX + 1 bytes of the regular file behind fd. */
static ssize_t read_bounded(int path_fd, char *buf, size_t size)
{
	char proc[64];
	_cleanup_close_ int fd = -1;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_full(fd, buf, size);
}

int pidfile_read_at(int dir_fd, const char *path, pid_t *ret_pid, const char **ret_why)
{
	char buf[PIDFILE_SIZE_MAX + 1];
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;
	int r;

	*ret_why = NULL;
	fd = open_path(dir_fd, path, ret_why);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		*ret_why = strerror(errno);
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		*ret_why = type_reason(st.st_mode);
		return S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
	}
	if (st.st_size > PIDFILE_SIZE_MAX) {
		*ret_why = "is larger than 32 bytes";
		return -EFBIG;
	}
	n = read_bounded(fd, buf, sizeof(buf));
	if (n < 0) {
		*ret_why = strerror((int)-n);
		return (int)n;
	}
	if (n > PIDFILE_SIZE_MAX) {
		*ret_why = "is larger than 32 bytes";
		return -EFBIG;
	}
	r = pidfile_parse(buf, (size_t)n, ret_pid);
	if (r == -EINVAL || r == -ERANGE)
		*ret_why = "does not hold one decimal pid";
	return r;
}

/* /run, opened O_PATH, when it is a tmpfs or ramfs: the fd, or -errno. */
static int run_dir_open(const char **ret_why)
{
	int fd = open(UNIT_PIDFILE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs fs;

	if (fd < 0 || fstatfs(fd, &fs) < 0) {
		*ret_why = strerror(errno);
		safe_close(fd);
		return -errno;
	}
	if (fs.f_type != TMPFS_MAGIC && fs.f_type != RAMFS_MAGIC) {
		*ret_why = UNIT_PIDFILE_DIR " is not a tmpfs";
		safe_close(fd);
		return -EXDEV;
	}
	return fd;
}

int pidfile_read(const char *path, pid_t *ret_pid, const char **ret_why)
{
	_cleanup_close_ int dir_fd = -1;

	*ret_why = NULL;
	if (!unit_pidfile_valid(path)) {
		*ret_why = "is not a path below " UNIT_PIDFILE_DIR;
		return -EINVAL;
	}
	dir_fd = run_dir_open(ret_why);
	if (dir_fd < 0)
		return dir_fd;
	return pidfile_read_at(dir_fd, path + strlen(UNIT_PIDFILE_DIR), ret_pid, ret_why);
}

int pidfile_remove(const char *path)
{
	const char *why, *rel = path + strlen(UNIT_PIDFILE_DIR), *base;
	_cleanup_close_ int run_fd = -1, dir_fd = -1;
	char dir[UNIT_PIDFILE_MAX];

	if (!unit_pidfile_valid(path))
		return -EINVAL;
	run_fd = run_dir_open(&why);
	if (run_fd < 0)
		return run_fd;
	base = strrchr(rel, '/');
	if (base) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - rel), rel);
		dir_fd = open_path(run_fd, dir, &why);
		if (dir_fd < 0)
			return dir_fd == -ENOENT ? 0 : dir_fd;
		base++;
	} else {
		base = rel;
	}
	if (unlinkat(base == rel ? run_fd : dir_fd, base, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
