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
 * the count (a unit failing right after the settle, seen in the VM tier).
 *
 * Only a regular file is read or written: it is opened O_NONBLOCK and
 * checked, since a FIFO put at that path would block its opener forever.
 *
 * The file lives on the data mount in practice: a slow or hung disk may
 * block its I/O, so during the boot it happens in children PID 1 waits for
 * through a pipe, bounded by BOOT_GUARD_TIMEOUT_USEC (past it the boot goes
 * on without the guard, and says so).
 */
#ifndef INITD_BOOT_GUARD_H
#define INITD_BOOT_GUARD_H

#include <stdint.h>

#include "initd/loop.h"

#define BOOT_GUARD_TIMEOUT_USEC (10 * 1000000ULL)
#define BOOT_GUARD_COUNT_MAX    1000000    /* a larger number in the file is garbage */

struct boot_guard;

/* count: the failed boots in a row before this one (the file's number; a
 * missing file is 0), or -errno (-ETIMEDOUT: the child hung, killed). When
 * count < max the file now holds count + 1. */
typedef void (*boot_guard_fn)(int count, void *data);

/* Start the check-and-count child. 0 (done will be called once, from the
 * loop) or -errno. *ret, if not NULL, is for boot_guard_cancel. */
int boot_guard_begin(struct loop *l, const char *file, unsigned max, boot_guard_fn done,
		     void *data, struct boot_guard **ret);
void boot_guard_cancel(struct boot_guard *g);   /* accepts NULL; done is not called */

/* Write 0 from a child (the reaper collects it); *ret tracks it until it
 * exits, then done(0, data) is called and it is freed. 0 or -errno (of the
 * fork, or the pidfd: then no child runs). */
int boot_guard_reset(struct loop *l, const char *file, boot_guard_fn done, void *data,
		     struct boot_guard **ret);

/* A failure action ends the boot: g (a reset or a check in flight, or
 * NULL) is killed and waited for, BOOT_GUARD_TIMEOUT_USEC at most (past it,
 * -ETIMEDOUT and nothing written), and freed; then count is written. Blocks:
 * what PID 1 calls just before reboot(2). */
int boot_guard_fail(struct boot_guard *g, const char *file, int count);

/* The file's count (a missing file is 0), and writing one (with fsync):
 * these block on the disk. -EINVAL: not a regular file. */
int boot_guard_read(const char *file);
int boot_guard_write(const char *file, int count);
const char *boot_guard_strerror(int r);   /* -EINVAL: "not a regular file" */

#endif
