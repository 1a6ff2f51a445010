/* boot_guard.h — the reboot-loop guard (initd.conf boot_guard, issue 14).
 *
 * A file holds the count of failed boots in a row, as decimal text. At
 * boot, before any unit starts, a short-lived child reads it: at max or
 * more the boot goes to rescue (the count stays: removing the file, or
 * writing 0 into it, from the rescue shell lets the next boot try again);
 * below, the child writes count + 1 and fsyncs it, so a boot that never
 * settles (a hang, a crash, the watchdog) has counted itself. Once every
 * unit settled with no failed unit that has a failure action, another child
 * writes 0. A boot that ends with a failure action reboot or poweroff after
 * that writes count + 1 itself, from PID 1, just before reboot(2): every
 * service has stopped, sync() and the unmounts block right after anyway,
 * and it is the last chance to record the failure. A reset child still
 * running then is killed and waited for first, or its 0 could land after
 * the count (a unit failing right after the settle, seen in the VM tier);
 * a check still running is waited for, and counts the boot itself. A
 * shutdown with no failure waits for a reset still running instead (as
 * PID 1, boot_final kills every process next). Every write goes through
 * FILE.new, fsync and rename: an empty file counts 0, so a writer killed
 * half-way or a power cut must never leave one.
 *
 * Only a regular file is read or written: anything else at that path is
 * refused, looked at before the open, and the open is O_NONBLOCK, since a
 * FIFO swapped in meanwhile would block its opener forever.
 *
 * The file lives on the data mount in practice: a slow or hung disk may
 * block its I/O, so during the boot it happens in children PID 1 waits for
 * through a pipe, the check bounded by BOOT_GUARD_TIMEOUT_USEC (past it the
 * boot goes on without the guard, and says so; PID 1 then writes nothing
 * in this boot, which the killed child might still race).
 */
#ifndef INITD_BOOT_GUARD_H
#define INITD_BOOT_GUARD_H

#include <stdint.h>

#include "initd/loop.h"

#define BOOT_GUARD_TIMEOUT_USEC (10 * 1000000ULL)
#define BOOT_GUARD_COUNT_MAX    1000000    /* a larger number in the file counts as this */

struct boot_guard;

/* The check's count: the failed boots in a row before this one (the
 * file's number; a missing file is 0), or -errno (-ETIMEDOUT: the child
 * hung, killed). When count < max the file now holds count + 1. The
 * reset's: 0 once the file holds 0, or -errno. */
typedef void (*boot_guard_fn)(int count, void *data);

/* Start the check-and-count child. 0 (done will be called once, from the
 * loop) or -errno. *ret, if not NULL, is for boot_guard_end and
 * boot_guard_fail until done is called. */
int boot_guard_begin(struct loop *l, const char *file, unsigned max, boot_guard_fn done,
		     void *data, struct boot_guard **ret);

/* Start the child that writes 0: as boot_guard_begin, with no bound (no
 * unit waits for it; boot_guard_fail has one). */
int boot_guard_reset(struct loop *l, const char *file, boot_guard_fn done, void *data,
		     struct boot_guard **ret);

/* initd ends with no failure action (a reboot or poweroff asked for, not
 * PID 1: initd's exit), with g in flight (or NULL): a check is killed, a
 * reset is waited for, BOOT_GUARD_TIMEOUT_USEC at most, so that its 0 is
 * on the disk before PID 1 kills every process; g is freed, done not
 * called. 0 or -ETIMEDOUT. Blocks. */
int boot_guard_end(struct boot_guard *g);

/* A failure action ends the boot, with g in flight (or NULL). A reset is
 * killed and waited for, then count is written: 0. A check is waited for
 * and counts the boot itself: 1 (its error if it could not: nothing was
 * written). Each wait is bounded by BOOT_GUARD_TIMEOUT_USEC (past it
 * -ETIMEDOUT, nothing written); g is freed, done not called. Blocks: what
 * PID 1 calls just before reboot(2). */
int boot_guard_fail(struct boot_guard *g, const char *file, int count);

/* The file's count (a missing file, or text that is no number, is 0; a
 * number too large is BOOT_GUARD_COUNT_MAX), and writing one (FILE.new,
 * fsync, rename, the directory fsynced): these block on the disk. -EBADF:
 * not a regular file. */
int boot_guard_read(const char *file);
int boot_guard_write(const char *file, int count);
/* -EBADF "not a regular file", -ETIMEDOUT the bound, else strerror. */
const char *boot_guard_strerror(int r);

#endif
