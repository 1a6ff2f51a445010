/* dirs.h — a unit's managed directories (issue 15, directories = { }).
 *
 * The spawned child makes them (dirs_make), as the host's root, before it
 * enters its namespaces: under /run, /var/lib, /var/log, /var/cache, each
 * component opened with O_NOFOLLOW so a symlink planted on the way fails
 * the start instead of redirecting the chown; the last one chowned to the
 * unit's user and group and chmod'ed through its own fd, even when it
 * existed. Doing it in the child keeps disk I/O (/var/lib may be a slow
 * disk) out of PID 1's loop.
 *
 * When the unit stops, PID 1 renames each runtime directory aside (one
 * rename on /run's tmpfs: no I/O to wait for, and a start that follows at
 * once makes a fresh directory) and forks a short-lived helper that removes
 * the renamed tree, bounded in depth, entries and time (dirs_remove_runtime).
 * Both walk from /run one directory fd at a time with O_NOFOLLOW: a
 * directory on the way may be another unit's, which could swap a
 * component for a link out of /run.
 */
#ifndef INITD_DIRS_H
#define INITD_DIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "units/unit.h"

#define DIRS_PATH_MAX (16 + UNIT_DIR_NAME_MAX)    /* "/var/cache/NAME" and NUL */
#define DIRS_MAX (UNIT_DIR_KIND_MAX * UNIT_DIRS_MAX)

/* Child: make every directory of u, owned by uid:gid, mode u->opt->dirs.mode.
 * Their host paths go to paths[] (NULL-terminated; the strings are static
 * storage: the child execs or exits). 0, or -errno with the failing path
 * in why (size bytes). */
int dirs_make(const struct unit *u, uid_t uid, gid_t gid, char *paths[DIRS_MAX + 1],
	      char *why, size_t size);

/* PID 1: the unit stopped; remove its runtime directories (see above),
 * but those held(NAME, data) says another unit still uses (it lists the
 * same one, or one below it): they go with the last of them. Never
 * waits; what fails is logged. */
void dirs_remove_runtime(const struct unit *u, bool (*held)(const char *name, void *data),
			 void *data);

#endif
