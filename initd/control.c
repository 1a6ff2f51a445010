/* control.c — the control socket server. See control.h.
 *
 * Every client is a small state machine driven by the loop:
 *
 *   reading   EPOLLIN: bytes of one request, header first, then exactly the
 *             payload the header announced (never more than one request is
 *             buffered). A complete request is checked for access and
 *             dispatched; its reply is queued.
 *   writing   EPOLLOUT while the queue is not empty; no new request is read
 *             until the reply is gone, so the queue holds one reply (or the
 *             bounded stream of a deferred one).
 *   deferred  the dispatcher answers later through control_client_reply();
 *             no request is read meanwhile, the idle deadline only runs
 *             while output is waiting.
 *   closing   after a malformed header: the error reply is flushed, then
 *             the client is dropped.
 *
 * The idle deadline is re-armed at accept, at each complete request, on
 * every write that made progress and when a deferral ends: a client that
 * stalls mid-message, does not read its reply or idles is dropped.
 *
 * Nothing here blocks: sockets are non-blocking, sends use MSG_DONTWAIT and
 * MSG_NOSIGNAL, and no name service lookup happens.
 */
#include "initd/control.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"

#define CONTROL_REQUESTS_PER_WAKEUP 16   /* fairness between clients */
#define CONTROL_ACCEPTS_PER_WAKEUP  16
#define CONTROL_ACCEPT_RETRY_USEC   (100 * USEC_PER_MSEC)
#define CONTROL_PEER_GROUPS_MAX     256
#define CONTROL_OUT_MAX             (PROTO_HDR_SIZE + PROTO_REPLY_MAX)
/* Replies waiting for slow readers, all clients together: past this a
 * large reply to a client not root is refused with EBUSY (try again), not
 * queued. Without it the 56 clients of a control group could each pin 8
 * MiB of PID 1's heap (copied at every fork) by reading a byte now and
 * then. Small messages (errors, log follow chunks) are always queued, and
 * root's replies too: the group cannot keep root from them. */
#define CONTROL_OUT_SHARED_MAX      (32u << 20)
#define CONTROL_OUT_SMALL           (64u << 10)

/* One queued message: appending links it, sending frees it once the socket
 * took all of it. Nothing is ever moved, so a streamed message costs its
 * own size, whatever is still queued before it. */
struct out_chunk {
	struct out_chunk *next;
	uint8_t *data;
	size_t len, off;             /* data[off..len) still to send */
	int fd;                      /* goes with the first byte (SCM_RIGHTS),
	                              * then closed; -1: none */
};

struct control_client {
	struct control_server *server;
	struct control_client *prev, *next;
	struct loop_watch watch;
	struct loop_timer idle;
	uint32_t events;             /* as registered with epoll */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t *groups;               /* SO_PEERGROUPS at accept (may be NULL) */
	size_t n_groups;

	uint8_t *in;                 /* the request being read */
	size_t in_len, in_cap;
	struct proto_hdr hdr;
	bool have_hdr;

	struct out_chunk *out_head;  /* queued messages, oldest first */
	struct out_chunk *out_tail;
	size_t out_bytes;            /* not yet taken by the socket */

	bool deferred;               /* the dispatcher owes a reply */
	bool closing;                /* drop once the queue is flushed */
	bool rd_eof;                 /* peer shut its side; drop when done */
	bool busy;                   /* inside client_io: free later */
	bool dead;                   /* dropped; freed as soon as not busy */
};

struct control_server {
	struct loop *loop;
	struct loop_watch watch;
	struct loop_timer accept_retry;
	char *path;
	gid_t gid;
	char *group_name;
	uint64_t idle_usec;
	control_dispatch_fn dispatch;
	control_gone_fn on_gone;
	control_drained_fn on_drained;
	void *ctx;
	struct control_client *clients;
	unsigned n_clients;
	size_t out_total;            /* every client's out_bytes, root's too */
	uid_t owner;                 /* initd's own euid: root, or a user's own
	                              * initd, which its user drives (initd(8)) */
};

