/* test_control.c — the control server on a temporary socket, driven with
 * loop_run_once, against a dispatch stub. Clients live in the same process
 * and use non-blocking sockets, pumping the loop while they wait. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "initd/commands.h"
#include "initd/control.h"
#include "initd/loop.h"
#include "initd/manager.h"

#define REQ_LIMIT (PROTO_HDR_SIZE + PROTO_REQUEST_MAX)
#define REP_LIMIT (PROTO_HDR_SIZE + PROTO_REPLY_MAX)
#define BIG_REPLY (6u << 20)   /* more than any socket buffer takes */

static char dir[64];
static char path[128];
static struct loop *loop;
static struct control_server *server;

/* What the stub saw and holds. */
static int dispatched;
static struct control_request last_req;
static struct control_client *deferred_client;
static int gone_calls;
static int passed_fd = -1;     /* the fd METRICS handed the server */
static int may_large = -1;     /* control_client_may_queue_large at the last dispatch */

/* The stub: STATUS echoes each NAME back as a SERVICE; WAIT defers; LOGS
 * defers with a first chunk; STOP fails with -ENOENT; RELOAD forgets to
 * build a reply; METRICS passes a pipe holding "in the fd\n" (with a big
 * reply when named "big", and failing with -ENOENT after that when named
 * anything else); anything else answers an empty OK. */
static int stub_dispatch(void *ctx, struct control_client *c,
			 const struct control_request *req, struct proto_buf *reply)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *name;

	dispatched++;
	last_req = *req;
	may_large = control_client_may_queue_large(c);
	switch (req->type) {
	case PROTO_REQ_STATUS:
		proto_msg_begin(reply, PROTO_REPLY_OK);
		if (proto_attr_find(req->payload, req->len, PROTO_ATTR_NAME, &a) == 1 &&
		    proto_get_str(&a, &name) == 0 && !strcmp(name, "big")) {
			void *big = calloc(1, BIG_REPLY);

			proto_put_bytes(reply, PROTO_ATTR_DATA, big, BIG_REPLY);
			free(big);
			return proto_msg_end(reply);
		}
		proto_iter_init(&it, req->payload, req->len);
		while (proto_iter_next(&it, &a) > 0)
			if (a.type == PROTO_ATTR_NAME && proto_get_str(&a, &name) == 0) {
				proto_nest_begin(reply, PROTO_ATTR_SERVICE);
				proto_put_str(reply, PROTO_ATTR_NAME, name);
				proto_put_str(reply, PROTO_ATTR_STATE, "running");
				proto_nest_end(reply);
			}
		return proto_msg_end(reply);
	case PROTO_REQ_WAIT:
		deferred_client = c;
		return CONTROL_DEFER;
	case PROTO_REQ_LOGS:
		deferred_client = c;
		proto_msg_begin(reply, PROTO_REPLY_OK);
		if (proto_attr_find(req->payload, req->len, PROTO_ATTR_NAME, &a) == 1 &&
		    proto_get_str(&a, &name) == 0 && !strcmp(name, "big")) {
			void *big = calloc(1, BIG_REPLY);

			proto_put_bytes(reply, PROTO_ATTR_DATA, big, BIG_REPLY);
			free(big);
		} else
			proto_put_bytes(reply, PROTO_ATTR_DATA, "backlog\n", 8);
		proto_msg_end(reply);
		return CONTROL_DEFER;
	case PROTO_REQ_STOP:
		return -ENOENT;
	case PROTO_REQ_RELOAD:
		return 0;      /* forgot to build a reply */
	case PROTO_REQ_METRICS: {
		int p[2];

		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		ck_assert_int_eq(write(p[1], "in the fd\n", 10), 10);
		close(p[1]);
		*req->pass_fd = passed_fd = p[0];
		proto_msg_begin(reply, PROTO_REPLY_OK);
		if (proto_attr_find(req->payload, req->len, PROTO_ATTR_NAME, &a) == 1 &&
		    proto_get_str(&a, &name) == 0 && !strcmp(name, "big")) {
			void *big = calloc(1, BIG_REPLY);

			proto_put_bytes(reply, PROTO_ATTR_DATA, big, BIG_REPLY);
			free(big);
		} else if (proto_attr_find(req->payload, req->len, PROTO_ATTR_NAME, &a) == 1)
			return -ENOENT;
		return proto_msg_end(reply);
	}
	default:
		proto_msg_begin(reply, PROTO_REPLY_OK);
		return proto_msg_end(reply);
	}
}

static void stub_gone(void *ctx, struct control_client *c)
{
	gone_calls++;
	ck_assert_ptr_eq(c, deferred_client);
	ck_assert_int_eq(control_client_reply(c, NULL, true), -ENOTCONN);
	deferred_client = NULL;
}

static void setup(void)
{
	strcpy(dir, "/tmp/test_control.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run/control", dir);   /* run/ is created */
	ck_assert_int_eq(loop_new(&loop), 0);
	/* Our own group may use it: READ level when not root, so that the
	 * read-only requests reach the stub either way. */
	ck_assert_int_eq(control_server_new(loop, path, getgid(), stub_dispatch,
					    NULL, &server), 0);
	control_server_on_gone(server, stub_gone);
	control_server_set_idle_timeout(server, 300 * USEC_PER_MSEC);
	dispatched = 0;
	gone_calls = 0;
	deferred_client = NULL;
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
	char sub[160];

	control_server_free(server);
	server = NULL;
	loop_free(loop);
	ck_assert_int_eq(access(path, F_OK), -1);     /* free unlinks it */
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
}

