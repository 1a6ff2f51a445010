/* fuzz_control.c — the control socket's stream framing (initd/control.c):
 * how PID 1 cuts a client's bytes into requests, and what it answers.
 *
 * The server runs on a socket in a temporary directory, on its own loop,
 * with a stub dispatcher; the input is a script of records
 *
 *   op (1 byte)  len (2 bytes, little-endian)  len bytes (cut at the end)
 *
 * whose bytes go, in order, to one client's stream: each record is one
 * send() (with OP_FD, carrying an fd in SCM_RIGHTS; with OP_FILL, len * 16
 * bytes of the record's first byte instead of its data), and the other op
 * bits say when the loop runs, when the client reads what it was told,
 * when a deferred request is answered and when the client shuts its side.
 * So one read may see half a header, a header and some payload, several
 * requests, or a length that promises more than ever comes.
 *
 * The stub: STATUS echoes the payload as DATA; WAIT defers without a
 * word; LOGS defers with a first chunk (later chunks come from OP_ANSWER,
 * or from the drained callback with OP_DRAINED); STOP fails (-ENOENT);
 * RELOAD builds no reply; METRICS passes an fd with an empty OK; the rest
 * answer an empty OK.
 *
 * Properties: no crash, leak or UB; every request dispatched is exactly
 * the next whole message of the stream (type, length, payload), none
 * skipped, merged or cut; an unknown type is refused without reaching the
 * dispatcher; a bad header is answered with its error, and nothing after
 * it is read; a message cut short by the end of the stream is dropped
 * without a word; the client gets exactly one reply per request (one per
 * answer of a deferred one), each a whole well-formed message, and the
 * server lets go of it once it shut its side and everything was said; no
 * fd passed in SCM_RIGHTS stays in the process; the client receives the
 * fd of every METRICS reply, once (it reads with recvmsg). */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "initd/control.h"
#include "initd/loop.h"
#include "tests/fds.h"
#include "tests/fuzz/fuzz.h"

enum {
	OP_FD      = 1 << 0,   /* pass an fd with this chunk */
	OP_PUMP    = 1 << 1,   /* run the loop after it (else it may join the next) */
	OP_READ    = 1 << 2,   /* the client reads its replies now */
	OP_ANSWER  = 1 << 3,   /* answer the deferred request now */
	OP_LAST    = 1 << 4,   /* ... and end the deferral */
	OP_FILL    = 1 << 5,   /* len * 16 bytes of data[0], not the data */
	OP_DRAINED = 1 << 6,   /* answer from the drained callback from now on */
	OP_SHUT    = 1 << 7,   /* shut the client's side; the script ends */
};

#define STREAM_MAX   (512u << 10)   /* bytes one input may send */
#define STUCK_ROUNDS 64             /* pumps before a send is given up */

static char dir[64], sock_path[128];
static struct loop *loop;
static struct control_server *server;

/* The stream as sent, the model's place in it, and what was seen. */
static uint8_t *sent;
static size_t sent_len, model_off;
static unsigned dispatched, expected_replies, gone_calls;
static unsigned fds_passed, fds_received;
static struct control_client *deferred;
static bool answer_on_drained, answer_last;

/* ---- the model: the stream cut by the protocol's own rules --------------- */

enum piece { PIECE_PARTIAL, PIECE_BAD_HEADER, PIECE_UNKNOWN, PIECE_REQUEST };

/* What the stream holds at off, and its header in *h. */
static enum piece model_piece(size_t off, struct proto_hdr *h, int *ret_err)
{
	int r;

	if (sent_len - off < PROTO_HDR_SIZE)
		return PIECE_PARTIAL;
	r = proto_hdr_decode(sent + off, PROTO_REQUEST_MAX, h);
	if (r < 0) {
		*ret_err = -r;
		return PIECE_BAD_HEADER;
	}
	if (sent_len - off - PROTO_HDR_SIZE < h->len)
		return PIECE_PARTIAL;
	return h->type == 0 || h->type >= PROTO_REQ_MAX ? PIECE_UNKNOWN : PIECE_REQUEST;
}

