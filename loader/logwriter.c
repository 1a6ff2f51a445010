/* logwriter.c — the log writer process (initd/logwriter.h), initd-loader's
 * mode `--log-writer`; PID 1's side is initd/logwriter.c. Records from
 * PID 1 on fd 3, appended to their files, rotated, synced. It may block on
 * the disk: that is what it is for. It trusts nothing in a record it has
 * not checked, and keeps at most FILES_MAX files open (fewer when its fd
 * limit says so). */
#include "initd/logwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/logtime.h"
#include "common/util.h"

#define SOCK_FD     3
/* Files held open at once: past it each record to another file closes
 * (and syncs) the least recently used one, so the table covers every unit
 * an appliance logs to files. Two fds each (the file, its directory). */
#define FILES_MAX   1024
#define FILES_FDS_SPARE 16          /* fds besides the table's */
#define SYNC_USEC   USEC_PER_SEC    /* fdatasync a file this long after its first unsynced write */
#define IDLE_USEC   (10 * USEC_PER_SEC)   /* close a regular file this long after it */
#define ROTATE_RETRY_USEC (5 * USEC_PER_SEC)   /* after a rotation the directory refused */
#define DEVICE_STALL_USEC (100 * USEC_PER_MSEC)   /* a device taking no byte that long */
#define DEVICE_WRITE_USEC USEC_PER_SEC            /* a record's whole write to a device */
#define DEVICE_RETRY_MS   10                      /* a device's write tried again */
#define DEVICE_REST_USEC  USEC_PER_SEC            /* then it is left alone that long */

struct wfile {
	char path[UNIT_LOG_PATH_MAX + 1];
	uint32_t hash;           /* of path: most slots are told apart by it */
	char name[NAME_MAX + 1]; /* its last component, where the walk's links led */
	int fd;                  /* -1: slot free */
	int dirfd;               /* its directory: opens and renames are in it */
	bool unit_dir;           /* the directory is one a unit may change */
	uint64_t size;           /* bytes in the file (regular files) */
	bool regular;            /* only a regular file is rotated */
	bool dirty;              /* written since the last sync */
	uint64_t dirty_since;    /* first write since the last sync, monotonic */
	bool entries_dirty;      /* created or renamed in its directory since */
	uint64_t written_usec;   /* last write, monotonic */
	uint64_t used;           /* for closing the least recently used */
	bool mid_line;           /* the last byte written was not a newline */
	bool tail_open;          /* the file ended mid-line when opened, not by us */
	uint64_t failed;         /* lines not written since the last success */
	bool skip;               /* a piece of a line was dropped: its rest, at the
	                          * head of the next records, is dropped too */
	uint64_t rotate_after;   /* monotonic: no rotation tried before (one refused) */
	uint64_t rest_until;     /* monotonic: a device left alone until (it took nothing) */
	bool failing;            /* said so already */
};

static struct wfile *files;
static size_t files_max;
static uint64_t use_tick;

bool logwriter_requested(int argc, char **argv)
{
	return argc == 2 && strcmp(argv[1], "--log-writer") == 0;
}

/* One message to PID 1, which logs it; dropped if the socket is full, and
 * at most SAY_BURST a minute (a file that cannot be opened would otherwise
 * fill initd's log with one message per record). */
#define SAY_BURST 10
static void _printf_(1, 2) say(const char *fmt, ...)
{
	static uint64_t window_usec;
	static unsigned said;
	char text[512];
	va_list ap;
	int n;

	if (now_usec() - window_usec >= 60 * USEC_PER_SEC) {
		window_usec = now_usec();
		said = 0;
	}
	if (said++ >= SAY_BURST)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(text) - 1)
		n = sizeof(text) - 1;
	if (n > 0 && send(SOCK_FD, text, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* PID 1 is not listening: nothing else to tell */
	}
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t k = 0;

	for (const char *e = p + n; p < e && (p = memchr(p, '\n', (size_t)(e - p))); p++)
		k++;
	return k;
}

/* f's directory, walked from / with its missing directories made
 * (path_walk). This process is root, and a unit may own a directory on
 * the path (directories.logs): every symlink is followed by the walk, not
 * the kernel, and only in a directory only root may change, so that where
 * one of root's leads through a unit's directory that one is judged too;
 * in any other directory the file must be its only link (file_open). So
 * no unit can aim root's appends, renames or truncation at a file of its
 * choosing. Later renames and opens are in the fd, not by path. */