static void pump(int rounds)
{
	for (int i = 0; i < rounds; i++)
		ck_assert_int_eq(loop_run_once(loop, 5), 0);
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void client_send_raw(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void client_request(int fd, uint16_t type, const char *name)
{
	struct proto_buf b;

	proto_buf_init(&b, REQ_LIMIT);
	proto_msg_begin(&b, type);
	if (name)
		proto_put_str(&b, PROTO_ATTR_NAME, name);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	client_send_raw(fd, b.data, b.len);
	proto_buf_free(&b);
}

/* Read one whole message, pumping the loop meanwhile. Returns 1 with the
 * message in *ret (caller frees), 0 on EOF, -ETIMEDOUT. */
static int client_recv(int fd, struct proto_hdr *hdr, uint8_t **ret, int max_ms)
{
	uint8_t h[PROTO_HDR_SIZE];
	uint8_t *buf = NULL;
	size_t got = 0, need = PROTO_HDR_SIZE;
	uint64_t deadline = now_usec() + (uint64_t)max_ms * USEC_PER_MSEC;

	while (now_usec() < deadline) {
		ssize_t n = recv(fd, buf ? buf + got - PROTO_HDR_SIZE : h + got,
				 need - got, MSG_DONTWAIT);
		if (n == 0) {
			free(buf);
			return 0;
		}
		if (n < 0) {
			if (errno == ECONNRESET) {
				free(buf);
				return 0;
			}
			ck_assert_int_eq(errno, EAGAIN);
			pump(1);
			continue;
		}
		got += (size_t)n;
		if (got == PROTO_HDR_SIZE && !buf) {
			ck_assert_int_eq(proto_hdr_decode(h, PROTO_REPLY_MAX, hdr), 0);
			need = PROTO_HDR_SIZE + hdr->len;
			buf = malloc(hdr->len + 1);
		}
		if (buf && got == need) {
			*ret = buf;
			return 1;
		}
	}
	free(buf);
	return -ETIMEDOUT;
}

static uint32_t reply_errno(const struct proto_hdr *h, const uint8_t *p)
{
	struct proto_attr_view a;
	uint32_t e = 0;

	ck_assert_int_eq(h->type, PROTO_REPLY_ERROR);
	ck_assert_int_eq(proto_attr_find(p, h->len, PROTO_ATTR_ERRNO, &a), 1);
	ck_assert_int_eq(proto_get_u32(&a, &e), 0);
	return e;
}

static const char *reply_message(const struct proto_hdr *h, const uint8_t *p)
{
	struct proto_attr_view a;
	const char *s = NULL;

	ck_assert_int_eq(proto_attr_find(p, h->len, PROTO_ATTR_MESSAGE, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	return s;
}

/* Expect an error reply with errno e, then (if closes) EOF. */
static void expect_error(int fd, uint32_t e, bool closes)
{
	struct proto_hdr h;
	uint8_t *p = NULL;

	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_uint_eq(reply_errno(&h, p), e);
	free(p);
	if (closes)
		ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 0);
}

static void expect_status_echo(int fd, const char *name)
{
	struct proto_hdr h;
	uint8_t *p = NULL;
	struct proto_attr_view svc, a;
	const char *s;

	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_int_eq(proto_attr_find(p, h.len, PROTO_ATTR_SERVICE, &svc), 1);
	ck_assert_int_eq(proto_attr_find(svc.data, svc.len, PROTO_ATTR_NAME, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, name);
	free(p);
}

static void wait_clients(unsigned n, int max_ms)
{
	uint64_t deadline = now_usec() + (uint64_t)max_ms * USEC_PER_MSEC;

	while (control_server_clients(server) != n && now_usec() < deadline)
		pump(1);
	ck_assert_uint_eq(control_server_clients(server), n);
}

START_TEST(test_socket_mode)
{
	struct stat st;
	struct control_server *s2;
	char p2[160];

	/* The fixture's has a group: 0660 and owned by the group. */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_gid, getgid());

	/* Without a group: 0600, whatever the umask says. */
	snprintf(p2, sizeof(p2), "%s/run/control2", dir);
	umask(0);
	ck_assert_int_eq(control_server_new(loop, p2, (gid_t)-1, stub_dispatch, NULL, &s2), 0);
	umask(022);
	ck_assert_int_eq(stat(p2, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	/* Given a group later, as initd does once initd.conf is read. */
	ck_assert_int_eq(control_server_set_group(s2, getgid(), "wheel"), 0);
	ck_assert_int_eq(stat(p2, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_gid, getgid());
	ck_assert_int_eq(control_server_set_group(s2, (gid_t)-1, NULL), 0);
	ck_assert_int_eq(stat(p2, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	control_server_free(s2);

	/* A stale socket is replaced; a regular file is not touched. */
	ck_assert_int_eq(control_server_new(loop, path, (gid_t)-1, stub_dispatch,
					    NULL, &s2), 0);
	control_server_free(s2);
	ck_assert_int_eq(close(open(p2, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
	ck_assert_int_eq(control_server_new(loop, p2, (gid_t)-1, stub_dispatch,
					    NULL, &s2), -EEXIST);
	unlink(p2);
	/* Recreate the one the fixture owns (the stale-socket case above
	 * replaced and then removed it). */
	control_server_free(server);
	ck_assert_int_eq(control_server_new(loop, path, getgid(), stub_dispatch,
					    NULL, &server), 0);
}
END_TEST

START_TEST(test_request_reply)
{
	int fd = client_connect();

	client_request(fd, PROTO_REQ_STATUS, "web");
	expect_status_echo(fd, "web");
	ck_assert_int_eq(dispatched, 1);
	ck_assert_int_eq(last_req.type, PROTO_REQ_STATUS);
	ck_assert_int_eq(last_req.pid, getpid());
	ck_assert_uint_eq(last_req.uid, getuid());
	ck_assert_int_eq(last_req.access, getuid() == 0 ? CONTROL_ADMIN : CONTROL_READ);

	/* Several requests on one connection, also sent back to back. */
	client_request(fd, PROTO_REQ_STATUS, "db");
	expect_status_echo(fd, "db");
	client_request(fd, PROTO_REQ_STATUS, "a");
	client_request(fd, PROTO_REQ_STATUS, "b");
	expect_status_echo(fd, "a");
	expect_status_echo(fd, "b");
	ck_assert_int_eq(dispatched, 4);
	ck_assert_uint_eq(control_server_clients(server), 1);
	close(fd);
	wait_clients(0, 1000);
}
END_TEST

/* svctl connects and sends its request at once: by the time a busy PID 1
 * accepts the connection the request is there, and it is answered in the
 * same loop iteration. Each iteration of a busy PID 1 may run a slice of
 * spawns first (20 ms and more, manager_pass.c): a first version read the
 * request only in the next one, and during a reload of 1000 units an
 * svctl status took an iteration more than it needed. */
START_TEST(test_request_answered_where_accepted)
{
	int fd = client_connect();
	struct pollfd in = { .fd = fd, .events = POLLIN };

	client_request(fd, PROTO_REQ_STATUS, "web");
	ck_assert_int_eq(loop_run_once(loop, 1000), 0);   /* the accept's */
	ck_assert_int_eq(dispatched, 1);
	ck_assert_int_eq(poll(&in, 1, 0), 1);             /* the reply is there */
	expect_status_echo(fd, "web");
	close(fd);
	wait_clients(0, 1000);
}
END_TEST

/* Read one message with recvmsg, as svctl does: the fd that came with it
 * in *fd (-1: none). */
static int client_recv_fd(int fd, struct proto_hdr *hdr, int *ret_fd, int max_ms)
{
	uint64_t deadline = now_usec() + (uint64_t)max_ms * USEC_PER_MSEC;
	uint8_t h[PROTO_HDR_SIZE];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} rights;
	struct iovec iov = { h, sizeof(h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = &rights, .msg_controllen = sizeof(rights) };
	struct cmsghdr *cm;
	ssize_t n;

	*ret_fd = -1;
	while ((n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0 &&
	       errno == EAGAIN && now_usec() < deadline)
		pump(1);
	ck_assert_int_eq(n, PROTO_HDR_SIZE);   /* a header-only reply: in one piece */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
	ck_assert_int_eq(proto_hdr_decode(h, PROTO_REPLY_MAX, hdr), 0);
	return 1;
}

/* A reply carries the fd the dispatcher passed, once; the server's copy
 * is closed once sent, or at once when the request failed; the next
 * reply comes without one. */
START_TEST(test_reply_passes_fd)
{
	int fd = client_connect(), got;
	struct proto_hdr h;
	char text[16] = "";

	client_request(fd, PROTO_REQ_METRICS, NULL);
	/* The server's copy closed once sent (checked before the client
	 * takes its own, which may get the same number). */
	for (int i = 0; i < 400 && fcntl(passed_fd, F_GETFD) >= 0; i++)
		pump(1);
	ck_assert_int_eq(fcntl(passed_fd, F_GETFD), -1);
	ck_assert_int_eq(client_recv_fd(fd, &h, &got, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_int_ge(got, 0);
	ck_assert_int_eq(read(got, text, sizeof(text)), 10);
	ck_assert_str_eq(text, "in the fd\n");
	ck_assert_int_eq(fcntl(got, F_GETFD), FD_CLOEXEC);
	close(got);

	client_request(fd, PROTO_REQ_METRICS, "fail");
	expect_error(fd, ENOENT, false);
	ck_assert_int_eq(fcntl(passed_fd, F_GETFD), -1);

	client_request(fd, PROTO_REQ_POWEROFF, NULL);
	ck_assert_int_eq(client_recv_fd(fd, &h, &got, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_int_eq(got, -1);
	close(fd);
}
END_TEST

/* A client whose socket refuses fds (SO_PASSRIGHTS off, Linux 6.16; or a
 * security module saying no) gets its reply without the fd, and stays:
 * the send is not an error of the client's. */
START_TEST(test_fd_refused_by_peer)
{
	int fd = client_connect(), got, refuses = socket_refuse_fds(fd);
	struct proto_hdr h;

	ck_assert_int_ge(refuses, 0);
	client_request(fd, PROTO_REQ_METRICS, NULL);
	for (int i = 0; i < 400 && fcntl(passed_fd, F_GETFD) >= 0; i++)
		pump(1);
	ck_assert_int_eq(fcntl(passed_fd, F_GETFD), -1);
	ck_assert_int_eq(client_recv_fd(fd, &h, &got, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	if (refuses)
		ck_assert_int_eq(got, -1);
	else
		safe_close(got);    /* a kernel before 6.16: nothing refused it */
	client_request(fd, PROTO_REQ_STATUS, "still-here");
	expect_status_echo(fd, "still-here");
	close(fd);
}
END_TEST

/* With a reply larger than the socket takes at once: the fd comes with
 * the header, before most of the reply was even sent. */
START_TEST(test_big_reply_passes_fd)
{
	int fd = client_connect(), got;
	struct proto_hdr h;
	char text[16] = "", buf[65536];
	size_t left;

	client_request(fd, PROTO_REQ_METRICS, "big");
	ck_assert_int_eq(client_recv_fd(fd, &h, &got, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_int_ge(got, 0);
	ck_assert_int_eq(read(got, text, sizeof(text)), 10);
	ck_assert_str_eq(text, "in the fd\n");
	close(got);
	ck_assert_uint_gt(control_server_queued(server), 0);   /* the rest still queued */
	for (left = h.len; left > 0;) {
		ssize_t n = recv(fd, buf, left < sizeof(buf) ? left : sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN) {
			pump(1);
			continue;
		}
		ck_assert_int_gt(n, 0);
		left -= (size_t)n;
	}
	client_request(fd, PROTO_REQ_POWEROFF, NULL);
	ck_assert_int_eq(client_recv_fd(fd, &h, &got, 2000), 1);
	ck_assert_int_eq(got, -1);
	close(fd);
}
END_TEST

START_TEST(test_errors_keep_client)
{
	int fd = client_connect();
	struct proto_hdr h;
	uint8_t *p = NULL;

	if (getuid() != 0) {
		/* CONTROL_READ: write requests are refused, the client kept. */
		client_request(fd, PROTO_REQ_STOP, "nope");
		ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
		ck_assert_uint_eq(reply_errno(&h, p), EPERM);
		ck_assert_str_eq(reply_message(&h, p), "permission denied: stop needs root");
		free(p);
		client_request(fd, PROTO_REQ_STATUS, "still-here");
		expect_status_echo(fd, "still-here");
		close(fd);
		return;
	}
	/* A -errno from the dispatcher. */
	client_request(fd, PROTO_REQ_STOP, "nope");
	expect_error(fd, ENOENT, false);
	/* A dispatcher that built no reply. */
	client_request(fd, PROTO_REQ_RELOAD, NULL);
	expect_error(fd, EIO, false);
	/* An unknown type: EOPNOTSUPP, not dispatched, client kept. */
	dispatched = 0;
	client_request(fd, 77, NULL);
	expect_error(fd, EOPNOTSUPP, false);
	client_request(fd, PROTO_REPLY_OK, NULL);
	expect_error(fd, EOPNOTSUPP, false);
	ck_assert_int_eq(dispatched, 0);
	client_request(fd, PROTO_REQ_STATUS, "still-here");
	expect_status_echo(fd, "still-here");
	/* An empty request works too. */
	client_request(fd, PROTO_REQ_POWEROFF, NULL);
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	free(p);
	close(fd);
}
END_TEST

START_TEST(test_connect_close)
{
	int fd = client_connect();

	wait_clients(1, 1000);
	close(fd);
	wait_clients(0, 1000);
	ck_assert_int_eq(dispatched, 0);
}
END_TEST

/* PID 1 cuts a slice of spawns short for a client with something to
 * read (manager_pass.c, loop_waited_on): a connection in the backlog, a
 * request's first byte, its end; not one that only waits for a reply
 * deferred (svctl wait). */
START_TEST(test_a_client_with_input_is_waited_on)
{
	int fd, waiter;

	/* no idle client dropped, no idle timer due, however slow the run */
	control_server_set_idle_timeout(server, 30 * USEC_PER_SEC);
	ck_assert(!loop_waited_on(loop));
	fd = client_connect();
	ck_assert(loop_waited_on(loop));
	wait_clients(1, 1000);
	ck_assert(!loop_waited_on(loop));
	client_send_raw(fd, "x", 1);
	ck_assert(loop_waited_on(loop));
	pump(2);   /* a header's first byte, kept until the rest comes */
	ck_assert(!loop_waited_on(loop));
	close(fd);
	ck_assert(loop_waited_on(loop));
	wait_clients(0, 1000);
	ck_assert(!loop_waited_on(loop));
	waiter = client_connect();
	client_request(waiter, PROTO_REQ_WAIT, NULL);
	for (int i = 0; i < 200 && !deferred_client; i++)
		pump(1);
	ck_assert_ptr_nonnull(deferred_client);
	ck_assert(!loop_waited_on(loop));
	close(waiter);
	wait_clients(0, 1000);
}
END_TEST

START_TEST(test_truncated_header_stall)
{
	int fd = client_connect();
	struct proto_hdr h;
	uint8_t *p;
	uint64_t t0 = now_usec();

	client_send_raw(fd, "INIT\1\0", 6);
	wait_clients(1, 100);
	/* Dropped once the (300 ms) idle deadline passes. */
	ck_assert_int_eq(client_recv(fd, &h, &p, 3000), 0);
	ck_assert_uint_ge(now_usec() - t0, 250 * USEC_PER_MSEC);
	wait_clients(0, 1000);
	close(fd);
}
END_TEST

START_TEST(test_truncated_payload_stall)
{
	int fd = client_connect();
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p;

	proto_buf_init(&b, REQ_LIMIT);
	proto_msg_begin(&b, PROTO_REQ_STATUS);
	proto_put_str(&b, PROTO_ATTR_NAME, "web");
	ck_assert_int_eq(proto_msg_end(&b), 0);
	client_send_raw(fd, b.data, b.len - 3);
	proto_buf_free(&b);
	ck_assert_int_eq(client_recv(fd, &h, &p, 3000), 0);
	ck_assert_int_eq(dispatched, 0);
	wait_clients(0, 1000);
	close(fd);
}
END_TEST

START_TEST(test_idle_client_dropped)
{
	int fd = client_connect();
	struct proto_hdr h;
	uint8_t *p;

	client_request(fd, PROTO_REQ_STATUS, "web");
	expect_status_echo(fd, "web");
	ck_assert_int_eq(client_recv(fd, &h, &p, 3000), 0);
	wait_clients(0, 1000);
	close(fd);
}
END_TEST

static void send_header(int fd, uint32_t magic, uint16_t version, uint16_t type, uint32_t len)
{
	uint8_t h[PROTO_HDR_SIZE];

	memcpy(h, &magic, 4);
	memcpy(h + 4, &version, 2);
	memcpy(h + 6, &type, 2);
	memcpy(h + 8, &len, 4);
	client_send_raw(fd, h, sizeof(h));
}

START_TEST(test_oversized)
{
	int fd = client_connect();

	send_header(fd, PROTO_MAGIC, PROTO_VERSION, PROTO_REQ_STATUS, PROTO_REQUEST_MAX + 1);
	expect_error(fd, EMSGSIZE, true);
	wait_clients(0, 1000);
	ck_assert_int_eq(dispatched, 0);
	close(fd);
}
END_TEST

START_TEST(test_garbage)
{
	int fd = client_connect();

	client_send_raw(fd, "GET / HTTP/1.0\r\n\r\n", 18);
	expect_error(fd, EBADMSG, true);
	close(fd);

	fd = client_connect();
	send_header(fd, PROTO_MAGIC, PROTO_VERSION + 1, PROTO_REQ_STATUS, 0);
	expect_error(fd, EPROTONOSUPPORT, true);
	close(fd);
	wait_clients(0, 1000);
	ck_assert_int_eq(dispatched, 0);
}
END_TEST

START_TEST(test_too_many_clients)
{
	int fds[CONTROL_CLIENTS_MAX + 1];

	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		fds[i] = client_connect();
		pump(1);
	}
	wait_clients(CONTROL_CLIENTS_MAX, 1000);
	fds[CONTROL_CLIENTS_MAX] = client_connect();
	expect_error(fds[CONTROL_CLIENTS_MAX], EUSERS, true);
	ck_assert_uint_eq(control_server_clients(server), CONTROL_CLIENTS_MAX);
	/* The others still work. */
	client_request(fds[0], PROTO_REQ_STATUS, "first");
	expect_status_echo(fds[0], "first");
	for (int i = 0; i <= CONTROL_CLIENTS_MAX; i++)
		close(fds[i]);
	wait_clients(0, 1000);
	/* And there is room again. */
	fds[0] = client_connect();
	client_request(fds[0], PROTO_REQ_STATUS, "again");
	expect_status_echo(fds[0], "again");
	close(fds[0]);
}
END_TEST

START_TEST(test_deferred)
{
	int fd = client_connect(), other;
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p = NULL;

	client_request(fd, PROTO_REQ_WAIT, NULL);
	pump(5);
	ck_assert_ptr_nonnull(deferred_client);
	/* Nothing yet, and the idle deadline is suspended: the client stays
	 * past it. */
	ck_assert_int_eq(client_recv(fd, &h, &p, 600), -ETIMEDOUT);
	ck_assert_uint_eq(control_server_clients(server), 1);

	/* Others are served meanwhile. */
	other = client_connect();
	client_request(other, PROTO_REQ_STATUS, "x");
	expect_status_echo(other, "x");
	close(other);

	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_str(&b, PROTO_ATTR_MESSAGE, "settled");
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(control_client_reply(deferred_client, &b, true), 0);
	proto_buf_free(&b);
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_str_eq(reply_message(&h, p), "settled");
	free(p);

	/* Back to normal: a reply to a client no longer deferred is refused,
	 * and the next request is served. */
	ck_assert_int_eq(control_client_reply(deferred_client, &b, true), -EINVAL);
	deferred_client = NULL;
	client_request(fd, PROTO_REQ_STATUS, "after");
	expect_status_echo(fd, "after");
	ck_assert_int_eq(gone_calls, 0);
	close(fd);
	wait_clients(0, 1000);
}
END_TEST

START_TEST(test_deferred_stream_and_gone)
{
	int fd = client_connect();
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p = NULL;
	struct proto_attr_view a;

	client_request(fd, PROTO_REQ_LOGS, "web");
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_int_eq(proto_attr_find(p, h.len, PROTO_ATTR_DATA, &a), 1);
	ck_assert_uint_eq(a.len, 8);
	free(p);

	proto_buf_init(&b, REP_LIMIT);
	for (int i = 0; i < 3; i++) {
		proto_msg_begin(&b, PROTO_REPLY_OK);
		proto_put_bytes(&b, PROTO_ATTR_DATA, "more\n", 5);
		ck_assert_int_eq(proto_msg_end(&b), 0);
		ck_assert_int_eq(control_client_reply(deferred_client, &b, false), 0);
	}
	proto_buf_free(&b);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
		ck_assert_int_eq(proto_attr_find(p, h.len, PROTO_ATTR_DATA, &a), 1);
		ck_assert(memcmp(a.data, "more\n", 5) == 0);
		free(p);
	}
	ck_assert_uint_eq(control_client_pending(deferred_client), 0);
	/* The follower goes away: on_gone tells the dispatcher. */
	close(fd);
	wait_clients(0, 1000);
	ck_assert_int_eq(gone_calls, 1);
	ck_assert_ptr_null(deferred_client);
}
END_TEST

START_TEST(test_deferred_gone_on_free)
{
	int fd = client_connect();

	client_request(fd, PROTO_REQ_WAIT, NULL);
	pump(5);
	ck_assert_ptr_nonnull(deferred_client);
	control_server_free(server);
	server = NULL;
	ck_assert_int_eq(gone_calls, 1);
	close(fd);
	/* teardown frees NULL */
	ck_assert_int_eq(control_server_new(loop, path, getgid(), stub_dispatch,
					    NULL, &server), 0);
}
END_TEST

START_TEST(test_half_close)
{
	int fd = client_connect();

	client_request(fd, PROTO_REQ_STATUS, "web");
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	expect_status_echo(fd, "web");
	wait_clients(0, 1000);
	close(fd);
}
END_TEST

START_TEST(test_no_request_while_deferred)
{
	int fd = client_connect();
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p = NULL;

	client_request(fd, PROTO_REQ_WAIT, NULL);
	client_request(fd, PROTO_REQ_STATUS, "queued");
	pump(10);
	ck_assert_int_eq(dispatched, 1);          /* STATUS waits its turn */
	ck_assert_ptr_nonnull(deferred_client);
	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(control_client_reply(deferred_client, &b, true), 0);
	proto_buf_free(&b);
	deferred_client = NULL;
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_uint_eq(h.len, 0);
	free(p);
	expect_status_echo(fd, "queued");
	ck_assert_int_eq(dispatched, 2);
	close(fd);
}
END_TEST

START_TEST(test_slow_reader_dropped)
{
	int fd = client_connect();

	/* A reply bigger than the socket buffers, never read: the server
	 * must neither block nor keep the client past the idle deadline. */
	client_request(fd, PROTO_REQ_STATUS, "big");
	wait_clients(0, 3000);
	close(fd);
}
END_TEST

/* In a child: become uid nobody in group gid and connect (a control
 * group member); exits 101 or 102 when that fails. */
static int member_connect(gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
		_exit(101);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		_exit(102);
	return fd;
}

/* The server again, the stub's, for members of group too (uid nobody
 * reaches the socket's directory). */
static void serve_group(gid_t group)
{
	control_server_free(server);
	ck_assert_int_eq(control_server_new(loop, path, group, stub_dispatch, NULL, &server), 0);
	control_server_on_gone(server, stub_gone);
	ck_assert_int_eq(chmod(dir, 0755), 0);
}

/* A member of the control group (uid nobody) asking for a big reply (a
 * status, a log backlog) or to wait, and not reading: it reports on out
 * the first reply's type (or 0: none), read from its header once the
 * server had time to queue it, then waits. */
static pid_t member_asking(gid_t gid, int out, uint16_t req)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct proto_buf b;
		uint8_t h[PROTO_HDR_SIZE];
		struct proto_hdr hdr;
		uint16_t type = 0;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a failed check leaves none */
		fd = member_connect(gid);
		proto_buf_init(&b, REQ_LIMIT);
		proto_msg_begin(&b, req);
		if (req != PROTO_REQ_WAIT)
			proto_put_str(&b, PROTO_ATTR_NAME, "big");
		proto_msg_end(&b);
		if (write(fd, b.data, b.len) != (ssize_t)b.len)
			_exit(103);
		usleep(500 * 1000);
		if (recv(fd, h, sizeof(h), MSG_WAITALL) == sizeof(h) &&
		    proto_hdr_decode(h, PROTO_REPLY_MAX, &hdr) == 0)
			type = hdr.type;
		if (write(out, &type, sizeof(type)) < 0)
			_exit(104);
		pause();
		_exit(0);
	}
	return pid;
}

static pid_t slow_member(gid_t gid, int out)
{
	return member_asking(gid, out, PROTO_REQ_STATUS);
}

/* Root's replies past the shared bound (7 of 6M, unread): fds to close. */
static void roots_fill(int roots[7])
{
	for (int i = 0; i < 7; i++) {
		roots[i] = client_connect();
		client_request(roots[i], PROTO_REQ_STATUS, "big");
		pump(3);
	}
	ck_assert_uint_gt(control_server_queued(server), 32u << 20);
}

/* The reply type member_asking reported. */
static uint16_t member_said(int fd)
{
	uint16_t type = 0;

	while (read(fd, &type, sizeof(type)) != sizeof(type))
		pump(1);
	return type;
}

/* Replies wait in PID 1's heap for clients that read slowly, and the
 * control group may hold 56 clients: together they may hold 32M of large
 * replies. A member past that is told to try again (EBUSY), not queued 6M
 * more. Root is not held to it: the group cannot keep root from its
 * replies. */
START_TEST(test_replies_share_a_bound)
{
	const gid_t group = 65534;
	pid_t kids[8];
	int pipefd[2], busy = 0, ok = 0;
	struct proto_hdr h;
	uint8_t *p = NULL;
	int fd;

	if (getuid() != 0)
		return;
	serve_group(group);
	control_server_set_idle_timeout(server, 30 * USEC_PER_SEC);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	for (int i = 0; i < 8; i++)
		kids[i] = slow_member(group, pipefd[1]);
	for (int got = 0; got < 8;) {
		uint16_t type;

		pump(1);
		if (read(pipefd[0], &type, sizeof(type)) == sizeof(type)) {
			got++;
			busy += type == PROTO_REPLY_ERROR;
			ok += type == PROTO_REPLY_OK;
		}
	}
	ck_assert_uint_le(control_server_queued(server), 32u << 20);
	ck_assert_int_ge(busy, 1);
	ck_assert_int_ge(ok, 4);
	/* Root still gets its big reply, whole. */
	fd = client_connect();
	client_request(fd, PROTO_REQ_STATUS, "big");
	ck_assert_int_eq(client_recv(fd, &h, &p, 5000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	free(p);
	close(fd);
	for (int i = 0; i < 8; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

/* Root's replies past the bound, and a member of the control group
 * asking with req (member_asking); _end ends it all. */
struct past_bound {
	int pipefd[2];
	int roots[7];
	pid_t kid;
};

static void past_bound_begin(struct past_bound *pb, uint16_t req)
{
	serve_group(65534);
	control_server_set_idle_timeout(server, 30 * USEC_PER_SEC);
	roots_fill(pb->roots);
	ck_assert_int_eq(pipe2(pb->pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	pb->kid = member_asking(65534, pb->pipefd[1], req);
}

static void past_bound_end(struct past_bound *pb)
{
	kill(pb->kid, SIGKILL);
	waitpid(pb->kid, NULL, 0);
	for (int i = 0; i < 7; i++)
		close(pb->roots[i]);
	close(pb->pipefd[0]);
	close(pb->pipefd[1]);
}

/* Root's replies are queued past the bound; a member's big reply is
 * still refused then (the room left must not wrap around). */
START_TEST(test_replies_bound_holds_past_roots)
{
	struct past_bound pb;

	if (getuid() != 0)
		return;
	past_bound_begin(&pb, PROTO_REQ_STATUS);
	ck_assert_int_eq(member_said(pb.pipefd[0]), PROTO_REPLY_ERROR);
	past_bound_end(&pb);
}
END_TEST

/* What a dispatcher asks before it builds a large reply: yes for a member
 * while the replies waiting leave room for one, no once root's fill the
 * bound (a member's request is then told busy before any work), yes for
 * root whatever waits. */
START_TEST(test_may_queue_large_before_the_work)
{
	struct past_bound pb;
	int pipefd[2], fd;
	struct proto_hdr h;
	uint8_t *p = NULL;
	pid_t kid;

	if (getuid() != 0)
		return;
	serve_group(65534);
	control_server_set_idle_timeout(server, 30 * USEC_PER_SEC);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	kid = member_asking(65534, pipefd[1], PROTO_REQ_SHOW);
	ck_assert_int_eq(member_said(pipefd[0]), PROTO_REPLY_OK);
	ck_assert_int_eq(may_large, 1);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);

	roots_fill(pb.roots);
	ck_assert_int_eq(pipe2(pb.pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	pb.kid = member_asking(65534, pb.pipefd[1], PROTO_REQ_SHOW);
	ck_assert_int_eq(member_said(pb.pipefd[0]), PROTO_REPLY_OK);
	ck_assert_int_eq(may_large, 0);
	fd = client_connect();
	client_request(fd, PROTO_REQ_SHOW, "x");
	ck_assert_int_eq(client_recv(fd, &h, &p, 5000), 1);
	free(p);
	close(fd);
	ck_assert_int_eq(may_large, 1);
	past_bound_end(&pb);
}
END_TEST

/* A follower's backlog (`logs -f`) past the bound: told busy, like a
 * request, not closed without a word; its dispatcher hears that it is
 * gone once that is sent. */
START_TEST(test_follower_told_busy)
{
	struct past_bound pb;

	if (getuid() != 0)
		return;
	past_bound_begin(&pb, PROTO_REQ_LOGS);
	ck_assert_int_eq(member_said(pb.pipefd[0]), PROTO_REPLY_ERROR);
	for (int i = 0; i < 100 && gone_calls == 0; i++)
		pump(10);
	ck_assert_int_eq(gone_calls, 1);
	past_bound_end(&pb);
}
END_TEST

/* A deferred client's large answer past the bound: the same, and the
 * dispatcher learns it from the return value (no on_gone). */
START_TEST(test_deferred_answer_told_busy)
{
	void *big = calloc(1, BIG_REPLY);
	struct past_bound pb;
	struct proto_buf b;

	if (getuid() != 0)
		return;
	past_bound_begin(&pb, PROTO_REQ_WAIT);
	while (!deferred_client)
		pump(10);
	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_bytes(&b, PROTO_ATTR_DATA, big, BIG_REPLY);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(control_client_reply(deferred_client, &b, false), -EBUSY);
	proto_buf_free(&b);
	free(big);
	deferred_client = NULL;
	ck_assert_int_eq(member_said(pb.pipefd[0]), PROTO_REPLY_ERROR);
	pump(50);
	ck_assert_int_eq(gone_calls, 0);
	past_bound_end(&pb);
}
END_TEST

START_TEST(test_stream_overflow)
{
	int fd = client_connect();
	struct proto_buf b;
	void *chunk = calloc(1, 1u << 20);
	int r = 0, sent = 0;
	struct proto_hdr h;
	uint8_t *p = NULL;

	client_request(fd, PROTO_REQ_LOGS, "web");
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);   /* the backlog */
	free(p);
	proto_buf_init(&b, REP_LIMIT);
	while (r == 0 && sent < 64) {
		proto_msg_begin(&b, PROTO_REPLY_OK);
		proto_put_bytes(&b, PROTO_ATTR_DATA, chunk, 1u << 20);
		ck_assert_int_eq(proto_msg_end(&b), 0);
		r = control_client_reply(deferred_client, &b, false);
		sent++;
	}
	ck_assert_int_eq(r, -ENOBUFS);
	ck_assert_int_le(sent, 12);
	ck_assert_uint_eq(control_server_clients(server), 0);
	ck_assert_int_eq(gone_calls, 0);       /* the caller saw r instead */
	proto_buf_free(&b);
	free(chunk);
	close(fd);
}
END_TEST

static int drained_calls;

static void stub_drained(void *ctx, struct control_client *c)
{
	drained_calls++;
	ck_assert_ptr_eq(c, deferred_client);
}

/* A bounded streamer (as `logs -f`): it queues only while the client's
 * queue is under its bound; the server says when the socket took it all;
 * a client that reads nothing is dropped by the idle timeout although its
 * stream keeps coming. */
START_TEST(test_bounded_stream)
{
	const size_t bound = 64 * 1024;
	int fd = client_connect();
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p = NULL;
	char chunk[4096] = { 0 };
	size_t got = 0, sent = 0;

	drained_calls = 0;
	control_server_on_drained(server, stub_drained);
	/* Filled and drained however slow the machine: the idle drop is the
	 * last part's alone (it ended this part on a loaded one: a segfault) */
	control_server_set_idle_timeout(server, 30 * USEC_PER_SEC);
	client_request(fd, PROTO_REQ_LOGS, "web");
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);   /* the backlog */
	free(p);
	proto_buf_init(&b, REP_LIMIT);
	/* Fill the socket and the bound: the client does not read. */
	for (int i = 0; i < 1000; i++) {
		ck_assert_ptr_nonnull(deferred_client);
		if (control_client_pending(deferred_client) >= bound)
			break;
		proto_msg_begin(&b, PROTO_REPLY_OK);
		proto_put_bytes(&b, PROTO_ATTR_DATA, chunk, sizeof(chunk));
		ck_assert_int_eq(proto_msg_end(&b), 0);
		ck_assert_int_eq(control_client_reply(deferred_client, &b, false), 0);
		sent++;
		pump(1);
	}
	ck_assert_uint_ge(control_client_pending(deferred_client), bound);
	ck_assert_uint_lt(control_client_pending(deferred_client), bound + sizeof(chunk) + 64);
	/* Reading it all: the queue drains, the streamer hears of it. */
	for (; got < sent; got++) {
		ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
		free(p);
	}
	pump(3);
	ck_assert_uint_eq(control_client_pending(deferred_client), 0);
	ck_assert_int_ge(drained_calls, 1);
	/* Now a reader that reads nothing: kept streaming to, it is still
	 * dropped once nothing moves for the idle timeout (300 ms here). */
	control_server_set_idle_timeout(server, 300 * USEC_PER_MSEC);
	for (int i = 0; i < 400 && deferred_client; i++) {
		if (control_client_pending(deferred_client) < bound) {
			proto_msg_begin(&b, PROTO_REPLY_OK);
			proto_put_bytes(&b, PROTO_ATTR_DATA, chunk, sizeof(chunk));
			ck_assert_int_eq(proto_msg_end(&b), 0);
			ck_assert_int_eq(control_client_reply(deferred_client, &b, false), 0);
		}
		pump(1);
	}
	ck_assert_ptr_null(deferred_client);
	ck_assert_int_eq(gone_calls, 1);
	proto_buf_free(&b);
	close(fd);
}
END_TEST

START_TEST(test_stream_to_vanished_peer)
{
	int fd = client_connect();
	struct proto_buf b;
	struct proto_hdr h;
	uint8_t *p = NULL;
	int r;

	client_request(fd, PROTO_REQ_LOGS, "web");
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	free(p);
	close(fd);          /* gone, and the loop has not noticed yet */
	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_bytes(&b, PROTO_ATTR_DATA, "late\n", 5);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	r = control_client_reply(deferred_client, &b, false);
	ck_assert_int_lt(r, 0);
	ck_assert_int_eq(gone_calls, 0);
	ck_assert_uint_eq(control_server_clients(server), 0);
	proto_buf_free(&b);
	pump(3);
}
END_TEST

/* ---- access levels, from a child that dropped root ----------------------- */

/* Child: become uid 65534 with group `gid`, send `type`, exit with the
 * reply's errno (0 for OK, 100 for anything unexpected). */
static int child_request(gid_t gid, uint16_t type)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct proto_buf b;
		uint8_t h[PROTO_HDR_SIZE], buf[4096];
		struct proto_hdr hdr;
		struct proto_attr_view a;
		uint32_t e;
		int fd;

		fd = member_connect(gid);
		proto_buf_init(&b, REQ_LIMIT);
		proto_msg_begin(&b, type);
		proto_msg_end(&b);
		if (write(fd, b.data, b.len) != (ssize_t)b.len)
			_exit(103);
		if (recv(fd, h, sizeof(h), MSG_WAITALL) != sizeof(h) ||
		    proto_hdr_decode(h, sizeof(buf), &hdr) < 0)
			_exit(104);
		if (hdr.len && recv(fd, buf, hdr.len, MSG_WAITALL) != (ssize_t)hdr.len)
			_exit(105);
		if (hdr.type == PROTO_REPLY_OK)
			_exit(0);
		if (proto_attr_find(buf, hdr.len, PROTO_ATTR_ERRNO, &a) != 1 ||
		    proto_get_u32(&a, &e) < 0)
			_exit(106);
		_exit((int)e);
	}
	while (waitpid(pid, &status, WNOHANG) == 0)
		pump(1);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_access_levels)
{
	const gid_t group = 65534;
	struct commands cmds = { 0 };   /* no units: read requests say so */

	if (getuid() != 0)
		return;
	control_server_free(server);
	ck_assert_int_eq(control_server_new(loop, path, group, commands_dispatch, &cmds,
					    &server), 0);
	control_server_set_idle_timeout(server, 300 * USEC_PER_MSEC);
	control_server_on_gone(server, commands_client_gone);
	ck_assert_int_eq(chmod(dir, 0755), 0);

	/* The table lets the group read (no units loaded yet: EAGAIN), not act. */
	ck_assert_int_eq(child_request(group, PROTO_REQ_STATUS), EAGAIN);
	ck_assert_int_eq(child_request(group, PROTO_REQ_SHOW), EAGAIN);
	ck_assert_int_eq(child_request(group, PROTO_REQ_START), EPERM);
	ck_assert_int_eq(child_request(group, PROTO_REQ_KILL), EPERM);
	ck_assert_int_eq(child_request(group, PROTO_REQ_RELOAD), EPERM);
	ck_assert_int_eq(child_request(group, PROTO_REQ_POWEROFF), EPERM);
	/* The socket's mode keeps strangers out; widen it to see that the
	 * server checks on its own too. */
	ck_assert_int_eq(child_request(12345, PROTO_REQ_STATUS), 102);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(child_request(12345, PROTO_REQ_STATUS), EACCES);
	ck_assert_int_eq(child_request(12345, PROTO_REQ_START), EACCES);
	/* The group is judged per request: once dropped, a member is a
	 * stranger. */
	ck_assert_int_eq(control_server_set_group(server, (gid_t)-1, NULL), 0);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(child_request(group, PROTO_REQ_STATUS), EACCES);
	control_server_free(server);
	server = NULL;
}
END_TEST

/* The man pages name the commands the control group may run: exactly the
 * read level of the dispatch table (svctl's name for each request). */
static const char *const svctl_command[PROTO_REQ_MAX] = {
	[PROTO_REQ_STATUS] = "status", [PROTO_REQ_POWEROFF] = "poweroff",
	[PROTO_REQ_REBOOT] = "reboot", [PROTO_REQ_HALT] = "halt",
	[PROTO_REQ_START] = "start", [PROTO_REQ_STOP] = "stop",
	[PROTO_REQ_RESTART] = "restart", [PROTO_REQ_RELOAD] = "reload",
	[PROTO_REQ_LOGS] = "logs", [PROTO_REQ_KILL] = "kill", [PROTO_REQ_WAIT] = "wait",
	[PROTO_REQ_TREE] = "tree", [PROTO_REQ_SHOW] = "show",
	[PROTO_REQ_SYSTEM] = "show\\-system", [PROTO_REQ_POSTMORTEM] = "postmortem",
	[PROTO_REQ_FREEZE] = "freeze", [PROTO_REQ_THAW] = "thaw",
	[PROTO_REQ_ANALYZE] = "analyze",
	[PROTO_REQ_METRICS] = "metrics",
};

/* The text between `start` and `end` in the man page at `file`. */
static char *man_section(const char *file, const char *start, const char *end)
{
	char buf[65536], *a, *b;
	FILE *f = fopen(file, "r");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", file, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	a = strstr(buf, start);
	ck_assert_msg(a != NULL, "%s: no '%s'", file, start);
	b = strstr(a, end);
	ck_assert_msg(b != NULL, "%s: no '%s' after '%s'", file, end, start);
	return strndup(a, (size_t)(b - a));
}

static bool mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
			return true;
	return false;
}

START_TEST(test_access_table_documented)
{
	char *conf = man_section("units/initd.conf.5", "may run", "and nothing else");
	char *svctl = man_section("svctl/svctl.8", "may use", "and nothing else");

	for (uint16_t t = 1; t < PROTO_REQ_MAX; t++) {
		bool read = commands_access(t) == CONTROL_READ;

		ck_assert_int_ge(commands_access(t), CONTROL_READ);
		ck_assert_msg(mentions(conf, svctl_command[t]) == read,
			      "initd.conf(5) control_group and the table disagree on %s",
			      svctl_command[t]);
		ck_assert_msg(mentions(svctl, svctl_command[t]) == read,
			      "svctl(8) and the table disagree on %s", svctl_command[t]);
	}
	/* svctl's `list` is a status request (svctl.c's table): listed alike. */
	ck_assert_msg(mentions(conf, "list") == (commands_access(PROTO_REQ_STATUS) == CONTROL_READ),
		      "initd.conf(5) control_group and the table disagree on list");
	ck_assert_msg(mentions(svctl, "list") == (commands_access(PROTO_REQ_STATUS) == CONTROL_READ),
		      "svctl(8) and the table disagree on list");
	ck_assert_int_eq(commands_access(0), -EOPNOTSUPP);
	ck_assert_int_eq(commands_access(PROTO_REQ_MAX), -EOPNOTSUPP);
	free(conf);
	free(svctl);
}
END_TEST

START_TEST(test_root_keeps_reserved_slots)
{
	const gid_t group = 65534;
	const int open_slots = CONTROL_CLIENTS_MAX - CONTROL_ROOT_RESERVED;
	int fds[CONTROL_CLIENTS_MAX], extra, r;

	if (getuid() != 0)
		return;
	serve_group(group);
	for (int i = 0; i < open_slots; i++) {
		fds[i] = client_connect();
		pump(1);
	}
	wait_clients((size_t)open_slots, 1000);
	/* A member of the control group no longer gets in (refused with
	 * EUSERS, which may close the socket before the child wrote: 103)... */
	r = child_request(group, PROTO_REQ_STATUS);
	ck_assert(r == EUSERS || r == 103);
	ck_assert_uint_eq(control_server_clients(server), (size_t)open_slots);
	/* ...root still does. */
	extra = client_connect();
	client_request(extra, PROTO_REQ_STATUS, "root");
	expect_status_echo(extra, "root");
	ck_assert_uint_eq(control_server_clients(server), (size_t)open_slots + 1);
	close(extra);
	for (int i = 0; i < open_slots; i++)
		close(fds[i]);
	wait_clients(0, 1000);
}
END_TEST

START_TEST(test_unknown_type_message)
{
	int fd;
	struct proto_hdr h;
	uint8_t *p = NULL;

	fd = client_connect();
	client_request(fd, 999, NULL);
	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_uint_eq(reply_errno(&h, p), EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(reply_message(&h, p), "unknown request type 999"));
	free(p);
	close(fd);
}
END_TEST

/* The server again, its requests going to the real commands. */
static void serve_commands(struct commands *cmds)
{
	control_server_free(server);
	ck_assert_int_eq(control_server_new(loop, path, getgid(), commands_dispatch, cmds,
					    &server), 0);
	control_server_on_gone(server, commands_client_gone);
}

/* A reload whose loader cannot even be started answers at once, from
 * inside the dispatch. */
static void reload_fails_at_once(struct commands *cmds)
{
	struct proto_buf b;

	proto_buf_init(&b, REP_LIMIT);
	ck_assert_int_eq(proto_msg_error(&b, EAGAIN, "cannot start the unit loader"), 0);
	commands_reload_done(cmds, &b);
	proto_buf_free(&b);
}

/* That answer must reach the client even though it came before the
 * request was deferred. */
START_TEST(test_reload_failing_at_once_is_answered)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { .reload = reload_fails_at_once };
	struct manager *m = NULL;
	int fd;

	if (getuid() != 0)
		return;   /* reload needs root */
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	cmds.manager = m;
	serve_commands(&cmds);
	fd = client_connect();
	client_request(fd, PROTO_REQ_RELOAD, NULL);
	expect_error(fd, EAGAIN, false);
	ck_assert_ptr_null(cmds.reloads);
	close(fd);
	control_server_free(server);
	server = NULL;
	manager_free(m);
}
END_TEST

/* A load that starts the first time it is asked, and cannot start after
 * (no fds, no memory for the loader). */
static int loads_asked;

static void reload_starts_once(struct commands *cmds)
{
	if (loads_asked++ == 0)
		commands_load_started(cmds);
	else
		commands_reload_failed(cmds, EAGAIN, "cannot start the unit loader");
}

/* A second new instance asked for while the first one's load runs waits
 * for the next load; when that one cannot start, it hears so. PID 1 asked
 * again from inside the failure's answer, for ever: a recursion that
 * crashed it. */
START_TEST(test_instance_load_that_cannot_start_is_answered)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { .reload = reload_starts_once };
	struct manager *m = NULL;
	struct unit_set *set = NULL;
	char units[96], unit[128], conf[96];
	int a, b;
	FILE *f;

	if (getuid() != 0)
		return;   /* start needs root */
	snprintf(units, sizeof(units), "%s/units", dir);
	snprintf(unit, sizeof(unit), "%s/w@.unit", units);
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	ck_assert_int_eq(unit_set_load(conf, units, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, set), 0);
	cmds.manager = m;
	serve_commands(&cmds);
	/* During a shutdown no loader is started for an instance. */
	cmds.shutting_down = true;
	a = client_connect();
	client_request(a, PROTO_REQ_START, "w@9");
	expect_error(a, ESHUTDOWN, false);
	close(a);
	ck_assert_int_eq(loads_asked, 0);
	cmds.shutting_down = false;
	a = client_connect();
	client_request(a, PROTO_REQ_START, "w@1");
	pump(3);
	ck_assert_int_eq(loads_asked, 1);
	b = client_connect();
	client_request(b, PROTO_REQ_START, "w@2");
	pump(3);
	ck_assert_int_eq(loads_asked, 1);   /* w@2 waits for the next load */
	commands_reload_failed(&cmds, EIO, "the loader died");   /* w@1's load ends */
	ck_assert_int_eq(loads_asked, 2);
	expect_error(a, EIO, false);
	expect_error(b, EAGAIN, false);
	close(a);
	close(b);
	control_server_free(server);
	server = NULL;
	manager_free(m);
	commands_instances_free(&cmds);
	unlink(unit);
	rmdir(units);
}
END_TEST

/* svctl start NAME@INST on a manager that holds no set (manager_set is
 * NULL, as commands_tree allows): unit not found, not a NULL dereference
 * in is_template. Found by fuzz_proto (tests/fuzz/proto/crash-b4d70b77...). */
START_TEST(test_instance_start_without_a_set)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { 0 };
	struct control_request req = { .type = PROTO_REQ_START, .access = CONTROL_ADMIN };
	struct proto_buf msg, reply;
	struct proto_hdr h;
	uint8_t *p = NULL;

	ck_assert_int_eq(manager_new(loop, &mo, &cmds.manager), 0);
	proto_buf_init(&msg, REQ_LIMIT);
	proto_msg_begin(&msg, PROTO_REQ_START);
	proto_put_str(&msg, PROTO_ATTR_NAME, "we@");
	ck_assert_int_eq(proto_msg_end(&msg), 0);
	req.payload = msg.data + PROTO_HDR_SIZE;
	req.len = (uint32_t)(msg.len - PROTO_HDR_SIZE);
	proto_buf_init(&reply, REP_LIMIT);
	ck_assert_int_eq(commands_dispatch(&cmds, NULL, &req, &reply), 0);
	ck_assert_int_eq(proto_hdr_decode(reply.data, PROTO_REPLY_MAX, &h), 0);
	p = reply.data + PROTO_HDR_SIZE;
	ck_assert_uint_eq(reply_errno(&h, p), ENOENT);
	ck_assert_ptr_nonnull(strstr(reply_message(&h, p), "not found"));
	ck_assert_ptr_null(cmds.instance_waiters);
	proto_buf_free(&reply);
	proto_buf_free(&msg);
	manager_free(cmds.manager);
	commands_instances_free(&cmds);
}
END_TEST

static int loads_started;

static void reload_starts(struct commands *cmds)
{
	loads_started++;
	commands_load_started(cmds);
}

/* svctl reload while a load runs (another reload's, an instance's,
 * SIGHUP's): that load may have read the files before the request, so
 * the request waits for the next load, which then starts. */
START_TEST(test_reload_during_a_load_waits_for_the_next)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { .reload = reload_starts };
	struct manager *m = NULL;
	struct proto_hdr h;
	uint8_t *p = NULL;
	int a, b;

	if (getuid() != 0)
		return;   /* reload needs root */
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	cmds.manager = m;
	serve_commands(&cmds);
	a = client_connect();
	client_request(a, PROTO_REQ_RELOAD, NULL);
	pump(3);
	ck_assert_int_eq(loads_started, 1);
	b = client_connect();
	client_request(b, PROTO_REQ_RELOAD, NULL);
	pump(3);
	ck_assert_int_eq(loads_started, 1);
	commands_reload_failed(&cmds, EIO, "the first load");
	expect_error(a, EIO, false);
	ck_assert_int_eq(loads_started, 2);             /* b's own load */
	ck_assert_int_eq(client_recv(b, &h, &p, 200), -ETIMEDOUT);
	commands_reload_failed(&cmds, ENOENT, "the second load");
	expect_error(b, ENOENT, false);
	ck_assert_int_eq(loads_started, 2);
	close(a);
	close(b);
	control_server_free(server);
	server = NULL;
	manager_free(m);
}
END_TEST

/* A reload waiting on the commands of a fresh manager: the client's fd
 * (the load it asked for started: reload_starts). */
static int reload_waiting_client(struct commands *cmds, struct manager **ret_m)
{
	struct manager_options mo = { .use_cgroup = false };
	int fd;

	ck_assert_int_eq(manager_new(loop, &mo, ret_m), 0);
	cmds->manager = *ret_m;
	serve_commands(cmds);
	fd = client_connect();
	client_request(fd, PROTO_REQ_RELOAD, NULL);
	pump(3);
	ck_assert_ptr_nonnull(cmds->reloads);
	return fd;
}

/* The MESSAGE of the error reply on fd, which must be errno e (caller
 * frees). */
static char *reload_error_text(int fd, uint32_t e)
{
	struct proto_hdr h;
	uint8_t *p = NULL;
	char *s;

	ck_assert_int_eq(client_recv(fd, &h, &p, 2000), 1);
	ck_assert_uint_eq(reply_errno(&h, p), e);
	ck_assert_ptr_nonnull(s = strdup(reply_message(&h, p)));
	free(p);
	return s;
}

static void reload_client_done(int fd, struct manager *m)
{
	close(fd);
	control_server_free(server);
	server = NULL;
	manager_free(m);
}

/* Diagnostic i of a set, its file and message file_len and msg_len bytes
 * long, each text its own (the number in it). */
static void long_diag(struct unit_diag *d, size_t i, size_t file_len, size_t msg_len)
{
	ck_assert_ptr_nonnull(d->file = malloc(file_len + 1));
	ck_assert_ptr_nonnull(d->message = malloc(msg_len + 1));
	memset(d->file, 'f', file_len);
	memcpy(d->file, "/etc/initd/units/", 17);
	snprintf(d->file + file_len - 16, 17, "%011zu.unit", i);
	memset(d->message, 'm', msg_len);
	d->message[snprintf(d->message, msg_len, "error %zu:", i)] = ' ';
	d->message[msg_len - 1] = '$';    /* its end: a cut one lacks it */
	d->message[msg_len] = '\0';
	d->line = (int)i + 1;
}

static void long_diags_free(struct unit_diag *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].message);
	}
}

/* The line of text that starts at *at is diagnostic d whole; *at moves
 * past it (and its newline). */
static void assert_line_is(const char **at, const struct unit_diag *d)
{
	char line[4096];
	size_t n = unit_diag_format(d, line, sizeof(line));

	ck_assert_uint_lt(n, sizeof(line));
	ck_assert_msg(strncmp(*at, line, n) == 0 && ((*at)[n] == '\n' || (*at)[n] == '\0'),
		      "not whole in the answer: %.60s...", line);
	*at += n + ((*at)[n] == '\n');
}

static const char refused_head[] =
	"reload refused: 3 error(s), the running configuration is unchanged\n";

/* svctl reload of a set with errors: every error reaches the operator
 * whole, however long its file's path or its message. Each had 256 bytes
 * of the answer and a long one was cut mid-text. */
START_TEST(test_reload_refused_says_every_error_whole)
{
	struct commands cmds = { .reload = reload_starts };
	struct unit_diag v[3] = { 0 };
	struct unit_set set = { .diags = { v, 3 } };
	struct manager *m = NULL;
	const char *at;
	char *text;
	int fd;

	if (getuid() != 0)
		return;   /* reload needs root */
	long_diag(&v[0], 0, 900, 60);     /* a deep path */
	long_diag(&v[1], 1, 40, 30);
	long_diag(&v[2], 2, 40, 700);     /* a message quoting values */
	fd = reload_waiting_client(&cmds, &m);
	commands_reload_refused(&cmds, &set);
	text = reload_error_text(fd, EINVAL);
	ck_assert_int_eq(strncmp(text, refused_head, strlen(refused_head)), 0);
	at = text + strlen(refused_head);
	for (size_t i = 0; i < 3; i++)
		assert_line_is(&at, &v[i]);
	ck_assert_str_eq(at, "");
	free(text);
	reload_client_done(fd, m);
	long_diags_free(v, 3);
}
END_TEST

/* More errors than an answer carries: those it shows are whole, in order,
 * and its last line says how many it left out, none cut mid-line. */
START_TEST(test_reload_refused_says_how_many_it_left_out)
{
	enum { N = 3000 };   /* 1.2 MB of text */
	struct commands cmds = { .reload = reload_starts };
	struct unit_diag *v = calloc(N, sizeof(*v));
	struct unit_set set = { .diags = { v, N } };
	struct manager *m = NULL;
	size_t shown = 0, more = 0;
	const char *at;
	char *text, tail[16];
	int fd;

	if (getuid() != 0)
		return free(v);   /* reload needs root */
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < N; i++)
		long_diag(&v[i], i, 200, 200);
	fd = reload_waiting_client(&cmds, &m);
	commands_reload_refused(&cmds, &set);
	text = reload_error_text(fd, EINVAL);
	ck_assert_uint_le(strlen(text), COMMANDS_REFUSED_TEXT_MAX);
	ck_assert_int_eq(strncmp(text, "reload refused: 3000 error(s)", 29), 0);
	at = strchr(text, '\n') + 1;
	while (strncmp(at, "/etc/", 5) == 0)
		assert_line_is(&at, &v[shown++]);
	ck_assert_int_eq(sscanf(at, "(%zu more error(s) not shown%15s", &more, tail), 2);
	ck_assert_uint_gt(shown, 100);
	ck_assert_uint_eq(shown + more, N);
	ck_assert_ptr_null(strchr(at, '\n'));   /* the last line */
	free(text);
	reload_client_done(fd, m);
	long_diags_free(v, N);
	free(v);
}
END_TEST

/* A load that failed says why whole: its text had 256 bytes. */
START_TEST(test_reload_failed_says_why_whole)
{
	struct commands cmds = { .reload = reload_starts };
	struct manager *m = NULL;
	char why[600], *text;
	int fd;

	if (getuid() != 0)
		return;   /* reload needs root */
	memset(why, 'w', sizeof(why) - 2);
	why[sizeof(why) - 2] = '$';
	why[sizeof(why) - 1] = '\0';
	fd = reload_waiting_client(&cmds, &m);
	commands_reload_failed(&cmds, EIO, "%s: %s", why, strerror(EIO));
	text = reload_error_text(fd, EIO);
	ck_assert_uint_eq(strlen(text), strlen("reload failed: ") + strlen(why) + 2 +
			  strlen(strerror(EIO)));
	ck_assert_ptr_nonnull(strstr(text, "$: Input/output error"));
	free(text);
	reload_client_done(fd, m);
}
END_TEST

/* A request of lifecycle type (and flags) with one NAME, straight to the
 * commands, from client `c` (a token nothing dereferences). */
static int dispatch_named(struct commands *cmds, struct control_client *c, uint16_t type,
			  const char *name, struct proto_buf *reply)
{
	struct control_request req = { .type = type, .access = CONTROL_ADMIN };
	struct proto_buf msg;
	int r;

	proto_buf_init(&msg, REQ_LIMIT);
	proto_msg_begin(&msg, type);
	if (name)
		proto_put_str(&msg, PROTO_ATTR_NAME, name);
	ck_assert_int_eq(proto_msg_end(&msg), 0);
	req.payload = msg.data + PROTO_HDR_SIZE;
	req.len = (uint32_t)(msg.len - PROTO_HDR_SIZE);
	proto_buf_init(reply, REP_LIMIT);
	r = commands_dispatch(cmds, c, &req, reply);
	proto_buf_free(&msg);
	return r;
}

/* svctl restart of a stopped run-time instance while a load that left it
 * out runs: that load's set has no such unit, and applying it stops
 * whatever runs under the name. The restart ran it at once, and the load
 * stopped it again (and forgot the name); it waits for the next load, as
 * a start does. */
START_TEST(test_restart_of_a_left_out_instance_waits_for_the_load)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { .reload = reload_starts };
	struct control_client *token = (struct control_client *)&cmds;
	struct unit_set *set = NULL;
	char units[96], unit[128], conf[96], **names;
	struct proto_buf reply;
	FILE *f;

	snprintf(units, sizeof(units), "%s/units", dir);
	snprintf(unit, sizeof(unit), "%s/w@.unit", units);
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	/* w@1, a run-time instance, loaded and stopped */
	ck_assert_ptr_nonnull(cmds.instances = calloc(2, sizeof(char *)));
	ck_assert_ptr_nonnull(cmds.instances[0] = strdup("w@1"));
	cmds.n_instances = 1;
	ck_assert_int_eq(unit_set_load_with(conf, units, cmds.instances, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &cmds.manager), 0);
	ck_assert_int_eq(manager_apply(cmds.manager, set), 0);
	ck_assert_ptr_nonnull(manager_find(cmds.manager, "w@1"));
	/* a load begins (a reload's) and leaves it out */
	names = commands_instances_for_load(&cmds);
	ck_assert_ptr_nonnull(names);
	ck_assert_ptr_null(names[0]);
	free(names);
	ck_assert(commands_instance_left_out(&cmds, "w@1"));
	commands_load_started(&cmds);

	ck_assert_int_eq(dispatch_named(&cmds, token, PROTO_REQ_RESTART, "w@1", &reply),
			 CONTROL_DEFER);
	ck_assert_ptr_nonnull(cmds.instance_waiters);    /* waits for the next load */
	ck_assert_ptr_null(cmds.pending);
	ck_assert(!manager_find(cmds.manager, "w@1")->want_running);
	proto_buf_free(&reply);
	/* That load applied, the next one (which makes w@1 again) starts; once
	 * it is applied the restart runs, and waits for w@1 to settle. */
	commands_instances_loaded(&cmds, true, NULL);
	ck_assert(cmds.loading);
	ck_assert_ptr_nonnull(cmds.instance_waiters);
	ck_assert(!manager_find(cmds.manager, "w@1")->want_running);
	commands_instances_loaded(&cmds, true, NULL);
	ck_assert_ptr_null(cmds.instance_waiters);
	ck_assert_ptr_nonnull(cmds.pending);
	ck_assert(manager_find(cmds.manager, "w@1")->want_running);

	commands_client_gone(&cmds, token);
	manager_free(cmds.manager);
	commands_instances_free(&cmds);
	unlink(unit);
	rmdir(units);
}
END_TEST

/* The loader, played by the test: a load started by the commands is
 * handed the names commands_instances_for_load gives (as start_reload in
 * initd/main.c), and is applied by load_apply as reload_loaded applies
 * one. */
static char **load_names;

static void reload_records(struct commands *cmds)
{
	loads_started++;
	free(load_names);
	load_names = commands_instances_for_load(cmds);
	ck_assert_ptr_nonnull(load_names);
	commands_load_started(cmds);
}

/* The load in flight reads units (with its names) and is applied. */
static void load_apply(struct commands *cmds, const char *conf, const char *units)
{
	struct reload_summary sum = { 0 };
	struct unit_set *set = NULL;

	ck_assert(cmds->loading);
	ck_assert_int_eq(unit_set_load_with(conf, units, load_names, &set), 0);
	ck_assert_uint_eq(set->diags.n, 0);
	free(load_names);
	load_names = NULL;
	ck_assert_int_eq(manager_reload(cmds->manager, set, &sum), 0);
	commands_reload_applied(cmds, &sum, false);   /* may start the next load */
}

/* w@1 (of template w@.unit in units/), a run-time instance loaded and
 * stopped under cmds' manager, served on the test's socket; then a load
 * begins, as a reload's, and leaves it out. */
static void left_out_instance_setup(struct commands *cmds, char *units, size_t n_units,
				    char *unit, size_t n_unit, char *conf, size_t n_conf)
{
	struct manager_options mo = { .use_cgroup = false };
	struct unit_set *set = NULL;
	FILE *f;

	snprintf(units, n_units, "%s/units", dir);
	snprintf(unit, n_unit, "%s/w@.unit", units);
	snprintf(conf, n_conf, "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	ck_assert_ptr_nonnull(cmds->instances = calloc(2, sizeof(char *)));
	ck_assert_ptr_nonnull(cmds->instances[0] = strdup("w@1"));
	cmds->n_instances = 1;
	ck_assert_int_eq(unit_set_load_with(conf, units, cmds->instances, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &cmds->manager), 0);
	ck_assert_int_eq(manager_apply(cmds->manager, set), 0);
	ck_assert_ptr_nonnull(manager_find(cmds->manager, "w@1"));
	serve_commands(cmds);
	loads_started = 0;
	cmds->reload(cmds);
	ck_assert_ptr_null(load_names[0]);   /* the load leaves w@1 out */
	ck_assert(commands_instance_left_out(cmds, "w@1"));
}

/* svctl start NAME@INST (answered at once, --no-wait) */
static void client_start_no_wait(int fd, const char *name)
{
	struct proto_buf b;

	proto_buf_init(&b, REQ_LIMIT);
	proto_msg_begin(&b, PROTO_REQ_START);
	proto_put_str(&b, PROTO_ATTR_NAME, name);
	proto_put_flag(&b, PROTO_ATTR_NO_WAIT);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	client_send_raw(fd, b.data, b.len);
	proto_buf_free(&b);
}

/* The server reads fd's start and hands it to the commands: it waits
 * for a load (bounded by 10 s: the case has 20), it is not answered. */
static void expect_start_waits(const struct commands *cmds, int fd)
{
	uint64_t deadline = now_usec() + 10 * USEC_PER_SEC;
	struct proto_hdr h;
	uint8_t *p = NULL;
	int r = -ETIMEDOUT;

	while (!cmds->instance_waiters && r == -ETIMEDOUT && now_usec() < deadline)
		r = client_recv(fd, &h, &p, 10);
	if (r == 1)
		free(p);
	ck_assert_int_eq(r, -ETIMEDOUT);               /* not answered */
	ck_assert_ptr_nonnull(cmds->instance_waiters);  /* waits for a load */
}

static void left_out_instance_teardown(struct commands *cmds, const char *units, const char *unit)
{
	control_server_free(server);
	server = NULL;
	manager_free(cmds->manager);
	commands_instances_free(cmds);
	free(load_names);
	load_names = NULL;
	unlink(unit);
	rmdir(units);
}

/* svctl start of a stopped run-time instance while a load that left it
 * out runs: run at once, that load's apply would stop it and forget the
 * name. It waits; the load in flight applied (w@1 gone), the next load
 * makes it again, and once that one is applied it starts and the client
 * hears so. */
START_TEST(test_start_of_a_left_out_instance_waits_for_the_load)
{
	struct commands cmds = { .reload = reload_records };
	char units[96], unit[128], conf[96];
	struct proto_attr_view svc, a;
	struct proto_hdr h;
	uint8_t *p = NULL;
	const char *name;
	int fd;

	if (getuid() != 0)
		return;   /* start needs root */
	left_out_instance_setup(&cmds, units, sizeof(units), unit, sizeof(unit), conf, sizeof(conf));
	fd = client_connect();
	client_start_no_wait(fd, "w@1");
	expect_start_waits(&cmds, fd);
	ck_assert(!manager_find(cmds.manager, "w@1")->want_running);
	ck_assert_int_eq(loads_started, 1);

	/* The load that left it out is applied: w@1 is no longer loaded but
	 * still listed (the start wants it), and the next load has it. */
	load_apply(&cmds, conf, units);
	ck_assert_ptr_null(manager_find(cmds.manager, "w@1"));
	ck_assert_int_eq(loads_started, 2);
	ck_assert_ptr_nonnull(cmds.instance_waiters);
	ck_assert_ptr_nonnull(load_names[0]);
	ck_assert_str_eq(load_names[0], "w@1");
	ck_assert_int_eq(client_recv(fd, &h, &p, 100), -ETIMEDOUT);

	/* That one applied, the start runs and is answered. */
	load_apply(&cmds, conf, units);
	ck_assert_ptr_null(cmds.instance_waiters);
	ck_assert(!cmds.loading);
	ck_assert_int_eq(loads_started, 2);
	ck_assert_ptr_nonnull(manager_find(cmds.manager, "w@1"));
	ck_assert(manager_find(cmds.manager, "w@1")->want_running);
	ck_assert_int_eq(client_recv(fd, &h, &p, 10000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_int_eq(proto_attr_find(p, h.len, PROTO_ATTR_SERVICE, &svc), 1);
	ck_assert_int_eq(proto_attr_find(svc.data, svc.len, PROTO_ATTR_NAME, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &name), 0);
	ck_assert_str_eq(name, "w@1");
	free(p);
	ck_assert_uint_eq(cmds.n_instances, 1);
	close(fd);
	left_out_instance_teardown(&cmds, units, unit);
}
END_TEST

/* The same start while the load in flight also drops the template (its
 * file removed): the next load cannot make w@1, and the client hears so
 * rather than waiting for ever or hearing success; the name is forgotten. */
START_TEST(test_start_of_a_left_out_instance_whose_template_goes)
{
	struct commands cmds = { .reload = reload_records };
	char units[96], unit[128], conf[96];
	struct proto_hdr h;
	uint8_t *p = NULL;
	int fd;

	if (getuid() != 0)
		return;   /* start needs root */
	left_out_instance_setup(&cmds, units, sizeof(units), unit, sizeof(unit), conf, sizeof(conf));
	ck_assert_int_eq(unlink(unit), 0);
	fd = client_connect();
	client_start_no_wait(fd, "w@1");
	expect_start_waits(&cmds, fd);
	ck_assert(!manager_find(cmds.manager, "w@1")->want_running);

	load_apply(&cmds, conf, units);            /* no template, no w@1 */
	ck_assert_ptr_null(manager_find(cmds.manager, "w@1"));
	ck_assert_int_eq(loads_started, 2);
	load_apply(&cmds, conf, units);            /* still none: w@1 left out */
	ck_assert_ptr_null(manager_find(cmds.manager, "w@1"));
	ck_assert_ptr_null(cmds.instance_waiters);
	ck_assert(!cmds.loading);
	ck_assert_int_eq(client_recv(fd, &h, &p, 10000), 1);
	ck_assert_uint_eq(reply_errno(&h, p), ENOENT);
	ck_assert_ptr_nonnull(strstr(reply_message(&h, p), "the load did not make it"));
	free(p);
	ck_assert_uint_eq(cmds.n_instances, 0);    /* forgotten */
	close(fd);
	left_out_instance_teardown(&cmds, units, unit);
}
END_TEST

/* wait takes no unit name (svctl sends none): a request naming one was
 * parked until the named units settled, with no pass to tell, so on a
 * quiet system a control-group member's crafted `wait NAME` held its
 * deferred connection for ever, never answered. It is refused. */
START_TEST(test_wait_naming_a_unit_is_answered)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { 0 };
	struct unit_set *set = NULL;
	char units[96], unit[128], conf[96];
	struct proto_hdr h;
	uint8_t *p = NULL;
	FILE *f;
	int fd;

	snprintf(units, sizeof(units), "%s/units", dir);
	snprintf(unit, sizeof(unit), "%s/a.unit", units);
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	ck_assert_int_eq(unit_set_load(conf, units, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &cmds.manager), 0);
	ck_assert_int_eq(manager_apply(cmds.manager, set), 0);
	serve_commands(&cmds);
	fd = client_connect();
	client_request(fd, PROTO_REQ_WAIT, "a");
	ck_assert_int_eq(client_recv(fd, &h, &p, 1000), 1);
	ck_assert_uint_eq(reply_errno(&h, p), EINVAL);
	ck_assert_ptr_nonnull(strstr(reply_message(&h, p), "wait takes no unit name"));
	free(p);
	ck_assert_ptr_null(cmds.pending);
	/* a wait without one is answered once the manager settled */
	client_request(fd, PROTO_REQ_WAIT, NULL);
	ck_assert_int_eq(client_recv(fd, &h, &p, 1000), 1);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	free(p);
	close(fd);
	control_server_free(server);
	server = NULL;
	manager_free(cmds.manager);
	unlink(unit);
	rmdir(units);
}
END_TEST

/* The cgroup statistics reads a status reply made (manager_cgroup_stats,
 * wrapped: tests.mk). */
static int stats_reads;

int __real_manager_cgroup_stats(struct manager *m, struct service *s,
				struct cgroup_stats *ret);
int __wrap_manager_cgroup_stats(struct manager *m, struct service *s,
				struct cgroup_stats *ret);
int __wrap_manager_cgroup_stats(struct manager *m, struct service *s,
				struct cgroup_stats *ret)
{
	stats_reads++;
	return __real_manager_cgroup_stats(m, s, ret);
}

/* A status request's SERVICEs. */
static size_t reply_services(const struct proto_buf *reply)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	size_t n = 0;

	proto_iter_init(&it, reply->data + PROTO_HDR_SIZE, reply->len - PROTO_HDR_SIZE);
	while (proto_iter_next(&it, &a) > 0)
		n += a.type == PROTO_ATTR_SERVICE;
	return n;
}

/* A status naming several units (256 times the same one, too) made PID 1
 * read each one's ten cgroup files, every time: the statistics of a
 * status of every unit are svctl's to read (svctl/cgstat.c), and so are
 * those of several named ones now. One named unit (svctl status NAME's
 * detail) is one unit's reads; each name still has its row. */
START_TEST(test_status_of_named_units_reads_no_cgroup_files)
{
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { 0 };
	struct control_request req = { .type = PROTO_REQ_STATUS, .access = CONTROL_READ };
	struct unit_set *set = NULL;
	char units[96], unit[128], conf[96];
	struct proto_buf msg, reply;
	FILE *f;

	snprintf(units, sizeof(units), "%s/units", dir);
	snprintf(unit, sizeof(unit), "%s/a.unit", units);
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	ck_assert_int_eq(unit_set_load(conf, units, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &cmds.manager), 0);
	ck_assert_int_eq(manager_apply(cmds.manager, set), 0);
	proto_buf_init(&msg, REQ_LIMIT);
	proto_msg_begin(&msg, PROTO_REQ_STATUS);
	for (int i = 0; i < 256; i++)
		proto_put_str(&msg, PROTO_ATTR_NAME, "a");
	ck_assert_int_eq(proto_msg_end(&msg), 0);
	req.payload = msg.data + PROTO_HDR_SIZE;
	req.len = (uint32_t)(msg.len - PROTO_HDR_SIZE);
	proto_buf_init(&reply, REP_LIMIT);
	stats_reads = 0;
	ck_assert_int_eq(commands_dispatch(&cmds, NULL, &req, &reply), 0);
	ck_assert_int_eq(stats_reads, 0);
	ck_assert_uint_eq(reply_services(&reply), 256);
	proto_buf_free(&reply);
	proto_buf_free(&msg);
	ck_assert_int_eq(dispatch_named(&cmds, NULL, PROTO_REQ_STATUS, "a", &reply), 0);
	ck_assert_int_eq(stats_reads, 1);
	ck_assert_uint_eq(reply_services(&reply), 1);
	proto_buf_free(&reply);
	manager_free(cmds.manager);
	unlink(unit);
	rmdir(units);
}
END_TEST

/* A status of known and unknown names: the client that lists them
 * (UNKNOWN_LISTED, svctl now) gets the known units' SERVICEs and an
 * UNKNOWN per name initd has not, in the order named; one that does not
 * (an older svctl, which would show the rows and exit 0) the whole
 * request refused with ENOENT, as before. */
static int dispatch_status(struct commands *cmds, bool listed, const char *const *names,
			   struct proto_buf *reply)
{
	struct control_request req = { .type = PROTO_REQ_STATUS, .access = CONTROL_READ };
	struct proto_buf msg;
	int r;

	proto_buf_init(&msg, REQ_LIMIT);
	proto_msg_begin(&msg, PROTO_REQ_STATUS);
	for (size_t i = 0; names[i]; i++)
		proto_put_str(&msg, PROTO_ATTR_NAME, names[i]);
	if (listed)
		proto_put_flag(&msg, PROTO_ATTR_UNKNOWN_LISTED);
	ck_assert_int_eq(proto_msg_end(&msg), 0);
	req.payload = msg.data + PROTO_HDR_SIZE;
	req.len = (uint32_t)(msg.len - PROTO_HDR_SIZE);
	proto_buf_init(reply, REP_LIMIT);
	r = commands_dispatch(cmds, NULL, &req, reply);
	proto_buf_free(&msg);
	return r;
}

START_TEST(test_status_lists_unknown_names)
{
	static const char *const names[] = { "nope", "a", "nope2", NULL };
	struct manager_options mo = { .use_cgroup = false };
	struct commands cmds = { 0 };
	struct unit_set *set = NULL;
	char units[96], unit[128], conf[96], seen[64] = "";
	struct proto_buf reply;
	struct proto_attr_iter it;
	struct proto_attr_view a, in;
	const char *str;
	struct proto_hdr h;
	FILE *f;

	snprintf(units, sizeof(units), "%s/units", dir);
	snprintf(unit, sizeof(unit), "%s/a.unit", units);
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(unit, "w"));
	fputs("exec = [ \"/bin/true\" ];\n", f);
	fclose(f);
	ck_assert_int_eq(unit_set_load(conf, units, &set), 0);
	ck_assert_int_eq(manager_new(loop, &mo, &cmds.manager), 0);
	ck_assert_int_eq(manager_apply(cmds.manager, set), 0);

	ck_assert_int_eq(dispatch_status(&cmds, false, names, &reply), 0);
	ck_assert_int_eq(proto_hdr_decode(reply.data, REP_LIMIT, &h), 0);
	ck_assert_uint_eq(h.type, PROTO_REPLY_ERROR);
	ck_assert_uint_eq(reply_errno(&h, reply.data + PROTO_HDR_SIZE), ENOENT);
	proto_buf_free(&reply);

	ck_assert_int_eq(dispatch_status(&cmds, true, names, &reply), 0);
	ck_assert_int_eq(proto_hdr_decode(reply.data, REP_LIMIT, &h), 0);
	ck_assert_uint_eq(h.type, PROTO_REPLY_OK);
	proto_iter_init(&it, reply.data + PROTO_HDR_SIZE, h.len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type == PROTO_ATTR_UNKNOWN) {
			ck_assert_int_eq(proto_get_str(&a, &str), 0);
		} else if (a.type == PROTO_ATTR_SERVICE) {
			ck_assert_int_eq(proto_attr_find(a.data, a.len, PROTO_ATTR_NAME, &in), 1);
			ck_assert_int_eq(proto_get_str(&in, &str), 0);
			strcat(seen, "+");
		} else {
			continue;
		}
		strcat(seen, str);
		strcat(seen, " ");
	}
	ck_assert_str_eq(seen, "nope +a nope2 ");
	proto_buf_free(&reply);
	manager_free(cmds.manager);
	unlink(unit);
	rmdir(units);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_socket_mode);
	tcase_add_test(tc, test_request_reply);
	tcase_add_test(tc, test_request_answered_where_accepted);
	tcase_add_test(tc, test_errors_keep_client);
	tcase_add_test(tc, test_reply_passes_fd);
	tcase_add_test(tc, test_big_reply_passes_fd);
	tcase_add_test(tc, test_fd_refused_by_peer);
	tcase_add_test(tc, test_connect_close);
	tcase_add_test(tc, test_a_client_with_input_is_waited_on);
	tcase_add_test(tc, test_truncated_header_stall);
	tcase_add_test(tc, test_truncated_payload_stall);
	tcase_add_test(tc, test_idle_client_dropped);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_too_many_clients);
	tcase_add_test(tc, test_deferred);
	tcase_add_test(tc, test_deferred_stream_and_gone);
	tcase_add_test(tc, test_deferred_gone_on_free);
	tcase_add_test(tc, test_half_close);
	tcase_add_test(tc, test_no_request_while_deferred);
	tcase_add_test(tc, test_slow_reader_dropped);
	tcase_add_test(tc, test_replies_share_a_bound);
	tcase_add_test(tc, test_may_queue_large_before_the_work);
	tcase_add_test(tc, test_follower_told_busy);
	tcase_add_test(tc, test_deferred_answer_told_busy);
	tcase_add_test(tc, test_replies_bound_holds_past_roots);
	tcase_add_test(tc, test_stream_overflow);
	tcase_add_test(tc, test_access_table_documented);
	tcase_add_test(tc, test_bounded_stream);
	tcase_add_test(tc, test_stream_to_vanished_peer);
	tcase_add_test(tc, test_access_levels);
	tcase_add_test(tc, test_root_keeps_reserved_slots);
	tcase_add_test(tc, test_unknown_type_message);
	tcase_add_test(tc, test_reload_failing_at_once_is_answered);
	tcase_add_test(tc, test_instance_load_that_cannot_start_is_answered);
	tcase_add_test(tc, test_instance_start_without_a_set);
	tcase_add_test(tc, test_reload_during_a_load_waits_for_the_next);
	tcase_add_test(tc, test_reload_refused_says_every_error_whole);
	tcase_add_test(tc, test_reload_refused_says_how_many_it_left_out);
	tcase_add_test(tc, test_reload_failed_says_why_whole);
	tcase_add_test(tc, test_restart_of_a_left_out_instance_waits_for_the_load);
	tcase_add_test(tc, test_start_of_a_left_out_instance_waits_for_the_load);
	tcase_add_test(tc, test_start_of_a_left_out_instance_whose_template_goes);
	tcase_add_test(tc, test_wait_naming_a_unit_is_answered);
	tcase_add_test(tc, test_status_of_named_units_reads_no_cgroup_files);
	tcase_add_test(tc, test_status_lists_unknown_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
