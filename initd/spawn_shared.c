/* spawn_shared.c — a plain unit's child on PID 1's memory. See
 * spawn_shared.h. */
#include "initd/spawn_shared.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "initd/child.h"
#include "initd/log.h"
#include "initd/nofork.h"
#include "initd/rawsys.h"
#include "initd/spawn.h"

#if RAWSYS_AVAILABLE && !defined(NOFORK_SANITIZED)
#define SHARED_ON 1
#else
#define SHARED_ON 0
#endif

/* The child's stack, above a guard page. Its deepest frame is
 * shared_fail's report (248 bytes) under two small ones, or before the
 * signal reset a fault's signal frame (an aarch64 one with SVE's
 * registers may take several KiB) under PID 1's fault handler; the
 * kernel's execve runs on its own. */
#define SHARED_STACK (16 * 1024)

/* Blocks waiting on a copy of their pipe at most: past it, spawns fork
 * (each such copy is an fd of PID 1's until its child is gone). */
#define SHARED_HELD_MAX 64

/* A mapping of its own, unmapped when freed or kept as a spare for the
 * next child (from the heap, a dozen children in flight at boot left it
 * ~56 KiB bigger for good, below glibc's trim threshold): a guard page,
 * the stack, then this header and the copies. An overflow of the stack
 * faults in the guard page (the child dies of it) instead of writing PID
 * 1's memory. Not copied by PID 1's forks (MADV_DONTFORK): no forked
 * child touches it. */
struct shared_child {
	struct shared_child *next;
	int report_r;            /* PID 1's end: which block this is */
	int held;                /* a copy of it once PID 1 closed it, else -1 */
	/* What the child reads, all in this block: */
	int report_w, output_fd;
	char **argv, **envp;
	const char *workdir;
	struct unit_rlimit *rlimits;   /* n_defaults of initd.conf's, then n_own */
	size_t n_defaults, n_own;
	void *map;               /* the mapping: guard page, stack, this */
	size_t size;
	uint32_t umask;
	bool no_new_privs;
	uid_t uid;               /* root, or initd's own (spawn_default_ids) */
	gid_t gid;
	bool keep_groups;
	unsigned unshare_from, close_below[2], close_above[2];
	_Alignas(16) unsigned char copies[];   /* rlimits, argv, envp, workdir */
};

/* Freed blocks kept mapped for the next children (their guard page
 * still in place, their pages still there) while children are in flight: a
 * new mapping, its guard's mprotect, the faults on its fresh pages and
 * above all its unmap cost PID 1 more than a spawn's clone3 (an unmap of
 * a memory other processes run on, the children in flight, flushes every
 * CPU's TLB and waits for each). A pass spawns up to 32 at a time and
 * hears of their execs after, so two passes' worth are kept: over a
 * 10,000-unit boot on the host PID 1 then made 883 unmaps instead of
 * 9,887 and took 31% less CPU (bench/README.md, 2026-12-06). A block
 * larger than SHARED_SPARE_MAX (a long environment) is never kept, and
 * none once PID 1 waits for no block's end of file (spares_wanted): at
 * rest PID 1 keeps none. */
#define SHARED_SPARES    64
#define SHARED_SPARE_MAX (64 * 1024)

static struct {
	struct shared_child *list;
	size_t n, n_held;
	struct { void *map; size_t size; } spare[SHARED_SPARES];
	bool undumpable;
} shared;

bool spawn_shared_available(void)
{
	return SHARED_ON;
}

static void blocks_sweep(void);

/* Before Linux 5.16 a core dump kills every process on the dumping one's
 * memory, PID 1 too (a panic), whatever RLIMIT_CORE says: a unit whose
 * stop_signal is SIGQUIT, stopped before its exec, would do. A memory that
 * is not dumpable is never dumped (the kernel checks that first); on a
 * later kernel its core would be PID 1's memory. So PID 1's memory is made
 * undumpable before its first such child (a forked child's copy is then
 * undumpable too, until its exec gives the service a memory of its own). */
static bool shared_undumpable(void)
{
	if (!shared.undumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)
		shared.undumpable = true;
	return shared.undumpable;
}

bool spawn_shared_ready(void)
{
	if (!SHARED_ON || !shared_undumpable())
		return false;
	if (shared.n_held)
		blocks_sweep();
	return shared.n_held < SHARED_HELD_MAX;
}

