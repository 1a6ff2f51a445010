/* dirs.c — see dirs.h. */
#include "initd/dirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/log.h"
#include "initd/spawn.h"

#define REMOVE_DEPTH_MAX   64        /* levels below a runtime directory */
#define REMOVE_ENTRIES_MAX 1000000   /* entries one helper removes */
#define REMOVE_TIMEOUT_SEC 60        /* the helper's whole life (SIGALRM) */

/* ---- making them (the spawned child) -------------------------------------- */

/* The base ("/var/lib"), made when missing (its parent must exist). */
static int open_base(const char *base)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && (mkdir(base, 0755) == 0 || errno == EEXIST))
		fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* name (len bytes) in dirfd, made if missing, opened without following a
 * symlink: -ELOOP or -ENOTDIR when something else is there. */
static int open_component(int dirfd, const char *name, size_t len, mode_t mode)
{
	char comp[UNIT_DIR_NAME_MAX + 1];
	int fd;

	if (len > UNIT_DIR_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, name, len);
	comp[len] = '\0';
	if (mkdirat(dirfd, comp, mode) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

#define REOWN_DEPTH_MAX   64         /* levels below a unit's directory */
#define REOWN_ENTRIES_MAX 1000000    /* entries one start re-owns */

struct reown {
	uid_t from_uid, uid;
	gid_t from_gid, gid;
	dev_t dev;                /* the directory's filesystem: not left */
	unsigned long budget;
};

static void reown_entries(int fd, unsigned depth, struct reown *ro);

/* dirfd/name, which its old owner had: the new one's. Looked at and
 * changed through one O_PATH fd, so that the old owner cannot swap the
 * name in between. A file with other links is left alone (a hard link the
 * old owner made may name a file it could never change); a directory is
 * walked; a symlink is re-owned itself, never followed. */
static void reown_one(int dirfd, const char *name, unsigned depth, struct reown *ro)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), sub;
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_dev != ro->dev || st.st_uid != ro->from_uid ||
	    (!S_ISDIR(st.st_mode) && st.st_nlink > 1)) {
		close(fd);
		return;
	}
	(void)fchownat(fd, "", ro->uid, st.st_gid == ro->from_gid ? ro->gid : st.st_gid,
		       AT_EMPTY_PATH);
	sub = S_ISDIR(st.st_mode) && depth > 0 ?
	      openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	close(fd);
	if (sub >= 0)
		reown_entries(sub, depth - 1, ro);
}

/* Everything inside the directory fd (closed). */
static void reown_entries(int fd, unsigned depth, struct reown *ro)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) && ro->budget) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ro->budget--;
		reown_one(dirfd(d), e->d_name, depth, ro);
	}
	closedir(d);
}

/* The unit's directory fd, given to uid:gid. What it holds that its old
 * owner had, a user before a reload changed the unit's, goes with it, as
 * the directory is the unit's whole: else the new service could not change
 * its own files, and the old user, perhaps another unit's, could still
 * rewrite what the new one trusts. */
static int give(int fd, uid_t uid, gid_t gid)
{
	struct reown ro = { .uid = uid, .gid = gid, .budget = REOWN_ENTRIES_MAX };
	struct stat st;
	int dup_fd;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (fchown(fd, uid, gid) < 0)
		return -errno;
	/* Root's: made as another unit's parent, or by the image; what it
	 * holds (another unit's directory, root's files) is never given
	 * away, only what a user had. */
	if ((st.st_uid == uid && st.st_gid == gid) || st.st_uid == 0)
		return 0;
	ro.from_uid = st.st_uid;
	ro.from_gid = st.st_gid;
	ro.dev = st.st_dev;
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd >= 0)
		reown_entries(dup_fd, REOWN_DEPTH_MAX, &ro);
	return 0;
}

/* base/name: components above the last root's, 0755; the last one the
 * unit's, through its own fd. */
static int make_one(const char *base, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = open_base(base), r;

	while (fd >= 0) {
		size_t len = strcspn(name, "/");
		bool last = name[len] == '\0';
		int next = open_component(fd, name, len, last ? 0700 : 0755);

		close(fd);
		fd = next;
		if (fd < 0 || last)
			break;
		name += len + 1;
	}
	if (fd < 0)
		return fd;
	r = give(fd, uid, gid);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	close(fd);
	return r;
}

int dirs_make(const struct unit *u, uid_t uid, gid_t gid, char *paths[DIRS_MAX + 1],
	      char *why, size_t size)
{
	static char store[DIRS_MAX][DIRS_PATH_MAX];
	size_t n = 0;

	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++) {
		for (char **name = u->opt->dirs.names[k]; *name && n < DIRS_MAX; name++) {
			const char *base = unit_dir_kind_base(k);
			int r;

			snprintf(store[n], DIRS_PATH_MAX, "%s/%s", base, *name);
			r = make_one(base, *name, uid, gid, (mode_t)u->opt->dirs.mode);
			if (r < 0) {
				snprintf(why, size, "directory %s", store[n]);
				return r;
			}
			paths[n] = store[n];
			n++;
		}
	}
	paths[n] = NULL;
	return 0;
}