static void client_free(struct control_client *c);
static int client_flush(struct control_client *c);

/* The uid a peer whose own has no mapping in initd's user namespace
 * reads as (SO_PEERCRED): 65534 unless the kernel was told otherwise. */
static uid_t overflow_uid(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/overflowuid", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char *end;
	unsigned long v;

	if (fd >= 0)
		close(fd);
	v = n > 0 ? strtoul(buf, &end, 10) : 0;
	return n > 0 && end != buf && v > 0 && v < 65536 ? (uid_t)v : 65534;
}

/* initd's own user, whose peers may do what root may: root, or a user's
 * own initd. Not the overflow uid (nobody): any peer from outside initd's
 * user namespace reads as that, so an initd run as nobody has no owner
 * but root. */
static uid_t control_owner(void)
{
	uid_t me = geteuid();

	return me != 0 && me == overflow_uid() ? 0 : me;
}

/* Root, or the user initd runs as: whoever could signal initd and edit
 * its units anyway. Everything below that says "root" means this. */
static bool uid_is_admin(const struct control_server *s, uid_t uid)
{
	return uid == 0 || uid == s->owner;
}

/* ---- socket setup --------------------------------------------------------- */

/* Create the directory holding `path` (one level, 0755) if it is missing. */
static int parent_dir_ensure(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a socket left by a previous run; refuse to remove anything else. */
static int stale_socket_unlink(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Bind and listen with the final mode from birth: the socket inode is
 * 0600 before bind (fchmod on a socket sets the mode bind gives the file)
 * and the umask cannot widen it; a group socket is chowned and only then
 * opened to the group, still before listen() makes it connectable. */
static int socket_listen(const char *path, gid_t gid, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	mode_t old_umask;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);

	r = parent_dir_ensure(path);
	if (r < 0)
		return r;
	r = stale_socket_unlink(path);
	if (r < 0)
		return r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0)
		return -errno;
	/* No request carries an fd; the clients inherit this (util.h). */
	r = socket_refuse_fds(fd);
	if (r < 0)
		return r;
	old_umask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old_umask);
	if (r < 0)
		return r;
	if (gid != (gid_t)-1) {
		if (fchownat(AT_FDCWD, path, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    chmod(path, 0660) < 0) {
			r = -errno;
			unlink(path);
			return r;
		}
	}
	if (listen(fd, CONTROL_CLIENTS_MAX) < 0) {
		r = -errno;
		unlink(path);
		return r;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* ---- access --------------------------------------------------------------- */

/* The peer's supplementary groups, as the kernel had them at connect. More
 * than we look at (ERANGE) or none: the primary group alone counts. */
static void peer_groups(int fd, gid_t **ret_groups, size_t *ret_n)
{
	*ret_groups = NULL;
	*ret_n = 0;
#ifdef SO_PEERGROUPS
	{
		gid_t groups[CONTROL_PEER_GROUPS_MAX];
		socklen_t len = sizeof(groups);
		gid_t *copy;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0 || len == 0)
			return;
		copy = malloc(len);
		if (!copy)
			return;
		memcpy(copy, groups, len);
		*ret_groups = copy;
		*ret_n = len / sizeof(gid_t);
	}
#endif
}

static bool client_in_group(const struct control_client *c, gid_t group)
{
	if (c->gid == group)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups[i] == group)
			return true;
	return false;
}

/* Decided at every request against the current control group: a reload
 * that drops or changes it reaches connections already open. Which
 * requests each level may make is the dispatcher's table. */
static enum control_access client_access(const struct control_client *c)
{
	if (uid_is_admin(c->server, c->uid))
		return CONTROL_ADMIN;
	if (c->server->gid != (gid_t)-1 && client_in_group(c, c->server->gid))
		return CONTROL_READ;
	return CONTROL_DENIED;
}

