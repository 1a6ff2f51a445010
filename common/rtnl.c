/* rtnl.c — rtnetlink requests built by hand. See rtnl.h. */
#include "common/rtnl.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), one = 1;

	if (fd < 0)
		return -errno;
	/* An error ack would otherwise carry our whole request back. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/* Room for len more bytes (aligned) at the end, or mark the overflow. */
static void *tail(struct rtnl_msg *m, size_t len)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);

	if (m->overflow || len > sizeof(m->buf) - at) {
		m->overflow = 1;
		return NULL;
	}
	m->h.nlmsg_len = (uint32_t)(at + len);
	return m->buf + at;
}

void rtnl_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *hdr, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->h = (struct nlmsghdr){ .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = type,
				  .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags) };
	rtnl_put_raw(m, hdr, len);
}

void rtnl_put_raw(struct rtnl_msg *m, const void *data, size_t len)
{
	void *p = tail(m, len);

	if (p && len)
		memcpy(p, data, len);
}

void rtnl_put(struct rtnl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = tail(m, RTA_LENGTH(len));

	if (!a)
		return;
	*a = (struct rtattr){ .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };
	if (len)
		memcpy(RTA_DATA(a), data, len);
}

void rtnl_put_u32(struct rtnl_msg *m, uint16_t type, uint32_t v)
{
	rtnl_put(m, type, &v, sizeof(v));
}

void rtnl_put_str(struct rtnl_msg *m, uint16_t type, const char *s)
{
	rtnl_put(m, type, s, strlen(s) + 1);
}

size_t rtnl_nest(struct rtnl_msg *m, uint16_t type)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);

	rtnl_put(m, type, NULL, 0);
	return at;
}

void rtnl_nest_end(struct rtnl_msg *m, size_t nest)
{
	struct rtattr *a = (struct rtattr *)(m->buf + nest);

	if (!m->overflow)
		a->rta_len = (unsigned short)(m->h.nlmsg_len - nest);
}

/* The ack for seq among the len bytes read: 0 or -errno; 1 when none is. */
static int ack_of(const char *buf, int len, uint32_t seq)
{
	/* signed len: NLMSG_NEXT subtracts the aligned length of the last
	 * message, which may pass the end of an unpadded one */
	for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_seq != seq)
			continue;   /* an answer to an earlier request, given up on */
		if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EPROTO;
		return e->error > 0 ? -EPROTO : e->error;
	}
	return 1;
}

int rtnl_call(int fd, struct rtnl_msg *m)
{
	static uint32_t seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;
	int r;

	if (m->overflow)
		return -EMSGSIZE;
	m->h.nlmsg_seq = ++seq;
	do
		n = sendto(fd, m->buf, m->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* rtnetlink acks within the send: the answer is queued by now, so
	 * MSG_DONTWAIT only turns a broken promise into -EPROTO, never a
	 * PID 1 asleep. */
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -EPROTO : -errno;
		if ((size_t)n > sizeof(buf))
			return -EPROTO;
		r = ack_of(buf, (int)n, m->h.nlmsg_seq);
		if (r <= 0)
			return r;
	}
}
