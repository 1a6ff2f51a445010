/* control.h — the control socket server (/run/initd/control).
 *
 * A non-blocking server in initd's event loop: every client has its own
 * bounded input and output buffers and an idle deadline; a client that sends
 * garbage, too much, or stalls is dropped without affecting anyone else, and
 * initd never blocks on a client. Each complete request is handed to the
 * dispatcher with the peer's credentials (SO_PEERCRED and SO_PEERGROUPS,
 * taken at accept) and the access level they grant under the current
 * control group, evaluated anew for every request; the dispatcher decides
 * what that level may do and fills the reply.
 */
#ifndef INITD_CONTROL_H
#define INITD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proto.h"
#include "loop.h"

#define CONTROL_CLIENTS_MAX   64
#define CONTROL_ROOT_RESERVED 8        /* of those, kept for root */
#define CONTROL_IDLE_USEC     (5 * 1000000ULL)   /* drop a client idle this long */

enum control_access {
	CONTROL_DENIED,     /* neither root nor the control group */
	CONTROL_READ,       /* the configured group: what commands.c's table allows */
	CONTROL_ADMIN,      /* root: everything */
};

struct control_request {
	uint16_t type;                /* enum proto_msg */
	const void *payload;          /* attributes, valid during the call */
	uint32_t len;
	pid_t pid;                    /* from SO_PEERCRED */
	uid_t uid;
	gid_t gid;
	enum control_access access;
	/* A reply may carry one fd (SCM_RIGHTS, with its first byte): the
	 * dispatcher puts it in *pass_fd and returns 0; the server takes it,
	 * and closes its copy once sent, or at once if the reply is not. A
	 * client that reads without asking for fds never sees it (the
	 * kernel closes it); one whose socket refuses fds gets the reply
	 * without it. */
	int *pass_fd;
};

struct control_client;

/* Fill `reply` with a whole message (proto_msg_begin .. proto_msg_end).
 * Return 0 to send it and keep the client, or CONTROL_DEFER to answer later
 * with control_client_reply() (the client is kept open, its idle deadline
 * suspended); a -errno return makes the server send an error reply (ERRNO
 * and strerror's text; build the error yourself with proto_msg_error() and
 * return 0 to give a better message). With CONTROL_DEFER a message already
 * built in `reply` is sent first (e.g. the backlog of `logs -f`); leave
 * `reply` untouched to send nothing yet. The server refuses a CONTROL_DENIED
 * peer (EACCES) and unknown types (EOPNOTSUPP) itself: neither reaches the
 * dispatcher. Which requests CONTROL_READ may make is the dispatcher's to
 * decide (req->access). While a client is deferred the server reads no
 * further request from it. */
#define CONTROL_DEFER 1
typedef int (*control_dispatch_fn)(void *ctx, struct control_client *c,
				   const struct control_request *req,
				   struct proto_buf *reply);

struct control_server;

/* Create the socket at `path` (unlinking a stale one) with mode 0600, or 0660
 * owned by `gid` when gid != (gid_t)-1, before listen(). The parent
 * directory is created (0755) if missing; an existing non-socket at `path`
 * is left alone (-EEXIST). *ret is owned by the caller. */
int control_server_new(struct loop *l, const char *path, gid_t gid,
		       control_dispatch_fn dispatch, void *ctx,
		       struct control_server **ret);
/* Drops every client (on_gone for the deferred ones), closes and unlinks the
 * socket. Accepts NULL. Not from inside a dispatch or on_gone callback:
 * loop_defer() it. */
void control_server_free(struct control_server *s);

/* Answer a deferred request (or stream one more message for `logs -f`):
 * queues a whole message built in `msg` (copied; msg stays the caller's).
 * `last` ends the deferral so the client goes back to normal request
 * handling. Returns 0 or -errno (the client is then dropped, and on_gone is
 * not called for it: the return value says it is gone), except -EINVAL
 * when c is not deferred (nothing happens: only a client whose dispatch
 * returned CONTROL_DEFER may be answered here). -EBUSY: a large message
 * past the bound on all clients' queued replies (control.c); the client
 * is told "busy: ... try again" instead, and closed once that is sent
 * (-ECONNRESET when its first reply, the dispatcher's, was refused so). */
int control_client_reply(struct control_client *c, const struct proto_buf *msg, bool last);

/* The last answer to a deferred request, with an fd that goes with its
 * first byte as a dispatcher's *pass_fd does (taken, whatever the
 * outcome; -1: none). msg's data is taken, not copied, when it is queued
 * (proto_buf_free it still). Returns as control_client_reply. */
int control_client_reply_fd(struct control_client *c, struct proto_buf *msg, int fd);

/* Clients the dispatcher deferred may vanish: it registers a callback so it
 * can forget them. Called (with the dispatch ctx) for every client dropped
 * while deferred, also from control_server_free(): free the server before
 * the dispatcher's context. control_client_reply() on `c` from inside the
 * callback fails with -ENOTCONN. */
typedef void (*control_gone_fn)(void *ctx, struct control_client *c);
void control_server_on_gone(struct control_server *s, control_gone_fn fn);

/* Bytes queued to a client but not yet taken by its socket: a streamer
 * (`logs -f`) holds back while a slow reader catches up, and bounds what it
 * queues. The queue is a list of messages (appending never moves what is
 * queued) bounded by PROTO_HDR_SIZE + PROTO_REPLY_MAX;
 * control_client_reply() past it fails with -ENOBUFS and drops the client.
 * A deferred client whose queue is not empty and whose socket takes
 * nothing for the idle timeout (a reader that reads nothing) is dropped. */
size_t control_client_pending(const struct control_client *c);

/* Whether a large reply to c would be queued now: c is root, or the
 * replies all clients wait for are at least a largest reply under their
 * bound (control.c). A dispatcher asks before it builds one: past the
 * bound a member's request costs PID 1 nothing but its "busy", where the
 * reply would be built, then refused, as often as the member asks. */
bool control_client_may_queue_large(const struct control_client *c);

/* What c may do now, against the current control group (a streamer asks
 * before each part: a reload may have taken its access back). */
enum control_access control_client_access(const struct control_client *c);

/* A streamer that held back is told when a deferred client's socket took
 * everything queued (from the loop, never from inside
 * control_client_reply): it may send the next part with
 * control_client_reply() from the callback. */
typedef void (*control_drained_fn)(void *ctx, struct control_client *c);
void control_server_on_drained(struct control_server *s, control_drained_fn fn);

/* Override CONTROL_IDLE_USEC (tests). 0 restores the default. Applies to
 * deadlines armed from now on. */
void control_server_set_idle_timeout(struct control_server *s, uint64_t usec);

/* The control group's name, for the "permission denied" message (initd
 * resolves it when reading its configuration; the server never calls NSS).
 * Copied. 0 or -ENOMEM. */
int control_server_set_group_name(struct control_server *s, const char *name);

/* Change the control group after creation (initd.conf is read after the
 * socket exists): gid != (gid_t)-1 chowns the socket to gid, then opens it
 * to the group (0660); (gid_t)-1 closes it to root first (0600). The mode
 * is never wider than the new or the old setting meanwhile. Connected
 * clients are judged against the new group from their next request on.
 * `name` (may be NULL) as for
 * control_server_set_group_name. 0 or -errno (settings unchanged). */
int control_server_set_group(struct control_server *s, gid_t gid, const char *name);

/* Connected clients (tests, status). */
unsigned control_server_clients(const struct control_server *s);
/* Bytes of replies queued for all clients, not yet taken by their sockets. */
size_t control_server_queued(const struct control_server *s);

#endif