static int dir_open(struct wfile *f)
{
	bool trusted;
	int fd = path_walk(f->path, PATH_WALK_MKDIR, f->name, &trusted);

	if (fd < 0)
		return fd;
	f->unit_dir = !trusted;
	f->dirfd = fd;
	return 0;
}

/* Does f's open regular file (st its fstat) end without a newline? A
 * writer killed mid-line, a power cut, another program's output. Read
 * through a second fd (the file's is O_WRONLY), taken only if it is the
 * same file. */
static bool file_ends_mid_line(const struct wfile *f, const struct stat *st)
{
	_cleanup_close_ int fd = openat(f->dirfd, f->name, O_RDONLY | O_CLOEXEC | O_NOCTTY |
					O_NONBLOCK | O_NOFOLLOW);
	struct stat rst;
	char c;

	return fd >= 0 && fstat(fd, &rst) == 0 && rst.st_dev == st->st_dev &&
	       rst.st_ino == st->st_ino && pread(fd, &c, 1, (off_t)f->size - 1) == 1 && c != '\n';
}

/* Is a file at path, in the open directory dirfd, one in /dev itself: the
 * path under /dev/ (as the set check takes a possible device), the
 * directory on /dev's own filesystem (devtmpfs; /dev/shm is a tmpfs of
 * its own)? Nothing is made there: a missing name is a device not there
 * yet (a serial driver loaded late), and a regular file in its place
 * would keep the kernel from making its node. */
static bool in_dev(const char *path, int dirfd)
{
	struct stat dir, dev;

	return strncmp(path + strspn(path, "/"), "dev/", 4) == 0 && fstat(dirfd, &dir) == 0 &&
	       stat("/dev", &dev) == 0 && dir.st_dev == dev.st_dev;
}

/* f's file in its open directory; *why says what was refused when errno
 * alone would not. Only a regular file or a device: an open of a FIFO
 * would wait for a reader, a write to one for room, and every unit's logs
 * with it. The fd stays O_NONBLOCK: a device's waits are device_write's. */