size_t spawn_shared_in_flight(void)
{
	return shared.n;
}

#if SHARED_ON

/* ---- the child: raw system calls, its block only ------------------------- */

static _Noreturn void shared_fail(int report_w, int stage, long err)
{
	struct spawn_report rep = { .stage = stage, .err = (int)-err };

	rawsys(SYS_write, report_w, &rep, sizeof(rep));
	for (;;)
		rawsys(SYS_exit_group, 127);
}

#define TRY(stage, expr) do { long r_ = (expr); \
	if (r_ < 0) shared_fail(report_w, (stage), r_); } while (0)

/* fd, or a copy of it at 3 or above when it is 0-2 (a slot stdio takes). */
static long above_stdio(long fd)
{
	return fd >= 0 && fd < 3 ? rawsys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3) : fd;
}

/* As spawn_rlimits_apply: initd.conf's cut to the hard limit this process
 * may set, the unit's exactly. The kernel's struct rlimit64 is a pair of
 * u64, UINT64_MAX infinity: struct unit_rlimit's soft and hard as they are. */
static long shared_rlimits(const struct shared_child *c)
{
	for (size_t i = 0; i < c->n_defaults + c->n_own; i++) {
		const struct unit_rlimit *l = &c->rlimits[i];
		uint64_t rl[2] = { l->soft, l->hard }, own[2];
		long r = rawsys(SYS_prlimit64, 0, l->resource, rl, NULL);

		if (r == -EPERM && i < c->n_defaults &&
		    rawsys(SYS_prlimit64, 0, l->resource, NULL, own) == 0) {
			rl[1] = own[1] < rl[1] ? own[1] : rl[1];
			rl[0] = rl[0] < rl[1] ? rl[0] : rl[1];
			r = rawsys(SYS_prlimit64, 0, l->resource, rl, NULL);
		}
		if (r < 0 && i >= c->n_defaults)
			return r;
	}
	return 0;
}

/* The fd window's part (spawn.c's window_child), before anything else:
 * the table made its own, the other sets' slots closed, then the byte, 0
 * or the errno of an unshare that failed (and then only the exit). PID
 * 1's end of the report pipe, if the copy has it, goes with the rest at
 * the close of every fd.
 *
 * A child whose unshare failed still uses PID 1's table: the only write
 * end of its pipe is PID 1's slot, which PID 1 takes back once it read
 * the byte, and its block may go with it (no writer left) while the
 * child still runs. So its write and its exit touch no memory between
 * them (rawsys_write_exit). */
static void shared_window(const struct shared_child *c)
{
	unsigned char byte = 0;
	long r = rawsys(SYS_close_range, c->unshare_from, ~0U, CLOSE_RANGE_UNSHARE);

	if (r < 0) {
		byte = (unsigned char)(-r < 256 ? -r : EIO);
		rawsys_write_exit(c->report_w, &byte, 1, 127);
	}
	if (c->close_below[0] <= c->close_below[1])
		rawsys(SYS_close_range, c->close_below[0], c->close_below[1], 0);
	if (c->close_above[0] <= c->close_above[1])
		rawsys(SYS_close_range, c->close_above[0], c->close_above[1], 0);
	if (rawsys(SYS_write, c->report_w, &byte, 1) != 1)
		for (;;)
			rawsys(SYS_exit_group, 127);
}

/* What child_run does for a plain unit, in its order: signals, session,
 * stdio, fds, rlimits, umask, root's credentials (initd's own when it
 * does not run as root), no_new_privs, the
 * working directory, exec. */