/* The server dispatched req: it must be the next request of the stream,
 * past the unknown types it refused on its own (one reply each). */
static void model_dispatch(const struct control_request *req)
{
	struct proto_hdr h;
	enum piece p;
	int err;

	while ((p = model_piece(model_off, &h, &err)) == PIECE_UNKNOWN) {
		expected_replies++;
		model_off += PROTO_HDR_SIZE + h.len;
	}
	FUZZ_ASSERT(p == PIECE_REQUEST);
	FUZZ_ASSERT(req->type == h.type && req->len == h.len);
	FUZZ_ASSERT(req->len == 0 || memcmp(req->payload, sent + model_off + PROTO_HDR_SIZE,
					    req->len) == 0);
	FUZZ_ASSERT(req->uid == getuid() && req->access == CONTROL_ADMIN);
	model_off += PROTO_HDR_SIZE + h.len;
}

/* The rest of the stream once the server is done with it: unknown types
 * are refused, a bad header answered (*ret_err), a partial message
 * dropped. No request may be left that the dispatcher never saw. */
static void model_finish(int *ret_err)
{
	struct proto_hdr h;
	enum piece p;
	int err = 0;

	*ret_err = 0;
	while ((p = model_piece(model_off, &h, &err)) == PIECE_UNKNOWN) {
		expected_replies++;
		model_off += PROTO_HDR_SIZE + h.len;
	}
	FUZZ_ASSERT(p != PIECE_REQUEST);
	if (p == PIECE_BAD_HEADER) {
		expected_replies++;
		*ret_err = err;
	}
}

/* ---- the stub dispatcher -------------------------------------------------- */

static int stub_dispatch(void *ctx, struct control_client *c,
			 const struct control_request *req, struct proto_buf *reply)
{
	(void)ctx;
	dispatched++;
	model_dispatch(req);
	FUZZ_ASSERT(!deferred);   /* nothing is read from a deferred client */
	switch (req->type) {
	case PROTO_REQ_STATUS:
		expected_replies++;
		proto_msg_begin(reply, PROTO_REPLY_OK);
		proto_put_bytes(reply, PROTO_ATTR_DATA, req->payload, req->len);
		return proto_msg_end(reply);
	case PROTO_REQ_WAIT:
		deferred = c;
		return CONTROL_DEFER;
	case PROTO_REQ_LOGS:
		deferred = c;
		expected_replies++;
		proto_msg_begin(reply, PROTO_REPLY_OK);
		proto_put_bytes(reply, PROTO_ATTR_DATA, "backlog\n", 8);
		proto_msg_end(reply);
		return CONTROL_DEFER;
	case PROTO_REQ_STOP:
		expected_replies++;
		return -ENOENT;
	case PROTO_REQ_RELOAD:
		expected_replies++;
		return 0;   /* no reply built: the server says so */
	case PROTO_REQ_METRICS:
		expected_replies++;
		*req->pass_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		FUZZ_ASSERT(*req->pass_fd >= 0);
		fds_passed++;
		proto_msg_begin(reply, PROTO_REPLY_OK);
		return proto_msg_end(reply);
	default:
		expected_replies++;
		proto_msg_begin(reply, PROTO_REPLY_OK);
		return proto_msg_end(reply);
	}
}

static void stub_gone(void *ctx, struct control_client *c)
{
	(void)ctx;
	FUZZ_ASSERT(c == deferred);
	FUZZ_ASSERT(control_client_reply(c, NULL, true) == -ENOTCONN);
	gone_calls++;
	deferred = NULL;
}

/* One more part for the deferred client (the last with `last`). */
static void answer(bool last)
{
	struct proto_buf b;
	int r;

	if (!deferred)
		return;
	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_bytes(&b, PROTO_ATTR_DATA, "more\n", 5);
	FUZZ_ASSERT(proto_msg_end(&b) == 0);
	r = control_client_reply(deferred, &b, last);
	proto_buf_free(&b);
	/* Root's small replies always fit: the only failure is a peer gone. */
	FUZZ_ASSERT(r == 0 || r == -EPIPE || r == -ECONNRESET);
	if (r == 0)
		expected_replies++;
	if (r < 0 || last)
		deferred = NULL;
}