static int file_open(struct wfile *f, bool truncate, const char **why)
{
	/* No O_TRUNC: a truncation waits for the checks below. O_NOFOLLOW
	 * everywhere: the walk followed the links root made (the kernel
	 * would follow one on through a unit's directory). */
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
	struct stat st;

	*why = NULL;
	f->fd = openat(f->dirfd, f->name, flags);
	if (f->fd < 0 && errno == ENOENT && in_dev(f->path, f->dirfd)) {
		*why = "no such device (yet): nothing is made in /dev in its place";
		return -ENOENT;
	}
	if (f->fd < 0 && errno == ENOENT) {
		/* Made here: its directory's entry wants a sync too. */
		f->fd = openat(f->dirfd, f->name, flags | O_CREAT | O_EXCL, 0640);
		f->entries_dirty |= f->fd >= 0;
		/* EEXIST: a file made since the first open. */
		if (f->fd < 0 && errno == EEXIST)
			f->fd = openat(f->dirfd, f->name, flags | O_CREAT, 0640);
	}
	if (f->fd < 0) {
		if (errno == ELOOP)
			*why = f->unit_dir ? "a symlink in a directory a unit may change" :
					     "a symlink made since the walk";
		return -errno;
	}
	if (fstat(f->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
		*why = "not a regular file or a device";
	else if (S_ISREG(st.st_mode) && f->unit_dir && st.st_nlink != 1)
		*why = "a hard link, in a directory a unit may change";
	if (*why) {
		f->fd = safe_close(f->fd);
		return -EPERM;
	}
	f->regular = S_ISREG(st.st_mode);
	if (truncate && f->regular && ftruncate(f->fd, 0) == 0)
		st.st_size = 0;
	f->size = f->regular ? (uint64_t)st.st_size : 0;
	/* A line this slot cut (its file shut since, or its rotation
	 * refused) goes on; any other unended line is ended first. */
	f->mid_line = f->mid_line && f->size > 0;
	f->tail_open = !f->mid_line && f->size > 0 && file_ends_mid_line(f, &st);
	return 0;
}

/* Sync f's data, and, when asked, its directory if an open made the file
 * or a rotation renamed it there: only then (a directory fsync per closed
 * file would cost one per record once more files are busy than the table
 * holds). */
static void file_sync(struct wfile *f, bool dir)
{
	if (f->fd >= 0 && f->dirty)
		fdatasync(f->fd);
	f->dirty = false;
	if (dir && f->entries_dirty && f->dirfd >= 0)
		fsync(f->dirfd);
	f->entries_dirty = f->entries_dirty && !dir;
}

/* Its fds closed, its file synced; the slot stays f's, with the count of
 * lines it could not take, until a record opens it again. */
static void file_shut(struct wfile *f)
{
	file_sync(f, true);
	f->fd = safe_close(f->fd);
	f->dirfd = safe_close(f->dirfd);
}

/* The slot free again, its file synced and closed. */
static void file_close(struct wfile *f)
{
	file_shut(f);
	*f = (struct wfile){ .fd = -1, .dirfd = -1 };
}

/* f's directory and file, opened; a failure is said (and f stays shut). */
static void file_reopen(struct wfile *f)
{
	const char *why = NULL;
	int r = dir_open(f);

	if (r == 0)
		r = file_open(f, false, &why);
	if (r < 0) {
		say("%s: cannot open: %s", f->path, why ? why : strerror(-r));
		file_shut(f);
	}
}

/* The slot for path (a slot is used while its path is set): its open file,
 * or, when it cannot be opened, a shut one that counts what it could not
 * take. Past files_max paths the least recently used one is closed. */
static uint32_t path_hash(const char *p)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	while (*p)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static struct wfile *file_get(const char *path)
{
	struct wfile *free_slot = NULL, *lru = NULL;
	uint32_t hash = path_hash(path);

	for (size_t i = 0; i < files_max; i++) {
		struct wfile *f = &files[i];

		if (f->path[0] && f->hash == hash && strcmp(f->path, path) == 0) {
			f->used = ++use_tick;
			if (f->fd < 0)
				file_reopen(f);
			return f;
		}
		if (!f->path[0] && !free_slot)
			free_slot = f;
		if (f->path[0] && (!lru || f->used < lru->used))
			lru = f;
	}
	if (!free_slot) {
		file_close(lru);
		free_slot = lru;
	}
	*free_slot = (struct wfile){ .fd = -1, .dirfd = -1, .used = ++use_tick, .hash = hash };
	snprintf(free_slot->path, sizeof(free_slot->path), "%s", path);
	file_reopen(free_slot);
	return free_slot;
}

/* FILE -> FILE.1 -> ... -> FILE.keep (the oldest goes), then a new FILE;
 * with keep 0 the file starts again empty. -errno when FILE could not be
 * moved aside (FILE is open again then, as full as it was) or reopened. */
static int file_rotate(struct wfile *f, unsigned keep)
{
	char from[NAME_MAX + 16], to[NAME_MAX + 16];   /* + ".4294967295" */
	const char *why;
	int moved = 0, r;

	file_sync(f, false);
	f->fd = safe_close(f->fd);
	for (unsigned i = keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", f->name, i - 1);
		snprintf(to, sizeof(to), "%s.%u", f->name, i);
		if (renameat(f->dirfd, from, f->dirfd, to) < 0 && errno != ENOENT)
			say("%s.%u: cannot rotate: %s", f->path, i - 1, strerror(errno));
	}
	if (keep > 0) {
		snprintf(to, sizeof(to), "%s.1", f->name);
		if (renameat(f->dirfd, f->name, f->dirfd, to) < 0)
			moved = -errno;
	}
	f->entries_dirty = true;
	r = file_open(f, keep == 0, &why);
	if (moved < 0)
		say("%s: cannot rotate: %s (lines are dropped until it can)", f->path,
		    strerror(-moved));
	else if (r < 0)
		say("%s: cannot reopen after rotating: %s", f->path, why ? why : strerror(-r));
	return moved < 0 ? moved : r;
}

/* A device's write (its fd is O_NONBLOCK): n bytes, or fewer with -errno
 * in *err. It waits while the device takes bytes, but not past
 * DEVICE_STALL_USEC without one nor DEVICE_WRITE_USEC in all: then -EAGAIN,
 * and the device is left alone for DEVICE_REST_USEC, its lines counted. A
 * serial line stopped by flow control must not hold every other file's
 * lines; one that sends steadily (a tty says POLLOUT only once its buffer
 * is nearly empty, so the write is tried again every DEVICE_RETRY_MS) is
 * not cut. */
static size_t device_write(struct wfile *f, const char *p, size_t n, int *err)
{
	uint64_t start = now_usec(), progress = start, now;
	size_t done = 0;

	*err = 0;
	while (done < n) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLOUT };
		ssize_t k = write(f->fd, p + done, n - done);

		now = now_usec();
		if (k > 0) {
			done += (size_t)k;
			progress = now;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno != EAGAIN) {
			*err = -errno;
			break;
		}
		if (now - progress >= DEVICE_STALL_USEC || now - start >= DEVICE_WRITE_USEC) {
			f->rest_until = now + DEVICE_REST_USEC;
			*err = -EAGAIN;
			break;
		}
		if (poll(&pfd, 1, DEVICE_RETRY_MS) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			*err = -EIO;
			break;
		}
	}
	return done;
}

