/* proc.c — see proc.h. */
#include "initd/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

/* Field i of a /proc line as a number >= 0, or -1 if it is not one. */
static long number_field(const char *line, unsigned i)
{
	size_t n;
	const char *f = str_field(line, i, &n);
	char *end;
	long v;

	if (!f)
		return -1;
	v = strtol(f, &end, 10);
	return end == f + n ? v : -1;
}

/* /proc/PID/stat into buf, *ret_fields at what follows comm: 0, -errno
 * (-ESRCH: gone). comm is in parentheses and may hold anything, ')'
 * included (it is at most 16 bytes, so the line's head always fits): the
 * fields start after the last ')'. */
static int stat_read(pid_t pid, char *buf, size_t size, const char **ret_fields)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	const char *p;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	*ret_fields = p + 1;
	return 0;
}

int proc_stat_ids(pid_t pid, pid_t *ret_ppid, pid_t *ret_sid)
{
	char buf[1024];
	const char *p;
	long ppid, sid;
	int r = stat_read(pid, buf, sizeof(buf), &p);

	if (r < 0)
		return r;
	/* " STATE PPID PGRP SID ..." */
	ppid = number_field(p, 1);
	sid = number_field(p, 3);
	if (ppid < 0 || sid < 0)
		return -EBADMSG;
	*ret_ppid = (pid_t)ppid;
	*ret_sid = (pid_t)sid;
	return 0;
}

static bool skip_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF)
		if (c == '\n')
			return true;
	return false;
}

int proc_cgroup_path_read(FILE *f, char *buf, size_t size)
{
	static const char v2[] = "0::/";

	if (size == 0)
		return -EINVAL;
	for (;;) {
		size_t i = 0, len = 0;
		int c = EOF;

		/* Match the line's head against "0::/" one byte at a time. */
		while (i < sizeof(v2) - 1 && (c = getc(f)) == v2[i])
			i++;
		if (i < sizeof(v2) - 1) {
			if (c == EOF || (c != '\n' && !skip_line(f)))
				return -ENOENT;
			continue;
		}
		while ((c = getc(f)) != EOF && c != '\n') {
			if (len < size - 1)
				buf[len] = (char)c;
			if (len < INT32_MAX)
				len++;
		}
		buf[len < size - 1 ? len : size - 1] = '\0';
		return (int)len;
	}
}

int proc_cgroup_path(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	r = proc_cgroup_path_read(f, buf, size);
	fclose(f);
	return r;
}

int proc_real_uid(pid_t pid, uid_t *ret)
{
	char path[64], line[256];
	long uid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (uid < 0 && fgets_line(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0)
			uid = number_field(line + 4, 0);
	fclose(f);
	if (uid < 0)
		return -EBADMSG;
	*ret = (uid_t)uid;
	return 0;
}

#define PROC_PF_EXITING 0x4UL   /* include/linux/sched.h: PF_EXITING */

/* /proc/PID/stat's state and flags say it is exiting or dead: 1, 0, -errno. */
static int stat_dying(pid_t pid)
{
	char buf[1024];
	const char *p;
	size_t n;
	long flags;
	int r = stat_read(pid, buf, sizeof(buf), &p);

	if (r < 0)
		return r;
	/* " STATE PPID PGRP SID TTY TPGID FLAGS ..." */
	flags = number_field(p, 6);
	p = str_field(p, 0, &n);
	if (!p || n != 1 || flags < 0)
		return -EBADMSG;
	return strchr("ZXx", *p) || ((unsigned long)flags & PROC_PF_EXITING);
}

/* SIGKILL pending in /proc/PID/status (the thread's or the group's): 1, 0,
 * -errno. */
static int sigkill_pending(pid_t pid)
{
	char path[64], line[256];
	unsigned long long mask;
	int seen = 0, r = 0;
	char *end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (seen < 2 && fgets_line(line, sizeof(line), f)) {
		if (strncmp(line, "SigPnd:", 7) && strncmp(line, "ShdPnd:", 7))
			continue;
		seen++;
		/* strtoull, not sscanf: glibc's scanf and its locale code are
		 * 120 KiB of the static PID 1, all of it resident (issue 19) */
		errno = 0;
		mask = strtoull(line + 7, &end, 16);
		if (!errno && end != line + 7 && (mask & (1ULL << (SIGKILL - 1))))
			r = 1;
	}
	fclose(f);
	return seen == 2 ? r : -EBADMSG;
}

int proc_dying(pid_t pid)
{
	int r = stat_dying(pid);

	return r != 0 ? r : sigkill_pending(pid);
}

bool pidfd_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 0;
}
