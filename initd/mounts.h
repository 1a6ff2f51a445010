/* mounts.h — initd.conf's mounts: mounted at boot before any unit starts,
 * unmounted in reverse at shutdown (issue 14, doc/DESIGN.md "Mounts").
 *
 * Waiting for a device, reading superblocks for LABEL=/UUID=, fsck and
 * mount(2) of a slow disk can all block, so PID 1 never does them: a
 * helper (initd-loader's mode, mount_helper.h: exec'd by a child of PID 1
 * reset as every one is, child.h) works through the entries in order and
 * reports {index, kind, stage, errno, status} records
 * down a pipe. PID 1 reads them from its loop and bounds each entry with its
 * timeout: a helper stuck past it is killed, the entry fails naming the
 * stage it hung in, and a new helper goes on with the next entry. The
 * helper shares PID 1's mount namespace, so its mounts are PID 1's.
 *
 * A failed entry that is required and has an on_failure other than "none"
 * ends the mounting there: done() gets the failure and the caller runs the
 * action. Any other failure is logged and skipped.
 */
#ifndef INITD_MOUNTS_H
#define INITD_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "initd/loop.h"
#include "units/unit.h"

/* Where a mount is, or where it stopped. */
enum mount_stage {
	MOUNT_STAGE_DEVICE,   /* waiting for the device, resolving LABEL=/UUID= */
	MOUNT_STAGE_FORMAT,   /* `format`: the signature check, mke2fs */
	MOUNT_STAGE_FSCK,
	MOUNT_STAGE_MKDIR,    /* the mount point (and an overlay's upper/work) */
	MOUNT_STAGE_MOUNT,
	MOUNT_STAGE_MAX,
};

enum mount_state {
	MOUNT_PENDING,
	MOUNT_ACTIVE,         /* the helper works on it */
	MOUNT_MOUNTED,
	MOUNT_FAILED,
	MOUNT_STATE_MAX,
};

/* What became of one entry (why, when it failed). */
struct mount_status {
	char *where;          /* copied from the conf */
	bool required;
	enum failure_action on_failure;
	enum mount_state state;
	enum mount_stage stage;
	char why[128];        /* "fsck: e2fsck exit 8", "timed out waiting for the device" */
};

struct mounts;

/* Every entry handled (failed is NULL), or a required one with an action
 * failed (failed names it; its why and on_failure say what to do). */
typedef void (*mounts_done_fn)(struct mounts *ms, const struct mount_status *failed, void *data);

/* Start mounting conf's mounts. conf must stay valid until done() is
 * called (or mounts_cancel). 0 or -errno; done is called from the loop,
 * also when there is nothing to mount. */
int mounts_start(struct loop *l, const struct initd_conf *conf, mounts_done_fn done, void *data,
		 struct mounts **ret);

/* Stop a mounting in flight (done is not called): the helper is killed.
 * The record of what was mounted stays for mounts_unmount. */
void mounts_cancel(struct mounts *ms);
void mounts_free(struct mounts *ms);   /* accepts NULL */

/* For requires_mounts: true when where was mounted at boot; otherwise
 * false with the reason in why ("mount /data failed: ..."). ms may be
 * NULL (nothing was mounted). */
bool mounts_is_mounted(const struct mounts *ms, const char *where, char *why, size_t size);

/* Shutdown (boot_final): unmount what was mounted, in reverse order; a
 * busy one is remounted read-only instead, said in the log. Blocking: only
 * after every service stopped. Accepts NULL. */
void mounts_unmount(struct mounts *ms);

const char *mount_stage_to_string(enum mount_stage s);

#endif
