/* test_proto.c — the wire protocol: builder, iterator, getters, header. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"

#define LIMIT (PROTO_HDR_SIZE + PROTO_REPLY_MAX)

static const uint8_t *payload_of(const struct proto_buf *b)
{
	return b->data + PROTO_HDR_SIZE;
}

static size_t payload_len(const struct proto_buf *b)
{
	return b->len - PROTO_HDR_SIZE;
}

/* Build a message with one of each attribute kind. */
static void build_sample(struct proto_buf *b)
{
	proto_buf_init(b, LIMIT);
	proto_msg_begin(b, PROTO_REPLY_OK);
	proto_put_u32(b, PROTO_ATTR_PID, 1234);
	proto_put_u64(b, PROTO_ATTR_SINCE, 0x123456789abcdefULL);
	proto_put_str(b, PROTO_ATTR_NAME, "web");
	proto_put_bytes(b, PROTO_ATTR_DATA, "abcde", 5);
	proto_put_flag(b, PROTO_ATTR_FOLLOW);
	ck_assert_int_eq(proto_msg_end(b), 0);
}

START_TEST(test_roundtrip)
{
	struct proto_buf b;
	struct proto_hdr h;
	struct proto_attr_iter it;
	struct proto_attr_view a;
	uint32_t u32;
	uint64_t u64;
	const char *s;

	build_sample(&b);
	ck_assert_int_eq(b.len % 4, 0);
	ck_assert_int_eq(proto_hdr_decode(b.data, PROTO_REPLY_MAX, &h), 0);
	ck_assert_int_eq(h.version, PROTO_VERSION);
	ck_assert_int_eq(h.type, PROTO_REPLY_OK);
	ck_assert_uint_eq(h.len, payload_len(&b));

	proto_iter_init(&it, payload_of(&b), h.len);
	ck_assert_int_eq(proto_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.type, PROTO_ATTR_PID);
	ck_assert_int_eq(proto_get_u32(&a, &u32), 0);
	ck_assert_uint_eq(u32, 1234);
	ck_assert_int_eq(proto_get_u64(&a, &u64), -EBADMSG);
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);

	ck_assert_int_eq(proto_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.type, PROTO_ATTR_SINCE);
	ck_assert_int_eq(proto_get_u64(&a, &u64), 0);
	ck_assert(u64 == 0x123456789abcdefULL);
	ck_assert_int_eq(proto_get_u32(&a, &u32), -EBADMSG);

	ck_assert_int_eq(proto_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.type, PROTO_ATTR_NAME);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "web");

	ck_assert_int_eq(proto_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.type, PROTO_ATTR_DATA);
	ck_assert_uint_eq(a.len, 5);
	ck_assert(memcmp(a.data, "abcde", 5) == 0);
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);   /* not terminated */

	ck_assert_int_eq(proto_iter_next(&it, &a), 1);
	ck_assert_int_eq(a.type, PROTO_ATTR_FOLLOW);
	ck_assert_uint_eq(a.len, 0);
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);

	ck_assert_int_eq(proto_iter_next(&it, &a), 0);
	ck_assert_int_eq(proto_iter_next(&it, &a), 0);

	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_NAME, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "web");
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_REASON, &a), 0);
	proto_buf_free(&b);
	proto_buf_free(&b);    /* twice is fine: it leaves a zeroed buf */
}
END_TEST

START_TEST(test_empty_message)
{
	struct proto_buf b;
	struct proto_hdr h;
	struct proto_attr_iter it;
	struct proto_attr_view a;

	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REQ_STATUS);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_uint_eq(b.len, PROTO_HDR_SIZE);
	ck_assert_int_eq(proto_hdr_decode(b.data, PROTO_REQUEST_MAX, &h), 0);
	ck_assert_uint_eq(h.len, 0);
	proto_iter_init(&it, NULL, 0);
	ck_assert_int_eq(proto_iter_next(&it, &a), 0);
	proto_buf_free(&b);
}
END_TEST

/* Space for the caller to fill: the attribute reads back as written, its
 * padding zero; past the limit NULL, and the error sticks. */