enum control_access control_client_access(const struct control_client *c)
{
	return client_access(c);
}

/* ---- client lifetime ------------------------------------------------------ */

static uint64_t idle_usec(const struct control_server *s)
{
	return s->idle_usec ? s->idle_usec : CONTROL_IDLE_USEC;
}

static void client_touch(struct control_client *c)
{
	if (!c->dead)
		loop_timer_arm(c->server->loop, &c->idle, now_usec() + idle_usec(c->server));
}

/* Drop a client: now, or when the callback that is using it returns. */
static void client_drop(struct control_client *c)
{
	if (c->busy) {
		c->dead = true;
		return;
	}
	client_free(c);
}

static void chunk_free(struct out_chunk *k)
{
	safe_close(k->fd);
	free(k->data);
	free(k);
}

static void out_clear(struct control_client *c)
{
	struct out_chunk *k, *next;

	for (k = c->out_head; k; k = next) {
		next = k->next;
		chunk_free(k);
	}
	c->out_head = c->out_tail = NULL;
	c->server->out_total -= c->out_bytes;
	c->out_bytes = 0;
}

static void client_free(struct control_client *c)
{
	struct control_server *s = c->server;

	c->dead = true;
	if (c->deferred) {
		c->deferred = false;
		if (s->on_gone)
			s->on_gone(s->ctx, c);
	}
	loop_timer_cancel(s->loop, &c->idle);
	loop_watch_del(s->loop, &c->watch);
	safe_close(c->watch.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	free(c->groups);
	free(c->in);
	out_clear(c);
	free(c);
}

static void client_idle_expired(struct loop *l, void *data)
{
	client_drop(data);
}

static size_t out_pending(const struct control_client *c)
{
	return c->out_bytes;
}

/* Register the events the client's state calls for, and keep the idle
 * deadline running unless the client waits for a deferred answer. */
static int client_update(struct control_client *c)
{
	uint32_t events = 0;
	int r;

	if (c->dead)
		return -ENOTCONN;
	if (!c->closing && !c->rd_eof && !c->deferred && out_pending(c) == 0)
		events |= EPOLLIN;
	if (out_pending(c))
		events |= EPOLLOUT;
	if (events != c->events) {
		r = loop_watch_mod(c->server->loop, &c->watch, events);
		if (r < 0) {
			client_drop(c);
			return r;
		}
		c->events = events;
	}
	if (c->deferred && out_pending(c) == 0)
		loop_timer_cancel(c->server->loop, &c->idle);
	else if (!loop_timer_armed(&c->idle))
		client_touch(c);
	return 0;
}

/* ---- output --------------------------------------------------------------- */

/* Append n bytes to the queue; with `steal`, *data is taken instead of
 * copied (it is then set to NULL). O(n): earlier messages stay put. An
 * fd in *fd (if fd) goes with the message's first byte; the queue takes
 * it (*fd = -1) only when it takes the message. */
static int client_queue(struct control_client *c, uint8_t **data, size_t n, bool steal,
			int *fd)
{
	struct out_chunk *k;

	if (n > CONTROL_OUT_MAX - out_pending(c))
		return -ENOBUFS;
	/* out_total may be past the bound: root's replies are not held to it */
	if (!uid_is_admin(c->server, c->uid) && n > CONTROL_OUT_SMALL &&
	    (c->server->out_total >= CONTROL_OUT_SHARED_MAX ||
	     n > CONTROL_OUT_SHARED_MAX - c->server->out_total))
		return -EBUSY;
	if (n == 0)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fd = -1;
	if (steal) {
		k->data = *data;
		*data = NULL;
	} else {
		k->data = malloc(n);
		if (!k->data) {
			free(k);
			return -ENOMEM;
		}
		memcpy(k->data, *data, n);
	}
	k->len = n;
	if (fd) {
		k->fd = *fd;
		*fd = -1;
	}
	if (c->out_tail)
		c->out_tail->next = k;
	else
		c->out_head = k;
	c->out_tail = k;
	c->out_bytes += n;
	c->server->out_total += n;
	return 0;
}

/* A message this big (svctl status or metrics at several hundred units)
 * grew the heap as it was built: once sent, its pages go back, or they
 * stay dirty in PID 1 (issue 19: about 90 bytes a unit after one status
 * at 1000 units, the "other" the memory bench could not name). Log
 * follow messages stay below it: no trim per chunk of a flood. */
#define CONTROL_TRIM_MIN (64 * 1024)

/* The socket took n bytes: advance, freeing the messages it finished. */
static void out_consume(struct control_client *c, size_t n)
{
	bool trim = false;

	c->out_bytes -= n;
	c->server->out_total -= n;
	while (n > 0) {
		struct out_chunk *k = c->out_head;
		size_t k_left = k->len - k->off;

		if (n < k_left) {
			k->off += n;
			break;
		}
		n -= k_left;
		c->out_head = k->next;
		if (!c->out_head)
			c->out_tail = NULL;
		trim |= k->len >= CONTROL_TRIM_MIN;
		chunk_free(k);
	}
	if (trim)
		malloc_trim(0);
}

#define CONTROL_IOV_MAX 16

/* The messages from the head on, up to the next one carrying an fd (the
 * kernel attaches an fd to the first byte a sendmsg sends), and the head's
 * own fd in `rights`. */
static void out_gather(struct control_client *c, struct msghdr *mh, void *rights,
		       size_t rights_size)
{
	struct out_chunk *k = c->out_head;

	if (k->fd >= 0) {
		struct cmsghdr *cm = rights;

		memset(rights, 0, rights_size);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &k->fd, sizeof(int));
		mh->msg_control = rights;
		mh->msg_controllen = rights_size;
	}
	for (; k && mh->msg_iovlen < CONTROL_IOV_MAX; k = k->next) {
		if (k != c->out_head && k->fd >= 0)
			break;
		mh->msg_iov[mh->msg_iovlen++] = (struct iovec){ k->data + k->off, k->len - k->off };
	}
}

