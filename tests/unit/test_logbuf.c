/* test_logbuf.c — the per-service output ring: growth, wrap, tails. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initd/logbuf.h"
#include "initd/nofork.h"

/* The ring's only allocation, which can be told to fail: logbuf.o's calls
 * come here (tests.mk links this test with --wrap=nofork_realloc). */
static bool realloc_fails;

void *__real_nofork_realloc(void *p, size_t old_size, size_t new_size);
void *__wrap_nofork_realloc(void *p, size_t old_size, size_t new_size);

void *__wrap_nofork_realloc(void *p, size_t old_size, size_t new_size)
{
	return realloc_fails ? NULL : __real_nofork_realloc(p, old_size, new_size);
}

/* Everything appended, for comparison. */
static char model[1 << 16];
static size_t model_len;

static void put(struct logbuf *b, const char *s)
{
	size_t n = strlen(s);

	logbuf_append(b, s, n);
	memcpy(model + model_len, s, n);
	model_len += n;
}

/* The retained bytes must be exactly the last min(size, total) of the model. */
static void check_contents(const struct logbuf *b)
{
	static char out[1 << 16];
	uint64_t next;
	size_t keep = model_len < b->size ? model_len : b->size;
	size_t n = logbuf_read(b, 0, out, sizeof(out), &next);

	ck_assert_uint_eq(n, keep);
	ck_assert_uint_eq(next, model_len);
	ck_assert(memcmp(out, model + model_len - keep, keep) == 0);
}

START_TEST(empty_ring_costs_nothing)
{
	struct logbuf b;
	char out[8];
	uint64_t next;

	ck_assert_int_eq(logbuf_init(&b, 4096), 0);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(logbuf_read(&b, 0, out, sizeof(out), &next), 0);
	ck_assert_uint_eq(logbuf_tail_offset(&b, 10), 0);
	logbuf_free(&b);
}
END_TEST

START_TEST(one_line_allocates_little)
{
	struct logbuf b;

	model_len = 0;
	logbuf_init(&b, 64 * 1024);
	put(&b, "hello\n");
	/* one line, one block of nofork's smallest class: a service that
	 * says one thing at startup costs 64 bytes of ring, not 256 */
	ck_assert_uint_eq(b.cap, 64);
	check_contents(&b);
	logbuf_free(&b);
	/* a first write of 100 bytes: the first power of two above it; then
	 * ten more lines of 10: doubled once more */
	logbuf_init(&b, 64 * 1024);
	model_len = 0;
	put(&b, "123456789 123456789 123456789 123456789 123456789 "
		"123456789 123456789 123456789 123456789 12345678\n");
	ck_assert_uint_eq(b.cap, 128);
	for (int i = 0; i < 10; i++)
		put(&b, "123456789\n");
	ck_assert_uint_eq(b.cap, 256);
	check_contents(&b);
	logbuf_free(&b);
}
END_TEST

START_TEST(grows_then_wraps_keeping_the_newest)
{
	struct logbuf b;
	char line[64];

	model_len = 0;
	logbuf_init(&b, 4096);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %d of the service\n", i);
		put(&b, line);
		if (i % 37 == 0)
			check_contents(&b);
	}
	ck_assert_uint_eq(b.cap, 4096);
	check_contents(&b);
	logbuf_free(&b);
}
END_TEST

START_TEST(a_chunk_larger_than_the_ring)
{
	struct logbuf b;
	static char big[10000];

	model_len = 0;
	logbuf_init(&b, 1024);
	put(&b, "x\n");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	put(&b, big);
	check_contents(&b);
	logbuf_free(&b);
}
END_TEST

START_TEST(tail_gives_the_last_lines)
{
	struct logbuf b;
	char out[256];
	uint64_t next;
	size_t n;

	model_len = 0;
	logbuf_init(&b, 1024);
	put(&b, "one\ntwo\nthree\n");
	n = logbuf_read(&b, logbuf_tail_offset(&b, 2), out, sizeof(out), &next);
	ck_assert_uint_eq(n, strlen("two\nthree\n"));
	ck_assert(memcmp(out, "two\nthree\n", n) == 0);
	logbuf_free(&b);
}
END_TEST

/* The tail as the ring's bytes say it, one by one over the model. */
static uint64_t tail_by_bytes(uint64_t first, uint64_t last, uint64_t end, unsigned lines)
{
	uint64_t off = end > last ? last : end < first ? first : end;

	if (lines == 0)
		return off;
	if (off > first && model[off - 1] == '\n')
		off--;
	for (; off > first; off--)
		if (model[off - 1] == '\n' && --lines == 0)
			return off;
	return first;
}

/* The tail's scan goes back a window at a time (memrchr): the same
 * offsets as a byte at a time, across the wrap and at every boundary, for
 * random lines (empty ones too, and some longer than a window) through a
 * ring smaller and one larger than a window, each wrapping often. */
static void tail_scan_matches(size_t size, size_t total)
{
	static const unsigned counts[] = { 0, 1, 2, 3, 7, 40, 100000 };
	static char line[6000];
	struct logbuf b;
	unsigned seed = 1;

	model_len = 0;
	logbuf_init(&b, size);
	while (model_len < total) {
		size_t n = (size_t)(rand_r(&seed) % 40);

		if (rand_r(&seed) % 50 == 0)
			n = 4500 + (size_t)(rand_r(&seed) % 1000);   /* past a window, one line */
		for (size_t i = 0; i < n; i++)
			line[i] = n < 4500 && rand_r(&seed) % 5 == 0 ? '\n' : 'a' + (char)(i % 26);
		line[n] = '\0';
		put(&b, line);
		for (int k = 0; k < 4; k++) {
			uint64_t first = logbuf_oldest(&b);
			uint64_t end = first + (uint64_t)(rand_r(&seed) % (size + 20));

			end = end > 5 ? end - 5 : 0;
			for (size_t c = 0; c < sizeof(counts) / sizeof(*counts); c++)
				ck_assert_uint_eq(logbuf_tail_offset_before(&b, end, counts[c]),
						  tail_by_bytes(first, b.end, end, counts[c]));
		}
	}
	logbuf_free(&b);
}

