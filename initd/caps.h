/* caps.h — a service's capabilities (libcap; the only module that includes
 * it: doc/DESIGN.md §2). Called in the forked child, in this order:
 *
 *   caps_limit_bounding   while still root: every capability outside the
 *                         declared set leaves the bounding set
 *   caps_keep_across_uid  before setresuid, for a non-root user with
 *                         declared capabilities (PR_SET_KEEPCAPS)
 *   caps_apply            after setresuid: permitted = effective = declared;
 *                         root: inheritable and ambient cleared (exec gives
 *                         root the bounding set); another user: the declared
 *                         set raised as ambient, which the kernel allows only
 *                         for capabilities that are also inheritable
 *
 * A unit without `capabilities` keeps what its user gets anyway (root: all,
 * others: none): PID 1 drops its own inheritable and ambient sets at start
 * (caps_drop_inheritable), so that nothing its caller gave it reaches a
 * service through a file-capability binary. Each returns 0 or -errno.
 */
#ifndef INITD_CAPS_H
#define INITD_CAPS_H

#include <stdbool.h>
#include <stdint.h>

int caps_limit_bounding(uint64_t keep);
int caps_keep_across_uid(void);
int caps_drop_inheritable(void);
int caps_apply(uint64_t keep, bool root);

/* Highest capability number this kernel knows, + 1. */
unsigned caps_kernel_max(void);

#endif