static _Noreturn void shared_child(void *arg)
{
	const struct shared_child *c = arg;
	long report_w = c->report_w, out = c->output_fd, null_fd;

	if (c->unshare_from)
		shared_window(c);
	/* Then the signals: until here a fault runs PID 1's handler, which
	 * re-raises it in a pid that is not 1 (boot.c). */
	TRY(SPAWN_STAGE_SIGNALS, child_reset_signals_shared());
	TRY(SPAWN_STAGE_SESSION, rawsys(SYS_setsid, 0));
	report_w = above_stdio(report_w);
	if (report_w < 0)
		shared_fail(c->report_w, SPAWN_STAGE_STDIO, report_w);
	null_fd = above_stdio(rawsys(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC));
	TRY(SPAWN_STAGE_STDIO, null_fd);
	out = out < 0 ? null_fd : above_stdio(out);
	TRY(SPAWN_STAGE_STDIO, out);
	TRY(SPAWN_STAGE_STDIO, rawsys(SYS_dup3, null_fd, 0, 0));
	TRY(SPAWN_STAGE_STDIO, rawsys(SYS_dup3, out, 1, 0));
	TRY(SPAWN_STAGE_STDIO, rawsys(SYS_dup3, out, 2, 0));
	if (report_w > 3)
		TRY(SPAWN_STAGE_FDS, rawsys(SYS_close_range, 3, report_w - 1, 0));
	TRY(SPAWN_STAGE_FDS, rawsys(SYS_close_range, report_w + 1, ~0U, 0));
	TRY(SPAWN_STAGE_RLIMITS, shared_rlimits(c));
	rawsys(SYS_umask, c->umask);
	if (!c->keep_groups)
		TRY(SPAWN_STAGE_GROUPS, rawsys(SYS_setgroups, 0, NULL));
	TRY(SPAWN_STAGE_GID, rawsys(SYS_setresgid, c->gid, c->gid, c->gid));
	TRY(SPAWN_STAGE_UID, rawsys(SYS_setresuid, c->uid, c->uid, c->uid));
	if (c->no_new_privs)
		TRY(SPAWN_STAGE_NO_NEW_PRIVS, rawsys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	TRY(SPAWN_STAGE_CHDIR, rawsys(SYS_chdir, c->workdir));
	shared_fail(report_w, SPAWN_STAGE_EXEC, rawsys(SYS_execve, c->argv[0], c->argv, c->envp));
}

/* ---- PID 1's side ----------------------------------------------------------- */

#define PTR_ALIGN (sizeof(char *) - 1)

/* What vec_copy takes of the block for v, its pointers aligned. */
static size_t vec_size(char *const *v, size_t *n)
{
	size_t size = PTR_ALIGN;

	for (*n = 0; v[*n]; (*n)++)
		size += strlen(v[*n]) + 1;
	return size + (*n + 1) * sizeof(char *);
}

/* v into *at (aligned): the pointers, then the strings; *at after them,
 * aligned again. The copy. */
static char **vec_copy(char *const *v, size_t n, unsigned char **at)
{
	char **out = (char **)(void *)*at;
	char *s = (char *)(out + n + 1);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		out[i] = memcpy(s, v[i], len);
		s += len;
	}
	out[n] = NULL;
	*at = (unsigned char *)(((uintptr_t)s + PTR_ALIGN) & ~(uintptr_t)PTR_ALIGN);
	return out;
}

/* A mapping of size bytes or more, its first page the guard: the
 * smallest spare it fits, or a new one. */
static void *block_map(size_t *size)
{
	size_t page = (size_t)getpagesize();
	unsigned best = SHARED_SPARES;
	void *map;

	for (unsigned k = 0; k < SHARED_SPARES; k++)
		if (shared.spare[k].map && shared.spare[k].size >= *size &&
		    (best == SHARED_SPARES || shared.spare[k].size < shared.spare[best].size))
			best = k;
	if (best < SHARED_SPARES) {
		map = shared.spare[best].map;
		*size = shared.spare[best].size;
		shared.spare[best].map = NULL;
		return map;
	}
	map = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	if (mprotect(map, page, PROT_NONE) < 0) {
		munmap(map, *size);
		return NULL;
	}
	(void)madvise(map, *size, MADV_DONTFORK);   /* a fork copies it needlessly else */
	return map;
}

/* While PID 1 still waits to read a block's end of file, a freed block
 * is kept: those reads will come, and free the spares with the last one.
 * Not for blocks that wait on a copy of their pipe alone: their sweep
 * waits for their child's reap or a later spawn or report, and a child
 * that exec'd may never be reaped. */
static bool spares_wanted(void)
{
	return shared.n > shared.n_held;
}

/* PID 1 waits for no block's end of file: the spares go (no child PID 1
 * still hears from runs on its memory, so the unmaps seldom wait for
 * another CPU), and none is kept once the spawns are done (a single
 * restart maps and unmaps one, as before). */
