/* client.c — see client.h. */
#include "svctl/client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"
#include "svctl/clean.h"

int exit_code_for_errno(uint32_t err)
{
	switch (err) {
	case ENOENT:
		return SVCTL_EXIT_NOT_FOUND;
	case EACCES:
	case EPERM:
		return SVCTL_EXIT_DENIED;
	case EUSERS:                  /* initd has too many clients */
		return SVCTL_EXIT_UNREACHABLE;
	case EBADMSG:
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
	case EMSGSIZE:
		return SVCTL_EXIT_PROTOCOL;
	default:
		return SVCTL_EXIT_FAILED;
	}
}

int client_connect(struct client *c, const char *path, uint64_t timeout_usec)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = (time_t)(timeout_usec / USEC_PER_SEC),
		.tv_usec = (suseconds_t)(timeout_usec % USEC_PER_SEC),
	};

	c->fd = -1;
	c->path = path;
	c->timeout_usec = timeout_usec;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "svctl: socket path too long: %s\n", path);
		return SVCTL_EXIT_USAGE;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "svctl: socket: %s\n", strerror(errno));
		return SVCTL_EXIT_UNREACHABLE;
	}
	/* A unix connect() waits for room in the backlog up to SO_SNDTIMEO;
	 * request writes are bounded by it too. */
	if (timeout_usec)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		client_close(c);
		if (e == EAGAIN || e == EINPROGRESS) {
			fprintf(stderr, "svctl: cannot connect to %s: initd is not accepting "
				"connections (timed out)\n", path);
		} else if (e == EACCES || e == EPERM) {
			fprintf(stderr, "svctl: cannot connect to %s: %s (only root, initd's own "
				"user, or the control group may use it)\n", path, strerror(e));
			return SVCTL_EXIT_DENIED;
		} else {
			fprintf(stderr, "svctl: cannot connect to %s: %s%s\n", path, strerror(e),
				e == ENOENT || e == ECONNREFUSED ? " (is initd running?)" : "");
		}
		return SVCTL_EXIT_UNREACHABLE;
	}
	return SVCTL_EXIT_OK;
}

void client_close(struct client *c)
{
	c->fd = safe_close(c->fd);
}

/* initd closed before taking the request: it may have said why first
 * (e.g. too many clients). Show that reply if there is one. */
static int send_refused(struct client *c, int err)
{
	struct reply rep;
	bool eof;
	int r;

	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, 1, 100) == 1 &&
	    (r = client_recv(c, 100 * USEC_PER_MSEC, &rep, &eof)) == SVCTL_EXIT_OK && !eof) {
		r = reply_check(&rep);
		reply_free(&rep);
		if (r != SVCTL_EXIT_OK)
			return r;
	}
	fprintf(stderr, "svctl: initd closed the connection: %s\n", strerror(err));
	return SVCTL_EXIT_UNREACHABLE;
}

int client_send(struct client *c, const struct proto_buf *msg)
{
	const uint8_t *p = msg->data;
	size_t left = msg->len;

	if (msg->error) {
		fprintf(stderr, "svctl: cannot build the request: %s\n", strerror(-msg->error));
		return msg->error == -EMSGSIZE ? SVCTL_EXIT_USAGE : SVCTL_EXIT_FAILED;
	}
	while (left) {
		ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return send_refused(c, errno);
			if (errno == EAGAIN)
				fprintf(stderr, "svctl: initd does not read the request (timed out)\n");
			else
				fprintf(stderr, "svctl: cannot send to initd: %s\n", strerror(errno));
			return SVCTL_EXIT_UNREACHABLE;
		}
		p += n;
		left -= (size_t)n;
	}
	return SVCTL_EXIT_OK;
}

/* recv, and the fd that came with the bytes (initd's metrics text) into
 * *ret_fd if it holds none yet: any other is closed. */
static ssize_t recv_rights(int fd, void *buf, size_t n, int *ret_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} rights;
	struct iovec iov = { buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = &rights, .msg_controllen = sizeof(rights) };
	ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	for (struct cmsghdr *cm = r >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		size_t k = cm->cmsg_len > CMSG_LEN(0) ? (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < k; i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*ret_fd < 0)
				*ret_fd = got;
			else
				close(got);
		}
	}
	return r;
}

/* Read exactly n bytes before the deadline (0 = none), and an fd sent with
 * them into *ret_fd. Returns 1, 0 on EOF before the first byte,
 * -ETIMEDOUT, -EPIPE on EOF midway, -errno. */
static int read_exact(int fd, void *buf, size_t n, uint64_t deadline, int *ret_fd)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout_ms = -1;
		ssize_t r;

		if (deadline) {
			uint64_t now = now_usec();

			if (now >= deadline)
				return -ETIMEDOUT;
			timeout_ms = poll_timeout_ms(deadline, now);
		}
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			continue;      /* deadline check above */
		r = recv_rights(fd, p + got, n - got, ret_fd);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET)
				return got ? -EPIPE : 0;
			return -errno;
		}
		if (r == 0)
			return got ? -EPIPE : 0;
		got += (size_t)r;
	}
	return 1;
}

