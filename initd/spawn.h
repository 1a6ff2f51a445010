/* spawn.h — start a service's main process.
 *
 * clone3(CLONE_PIDFD | CLONE_INTO_CGROUP) puts the child straight into its
 * leaf. The child resets its signals first (child.h), then runs its setup
 * in stages, and reports the first that fails as {stage, errno} over a
 * CLOEXEC pipe; a successful execve closes the
 * pipe, so end-of-file with no report means "exec happened". A report may
 * carry a short text (SPAWN_DETAIL_MAX bytes, e.g. the FILE:LINE of a bad
 * environment file line) that the stage and errno alone cannot say. The parent never
 * waits for the child: the report pipe is read from the event loop.
 * doc/DESIGN.md §7 lists the stages in the order the child runs them.
 */
#ifndef INITD_SPAWN_H
#define INITD_SPAWN_H

#include <sys/types.h>

#include "units/unit.h"

enum spawn_stage {
	SPAWN_STAGE_SIGNALS,      /* reset mask, dispositions, altstack (child.h) */
	SPAWN_STAGE_SESSION,      /* setsid */
	SPAWN_STAGE_STDIO,        /* stdin /dev/null, stdout/stderr to the log pipe */
	SPAWN_STAGE_FDS,          /* close everything else */
	SPAWN_STAGE_USER,         /* look up user and group (the image's files) */
	SPAWN_STAGE_GROUPS,       /* setgroups */
	SPAWN_STAGE_GID,
	SPAWN_STAGE_UID,
	SPAWN_STAGE_CHDIR,
	SPAWN_STAGE_EXEC,
	/* isolation (issue 5). The parent's own steps between clone3 and
	 * releasing the child report as stages too: */
	SPAWN_STAGE_ID_MAP,       /* parent: write /proc/PID/{uid,gid}_map */
	SPAWN_STAGE_OOM,          /* parent: write /proc/PID/oom_score_adj */
	SPAWN_STAGE_VETH,         /* parent: the link (veth pair, macvlan) */
	SPAWN_STAGE_NETWORK,      /* lo up; eth0 address, up, default route */
	SPAWN_STAGE_MOUNTS,       /* private propagation, fresh /proc */
	SPAWN_STAGE_ROOTFS,       /* bind the rootfs onto itself */
	SPAWN_STAGE_DEV,          /* minimal /dev: nodes, pts, shm */
	SPAWN_STAGE_SYS,          /* /sys read-only */
	SPAWN_STAGE_BINDS,
	SPAWN_STAGE_TMPFS,
	SPAWN_STAGE_PIVOT,        /* read-only root, pivot_root (or move + chroot) */
	SPAWN_STAGE_HOSTNAME,
	SPAWN_STAGE_RLIMITS,
	SPAWN_STAGE_BOUNDING,     /* capability bounding set */
	SPAWN_STAGE_CAPS,         /* permitted/effective/inheritable/ambient */
	SPAWN_STAGE_NO_NEW_PRIVS,
	SPAWN_STAGE_REAPER,       /* fork; exec the PID-namespace reaper (reaper.h) */
	/* issue 15, before the namespaces (their report carries a detail): */
	SPAWN_STAGE_ENV_FILES,    /* read environment_files: "FILE:LINE: why" */
	SPAWN_STAGE_DIRECTORIES,  /* make directories (dirs.h): "directory PATH" */
	SPAWN_STAGE_FROM_HOST,    /* rootfs.from_host: read the ELF files' needs
	                           * ("from_host: LIB (needed by F): not found"),
	                           * then bind them all */
	/* issue 18.4, right after the signals: namespaces_from, "net from web" */
	SPAWN_STAGE_JOIN,
	SPAWN_STAGE_SECCOMP,      /* install the unit's filter, last before exec (issue 18) */
	SPAWN_STAGE_MAX,
};

#define SPAWN_DETAIL_MAX 240      /* bytes of a report's text, NUL included */

/* What a child that failed writes on its report pipe before it exits (an
 * exec'd one writes nothing: its copy of the pipe closes). One write,
 * under PIPE_BUF: the parent reads it whole or not at all. */
struct spawn_report {
	int stage;
	int err;
	char detail[SPAWN_DETAIL_MAX];
};

struct spawn_params {
	const struct unit *unit;
	int cgroup_fd;            /* leaf directory, -1 = no cgroup */
	int output_fd;            /* write end of the log pipe, -1 = /dev/null */
	const char *notify_socket;  /* NOTIFY_SOCKET path, NULL = none */
	const char *passwd_file;  /* default /etc/passwd */
	const char *group_file;   /* default /etc/group */
	/* initd.conf's rlimits, applied before the unit's own. */
	const struct unit_rlimit *default_rlimits;
	size_t n_default_rlimits;
	/* namespaces_from: the main pid of each source unit, 0 = none (a path,
	 * or a source without a process: the child fails at stage join). */
	pid_t join_pid[UNIT_JOIN_MAX];
	int join_pidfd[UNIT_JOIN_MAX];   /* the source's tracked pidfd (borrowed);
	                                  * <= 0: opened from join_pid */
	int fd_high;              /* the highest fd the caller knows PID 1 has
	                           * held (loop_fd_high); 0 = none known */
	bool child_may_wait;      /* its cgroup may hold the child before its
	                           * first instructions (a CPU or memory limit
	                           * on its path, a delegated subtree): no fd
	                           * window, whose slots the child would keep
	                           * lent meanwhile (spawn.c) */
};

