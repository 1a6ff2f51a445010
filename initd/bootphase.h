/* bootphase.h — where PID 1's boot goes (issue 19): a fixed table of
 * CLOCK_MONOTONIC stamps, one per phase, each taken the first time the
 * phase is reached. No I/O and no allocation on the boot's path: the
 * table is read by svctl analyze (BOOT_PHASE nested attributes) and the
 * bench prints it. Each unit's own spawn and exec stamps are its
 * SPAWNED_AT and EXEC_AT (service.h). */
#ifndef INITD_BOOTPHASE_H
#define INITD_BOOTPHASE_H

#include <stdint.h>

enum boot_phase {
	BOOT_PHASE_MOUNTS,         /* early mounts (proc, sys, dev, run, cgroup2) done */
	BOOT_PHASE_LOG,            /* the log open, the command line read */
	BOOT_PHASE_LOOP_READY,     /* epoll, signalfd, watchdog; lo's child forked */
	BOOT_PHASE_LOADER_STARTED,  /* the unit loader forked (it execs initd-loader) */
	BOOT_PHASE_LOOP,           /* sockets, log writer up (while it parses) */
	BOOT_PHASE_LOOPBACK,       /* lo up (PID 1, while the loader parses) */
	BOOT_PHASE_MODEL_READ,     /* its whole answer read (EOF); with a
	                            * compiled model (initd.model): the file
	                            * read, its digest that of the unit files */
	BOOT_PHASE_MODEL_DECODED,  /* the model decoded in PID 1 */
	BOOT_PHASE_MODULES,        /* initd.conf's modules loaded */
	BOOT_PHASE_CONF,           /* network, sysctl, watchdog applied */
	BOOT_PHASE_CGROUP,         /* the manager: the cgroup root opened */
	BOOT_PHASE_SLICES,         /* the root's controllers and the slices made */
	BOOT_PHASE_APPLIED,        /* every unit in the manager (leaves: at spawn) */
	BOOT_PHASE_BOOT,           /* the boot's first pass asked (manager_boot) */
	BOOT_PHASE_MAX,
};

/* Stamp phase p now, unless it was stamped already (a reload does not
 * move the boot's stamps). */
void boot_phase_mark(enum boot_phase p);
/* The same with a stamp taken before (now_usec()): a phase known to have
 * ended only once a later step worked. */
void boot_phase_mark_at(enum boot_phase p, uint64_t usec);

/* Its stamp (monotonic usec), 0 if not reached; its name, for svctl. */
uint64_t boot_phase_at(enum boot_phase p);
const char *boot_phase_name(enum boot_phase p);

#endif
