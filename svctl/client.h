/* client.h — svctl's side of the control socket: connect, send one request,
 * read replies with a deadline, and map what went wrong to svctl's exit
 * codes. Every failure is reported on stderr here, once, as "svctl: ...". */
#ifndef INITD_SVCTL_CLIENT_H
#define INITD_SVCTL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/proto.h"

/* svctl's exit codes, documented in svctl(8) and `svctl --help`. */
enum svctl_exit {
	SVCTL_EXIT_OK = 0,
	SVCTL_EXIT_FAILED = 1,       /* initd refused or the operation failed */
	SVCTL_EXIT_USAGE = 2,
	SVCTL_EXIT_NOT_FOUND = 3,    /* no such unit (ENOENT from initd) */
	SVCTL_EXIT_DENIED = 4,       /* EACCES / EPERM */
	SVCTL_EXIT_UNREACHABLE = 5,  /* cannot connect, or no reply in time */
	SVCTL_EXIT_PROTOCOL = 6,     /* malformed or unexpected reply */
};

#define SVCTL_SOCKET_DEFAULT "/run/initd/control"

struct client {
	int fd;
	const char *path;
	uint64_t timeout_usec;       /* per reply; 0 = wait for ever */
};

/* A received message; payload and fd are owned by the reply (reply_free). */
struct reply {
	struct proto_hdr hdr;
	uint8_t *payload;
	int fd;                      /* passed with it (SCM_RIGHTS), -1: none */
};

/* Connect to path within c->timeout_usec. Returns an exit code. */
int client_connect(struct client *c, const char *path, uint64_t timeout_usec);
void client_close(struct client *c);

/* Send a whole message. Returns an exit code. */
int client_send(struct client *c, const struct proto_buf *msg);

/* Read one message, waiting at most timeout_usec (0 = for ever). Returns an
 * exit code; SVCTL_EXIT_OK with *eof set (and nothing in ret) when initd
 * closed the connection cleanly between two messages. */
int client_recv(struct client *c, uint64_t timeout_usec, struct reply *ret, bool *eof);
void reply_free(struct reply *r);

/* Send `msg` and read its reply (eof is a protocol error). Returns an exit
 * code; an ERROR reply is printed and mapped (reply_check). */
int client_call(struct client *c, const struct proto_buf *msg, struct reply *ret);

/* An OK reply: 0. An ERROR reply: print "svctl: MESSAGE" and return its
 * exit code. Anything else: protocol error. */
int reply_check(const struct reply *r);

/* A reply's parser or printer for `what` (a command's name) failed with
 * r (-errno, negative): say why on stderr and return the exit code.
 * -ENOMEM is svctl's own failure (1); a reply it cannot read is a
 * protocol error (6). */
int reply_print_failed(const char *what, int r);

/* initd's errno to svctl's exit code. */
int exit_code_for_errno(uint32_t err);

#endif