/* A regular file's write: n bytes, or, when it fails (a full disk takes
 * part of a write, then says ENOSPC), -errno in *err and only the whole
 * lines that went in: the rest is cut off again, so that no part of a line
 * stays to be glued to the next line or the marker, and f->size stays
 * the file's (its rotation is at max_size). The lines cut off are counted
 * by the caller. */
static size_t regular_write(struct wfile *f, const char *p, size_t n, int *err)
{
	size_t done = 0, whole;
	const char *nl;
	struct stat st;
	off_t end;

	*err = 0;
	while (done < n) {
		ssize_t k = write(f->fd, p + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*err = k < 0 ? -errno : -ENOSPC;
			break;
		}
		done += (size_t)k;
	}
	nl = done ? memrchr(p, '\n', done) : NULL;
	whole = nl ? (size_t)(nl - p) + 1 : 0;
	if (done == n || done == whole)
		return done;
	/* The cut is from the end of our own write (O_APPEND leaves the
	 * offset there), not at f->size: bytes another program appended
	 * since the open stay. Only while that is still the file's end:
	 * bytes appended after our write would be cut instead of ours (an
	 * append between the fstat and the truncation still would: no call
	 * does both). */
	end = lseek(f->fd, 0, SEEK_CUR);
	if (end < (off_t)(done - whole) || fstat(f->fd, &st) < 0 || st.st_size != end ||
	    ftruncate(f->fd, end - (off_t)(done - whole)) < 0)
		return done;   /* the cut line stays; the marker starts a line after it */
	return whole;
}

/* p[0..n) into f: the bytes written (all of them, or fewer when it failed,
 * said once until a write works). */
static size_t file_write(struct wfile *f, const char *p, size_t n)
{
	int r = 0;
	size_t done;

	if (f->regular)
		done = regular_write(f, p, n, &r);
	else
		done = device_write(f, p, n, &r);
	if (done > 0) {
		f->mid_line = p[done - 1] != '\n';
		f->size += done;
		f->written_usec = now_usec();
		/* The sync (and the check that the path still names the file)
		 * is timed from here: a file written every second would push
		 * a sync timed from its last write back for ever. */
		if (!f->dirty)
			f->dirty_since = f->written_usec;
		f->dirty = true;
	}
	if (r < 0) {
		if (!f->failing)
			say("%s: cannot write: %s (lines are dropped until it can)", f->path,
			    strerror(-r));
		f->failing = true;
		return done;
	}
	f->failing = false;
	return done;
}

