/* util.h — small helpers both binaries share: cleanup attributes, array
 * sizes, time, safe fd closing. Nothing here logs or exits. */
#ifndef INITD_COMMON_UTIL_H
#define INITD_COMMON_UTIL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)   /* a macro's value as a string literal */
#define USEC_PER_SEC  1000000ULL
#define USEC_PER_MSEC 1000ULL

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_(f)      __attribute__((cleanup(f)))
#define _cleanup_free_    _cleanup_(freep)
#define _cleanup_close_   _cleanup_(closep)
#define _unused_          __attribute__((unused))
#define _printf_(a, b)    __attribute__((format(printf, a, b)))

/* Hand ownership out of a cleanup variable: returns the value and resets it. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* Close fd if valid and return -1, for "fd = safe_close(fd)". */
static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
}

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);
/* poll(2)'s timeout for a deadline (monotonic usec) not yet reached at
 * now: the milliseconds left, rounded up, at most INT_MAX (a longer wait
 * is taken in turns: poll's int must not wrap into "for ever" or 0). */
int poll_timeout_ms(uint64_t deadline, uint64_t now);

/* Write all of buf to a (blocking) fd, retrying on EINTR. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read fd into buf until size bytes or end of file, retrying on EINTR:
 * the length read, or -errno. (A bounded read: ask for one byte past a
 * limit to tell a file that is too large.) */
ssize_t read_full(int fd, void *buf, size_t size);

/* mkdir -p (0755): every missing directory of path, path included. */
int mkdir_p(const char *path);

/* Whether the open directory dirfd is one only root may change (owned by
 * root, not writable by its group or others): whatever link is in it,
 * root put there. */
bool dir_root_only(int dirfd);

/* The walk root does for a path a unit names, where a unit may own a
 * directory on the way (directories.logs, an environment file's): from /,
 * one fd per directory, each opened O_NOFOLLOW; each symlink followed by
 * the walk itself (so every directory its target leads through is judged
 * too), and only in a directory only root may change (dir_root_only), at
 * most 40. Left to the kernel, a link root made would be followed on
 * through a unit's directory, to wherever the unit points the rest.
 * PATH_WALK_USERNS: the caller is in a user namespace of a unit's own,
 * where no owner tells root's directories from the unit's: no directory
 * is trusted, no link followed. PATH_WALK_MKDIR: missing directories
 * (not the last component) are made 0755, only those the path itself
 * names: one a symlink's target names is missing (-ENOENT), as the
 * kernel's walk says (a link to a mount point not mounted yet).
 * Returns the fd of the last component's directory (the caller's to
 * close) with that component in ret_name (it may be missing, or a symlink
 * in a directory not trusted: open it O_NOFOLLOW) and in *ret_trusted
 * whether its directory is only root's; or -EINVAL (not absolute),
 * -ELOOP (a symlink not followed, or more than 40), -EISDIR (no last
 * component: "/"), -errno. */
#define PATH_WALK_USERNS 1u
#define PATH_WALK_MKDIR  2u
int path_walk(const char *path, unsigned flags, char ret_name[NAME_MAX + 1], bool *ret_trusted);

/* The absolute path opened for reading (O_CLOEXEC, O_NOCTTY, O_NONBLOCK)
 * by root for a file a unit names, through path_walk (userns:
 * PATH_WALK_USERNS); a file in a directory not trusted must be its only
 * link. So a unit cannot make root read a file of its choosing (another
 * unit's secrets) for it. The fd, or -ELOOP (a symlink not followed, or
 * more than 40), -EMLINK (another hard link), -errno. */
int open_read_trusted(const char *path, bool userns);

/* Refuse file descriptors sent to the AF_UNIX socket fd (a sender's
 * SCM_RIGHTS then fails with EPERM; an accepted socket inherits it from
 * its listener). A received fd that PID 1 closes may be the last
 * reference, and its release runs in PID 1: a FUSE file whose server
 * never answers, a TCP socket lingering on a peer that never reads, and
 * PID 1 waits uninterruptibly. 1; 0 on a kernel before Linux 6.16,
 * which has no SO_PASSRIGHTS (the fds are taken and closed as before: the
 * risk stays); -errno. */
int socket_refuse_fds(int fd);

/* A numeric uid or gid, the one rule for the unit parser and for spawn's
 * lookups: decimal digits only (no sign, no space), no leading zero ("0"
 * alone is root), below (uid_t)-1, which means "no id". 0, or -EINVAL
 * (not that form) or -ERANGE (too large), *ret untouched. */
int parse_id(const char *s, uint32_t *ret);

/* The n-th (from 0) field of a line of blank-separated fields (a /proc
 * table's): its start, *len its length; NULL when the line has fewer.
 * PID 1 reads its /proc and cgroup files with this and strtoul, not
 * sscanf: glibc's scanf brings ~110 KiB of code (the wide-character and
 * floating-point conversions) that a static PID 1 would keep resident. */
const char *str_field(const char *line, unsigned n, size_t *len);

/* One line of f into buf, as fgets; a line longer than buf leaves its head
 * in buf and the rest is read and dropped, so the next call starts at the
 * next line (a /proc table's long options never read as a line of their
 * own). false at the end of the file. */
bool fgets_line(char *buf, int size, FILE *f);

/* v's decimal digits at p, NUL-terminated (p needs room for 21 bytes);
 * returns where the NUL went. No printf: svctl's status table makes a few
 * numbers a unit, and at 1000 units snprintf was a third of its
 * instructions. */
char *u64_digits(char *p, uint64_t v);

/* "KEY N" on a line of text (a cgroup's cpu.stat, memory.events,
 * pids.events): 0 and *ret, -ENOENT (no such line) or -EBADMSG (N is not
 * a number). PID 1's statistics and svctl's status table read with it. */
int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret);

/* Format a duration ("1.5s", "20ms", "3min 2s") into buf, cut to size as
 * snprintf would. Returns buf. */
const char *format_duration(char *buf, size_t size, uint64_t usec);

#endif
