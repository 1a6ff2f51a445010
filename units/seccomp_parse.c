/* seccomp_parse.c — a unit's `seccomp` key (issue 18): the named groups
 * of system calls, the parser and its checks, and the compilation of the
 * declared lists to a BPF program with libseccomp. The model (the default
 * action's and errno names, equality, invariants) is seccomp.c's.
 *
 * The compilation runs where the unit is parsed: in initd-loader (and
 * in `initd --check`), never in PID 1, which only carries the program in
 * the encoded model (unit_seccomp.bpf) for the child to install with
 * seccomp(2) last before exec. A filter holds only the native architecture:
 * a call made through another ABI (i386's int 0x80, x32 numbers on x86_64)
 * kills the process, so no list can be sidestepped that way.
 *
 * seccomp_groups is the one table of groups: the parser expands it, and
 * initd.unit(5) lists the same members (tests/unit/test_seccomp.c checks
 * the two agree). Names libseccomp knows for another architecture only
 * ("setuid32" on x86_64) are accepted and match nothing here. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

#define SECCOMP_GROUP_DEPTH 2      /* a group may name groups, those may not */

#define SECCOMP_SET_MAX     2048   /* distinct syscall numbers in one list */

/* After systemd's SystemCallFilter= sets (systemd-analyze syscall-filter). */
const struct seccomp_group seccomp_groups[] = {
	/* for denylists */
	{ "@clock", "adjtimex clock_adjtime clock_adjtime64 clock_settime clock_settime64 "
		    "settimeofday stime" },
	{ "@cpu-emulation", "modify_ldt subpage_prot switch_endian vm86 vm86old" },
	{ "@debug", "lookup_dcookie perf_event_open pidfd_getfd ptrace rtas s390_runtime_instr "
		    "sys_debug_setcontext" },
	{ "@keyring", "add_key keyctl request_key" },
	{ "@module", "delete_module finit_module init_module" },
	{ "@mount", "chroot fsconfig fsmount fsopen fspick mount mount_setattr move_mount "
		    "open_tree pivot_root umount umount2" },
	{ "@obsolete", "_sysctl afs_syscall bdflush break create_module ftime get_kernel_syms "
		       "getpmsg gtty idle lock mpx prof profil putpmsg query_module security "
		       "sgetmask ssetmask stty sysfs tuxcall ulimit uselib ustat vserver" },
	{ "@raw-io", "ioperm iopl pciconfig_iobase pciconfig_read pciconfig_write "
		     "s390_pci_mmio_read s390_pci_mmio_write" },
	{ "@reboot", "kexec_file_load kexec_load reboot" },
	{ "@swap", "swapoff swapon" },
	/* for allowlists */
	{ "@default", "arch_prctl brk cacheflush clock_getres clock_getres_time64 clock_gettime "
		      "clock_gettime64 clock_nanosleep clock_nanosleep_time64 execve exit "
		      "exit_group futex futex_time64 futex_waitv get_robust_list get_thread_area "
		      "getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 "
		      "getpgid getpgrp getpid getppid getrandom getresgid getresgid32 getresuid "
		      "getresuid32 getrlimit getsid gettid gettimeofday getuid getuid32 "
		      "membarrier mmap mmap2 mprotect munmap nanosleep pause prlimit64 "
		      "restart_syscall rseq rt_sigreturn sched_getaffinity sched_yield "
		      "set_robust_list set_thread_area set_tid_address set_tls sigreturn time "
		      "ugetrlimit" },
	{ "@basic-io", "_llseek close close_range dup dup2 dup3 lseek pread64 preadv preadv2 "
		       "pwrite64 pwritev pwritev2 read readv write writev" },
	{ "@chown", "chown chown32 fchown fchown32 fchownat lchown lchown32" },
	{ "@file-system", "access chdir chmod creat faccessat faccessat2 fallocate fchdir fchmod "
			  "fchmodat fcntl fcntl64 fgetxattr flistxattr fremovexattr fsetxattr "
			  "fstat fstat64 fstatat64 fstatfs fstatfs64 ftruncate ftruncate64 "
			  "futimesat getcwd getdents getdents64 getxattr inotify_add_watch "
			  "inotify_init inotify_init1 inotify_rm_watch lgetxattr link linkat "
			  "listxattr llistxattr lremovexattr lsetxattr lstat lstat64 mkdir "
			  "mkdirat mknod mknodat newfstatat oldfstat oldlstat oldstat open openat "
			  "openat2 readlink readlinkat removexattr rename renameat renameat2 rmdir "
			  "setxattr stat stat64 statfs statfs64 statx symlink symlinkat truncate "
			  "truncate64 umask unlink unlinkat utime utimensat utimensat_time64 "
			  "utimes" },
	{ "@io-event", "_newselect epoll_create epoll_create1 epoll_ctl epoll_pwait epoll_pwait2 "
		       "epoll_wait eventfd eventfd2 poll ppoll ppoll_time64 pselect6 "
		       "pselect6_time64 select" },
	{ "@ipc", "ipc memfd_create mq_getsetattr mq_notify mq_open mq_timedreceive "
		  "mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink msgctl msgget "
		  "msgrcv msgsnd pipe pipe2 semctl semget semop semtimedop semtimedop_time64 shmat "
		  "shmctl shmdt shmget" },
	{ "@network-io", "accept accept4 bind connect getpeername getsockname getsockopt listen "
			 "recv recvfrom recvmmsg recvmmsg_time64 recvmsg send sendmmsg sendmsg "
			 "sendto setsockopt shutdown socket socketcall socketpair" },
	{ "@process", "capget clone clone3 execveat fork getrusage kill pidfd_open "
		      "pidfd_send_signal prctl rt_sigqueueinfo rt_tgsigqueueinfo setns tgkill "
		      "times tkill unshare vfork wait4 waitid waitpid" },
	{ "@signal", "rt_sigaction rt_sigpending rt_sigprocmask rt_sigsuspend rt_sigtimedwait "
		     "rt_sigtimedwait_time64 sigaction sigaltstack signal signalfd signalfd4 "
		     "sigpending sigprocmask sigsuspend" },
	{ "@timer", "alarm getitimer setitimer timer_create timer_delete timer_getoverrun "
		    "timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create "
		    "timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64" },
	/* setsid and setpgid: a daemon detaching (its fork's child, killed
	 * by SIGSYS there under default = "kill"); @chown: a root daemon
	 * giving the socket it made to a group */
	{ "@system-service", "@default @basic-io @chown @file-system @io-event @ipc "
			     "@network-io @process @signal @timer copy_file_range fadvise64 fadvise64_64 "
			     "fdatasync flock fsync get_mempolicy getcpu getpriority ioctl "
			     "ioprio_get madvise mincore mremap msync name_to_handle_at "
			     "personality readahead sched_get_priority_max sched_get_priority_min "
			     "sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval "
			     "sched_rr_get_interval_time64 sendfile sendfile64 setpgid setsid "
			     "splice sync sync_file_range syncfs sysinfo tee uname vmsplice" },
};