struct spawn_child {
	pid_t pid;
	int pidfd;
	int report_fd;            /* non-blocking read end of the report pipe */
};

/* Fork the child. 0 and *ret filled, or -errno (nothing to clean up). */
int spawn_start(const struct spawn_params *p, struct spawn_child *ret);

/* Read the child's report pipe. Returns 1 when the report is complete:
 * *ret_stage is SPAWN_STAGE_MAX if exec succeeded, else the failing stage
 * with *ret_err and ret_detail (NUL-terminated, "" when none); 0 when more
 * is to come (EAGAIN); -errno on a read error. */
int spawn_report_read(int fd, int *ret_stage, int *ret_err, char ret_detail[SPAWN_DETAIL_MAX]);

/* The same, once the child has ended (reaped): another child through
 * the fd window may still hold a copy of its pipe (preempted between its
 * unshare and its close of the other sets), so if the report has not
 * ended, the children in flight are heard from first (at most 5 s,
 * spawn.c) and it is read again. Not if the child's own set is still
 * lent: it ended before its first system call, and 0 says no exec. */
int spawn_report_read_final(int fd, int *ret_stage, int *ret_err,
			    char ret_detail[SPAWN_DETAIL_MAX]);

/* Before the report pipe's read end is closed, and only then (the child
 * reported, or ended, or its unit is gone): a child through the fd window
 * that was not heard from yet is waited for, at most 5 s (spawn.c). */
void spawn_report_done(int fd);

/* The manager reaped a child (any, after its report was closed): what
 * waited for a child to be gone from PID 1's memory is freed now
 * (spawn_shared.h). */
void spawn_reaped(void);

/* Every fork of PID 1 that is not a service's (a probe, the log writer,
 * the loader, a remover, ...): the fd window's lent sets hold their
 * children's report pipe ends, and a helper's copy would hide those
 * children's execs until it closed it. So they are settled first, as
 * before a direct spawn (at most 5 s, spawn.c). spawn_settle alone before
 * a clone3. Not in the crash handler (boot.c): no waiting there, and its
 * shell's exec drops the copies at once. */
pid_t spawn_helper_fork(void);
/* The same, the child born in the cgroup cgroup_fd (CLONE_INTO_CGROUP);
 * a fork when cgroup_fd < 0. */
pid_t spawn_helper_fork_into(int cgroup_fd);
void spawn_settle(void);

const char *spawn_stage_to_string(int stage);

/* For tests: the children cloned through the fd window since initd
 * started, and whether report_fd's child holds a set of it still (its
 * byte not read). */
uint64_t spawn_window_children(void);
bool spawn_window_holds(int report_fd);

/* Confining a process as its unit says, shared by the service's child and
 * an exec probe's command (probe.c), which must not get more than the
 * service has. Around the uid change: before it the bounding set (and
 * keeping the capabilities across it), after it the capability sets and
 * no_new_privs; the filter last, right before execve. 0 or -errno, with
 * *ret_stage the SPAWN_STAGE_* that failed. */
int spawn_caps_before_uid(const struct unit_isolation *iso, bool root, int *ret_stage);
/* Before all that: initd.conf's rlimits (cut to this process's hard limit
 * where it may not raise them), then the unit's own, exactly (-errno), on
 * the process pid (0: this one). */
int spawn_rlimits_apply(pid_t pid, const struct unit_isolation *iso,
			const struct unit_rlimit *defaults, size_t n_defaults);
int spawn_caps_after_uid(const struct unit_isolation *iso, bool root, int *ret_stage);
int spawn_seccomp_install(const struct unit_seccomp *sc, int *ret_stage);
/* Before the filter: what would keep an execve of path (absolute) from
 * working, as execve would say it (-ENOENT, -EACCES...), 0 when nothing
 * does (spawn.c says why). */
int spawn_exec_check(const char *path);
/* The entries of u's environment_files ("NAME=VALUE", later files' after
 * earlier ones'), read as the service's child reads them at its start,
 * into ret (room for ENVFILE_ENTRIES_MAX) and *ret_n. The entries point
 * into buffers kept until the caller's exec or exit: for a child only.
 * 0, or -errno with why ("environment file FILE:LINE: what"). */
int spawn_env_files_read(const struct unit *u, char **ret, size_t *ret_n, char *why,
			 size_t size);

/* Who a unit that names no user or group runs as: root, or, when initd
 * itself does not run as root (a user's own supervisor, initd(8)), initd's
 * own user and group. spawn_keeps_groups: such a unit of an initd not run
 * as root keeps initd's supplementary groups, which only root may change
 * (setgroups would fail it with EPERM); a unit naming any account there
 * tries, and fails the start with the reason. */
void spawn_default_ids(uid_t *ret_uid, gid_t *ret_gid);
bool spawn_keeps_groups(const struct unit *u);

/* Resolve user/group names or numeric ids from passwd/group files (works in a
 * static build: no NSS). Numeric ids are parsed strictly. Exposed for tests. */
int spawn_lookup_user(const char *passwd_file, const char *user, uid_t *ret_uid,
		      gid_t *ret_gid, char *ret_home, size_t home_size, char *ret_name,
		      size_t name_size);
int spawn_lookup_group(const char *group_file, const char *group, gid_t *ret_gid);
/* Supplementary groups of `user` (by name) from the group file. */
int spawn_user_groups(const char *group_file, const char *user, gid_t *groups, size_t max,
		      size_t *ret_n);

#endif