START_TEST(test_put_space)
{
	struct proto_buf b;
	struct proto_attr_view a;
	char *p;

	proto_buf_init(&b, PROTO_HDR_SIZE + 64);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	p = proto_put_space(&b, PROTO_ATTR_DATA, 5);
	ck_assert_ptr_nonnull(p);
	memcpy(p, "hello", 5);
	proto_put_u32(&b, PROTO_ATTR_PID, 7);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(proto_attr_find(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE,
					 PROTO_ATTR_DATA, &a), 1);
	ck_assert_uint_eq(a.len, 5);
	ck_assert_int_eq(memcmp(a.data, "hello\0\0\0", 8), 0);
	ck_assert_ptr_null(proto_put_space(&b, PROTO_ATTR_DATA, 64));
	ck_assert_int_eq(b.error, -EMSGSIZE);
	ck_assert_int_eq(proto_msg_end(&b), -EMSGSIZE);
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_nesting)
{
	struct proto_buf b;
	struct proto_attr_iter it, inner;
	struct proto_attr_view a, x;
	const char *s;
	int units = 0;

	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "unit%d", i);
		proto_nest_begin(&b, PROTO_ATTR_SERVICE);
		proto_put_str(&b, PROTO_ATTR_NAME, name);
		proto_put_str(&b, PROTO_ATTR_STATE, "running");
		proto_put_u32(&b, PROTO_ATTR_PID, 100 + i);
		proto_nest_end(&b);
	}
	ck_assert_int_eq(proto_msg_end(&b), 0);

	proto_iter_init(&it, payload_of(&b), payload_len(&b));
	while (proto_iter_next(&it, &a) > 0) {
		uint32_t pid;
		char want[16];

		ck_assert_int_eq(a.type, PROTO_ATTR_SERVICE);
		proto_iter_init(&inner, a.data, a.len);
		ck_assert_int_eq(proto_iter_next(&inner, &x), 1);
		ck_assert_int_eq(proto_get_str(&x, &s), 0);
		snprintf(want, sizeof(want), "unit%d", units);
		ck_assert_str_eq(s, want);
		ck_assert_int_eq(proto_iter_next(&inner, &x), 1);
		ck_assert_int_eq(proto_iter_next(&inner, &x), 1);
		ck_assert_int_eq(proto_get_u32(&x, &pid), 0);
		ck_assert_uint_eq(pid, 100 + units);
		ck_assert_int_eq(proto_iter_next(&inner, &x), 0);
		units++;
	}
	ck_assert_int_eq(it.error, 0);
	ck_assert_int_eq(units, 3);
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_nest_depth)
{
	struct proto_buf b;
	struct proto_attr_view a;
	const uint8_t *p;
	size_t len;
	int depth = 0;

	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (int i = 0; i < PROTO_NEST_MAX; i++)
		proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	proto_put_str(&b, PROTO_ATTR_NAME, "deep");
	for (int i = 0; i < PROTO_NEST_MAX; i++)
		proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), 0);

	p = payload_of(&b);
	len = payload_len(&b);
	while (proto_attr_find(p, len, PROTO_ATTR_SERVICE, &a) == 1) {
		p = a.data;
		len = a.len;
		depth++;
	}
	ck_assert_int_eq(depth, PROTO_NEST_MAX);
	ck_assert_int_eq(proto_attr_find(p, len, PROTO_ATTR_NAME, &a), 1);

	/* One level deeper is an error, and it sticks. */
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (int i = 0; i <= PROTO_NEST_MAX; i++)
		proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	for (int i = 0; i <= PROTO_NEST_MAX; i++)
		proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), -E2BIG);
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_unbalanced)
{
	struct proto_buf b;

	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	ck_assert_int_eq(proto_msg_end(&b), -EINVAL);

	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), -EINVAL);

	/* An append before proto_msg_begin. */
	proto_buf_free(&b);
	proto_put_u32(&b, PROTO_ATTR_PID, 1);
	ck_assert_int_eq(b.error, -EINVAL);
	ck_assert_int_eq(proto_msg_end(&b), -EINVAL);

	/* A new message clears the error. */
	proto_msg_begin(&b, PROTO_REPLY_OK);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_limit_sticky)
{
	struct proto_buf b;
	char big[100];

	memset(big, 'x', sizeof(big));
	proto_buf_init(&b, PROTO_HDR_SIZE + 64);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_bytes(&b, PROTO_ATTR_DATA, big, 40);     /* 48 bytes: fits */
	ck_assert_int_eq(b.error, 0);
	proto_put_bytes(&b, PROTO_ATTR_DATA, big, 9);      /* 8 + 12 > 16 left */
	ck_assert_int_eq(b.error, -EMSGSIZE);
	proto_put_u32(&b, PROTO_ATTR_PID, 1);              /* would fit, but sticky */
	ck_assert_uint_eq(b.len, PROTO_HDR_SIZE + 48);
	ck_assert_int_eq(proto_msg_end(&b), -EMSGSIZE);

	/* Exactly at the limit is fine. */
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_bytes(&b, PROTO_ATTR_DATA, big, 56);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_uint_eq(b.len, PROTO_HDR_SIZE + 64);

	/* A limit below the header. */
	proto_buf_free(&b);
	proto_buf_init(&b, 4);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	ck_assert_int_eq(proto_msg_end(&b), -EMSGSIZE);
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_big_growth)
{
	struct proto_buf b;
	struct proto_attr_iter it;
	struct proto_attr_view a;
	size_t n = 0;
	char chunk[1000];

	memset(chunk, 'y', sizeof(chunk));
	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (int i = 0; i < 2000; i++)
		proto_put_bytes(&b, PROTO_ATTR_DATA, chunk, sizeof(chunk));
	ck_assert_int_eq(proto_msg_end(&b), 0);
	proto_iter_init(&it, payload_of(&b), payload_len(&b));
	while (proto_iter_next(&it, &a) > 0)
		n += a.len;
	ck_assert_int_eq(it.error, 0);
	ck_assert_uint_eq(n, 2000 * sizeof(chunk));
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_header_checks)
{
	uint8_t h[PROTO_HDR_SIZE];
	struct proto_hdr hdr = { .type = 77 };
	uint32_t magic = PROTO_MAGIC, len = 16;
	uint16_t version = PROTO_VERSION, type = PROTO_REQ_STATUS;

	memcpy(h, &magic, 4);
	memcpy(h + 4, &version, 2);
	memcpy(h + 6, &type, 2);
	memcpy(h + 8, &len, 4);
	ck_assert_int_eq(proto_hdr_decode(h, 16, &hdr), 0);
	ck_assert_uint_eq(hdr.len, 16);
	ck_assert_int_eq(hdr.type, PROTO_REQ_STATUS);

	hdr.type = 77;
	ck_assert_int_eq(proto_hdr_decode(h, 15, &hdr), -EMSGSIZE);
	ck_assert_int_eq(hdr.type, 77);          /* untouched on failure */

	len = UINT32_MAX;
	memcpy(h + 8, &len, 4);
	ck_assert_int_eq(proto_hdr_decode(h, PROTO_REQUEST_MAX, &hdr), -EMSGSIZE);

	version = PROTO_VERSION + 1;
	memcpy(h + 4, &version, 2);
	ck_assert_int_eq(proto_hdr_decode(h, PROTO_REQUEST_MAX, &hdr), -EPROTONOSUPPORT);
	version = 0;
	memcpy(h + 4, &version, 2);
	ck_assert_int_eq(proto_hdr_decode(h, PROTO_REQUEST_MAX, &hdr), -EPROTONOSUPPORT);

	memcpy(h, "GET ", 4);
	ck_assert_int_eq(proto_hdr_decode(h, PROTO_REQUEST_MAX, &hdr), -EBADMSG);
	ck_assert_int_eq(hdr.type, 77);
}
END_TEST