/* "STAMP [initd: N lines dropped]" into f, at the time it is written. */
static bool file_marker(struct wfile *f, uint64_t lines)
{
	struct timespec ts;
	char stamp[LOGTIME_SIZE], text[LOGTIME_SIZE + 64];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	logtime_format(stamp, (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000);
	/* On a line of its own, even after a record cut mid-line. */
	n = snprintf(text, sizeof(text), "%s%s [initd: %llu lines dropped]\n",
		     f->mid_line ? "\n" : "", stamp, (unsigned long long)lines);
	return file_write(f, text, (size_t)n) == (size_t)n;
}

/* How much of p[0..n) to write before f must rotate: whole lines that fit
 * under max, or 0 when f must rotate first; an empty file takes at least
 * one line, however long (a line is never split across files). */
static size_t fits(const struct wfile *f, const char *p, size_t n, uint64_t max)
{
	size_t room;
	const char *nl;

	if (!f->regular || f->size + n <= max)
		return n;
	room = f->size < max ? (size_t)(max - f->size) : 0;
	nl = room ? memrchr(p, '\n', room < n ? room : n) : NULL;
	if (nl)
		return (size_t)(nl - p) + 1;
	if (f->size > 0)
		return 0;
	nl = memchr(p, '\n', n);
	return nl ? (size_t)(nl - p) + 1 : n;
}

/* The lines of p[0..n) f drops: each newline, and the piece of a line
 * the text ends in, whose rest f then drops too (file_skip_rest): PID 1's
 * next record goes on with that line, and its rest, written, followed the
 * marker without its stamp. */
static uint64_t file_drop(struct wfile *f, const char *p, size_t n)
{
	bool piece = n > 0 && p[n - 1] != '\n';

	if (piece)
		f->skip = true;
	return count_lines(p, n) + piece;
}

/* The rest of a line f dropped a piece of, at the head of a record, taken
 * off it (the line was counted with its piece). A record PID 1 sent with
 * a count of its own starts a line: logwriter_feed dropped that rest, and
 * counted the line at its end, as f did with its piece: f's count gives it
 * back, so that the marker counts that line once. (PID 1's refusals began
 * right after the last record f got, inside the line: its count always
 * holds it.) */
static void file_skip_rest(struct wfile *f, const struct logwriter_hdr *h, const char **p,
			   size_t *n)
{
	const char *nl;

	if (!f->skip)
		return;
	if (h->dropped) {
		f->skip = false;
		if (f->failed)   /* it holds the piece's count since the skip began */
			f->failed--;
		return;
	}
	nl = memchr(*p, '\n', *n);
	if (!nl) {
		*p += *n;           /* still that line */
		*n = 0;
		return;
	}
	f->skip = false;
	*n -= (size_t)(nl + 1 - *p);
	*p = nl + 1;
}

/* Write p[0..n) into f, rotating as often as max asks: the count of lines
 * that did not go in. */
static uint64_t file_write_rotating(struct wfile *f, const char *p, size_t n,
				    const struct logwriter_hdr *h)
{
	bool rotated = false;
	size_t w;

	while (n > 0) {
		/* A line the last record cut goes on in the same file while
		 * there is room: whole when it ends in this record (a line is
		 * not split across files), cut at max when it still goes on
		 * (a line that never ends); its next piece rotates the file. */
		bool rest = f->mid_line && f->size < h->max_size;
		const char *nl = rest ? memchr(p, '\n', n) : NULL;
		size_t room = rest ? (size_t)(h->max_size - f->size) : 0;
		size_t k = !rest ? fits(f, p, n, h->max_size) : nl ? (size_t)(nl - p) + 1 :
			   n < room ? n : room;

		/* Twice in a row is a rotation that made no room: another
		 * writer refilled the file. One the directory refused is not
		 * tried again for ROTATE_RETRY_USEC. */
		if (k == 0) {
			if (rotated || now_usec() < f->rotate_after)
				return file_drop(f, p, n);
			if (file_rotate(f, h->keep) < 0) {
				f->rotate_after = now_usec() + ROTATE_RETRY_USEC;
				return file_drop(f, p, n);
			}
			rotated = true;
			continue;
		}
		rotated = false;
		w = file_write(f, p, k);
		/* A line cut by it counts; so does the piece of one the record
		 * ends in (its newline, in a later record, would be counted
		 * only if that one were dropped too). */
		if (w < k)
			return file_drop(f, p + w, n - w);
		p += k;
		n -= k;
	}
	return 0;
}

/* Is f full, and its rotation refused a moment ago, or a device that took
 * nothing? Nothing goes in then, not even the marker, until it may try
 * again. */
static bool file_stuck(const struct wfile *f, const struct logwriter_hdr *h)
{
	uint64_t now = now_usec();

	return now < f->rest_until ||
	       (f->regular && f->size >= h->max_size && now < f->rotate_after);
}

/* Lines PID 1 dropped and lines this file refused are said, with their
 * count, before the next lines that do go in. */
static void record_write(const struct logwriter_hdr *h, const char *path, const char *data)
{
	struct wfile *f = file_get(path);
	size_t n = h->data_len;
	uint64_t lost;

	file_skip_rest(f, h, &data, &n);
	if (n == 0 && !h->dropped)
		return;             /* all of it the rest of a line dropped */
	if (f->fd < 0 || file_stuck(f, h)) {
		f->failed += h->dropped + file_drop(f, data, n);
		return;
	}
	lost = h->dropped + f->failed;
	/* A line another writer left unended is ended first: ours, glued
	 * on, would read as the end of it. */
	if (f->tail_open && file_write(f, "\n", 1) != 1) {
		f->failed = lost + file_drop(f, data, n);
		return;
	}
	f->tail_open = false;
	if (lost && !file_marker(f, lost)) {
		f->failed = lost + file_drop(f, data, n);
		return;
	}
	f->failed = file_write_rotating(f, data, n, h);
	if (f->fd < 0)
		file_shut(f);   /* reopened at its next record, its count kept */
}

/* Is the file at path a character device (a serial line, the console), or
 * in /dev itself (in_dev: a device, or one not there yet, its lines
 * refused)? Looked at where it is, walked as dir_open does (making
 * nothing): a path missing elsewhere is no device. */
static bool path_is_device(const char *path)
{
	char name[NAME_MAX + 1];
	bool trusted;
	struct stat st;
	_cleanup_close_ int dirfd = path_walk(path, 0, name, &trusted);

	return dirfd >= 0 && (in_dev(path, dirfd) ||
			      (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			       S_ISCHR(st.st_mode)));
}

/* A post-mortem of the unit whose log file is at log_path: into the file
 * beside it, unless that is a device or in /dev itself
 * (LOGWRITER_POSTMORTEM), or its name would not fit (PID 1 keeps the
 * record in memory either way). */
static void postmortem_write(const struct logwriter_hdr *h, const char *log_path,
			     const char *data)
{
	char path[UNIT_LOG_PATH_MAX + 1];

	if (path_is_device(log_path))
		return;
	snprintf(path, sizeof(path), "%s", log_path);
	if (unit_postmortem_path(path, sizeof(path)) > 0)
		record_write(h, path, data);
}

/* A record from PID 1, checked: its header's bounds, and lengths that add
 * up to what was received. */
static void record_take(const char *buf, size_t n)
{
	struct logwriter_hdr h;
	char path[UNIT_LOG_PATH_MAX + 1];

	if (n < sizeof(h))
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != LOGWRITER_MAGIC || h.path_len < 2 || h.path_len > UNIT_LOG_PATH_MAX ||
	    h.data_len > LOGWRITER_DATA_MAX || n != sizeof(h) + h.path_len + h.data_len ||
	    h.keep > UNIT_LOG_KEEP_MAX || h.max_size < UNIT_LOG_SIZE_MIN ||
	    h.max_size > UNIT_LOG_SIZE_MAX || (h.flags & ~LOGWRITER_POSTMORTEM) || h.unused)
		return;
	memcpy(path, buf + sizeof(h), h.path_len);
	path[h.path_len] = '\0';
	if (path[0] != '/' || strlen(path) != h.path_len)
		return;
	if (h.flags & LOGWRITER_POSTMORTEM)
		postmortem_write(&h, path, buf + sizeof(h) + h.path_len);
	else
		record_write(&h, path, buf + sizeof(h) + h.path_len);
}

