/* imagecheck.c — `initd --check --root DIR` (issue 16): a loaded set
 * against the files of the root it will run in, an image being built. The
 * executables units name (in the unit's own rootfs when it has one), the
 * users and groups they run as, the kernel modules initd.conf loads and
 * the files that must be there before boot (rootfs.path, bind sources,
 * environment_files) are looked for in DIR.
 *
 * Paths resolve inside DIR (openat2 RESOLVE_IN_ROOT: an absolute symlink
 * such as /bin/sh -> /bin/busybox stays in the image, never reaches the
 * build host's files); names come from DIR/etc/passwd and DIR/etc/group,
 * the files initd reads at spawn time, never from NSS. Paths below what
 * is mounted at boot (/proc, /sys, /dev, /run, /tmp and initd.conf's
 * mounts) are not there yet: they are not checked.
 *
 * Errors go to the set's diagnostics as FILE:LINE of the key, so --check
 * reports and counts them like any other; the line is read again from the
 * file (the set keeps no lines). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kmod.h"
#include "units/internal.h"

#define MODULE_DEPTH_MAX 8      /* initd/boot.c searches as deep */
#define KVERS_MAX        8      /* kernel trees under lib/modules looked at */

struct root_check {
	struct unit_set *set;
	int root_fd;
	const char *root;       /* as given, for messages */
	bool warn_only;         /* the unit at hand has autostart = false */
};

/* path inside the root dirfd stands for: an O_PATH fd, or -errno. */
static int open_in(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static bool path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Made or mounted at boot: nothing of it exists in the image. */
static bool runtime_path(const struct root_check *rc, const char *path)
{
	static const char *const early[] = { "/proc", "/sys", "/dev", "/run", "/tmp" };
	const struct initd_conf *conf = &rc->set->conf;

	for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++)
		if (path_below(path, early[i]))
			return true;
	for (size_t i = 0; i < conf->n_mounts; i++)
		if (path_below(path, conf->mounts[i].where))
			return true;
	return false;
}

/* The line of KEY ("exec", "rootfs.path") in file, of its element index
 * when index >= 0: 0 when it cannot be told. */
static int key_line(const char *file, const char *key, int index)
{
	struct unit_diags scratch = { 0 };
	struct parse_ctx c = { .file = file, .diags = &scratch };
	_cleanup_free_ char *text = NULL;
	config_setting_t *s;
	config_t cfg;
	int line = 0;

	if (source_read(&c, AT_FDCWD, file, &text) == 0) {
		if (source_parse(&c, text, &cfg) == 0 && (s = config_lookup(&cfg, key))) {
			config_setting_t *e = index >= 0 ? config_setting_get_elem(s, (unsigned)index) : s;
			line = setting_line(e ? e : s);
		}
		config_destroy(&cfg);
	}
	diags_clear(&scratch);
	return line;
}

/* "FILE:LINE: KEY: "VALUE" WHAT (in ROOT)" into the set's diagnostics,
 * or its warnings for a unit only started by hand (an example may name a
 * program the image lacks on purpose: `svctl start` says so then). */
static int report(struct root_check *rc, const char *file, const char *key, int index,
		  const char *value, const char *what)
{
	struct parse_ctx c = { .file = file, .diags = &rc->set->diags,
			       .warnings = &rc->set->warnings };
	char q[DIAG_QUOTE_SIZE];
	int line = key_line(file, key, index);
	int r;

	diag_quote(q, value);
	if (rc->warn_only)
		r = warn_add(&c, line, "%s: %s %s (in %s; autostart = false)", key, q, what,
			     rc->root);
	else
		r = diag_add(&c, line, "%s: %s %s (in %s)", key, q, what, rc->root);
	return r < 0 ? -ENOMEM : 0;
}

/* ---- executables ----------------------------------------------------------- */

/* 0 when path is an executable regular file below dirfd, else -errno
 * (-EACCES: there, not executable). */