/* Walk a payload to the end; returns the iterator's last result. */
static int walk(const uint8_t *p, size_t len)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r;

	proto_iter_init(&it, p, len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		/* Every view must lie inside the payload. */
		ck_assert(a.data >= p && a.data + a.len <= p + len);
	}
	return r;
}

START_TEST(test_every_truncation)
{
	struct proto_buf b;
	size_t len;

	build_sample(&b);
	len = payload_len(&b);
	ck_assert_int_eq(walk(payload_of(&b), len), 0);
	/* Each cut that does not fall on an attribute boundary is rejected,
	 * from a copy of exactly that size so ASan sees any overread. */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int r;

		memcpy(copy, payload_of(&b), cut);
		r = walk(copy, cut);
		free(copy);
		/* Boundaries of build_sample: 12, 28, 40, 56, 64. */
		if (cut == 0 || cut == 12 || cut == 28 || cut == 40 || cut == 56)
			ck_assert_msg(r == 0, "cut %zu: %d", cut, r);
		else
			ck_assert_msg(r == -EBADMSG, "cut %zu: %d", cut, r);
	}
	proto_buf_free(&b);
}
END_TEST

static void put_raw_attr(uint8_t *p, uint16_t type, uint32_t len)
{
	uint16_t flags = 0;

	memcpy(p, &type, 2);
	memcpy(p + 2, &flags, 2);
	memcpy(p + 4, &len, 4);
}

