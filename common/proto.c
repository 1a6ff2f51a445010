/* proto.c — the control protocol's builder and decoder. See proto.h.
 *
 * The decoder runs in PID 1 on bytes from any local client and is fuzzed:
 * every length is compared against what is left before it is used, and all
 * arithmetic is done so that it cannot overflow on any input.
 */
#include "common/proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTR_HDR_SIZE 8

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ---- builder ------------------------------------------------------------ */

void proto_buf_init(struct proto_buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void proto_buf_free(struct proto_buf *b)
{
	size_t limit = b->limit;

	free(b->data);
	proto_buf_init(b, limit);
}

static void buf_fail(struct proto_buf *b, int error)
{
	if (!b->error)
		b->error = error;
}

/* Make room for n more bytes; false (and b->error set) when it cannot. */
static bool buf_reserve(struct proto_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->error)
		return false;
	if (b->limit < b->len || n > b->limit - b->len) {
		buf_fail(b, -EMSGSIZE);
		return false;
	}
	if (n <= b->cap - b->len)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > b->limit)
		cap = b->limit;
	p = realloc(b->data, cap);
	if (!p) {
		buf_fail(b, -ENOMEM);
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void proto_msg_begin(struct proto_buf *b, uint16_t type)
{
	b->len = 0;
	b->error = 0;
	b->depth = 0;
	if (!buf_reserve(b, PROTO_HDR_SIZE))
		return;
	put_u32(b->data, PROTO_MAGIC);
	put_u16(b->data + 4, PROTO_VERSION);
	put_u16(b->data + 6, type);
	put_u32(b->data + 8, 0);
	b->len = PROTO_HDR_SIZE;
}

int proto_msg_end(struct proto_buf *b)
{
	if (b->error)
		return b->error;
	if (b->len < PROTO_HDR_SIZE || b->depth != 0) {
		buf_fail(b, -EINVAL);
		return b->error;
	}
	if (b->len - PROTO_HDR_SIZE > UINT32_MAX) {
		buf_fail(b, -EMSGSIZE);
		return b->error;
	}
	put_u32(b->data + 8, (uint32_t)(b->len - PROTO_HDR_SIZE));
	return 0;
}

/* Append an attribute header and n data bytes (p's, or left for the
 * caller when p is NULL) plus padding. Where the data goes, or NULL. */
static uint8_t *put_attr(struct proto_buf *b, uint16_t attr, const void *p, size_t n)
{
	size_t pad = pad4(n);
	uint8_t *data;

	if (b->error)
		return NULL;
	if (b->len < PROTO_HDR_SIZE) {
		buf_fail(b, -EINVAL);
		return NULL;
	}
	if (n > UINT32_MAX || n > SIZE_MAX - ATTR_HDR_SIZE - 3) {
		buf_fail(b, -EMSGSIZE);
		return NULL;
	}
	if (!buf_reserve(b, ATTR_HDR_SIZE + n + pad))
		return NULL;
	put_u16(b->data + b->len, attr);
	put_u16(b->data + b->len + 2, 0);
	put_u32(b->data + b->len + 4, (uint32_t)n);
	b->len += ATTR_HDR_SIZE;
	data = b->data + b->len;
	if (p && n)
		memcpy(data, p, n);
	memset(data + n, 0, pad);
	b->len += n + pad;
	return data;
}

void proto_put_u32(struct proto_buf *b, uint16_t attr, uint32_t v)
{
	put_attr(b, attr, &v, sizeof(v));
}

void proto_put_u64(struct proto_buf *b, uint16_t attr, uint64_t v)
{
	put_attr(b, attr, &v, sizeof(v));
}

void proto_put_str(struct proto_buf *b, uint16_t attr, const char *s)
{
	if (!s) {
		buf_fail(b, -EINVAL);
		return;
	}
	put_attr(b, attr, s, strlen(s) + 1);
}

void proto_put_bytes(struct proto_buf *b, uint16_t attr, const void *p, size_t n)
{
	if (!p && n) {
		buf_fail(b, -EINVAL);
		return;
	}
	put_attr(b, attr, p, n);
}

void *proto_put_space(struct proto_buf *b, uint16_t attr, size_t n)
{
	return put_attr(b, attr, NULL, n);
}

void proto_put_flag(struct proto_buf *b, uint16_t attr)
{
	put_attr(b, attr, NULL, 0);
}

void proto_nest_begin(struct proto_buf *b, uint16_t attr)
{
	size_t at = b->len;

	if (b->error)
		return;
	if (b->depth >= PROTO_NEST_MAX) {
		buf_fail(b, -E2BIG);
		return;
	}
	put_attr(b, attr, NULL, 0);
	if (b->error)
		return;
	b->nest[b->depth++] = at;
}

void proto_nest_end(struct proto_buf *b)
{
	size_t at, n;

	if (b->error)
		return;
	if (b->depth == 0) {
		buf_fail(b, -EINVAL);
		return;
	}
	at = b->nest[--b->depth];
	n = b->len - at - ATTR_HDR_SIZE;   /* nested attributes are padded already */
	if (n > UINT32_MAX) {
		buf_fail(b, -EMSGSIZE);
		return;
	}
	put_u32(b->data + at + 4, (uint32_t)n);
}

int proto_msg_error(struct proto_buf *b, int err, const char *message)
{
	proto_msg_begin(b, PROTO_REPLY_ERROR);
	proto_put_u32(b, PROTO_ATTR_ERRNO, err > 0 ? (uint32_t)err : (uint32_t)-err);
	proto_put_str(b, PROTO_ATTR_MESSAGE, message ? message : "");
	return proto_msg_end(b);
}

int proto_msg_errorf(struct proto_buf *b, int err, const char *fmt, ...)
{
	char msg[PROTO_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return proto_msg_error(b, err, msg);
}

const char *proto_msg_name(uint16_t type)
{
	static const char *const names[] = {
		[PROTO_REQ_STATUS] = "status",
		[PROTO_REQ_POWEROFF] = "poweroff",
		[PROTO_REQ_REBOOT] = "reboot",
		[PROTO_REQ_HALT] = "halt",
		[PROTO_REQ_START] = "start",
		[PROTO_REQ_STOP] = "stop",
		[PROTO_REQ_RESTART] = "restart",
		[PROTO_REQ_RELOAD] = "reload",
		[PROTO_REQ_LOGS] = "logs",
		[PROTO_REQ_KILL] = "kill",
		[PROTO_REQ_WAIT] = "wait",
		[PROTO_REQ_TREE] = "tree",
		[PROTO_REQ_SHOW] = "show",
		[PROTO_REQ_SYSTEM] = "system",
		[PROTO_REQ_POSTMORTEM] = "postmortem",
		[PROTO_REQ_ANALYZE] = "analyze",
		[PROTO_REQ_METRICS] = "metrics",
		[PROTO_REQ_FREEZE] = "freeze",
		[PROTO_REQ_THAW] = "thaw",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	if (type == PROTO_REPLY_OK)
		return "ok";
	if (type == PROTO_REPLY_ERROR)
		return "error";
	return "unknown";
}

/* ---- decoder ------------------------------------------------------------ */

int proto_hdr_decode(const void *p, size_t max_payload, struct proto_hdr *ret)
{
	const uint8_t *h = p;
	uint16_t version;
	uint32_t len;

	if (get_u32(h) != PROTO_MAGIC)
		return -EBADMSG;
	version = get_u16(h + 4);
	if (version != PROTO_VERSION)
		return -EPROTONOSUPPORT;
	len = get_u32(h + 8);
	if (len > max_payload)
		return -EMSGSIZE;
	ret->version = version;
	ret->type = get_u16(h + 6);
	ret->len = len;
	return 0;
}

void proto_iter_init(struct proto_attr_iter *it, const void *payload, size_t len)
{
	it->p = payload;
	it->left = payload ? len : 0;
	it->error = 0;
}

int proto_iter_next(struct proto_attr_iter *it, struct proto_attr_view *ret)
{
	size_t room;
	uint32_t len;

	if (it->error)
		return it->error;
	if (it->left == 0)
		return 0;
	if (it->left < ATTR_HDR_SIZE)
		goto bad;
	len = get_u32(it->p + 4);
	room = it->left - ATTR_HDR_SIZE;
	if (len > room || pad4(len) > room - len)
		goto bad;
	ret->type = get_u16(it->p);
	ret->len = len;
	ret->data = it->p + ATTR_HDR_SIZE;
	it->p += ATTR_HDR_SIZE + len + pad4(len);
	it->left = room - len - pad4(len);
	return 1;
bad:
	it->error = -EBADMSG;
	it->left = 0;
	return it->error;
}

int proto_attr_find(const void *payload, size_t len, uint16_t attr,
		    struct proto_attr_view *ret)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r;

	proto_iter_init(&it, payload, len);
	while ((r = proto_iter_next(&it, &a)) > 0)
		if (a.type == attr) {
			*ret = a;
			return 1;
		}
	return r;
}

int proto_get_u32(const struct proto_attr_view *a, uint32_t *ret)
{
	if (a->len != sizeof(uint32_t))
		return -EBADMSG;
	memcpy(ret, a->data, sizeof(uint32_t));
	return 0;
}

int proto_get_u64(const struct proto_attr_view *a, uint64_t *ret)
{
	if (a->len != sizeof(uint64_t))
		return -EBADMSG;
	memcpy(ret, a->data, sizeof(uint64_t));
	return 0;
}

int proto_get_str(const struct proto_attr_view *a, const char **ret)
{
	if (a->len == 0 || memchr(a->data, '\0', a->len) != a->data + a->len - 1)
		return -EBADMSG;
	*ret = (const char *)a->data;
	return 0;
}