/* Is f's open file still the one its path names, on a filesystem that
 * answers? Not when it was deleted (no link left), renamed away or
 * replaced (logrotate's move), or its filesystem went (EIO, ENODEV,
 * ESTALE; one unmounted and mounted again names another inode): lines
 * written to it would reach no file anybody reads. The path is walked
 * again (as dir_open does, making nothing): a look in the directory fd
 * held would miss a root symlink on the way aimed elsewhere, a
 * filesystem mounted over a directory on it, a directory on it renamed or
 * replaced. The directory and the entry it finds must be the ones held,
 * the directory judged as it was (a file in one a unit may change now
 * must pass file_open's checks again). */
static bool file_current(const struct wfile *f)
{
	char name[NAME_MAX + 1];
	struct stat st, at, dst, dat;
	bool trusted;
	_cleanup_close_ int dirfd = path_walk(f->path, 0, name, &trusted);

	return dirfd >= 0 && trusted == !f->unit_dir && fstat(f->fd, &st) == 0 &&
	       st.st_nlink > 0 &&
	       fstat(f->dirfd, &dst) == 0 && fstat(dirfd, &dat) == 0 &&
	       dst.st_dev == dat.st_dev && dst.st_ino == dat.st_ino &&
	       fstatat(dirfd, name, &at, AT_SYMLINK_NOFOLLOW) == 0 &&
	       st.st_dev == at.st_dev && st.st_ino == at.st_ino;
}

