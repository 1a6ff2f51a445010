/* final_sync.h — the final phase's writes to disk (the syncs, the
 * unmounts), run in a child of PID 1 and bounded by their progress.
 *
 * sync(2), umount(2) and a read-only remount wait for the disk, and a
 * dead disk (or NFS server) never answers: run in PID 1 they would keep
 * the machine from its reboot for good, a machine without a watchdog
 * forever. In a child, PID 1 waits only while something moves: the
 * kernel's dirty and writeback pages go down, or the child starts its next
 * step. Once nothing has moved for the bound (initd.conf's sync_timeout),
 * PID 1 says which step hung and goes on to reboot(2) without it; the
 * child stays stuck in the kernel. A slow disk still writing gets all the
 * time it needs (up to a watchdog's shutdown timeout, if it took one). */
#ifndef INITD_FINAL_SYNC_H
#define INITD_FINAL_SYNC_H

#include <stddef.h>
#include <stdint.h>

/* How often PID 1 looks at the child's progress (and pets a watchdog
 * still armed: one whose shutdown timeout the hardware refused). */
#define FINAL_SYNC_TICK_MSEC 250
/* A step's name, as the child reports it: longer ones are cut. */
#define FINAL_SYNC_STEP_MAX 64

struct watchdog;

/* Where the kernel's dirty and writeback pages are read: /proc/meminfo
 * (the unit tests point it at a file of their own). */
extern const char *final_sync_meminfo;

/* What runs in the child: each step announced first with final_sync_step
 * on fd (the report pipe), so that a hang names it. */
typedef void final_sync_fn(int fd, void *data);
void final_sync_step(int fd, const char *name);

/* Run fn(fd, data) in a child of PID 1 (its signals reset first, none of
 * PID 1's fds kept but stdio and the kernel log's) and wait for fn's
 * return, petting wd (NULL: none) meanwhile. 0 when it returned;
 * -ETIMEDOUT when nothing moved for stall_usec, the child then sent
 * SIGKILL (it dies when the kernel lets it); -ECHILD when the child died
 * before, said in the log. `stuck` (size bytes) holds the last step begun.
 * When no child can be made, fn runs in PID 1 itself, unbounded and
 * unpetted, as it would without this module: -errno of the fork. */
int final_sync_run(final_sync_fn *fn, void *data, uint64_t stall_usec, struct watchdog *wd,
		   char *stuck, size_t size);

#endif
