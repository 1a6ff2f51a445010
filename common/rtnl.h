/* rtnl.h — rtnetlink requests built by hand: one message in a fixed
 * buffer, its attributes and nests appended in order, sent and acked on a
 * NETLINK_ROUTE socket.
 *
 * Why not libnl: PID 1 sends a handful of kinds of request (a link, an
 * address, a route) and never reads a dump. libnl-route-3 linked
 * statically, with the getaddrinfo and resolver code its address parser
 * pulls from libc, was ~350 KiB of the static initd's 1.4 MiB, all of it
 * resident in PID 1 for the machine's life (bench/README.md, issue 19).
 * A request here is a 512-byte buffer and a 1 KiB one for the ack, on the
 * stack; the kernel answers it before send() returns. Errors are the
 * kernel's errno as it gave it (libnl folded many into EIO or ENODEV).
 *
 * Building never fails on its own: a message that would outgrow its buffer
 * is marked, and rtnl_call refuses it with -EMSGSIZE. */
#ifndef INITD_COMMON_RTNL_H
#define INITD_COMMON_RTNL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the largest request net.c sends (a veth with its nested peer:
 * ~110 bytes) several times over. */
#define RTNL_MSG_MAX 512

struct rtnl_msg {
	union {
		struct nlmsghdr h;
		char buf[RTNL_MSG_MAX];
	};
	int overflow;   /* something did not fit: rtnl_call refuses it */
};

/* A NETLINK_ROUTE socket, CLOEXEC, acks capped to their header. fd or
 * -errno. */
int rtnl_open(void);

/* Start a request: type (RTM_NEWLINK, ...), flags besides NLM_F_REQUEST and
 * NLM_F_ACK (NLM_F_CREATE, NLM_F_EXCL), and the family header that follows
 * the netlink header (struct ifinfomsg, ifaddrmsg, rtmsg). */
void rtnl_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *hdr, size_t len);

/* Append len bytes at the message's (aligned) end, no attribute header: the
 * family header that opens a nested message (veth's peer). */
void rtnl_put_raw(struct rtnl_msg *m, const void *data, size_t len);

/* Append one attribute. */
void rtnl_put(struct rtnl_msg *m, uint16_t type, const void *data, size_t len);
void rtnl_put_u32(struct rtnl_msg *m, uint16_t type, uint32_t v);
void rtnl_put_str(struct rtnl_msg *m, uint16_t type, const char *s);   /* with its NUL */

/* Open a nested attribute; its length is set by rtnl_nest_end with what
 * was appended since. Returns the nest's offset. */
size_t rtnl_nest(struct rtnl_msg *m, uint16_t type);
void rtnl_nest_end(struct rtnl_msg *m, size_t nest);

/* Send m and read its ack: 0, or the kernel's -errno (-EEXIST, -ENODEV,
 * ...); -EMSGSIZE for a message that overflowed; -EPROTO for an answer that
 * is not this request's ack. Never waits: rtnetlink handles a request
 * within the send. */
int rtnl_call(int fd, struct rtnl_msg *m);

#endif