static void spares_trim(void)
{
	if (spares_wanted())
		return;
	for (unsigned k = 0; k < SHARED_SPARES; k++)
		if (shared.spare[k].map) {
			munmap(shared.spare[k].map, shared.spare[k].size);
			shared.spare[k].map = NULL;
		}
}

/* Nobody runs on it any more: kept as a spare while others are in use,
 * else unmapped, the spares with it. */
static void block_unmap(void *map, size_t size)
{
	for (unsigned k = 0; spares_wanted() && size <= SHARED_SPARE_MAX && k < SHARED_SPARES; k++)
		if (!shared.spare[k].map) {
			shared.spare[k].map = map;
			shared.spare[k].size = size;
			return;
		}
	munmap(map, size);
	spares_trim();
}

size_t spawn_shared_spares(void)
{
	size_t n = 0;

	for (unsigned k = 0; k < SHARED_SPARES; k++)
		n += shared.spare[k].map != NULL;
	return n;
}

/* The block: the guard page, the stack, then the header, the rlimits
 * (aligned), the vectors and the strings. */
static struct shared_child *block_make(const struct spawn_shared_plan *pl)
{
	size_t page = (size_t)getpagesize(), n_argv, n_envp;
	size_t n_rl = pl->n_default_rlimits + pl->n_rlimits;
	size_t argv_size = vec_size(pl->argv, &n_argv), envp_size = vec_size(pl->envp, &n_envp);
	size_t wd_size = strlen(pl->workdir) + 1;
	size_t below = page + (SHARED_STACK + page - 1) / page * page;
	size_t size = below + sizeof(struct shared_child) + n_rl * sizeof(struct unit_rlimit) +
		      argv_size + envp_size + wd_size + page - 1;
	unsigned char *map, *at;
	struct shared_child *c;

	size = size / page * page;   /* whole pages: a spare fits every block of as many */
	map = block_map(&size);
	if (!map)
		return NULL;
	c = (struct shared_child *)(void *)(map + below);
	*c = (struct shared_child){
		.map = map, .size = size,
		.report_r = pl->report_r, .held = -1, .report_w = pl->report_w,
		.output_fd = pl->output_fd, .n_defaults = pl->n_default_rlimits,
		.n_own = pl->n_rlimits, .umask = pl->umask, .no_new_privs = pl->no_new_privs,
		.uid = pl->uid, .gid = pl->gid, .keep_groups = pl->keep_groups,
		.unshare_from = pl->unshare_from,
		.close_below = { pl->close_below[0], pl->close_below[1] },
		.close_above = { pl->close_above[0], pl->close_above[1] },
	};
	c->rlimits = (struct unit_rlimit *)(void *)c->copies;
	if (pl->n_default_rlimits)
		memcpy(c->rlimits, pl->default_rlimits, pl->n_default_rlimits * sizeof(*c->rlimits));
	if (pl->n_rlimits)
		memcpy(c->rlimits + pl->n_default_rlimits, pl->rlimits,
		       pl->n_rlimits * sizeof(*c->rlimits));
	at = (unsigned char *)(c->rlimits + n_rl);
	c->argv = vec_copy(pl->argv, n_argv, &at);
	c->envp = vec_copy(pl->envp, n_envp, &at);
	c->workdir = memcpy(at, pl->workdir, wd_size);
	return c;
}

static void block_free(struct shared_child **link)
{
	struct shared_child *c = *link;

	*link = c->next;
	if (c->held >= 0) {
		close(c->held);
		shared.n_held--;
	}
	shared.n--;
	block_unmap(c->map, c->size);
}

/* The blocks whose copy of the pipe says its writers are gone: their
 * children exec'd or exited (each drops its copy after its old memory). */