static void stub_drained(void *ctx, struct control_client *c)
{
	(void)ctx;
	FUZZ_ASSERT(c == deferred);
	if (answer_on_drained)
		answer(answer_last);
}

/* ---- the client ----------------------------------------------------------- */

struct client {
	int fd;
	uint8_t *in;        /* replies read so far */
	size_t in_len, in_cap;
	bool eof;
};

/* recv, closing (and counting) the fds that come with the bytes. */
static ssize_t recv_counting_fds(int fd, void *p, size_t n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} rights;
	struct iovec iov = { p, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = &rights, .msg_controllen = sizeof(rights) };
	ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	FUZZ_ASSERT(r < 0 || !(mh.msg_flags & MSG_CTRUNC));
	for (struct cmsghdr *cm = r >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		FUZZ_ASSERT(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			close(got);
			fds_received++;
		}
	}
	return r;
}

static void client_read(struct client *cl)
{
	while (!cl->eof) {
		ssize_t n;

		if (cl->in_cap - cl->in_len < 4096) {
			cl->in_cap = cl->in_cap ? cl->in_cap * 2 : 16384;
			cl->in = realloc(cl->in, cl->in_cap);
			FUZZ_ASSERT(cl->in);
		}
		n = recv_counting_fds(cl->fd, cl->in + cl->in_len, cl->in_cap - cl->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			FUZZ_ASSERT(n == 0 || errno == ECONNRESET);
			cl->eof = true;
			return;
		}
		cl->in_len += (size_t)n;
	}
}

static void pump(struct client *cl, bool read_replies)
{
	FUZZ_ASSERT(loop_run_once(loop, 0) == 0);
	if (read_replies)
		client_read(cl);
}

/* send() n bytes (an fd along with them when pass_fd), running the loop
 * while the socket is full. A server that reads nothing (a deferred
 * client) may leave the rest unsent: the stream is what was sent. */
static void client_send(struct client *cl, const uint8_t *p, size_t n, bool pass_fd)
{
	int fds[2] = { -1, -1 };
	unsigned stuck = 0;

	if (pass_fd)
		FUZZ_ASSERT(pipe2(fds, O_CLOEXEC) == 0);
	while (n > 0 && stuck < STUCK_ROUNDS) {
		struct iovec iov = { (void *)p, n };
		union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t k;

		if (fds[0] >= 0) {
			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = sizeof(cm.buf);
			cm.h.cmsg_level = SOL_SOCKET;
			cm.h.cmsg_type = SCM_RIGHTS;
			cm.h.cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(&cm.h), &fds[0], sizeof(int));
		}
		k = sendmsg(cl->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			stuck++;
			pump(cl, true);
			continue;
		}
		if (k < 0)
			break;    /* the server dropped the client */
		memcpy(sent + sent_len, p, (size_t)k);
		sent_len += (size_t)k;
		p += k;
		n -= (size_t)k;
		safe_close(fds[0]);
		fds[0] = -1;
	}
	safe_close(fds[0]);
	safe_close(fds[1]);
}

/* ---- the replies ---------------------------------------------------------- */

/* Every reply whole and well-formed, as many as were owed; after a bad
 * header, the last one is its error. */
static void check_replies(const struct client *cl, int header_err)
{
	size_t off = 0, n = 0;
	uint32_t last_errno = 0;

	while (off < cl->in_len) {
		struct proto_hdr h;
		struct proto_attr_view a;

		FUZZ_ASSERT(cl->in_len - off >= PROTO_HDR_SIZE);
		FUZZ_ASSERT(proto_hdr_decode(cl->in + off, PROTO_REPLY_MAX, &h) == 0);
		FUZZ_ASSERT(cl->in_len - off - PROTO_HDR_SIZE >= h.len);
		FUZZ_ASSERT(h.type == PROTO_REPLY_OK || h.type == PROTO_REPLY_ERROR);
		last_errno = 0;
		if (h.type == PROTO_REPLY_ERROR) {
			FUZZ_ASSERT(proto_attr_find(cl->in + off + PROTO_HDR_SIZE, h.len,
						    PROTO_ATTR_ERRNO, &a) == 1);
			FUZZ_ASSERT(proto_get_u32(&a, &last_errno) == 0 && last_errno > 0);
		}
		off += PROTO_HDR_SIZE + h.len;
		n++;
	}
	if (n != expected_replies)
		fprintf(stderr, "%zu replies, %u owed\n", n, expected_replies);
	FUZZ_ASSERT(n == expected_replies);
	if (header_err)
		FUZZ_ASSERT(last_errno == (uint32_t)header_err);
}

