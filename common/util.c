/* util.c — see util.h. */
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

int poll_timeout_ms(uint64_t deadline, uint64_t now)
{
	uint64_t ms = deadline > now ? (deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC : 0;

	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* glibc 2.36's headers predate it: asm-generic's value, which x86 and
 * arm64 use (alpha, mips, parisc and sparc number their options apart:
 * there, without the headers, nothing is set) */
#if !defined(SO_PASSRIGHTS) && (defined(__x86_64__) || defined(__i386__) || \
				defined(__aarch64__) || defined(__arm__) || defined(__riscv))
#define SO_PASSRIGHTS 83
#endif

int socket_refuse_fds(int fd)
{
#ifdef SO_PASSRIGHTS
	int zero = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof(zero)) == 0)
		return 1;
	if (errno != ENOPROTOOPT)
		return -errno;
#else
	(void)fd;
#endif
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

char *u64_digits(char *p, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = digits[--n];
	*p = '\0';
	return p;
}

const char *format_duration(char *buf, size_t size, uint64_t usec)
{
	/* The largest unit usec holds one of, then (unit2 not 0) what is left
	 * in unit2: "4.9s", "3min 2s", "2d 5h". */
	static const struct {
		uint64_t unit, unit2;
		char name[5], name2[4];
	} range[] = {
		{ 1, 0, "us", "" },
		{ USEC_PER_MSEC, 0, "ms", "" },
		{ USEC_PER_SEC, USEC_PER_SEC / 10, ".", "s" },
		{ 60 * USEC_PER_SEC, USEC_PER_SEC, "min ", "s" },
		{ 3600 * USEC_PER_SEC, 60 * USEC_PER_SEC, "h ", "min" },
		{ 86400 * USEC_PER_SEC, 3600 * USEC_PER_SEC, "d ", "h" },
	};
	char text[48], *p;
	size_t i = 0, n;

	while (i + 1 < ARRAY_SIZE(range) && usec >= range[i + 1].unit)
		i++;
	p = stpcpy(u64_digits(text, usec / range[i].unit), range[i].name);
	if (range[i].unit2)
		p = stpcpy(u64_digits(p, usec % range[i].unit / range[i].unit2), range[i].name2);
	n = (size_t)(p - text);
	if (size) {
		n = n < size ? n : size - 1;
		memcpy(buf, text, n);
		buf[n] = '\0';
	}
	return buf;
}

bool fgets_line(char *buf, int size, FILE *f)
{
	size_t n;
	int c;

	if (!fgets(buf, size, f))
		return false;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n')
		while ((c = getc(f)) != EOF && c != '\n')
			;
	return true;
}

const char *str_field(const char *line, unsigned n, size_t *len)
{
	static const char blank[] = " \t\n";
	const char *p = line + strspn(line, blank);

	for (; *p; p += strspn(p, blank)) {
		size_t k = strcspn(p, blank);

		if (n-- == 0) {
			*len = k;
			return p;
		}
		p += k;
	}
	return NULL;
}

int parse_id(const char *s, uint32_t *ret)
{
	uint64_t v = 0;
	size_t n = strspn(s, "0123456789");

	if (n == 0 || s[n] || (s[0] == '0' && n > 1))
		return -EINVAL;
	/* ten digits at most: no overflow of v before the bound is checked */
	if (n > 10)
		return -ERANGE;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v >= UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*p = c;
	}
}

int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *end;
		unsigned long long v;

		if (strncmp(p, key, len) != 0 || p[len] != ' ')
			continue;
		errno = 0;
		v = strtoull(p + len + 1, &end, 10);
		if (errno || end == p + len + 1)
			return -EBADMSG;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}