START_TEST(test_malformed_lengths)
{
	uint8_t p[32] = { 0 };
	struct proto_attr_iter it;
	struct proto_attr_view a;
	static const uint32_t bad[] = { 25, 26, 27, 28, 100, 0x7fffffff,
					0xfffffff8, 0xfffffffc, 0xffffffff };

	/* 24 data bytes fill the 32-byte payload exactly. */
	put_raw_attr(p, PROTO_ATTR_DATA, 24);
	ck_assert_int_eq(walk(p, sizeof(p)), 0);
	/* 21..23 data bytes pad to 24: fine too. */
	for (uint32_t n = 21; n <= 23; n++) {
		put_raw_attr(p, PROTO_ATTR_DATA, n);
		ck_assert_int_eq(walk(p, sizeof(p)), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_raw_attr(p, PROTO_ATTR_DATA, bad[i]);
		ck_assert_msg(walk(p, sizeof(p)) == -EBADMSG, "len %u", bad[i]);
	}
	/* Trailing bytes shorter than an attribute header. */
	put_raw_attr(p, PROTO_ATTR_DATA, 16);
	ck_assert_int_eq(walk(p, 28), -EBADMSG);
	ck_assert_int_eq(walk(p, 24), 0);
	ck_assert_int_eq(walk(p, 3), -EBADMSG);

	/* The error sticks. */
	put_raw_attr(p, PROTO_ATTR_DATA, 100);
	proto_iter_init(&it, p, sizeof(p));
	ck_assert_int_eq(proto_iter_next(&it, &a), -EBADMSG);
	ck_assert_int_eq(proto_iter_next(&it, &a), -EBADMSG);
	ck_assert_int_eq(it.error, -EBADMSG);

	/* A bad nested attribute is found when the nest is walked. */
	put_raw_attr(p, PROTO_ATTR_SERVICE, 24);
	put_raw_attr(p + 8, PROTO_ATTR_NAME, 17);
	ck_assert_int_eq(walk(p, sizeof(p)), 0);
	ck_assert_int_eq(walk(p + 8, 24), -EBADMSG);
}
END_TEST

START_TEST(test_strings)
{
	struct proto_attr_view a = { .type = PROTO_ATTR_NAME };
	const char *s = "unset";

	a.data = (const uint8_t *)"abc";
	a.len = 4;
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "abc");

	s = "unset";
	a.len = 3;                              /* no NUL inside */
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);
	a.data = (const uint8_t *)"a\0bc";      /* embedded NUL */
	a.len = 5;
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);
	a.len = 0;
	ck_assert_int_eq(proto_get_str(&a, &s), -EBADMSG);
	ck_assert_str_eq(s, "unset");

	a.data = (const uint8_t *)"";           /* the empty string */
	a.len = 1;
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(test_unknown_attrs_skipped)
{
	struct proto_buf b;
	struct proto_attr_view a;
	const char *s;

	proto_buf_init(&b, LIMIT);
	proto_msg_begin(&b, PROTO_REQ_STATUS);
	proto_put_str(&b, 999, "from the future");
	proto_put_str(&b, PROTO_ATTR_NAME, "web");
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), payload_len(&b),
					 PROTO_ATTR_NAME, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "web");
	proto_buf_free(&b);
}
END_TEST

