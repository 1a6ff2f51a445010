/* notify.h — the readiness socket (/run/initd/notify), systemd's protocol.
 *
 * Services find its path in $NOTIFY_SOCKET and send datagrams of
 * newline-separated KEY=VALUE pairs: READY=1, STATUS=..., STOPPING=1,
 * ERRNO=N, MAINPID=N, WATCHDOG=1. The kernel attaches the sender's
 * credentials (SO_PASSCRED), and the manager attributes a message to a
 * service by that pid: its main process, or any process in its leaf. Nothing
 * the sender claims about itself is trusted.
 */
#ifndef INITD_NOTIFY_H
#define INITD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "initd/loop.h"

#define NOTIFY_DATAGRAM_MAX 4096
#define NOTIFY_STATUS_MAX   256
#define NOTIFY_EXTEND_MAX_USEC (87600LL * 3600 * 1000000)   /* ten years */

struct notify_msg {
	bool ready;
	bool stopping;
	bool reloading;
	bool watchdog;
	bool has_status;
	char status[NOTIFY_STATUS_MAX];   /* truncated, control characters dropped */
	int errno_value;                  /* 0 = none */
	pid_t mainpid;                    /* 0 = none */
	uint64_t extend_usec;             /* EXTEND_TIMEOUT_USEC=, 0 = none */
};

/* Parse one datagram. Unknown keys and malformed values are skipped; returns
 * 0, or -EBADMSG when nothing in it was understood. */
int notify_parse(const char *buf, size_t len, struct notify_msg *ret);

/* sender and uid: the kernel's credentials of the datagram (SCM_CREDENTIALS:
 * the sender's real uid unless it claims its effective or saved one). */
typedef void (*notify_fn)(void *ctx, pid_t sender, uid_t uid, const struct notify_msg *msg);

struct notify_server;

int notify_server_new(struct loop *l, const char *path, notify_fn fn, void *ctx,
		      struct notify_server **ret);
void notify_server_free(struct notify_server *s);   /* accepts NULL */

/* Handle every datagram already queued, now (at most the socket's backlog,
 * net.unix.max_dgram_qlen when the server was made, plus one). The
 * reaper calls this before it looks at an exit: what a process sent
 * before it died (MAINPID=, READY=1) must count before its death does.
 * Accepts NULL. */
void notify_server_drain(struct notify_server *s);

#endif