static int recv_failed(struct client *c, int r, uint64_t timeout_usec)
{
	char d[32];

	if (r == -ETIMEDOUT) {
		format_duration(d, sizeof(d), timeout_usec);
		fprintf(stderr, "svctl: no reply from initd within %s (see --timeout)\n", d);
		return SVCTL_EXIT_UNREACHABLE;
	}
	if (r == -EPIPE) {
		fprintf(stderr, "svctl: initd closed the connection in the middle of a reply\n");
		return SVCTL_EXIT_PROTOCOL;
	}
	fprintf(stderr, "svctl: cannot read from initd: %s\n", strerror(-r));
	return SVCTL_EXIT_UNREACHABLE;
}

int client_recv(struct client *c, uint64_t timeout_usec, struct reply *ret, bool *eof)
{
	uint64_t deadline = timeout_usec ? now_usec() + timeout_usec : 0;
	uint8_t h[PROTO_HDR_SIZE];
	struct reply rep = { .fd = -1 };
	int r;

	*eof = false;
	r = read_exact(c->fd, h, sizeof(h), deadline, &rep.fd);
	if (r <= 0)
		rep.fd = safe_close(rep.fd);
	if (r == 0) {
		*eof = true;
		return SVCTL_EXIT_OK;
	}
	if (r < 0)
		return recv_failed(c, r, timeout_usec);
	r = proto_hdr_decode(h, PROTO_REPLY_MAX, &rep.hdr);
	if (r < 0) {
		fprintf(stderr, "svctl: bad reply from initd: %s\n",
			r == -EPROTONOSUPPORT ? "protocol version mismatch" :
			r == -EMSGSIZE ? "reply too large" : "not a control message");
		reply_free(&rep);
		return SVCTL_EXIT_PROTOCOL;
	}
	rep.payload = malloc(rep.hdr.len ? rep.hdr.len : 1);
	if (!rep.payload) {
		fprintf(stderr, "svctl: out of memory\n");
		reply_free(&rep);
		return SVCTL_EXIT_FAILED;
	}
	if (rep.hdr.len) {
		r = read_exact(c->fd, rep.payload, rep.hdr.len, deadline, &rep.fd);
		if (r <= 0) {
			reply_free(&rep);
			return recv_failed(c, r == 0 ? -EPIPE : r, timeout_usec);
		}
	}
	*ret = rep;
	return SVCTL_EXIT_OK;
}

void reply_free(struct reply *r)
{
	free(r->payload);
	r->payload = NULL;
	r->fd = safe_close(r->fd);
}

int reply_check(const struct reply *r)
{
	struct proto_attr_view a;
	const char *msg = NULL;
	uint32_t err = 0;

	if (r->hdr.type == PROTO_REPLY_OK)
		return SVCTL_EXIT_OK;
	if (r->hdr.type != PROTO_REPLY_ERROR) {
		fprintf(stderr, "svctl: unexpected reply type %u from initd\n",
			(unsigned)r->hdr.type);
		return SVCTL_EXIT_PROTOCOL;
	}
	if (proto_attr_find(r->payload, r->hdr.len, PROTO_ATTR_ERRNO, &a) == 1)
		(void)proto_get_u32(&a, &err);
	if (proto_attr_find(r->payload, r->hdr.len, PROTO_ATTR_MESSAGE, &a) == 1)
		(void)proto_get_str(&a, &msg);
	if (!msg || !*msg)
		msg = err ? strerror((int)err) : "initd reported an error";
	fputs("svctl: ", stderr);
	print_clean_n(stderr, msg, strlen(msg), "\n\t");   /* names from files, units */
	fputc('\n', stderr);
	return err ? exit_code_for_errno(err) : SVCTL_EXIT_FAILED;
}

int client_call(struct client *c, const struct proto_buf *msg, struct reply *ret)
{
	struct reply rep;
	bool eof;
	int r;

	r = client_send(c, msg);
	if (r)
		return r;
	r = client_recv(c, c->timeout_usec, &rep, &eof);
	if (r)
		return r;
	if (eof) {
		fprintf(stderr, "svctl: initd closed the connection without replying\n");
		return SVCTL_EXIT_PROTOCOL;
	}
	r = reply_check(&rep);
	if (r) {
		reply_free(&rep);
		return r;
	}
	*ret = rep;
	return SVCTL_EXIT_OK;
}

int reply_print_failed(const char *what, int r)
{
	/* svctl's own shortage, not initd's fault: a failure (svctl(8)). */
	if (r == -ENOMEM) {
		fprintf(stderr, "svctl: %s: out of memory for initd's reply\n", what);
		return SVCTL_EXIT_FAILED;
	}
	if (r == -EPROTONOSUPPORT) {
		fprintf(stderr, "svctl: %s: initd's unit model is of another version than "
			"svctl's (an initd and svctl from two builds)\n", what);
		return SVCTL_EXIT_PROTOCOL;
	}
	if (r == -EBADF) {
		fprintf(stderr, "svctl: %s: initd passed its answer in a file descriptor that "
			"did not arrive (svctl's open-file limit, or a security module refusing "
			"it)\n", what);
		return SVCTL_EXIT_FAILED;
	}
	if (r == -EIO) {
		fprintf(stderr, "svctl: %s: cannot read initd's answer from the file "
			"descriptor it passed\n", what);
		return SVCTL_EXIT_FAILED;
	}
	fprintf(stderr, "svctl: malformed %s reply from initd\n", what);
	return SVCTL_EXIT_PROTOCOL;
}