/* ---- removing runtime ones (PID 1, then a helper) ---------------------------- */

static int remove_tree(int dirfd, const char *name, unsigned depth, unsigned long *budget);

/* Everything inside the directory fd (closed), staying on its filesystem. */
static void remove_entries(int fd, unsigned depth, unsigned long *budget)
{
	struct stat st;
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	if (fstat(fd, &st) < 0) {
		closedir(d);
		return;
	}
	while ((e = readdir(d)) && *budget) {
		struct stat est;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		(*budget)--;
		if (fstatat(fd, e->d_name, &est, AT_SYMLINK_NOFOLLOW) == 0 && est.st_dev != st.st_dev)
			continue;   /* a mount point: not ours to empty */
		remove_tree(fd, e->d_name, depth, budget);
	}
	closedir(d);
}

/* rm -rf of dirfd/name, never following a symlink. */
static int remove_tree(int dirfd, const char *name, unsigned depth, unsigned long *budget)
{
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	if (depth == 0)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	remove_entries(fd, depth - 1, budget);
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/* The directory holding /run/REL, walked from /run following no symlink
 * (a directory on the way may be another unit's, which it may swap for a
 * link out of /run), and REL's last component in *last: an fd, or -errno. */
static int run_parent(const char *rel, const char **last)
{
	char comp[UNIT_DIR_NAME_MAX + 1];
	int fd = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC), next;

	if (fd < 0)
		return -errno;
	for (;;) {
		size_t len = strcspn(rel, "/");

		if (rel[len] == '\0') {
			*last = rel;
			return fd;
		}
		if (len > UNIT_DIR_NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, rel, len);
		comp[len] = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return -errno;
		fd = next;
		rel += len + 1;
	}
}

/* The helper: a fresh fork of PID 1, reaped by manager_reap like any
 * child it does not know. Names are relative to /run. */
static _Noreturn void remove_helper(char (*names)[DIRS_PATH_MAX], size_t n)
{
	unsigned long budget = REMOVE_ENTRIES_MAX;
	const char *last;
	int fd;

	if (child_reset_signals() < 0)
		_exit(1);
	close_range(3, ~0U, 0);
	alarm(REMOVE_TIMEOUT_SEC);   /* SIGALRM's default ends a hung helper */
	for (size_t i = 0; i < n; i++) {
		fd = run_parent(names[i], &last);
		if (fd >= 0) {
			remove_tree(fd, last, REMOVE_DEPTH_MAX, &budget);
			close(fd);
		}
	}
	_exit(0);
}

/* /run/NAME renamed aside into /run (the next start makes a fresh one),
 * by the fd of its directory: a symlink on the way is not followed, one at
 * NAME is renamed, not its target. Into names[*n]: the name to remove
 * (aside, or NAME itself across a mount: EXDEV). */
static void runtime_aside(const struct unit *u, const char *name, int runfd,
			  char (*names)[DIRS_PATH_MAX], size_t *n)
{
	static unsigned long serial;
	const char *last;
	int fd = run_parent(name, &last);

	if (fd < 0) {
		if (fd == -ENOTDIR || fd == -ELOOP)
			log_warn("%s: cannot remove /run/%s: something on the way is not a "
				 "directory (a symlink is not followed)", u->name, name);
		else if (fd != -ENOENT)
			log_warn("%s: cannot remove /run/%s: %s", u->name, name, strerror(-fd));
		return;
	}
	snprintf(names[*n], DIRS_PATH_MAX, ".initd-removing.%d.%lu", getpid(), ++serial);
	if (renameat(fd, last, runfd, names[*n]) == 0)
		(*n)++;
	else if (errno == EXDEV)
		snprintf(names[(*n)++], DIRS_PATH_MAX, "%s", name);
	else if (errno != ENOENT)
		log_warn("%s: cannot remove /run/%s: %s", u->name, name, strerror(errno));
	close(fd);
}

void dirs_remove_runtime(const struct unit *u, bool (*held)(const char *name, void *data),
			 void *data)
{
	char names[UNIT_DIRS_MAX][DIRS_PATH_MAX];
	int runfd = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = 0;
	pid_t pid;

	if (runfd < 0)
		return;
	for (char **name = u->opt->dirs.names[UNIT_DIR_RUNTIME]; *name && n < UNIT_DIRS_MAX;
	     name++)
		if (!held || !held(*name, data))
			runtime_aside(u, *name, runfd, names, &n);
	close(runfd);
	if (n == 0)
		return;
	pid = spawn_helper_fork();
	if (pid == 0)
		remove_helper(names, n);
	if (pid < 0)
		log_warn("%s: cannot remove its runtime directories: %s", u->name, strerror(errno));
}