bool dir_root_only(int dirfd)
{
	struct stat st;

	return fstat(dirfd, &st) == 0 && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* The path's next component (its slashes skipped) into name; *p moves past
 * it. 0, -EISDIR (nothing left: a directory), -ENAMETOOLONG. */
static int next_name(const char **p, char name[NAME_MAX + 1], bool *last)
{
	size_t len;

	*p += strspn(*p, "/");
	len = strcspn(*p, "/");
	if (len == 0 || len > NAME_MAX)
		return len ? -ENAMETOOLONG : -EISDIR;
	memcpy(name, *p, len);
	name[len] = '\0';
	*p += len;
	*last = (*p)[strspn(*p, "/")] == '\0';
	return 0;
}

/* The symlink name in dirfd, followed: its target and the rest of the path
 * (rest, which may lie in buf) become buf; an absolute target walks again
 * from /. 0 or -errno. */
static int follow(int *dirfd, const char *name, const char *rest, char buf[PATH_MAX])
{
	char target[PATH_MAX], tmp[PATH_MAX];
	ssize_t n = readlinkat(*dirfd, name, target, sizeof(target) - 1);
	int fd;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (snprintf(tmp, sizeof(tmp), "%s/%s", target, rest) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(buf, tmp, sizeof(tmp));
	if (target[0] != '/')
		return 0;
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(*dirfd);
	*dirfd = fd;
	return 0;
}

/* name, a component of the walk that is not its last, in dirfd: a
 * directory, opened (O_NOFOLLOW: the walk follows links itself), made
 * 0755 first when missing and PATH_WALK_MKDIR asks. */
static int walk_into(int dirfd, const char *name, bool missing, unsigned flags)
{
	int fd;

	if (missing && !(flags & PATH_WALK_MKDIR))
		return -ENOENT;
	if (missing && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int path_walk(const char *path, unsigned flags, char ret_name[NAME_MAX + 1], bool *ret_trusted)
{
	char buf[PATH_MAX], name[NAME_MAX + 1];
	const char *p = buf;
	int dirfd, fd, links = 0;
	/* The tail of buf still the caller's path: only its directories are
	 * made. One a link's target names is the link's maker's to provide:
	 * /var/log/app -> /mnt/usb/logs before /mnt/usb is mounted must not
	 * make logs on the filesystem under the mount point. */
	size_t literal = strlen(path);

	if (path[0] != '/' || snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return path[0] != '/' ? -EINVAL : -ENAMETOOLONG;
	dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	for (;;) {
		bool last, trusted, missing = false;
		struct stat st;
		size_t left = strlen(p + strspn(p, "/"));   /* from this component on */

		fd = next_name(&p, name, &last);
		if (fd < 0)
			break;
		/* In a unit's own user namespace owners show as it maps
		 * them: root of the initial one, which it does not map, as
		 * the overflow uid, as every other owner it does not map, and
		 * as its own uid 65534 does. No directory can be told a
		 * unit's from root's there: none is trusted. */
		trusted = !(flags & PATH_WALK_USERNS) && dir_root_only(dirfd);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			fd = -errno;
			if (fd != -ENOENT)
				break;
			missing = true;
		}
		/* Every link is followed here, not by the kernel: the
		 * directories a trusted link leads through are judged too.
		 * A link in any other directory is left to the caller's
		 * O_NOFOLLOW when it is the last component. */
		if (!missing && S_ISLNK(st.st_mode) && (trusted || !last)) {
			size_t rest = strlen(p);

			fd = !trusted || ++links > 40 ? -ELOOP : follow(&dirfd, name, p, buf);
			if (fd < 0)
				break;
			literal = literal < rest ? literal : rest;
			p = buf;
			continue;
		}
		if (last) {
			memcpy(ret_name, name, sizeof(name));
			*ret_trusted = trusted;
			return dirfd;
		}
		fd = walk_into(dirfd, name, missing,
			       left <= literal ? flags : flags & ~PATH_WALK_MKDIR);
		if (fd < 0)
			break;
		close(dirfd);
		dirfd = fd;
	}
	close(dirfd);
	return fd;
}

int open_read_trusted(const char *path, bool userns)
{
	char name[NAME_MAX + 1];
	bool trusted;
	struct stat st;
	int dirfd = path_walk(path, userns ? PATH_WALK_USERNS : 0, name, &trusted), fd;

	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	fd = fd < 0 ? -errno : fd;
	close(dirfd);
	/* Another hard link, in a directory a unit may change, may be the
	 * unit's to a file it may not read. */
	if (fd >= 0 && !trusted && (fstat(fd, &st) < 0 || (!S_ISDIR(st.st_mode) && st.st_nlink != 1))) {
		close(fd);
		fd = -EMLINK;
	}
	return fd;
}