static int executable_in(int dirfd, const char *path)
{
	_cleanup_close_ int fd = open_in(dirfd, path, O_PATH);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

/* Where exec resolves for u: its rootfs.path inside the root, or (no
 * rootfs, or one from_host fills) the root itself. A path below a bind's
 * target is the bind's source, in the root. Returns an fd to close, or
 * -errno; *path the path below it. */
static int exec_base(struct root_check *rc, const struct unit *u, const char *exec,
		     char *path, size_t size)
{
	const struct unit_isolation *iso = &u->opt->iso;

	snprintf(path, size, "%s", exec);
	for (size_t i = 0; i < iso->n_binds; i++)
		if (path_below(exec, iso->binds[i].target)) {
			snprintf(path, size, "%s%s", iso->binds[i].source,
				 exec + strlen(iso->binds[i].target));
			return fcntl(rc->root_fd, F_DUPFD_CLOEXEC, 0);
		}
	if (iso->rootfs)
		return open_in(rc->root_fd, iso->rootfs, O_PATH | O_DIRECTORY);
	return fcntl(rc->root_fd, F_DUPFD_CLOEXEC, 0);
}

static int check_exec(struct root_check *rc, const struct unit *u, const char *key, char **exec)
{
	char path[UNIT_STRING_MAX + 1];
	_cleanup_close_ int base = -1;
	int r;

	if (!exec || !exec[0] || runtime_path(rc, exec[0]))
		return 0;
	base = exec_base(rc, u, exec[0], path, sizeof(path));
	if (base < 0)
		return 0;   /* the rootfs itself is reported by check_rootfs */
	if (runtime_path(rc, path))
		return 0;
	r = executable_in(base, path);
	if (r == -EACCES)
		return report(rc, u->file, key, 0, exec[0], "is not an executable file");
	if (r < 0)
		return report(rc, u->file, key, 0, exec[0], u->opt->iso.rootfs ?
			      "not found in the unit's rootfs.path" : "not found");
	return 0;
}

/* ---- files and directories that must be in the image ---------------------- */

static int check_exists(struct root_check *rc, const char *file, const char *key, int index,
			const char *path, bool dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (runtime_path(rc, path))
		return 0;
	fd = open_in(rc->root_fd, path, O_PATH);
	if (fd < 0)
		return report(rc, file, key, index, path, "not found");
	if (dir && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)))
		return report(rc, file, key, index, path, "is not a directory");
	return 0;
}

static int check_files(struct root_check *rc, const struct unit *u)
{
	const struct unit_isolation *iso = &u->opt->iso;
	int r = 0;

	if (iso->rootfs)
		r = check_exists(rc, u->file, "rootfs.path", -1, iso->rootfs, true);
	for (size_t i = 0; r == 0 && i < iso->n_binds; i++)
		r = check_exists(rc, u->file, "rootfs.binds", (int)i, iso->binds[i].source, false);
	for (size_t i = 0; r == 0 && iso->from_host[i]; i++)
		r = check_exists(rc, u->file, "rootfs.from_host", (int)i, iso->from_host[i], false);
	for (size_t i = 0; r == 0 && u->environment_files[i]; i++)
		if (u->environment_files[i][0] != '-')   /* "-/path": optional */
			r = check_exists(rc, u->file, "environment_files", (int)i,
					 u->environment_files[i], false);
	return r;
}

/* ---- users and groups: DIR/etc/passwd, DIR/etc/group ----------------------- */

/* Is name the first field of a line of the root's file (passwd, group)?
 * A missing file holds no names. */
static bool name_in(struct root_check *rc, const char *file, const char *name)
{
	int fd = open_in(rc->root_fd, file, O_RDONLY);
	char line[1024];
	size_t n = strlen(name);
	bool found = false;
	FILE *f;

	if (fd < 0)
		return false;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return false;
	}
	/* A line longer than the buffer comes in pieces: only a piece that
	 * starts a line is a name. */
	for (bool start = true; !found && fgets(line, sizeof(line), f);
	     start = strchr(line, '\n') != NULL)
		found = start && strncmp(line, name, n) == 0 && line[n] == ':';
	fclose(f);
	return found;
}

/* name: a name or a numeric id; an id needs no entry (as at spawn). */
static int check_account(struct root_check *rc, const char *unit_file, const char *key,
			 int index, const char *name, bool group)
{
	const char *file = group ? "/etc/group" : "/etc/passwd";
	uint32_t id;

	if (!name || parse_id(name, &id) == 0 || name_in(rc, file, name))
		return 0;
	return report(rc, unit_file, key, index, name,
		      group ? "is not in /etc/group" : "is not in /etc/passwd");
}

static int check_accounts(struct root_check *rc, const struct unit *u)
{
	char **groups = u->opt->iso.supplementary_groups;
	int r = check_account(rc, u->file, "user", -1, u->user, false);

	if (r == 0)
		r = check_account(rc, u->file, "group", -1, u->group, true);
	for (size_t i = 0; r == 0 && groups[i]; i++)
		r = check_account(rc, u->file, "supplementary_groups", (int)i, groups[i], true);
	return r;
}

/* ---- kernel modules ---------------------------------------------------------- */

