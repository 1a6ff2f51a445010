/* mount_helper.h — the child that does the blocking part of initd.conf's
 * mounts (mounts.h): wait for the device, resolve LABEL=/UUID=/PARTUUID=,
 * format a blank device (`format`), fsck, mkdir, mount(2). It reports each step to PID 1 as fixed-size records, one
 * write each (smaller than PIPE_BUF, so never torn).
 *
 * LABEL= and UUID= are resolved by /dev/disk/by-label|by-uuid when a device
 * manager made them, else by reading the ext2/3/4 superblock of every
 * block device in /sys/class/block (the image has no udev; other
 * filesystems need a device path). PARTUUID= is /dev/disk/by-partuuid's, else
 * found by reading the GPT of every disk (common/gpt.h).
 */
#ifndef INITD_MOUNT_HELPER_H
#define INITD_MOUNT_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "units/unit.h"

enum mount_report_kind {
	MOUNT_REPORT_ENTER,     /* entry `index` entered `stage` */
	MOUNT_REPORT_FAILED,    /* failed at `stage`: err, and status for fsck */
	MOUNT_REPORT_MOUNTED,
	MOUNT_REPORT_FSCK_SKIPPED,   /* fsck asked for, no tool in the image */
	MOUNT_REPORT_FSCK_FIXED,     /* the tool fixed errors: status 1 or 2 */
	MOUNT_REPORT_FORMATTED,      /* a blank device got its filesystem */
	MOUNT_REPORT_KIND_MAX,
};

struct mount_report {
	uint32_t index;
	uint8_t kind;           /* enum mount_report_kind */
	uint8_t stage;          /* enum mount_stage */
	uint16_t pad;
	int32_t err;            /* positive errno */
	int32_t status;         /* fsck's or mke2fs's exit status, or 128 + signal */
};

/* The helper: mount conf's entries from `first` on, reporting to out;
 * exits 0 when it got through them. Runs in a fresh fork of PID 1. */
_Noreturn void mount_helper_main(int out, const struct initd_conf *conf, size_t first);

/* One entry's mount(2), with its parsed flags and data; a bind mount with
 * ro, nosuid, nodev, noexec or an atime flag gets them by a remount, as
 * mount(8) does (the kernel ignores them on the bind itself). 0 or
 * -errno (the bind undone when the remount failed). */
int mount_entry(const char *dev, const char *where, const char *type, unsigned long flags,
		const char *data);

#endif