static void blocks_sweep(void)
{
	for (struct shared_child **link = &shared.list; *link;) {
		struct pollfd p = { .fd = (*link)->held, .events = POLLIN };

		if ((*link)->held >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
			block_free(link);
		else
			link = &(*link)->next;
	}
}

static struct shared_child **block_find(int report_r)
{
	struct shared_child **link = &shared.list;

	while (*link && ((*link)->report_r != report_r || (*link)->held >= 0))
		link = &(*link)->next;
	return *link ? link : NULL;
}

/* The child on c's stack, running fn(arg); c is in the list once it
 * runs, unmapped if it could not be made. */
static pid_t block_clone(struct shared_child *c, struct clone_args *args, void (*fn)(void *),
			 void *arg)
{
	long pid;

	/* [stack, c): the page after the guard up to the header */
	args->stack = (uint64_t)(uintptr_t)c->map + (uint64_t)getpagesize();
	args->stack_size = (uint64_t)(uintptr_t)c - args->stack;
	pid = rawsys_clone3(args, fn, arg);
	if (pid < 0) {
		block_unmap(c->map, c->size);
		return (pid_t)pid;
	}
	c->next = shared.list;
	shared.list = c;
	shared.n++;
	return (pid_t)pid;
}

pid_t spawn_shared_start(const struct spawn_shared_plan *pl, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = CLONE_VM | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
	};
	struct shared_child *c;

	c = block_make(pl);
	if (!c)
		return -ENOMEM;
	if (pl->unshare_from)
		args.flags |= CLONE_FILES;
	if (pl->cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)pl->cgroup_fd;
	}
	return block_clone(c, &args, shared_child, c);
}

/* A small block for a call: the guard page, the stack, the header, then
 * size bytes copied from arg. */
static struct shared_child *block_make_call(int report_r, const void *arg, size_t size)
{
	size_t page = (size_t)getpagesize();
	size_t below = page + (SHARED_STACK + page - 1) / page * page;
	size_t total = (below + sizeof(struct shared_child) + size + page - 1) / page * page;
	unsigned char *map = block_map(&total);
	struct shared_child *c;

	if (!map)
		return NULL;
	c = (struct shared_child *)(void *)(map + below);
	*c = (struct shared_child){ .map = map, .size = total, .report_r = report_r,
				    .held = -1, .report_w = -1, .output_fd = -1 };
	memcpy(c->copies, arg, size);
	return c;
}

pid_t spawn_shared_call(int report_r, void (*fn)(void *), const void *arg, size_t size)
{
	struct clone_args args = { .flags = CLONE_VM, .exit_signal = SIGCHLD };
	struct shared_child *c;

	if (size > SHARED_CALL_ARG_MAX || !spawn_shared_ready())
		return -ENOSYS;
	/* Its fd table is a copy of PID 1's: as a helper's fork, not while
	 * the fd window lends sets (spawn_helper_fork says why). */
	spawn_settle();
	c = block_make_call(report_r, arg, size);
	if (!c)
		return -ENOMEM;
	return block_clone(c, &args, fn, c->copies);
}

void spawn_shared_ended(int report_r)
{
	struct shared_child **link = shared.n ? block_find(report_r) : NULL;

	if (link)
		block_free(link);
	if (shared.n_held)   /* not only at the next plain unit's spawn */
		blocks_sweep();
}

void spawn_shared_reaped(void)
{
	if (shared.n_held)
		blocks_sweep();
}

int spawn_shared_done(int report_r)
{
	struct shared_child **link = shared.n ? block_find(report_r) : NULL;
	int held;

	if (!link)
		return -1;
	(*link)->held = fcntl(report_r, F_DUPFD_CLOEXEC, 3);
	if ((*link)->held < 0) {
		/* Never freed: its child may still run on it. */
		log_warn("spawn: a child's stack is kept for good (no fd to wait on: %s)",
			 strerror(errno));
		*link = (*link)->next;
		shared.n--;
		spares_trim();
		return -1;
	}
	held = (*link)->held;
	shared.n_held++;
	blocks_sweep();
	spares_trim();
	return held;   /* open until now at least: the sweep may have freed it */
}

#else /* !SHARED_ON */

static void blocks_sweep(void)
{
}

pid_t spawn_shared_start(const struct spawn_shared_plan *pl, int *ret_pidfd)
{
	return -ENOSYS;
}

pid_t spawn_shared_call(int report_r, void (*fn)(void *), const void *arg, size_t size)
{
	return -ENOSYS;
}

void spawn_shared_ended(int report_r)
{
}

void spawn_shared_reaped(void)
{
}

int spawn_shared_done(int report_r)
{
	return -1;
}

size_t spawn_shared_spares(void)
{
	return 0;
}

#endif
