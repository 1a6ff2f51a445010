/* ns.h — namespaces and the service's mount tree.
 *
 * The parent asks for namespaces as clone3 flags (ns_clone_flags) and, while
 * the child waits on its sync pipe, writes what only it may write: the uid
 * and gid maps of a user namespace, oom_score_adj. The child then builds its
 * mount tree (ns_setup_mounts): private propagation; a fresh /proc for a new
 * PID namespace; and, with a rootfs, a bind of it with a minimal /dev, /proc,
 * a read-only /sys, the unit's binds and tmpfs, every mount point resolved
 * inside the rootfs (openat2 RESOLVE_IN_ROOT, never following a symlink out),
 * then pivot_root — or, when the current root is the initramfs (which
 * pivot_root refuses), a move onto "/" and chroot, as switch_root does.
 *
 * With rootfs.from_host (issue 15) the root is rootfs.path or, without one,
 * a fresh tmpfs stacked on "/" in the child's namespace; the listed host
 * files and the libraries they need are bound read-only at their own paths
 * (parents made as needed), then what a daemon expects besides /dev and
 * /proc: a tmpfs /tmp, and the host's /etc/passwd and /etc/group when the
 * root has none.
 *
 * In a new PID namespace, the namespace's PID 1 is a reaper (reaper.h),
 * forked and exec'd before any of this: the mounts are the service's alone.
 *
 * Everything here returns 0 or -errno; child-side functions only run in the
 * forked child (they may leak: the child execs or exits).
 */
#ifndef INITD_NS_H
#define INITD_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "units/unit.h"

/* CLONE_NEW* flags for a unit's namespaces. */
uint64_t ns_clone_flags(uint32_t namespaces);

/* Parent: /proc/PID/uid_map and gid_map (the child waits meanwhile). */
int ns_write_id_maps(pid_t pid, const char *uid_map, const char *gid_map);
/* Parent: /proc/PID/oom_score_adj. */
int ns_write_oom_score_adj(pid_t pid, int adj);

/* Child: join the namespaces of namespaces_from (issue 18.4), before any
 * other setup: a source unit's through fds[k] (a pidfd of its main
 * process the parent opened, -1 if it had none), a path's by opening it
 * here (the child may block; PID 1 must not). On failure *ret_kind says
 * which (an enum unit_join). */
int ns_join(const struct unit_isolation *iso, const int *fds, int *ret_kind);

/* Child: the mount tree of the unit; libs are the files rootfs.from_host
 * needs besides its own (elf_deps_closure), NULL for none. On failure
 * *ret_stage says which step (an enum spawn_stage). */
int ns_setup_mounts(const struct unit_isolation *iso, char *const *dirs, char *const *libs,
		    int *ret_stage);

/* Child: resolve path inside the root dirfd (no escape by symlink or ".."),
 * as an O_PATH fd; create it (a directory, or an empty file when !dir)
 * when missing and create is set. */
int ns_open_in_root(int rootfd, const char *path, bool dir, bool create, int *ret_fd);

#endif
