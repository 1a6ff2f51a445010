/* root.h — how stage 1 (stage1/stage1.c) finds its root partition: a scan
 * of the disks for the PARTUUID the kernel command line names, repeated
 * until it is there or the wait is over; then its read-only mount, both
 * in a child and bounded in time. Apart from stage1.c, which acts
 * on the answer (fail() and power off), so that it is tested on a fake
 * /sys/class/block and /dev (tests/unit/test_stage1.c).
 */
#ifndef INITD_STAGE1_ROOT_H
#define INITD_STAGE1_ROOT_H

#include <stddef.h>

#include "common/gpt.h"

/* Past wait_sec, for a scan begun just before it to end. */
#define ROOT_SCAN_GRACE_SEC 2

struct root_spec {
	const char *sys_block;    /* /sys/class/block */
	const char *dev_dir;      /* /dev */
	const char *partuuid;     /* initd.root=PARTUUID=, as text */
	unsigned wait_sec;        /* initd.rootwait */
	const char *fstype;       /* initd.rootfstype */
	const char *target;       /* where it is mounted: /root */
	unsigned mount_sec;       /* how long its mount may take */
};

/* Scan for s->partuuid every 50 ms until it is found or wait_sec have
 * passed: 0 and its node in ret->dev, or -errno with why in err (size
 * bytes): -EINVAL (not a GUID), -ENOTUNIQ (on two disks, both named: at
 * once), -EAGAIN (a disk has it, its partition did not appear in time),
 * -ENOENT (no disk had it in time). */
int root_find(const struct root_spec *s, struct gpt_found *ret, char *err, size_t size);

/* root_find, then mount it read-only on s->target, both in a child that
 * may block on a disk for ever: stage 1 waits wait_sec (and
 * ROOT_SCAN_GRACE_SEC) for the find, then mount_sec for the mount. 0 and
 * the node in dev (size bytes), or -errno with why in err (err_size
 * bytes): root_find's, the mount's, or -ETIMEDOUT (a step did not end:
 * the child is left behind, killed). */
int root_mount(const struct root_spec *s, char *dev, size_t size, char *err, size_t err_size);

#endif
