/* spawn.c — clone3 into the leaf, staged child setup, exec. See spawn.h. */
#include "initd/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/elfdeps.h"
#include "common/envfile.h"
#include "common/util.h"
#include "initd/caps.h"
#include "initd/child.h"
#include "initd/dirs.h"
#include "initd/loader.h"
#include "initd/log.h"
#include "initd/net.h"
#include "initd/ns.h"
#include "initd/reaper.h"
#include "initd/spawn_shared.h"

#define SPAWN_ENV_MAX (UNIT_ENV_MAX + ENVFILE_ENTRIES_MAX + 8)
#define SPAWN_GROUPS_MAX 64

static const char *const stage_names[SPAWN_STAGE_MAX] = {
	[SPAWN_STAGE_SIGNALS] = "signals",
	[SPAWN_STAGE_SESSION] = "session",
	[SPAWN_STAGE_STDIO] = "stdio",
	[SPAWN_STAGE_FDS] = "fds",
	[SPAWN_STAGE_USER] = "user",
	[SPAWN_STAGE_GROUPS] = "groups",
	[SPAWN_STAGE_GID] = "gid",
	[SPAWN_STAGE_UID] = "uid",
	[SPAWN_STAGE_CHDIR] = "chdir",
	[SPAWN_STAGE_EXEC] = "exec",
	[SPAWN_STAGE_ID_MAP] = "id-map",
	[SPAWN_STAGE_OOM] = "oom-score-adj",
	[SPAWN_STAGE_VETH] = "veth",
	[SPAWN_STAGE_NETWORK] = "network",
	[SPAWN_STAGE_MOUNTS] = "mounts",
	[SPAWN_STAGE_ROOTFS] = "rootfs",
	[SPAWN_STAGE_DEV] = "dev",
	[SPAWN_STAGE_SYS] = "sys",
	[SPAWN_STAGE_BINDS] = "binds",
	[SPAWN_STAGE_TMPFS] = "tmpfs",
	[SPAWN_STAGE_PIVOT] = "pivot-root",
	[SPAWN_STAGE_HOSTNAME] = "hostname",
	[SPAWN_STAGE_RLIMITS] = "rlimits",
	[SPAWN_STAGE_BOUNDING] = "capability-bounding-set",
	[SPAWN_STAGE_CAPS] = "capabilities",
	[SPAWN_STAGE_NO_NEW_PRIVS] = "no-new-privs",
	[SPAWN_STAGE_REAPER] = "reaper",
	[SPAWN_STAGE_ENV_FILES] = "environment-files",
	[SPAWN_STAGE_DIRECTORIES] = "directories",
	[SPAWN_STAGE_FROM_HOST] = "from_host",
	[SPAWN_STAGE_JOIN] = "namespaces-from",
	[SPAWN_STAGE_SECCOMP] = "seccomp",
};

const char *spawn_stage_to_string(int stage)
{
	return stage >= 0 && stage < SPAWN_STAGE_MAX ? stage_names[stage] : "unknown";
}

/* ---- users and groups, without NSS ---------------------------------------- */