START_TEST(tail_by_windows_is_tail_by_bytes)
{
	tail_scan_matches(300, 20000);
	tail_scan_matches(10000, sizeof(model) - 6000);
}
END_TEST

START_TEST(follower_reads_from_its_offset_across_wrap)
{
	struct logbuf b;
	char out[4096], line[64];
	uint64_t off, next;
	size_t n;

	model_len = 0;
	logbuf_init(&b, 512);
	put(&b, "start\n");
	off = b.end;
	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "%02d.\n", i);
		put(&b, line);
	}
	n = logbuf_read(&b, off, out, sizeof(out), &next);
	ck_assert_uint_eq(n, model_len - off);
	ck_assert(memcmp(out, model + off, n) == 0);
	logbuf_free(&b);
}
END_TEST

/* Out of memory while growing: the ring keeps the size it reached, and what
 * it holds stays readable and in bounds (no gap of bytes never written). */
START_TEST(growth_failure_keeps_the_ring_consistent)
{
	static char out[1 << 16];
	struct logbuf b;
	char line[64];
	uint64_t next;
	size_t n, keep;

	model_len = 0;
	logbuf_init(&b, 64 * 1024);
	put(&b, "first line, before memory runs out\n");
	ck_assert_uint_lt(b.cap, b.size);
	realloc_fails = true;
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "line %03d while realloc fails\n", i);
		put(&b, line);
	}
	realloc_fails = false;
	ck_assert_uint_le(b.size, b.cap);   /* never reads past the allocation */
	ck_assert_uint_eq(b.end, model_len);
	keep = b.size;
	n = logbuf_read(&b, 0, out, sizeof(out), &next);
	ck_assert_uint_eq(n, keep);
	ck_assert_uint_eq(next, model_len);
	ck_assert(memcmp(out, model + model_len - keep, keep) == 0);
	n = logbuf_read(&b, logbuf_tail_offset(&b, 1), out, sizeof(out), &next);
	ck_assert(memcmp(out, "line 199 while realloc fails\n", n) == 0);
	logbuf_free(&b);
}
END_TEST

/* Out of memory before anything was kept: nothing is counted that a
 * reader could ask for. */
START_TEST(first_allocation_failure_keeps_nothing)
{
	struct logbuf b;
	char out[64];
	uint64_t next;

	logbuf_init(&b, 4096);
	realloc_fails = true;
	logbuf_append(&b, "lost\n", 5);
	realloc_fails = false;
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(logbuf_read(&b, 0, out, sizeof(out), &next), 0);
	logbuf_append(&b, "kept\n", 5);
	ck_assert_uint_eq(logbuf_read(&b, 0, out, sizeof(out), &next), 5);
	ck_assert(memcmp(out, "kept\n", 5) == 0);
	logbuf_free(&b);
}
END_TEST

/* A follower the ring overtook learns how many bytes it lost, then reads on
 * from the oldest byte held, never more than it asked for. */
START_TEST(follower_is_told_what_it_lost)
{
	struct logbuf b;
	char out[4096], line[32];
	uint64_t off = 0, lost;
	size_t k;

	model_len = 0;
	ck_assert_int_eq(logbuf_init(&b, 1024), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %04d\n", i);   /* 10 bytes */
		put(&b, line);
	}
	k = logbuf_follow(&b, &off, out, 100, &lost);
	ck_assert_uint_eq(lost, 10000 - 1024);
	ck_assert_uint_eq(k, 100);
	ck_assert(memcmp(out, model + 10000 - 1024, 100) == 0);
	ck_assert_uint_eq(off, 10000 - 1024 + 100);
	/* Caught up: nothing more lost, the rest in bounded steps. */
	k = logbuf_follow(&b, &off, out, sizeof(out), &lost);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(k, 1024 - 100);
	ck_assert_uint_eq(off, 10000);
	ck_assert_uint_eq(logbuf_follow(&b, &off, out, sizeof(out), &lost), 0);
	ck_assert_uint_eq(lost, 0);
	/* An offset past the end (another ring's, after a reload): its end. */
	off = 50000;
	ck_assert_uint_eq(logbuf_follow(&b, &off, out, sizeof(out), &lost), 0);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(off, 10000);
	logbuf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("logbuf");
	TCase *tc = tcase_create("ring");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, empty_ring_costs_nothing);
	tcase_add_test(tc, one_line_allocates_little);
	tcase_add_test(tc, grows_then_wraps_keeping_the_newest);
	tcase_add_test(tc, a_chunk_larger_than_the_ring);
	tcase_add_test(tc, tail_gives_the_last_lines);
	tcase_add_test(tc, tail_by_windows_is_tail_by_bytes);
	tcase_add_test(tc, follower_reads_from_its_offset_across_wrap);
	tcase_add_test(tc, growth_failure_keeps_the_ring_consistent);
	tcase_add_test(tc, follower_is_told_what_it_lost);
	tcase_add_test(tc, first_allocation_failure_keeps_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
