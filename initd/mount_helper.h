/* mount_helper.h — the process that does the blocking part of initd.conf's
 * mounts (mounts.h): wait for the device, resolve LABEL=/UUID=/PARTUUID=,
 * format a blank device (`format`), fsck, mkdir, mount(2). It reports each
 * step to PID 1 as fixed-size records, one write each (smaller than
 * PIPE_BUF, so never torn).
 *
 * It is initd-loader's mode `--mount-helper` (loader/mount_helper.c; PID
 * 1's binary carries no code it does not run itself, issue 19): PID 1's
 * child execs the initd-loader PID 1 found beside itself as
 * `initd --mount-helper ENTRY...`, each entry MOUNT_HELPER_ARGS words
 * {index, what, where, type, options or "", fsck 0|1, stop 0|1 (a failure
 * runs an action: nothing after it is mounted), format's name}, with the
 * report pipe on fd 3 and the console on 0-2. A child whose exec fails
 * says so in one MOUNT_REPORT_EXEC_FAILED record.
 *
 * LABEL= and UUID= are resolved by /dev/disk/by-label|by-uuid when a device
 * manager made them, else by reading the ext2/3/4 superblock of every
 * block device in /sys/class/block (the image has no udev; other
 * filesystems need a device path). PARTUUID= is /dev/disk/by-partuuid's, else
 * found by reading the GPT of every disk (common/gpt.h).
 */
#ifndef INITD_MOUNT_HELPER_H
#define INITD_MOUNT_HELPER_H

#include <stdbool.h>
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
	MOUNT_REPORT_EXEC_FAILED,    /* the helper's exec: err (index: the first entry) */
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

#define MOUNT_HELPER_ARG  "--mount-helper"
#define MOUNT_HELPER_ARGS 8      /* words per entry on its command line */
#define MOUNT_HELPER_FD   3      /* the report pipe */

/* initd-loader's main(): is this the helper's command line? */
bool mount_helper_requested(int argc, char **argv);
/* The helper: mount the entries its command line names, in order,
 * reporting down MOUNT_HELPER_FD; exits 0 when it got through them, 2 on a
 * command line it cannot read. */
_Noreturn void mount_helper_main(int argc, char **argv);

/* One entry's mount(2), with its parsed flags and data; a bind mount with
 * ro, nosuid, nodev, noexec or an atime flag gets them by a remount, as
 * mount(8) does (the kernel ignores them on the bind itself). 0 or
 * -errno (the bind undone when the remount failed). */
int mount_entry(const char *dev, const char *where, const char *type, unsigned long flags,
		const char *data);

#endif