/* A directory entry that is a directory (not a symlink to one); a
 * filesystem may leave d_type DT_UNKNOWN, then fstatat says. */
static bool entry_is_dir(int dir_fd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	return fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Is NAME.ko below dirfd, depth-first and '-' and '_' alike, as
 * initd/boot.c looks? */
static bool module_in(int dir_fd, const char *name, int depth)
{
	_cleanup_close_ int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (fd < 0 || depth > MODULE_DEPTH_MAX || !(d = fdopendir(fd)))
		return false;
	fd = -1;   /* the DIR owns it */
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (entry_is_dir(dir_fd, e)) {
			_cleanup_close_ int sub = openat(dir_fd, e->d_name,
							 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			found = sub >= 0 && module_in(sub, name, depth + 1);
		} else {
			found = kmod_file_names(e->d_name, name);
		}
	}
	closedir(d);
	return found;
}

/* The kernel trees DIR/lib/modules/KVER, at most max: fds into kver[],
 * their count. */
static int open_kvers(struct root_check *rc, int *kver, int max)
{
	_cleanup_close_ int lib = open_in(rc->root_fd, "/lib/modules", O_RDONLY | O_DIRECTORY);
	struct dirent *e;
	int n = 0, fd;
	DIR *d;

	if (lib < 0 || (fd = fcntl(lib, F_DUPFD_CLOEXEC, 0)) < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !entry_is_dir(lib, e))
			continue;
		kver[n] = openat(lib, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		n += kver[n] >= 0;
	}
	closedir(d);
	return n;
}

/* Built into that kernel: listed in KVER/modules.builtin (common/kmod.h). */
static bool module_builtin(int kver_fd, const char *name)
{
	_cleanup_close_ int fd = openat(kver_fd, "modules.builtin",
					O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	return fd >= 0 && kmod_builtin(fd, name);
}

/* Each module must be under every DIR/lib/modules/KVER (the kernel the
 * image boots is one of them, usually the only one), as a NAME.ko or built
 * in (initd/boot.c loads neither twice). */
static int check_modules(struct root_check *rc)
{
	const struct initd_conf *conf = &rc->set->conf;
	const char *file = conf->file ? conf->file : "initd.conf";
	int kver[KVERS_MAX], n, r = 0;

	if (!conf->modules[0])
		return 0;
	n = open_kvers(rc, kver, KVERS_MAX);
	for (size_t i = 0; r == 0 && conf->modules[i]; i++) {
		bool found = n > 0;

		for (int k = 0; found && k < n; k++)
			found = module_in(kver[k], conf->modules[i], 0) ||
				module_builtin(kver[k], conf->modules[i]);
		if (!found)
			r = report(rc, file, "modules", (int)i, conf->modules[i], n ?
				   "not found under /lib/modules/KVER" :
				   "not found: no /lib/modules/KVER directory");
	}
	for (int k = 0; k < n; k++)
		close(kver[k]);
	return r;
}

/* ---- the whole set ----------------------------------------------------------- */

static int check_unit(struct root_check *rc, const struct unit *u)
{
	int r;

	rc->warn_only = !u->autostart;
	r = check_files(rc, u);
	if (r == 0)
		r = check_exec(rc, u, "exec", u->exec);
	if (r == 0 && u->opt->ready.kind == UNIT_PROBE_EXEC)
		r = check_exec(rc, u, "ready.exec", u->opt->ready.exec);
	if (r == 0 && u->opt->health.kind == UNIT_PROBE_EXEC)
		r = check_exec(rc, u, "health.exec", u->opt->health.exec);
	if (r == 0)
		r = check_accounts(rc, u);
	return r;
}

int unit_set_check_root(struct unit_set *s, const char *root)
{
	struct root_check rc = { .set = s, .root = root };
	const char *cg = s->conf.control_group;
	int r;

	rc.root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rc.root_fd < 0)
		return -errno;
	/* Without openat2 (Linux < 5.6) every path would look missing. */
	r = open_in(rc.root_fd, "/", O_PATH);
	if (r < 0) {
		close(rc.root_fd);
		return r;
	}
	close(r);
	r = check_modules(&rc);
	if (r == 0 && cg)
		r = check_account(&rc, s->conf.file ? s->conf.file : "initd.conf",
				  "control_group", -1, cg, true);
	for (size_t i = 0; r == 0 && i < s->n_units; i++)
		if (!s->units[i]->bad)
			r = check_unit(&rc, s->units[i]);
	rc.warn_only = false;
	close(rc.root_fd);
	return r;
}
