/* ns.c — namespaces and the service's mount tree. See ns.h. */
#include "initd/ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/spawn.h"

uint64_t ns_clone_flags(uint32_t namespaces)
{
	static const uint64_t flags[UNIT_NS_MAX] = {
		[UNIT_NS_PID] = CLONE_NEWPID,
		[UNIT_NS_MOUNT] = CLONE_NEWNS,
		[UNIT_NS_UTS] = CLONE_NEWUTS,
		[UNIT_NS_IPC] = CLONE_NEWIPC,
		[UNIT_NS_NET] = CLONE_NEWNET,
		[UNIT_NS_USER] = CLONE_NEWUSER,
		[UNIT_NS_CGROUP] = CLONE_NEWCGROUP,
	};
	uint64_t f = 0;

	for (unsigned i = 0; i < UNIT_NS_MAX; i++)
		if (namespaces & UNIT_NS_BIT(i))
			f |= flags[i];
	return f;
}

/* ---- the parent's writes ------------------------------------------------- */

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	ssize_t n;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write: the kernel takes a map in a single write(2) only. */
	n = write(fd, text, strlen(text));
	r = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

static const int join_flags[UNIT_JOIN_MAX] = {
	[UNIT_JOIN_NET] = CLONE_NEWNET,
	[UNIT_JOIN_UTS] = CLONE_NEWUTS,
	[UNIT_JOIN_IPC] = CLONE_NEWIPC,
};

/* setns(2) on a pidfd takes the namespace of that process (Linux 5.8); on
 * an nsfs file it checks the type is the one asked for. */
int ns_join(const struct unit_isolation *iso, const int *fds, int *ret_kind)
{
	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		int fd, r = 0;

		if (!iso->join[k])
			continue;
		*ret_kind = k;
		if (unit_join_is_unit(iso->join[k])) {
			if (fds[k] < 0)
				return -ESRCH;   /* the source has no process now */
			fd = fds[k];
		} else {
			fd = open(iso->join[k], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0)
				return -errno;
		}
		if (setns(fd, join_flags[k]) < 0)
			r = -errno;
		if (fd != fds[k])
			close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}

int ns_write_id_maps(pid_t pid, const char *uid_map, const char *gid_map)
{
	int r = write_proc(pid, "uid_map", uid_map);

	return r < 0 ? r : write_proc(pid, "gid_map", gid_map);
}

int ns_write_oom_score_adj(pid_t pid, int adj)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d\n", adj);
	return write_proc(pid, "oom_score_adj", buf);
}

/* ---- paths inside the root ------------------------------------------------- */

static int open_resolved(int rootfd, const char *path, bool dir)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* Create the last component of path (its parent must exist) inside root. */
static int create_in_root(int rootfd, const char *path, bool dir)
{
	_cleanup_free_ char *parent = strdup(path);
	_cleanup_close_ int pfd = -1;
	char *slash;
	const char *base;
	int fd;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (!slash)
		return -EINVAL;
	base = path + (slash - parent) + 1;
	*slash = '\0';
	pfd = open_resolved(rootfd, *parent ? parent : "/", true);
	if (pfd < 0)
		return pfd;
	/* pfd is O_PATH: reopen it for the *at calls that need a real dir. */
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(pfd);
	pfd = fd;
	if (dir)
		return mkdirat(pfd, base, 0755) < 0 && errno != EEXIST ? -errno : 0;
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int ns_open_in_root(int rootfd, const char *path, bool dir, bool create, int *ret_fd)
{
	int fd = open_resolved(rootfd, path, dir), r;

	if (fd == -ENOENT && create) {
		r = create_in_root(rootfd, path, dir);
		if (r < 0)
			return r;
		fd = open_resolved(rootfd, path, dir);
	}
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

/* ---- mounts ----------------------------------------------------------------- */

/* Attach the detached mount mfd (closed) on path inside root. */
static int attach_at(int mfd, int rootfd, const char *path, bool dir)
{
	_cleanup_close_ int tfd = -1;
	int r;

	r = ns_open_in_root(rootfd, path, dir, true, &tfd);
	if (r == 0 && move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH |
				 MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	close(mfd);
	return r;
}

/* A new detached mount of a fresh filesystem; options "k=v,k=v" or NULL. */
static int fresh_fs(const char *type, const char *options, unsigned attrs)
{
	char opts[128], *save = NULL;
	int fd, mfd;

	fd = fsopen(type, FSOPEN_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(opts, sizeof(opts), "%s", options ? options : "");
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fd, FSCONFIG_SET_STRING, o, eq + 1, 0);
		} else {
			r = fsconfig(fd, FSCONFIG_SET_FLAG, o, NULL, 0);
		}
		if (r < 0)
			goto fail;
	}
	if (fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	mfd = fsmount(fd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		goto fail;
	close(fd);
	return mfd;
fail:
	mfd = -errno;
	close(fd);
	return mfd;
}

/* A detached copy of the tree at dirfd/path (recursive; path "" with
 * AT_EMPTY_PATH in flags: dirfd itself), optionally read-only all the way
 * down. */
static int clone_tree_flags(int dirfd, const char *path, unsigned flags, bool readonly)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int mfd = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | flags);

	if (mfd < 0)
		return -errno;
	if (readonly && mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
		int r = -errno;
		close(mfd);
		return r;
	}
	return mfd;
}

/* The host's tree at source. */
static int clone_tree(const char *source, bool readonly)
{
	return clone_tree_flags(AT_FDCWD, source, 0, readonly);
}

static int mount_fresh_at(int rootfd, const char *path, const char *type, const char *options,
			  unsigned attrs)
{
	int mfd = fresh_fs(type, options, attrs);

	return mfd < 0 ? mfd : attach_at(mfd, rootfd, path, true);
}

/* /proc: a fresh one for a new PID namespace, else the host's. */
static int mount_proc(int rootfd, bool new_pid)
{
	int mfd = new_pid ? fresh_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				     MOUNT_ATTR_NOEXEC)
			  : clone_tree("/proc", false);

	return mfd < 0 ? mfd : attach_at(mfd, rootfd, "/proc", true);
}

