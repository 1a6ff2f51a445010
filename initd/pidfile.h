/* pidfile.h — a forking daemon's pid file, read by PID 1 without blocking.
 *
 * The file is read from /run only (the unit parser refuses any other
 * path): initd mounts a tmpfs there, and the lookup never leaves that file
 * system (RESOLVE_NO_XDEV), never follows a symlink and never opens
 * anything but a regular file (the inode is first opened O_PATH and
 * checked, then reopened through /proc/self/fd), so neither a path walk
 * into a hung NFS or FUSE mount nor the open of a FIFO or a device can
 * stall PID 1's loop. Reads are bounded (PIDFILE_SIZE_MAX).
 * doc/DESIGN.md §6 "Forking daemons" says why this is not a helper process.
 */
#ifndef INITD_PIDFILE_H
#define INITD_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

#define PIDFILE_SIZE_MAX 32      /* bytes: a pid and a newline, with room */
#define PIDFILE_PID_MAX  4194304 /* PID_MAX_LIMIT of a 64-bit kernel */

/* One decimal pid, 1..PIDFILE_PID_MAX, no sign, no leading zero, optionally
 * followed by one '\n': into *ret_pid. 0, -ENODATA when n is 0 (a file the
 * daemon has created but not written yet), -EINVAL, -ERANGE. */
int pidfile_parse(const char *buf, size_t n, pid_t *ret_pid);

/* Read and parse the pid file at path (relative, below dir_fd, a directory
 * on tmpfs). 0 with *ret_pid; -ENOENT while it does not exist; -ENODATA
 * while it is empty; else -errno with *ret_why a static reason ("is a
 * symbolic link", "is not a regular file", "is larger than 32 bytes",
 * "does not hold one decimal pid", "crosses a mount point"...). */
int pidfile_read_at(int dir_fd, const char *path, pid_t *ret_pid, const char **ret_why);

/* pidfile_read_at on an absolute path below /run: opens /run itself (O_PATH)
 * and checks it is a tmpfs or ramfs (-EXDEV, "/run is not a tmpfs"). */
int pidfile_read(const char *path, pid_t *ret_pid, const char **ret_why);

/* Remove a stale pid file at path (below /run, as pidfile_read) before the
 * unit starts, so that it cannot name the last run's dead daemon, or a
 * process that reused its pid. Its directory is opened as pidfile_read
 * opens the file (no symlink, no other file system). 0 (also when it was
 * not there), -errno. */
int pidfile_remove(const char *path);

#endif