START_TEST(test_error_message)
{
	struct proto_buf b;
	struct proto_hdr h;
	struct proto_attr_view a;
	uint32_t e;
	const char *s;

	proto_buf_init(&b, LIMIT);
	ck_assert_int_eq(proto_msg_error(&b, -ENOENT, "no such unit: x"), 0);
	ck_assert_int_eq(proto_hdr_decode(b.data, PROTO_REPLY_MAX, &h), 0);
	ck_assert_int_eq(h.type, PROTO_REPLY_ERROR);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_ERRNO, &a), 1);
	ck_assert_int_eq(proto_get_u32(&a, &e), 0);
	ck_assert_uint_eq(e, ENOENT);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_MESSAGE, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "no such unit: x");

	/* formatted; a text past PROTO_ERROR_TEXT_MAX is cut, not refused */
	char big[PROTO_ERROR_TEXT_MAX + 100];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(proto_msg_errorf(&b, EBUSY, "unit %s: %d", "db", 7), 0);
	ck_assert_int_eq(proto_hdr_decode(b.data, PROTO_REPLY_MAX, &h), 0);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_ERRNO, &a), 1);
	ck_assert_int_eq(proto_get_u32(&a, &e), 0);
	ck_assert_uint_eq(e, EBUSY);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_MESSAGE, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_str_eq(s, "unit db: 7");
	ck_assert_int_eq(proto_msg_errorf(&b, EINVAL, "%s!", big), 0);
	ck_assert_int_eq(proto_hdr_decode(b.data, PROTO_REPLY_MAX, &h), 0);
	ck_assert_int_eq(proto_attr_find(payload_of(&b), h.len, PROTO_ATTR_MESSAGE, &a), 1);
	ck_assert_int_eq(proto_get_str(&a, &s), 0);
	ck_assert_uint_eq(strlen(s), PROTO_ERROR_TEXT_MAX - 1);
	ck_assert(strspn(s, "x") == PROTO_ERROR_TEXT_MAX - 1);
	proto_buf_free(&b);

	ck_assert_str_eq(proto_msg_name(PROTO_REQ_START), "start");
	ck_assert_str_eq(proto_msg_name(PROTO_REQ_WAIT), "wait");
	ck_assert_str_eq(proto_msg_name(0), "unknown");
	ck_assert_str_eq(proto_msg_name(PROTO_REQ_MAX), "unknown");
	ck_assert_str_eq(proto_msg_name(0xffff), "unknown");
}
END_TEST

/* Pseudo-random bytes through the iterator, nested walks included: a
 * poor man's fuzzer that runs in every `make check`. */
static void walk_deep(const uint8_t *p, size_t len, int depth)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	uint32_t u32;
	uint64_t u64;
	const char *s;

	proto_iter_init(&it, p, len);
	while (proto_iter_next(&it, &a) > 0) {
		ck_assert(a.data >= p && a.data + a.len <= p + len);
		(void)proto_get_u32(&a, &u32);
		(void)proto_get_u64(&a, &u64);
		if (proto_get_str(&a, &s) == 0)
			ck_assert_uint_eq(strlen(s) + 1, a.len);
		if (depth < PROTO_NEST_MAX)
			walk_deep(a.data, a.len, depth + 1);
	}
}

START_TEST(test_random_bytes)
{
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		uint8_t *p;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 8) % 96;
		p = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			/* Small numbers make plausible lengths. */
			p[i] = (seed >> 16) & 1 ? (uint8_t)((seed >> 20) & 0x1f) : (uint8_t)(seed >> 24);
		}
		walk_deep(p, len, 0);
		if (len >= PROTO_HDR_SIZE) {
			struct proto_hdr h;
			(void)proto_hdr_decode(p, PROTO_REQUEST_MAX, &h);
		}
		free(p);
	}
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_empty_message);
	tcase_add_test(tc, test_put_space);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_nest_depth);
	tcase_add_test(tc, test_unbalanced);
	tcase_add_test(tc, test_limit_sticky);
	tcase_add_test(tc, test_big_growth);
	tcase_add_test(tc, test_header_checks);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_malformed_lengths);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_unknown_attrs_skipped);
	tcase_add_test(tc, test_error_message);
	tcase_add_test(tc, test_random_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