/* Send what the socket takes. Returns 0, or -errno once the client was
 * dropped (it must not be touched then unless it is busy). */
static int client_flush(struct control_client *c)
{
	bool progress = false;

	while (out_pending(c)) {
		struct iovec iov[CONTROL_IOV_MAX];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int))];
		} rights;
		struct msghdr mh = { .msg_iov = iov };
		ssize_t n;

		out_gather(c, &mh, &rights, sizeof(rights));
		n = sendmsg(c->watch.fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* A peer that takes no fds (SO_PASSRIGHTS off, a
			 * security module): the reply goes without it. */
			if ((errno == EPERM || errno == EACCES) && c->out_head->fd >= 0) {
				c->out_head->fd = safe_close(c->out_head->fd);
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_drop(c);
			return -EPIPE;
		}
		if (n > 0)      /* the fd went with its first byte */
			c->out_head->fd = safe_close(c->out_head->fd);
		out_consume(c, (size_t)n);
		progress = true;
	}
	if (out_pending(c) == 0 && (c->closing || (c->rd_eof && !c->deferred))) {
		client_drop(c);
		return -ECONNRESET;
	}
	if (progress && !(c->deferred && out_pending(c) == 0))
		client_touch(c);
	return client_update(c);
}

static bool reply_valid(const struct proto_buf *b)
{
	struct proto_hdr h;

	return b->error == 0 && b->data && b->len >= PROTO_HDR_SIZE &&
	       proto_hdr_decode(b->data, PROTO_REPLY_MAX, &h) == 0 &&
	       h.len == b->len - PROTO_HDR_SIZE;
}

static int client_send_error(struct control_client *c, int err, const char *message);

/* The answer to a large reply past the shared bound (a small one always
 * fits). */
