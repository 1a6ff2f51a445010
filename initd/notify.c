/* notify.c — see notify.h. */
#include "initd/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"

struct notify_server {
	struct loop *loop;
	struct loop_watch watch;
	char path[108];
	notify_fn fn;
	void *ctx;
	int drain_max;          /* the socket's backlog, plus one (drain) */
};

/* At most digits digits (18 at most: no overflow), no sign, value <= max. */
static bool parse_digits(const char *s, size_t len, size_t digits, long max, long *ret)
{
	long v = 0;

	if (len == 0 || len > digits)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*ret = v;
	return true;
}

static bool parse_int(const char *s, size_t len, long max, long *ret)
{
	return parse_digits(s, len, 10, max, ret);
}

static void copy_status(char *out, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < NOTIFY_STATUS_MAX; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			out[n++] = s[i];
	out[n] = '\0';
}

/* One KEY=VALUE line; returns true when it was understood. */
static bool parse_line(const char *line, size_t len, struct notify_msg *m)
{
	const char *eq = memchr(line, '=', len);
	size_t klen, vlen;
	const char *v;
	long n;

	if (!eq)
		return false;
	klen = (size_t)(eq - line);
	v = eq + 1;
	vlen = len - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
#define ONE (vlen == 1 && v[0] == '1')
	if (KEY("READY") && ONE)
		return (m->ready = true);
	if (KEY("STOPPING") && ONE)
		return (m->stopping = true);
	if (KEY("RELOADING") && ONE)
		return (m->reloading = true);
	if (KEY("WATCHDOG") && ONE)
		return (m->watchdog = true);
	if (KEY("STATUS")) {
		copy_status(m->status, v, vlen);
		return (m->has_status = true);
	}
	if (KEY("ERRNO") && parse_int(v, vlen, 4095, &n)) {
		m->errno_value = (int)n;
		return true;
	}
	if (KEY("MAINPID") && parse_int(v, vlen, 0x3fffffff, &n) && n > 0) {
		m->mainpid = (pid_t)n;
		return true;
	}
	/* at most ten years, the longest duration a unit may give */
	if (KEY("EXTEND_TIMEOUT_USEC") && parse_digits(v, vlen, 15, NOTIFY_EXTEND_MAX_USEC, &n) &&
	    n > 0) {
		m->extend_usec = (uint64_t)n;
		return true;
	}
#undef KEY
#undef ONE
	return false;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *ret)
{
	bool any = false;

	memset(ret, 0, sizeof(*ret));
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t l = nl ? (size_t)(nl - buf) : len;

		if (l > 0 && !memchr(buf, '\0', l))
			any |= parse_line(buf, l, ret);
		buf += l;
		len -= l;
		if (nl) {
			buf++;
			len--;
		}
	}
	return any ? 0 : -EBADMSG;
}

/* Reads and hands on at most max datagrams; stops when none is left. */
static void datagrams_read(struct notify_server *s, int fd, int max)
{
	for (int i = 0; i < max; i++) {
		char buf[NOTIFY_DATAGRAM_MAX + 1];
		union {
			struct cmsghdr hdr;
			char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 8)];
		} control;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = &control, .msg_controllen = sizeof(control) };
		struct ucred *cred = NULL;
		struct notify_msg msg;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
				cred = (struct ucred *)CMSG_DATA(c);
			else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				/* FDSTORE is not supported: close them (a kernel
				 * before 6.16 could not refuse them, util.h) */
				int *fds = (int *)CMSG_DATA(c);
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t j = 0; j < k; j++)
					close(fds[j]);
			}
		}
		if (!cred || cred->pid <= 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    n > NOTIFY_DATAGRAM_MAX)
			continue;   /* unattributable or oversized: ignored */
		if (notify_parse(buf, (size_t)n, &msg) == 0)
			s->fn(s->ctx, cred->pid, cred->uid, &msg);
	}
}

static void datagram_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	/* Bounded per wakeup: a flood cannot monopolise the loop. */
	datagrams_read(data, fd, 64);
}

/* The socket's backlog, read when it is made: net.unix.max_dgram_qlen of
 * initd's network namespace (10 by default, 512 where systemd's sysctl is
 * kept), plus one. 64 if it cannot be read; at most 65536. */
static int backlog_plus_one(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/net/unix/max_dgram_qlen", O_RDONLY | O_CLOEXEC);
	long v = 0;

	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	safe_close(fd);
	return v > 0 ? (int)(v < 65535 ? v + 1 : 65536) : 64;
}

int notify_server_new(struct loop *l, const char *path, notify_fn fn, void *ctx,
		      struct notify_server **ret)
{
	struct notify_server *s;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->drain_max = backlog_plus_one();
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		free(s);
		return -errno;
	}
	unlink(path);
	/* Any service, whatever its user, may tell initd it is ready: the
	 * message is attributed by the kernel's credentials, not its content. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		r = -errno;
		goto fail;
	}
	/* FDSTORE is not supported, and any user may write here (util.h) */
	r = socket_refuse_fds(fd);
	if (r < 0)
		goto fail;
	s->loop = l;
	s->fn = fn;
	s->ctx = ctx;
	strcpy(s->path, path);
	s->watch = (struct loop_watch){ .fd = fd, .fn = datagram_ready, .data = s };
	r = loop_watch_add_urgent(l, &s->watch, EPOLLIN);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	close(fd);
	free(s);
	return r;
}

void notify_server_free(struct notify_server *s)
{
	if (!s)
		return;
	loop_watch_del(s->loop, &s->watch);
	close(s->watch.fd);
	unlink(s->path);
	free(s);
}

/* Before a reap, what the process sent must be read, however many
 * datagrams are ahead of it: the whole backlog. A flood of new ones
 * meanwhile cannot hold the loop longer. */
void notify_server_drain(struct notify_server *s)
{
	if (s)
		datagrams_read(s, s->watch.fd, s->drain_max);
}
