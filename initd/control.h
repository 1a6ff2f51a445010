/* control.h — the control socket server (/run/initd/control).
 *
 * A non-blocking server in initd's event loop: every client has its own
 * bounded input and output buffers and an idle deadline; a client that sends
 * garbage, too much, or stalls is dropped without affecting anyone else, and
 * initd never blocks on a client. Each complete request is handed to the
 * dispatcher with the peer's credentials (SO_PEERCRED) and the access level
 * they grant; the dispatcher fills the reply.
 */
#ifndef INITD_CONTROL_H
#define INITD_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/proto.h"
#include "loop.h"

#define CONTROL_CLIENTS_MAX   64
#define CONTROL_IDLE_USEC     (5 * 1000000ULL)   /* drop a client idle this long */

enum control_access {
	CONTROL_DENIED,     /* neither root nor the control group */
	CONTROL_READ,       /* the configured group: status, logs, wait */
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
};

struct control_client;

/* Fill `reply` with a whole message (proto_msg_begin .. proto_msg_end).
 * Return 0 to send it and keep the client, or CONTROL_DEFER to answer later
 * with control_client_reply() (the client is kept open, its idle deadline
 * suspended); a -errno return makes the server send an error reply. */
#define CONTROL_DEFER 1
typedef int (*control_dispatch_fn)(void *ctx, struct control_client *c,
				   const struct control_request *req,
				   struct proto_buf *reply);

struct control_server;

/* Create the socket at `path` (unlinking a stale one) with mode 0600, or 0660
 * owned by `gid` when gid != (gid_t)-1, before listen(). */
int control_server_new(struct loop *l, const char *path, gid_t gid,
		       control_dispatch_fn dispatch, void *ctx,
		       struct control_server **ret);
void control_server_free(struct control_server *s);   /* accepts NULL */

/* Answer a deferred request (or stream one more message for `logs -f`):
 * queues a whole message built in `msg`. `last` ends the deferral so the
 * client goes back to normal request handling. Returns 0 or -errno (the
 * client is then dropped). */
int control_client_reply(struct control_client *c, const struct proto_buf *msg, bool last);

/* Clients the dispatcher deferred may vanish: it registers a callback so it
 * can forget them. */
typedef void (*control_gone_fn)(void *ctx, struct control_client *c);
void control_server_on_gone(struct control_server *s, control_gone_fn fn);

#endif
