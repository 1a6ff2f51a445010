/* spawn_shared.h — a plain unit's child on PID 1's memory (issue 19),
 * and a helper's (spawn_shared_call: lo's child in net.c, under the same
 * rules, its code its own).
 *
 * A fork copies PID 1's page tables and write-protects every writable
 * page, and PID 1 then takes a copy-on-write fault on each page it writes
 * before the child has exec'd: in the VM, 1.7 ms of PID 1's time and 13
 * faults a spawn, and 4-15 ms of the child's before it ran the service.
 * A unit that needs no set-up beyond its stdio, root's credentials,
 * rlimits, umask, no_new_privs and a working directory (spawn.c says
 * which: spawn_is_plain) gets a child cloned with CLONE_VM instead: it
 * runs on PID 1's memory, on a stack of its own, until its execve gives
 * it a memory of its own (or it exits). Nothing is copied.
 *
 * What that costs is discipline in the child, all of it here:
 *  - raw system calls only (rawsys.h): glibc's would write PID 1's errno;
 *  - it reads only its block, which PID 1 made for it alone (argv, envp,
 *    the working directory, the rlimits, copies: a reload may free the
 *    unit meanwhile) and does not touch until the child is gone from it;
 *  - its signals reset first (child_reset_signals_shared), raw too;
 *  - its stack above a guard page;
 *  - PID 1's memory made undumpable before the first such child: a core
 *    dump of the child would be PID 1's memory, and before Linux 5.16 it
 *    killed every process on that memory, PID 1 too.
 * The block is freed once the child cannot run on it any more: when PID 1
 * reads the end of its report pipe (the child's copy of the write end goes
 * at exec or exit, after its old memory has), or, when PID 1 is done with
 * the pipe before that, once a copy of its read end says the writers are
 * gone (polled at each later spawn, report's end and done, and at the
 * manager's reaps, or main.c's before there is a manager). Freed while
 * PID 1 still waits for another block's end of file, it is kept for a
 * next child (spawn_shared.c's spares), not unmapped. One child has
 * no copy of its own: one through the fd window whose unshare failed
 * writes through PID 1's slot, so its write and exit touch no memory
 * (rawsys_write_exit). Not for a unit whose cgroup may hold the child
 * (spawn.c's shared_fits): an OOM victim there takes every process on
 * its memory with it.
 *
 * The report is the same as a forked child's ({stage, errno}, then the
 * end of file at exec), so PID 1 reads it the same way. Not in a
 * sanitizer build (the child's instrumented code would run on PID 1's
 * shadow memory) nor where rawsys.h has no system calls: spawn.c forks. */
#ifndef INITD_SPAWN_SHARED_H
#define INITD_SPAWN_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "units/unit.h"

/* What the child does, all of it borrowed: spawn_shared_start copies it. */
struct spawn_shared_plan {
	char *const *argv;            /* argv[0]: the absolute path executed */
	char *const *envp;
	const char *workdir;
	const struct unit_rlimit *default_rlimits;   /* initd.conf's: cut to the
	                                              * hard limit it may set */
	size_t n_default_rlimits;
	const struct unit_rlimit *rlimits;           /* the unit's: exactly */
	size_t n_rlimits;
	uint32_t umask;
	bool no_new_privs;
	uid_t uid;                    /* spawn_default_ids: root, or initd's own */
	gid_t gid;
	bool keep_groups;             /* spawn_keeps_groups: no setgroups */
	int report_r, report_w;       /* the report pipe: PID 1's end is the key */
	int output_fd;                /* stdout and stderr, -1 = /dev/null */
	int cgroup_fd;                /* the leaf, -1 = none */
	/* Through spawn.c's fd window: the child shares PID 1's table until
	 * its first system call, close_range(unshare_from, ~0U,
	 * CLOSE_RANGE_UNSHARE); then it closes the other sets' slots (two
	 * ranges [first, last], empty when first > last) and writes its byte
	 * on report_w (window_child's protocol). 0: its table is a copy. */
	unsigned unshare_from;
	unsigned close_below[2], close_above[2];
};

/* Whether this build has it. */
bool spawn_shared_available(void);

/* Whether a child can be made so now: this build has it, and fewer than
 * 64 blocks wait on a copy of their pipe (past that, spawns fork). */
bool spawn_shared_ready(void);

/* The child: its pid, its pidfd in *ret_pidfd; -errno (nothing made). */
pid_t spawn_shared_start(const struct spawn_shared_plan *plan, int *ret_pidfd);

/* fn(a copy of arg's size bytes, at most SHARED_CALL_ARG_MAX) in a child
 * on PID 1's memory, on a block of its own, keyed by report_r as a unit's
 * child's: for a helper of raw system calls only (rawsys.h), which resets
 * its signals first and ends in rawsys_write_exit on the pipe whose read
 * end report_r is. Its block goes as a unit's child's does
 * (spawn_shared_ended at report_r's end of file, else spawn_shared_done
 * before report_r is closed). Its pid, or -errno (-ENOSYS: not in this
 * build or not now; the caller forks). */
#define SHARED_CALL_ARG_MAX 256
pid_t spawn_shared_call(int report_r, void (*fn)(void *), const void *arg, size_t size);
/* The end of file of report_r was read: its child's block goes. */
void spawn_shared_ended(int report_r);

/* The manager reaped a child (its pidfd's watch, or the walk at
 * SIGCHLD), or main.c did before there is a manager: the blocks that
 * wait on a copy of their pipe and whose writers are gone go now, not at
 * a later spawn or report (the child of a setup failure, whose report
 * was read before it exited, kept its block and the copy's fd until
 * then, however long that was). */
void spawn_shared_reaped(void);

/* PID 1 is about to close report_r before its end of file: the block
 * waits for it on a copy. Returns that copy, one of PID 1's fds from now
 * on (the fd window counts it), or -1 if none was made. */
int spawn_shared_done(int report_r);

/* Blocks not freed yet (tests, metrics). */
size_t spawn_shared_in_flight(void);

/* Freed blocks kept mapped for the next children (tests): at most 64,
 * each at most 64 KiB, none once PID 1 waits for no block's end of file
 * (spawn_shared.c says why). */
size_t spawn_shared_spares(void);

#endif