/* f's sync, due: a regular file that is no longer its path's, or whose
 * sync failed as a gone filesystem fails, is shut, and opened again by
 * its path (walked anew) at its next record. */
static void file_sync_due(struct wfile *f)
{
	int r = f->dirty && fdatasync(f->fd) < 0 ? -errno : 0;

	f->dirty = false;
	file_sync(f, true);
	if (!f->regular)
		return;
	if (r == -EIO || r == -ENODEV || r == -ESTALE || !file_current(f)) {
		say("%s: %s; opened again by its path at its next line", f->path,
		    r < 0 ? strerror(-r) : "no longer the file its path names");
		file_shut(f);
	}
}

/* Sync files whose first unsynced write is SYNC_USEC old (however often
 * they are written since: a busy file is synced, and checked, once a
 * second too), and close regular files
 * IDLE_USEC after their last write, so that a stopped unit's file does not
 * keep its filesystem busy (an unmount, a removed disk) and a file deleted
 * meanwhile is made again; a device stays open (closing a serial line may
 * hang it up). The poll timeout until the next is due, -1 when none. */
static int sync_due(bool all)
{
	uint64_t now = now_usec(), next = UINT64_MAX;

	for (size_t i = 0; i < files_max; i++) {
		struct wfile *f = &files[i];
		uint64_t due;

		if (f->fd < 0)
			continue;
		if (f->dirty && (all || now - f->dirty_since >= SYNC_USEC))
			file_sync_due(f);
		if (f->fd >= 0 && f->regular && !f->dirty && now - f->written_usec >= IDLE_USEC)
			file_shut(f);   /* the slot and its counts stay */
		if (f->fd < 0 || (!f->dirty && !f->regular))
			continue;
		due = f->dirty ? f->dirty_since + SYNC_USEC : f->written_usec + IDLE_USEC;
		if (due - now < next)
			next = due - now;
	}
	return next == UINT64_MAX ? -1 : (int)(next / USEC_PER_MSEC) + 1;
}

/* The table: FILES_MAX slots, or what the fd limit (raised to its hard
 * one) leaves room for; a writer that cannot have it exits, and PID 1
 * starts another after its backoff. */
static void files_table(void)
{
	struct rlimit rl;
	size_t fit = FILES_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur < 2 * FILES_MAX + FILES_FDS_SPARE)
			fit = rl.rlim_cur >= 2 + FILES_FDS_SPARE ?
			      (size_t)(rl.rlim_cur - FILES_FDS_SPARE) / 2 : 1;
	}
	files = calloc(fit, sizeof(*files));
	if (!files) {
		say("no memory for %zu files", fit);
		_exit(1);
	}
	files_max = fit;
	for (size_t i = 0; i < files_max; i++)
		files[i] = (struct wfile){ .fd = -1, .dirfd = -1 };
}

_Noreturn void logwriter_main(void)
{
	static char buf[LOGWRITER_RECORD_MAX + 1];

	/* Nobody reads our memory; only SIGKILL (PID 1's bound) ends us
	 * early: the stream's end is what says we are done. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Exec'd from a memfd: its name in ps and the kernel's lines. */
	prctl(PR_SET_NAME, "initd-logwriter");
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	files_table();
	for (;;) {
		struct pollfd p = { .fd = SOCK_FD, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, sync_due(false)) <= 0)
			continue;
		n = recv(SOCK_FD, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;    /* the end of the stream (or PID 1's end is gone) */
		record_take(buf, (size_t)n);
	}
	for (size_t i = 0; i < files_max; i++)
		if (files[i].fd >= 0)
			file_close(&files[i]);
	_exit(0);
}