/* user: a name, or a numeric id by the unit parser's rule (parse_id). */
int spawn_lookup_user(const char *passwd_file, const char *user, uid_t *ret_uid,
		      gid_t *ret_gid, char *ret_home, size_t home_size, char *ret_name,
		      size_t name_size)
{
	uint32_t id;
	bool numeric = parse_id(user, &id) == 0;
	FILE *f = fopen(passwd_file, "re");
	struct passwd *pw;

	if (!f && !numeric)
		return -errno;
	while (f && (pw = fgetpwent(f))) {
		if (numeric ? pw->pw_uid == id : strcmp(pw->pw_name, user) == 0) {
			*ret_uid = pw->pw_uid;
			*ret_gid = pw->pw_gid;
			snprintf(ret_home, home_size, "%s", pw->pw_dir);
			if (ret_name)
				snprintf(ret_name, name_size, "%s", pw->pw_name);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	if (!numeric)
		return -ENOENT;
	/* A numeric id needs no entry; its group defaults to the same number. */
	*ret_uid = id;
	*ret_gid = id;
	snprintf(ret_home, home_size, "/");
	if (ret_name)
		snprintf(ret_name, name_size, "%s", user);
	return 0;
}

int spawn_lookup_group(const char *group_file, const char *group, gid_t *ret_gid)
{
	uint32_t id;
	FILE *f;
	struct group *gr;

	if (parse_id(group, &id) == 0) {
		*ret_gid = id;
		return 0;
	}
	f = fopen(group_file, "re");
	if (!f)
		return -errno;
	while ((gr = fgetgrent(f))) {
		if (strcmp(gr->gr_name, group) == 0) {
			*ret_gid = gr->gr_gid;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

int spawn_user_groups(const char *group_file, const char *user, gid_t *groups, size_t max,
		      size_t *ret_n)
{
	FILE *f = fopen(group_file, "re");
	struct group *gr;
	size_t n = 0;

	if (!f) {
		*ret_n = 0;
		return errno == ENOENT ? 0 : -errno;
	}
	while ((gr = fgetgrent(f))) {
		for (char **m = gr->gr_mem; m && *m; m++) {
			if (strcmp(*m, user) != 0)
				continue;
			if (n == max) {
				fclose(f);
				return -E2BIG;
			}
			groups[n++] = gr->gr_gid;
			break;
		}
	}
	fclose(f);
	*ret_n = n;
	return 0;
}

/* ---- the child ------------------------------------------------------------ */

static _Noreturn void child_fail_detail(int report_fd, int stage, int err, const char *detail)
{
	struct spawn_report rep = { stage, err, "" };

	snprintf(rep.detail, sizeof(rep.detail), "%s", detail ? detail : "");
	if (write(report_fd, &rep, sizeof(rep)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(127);
}

static _Noreturn void child_fail(int report_fd, int stage, int err)
{
	child_fail_detail(report_fd, stage, err, NULL);
}

/* fd 0 /dev/null, 1 and 2 the log pipe; *report_fd (and *exe_fd, the
 * reaper's executable, when >= 0) moved above 2 first. */
static int child_setup_stdio(int output_fd, int *report_fd, int *exe_fd)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (*report_fd < 3)
		*report_fd = fcntl(*report_fd, F_DUPFD_CLOEXEC, 3);
	if (*exe_fd >= 0 && *exe_fd < 3 && (*exe_fd = fcntl(*exe_fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return -errno;
	if (output_fd >= 0 && output_fd < 3)
		output_fd = fcntl(output_fd, F_DUPFD_CLOEXEC, 3);
	if (null_fd >= 0 && null_fd < 3)
		null_fd = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
	if (*report_fd < 0 || null_fd < 0)
		return -errno;
	if (output_fd < 0)
		output_fd = null_fd;
	if (dup2(null_fd, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0)
		return -errno;
	return 0;
}

/* Close every fd from 3 up but the ones in keep (-1 entries ignored);
 * those close themselves on exec. */
static int child_close_fds(int keep_a, int keep_b)
{
	unsigned from = 3;
	int keep[2] = { keep_a < keep_b ? keep_a : keep_b, keep_a < keep_b ? keep_b : keep_a };

	for (size_t i = 0; i < 2; i++) {
		if (keep[i] < 3)
			continue;
		if ((unsigned)keep[i] > from && close_range(from, (unsigned)keep[i] - 1, 0) < 0)
			return -errno;
		from = (unsigned)keep[i] + 1;
	}
	return close_range(from, ~0U, 0) < 0 ? -errno : 0;
}

struct child_creds {
	uid_t uid;
	gid_t gid;
	char home[256];
	char name[256];   /* the passwd entry's: "4242" names its user there too */
	gid_t groups[SPAWN_GROUPS_MAX];
	size_t n_groups;
	bool keep_groups; /* initd's own, unchanged (spawn_keeps_groups) */
};

/* initd's own ids, read in PID 1 before its first child (owner_load in
 * spawn_start and the helpers' forks): a child in a user namespace of its
 * own is the overflow uid there until its parent writes the maps. */
static struct {
	bool loaded;
	uid_t uid;
	gid_t gid;
} owner;

static void owner_load(void)
{
	if (owner.loaded)
		return;
	owner.uid = geteuid();
	owner.gid = owner.uid == 0 ? 0 : getegid();
	owner.loaded = true;
}

void spawn_default_ids(uid_t *ret_uid, gid_t *ret_gid)
{
	owner_load();
	*ret_uid = owner.uid;
	*ret_gid = owner.gid;
}

bool spawn_keeps_groups(const struct unit *u)
{
	owner_load();
	return owner.uid != 0 && !u->user && !u->group &&
	       !u->opt->iso.supplementary_groups[0];
}

/* HOME of a unit that names no user: root's, or, not run as root, the
 * one initd was given (its user's), else "/". */
static const char *default_home(void)
{
	const char *h;

	owner_load();
	if (owner.uid == 0)
		return "/root";
	h = getenv("HOME");
	return h && h[0] == '/' && strlen(h) < sizeof(((struct child_creds *)0)->home) ? h : "/";
}

/* The unit's supplementary_groups, after the user's own from the group file. */
static int child_extra_groups(const struct spawn_params *p, struct child_creds *c)
{
	for (char **g = p->unit->opt->iso.supplementary_groups; g && *g; g++) {
		gid_t gid;
		int r = spawn_lookup_group(p->group_file, *g, &gid);
		if (r < 0)
			return r;
		if (c->n_groups == SPAWN_GROUPS_MAX)
			return -E2BIG;
		c->groups[c->n_groups++] = gid;
	}
	return 0;
}

static int child_lookup(const struct spawn_params *p, struct child_creds *c)
{
	const struct unit *u = p->unit;
	int r;

	*c = (struct child_creds){ .keep_groups = spawn_keeps_groups(u) };
	spawn_default_ids(&c->uid, &c->gid);
	snprintf(c->home, sizeof(c->home), "%s", default_home());
	if (u->user) {
		r = spawn_lookup_user(p->passwd_file, u->user, &c->uid, &c->gid, c->home,
				      sizeof(c->home), c->name, sizeof(c->name));
		if (r < 0)
			return r;
		r = spawn_user_groups(p->group_file, c->name, c->groups, SPAWN_GROUPS_MAX,
				      &c->n_groups);
		if (r < 0)
			return r;
	}
	if (u->group) {
		r = spawn_lookup_group(p->group_file, u->group, &c->gid);
		if (r < 0)
			return r;
	}
	/* Not run as root, a unit naming initd's own user and group (no more
	 * groups, no user namespace whose ids these would be) asks for
	 * nothing initd lacks: its groups stay, as for a unit naming none;
	 * setgroups() would be refused. */
	if (owner.uid != 0 && c->uid == owner.uid && c->gid == owner.gid &&
	    !u->opt->iso.supplementary_groups[0] &&
	    !(u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		c->keep_groups = true;
	return child_extra_groups(p, c);
}

static void env_put(char **env, size_t *n, char *entry)
{
	size_t klen = strcspn(entry, "=");

	for (size_t i = 0; i < *n; i++)
		if (strncmp(env[i], entry, klen + 1) == 0) {
			env[i] = entry;
			return;
		}
	if (*n < SPAWN_ENV_MAX)
		env[(*n)++] = entry;
}

/* ---- environment files (issue 15) ------------------------------------------ */

/* What the files gave, in order: entries point into their buffers, which
 * live until exec. */
struct file_env {
	char *v[ENVFILE_ENTRIES_MAX];
	size_t n;
};

static int file_env_add(char *entry, void *data)
{
	struct file_env *fe = data;

	if (fe->n == ENVFILE_ENTRIES_MAX)
		return -E2BIG;
	fe->v[fe->n++] = entry;
	return 0;
}

/* path's bytes into a new buffer (one more byte, for the parser): a
 * regular file (O_NONBLOCK: a FIFO there cannot hold the start), at most
 * ENVFILE_SIZE_MAX bytes. Read as root, before the unit's user is taken,
 * from a path that may cross a unit's own directory: no symlink or hard
 * link a unit planted there is taken (open_read_trusted; userns: this
 * child is in a user namespace of the unit's own already). */
static int env_file_read(const char *path, bool userns, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open_read_trusted(path, userns);
	struct stat st;
	size_t len = 0;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	if (st.st_size > ENVFILE_SIZE_MAX)
		return -EFBIG;
	buf = malloc(ENVFILE_SIZE_MAX + 2);
	if (!buf)
		return -ENOMEM;
	/* The file may grow meanwhile: one byte past the limit says so. */
	while (len <= ENVFILE_SIZE_MAX &&
	       (n = read(fd, buf + len, ENVFILE_SIZE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		len += (size_t)n;
	}
	if (len > ENVFILE_SIZE_MAX) {
		free(buf);
		return -EFBIG;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* One file, "-" optional: 0, or -errno with why ("FILE:LINE: what"). */
static int env_file_load(const char *spec, bool userns, struct file_env *fe, char *why,
			 size_t size)
{
	bool optional = spec[0] == '-';
	const char *path = spec + optional, *what;
	unsigned line = 0;
	size_t len = 0;
	char *buf = NULL;
	int r = env_file_read(path, userns, &buf, &len);

	if (r == -ENOENT && optional)
		return 0;
	if (r < 0) {
		snprintf(why, size, "environment file %s: %s", path,
			 r == -EBADF ? "not a regular file" : r == -EFBIG ? "larger than 64K" :
			 r == -ELOOP && userns ? "a symlink, and the unit has a user namespace of its own: "
						 "not followed (name the file itself)" :
			 r == -ELOOP ? "a symlink in a directory not only root may change: not followed" :
			 r == -EMLINK && userns ? "another hard link to it, and the unit has a user "
						  "namespace of its own" :
			 r == -EMLINK ? "another hard link to it, in a directory not only root may change" :
			 strerror(-r));
		return r;
	}
	r = envfile_parse(buf, len, file_env_add, fe, &line, &what);
	if (r < 0)
		snprintf(why, size, "environment file %s:%u: %s", path, line,
			 r == -E2BIG ? "more than 256 variables from files" : what);
	return r;   /* buf stays: fe points into it until exec */
}

int spawn_env_files_read(const struct unit *u, char **ret, size_t *ret_n, char *why,
			 size_t size)
{
	struct file_env fe = { .n = 0 };
	int r;

	for (char **f = u->environment_files; f && *f; f++) {
		r = env_file_load(*f, u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER), &fe, why,
				  size);
		if (r < 0)
			return r;
	}
	memcpy(ret, fe.v, fe.n * sizeof(*ret));
	*ret_n = fe.n;
	return 0;
}

static void child_env_files(const struct unit *u, struct file_env *fe, int report_fd)
{
	char why[SPAWN_DETAIL_MAX];
	int r = spawn_env_files_read(u, fe->v, &fe->n, why, sizeof(why));

	if (r < 0)
		child_fail_detail(report_fd, SPAWN_STAGE_ENV_FILES, -r, why);
}

/* The strings of the environment's entries initd makes. */
struct env_store {
	char home[300], user[300], notify[300], unit[300], watchdog[64];
};

/* The service's environment: a sane base, the environment files' entries,
 * then the unit's own, which win. The entries point into st, fe and the
 * unit; env has room for SPAWN_ENV_MAX + 1. */
static void env_fill(const struct spawn_params *p, const char *home, const char *user,
		     const struct file_env *fe, struct env_store *st, char **env)
{
	size_t n = 0;

	env_put(env, &n, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(st->home, sizeof(st->home), "HOME=%s", home);
	env_put(env, &n, st->home);
	if (p->unit->user) {
		snprintf(st->user, sizeof(st->user), "USER=%s", user);
		env_put(env, &n, st->user);
	}
	snprintf(st->unit, sizeof(st->unit), "INITD_UNIT=%s", p->unit->name);
	env_put(env, &n, st->unit);
	if (p->notify_socket) {
		snprintf(st->notify, sizeof(st->notify), "NOTIFY_SOCKET=%s", p->notify_socket);
		env_put(env, &n, st->notify);
	}
	if (p->unit->watchdog_usec) {
		/* what sd_watchdog_enabled() reads */
		snprintf(st->watchdog, sizeof(st->watchdog), "WATCHDOG_USEC=%llu",
			 (unsigned long long)p->unit->watchdog_usec);
		env_put(env, &n, st->watchdog);
	}
	for (size_t i = 0; fe && i < fe->n; i++)
		env_put(env, &n, fe->v[i]);
	for (char **e = p->unit->environment; e && *e; e++)
		env_put(env, &n, *e);
	env[n] = NULL;
}

/* Built in the child, which execs or exits: nothing to free. */
static void child_build_env(const struct spawn_params *p, const struct child_creds *c,
			    const struct file_env *fe, char **env)
{
	static struct env_store st;

	env_fill(p, c->home, c->name, fe, &st, env);
}

/* Block until the parent has done its part (id maps, veth): one byte means
 * go; end-of-file means the parent reported a failure itself, so leave
 * quietly. */
static void child_wait_parent(int sync_fd)
{
	char go;
	ssize_t n;

	do
		n = read(sync_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);
	close(sync_fd);
}

#define CHECK(report_fd, stage, expr) do { int _r = (expr); \
	if (_r < 0) child_fail((report_fd), (stage), -_r); } while (0)
#define ERRNO(expr) ((expr) < 0 ? -errno : 0)

/* In a new user namespace, become its root (mapped by the parent) before
 * anything else: files and mounts made meanwhile get ids that exist there. */
static int child_userns_root(void)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Namespaces already hold the child: network, mounts, hostname. */
/* rootfs.from_host's ELF files, read here, at each start, on the host's
 * tree: the loader and libraries each needs (common/elfdeps.h). Not at
 * load time (the files may change between a reload and a start), never in
 * PID 1 (reading files may block). NULL when there is nothing to read. */
static char **child_from_host_libs(const struct unit_isolation *iso, int report_fd)
{
	char why[SPAWN_DETAIL_MAX - 16], detail[SPAWN_DETAIL_MAX];
	char **libs = NULL;
	int r;

	if (!iso->from_host[0])
		return NULL;
	r = elf_deps_closure(iso->from_host, &libs, why, sizeof(why));
	if (r < 0) {
		snprintf(detail, sizeof(detail), "from_host: %s", why[0] ? why : strerror(-r));
		child_fail_detail(report_fd, SPAWN_STAGE_FROM_HOST, -r, detail);
	}
	return libs;
}

static void child_isolate(const struct unit_isolation *iso, char *const *dirs, int report_fd)
{
	char **libs;
	int stage, r;

	if (iso->namespaces & UNIT_NS_BIT(UNIT_NS_NET))
		CHECK(report_fd, SPAWN_STAGE_NETWORK, net_child_setup(iso));
	libs = child_from_host_libs(iso, report_fd);
	r = ns_setup_mounts(iso, dirs, libs, &stage);
	if (r < 0)
		child_fail(report_fd, stage, -r);
	if (iso->hostname)
		CHECK(report_fd, SPAWN_STAGE_HOSTNAME,
		      ERRNO(sethostname(iso->hostname, strlen(iso->hostname))));
}

static rlim_t rlim_of(uint64_t v)
{
	return v == UINT64_MAX ? RLIM_INFINITY : (rlim_t)v;
}

/* initd.conf's defaults first: one that asks more than initd may give
 * (initd not PID 1, without CAP_SYS_RESOURCE) is cut to initd's own hard
 * limit, since nobody asked this unit for it. Then the unit's own, which
 * must apply exactly. pid: the process's (0: this one's). */
int spawn_rlimits_apply(pid_t pid, const struct unit_isolation *iso,
			const struct unit_rlimit *defaults, size_t n_defaults)
{
	for (size_t i = 0; i < n_defaults; i++) {
		const struct unit_rlimit *d = &defaults[i];
		struct rlimit rl = { rlim_of(d->soft), rlim_of(d->hard) }, own;

		if (prlimit(pid, d->resource, &rl, NULL) == 0 || errno != EPERM ||
		    getrlimit(d->resource, &own) < 0)
			continue;
		rl.rlim_max = own.rlim_max < rl.rlim_max ? own.rlim_max : rl.rlim_max;
		rl.rlim_cur = rl.rlim_cur < rl.rlim_max ? rl.rlim_cur : rl.rlim_max;
		prlimit(pid, d->resource, &rl, NULL);
	}
	for (size_t i = 0; i < iso->n_rlimits; i++) {
		struct rlimit rl = { rlim_of(iso->rlimits[i].soft), rlim_of(iso->rlimits[i].hard) };

		if (prlimit(pid, iso->rlimits[i].resource, &rl, NULL) < 0)
			return -errno;
	}
	return 0;
}

int spawn_caps_before_uid(const struct unit_isolation *iso, bool root, int *ret_stage)
{
	int r = 0;

	*ret_stage = SPAWN_STAGE_BOUNDING;
	if (iso->has_capabilities)
		r = caps_limit_bounding(iso->capabilities);
	if (r < 0)
		return r;
	*ret_stage = SPAWN_STAGE_CAPS;
	if (iso->has_capabilities && !root && iso->capabilities)
		r = caps_keep_across_uid();
	return r;
}

int spawn_caps_after_uid(const struct unit_isolation *iso, bool root, int *ret_stage)
{
	int r = 0;

	*ret_stage = SPAWN_STAGE_CAPS;
	if (iso->has_capabilities)
		r = caps_apply(iso->capabilities, root);
	if (r < 0)
		return r;
	*ret_stage = SPAWN_STAGE_NO_NEW_PRIVS;
	if (iso->no_new_privs)
		r = ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	return r;
}

/* Before the seccomp filter: after it, a filter that kills or refuses
 * write(2) keeps the child from reporting a failed execve, which PID 1
 * then takes for an exec that happened (and a SIGSYS or an exit 127 for
 * the service's own). No rule in the filter may let that report through:
 * a filter outlives the exec, and the service could put any file on the
 * report fd's number. So the failures a unit's author makes (no such file,
 * not executable, a directory, a #! line naming a missing interpreter)
 * are found here, as the service's user, in its root; the rarer ones
 * (ENOEXEC, E2BIG) are still reported only when the filter lets the
 * report through. */
int spawn_exec_check(const char *path)
{
	char line[256];
	struct stat st;
	ssize_t n;
	char *p, *e;
	int fd;

	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 || stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;   /* as execve says of a directory or a device */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;         /* execute-only: its #! line is execve's to read */
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = '\0';
	p = line + 2 + strspn(line + 2, " \t");
	e = p + strcspn(p, " \t\n");
	if (e == p || !*e)
		return 0;         /* empty, or longer than read: execve's to judge */
	*e = '\0';
	return faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

/* no_new_privs is implied: the kernel requires it of a process without
 * CAP_SYS_ADMIN, and a filter a setuid exec could shed would protect
 * nothing. */
int spawn_seccomp_install(const struct unit_seccomp *sc, int *ret_stage)
{
	struct sock_fprog prog = { .len = (unsigned short)sc->n_bpf, .filter = sc->bpf };

	*ret_stage = SPAWN_STAGE_NO_NEW_PRIVS;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	*ret_stage = SPAWN_STAGE_SECCOMP;
	return ERRNO((int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
}

/* rlimits, umask, then who the service is and what it may do. */
static void child_credentials(const struct spawn_params *p, const struct child_creds *c,
			      int report_fd)
{
	const struct unit_isolation *iso = &p->unit->opt->iso;
	bool root = c->uid == 0;
	int stage;

	/* In a user namespace of its own, the parent set them (parent_plumb):
	 * from here the defaults' pass could lower a hard limit the unit's
	 * own then may not raise again. */
	if (!(iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		CHECK(report_fd, SPAWN_STAGE_RLIMITS,
		      spawn_rlimits_apply(0, iso, p->default_rlimits, p->n_default_rlimits));
	umask((mode_t)iso->umask);
	CHECK(report_fd, stage, spawn_caps_before_uid(iso, root, &stage));
	if (!c->keep_groups)
		CHECK(report_fd, SPAWN_STAGE_GROUPS, ERRNO(setgroups(c->n_groups, c->groups)));
	CHECK(report_fd, SPAWN_STAGE_GID, ERRNO(setresgid(c->gid, c->gid, c->gid)));
	CHECK(report_fd, SPAWN_STAGE_UID, ERRNO(setresuid(c->uid, c->uid, c->uid)));
	CHECK(report_fd, stage, spawn_caps_after_uid(iso, root, &stage));
}

/* The unit's filter, compiled by the loader (units/seccomp.c): the last
 * stage, so every call before it (setuid, mounts, capabilities) is initd's
 * and none is filtered; the only call after it is execve, which every
 * filter allows: what would keep that from working is checked first
 * (spawn_exec_check). */
static void child_seccomp(const struct unit_seccomp *sc, const char *exe, int report_fd)
{
	int stage;

	CHECK(report_fd, SPAWN_STAGE_EXEC, spawn_exec_check(exe));
	CHECK(report_fd, stage, spawn_seccomp_install(sc, &stage));
}

/* A PID-namespace unit: from here on this process is the service under a
 * freshly exec'd reaper (reaper.h); exe_fd < 0 is the errno of the memfd
 * PID 1 could not make. */
static void child_fork_reaper(int exe_fd, int report_fd)
{
	int r = exe_fd < 0 ? exe_fd : reaper_fork(exe_fd);

	if (r < 0)
		child_fail(report_fd, SPAWN_STAGE_REAPER, -r);
}

/* namespaces_from, before anything else is set up in the namespaces. */
static void child_join(const struct unit_isolation *iso, const int *join_fds, int report_fd)
{
	char why[SPAWN_DETAIL_MAX];
	int kind = 0, r = ns_join(iso, join_fds, &kind);

	if (r == 0)
		return;
	snprintf(why, sizeof(why), "namespaces_from.%s \"%s\": %s", unit_join_names[kind],
		 iso->join[kind], strerror(-r));
	child_fail_detail(report_fd, SPAWN_STAGE_JOIN, -r, why);
}

/* A unit child_run does no more for than spawn_shared.c's child does:
 * signals, session, stdio, fds, rlimits, umask, root's credentials,
 * no_new_privs, chdir, exec. A stage added to child_run is either one of
 * those or a reason here to fork. */
static bool spawn_is_plain(const struct unit *u)
{
	const struct unit_isolation *iso = &u->opt->iso;

	if (iso->namespaces || iso->has_capabilities || iso->has_oom_score_adj || iso->hostname ||
	    iso->rootfs || iso->from_host[0] || iso->supplementary_groups[0] || u->user ||
	    u->group || (u->environment_files && u->environment_files[0]) ||
	    u->opt->seccomp.n_bpf)
		return false;
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		if (iso->join[k])
			return false;
	for (int k = 0; k < UNIT_DIR_KIND_MAX; k++)
		if (u->opt->dirs.names[k][0])
			return false;
	return true;
}

static _Noreturn void child_run(const struct spawn_params *p, int report_fd, int sync_fd,
				int exe_fd, const int *join_fds)
{
	const struct unit *u = p->unit;
	bool new_pid = u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID);
	struct child_creds creds;
	struct file_env file_env;
	char *env[SPAWN_ENV_MAX + 1], *dirs[DIRS_MAX + 1], why[SPAWN_DETAIL_MAX];
	int r;

	/* First: until then a fault here would run PID 1's crash action. */
	r = child_reset_signals();
	if (r < 0)
		child_fail(report_fd, SPAWN_STAGE_SIGNALS, -r);
	if (sync_fd >= 0)
		child_wait_parent(sync_fd);
	child_join(&u->opt->iso, join_fds, report_fd);
	if (setsid() < 0)
		child_fail(report_fd, SPAWN_STAGE_SESSION, errno);
	r = child_setup_stdio(p->output_fd, &report_fd, &exe_fd);
	if (r < 0)
		child_fail(report_fd, SPAWN_STAGE_STDIO, -r);
	r = child_close_fds(report_fd, new_pid ? exe_fd : -1);
	if (r < 0)
		child_fail(report_fd, SPAWN_STAGE_FDS, -r);
	/* Before the rootfs: users come from the image's own files. */
	r = child_lookup(p, &creds);
	if (r < 0)
		child_fail(report_fd, SPAWN_STAGE_USER, -r);
	/* Still the host's root, on the host's tree (issue 15): the files
	 * are host paths, the directories host directories. */
	child_env_files(u, &file_env, report_fd);
	r = dirs_make(u, creds.uid, creds.gid, dirs, why, sizeof(why));
	if (r < 0) {
		size_t n = strlen(why);
		snprintf(why + n, sizeof(why) - n, ": %s", strerror(-r));
		child_fail_detail(report_fd, SPAWN_STAGE_DIRECTORIES, -r, why);
	}
	if (u->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_USER))
		CHECK(report_fd, SPAWN_STAGE_ID_MAP, child_userns_root());
	/* Before any mount: the reaper's exec must find the host's root (and
	 * the dynamic loader there), and a pivot_root would move its root too.
	 * After the user namespace's root: that is the reaper's uid, so it
	 * may signal the service whatever the service becomes. */
	if (new_pid)
		child_fork_reaper(exe_fd, report_fd);
	child_isolate(&u->opt->iso, dirs, report_fd);
	child_credentials(p, &creds, report_fd);
	if (chdir(u->workdir ? u->workdir : "/") < 0)
		child_fail(report_fd, SPAWN_STAGE_CHDIR, errno);
	child_build_env(p, &creds, &file_env, env);
	if (u->opt->seccomp.n_bpf)
		child_seccomp(&u->opt->seccomp, u->exec[0], report_fd);
	execve(u->exec[0], u->exec, env);
	child_fail(report_fd, SPAWN_STAGE_EXEC, errno);
}

/* ---- the parent ----------------------------------------------------------- */

/* flags: the namespaces (and CLONE_FILES for the fd window). The child's
 * pidfd into *ret_pidfd (CLONE_PIDFD). */
static pid_t clone3_into(int cgroup_fd, uint64_t flags, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
	};

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* ---- the fd window -----------------------------------------------------------
 *
 * A fork copies the parent's whole fd table, and the child then closes all of
 * it: with two fds per running unit, every spawn cost O(units) in dup_fd and
 * as much again in the child's close_range (at 6000 units, 16% of the
 * machine's time during a cold start). So past 64 fds the service's child
 * is cloned with CLONE_FILES: it shares PID 1's table instead of copying
 * it, and its first system call, close_range(window.end, ~0U,
 * CLOSE_RANGE_UNSHARE), gives it a table of its own holding only the fds
 * below window.end (the kernel copies just those). The fds it needs are
 * dup3()ed first into a set of the window's slots, low numbers PID 1
 * reserves before its first spawn (each a copy of one /dev/null fd).
 * Until the child has unshared, its table is PID 1's: PID 1 must not
 * change its slots (nor may the child close anything). So the child then
 * closes the other sets' slots, and writes one byte on its report pipe.
 *
 * The set is lent to the child until PID 1 hears that byte, or of the
 * child's end (its table is let go before its pidfd says so): the loop
 * reads the byte first thing on the report pipe (spawn_report_read), and
 * only then puts the slots back to /dev/null. PID 1 waits for a child's
 * first instructions only when every set is lent (for the first to
 * answer), when its report pipe is closed before it was heard from
 * (spawn_report_done), before a direct fork or a helper's
 * (window_settle, spawn_helper_fork), when a reaped child's report has
 * not ended (spawn_report_read_final), and where
 * PID 1 has work for the child (window_wait_here). (Issue 19: this
 * replaced a vfork child per spawn that cloned the service for PID 1,
 * one more task made, run and reaped each time, 12% of the 1000-unit VM
 * boot; and then a wait for each child's byte, 0.8 ms a spawn there, PID
 * 1 idle while the child ran on the other CPU.) Until
 * one child has made its table its own, each spawn through the window
 * waits for its child's byte, so that a kernel without
 * CLOSE_RANGE_UNSHARE costs no unit a failed spawn: its first child says
 * so and that spawn, like all after it, forks directly.
 *
 * The child runs its first instructions in the unit's cgroup, so a unit
 * whose cgroup may hold it there (a CPU or memory limit on its path, a
 * subtree it manages: spawn_params.child_may_wait) forks directly. A wait
 * that hears nothing for WINDOW_WAIT_MS (the cgroup frozen by hand) kills
 * the oldest child, tells its unit why, and turns the window off for good
 * (window_give_up). The
 * child resets what it inherited right after (child_run), as a direct
 * fork's does.
 *
 * The window is for a big table only. A table whose fds are all below 64
 * (the kernel's NR_OPEN_DEFAULT) is copied into the one embedded in the
 * child's files_struct: nothing allocated, at most 64 entries, and no
 * slots to load. Past 64, a direct copy would also leave each service a
 * table as big as PID 1's for its whole life (the kernel never shrinks
 * one), so from there on every spawn takes the window. window.fd_top is a
 * high-water mark of the top of PID 1's table: the fds open at the first
 * spawn (read from /proc/self/fd: what PID 1 inherited and made at boot),
 * every fd its loop has watched (pidfds, log pipes, svctl clients:
 * spawn_params.fd_high), each spawn's own and the pipe copies blocks wait
 * on (spawn_shared_done). From 64 on, the window, for
 * good. (Reading /proc/self/fd at every spawn instead cost ~0.5-0.9 ms a
 * spawn under TCG.) */

enum { SLOT_REPORT, SLOT_SYNC, SLOT_EXE, SLOT_OUTPUT, SLOT_JOIN,
       SLOTS = SLOT_JOIN + UNIT_JOIN_MAX };

/* The first fd a child's copy of the table cannot hold in its embedded
 * one (NR_OPEN_DEFAULT, BITS_PER_LONG in the kernel). */
#define WINDOW_FROM_FD ((int)(8 * sizeof(long)))

/* How long PID 1 waits for a child's first instructions. */
#define WINDOW_WAIT_MS 5000

/* Children in flight through the window at once, a set of slots each
 * (fewer if the sets would reach past WINDOW_FROM_FD). Two: at 1000
 * units in the VM the child's byte is nearly always there when PID 1
 * needs its set again (a wait 0.1 ms on average, with three 0.07), and
 * a third set's seven fds took the 10-unit boot past 64 fds, into the
 * window. */
#define WINDOW_SETS 2

/* window_wait's answer for a child that ended without a byte. */
#define WINDOW_ENDED 256

/* One child's slots: [first, first + SLOTS). */
struct window_set {
	int first;
	uint32_t loaded;      /* the slots its child got an fd in */
	bool lent;            /* a child may still run in PID 1's table */
	bool lost;            /* its child could not be killed: never touched again */
	int report_r;         /* lent: PID 1's end of the child's report pipe */
	int pidfd;            /* lent: a copy of the child's pidfd */
	pid_t pid;
	uint64_t lent_at;     /* the oldest is the one waited for */
};

static struct {
	int state;            /* 0 not tried, 1 ready, -1 unavailable */
	int fd_top;           /* the highest fd seen open */
	int null_fd;          /* what an idle slot holds */
	struct window_set set[WINDOW_SETS];
	unsigned n_sets;
	unsigned first, end;  /* all the sets' slots: [first, end) */
	uint64_t lends;
	uint64_t children;    /* cloned through it (spawn_window_children) */
	bool proven;          /* a child made its table its own: lend from now on */
	bool trial;           /* its clone3 failed: is it CLONE_FILES? */
	bool gave_up;         /* a wait gave up: no more waits */
} window;

/* The highest fd open now (/proc/self/fd), INT_MAX if it cannot be read;
 * in *low, a bit for each fd open below WINDOW_FROM_FD. */
static int fd_highest(uint64_t *low)
{
	_Static_assert(WINDOW_FROM_FD <= 64, "a bit per low fd");
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int top = -1;

	*low = 0;
	if (!d)
		return INT_MAX;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (fd > top)
			top = fd;
		if (fd < WINDOW_FROM_FD)
			*low |= UINT64_C(1) << fd;
	}
	closedir(d);
	return top;
}

/* The lowest run of n free fds below WINDOW_FROM_FD, or -1. Not 0-2: a
 * PID 1 started without them writes its log to 2 all the same. */
static int fd_free_run(uint64_t low, unsigned n)
{
	for (unsigned first = 3; first + n <= WINDOW_FROM_FD; first++) {
		uint64_t run = (n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1) << first;

		if (!(low & run))
			return (int)first;
	}
	return -1;
}

/* The sets, contiguous (a child closes the others' slots in two calls)
 * and low: as many as fit below WINDOW_FROM_FD, so that a child's table
 * stays in the 64 slots the kernel embeds; one set right above the
 * highest fd if none fits. */
static void window_reserve(void)
{
	uint64_t low;
	int top, first;

	window.state = -1;
	window.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	top = fd_highest(&low);
	if (window.null_fd < 0 || top == INT_MAX)
		return;
	window.n_sets = WINDOW_SETS;
	while ((first = fd_free_run(low, window.n_sets * SLOTS)) < 0 && window.n_sets > 1)
		window.n_sets--;
	if (first < 0)
		first = top + 1;
	window.first = (unsigned)first;
	window.end = window.first + window.n_sets * SLOTS;
	for (unsigned fd = window.first; fd < window.end; fd++)
		if (fcntl(window.null_fd, F_DUPFD_CLOEXEC, (int)fd) != (int)fd)
			return;   /* off: the few fds it holds are not worth undoing */
	for (unsigned k = 0; k < window.n_sets; k++)
		window.set[k] = (struct window_set){
			.first = (int)(window.first + k * SLOTS), .report_r = -1, .pidfd = -1,
		};
	window.fd_top = top > (int)window.end - 1 ? top : (int)window.end - 1;
	window.state = 1;
}

static void fd_top_note(int fd)
{
	if (fd > window.fd_top)
		window.fd_top = fd;
}

/* Whether this spawn takes the window, its own fds all open now. */
static bool window_wanted(const struct spawn_params *p, const int *report, const int *sync,
			  const int *join_fds)
{
	fd_top_note(p->fd_high);
	fd_top_note(p->output_fd);
	fd_top_note(p->cgroup_fd);
	fd_top_note(report[1]);
	fd_top_note(sync[1]);
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		fd_top_note(join_fds[k]);
	return window.fd_top >= WINDOW_FROM_FD;
}

/* What the child needs, as its set's slots name them. */
struct window_spawn {
	const struct spawn_params *p;
	int report_w, sync_r, exe_fd;
	const int *join_fds;
	int report_r, sync_w;           /* PID 1's ends: the child closes them */
	int first;                      /* its set's first slot */
};

/* fd into slot i of ws, its number there; negative values (none, or an
 * errno for exe_fd) pass as they are. A failed dup3 clears *ok. */
static int window_put(struct window_set *ws, int i, int fd, bool *ok)
{
	_Static_assert(SLOTS <= 32, "window_set.loaded has a bit per slot");

	if (fd < 0)
		return fd;
	ws->loaded |= UINT32_C(1) << i;
	if (dup3(fd, ws->first + i, O_CLOEXEC) < 0)
		*ok = false;
	return ws->first + i;
}

/* The child's fds into ws, *view and join naming them; false if a dup3
 * failed. The leaf is not one: clone3 takes it in PID 1's table. */
static bool window_load(struct window_set *ws, struct window_spawn *w, struct spawn_params *view,
			int *join, const int *report, const int *sync, int exe_fd, const int *join_fds)
{
	bool ok = true;

	w->first = ws->first;
	w->report_w = window_put(ws, SLOT_REPORT, report[1], &ok);
	w->sync_r = window_put(ws, SLOT_SYNC, sync[0], &ok);
	w->exe_fd = window_put(ws, SLOT_EXE, exe_fd, &ok);
	view->output_fd = window_put(ws, SLOT_OUTPUT, view->output_fd, &ok);
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		join[k] = window_put(ws, SLOT_JOIN + k, join_fds[k], &ok);
	return ok;
}

/* ws free again, every slot its child got back to /dev/null: none may
 * keep a pipe's end (PID 1 would never see its end of file). One that
 * cannot be is closed, and the window is off for good. */
static void window_return(struct window_set *ws)
{
	for (int i = 0; i < SLOTS; i++)
		if ((ws->loaded & (UINT32_C(1) << i)) &&
		    dup3(window.null_fd, ws->first + i, O_CLOEXEC) < 0) {
			close(ws->first + i);
			window.state = -1;
		}
	ws->loaded = 0;
	ws->lent = false;
	ws->report_r = -1;
	ws->pidfd = safe_close(ws->pidfd);
}

/* What a child closes before its byte, as two ranges of fds [first,
 * last], empty when first > last: every fd from 3 below its own set (the
 * other sets' slots, and PID 1's fds in the holes below them: another
 * spawn's output pipe or leaf, which must not outlive the byte either)
 * and the other sets' slots above it. Its unshare closed the rest. */
static void window_others(int own, unsigned below[2], unsigned above[2])
{
	below[0] = 3;
	below[1] = (unsigned)own - 1;
	above[0] = (unsigned)own + SLOTS;
	above[1] = window.end - 1;
	if (own <= 3)
		below[0] = 1, below[1] = 0;
}

/* The child, in PID 1's table until its first system call. Nothing is
 * closed before the table is its own (a close would be PID 1's). Then
 * the other sets' slots go at once: their children's pipe ends, which
 * must not outlive those children's execs here. Only then the byte: 0,
 * or the errno of a table it could not make its own, when it exits at
 * once. (The byte wakes PID 1, which may take this CPU: the copies must
 * be gone by then.) PID 1 reads the byte before anything else on the
 * pipe. */
static _Noreturn void window_child(const struct window_spawn *w)
{
	unsigned char byte = 0;
	unsigned below[2], above[2];

	window_others(w->first, below, above);
	if (close_range(window.end, ~0U, CLOSE_RANGE_UNSHARE) < 0) {
		byte = (unsigned char)(errno > 0 && errno < 256 ? errno : EIO);
	} else {
		if (below[0] <= below[1])
			close_range(below[0], below[1], 0);
		if (above[0] <= above[1])
			close_range(above[0], above[1], 0);
	}
	if (write(w->report_w, &byte, 1) != 1 || byte)
		_exit(127);
	/* PID 1's ends, if they were below window.end (else EBADF) */
	close(w->report_r);
	close(w->sync_w);
	child_run(w->p, w->report_w, w->sync_r, w->exe_fd, w->join_fds);
}

/* When a wait that starts now gives up. */
static uint64_t window_deadline(void)
{
	/* once one gave up, none again: a child still silent is given up on
	 * at once (a report closed while it is lent) */
	return now_usec() + (window.gave_up ? 0 : (uint64_t)WINDOW_WAIT_MS * 1000);
}

/* The first of n children, each a pair {report pipe, pidfd}, to be heard
 * from: *which names it (left as it was on a timeout), and the answer is
 * its byte (0 once its table is its own, else the errno of one it could
 * not make its own), or WINDOW_ENDED if it ended first; -ETIMEDOUT if none
 * said anything by deadline, -errno if the wait itself failed. */
static int window_wait(const int (*pair)[2], unsigned n, unsigned *which, uint64_t deadline)
{
	struct pollfd fds[2 * WINDOW_SETS];
	unsigned char byte;

	/* Each pidfd before its pipe: the kernel polls them in that order, and
	 * a child that wrote its byte and exited between the two would read
	 * as one that ended without it, its byte left before its report. */
	for (unsigned i = 0; i < n; i++) {
		fds[2 * i] = (struct pollfd){ .fd = pair[i][1], .events = POLLIN };
		fds[2 * i + 1] = (struct pollfd){ .fd = pair[i][0], .events = POLLIN };
	}
	for (;;) {
		uint64_t now = now_usec();
		int r = poll(fds, 2 * n, now < deadline ? (int)((deadline - now + 999) / 1000) : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		for (unsigned i = 0; i < n; i++) {
			*which = i;
			if (fds[2 * i + 1].revents & POLLIN)
				return read(pair[i][0], &byte, 1) == 1 ? byte : -EIO;
			if (fds[2 * i + 1].revents)
				return -EIO;   /* no pipe to read: taken as no word */
			if (fds[2 * i].revents)
				return WINDOW_ENDED;   /* its table went with it */
		}
	}
}

/* The unit of a lent set's child hears why it will not run (err, and what
 * failed): a report written through the set's slot while PID 1 still
 * holds it. */
static void window_tell(struct window_set *ws, int err, const char *why)
{
	struct spawn_report rep = { .stage = SPAWN_STAGE_FDS, .err = err };

	snprintf(rep.detail, sizeof(rep.detail), "fd window: %s: %s", why, strerror(err));
	if (write(ws->first + SLOT_REPORT, &rep, sizeof(rep)) < 0) {
		/* the exit status still tells */
	}
}

/* A child that ended before its first system call (killed at birth):
 * the end of its pipe, once the slot is back, would read as its exec. */
static void window_tell_ended(struct window_set *ws)
{
	window_tell(ws, ESRCH, "the child ended before its first instruction");
}

/* A child that gave no word: killed, it runs no instruction of its own
 * again (the kernel copies a table under the same lock dup3 takes), so
 * its slots can be put back; gone already (ESRCH), the same. Any other
 * failure leaves it able to run in PID 1's table: its set is lost. Either
 * way the window is off for good: one wait that long is one too many (a
 * slice frozen by hand would cost it again at every unit in it). */
static void window_give_up(struct window_set *ws, pid_t pid, int pidfd, int why)
{
	struct pollfd end = { .fd = pidfd, .events = POLLIN };
	bool silent = why == -ETIMEDOUT && !window.gave_up;   /* after one, no wait */
	unsigned char late;

	log_error("spawn: child %d: %s (%s): killed; no fd window from now on", (int)pid,
		  silent ? "no word in 5 s" : "no wait for its word", strerror(-why));
	window.state = -1;
	window.gave_up = true;
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
		ws->lost = true;
		ws->loaded = 0;
	} else {
		/* Its end first (briefly; a frozen child's dies at once): a
		 * shared child's block may go once the slot is back (no writer
		 * left, spawn_shared.c), and a killed child runs none of its own
		 * code once in the kernel, but may until then. And a write it
		 * was inside completes: then a byte written since goes (the
		 * pipe is non-blocking), then the report. */
		if (poll(&end, 1, 100) < 0) {
			/* none to wait for: in the kernel or gone */
		}
		if (ws->lent && read(ws->report_r, &late, 1) < 0) {
			/* none */
		}
		if (ws->lent)
			window_tell(ws, -why, silent ? "the child said nothing for 5 s and was killed"
						     : "the wait for the child failed, and it was killed");
	}
	window_return(ws);
}

/* A lent set's child was heard from (heard: its byte, or WINDOW_ENDED):
 * its set comes back. A child that could not make its table its own
 * exits, and its unit hears why. */
static void window_heard(struct window_set *ws, int heard)
{
	if (heard == 0)
		window.proven = true;
	if (heard == WINDOW_ENDED) {
		window_tell_ended(ws);
	} else if (heard > 0) {
		window_tell(ws, heard, "a table of its own (close_range)");
		if (heard != ENOMEM)
			window.state = -1;
	}
	window_return(ws);
}

/* The lent sets into lent[], oldest first; their count. */
static unsigned window_lent(struct window_set **lent)
{
	unsigned n = 0;

	for (unsigned k = 0; k < window.n_sets; k++) {
		struct window_set *ws = &window.set[k];
		unsigned i = n;

		if (!ws->lent)
			continue;
		for (; i > 0 && lent[i - 1]->lent_at > ws->lent_at; i--)
			lent[i] = lent[i - 1];
		lent[i] = ws;
		n++;
	}
	return n;
}

/* Wait for the first of n lent sets' children to be heard from, and take
 * its set back: that set, or NULL when none answered by deadline (the
 * oldest's child killed, the window off). */
static struct window_set *window_reclaim(struct window_set **lent, unsigned n,
					 uint64_t deadline)
{
	int pair[WINDOW_SETS][2];
	unsigned which = 0;   /* the oldest, on a timeout */
	int r;

	for (unsigned i = 0; i < n; i++) {
		pair[i][0] = lent[i]->report_r;
		pair[i][1] = lent[i]->pidfd;
	}
	r = window_wait(pair, n, &which, deadline);
	if (r < 0) {
		window_give_up(lent[which], lent[which]->pid, lent[which]->pidfd, r);
		return NULL;
	}
	window_heard(lent[which], r);
	return lent[which];
}

/* A set for the next child: a free one, else the first lent one whose
 * child is heard from. NULL if the window went off meanwhile. */
static struct window_set *window_set_take(void)
{
	struct window_set *lent[WINDOW_SETS], *ws;
	unsigned n;

	for (unsigned k = 0; k < window.n_sets; k++)
		if (!window.set[k].lent && !window.set[k].lost)
			return &window.set[k];
	n = window_lent(lent);
	ws = n ? window_reclaim(lent, n, window_deadline()) : NULL;
	return window.state < 0 ? NULL : ws;
}

/* Every lent set back, before a fork that copies PID 1's table: a child
 * held at its birth (a direct one is born where its cgroup may hold it),
 * or a helper that has not yet closed what it inherited (queued for a
 * CPU behind the children), would keep the lent children's pipe ends, and
 * PID 1 would not see their execs until it let them go: a service that
 * exec'd and ended meanwhile would read as one that never exec'd.
 * WINDOW_WAIT_MS at most, all sets together; once a wait has given up
 * (here or before), the sets still lent (children frozen by hand) are
 * copied instead. */
static void window_settle(void)
{
	struct window_set *lent[WINDOW_SETS];
	uint64_t deadline = window_deadline();
	unsigned n;

	while (!window.gave_up && (n = window_lent(lent)) > 0)
		window_reclaim(lent, n, deadline);
}

void spawn_settle(void)
{
	window_settle();
}

pid_t spawn_helper_fork(void)
{
	owner_load();
	window_settle();
	return fork();
}

pid_t spawn_helper_fork_into(int cgroup_fd)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_fd,
	};

	if (cgroup_fd < 0)
		return spawn_helper_fork();
	owner_load();
	window_settle();
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static struct window_set *window_lent_to(int report_r)
{
	for (unsigned k = 0; k < window.n_sets; k++)
		if (window.set[k].lent && window.set[k].report_r == report_r)
			return &window.set[k];
	return NULL;
}

uint64_t spawn_window_children(void)
{
	return window.children;
}

bool spawn_window_holds(int report_fd)
{
	return window_lent_to(report_fd) != NULL;
}

/* Lend ws to the child: false if no copy of its pidfd could be made (PID
 * 1 then waits for the child here). */
static bool window_lend(struct window_set *ws, pid_t pid, int report_r, int pidfd)
{
	ws->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, (int)window.end);
	if (ws->pidfd < 0)
		return false;
	ws->lent = true;
	ws->pid = pid;
	ws->report_r = report_r;
	ws->lent_at = ++window.lends;
	return true;
}

/* PID 1 waits for the byte here: until a child has made its table its
 * own, and where PID 1 has work for the child (parent_release writes its
 * own report on the pipe). 0 (the child runs), or -errno: the child exits
 * or was killed, *ret_pidfd closed; -ENOSYS, it could not make its table
 * its own, and this spawn and all after it fork directly. */
static int window_wait_here(struct window_set *ws, pid_t pid, int report_r, int *ret_pidfd)
{
	const int pair[1][2] = { { report_r, *ret_pidfd } };
	unsigned which = 0;
	int r = window_wait(pair, 1, &which, window_deadline());

	if (r < 0) {
		window_give_up(ws, pid, *ret_pidfd, r);
		r = ETIMEDOUT;
	} else {
		window.proven |= r == 0;
		if (r == WINDOW_ENDED)
			window_tell_ended(ws);
		window_return(ws);
	}
	if (r == 0 || r == WINDOW_ENDED)
		return 0;
	/* It exits (or is killed): reaped by the walk (manager_reap). Its
	 * pipe outlives this spawn (a direct retry, or the caller's close). */
	fd_top_note(spawn_shared_done(report_r));
	*ret_pidfd = safe_close(*ret_pidfd);
	if (r == ETIMEDOUT || r == ENOMEM)
		return -r;
	window.state = -1;
	return -ENOSYS;
}

/* ---- a plain unit's child on PID 1's memory (spawn_shared.h) ----------- */

/* Not where its cgroup may hold the child (a memory or CPU limit on its
 * path): there it could be the cgroup's OOM victim, sized as PID 1's
 * memory, and the kernel kills every process on the victim's memory (PID
 * 1 spared only as the machine's own init, the other children on it
 * not). A child the kernel may hold would also keep its block. */
static bool shared_fits(const struct spawn_params *p, const int *sync, int exe_fd)
{
	return sync[1] < 0 && exe_fd < 0 && !p->child_may_wait && spawn_is_plain(p->unit) &&
	       spawn_shared_ready();
}

/* Its environment built here, as root's. w: through the fd window, whose
 * part the child does first (as window_child), else NULL: its table is a
 * copy of PID 1's. Its pid, or -errno. */
static pid_t shared_clone(const struct spawn_params *p, const int *report,
			  const struct window_spawn *w, int *ret_pidfd)
{
	const struct unit *u = p->unit;
	char *env[SPAWN_ENV_MAX + 1];
	struct env_store st;
	struct spawn_shared_plan plan = {
		.argv = u->exec, .envp = env, .workdir = u->workdir ? u->workdir : "/",
		.default_rlimits = p->default_rlimits, .n_default_rlimits = p->n_default_rlimits,
		.rlimits = u->opt->iso.rlimits, .n_rlimits = u->opt->iso.n_rlimits,
		.umask = u->opt->iso.umask, .no_new_privs = u->opt->iso.no_new_privs,
		.report_r = report[0], .report_w = w ? w->report_w : report[1],
		.output_fd = p->output_fd, .cgroup_fd = p->cgroup_fd,
		.keep_groups = spawn_keeps_groups(u),
	};

	spawn_default_ids(&plan.uid, &plan.gid);
	if (w) {
		plan.unshare_from = window.end;
		window_others(w->first, plan.close_below, plan.close_above);
	}
	env_fill(p, default_home(), NULL, NULL, &st, env);
	return spawn_shared_start(&plan, ret_pidfd);
}

/* A forked child through the window: its pid, or -errno. */
static pid_t window_clone(int cgroup_fd, uint64_t ns_flags, const struct window_spawn *w,
			  int *ret_pidfd)
{
	pid_t pid = clone3_into(cgroup_fd, ns_flags | CLONE_FILES, ret_pidfd);

	if (pid == 0) {
		child_of_pid1 = 1;
		window_child(w);
	}
	return pid < 0 ? -errno : pid;
}

/* The service's child through the window: its pid, with *ret_pidfd, or
 * -errno. -ENOSYS: not through the window (spawn_fork clones directly). */
static pid_t window_spawn(const struct spawn_params *p, uint64_t ns_flags, const int *report,
			  const int *sync, int exe_fd, const int *join_fds, int *ret_pidfd)
{
	struct spawn_params view = *p;
	int join[UNIT_JOIN_MAX], r;
	struct window_spawn w = {
		.p = &view, .join_fds = join, .report_r = report[0], .sync_w = sync[1],
	};
	struct window_set *ws;
	pid_t pid;

	fd_top_note(exe_fd);   /* the reaper's memfd, made at the first need */
	if (!window_wanted(p, report, sync, join_fds) || window.state < 0 || p->child_may_wait)
		return -ENOSYS;
	ws = window_set_take();
	if (!ws)
		return -ENOSYS;
	if (!window_load(ws, &w, &view, join, report, sync, exe_fd, join_fds)) {
		window_return(ws);
		return -EBADF;
	}
	pid = shared_fits(p, sync, exe_fd) ? shared_clone(&view, report, &w, ret_pidfd)
					    : window_clone(p->cgroup_fd, ns_flags, &w, ret_pidfd);
	if (pid < 0) {
		r = pid;
		window_return(ws);
		/* Out of something (the pidfd's fd, a namespace): the spawn
		 * fails. Else the same clone3 without CLONE_FILES is tried, and
		 * if that one works the window is off (window_trial_done). */
		if (r == -EAGAIN || r == -ENOMEM || r == -EINTR || r == -EMFILE || r == -ENFILE ||
		    r == -ENOSPC || r == -EUSERS)
			return r;
		window.trial = true;
		return -ENOSYS;
	}
	window.children++;
	if (window.proven && sync[1] < 0 && window_lend(ws, pid, report[0], *ret_pidfd))
		return pid;
	r = window_wait_here(ws, pid, report[0], ret_pidfd);
	return r < 0 ? r : pid;
}

/* The window's clone3 failed where a direct one (pid) worked: CLONE_FILES
 * is refused here (a sandbox), so every spawn forks directly from now on.
 * Where both failed, the error was the unit's. */
static void window_trial_done(pid_t pid)
{
	if (window.trial && pid > 0)
		window.state = -1;
	window.trial = false;
}

/* Does the child have to wait for the parent? */
static bool parent_has_work(const struct unit_isolation *iso)
{
	return (iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)) || iso->has_oom_score_adj ||
	       unit_link_kind(iso) != UNIT_LINK_NONE;
}

/* What only the parent can do for the waiting child. Quick writes to /proc
 * and netlink requests: nothing here waits on the child. A child in a user
 * namespace of its own has no CAP_SYS_RESOURCE where its rlimits are kept:
 * the parent raises them (prlimit), the child's own setrlimit then finds
 * them so. */
static int parent_plumb(pid_t pid, const struct spawn_params *p, int *ret_stage)
{
	const struct unit_isolation *iso = &p->unit->opt->iso;
	int r = 0;

	*ret_stage = SPAWN_STAGE_ID_MAP;
	if (iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)) {
		r = ns_write_id_maps(pid, iso->uid_map, iso->gid_map);
		if (r == 0) {
			*ret_stage = SPAWN_STAGE_RLIMITS;
			r = spawn_rlimits_apply(pid, iso, p->default_rlimits, p->n_default_rlimits);
		}
	}
	if (r == 0 && iso->has_oom_score_adj) {
		*ret_stage = SPAWN_STAGE_OOM;
		r = ns_write_oom_score_adj(pid, iso->oom_score_adj);
	}
	if (r == 0 && unit_link_kind(iso) != UNIT_LINK_NONE) {
		*ret_stage = SPAWN_STAGE_VETH;
		r = net_link_create(pid, iso);
	}
	return r;
}

/* Release the child, or report the parent's failure in its name (the child
 * then sees end-of-file and leaves quietly). */
static void parent_release(pid_t pid, const struct spawn_params *p, int report_w, int sync_w)
{
	struct spawn_report rep = { 0 };
	int r = parent_plumb(pid, p, &rep.stage);

	if (r == 0) {
		if (write(sync_w, "g", 1) == 1)
			return;
		rep = (struct spawn_report){ SPAWN_STAGE_SIGNALS, errno, "" };
	} else {
		rep.err = -r;
	}
	if (write(report_w, &rep, sizeof(rep)) < 0) {
		/* the exit status still tells */
	}
}

/* The pidfds of the source units' main processes, -1 where none: the
 * child inherits them (a child in a new PID namespace could not name the
 * source by pid). A copy of the pidfd PID 1 tracks the source by, never
 * one opened by pid: a pid whose death PID 1 has not handled yet may be
 * another process's by now. Closed by spawn_start once the child is forked. */
static void join_fds_open(const struct spawn_params *p, int *fds)
{
	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		fds[k] = -1;
		if (p->join_pid[k] <= 0)
			continue;
		if (p->join_pidfd[k] > 0)   /* 0: params that only name a pid */
			fds[k] = fcntl(p->join_pidfd[k], F_DUPFD_CLOEXEC, 3);
		else
			fds[k] = (int)syscall(SYS_pidfd_open, p->join_pid[k], 0);
	}
}

static void join_fds_close(int *fds)
{
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		fds[k] = safe_close(fds[k]);
}

/* The service's child forked straight from PID 1 (no window). */
static pid_t spawn_direct(const struct spawn_params *p, uint64_t ns_flags, const int *report,
			  const int *sync, int exe_fd, const int *join_fds, int *ret_pidfd)
{
	pid_t pid;

	window_settle();
	if (shared_fits(p, sync, exe_fd))
		return shared_clone(p, report, NULL, ret_pidfd);
	pid = clone3_into(p->cgroup_fd, ns_flags, ret_pidfd);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_of_pid1 = 1;
		close(report[0]);
		safe_close(sync[1]);
		child_run(p, report[1], sync[0], exe_fd, join_fds);
	}
	return pid;
}

static int spawn_fork(const struct spawn_params *p, const int *join_fds, struct spawn_child *ret)
{
	const struct unit_isolation *iso = &p->unit->opt->iso;
	uint64_t ns_flags = ns_clone_flags(iso->namespaces);
	int report[2], sync[2] = { -1, -1 }, pidfd = -1, exe_fd = -1, r;
	pid_t pid;

	if (!p->unit->exec || !p->unit->exec[0])
		return -EINVAL;
	if (window.state == 0)
		window_reserve();   /* before this spawn's fds: its slots are low */
	/* Made once, the first time: the child reports a failure as stage
	 * "reaper" (exe_fd holds the errno then). */
	if (iso->namespaces & UNIT_NS_BIT(UNIT_NS_PID))
		exe_fd = loader_exe_sealed_fd();
	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	if (parent_has_work(iso) && pipe2(sync, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	pid = window_spawn(p, ns_flags, report, sync, exe_fd, join_fds, &pidfd);
	if (pid == -ENOSYS) {
		pid = spawn_direct(p, ns_flags, report, sync, exe_fd, join_fds, &pidfd);
		window_trial_done(pid);
	}
	if (pid < 0) {
		r = pid;
		goto fail;
	}
	if (sync[1] >= 0) {
		close(sync[0]);
		parent_release(pid, p, report[1], sync[1]);
		close(sync[1]);
	}
	close(report[1]);
	fcntl(report[0], F_SETFL, O_NONBLOCK);
	*ret = (struct spawn_child){ .pid = pid, .pidfd = pidfd, .report_fd = report[0] };
	return 0;
fail:
	close(report[0]);
	close(report[1]);
	safe_close(sync[0]);
	safe_close(sync[1]);
	return r;
}

int spawn_start(const struct spawn_params *p, struct spawn_child *ret)
{
	int join_fds[UNIT_JOIN_MAX], r;

	owner_load();

	/* Set on every path: to the compiler a -errno may be 0 (the link
	 * time optimisation's -Wmaybe-uninitialized in ops_spawn). */
	*ret = (struct spawn_child){ .pid = -1, .pidfd = -1, .report_fd = -1 };
	join_fds_open(p, join_fds);
	r = spawn_fork(p, join_fds, ret);
	join_fds_close(join_fds);
	return r;
}

/* The byte of a child through the window, which comes first on its
 * report pipe: its set comes back. 0, or -errno (EAGAIN: not yet). */
static int window_byte_read(struct window_set *ws)
{
	unsigned char byte;
	ssize_t n = read(ws->report_r, &byte, 1);

	if (n < 0)
		return -errno;
	/* End of file cannot come while PID 1 holds a write end in the set */
	window_heard(ws, n == 1 ? byte : WINDOW_ENDED);
	return 0;
}

int spawn_report_read_final(int fd, int *ret_stage, int *ret_err,
			    char ret_detail[SPAWN_DETAIL_MAX])
{
	int r = spawn_report_read(fd, ret_stage, ret_err, ret_detail);

	/* Its own set still lent: it ended before its byte, so before its
	 * first system call, and never exec'd (the end of its pipe, once
	 * the set is back, would say it did). */
	if (r != 0 || window_lent_to(fd))
		return r;
	window_settle();   /* once they have spoken, their copies are gone */
	return spawn_report_read(fd, ret_stage, ret_err, ret_detail);
}

void spawn_report_done(int fd)
{
	struct window_set *ws = window_lent_to(fd);

	fd_top_note(spawn_shared_done(fd));
	if (ws)
		window_reclaim(&ws, 1, window_deadline());
}

void spawn_reaped(void)
{
	spawn_shared_reaped();
}

int spawn_report_read(int fd, int *ret_stage, int *ret_err, char ret_detail[SPAWN_DETAIL_MAX])
{
	struct window_set *ws = window_lent_to(fd);
	struct spawn_report rep;
	ssize_t n;

	if (ws) {
		int r = window_byte_read(ws);

		if (r < 0)
			return r == -EAGAIN || r == -EINTR ? 0 : r;
	}
	n = read(fd, &rep, sizeof(rep));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) {
		spawn_shared_ended(fd);
		*ret_stage = SPAWN_STAGE_MAX;   /* closed by execve */
		*ret_err = 0;
		ret_detail[0] = '\0';
		return 1;
	}
	if (n != (ssize_t)sizeof(rep) || rep.stage < 0 || rep.stage >= SPAWN_STAGE_MAX)
		return -EBADMSG;   /* the child writes its report in one go */
	*ret_stage = rep.stage;
	*ret_err = rep.err;
	rep.detail[SPAWN_DETAIL_MAX - 1] = '\0';   /* never trusted to end */
	memcpy(ret_detail, rep.detail, SPAWN_DETAIL_MAX);
	return 1;
}