static int client_send_busy(struct control_client *c)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "busy: %zu MiB of replies wait for clients that read "
		 "them slowly; try again", c->server->out_total >> 20);
	return client_send_error(c, EBUSY, msg);
}

/* Queue the message in b (taking its memory, and the fd in *fd if fd: the
 * caller still owns it if it was not queued); a large one while the shared
 * bound is reached is answered "try again" instead (a deferred client is
 * closed after that: its dispatcher hears of it from on_gone, or from
 * control_client_reply), any other that does not fit drops the client. */
static int client_send_buf(struct control_client *c, struct proto_buf *b, int *fd)
{
	int r = client_queue(c, &b->data, b->len, true, fd);

	if (r == -EBUSY) {
		proto_buf_free(b);
		c->closing |= c->deferred;
		return client_send_busy(c);
	}
	if (r < 0) {
		client_drop(c);
		return r;
	}
	proto_buf_free(b);
	return 0;
}

static int client_send_error(struct control_client *c, int err, const char *message)
{
	struct proto_buf b;
	int r;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	r = proto_msg_error(&b, err, message);
	if (r == 0)
		r = client_send_buf(c, &b, NULL);
	proto_buf_free(&b);
	return r;
}

/* ---- requests ------------------------------------------------------------- */

static void denied_message(const struct control_server *s, char *buf, size_t size)
{
	if (s->gid == (gid_t)-1 && s->owner != 0)
		snprintf(buf, size, "permission denied: only root and uid %u (initd's own) may "
			 "use initd's control socket", (unsigned)s->owner);
	else if (s->gid == (gid_t)-1)
		snprintf(buf, size, "permission denied: only root may use initd's control socket");
	else if (s->group_name)
		snprintf(buf, size, "permission denied: only root (or group %s) may use "
			 "initd's control socket", s->group_name);
	else
		snprintf(buf, size, "permission denied: only root (or group %u) may use "
			 "initd's control socket", (unsigned)s->gid);
}