const size_t seccomp_n_groups = ARRAY_SIZE(seccomp_groups);

static const struct seccomp_group *group_find(const char *name)
{
	for (size_t i = 0; i < seccomp_n_groups; i++)
		if (strcmp(seccomp_groups[i].name, name) == 0)
			return &seccomp_groups[i];
	return NULL;
}

/* ---- names to syscall numbers ----------------------------------------------- */

/* Distinct numbers (libseccomp's: negative for another architecture's). */
struct nr_set {
	int v[SECCOMP_SET_MAX];
	size_t n;
};

static bool nr_set_has(const struct nr_set *set, int nr)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i] == nr)
			return true;
	return false;
}

static int nr_set_add(struct nr_set *set, int nr)
{
	if (nr_set_has(set, nr))
		return 0;
	if (set->n == SECCOMP_SET_MAX)
		return -E2BIG;
	set->v[set->n++] = nr;
	return 0;
}

static int nr_set_add_name(struct nr_set *set, const char *name, unsigned depth);

/* A group's members, one space apart, into set. */
static int nr_set_add_group(struct nr_set *set, const struct seccomp_group *g, unsigned depth)
{
	char name[64];
	int r;

	if (depth > SECCOMP_GROUP_DEPTH)
		return -ELOOP;
	for (const char *p = g->members; *p; p += *p == ' ') {
		size_t n = strcspn(p, " ");
		if (n >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		r = nr_set_add_name(set, name, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* -ENOENT: no such group or system call. */
static int nr_set_add_name(struct nr_set *set, const char *name, unsigned depth)
{
	const struct seccomp_group *g;
	int nr;

	if (name[0] == '@') {
		g = group_find(name);
		return g ? nr_set_add_group(set, g, depth) : -ENOENT;
	}
	nr = seccomp_syscall_resolve_name(name);
	return nr == __NR_SCMP_ERROR ? -ENOENT : nr_set_add(set, nr);
}

static int nr_set_add_names(struct nr_set *set, char *const *names)
{
	int r;

	for (; names && *names; names++) {
		r = nr_set_add_name(set, *names, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the filter ----------------------------------------------------------- */

static uint32_t default_action(const struct unit_seccomp *sc)
{
	switch (sc->default_action) {
	case UNIT_SECCOMP_ALLOW:
		return SCMP_ACT_ALLOW;
	case UNIT_SECCOMP_ERRNO:
		return SCMP_ACT_ERRNO(sc->errno_value ? sc->errno_value : EPERM);
	default:
		return SCMP_ACT_KILL_PROCESS;
	}
}

/* What a call in seccomp.deny meets. */
static uint32_t deny_action(const struct unit_seccomp *sc)
{
	return sc->errno_value ? SCMP_ACT_ERRNO(sc->errno_value) : SCMP_ACT_KILL_PROCESS;
}

/* The rules into ctx: under an allowlist, the listed calls less the denied
 * ones, and what the child itself needs to become the service (execve and
 * the exits of a failed exec); then the denied calls. libseccomp refuses a
 * rule whose action is the default, which needs no rule anyway. */
static int filter_rules(scmp_filter_ctx ctx, const struct unit_seccomp *sc,
			struct nr_set *allow, struct nr_set *deny)
{
	uint32_t def = default_action(sc), act = deny_action(sc);
	int r;

	r = nr_set_add_names(deny, sc->deny);
	if (r == 0 && def != SCMP_ACT_ALLOW)
		r = nr_set_add_names(allow, sc->allow);
	if (r == 0 && def != SCMP_ACT_ALLOW)
		r = nr_set_add_name(allow, "execve", 0) ?: nr_set_add_name(allow, "exit", 0) ?:
		    nr_set_add_name(allow, "exit_group", 0);
	for (size_t i = 0; r == 0 && def != SCMP_ACT_ALLOW && i < allow->n; i++)
		if (!nr_set_has(deny, allow->v[i]))
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow->v[i], 0);
	for (size_t i = 0; r == 0 && act != def && i < deny->n; i++)
		r = seccomp_rule_add(ctx, act, deny->v[i], 0);
	return r;
}

/* The exported program, read back from a memfd (libseccomp 2.5 exports to
 * a file descriptor only). *ret is malloc'd, the caller's. */
static int filter_export(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n)
{
	struct sock_filter *v = NULL;
	off_t size;
	int fd, r;

	fd = memfd_create("initd-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	size = r < 0 ? 0 : lseek(fd, 0, SEEK_END);
	if (r == 0 && (size <= 0 || size % (off_t)sizeof(*v)))
		r = -EIO;
	if (r == 0 && size / (off_t)sizeof(*v) > UNIT_SECCOMP_INSNS_MAX)
		r = -E2BIG;
	if (r == 0 && !(v = malloc((size_t)size)))
		r = -ENOMEM;
	if (r == 0 && pread(fd, v, (size_t)size, 0) != size)
		r = -EIO;
	close(fd);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = (size_t)size / sizeof(*v);
	return 0;
}

/* Does the libseccomp we run with build binary trees right with no rules? */
static bool binary_tree_safe(void)
{
	const struct scmp_version *v = seccomp_version();

	return v && (v->major > 2 || (v->major == 2 && (v->minor > 5 ||
							 (v->minor == 5 && v->micro >= 4))));
}

/* sc's lists compiled for the native architecture into sc->bpf. */
static int seccomp_compile(struct unit_seccomp *sc)
{
	struct nr_set *sets = calloc(2, sizeof(*sets));
	scmp_filter_ctx ctx = NULL;
	int r;

	if (!sets)
		return -ENOMEM;
	/* NULL also when the kernel lacks what the action needs (no
	 * SECCOMP_FILTER, no kill-process): this unit's error, not the load's */
	ctx = seccomp_init(default_action(sc));
	r = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) : -ENOSYS;
	/* a binary search over the numbers: an allowlist of 300 calls costs
	 * a few comparisons per call, not a walk through all of them; before
	 * 2.5.4 libseccomp's tree of no rules killed every call (its #370) */
	if (r == 0 && binary_tree_safe())
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = filter_rules(ctx, sc, &sets[0], &sets[1]);
	if (r == 0) {
		free(sc->bpf);
		sc->bpf = NULL;
		r = filter_export(ctx, &sc->bpf, &sc->n_bpf);
	}
	seccomp_release(ctx);
	free(sets);
	return r;
}

/* ---- the key ---------------------------------------------------------------- */

/* A strv_check_fn: a known group or system call. */
static int check_name(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
		      void *data)
{
	const char *names[ARRAY_SIZE(seccomp_groups)], *hint;
	char q[DIAG_QUOTE_SIZE];

	(void)data;
	if (v[0] == '@') {
		if (group_find(v))
			return 0;
		for (size_t i = 0; i < seccomp_n_groups; i++)
			names[i] = seccomp_groups[i].name;
		hint = hint_closest(v, names, seccomp_n_groups);
		diag_quote(q, v);
		if (hint)
			return FAIL(c, e, "'%s': unknown group '%s' (did you mean '%s'?)", path, q,
				    hint);
		return FAIL(c, e, "'%s': unknown group '%s' (see initd.unit(5), SECCOMP)", path, q);
	}
	if (seccomp_syscall_resolve_name(v) != __NR_SCMP_ERROR)
		return 0;
	return FAIL(c, e, "'%s': unknown system call '%s'", path, diag_quote(q, v));
}

static int parse_names(struct parse_ctx *c, config_setting_t *s, const char *path, char ***ret)
{
	return setting_strv_checked(c, s, path, UNIT_SECCOMP_NAMES_MAX, check_name, NULL, ret);
}

static int parse_sc_deny(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_names(c, s, path, &((struct unit_seccomp *)obj)->deny);
}

static int parse_sc_allow(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_names(c, s, path, &((struct unit_seccomp *)obj)->allow);
}

static int parse_sc_default(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	int v, r;

	r = setting_enum(c, s, path, seccomp_default_names, UNIT_SECCOMP_DEFAULT_MAX, &v);
	if (r == 0)
		((struct unit_seccomp *)obj)->default_action = (uint32_t)v;
	return r;
}

static int parse_sc_errno(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	const char *const *names, *v, *hint;
	char q[DIAG_QUOTE_SIZE];
	size_t n;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	if (seccomp_errno_from_name(v, &((struct unit_seccomp *)obj)->errno_value) == 0)
		return 0;
	names = seccomp_errno_name_list(&n);
	diag_quote(q, v);
	hint = hint_closest(v, names, n);
	if (hint)
		return FAIL(c, s, "'%s': unknown errno '%s' (did you mean '%s'?)", path, q, hint);
	return FAIL(c, s, "'%s': unknown errno '%s' (see initd.unit(5), SECCOMP)", path, q);
}

static const struct key seccomp_keys[] = {
	{ "default", parse_sc_default },
	{ "deny", parse_sc_deny },
	{ "allow", parse_sc_allow },
	{ "errno", parse_sc_errno },
};

/* The lists must fit the default; then the filter is compiled. */
static int seccomp_check(struct parse_ctx *c, config_setting_t *s, const char *path,
			 struct unit_seccomp *sc)
{
	int r;

	if (sc->default_action == UNIT_SECCOMP_ALLOW && sc->allow)
		return FAIL(c, s, "'%s.allow' needs default = \"errno\" or \"kill\" "
			    "(with default = \"allow\", list what to refuse in 'deny')", path);
	if (sc->default_action != UNIT_SECCOMP_ALLOW && (!sc->allow || !sc->allow[0]))
		return FAIL(c, s, "'%s' with default = \"%s\" needs 'allow' (say \"@system-service\" "
			    "and what else the service calls)", path,
			    seccomp_default_names[sc->default_action]);
	r = seccomp_compile(sc);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return FAIL(c, s, "'%s': the filter cannot be compiled: %s%s", path, strerror(-r),
			    r == -E2BIG ? " (more than 4096 instructions)" :
			    r == -ENOSYS ? " (libseccomp: this kernel lacks seccomp filters"
					   " or the kill-process action)" : "");
	return 0;
}

void seccomp_imply_no_new_privs(struct unit *u, struct isolation_lines *l)
{
	if (!u->opt->seccomp.n_bpf) {
		l->no_new_privs_off = 0;   /* false, as declared */
		return;
	}
	if (!u->opt->iso.no_new_privs)
		unit_opt_own(u)->iso.no_new_privs = true;
}

int seccomp_warn_no_new_privs(struct unit_set *s, const struct unit *u,
			      const struct isolation_lines *l)
{
	struct parse_ctx c = { .file = u->file, .diags = &s->warnings, .warnings = &s->warnings };

	if (!l->no_new_privs_off)
		return 0;
	for (size_t i = 0; i < s->warnings.n; i++)
		if (s->warnings.v[i].line == l->no_new_privs_off && s->warnings.v[i].file &&
		    strcmp(s->warnings.v[i].file, u->file) == 0)
			return 0;
	return warn_add(&c, l->no_new_privs_off, "'no_new_privs = false' does not apply: "
			"'seccomp' implies no_new_privs (the filter is installed with it)");
}

int parse_seccomp(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_seccomp *sc = &unit_opt_own(parse_state_unit(obj))->seccomp;
	bool failed = c->failed;
	int r;

	c->failed = false;
	r = setting_group(c, s, path, seccomp_keys, ARRAY_SIZE(seccomp_keys), sc);
	if (r == 0 && !c->failed && config_setting_is_group(s))
		r = seccomp_check(c, s, path, sc);
	c->failed |= failed;
	return r;
}
