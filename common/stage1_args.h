/* stage1_args.h — what the stage 1 of a disk image (stage1/stage1.c) reads
 * before the root exists: its words on the kernel command line and its
 * list of modules. Apart from stage1.c, which acts on them (fail() and
 * power off), so that the reading is tested (tests/unit/test_stage1.c).
 *
 *   initd.root=PARTUUID=8-4-4-4-12   the root partition (required)
 *   initd.rootfstype=TYPE            default squashfs
 *   initd.rootwait=SECS              how long to wait for it, default 30
 */
#ifndef INITD_COMMON_STAGE1_ARGS_H
#define INITD_COMMON_STAGE1_ARGS_H

#include <stddef.h>
#include <stdio.h>

#define STAGE1_CMDLINE_MAX      4096
#define STAGE1_MODULES_MAX      64
#define STAGE1_MODULE_NAME_MAX  127
#define STAGE1_ROOTWAIT_DEFAULT 30
#define STAGE1_ROOTWAIT_MAX     600

struct stage1_args {
	char root[64];          /* the PARTUUID text */
	char fstype[32];
	unsigned rootwait;      /* seconds */
};

/* Parse the command line text (NUL-terminated, at most STAGE1_CMDLINE_MAX
 * bytes looked at) into *ret, its words split as the kernel and initd
 * split them (common/cmdline_word.h: quotes dropped). 0, or -EINVAL with
 * why in err (size bytes): no initd.root, or a value of ours that is empty,
 * too long (root 63 bytes, fstype 31), not PARTUUID=, or a rootwait that
 * is not decimal seconds. A rootwait past STAGE1_ROOTWAIT_MAX is that. */
int stage1_args_parse(const char *text, struct stage1_args *ret, char *err, size_t size);

/* The module names of f (one a line, '#' comments, blank lines) into
 * names; their count into *ret_n. 0, or with why in err (size bytes)
 * -E2BIG for more than STAGE1_MODULES_MAX names, -ENAMETOOLONG for a line
 * longer than STAGE1_MODULE_NAME_MAX bytes: a list that cannot be read
 * whole is not loaded in part. */
int stage1_modules_read(FILE *f, char (*names)[STAGE1_MODULE_NAME_MAX + 1], size_t *ret_n,
			char *err, size_t size);

#endif