/* Check access and type, call the dispatcher, queue what it answered. */
static int client_handle(struct control_client *c)
{
	struct control_server *s = c->server;
	struct control_request req = {
		.type = c->hdr.type,
		.payload = c->in + PROTO_HDR_SIZE,
		.len = c->hdr.len,
		.pid = c->pid, .uid = c->uid, .gid = c->gid,
		.access = client_access(c),
	};
	struct proto_buf reply;
	_cleanup_close_ int fd = -1;
	char msg[256];
	int r;

	req.pass_fd = &fd;
	if (req.access == CONTROL_DENIED) {
		denied_message(s, msg, sizeof(msg));
		return client_send_error(c, EACCES, msg);
	}
	if (req.type == 0 || req.type >= PROTO_REQ_MAX) {
		snprintf(msg, sizeof(msg), "unknown request type %u (initd speaks protocol %d)",
			 (unsigned)req.type, PROTO_VERSION);
		return client_send_error(c, EOPNOTSUPP, msg);
	}

	proto_buf_init(&reply, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	r = s->dispatch(s->ctx, c, &req, &reply);
	if (c->dead) {
		proto_buf_free(&reply);
		return -ENOTCONN;
	}
	if (r == CONTROL_DEFER) {
		c->deferred = true;
		r = reply_valid(&reply) ? client_send_buf(c, &reply, NULL) : 0;
	} else if (r < 0) {
		r = client_send_error(c, -r, strerror(-r));
	} else if (!reply_valid(&reply)) {
		r = client_send_error(c, reply.error == -EMSGSIZE ? EMSGSIZE : EIO,
				      reply.error == -EMSGSIZE ? "reply too large"
				      : "internal error: initd built a malformed reply");
	} else {
		r = client_send_buf(c, &reply, &fd);
	}
	proto_buf_free(&reply);
	return r;
}

/* A header arrived: check it. A bad one gets an error reply and the client
 * is closed after it, since the stream cannot be resynchronised. */
static int client_header(struct control_client *c)
{
	int r = proto_hdr_decode(c->in, PROTO_REQUEST_MAX, &c->hdr);
	uint8_t *p;

	if (r < 0) {
		c->closing = true;
		return client_send_error(c, -r,
			r == -EMSGSIZE ? "request too large" :
			r == -EPROTONOSUPPORT ? "unsupported protocol version" :
			"malformed request: bad magic");
	}
	c->have_hdr = true;
	if (c->in_cap < PROTO_HDR_SIZE + c->hdr.len) {
		p = realloc(c->in, PROTO_HDR_SIZE + c->hdr.len);
		if (!p) {
			client_drop(c);
			return -ENOMEM;
		}
		c->in = p;
		c->in_cap = PROTO_HDR_SIZE + c->hdr.len;
	}
	return 0;
}

/* Peer closed its side. Mid-message or with nothing owed: drop. Otherwise
 * finish the reply (or deferral) first. */
static int client_eof(struct control_client *c)
{
	if (c->in_len > 0 || (!c->deferred && out_pending(c) == 0)) {
		client_drop(c);
		return -ECONNRESET;
	}
	c->rd_eof = true;
	return 0;
}

/* Read and handle requests until the socket is empty, a reply is waiting
 * to be sent, or the client was deferred or dropped. */
static int client_read(struct control_client *c)
{
	unsigned handled = 0;
	int r;

	while (!c->dead && !c->closing && !c->deferred && !c->rd_eof &&
	       out_pending(c) == 0 && handled < CONTROL_REQUESTS_PER_WAKEUP) {
		size_t need = PROTO_HDR_SIZE + (c->have_hdr ? c->hdr.len : 0);
		ssize_t n;

		if (c->in_len < need) {
			n = recv(c->watch.fd, c->in + c->in_len, need - c->in_len,
				 MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return 0;
				client_drop(c);
				return -errno;
			}
			if (n == 0)
				return client_eof(c);
			c->in_len += (size_t)n;
			if (c->in_len < need)
				continue;
		}
		if (!c->have_hdr) {
			r = client_header(c);
			if (r < 0 || c->closing)
				return r;
			continue;
		}
		c->in_len = 0;
		c->have_hdr = false;
		handled++;
		r = client_handle(c);
		if (r < 0)
			return r;
		if (!c->deferred)
			client_touch(c);
	}
	return 0;
}

static void client_io(struct loop *l, int fd, uint32_t events, void *data)
{
	struct control_client *c = data;

	c->busy = true;
	if (events & EPOLLERR)
		client_drop(c);
	if (!c->dead && (events & EPOLLIN))
		client_read(c);
	if (!c->dead && (events & EPOLLHUP))
		client_drop(c);      /* the peer can read nothing more */
	if (!c->dead && out_pending(c))
		client_flush(c);
	/* A streamer holds back while its client's queue is full: tell it
	 * the socket took everything, so it can send the next part. Its
	 * replies are flushed here, on our way out. */
	if (!c->dead && (events & EPOLLOUT) && c->deferred && out_pending(c) == 0 &&
	    c->server->on_drained) {
		c->server->on_drained(c->server->ctx, c);
		if (!c->dead && out_pending(c))
			client_flush(c);
	}
	c->busy = false;
	if (c->dead)
		client_free(c);
	else
		client_update(c);
}

/* ---- accepting ------------------------------------------------------------ */

/* Too many clients: tell this one why (best effort) and close it. */
static void client_refuse(int fd)
{
	struct proto_buf b;

	proto_buf_init(&b, PROTO_HDR_SIZE + 1024);
	if (proto_msg_error(&b, EUSERS, "too many control clients, try again") == 0)
		(void)send(fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	proto_buf_free(&b);
	close(fd);
}

static int client_new(struct control_server *s, int fd)
{
	struct control_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int r;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->in = malloc(PROTO_HDR_SIZE);
	if (!c->in) {
		free(c);
		return -ENOMEM;
	}
	c->in_cap = PROTO_HDR_SIZE;
	c->server = s;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	peer_groups(fd, &c->groups, &c->n_groups);
	c->watch = (struct loop_watch){ .fd = fd, .fn = client_io, .data = c };
	loop_timer_init(&c->idle, client_idle_expired, c);
	c->events = EPOLLIN;
	r = loop_watch_add_urgent(s->loop, &c->watch, c->events);
	if (r < 0) {
		free(c->groups);
		free(c->in);
		free(c);
		return r;
	}
	c->next = s->clients;
	if (c->next)
		c->next->prev = c;
	s->clients = c;
	s->n_clients++;
	client_touch(c);
	/* svctl sends its request as it connects: by the time a busy PID 1
	 * accepts, it is there. Served now, not an iteration later (each may
	 * begin with a slice of spawns, manager_pass.c). c may be gone after. */
	client_io(s->loop, fd, EPOLLIN, c);
	return 0;
}

/* The last CONTROL_ROOT_RESERVED slots are root's: members of the control
 * group, however many connections they hold, cannot lock root out. */
static bool peer_is_root(const struct control_server *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       uid_is_admin(s, cred.uid);
}

static void server_accept_resume(struct loop *l, void *data)
{
	struct control_server *s = data;

	loop_watch_mod(l, &s->watch, EPOLLIN);
}

static void server_accept(struct loop *l, int lfd, uint32_t events, void *data)
{
	struct control_server *s = data;

	for (int i = 0; i < CONTROL_ACCEPTS_PER_WAKEUP; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* The connection stays pending and the
				 * level-triggered watch would spin: pause. */
				loop_watch_mod(l, &s->watch, 0);
				loop_timer_arm(l, &s->accept_retry,
					       now_usec() + CONTROL_ACCEPT_RETRY_USEC);
			}
			return;
		}
		if (s->n_clients >= CONTROL_CLIENTS_MAX ||
		    (s->n_clients >= CONTROL_CLIENTS_MAX - CONTROL_ROOT_RESERVED &&
		     !peer_is_root(s, fd))) {
			client_refuse(fd);
			continue;
		}
		if (client_new(s, fd) < 0)
			close(fd);
	}
}