/* What a service's /proc may not change: the kernel's knobs (a root
 * service without capabilities could otherwise set sysctls, core_pattern,
 * or write sysrq-trigger) — each bound onto itself read-only; and what it
 * may not read — masked, a file by /dev/null, a directory by an empty
 * read-only tmpfs. The set runc and podman use; only what exists. */
static const char *const proc_readonly[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
static const char *const proc_masked[] = {
	"kcore", "keys", "timer_list", "latency_stats", "timer_stats", "sched_debug", "scsi", "acpi",
};

/* An entry of /proc as an O_PATH fd; -ENOENT when this kernel has none. */
static int open_proc_entry(int procfd, const char *name)
{
	int fd = openat(procfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Attach mfd (closed) over the entry at fd. */
static int cover(int mfd, int fd)
{
	int r = move_mount(mfd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
		? -errno : 0;

	close(mfd);
	return r;
}

static int proc_make_readonly(int procfd, const char *name)
{
	_cleanup_close_ int fd = open_proc_entry(procfd, name);
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC,
	};
	int mfd;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	mfd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (mfd < 0)
		return -errno;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
		int r = -errno;
		close(mfd);
		return r;
	}
	return cover(mfd, fd);
}

static int proc_mask(int procfd, const char *name)
{
	_cleanup_close_ int fd = open_proc_entry(procfd, name);
	struct stat st;
	int mfd;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		mfd = fresh_fs("tmpfs", "mode=0555,size=4k", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	else if ((mfd = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
		mfd = -errno;
	return mfd < 0 ? mfd : cover(mfd, fd);
}

/* The protections above on the /proc at path inside root (the service's
 * own: a fresh one, or its mount namespace's copy of the host's). */
static int protect_proc(int rootfd)
{
	_cleanup_close_ int procfd = -1;
	int r = ns_open_in_root(rootfd, "/proc", true, false, &procfd);

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(proc_readonly); i++)
		r = proc_make_readonly(procfd, proc_readonly[i]);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(proc_masked); i++)
		r = proc_mask(procfd, proc_masked[i]);
	return r;
}

/* The service's /proc: a fresh one when asked (new_pid), protected unless
 * the unit says protect_proc = false. */
static int setup_proc(int rootfd, const struct unit_isolation *iso, bool fresh)
{
	int r = fresh || unit_has_rootfs(iso) ? mount_proc(rootfd, fresh) : 0;

	return r < 0 || iso->proc_unprotected ? r : protect_proc(rootfd);
}

/* A minimal /dev: a tmpfs with the host's null, zero, full, random, urandom
 * and tty bound in one by one, a private devpts, /dev/shm. */
static int mount_dev(int rootfd)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};
	_cleanup_close_ int devfd = -1;
	char host[32], inside[32];
	int r;

	r = mount_fresh_at(rootfd, "/dev", "tmpfs", "mode=0755,size=64k",
			   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(nodes); i++) {
		int mfd;
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		snprintf(inside, sizeof(inside), "/dev/%s", nodes[i]);
		mfd = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		r = mfd < 0 ? -errno : attach_at(mfd, rootfd, inside, false);
	}
	if (r == 0)
		r = mount_fresh_at(rootfd, "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620",
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (r == 0)
		r = mount_fresh_at(rootfd, "/dev/shm", "tmpfs", "mode=1777",
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (r == 0)
		r = ns_open_in_root(rootfd, "/dev", true, false, &devfd);
	if (r == 0) {
		int dfd = openat(devfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		for (size_t i = 0; i < ARRAY_SIZE(links) && r == 0; i++)
			if (symlinkat(links[i][1], dfd, links[i][0]) < 0 && errno != EEXIST)
				r = -errno;
		close(dfd);
	}
	return r;
}

/* /sys, read-only, when the rootfs has a /sys directory. */
static int mount_sys(int rootfd)
{
	_cleanup_close_ int fd = -1;
	int mfd;

	if (ns_open_in_root(rootfd, "/sys", true, false, &fd) < 0)
		return 0;
	mfd = clone_tree("/sys", true);
	return mfd < 0 ? mfd : attach_at(mfd, rootfd, "/sys", true);
}

/* A host path (rootfs, bind source) as an O_PATH fd, no symlink followed
 * in any component: a service that can write somewhere on the way cannot
 * redirect what initd mounts for it. -ELOOP for a symlink. */
static int open_host_path(const char *path, bool dir)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* The tree at the O_PATH fd. */
static int clone_tree_at(int fd, bool readonly)
{
	return clone_tree_flags(fd, "", AT_EMPTY_PATH, readonly);
}

/* Every directory above path (absolute) inside root, made when missing. */
static int make_parents(int rootfd, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	int r = p ? 0 : -ENOMEM;

	for (char *s = p ? strchr(p + 1, '/') : NULL; r == 0 && s; s = strchr(s + 1, '/')) {
		int fd = -1;
		*s = '\0';
		r = ns_open_in_root(rootfd, p, true, true, &fd);
		safe_close(fd);
		*s = '/';
	}
	return r;
}

static int mount_bind(int rootfd, const struct unit_bind *b)
{
	_cleanup_close_ int src = open_host_path(b->source, false);
	struct stat st;
	int mfd;

	if (src < 0)
		return src;
	if (fstat(src, &st) < 0)
		return -errno;
	mfd = clone_tree_at(src, b->readonly);
	return mfd < 0 ? mfd : attach_at(mfd, rootfd, b->target, S_ISDIR(st.st_mode));
}

/* A root built by from_host starts empty: the parents of its binds,
 * tmpfs and directories are made; a rootfs.path must hold them. */
static int make_parents_if(int rootfd, const struct unit_isolation *iso, const char *path)
{
	return iso->from_host[0] ? make_parents(rootfd, path) : 0;
}

static int mount_binds(int rootfd, const struct unit_isolation *iso)
{
	for (size_t i = 0; i < iso->n_binds; i++) {
		int r = make_parents_if(rootfd, iso, iso->binds[i].target);
		if (r == 0)
			r = mount_bind(rootfd, &iso->binds[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_tmpfs(int rootfd, const struct unit_isolation *iso)
{
	for (char **t = iso->tmpfs; t && *t; t++) {
		int r = make_parents_if(rootfd, iso, *t);
		if (r == 0)
			r = mount_fresh_at(rootfd, *t, "tmpfs", "mode=1777",
					   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A unit's managed directories (dirs.h), bound read-write at the same
 * path inside the rootfs; the last component is made there if missing,
 * its parent must exist. */
static int mount_dirs(int rootfd, const struct unit_isolation *iso, char *const *dirs)
{
	for (; dirs && *dirs; dirs++) {
		struct unit_bind b = { .source = *dirs, .target = *dirs, .readonly = false };
		int r = make_parents_if(rootfd, iso, *dirs);
		if (r == 0)
			r = mount_bind(rootfd, &b);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- rootfs.from_host (issue 15) --------------------------------------------- */

/* The host's file or directory at path, read-only at the same path inside
 * root. Symlinks on the host are followed, as exec and ld.so follow them
 * (/bin, /lib64 are links on a merged-/usr system): these are the image's
 * own files, which the unit author named, and the bind is read-only. */
static int bind_same_path(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int src = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	struct stat st;
	int mfd, r;

	if (src < 0)
		return -errno;
	if (fstat(src, &st) < 0)
		return -errno;
	r = make_parents(rootfd, path);
	if (r < 0)
		return r;
	mfd = clone_tree_at(src, true);
	return mfd < 0 ? mfd : attach_at(mfd, rootfd, path, S_ISDIR(st.st_mode));
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* What a daemon expects besides /dev and /proc: the users and groups it
 * names (the host's, read-only, unless listed or already in the root) and
 * a writable /tmp (unless rootfs.tmpfs mounts one). */
static int mount_daemon_minimum(int rootfd, const struct unit_isolation *iso)
{
	static const char *const files[] = { "/etc/passwd", "/etc/group" };
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++) {
		int fd = -1;
		if (strv_has(iso->from_host, files[i]) ||
		    ns_open_in_root(rootfd, files[i], false, false, &fd) == 0 ||
		    access(files[i], F_OK) < 0) {
			safe_close(fd);
			continue;
		}
		r = bind_same_path(rootfd, files[i]);
	}
	if (r == 0 && !strv_has(iso->tmpfs, "/tmp"))
		r = mount_fresh_at(rootfd, "/tmp", "tmpfs", "mode=1777",
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	return r;
}

static int mount_from_host(int rootfd, const struct unit_isolation *iso, char *const *libs)
{
	int r = 0;

	for (char *const *p = iso->from_host; r == 0 && *p; p++)
		r = bind_same_path(rootfd, *p);
	for (char *const *p = libs; r == 0 && p && *p; p++)
		r = bind_same_path(rootfd, *p);
	return r == 0 ? mount_daemon_minimum(rootfd, iso) : r;
}

/* A fresh tmpfs as the root, stacked on "/" in this (private) namespace.
 * The process's root and cwd still name the host's tree beneath it until
 * switch_root, so host paths keep resolving meanwhile. */
static int tmpfs_root(int *ret_fd)
{
	int mfd = fresh_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);

	if (mfd < 0)
		return mfd;
	if (move_mount(mfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		int r = -errno;
		close(mfd);
		return r;
	}
	*ret_fd = mfd;
	return 0;
}

/* Make rootfd's directory the root: read-only if asked, then pivot_root;
 * when the current root is the initramfs (pivot_root says EINVAL), move the
 * new root onto "/" and chroot into it, as switch_root(8) does: the old
 * root is then covered, not detached. */
static int switch_root(int rootfd, bool readonly, bool stacked)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (readonly && mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -errno;
	if (fchdir(rootfd) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0)
			return -errno;
		return chdir("/") < 0 ? -errno : 0;
	}
	if (errno != EINVAL)
		return -errno;
	/* A tmpfs root is on "/" already: only the chroot is left. */
	if (!stacked && mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return -errno;
	if (chroot(".") < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}

/* The rootfs bound onto itself (so it is a mount), resolved without
 * following a symlink; *ret_fd is the attached copy's root (O_PATH). */
static int bind_rootfs(const char *path, int *ret_fd)
{
	_cleanup_close_ int dirfd = open_host_path(path, true);
	int mfd;

	if (dirfd < 0)
		return dirfd;
	mfd = clone_tree_at(dirfd, false);
	if (mfd < 0)
		return mfd;
	if (move_mount(mfd, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int r = -errno;
		close(mfd);
		return r;
	}
	*ret_fd = mfd;
	return 0;
}

#define STEP(st, expr) do { *ret_stage = (st); r = (expr); if (r < 0) return r; } while (0)

int ns_setup_mounts(const struct unit_isolation *iso, char *const *dirs, char *const *libs,
		    int *ret_stage)
{
	bool new_pid = iso->namespaces & UNIT_NS_BIT(UNIT_NS_PID);
	_cleanup_close_ int rootfd = -1;
	int r;

	*ret_stage = SPAWN_STAGE_MOUNTS;
	if (!(iso->namespaces & UNIT_NS_BIT(UNIT_NS_MOUNT)))
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (!unit_has_rootfs(iso)) {
		/* The host's tree, with a /proc that shows the service's PIDs
		 * (a new PID namespace) or the host's (in this namespace's
		 * own copy), protected either way. */
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		STEP(SPAWN_STAGE_MOUNTS, rootfd < 0 ? -errno : setup_proc(rootfd, iso, new_pid));
		return 0;
	}
	STEP(SPAWN_STAGE_ROOTFS, iso->rootfs ? bind_rootfs(iso->rootfs, &rootfd)
					      : tmpfs_root(&rootfd));
	STEP(SPAWN_STAGE_MOUNTS, setup_proc(rootfd, iso, new_pid));
	STEP(SPAWN_STAGE_DEV, mount_dev(rootfd));
	STEP(SPAWN_STAGE_SYS, mount_sys(rootfd));
	if (iso->from_host[0])
		STEP(SPAWN_STAGE_FROM_HOST, mount_from_host(rootfd, iso, libs));
	STEP(SPAWN_STAGE_BINDS, mount_binds(rootfd, iso));
	STEP(SPAWN_STAGE_TMPFS, mount_tmpfs(rootfd, iso));
	STEP(SPAWN_STAGE_DIRECTORIES, mount_dirs(rootfd, iso, dirs));
	STEP(SPAWN_STAGE_PIVOT, switch_root(rootfd, iso->rootfs_readonly, !iso->rootfs));
	return 0;
}