/* ---- the harness ---------------------------------------------------------- */

static void teardown(void)
{
	unlink(sock_path);
	rmdir(dir);
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/fuzz-control.XXXXXX");
	FUZZ_ASSERT(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/control", dir);
	atexit(teardown);
	FUZZ_ASSERT(loop_new(&loop) == 0);
	FUZZ_ASSERT(control_server_new(loop, sock_path, (gid_t)-1, stub_dispatch, NULL,
					&server) == 0);
	control_server_on_gone(server, stub_gone);
	control_server_on_drained(server, stub_drained);
	sent = malloc(STREAM_MAX);
	FUZZ_ASSERT(sent);
}

static void client_connect(struct client *cl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(cl, 0, sizeof(*cl));
	cl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	FUZZ_ASSERT(cl->fd >= 0);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	FUZZ_ASSERT(connect(cl->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	for (int i = 0; i < 8 && control_server_clients(server) == 0; i++)
		pump(cl, false);
	FUZZ_ASSERT(control_server_clients(server) == 1);
}

/* Run the script; returns with the client's side shut. */
static void run_script(struct client *cl, const uint8_t *data, size_t size)
{
	static uint8_t fill[65535 * 16];

	while (size >= 3) {
		uint8_t op = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		const uint8_t *p = data + 3;

		size -= 3;
		data += 3;
		if (len > size)
			len = size;
		data += len;
		size -= len;
		answer_on_drained |= (op & OP_DRAINED) != 0;
		answer_last = (op & OP_LAST) != 0;
		if (op & OP_FILL) {
			memset(fill, len ? p[0] : 0, len * 16);
			p = fill;
			len *= 16;
		}
		if (len > STREAM_MAX - sent_len)
			len = STREAM_MAX - sent_len;
		if (len > 0 || (op & OP_FD))
			client_send(cl, p, len, (op & OP_FD) && len > 0);
		if (op & OP_PUMP)
			pump(cl, (op & OP_READ) != 0);
		else if (op & OP_READ)
			client_read(cl);
		if (op & OP_ANSWER)
			answer((op & OP_LAST) != 0);
		if (op & OP_SHUT)
			break;
	}
	shutdown(cl->fd, SHUT_WR);
}

/* The end: every deferral answered, the server lets go of the client. */
static void run_to_end(struct client *cl)
{
	for (unsigned i = 0; i < 4096 && !(cl->eof && control_server_clients(server) == 0); i++) {
		answer(true);
		pump(cl, true);
	}
	FUZZ_ASSERT(control_server_clients(server) == 0);
	FUZZ_ASSERT(cl->eof);
	FUZZ_ASSERT(!deferred);
	FUZZ_ASSERT(control_server_queued(server) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client cl;
	int fds_before;
	int header_err;

	if (!loop)
		setup();
	sent_len = model_off = 0;
	dispatched = expected_replies = gone_calls = 0;
	fds_passed = fds_received = 0;
	deferred = NULL;
	answer_on_drained = answer_last = false;
	fds_before = test_fds_open();
	FUZZ_ASSERT(fds_before >= 0);

	client_connect(&cl);
	run_script(&cl, data, size);
	run_to_end(&cl);
	model_finish(&header_err);
	check_replies(&cl, header_err);
	/* A deferred client is only dropped by the loop while its reply is
	 * owed when the peer went away: ours stays to the end. */
	FUZZ_ASSERT(gone_calls == 0);
	FUZZ_ASSERT(fds_received == fds_passed);

	close(cl.fd);
	free(cl.in);
	FUZZ_ASSERT(test_fds_open() == fds_before);
	return 0;
}