/* ---- public API ----------------------------------------------------------- */

int control_server_new(struct loop *l, const char *path, gid_t gid,
		       control_dispatch_fn dispatch, void *ctx,
		       struct control_server **ret)
{
	struct control_server *s;
	int fd = -1, r;

	if (!l || !path || !*path || !dispatch || !ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = l;
	s->gid = gid;
	s->owner = control_owner();
	s->dispatch = dispatch;
	s->ctx = ctx;
	s->watch.fd = -1;
	loop_timer_init(&s->accept_retry, server_accept_resume, s);
	s->path = strdup(path);
	if (!s->path) {
		r = -ENOMEM;
		goto fail;
	}
	r = socket_listen(path, gid, &fd);
	if (r < 0)
		goto fail;
	s->watch = (struct loop_watch){ .fd = fd, .fn = server_accept, .data = s };
	r = loop_watch_add_urgent(l, &s->watch, EPOLLIN);
	if (r < 0) {
		unlink(path);
		goto fail;
	}
	*ret = s;
	return 0;
fail:
	safe_close(fd);
	free(s->path);
	free(s);
	return r;
}

void control_server_free(struct control_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s->clients);
	loop_timer_cancel(s->loop, &s->accept_retry);
	if (s->watch.fd >= 0) {
		loop_watch_del(s->loop, &s->watch);
		close(s->watch.fd);
		unlink(s->path);
	}
	free(s->path);
	free(s->group_name);
	free(s);
}

/* steal: msg's data is queued as is (msg->data NULL once it was), not
 * copied: a 7 MiB metrics reply is not held twice. */
static int client_reply(struct control_client *c, struct proto_buf *msg, bool steal, bool last,
			int *fd)
{
	bool refused = false;
	uint8_t *data;
	int r;

	if (c->dead)
		return -ENOTCONN;
	if (!c->deferred)
		return -EINVAL;
	if (c->closing) {
		/* told busy (client_send_buf): nothing more goes after that */
		c->deferred = false;
		return -ECONNRESET;
	}
	if (!reply_valid(msg)) {
		r = -EINVAL;
		goto drop;
	}
	data = msg->data;
	r = client_queue(c, &data, msg->len, steal, fd);
	if (steal && !data)   /* taken: msg is an empty buffer again */
		proto_buf_init(msg, msg->limit);
	if (r == -EBUSY) {
		/* Past the shared bound (a follower's backlog): told so, as a
		 * request is, and closed once that is sent; the caller forgets
		 * c, as after a drop. */
		refused = true;
		c->deferred = false;
		c->closing = true;
		if (client_send_busy(c) < 0)
			return -EBUSY;    /* dropped */
		client_touch(c);
	} else if (r < 0)
		goto drop;
	if (last) {
		c->deferred = false;
		client_touch(c);
	}
	if (c->busy)
		return refused ? -EBUSY : 0;    /* client_io flushes on its way out */
	/* Flush as busy, so that a drop in there is ours to finish: the
	 * caller learns it from r, on_gone must not run under its feet. */
	c->busy = true;
	r = client_flush(c);
	c->busy = false;
	if (c->dead) {
		bool answered = !c->deferred;

		c->deferred = false;
		client_free(c);
		/* Closed right after a complete answer (the peer had shut
		 * its side) is a success. */
		return refused ? -EBUSY : answered && r == -ECONNRESET ? 0 : r < 0 ? r : -EPIPE;
	}
	return refused ? -EBUSY : 0;
drop:
	c->deferred = false;     /* the caller learns it from r, not on_gone */
	client_drop(c);
	return r;
}

int control_client_reply(struct control_client *c, const struct proto_buf *msg, bool last)
{
	return client_reply(c, (struct proto_buf *)msg, false, last, NULL);   /* not changed */
}

int control_client_reply_fd(struct control_client *c, struct proto_buf *msg, int fd)
{
	int r = client_reply(c, msg, true, true, fd >= 0 ? &fd : NULL);

	safe_close(fd);   /* not queued with the message (-1 once it was) */
	return r;
}

void control_server_on_gone(struct control_server *s, control_gone_fn fn)
{
	s->on_gone = fn;
}

void control_server_on_drained(struct control_server *s, control_drained_fn fn)
{
	s->on_drained = fn;
}

size_t control_client_pending(const struct control_client *c)
{
	return out_pending(c);
}

void control_server_set_idle_timeout(struct control_server *s, uint64_t usec)
{
	s->idle_usec = usec;
}

int control_server_set_group_name(struct control_server *s, const char *name)
{
	char *copy = NULL;

	if (name) {
		copy = strdup(name);
		if (!copy)
			return -ENOMEM;
	}
	free(s->group_name);
	s->group_name = copy;
	return 0;
}

int control_server_set_group(struct control_server *s, gid_t gid, const char *name)
{
	int r;

	if (gid == (gid_t)-1) {
		if (chmod(s->path, 0600) < 0)
			return -errno;
	} else {
		if (fchownat(AT_FDCWD, s->path, (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (chmod(s->path, 0660) < 0)
			return -errno;
	}
	r = control_server_set_group_name(s, name);
	if (r < 0)
		return r;
	s->gid = gid;
	return 0;
}

unsigned control_server_clients(const struct control_server *s)
{
	return s->n_clients;
}

size_t control_server_queued(const struct control_server *s)
{
	return s->out_total;
}

bool control_client_may_queue_large(const struct control_client *c)
{
	return uid_is_admin(c->server, c->uid) ||
	       c->server->out_total <= CONTROL_OUT_SHARED_MAX - CONTROL_OUT_MAX;
}
