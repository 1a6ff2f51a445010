/* test_postmortem.c — post-mortem records (initd/postmortem.h): the ring's
 * bound and order, the last lines within their line and byte bounds, the
 * counters read from a fake cgroup directory, the file format. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initd/logbuf.h"
#include "initd/postmortem.h"
#include "tests/files.h"

static void add(struct postmortem_ring *r, unsigned keep, unsigned id)
{
	struct postmortem *p = postmortem_ring_add(r, keep);

	ck_assert_ptr_nonnull(p);
	p->restarts = id;
}

START_TEST(ring_keeps_the_newest_n)
{
	struct postmortem_ring r = { 0 };

	ck_assert_ptr_null(postmortem_ring_get(&r, 0));
	for (unsigned i = 1; i <= 7; i++)
		add(&r, 5, i);
	ck_assert_uint_eq(r.n, 5);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(postmortem_ring_get(&r, i)->restarts, 7 - i);
	ck_assert_ptr_null(postmortem_ring_get(&r, 5));
	/* a reload to 3 (postmortem_ring_fit): the newest three stay, in
	 * order, before any new record */
	ck_assert_int_eq(postmortem_ring_fit(&r, 3), 0);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_uint_eq(postmortem_ring_get(&r, 0)->restarts, 7);
	ck_assert_uint_eq(postmortem_ring_get(&r, 2)->restarts, 5);
	/* the next record to 2: the newest two stay, in order */
	add(&r, 2, 8);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(postmortem_ring_get(&r, 0)->restarts, 8);
	ck_assert_uint_eq(postmortem_ring_get(&r, 1)->restarts, 7);
	/* 0: nothing kept, memory freed */
	ck_assert_ptr_null(postmortem_ring_add(&r, 0));
	ck_assert_ptr_null(r.rec);
	ck_assert_ptr_null(postmortem_ring_get(&r, 0));
	postmortem_ring_free(&r);
}
END_TEST

START_TEST(last_20_of_30_lines)
{
	struct logbuf b;
	struct postmortem p = { 0 };
	char line[64];

	ck_assert_int_eq(logbuf_init(&b, 64 * 1024), 0);
	for (int i = 1; i <= 30; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		logbuf_append(&b, line, strlen(line));
	}
	postmortem_take_lines(&p, &b, POSTMORTEM_LINES);
	ck_assert_str_eq(p.lines, "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\n"
			 "line 17\nline 18\nline 19\nline 20\nline 21\nline 22\nline 23\n"
			 "line 24\nline 25\nline 26\nline 27\nline 28\nline 29\nline 30\n");
	logbuf_free(&b);
}
END_TEST

/* A NUL in the output does not hide the lines after it (the old record
 * ended there, before the crash message). */
START_TEST(a_nul_byte_hides_no_line)
{
	static const char out[] = "started\nbinary \0 junk\nFATAL: reason\n";
	struct logbuf b;
	struct postmortem p = { 0 };

	ck_assert_int_eq(logbuf_init(&b, 64 * 1024), 0);
	logbuf_append(&b, out, sizeof(out) - 1);
	postmortem_take_lines(&p, &b, POSTMORTEM_LINES);
	ck_assert_str_eq(p.lines, "started\nbinary ? junk\nFATAL: reason\n");
	logbuf_free(&b);
}
END_TEST

START_TEST(long_lines_keep_whole_newest_ones_within_bytes)
{
	struct logbuf b;
	struct postmortem p = { 0 };
	char line[302];

	ck_assert_int_eq(logbuf_init(&b, 64 * 1024), 0);
	for (int i = 1; i <= 20; i++) {
		memset(line, 'a' + i, 300);
		line[300] = '\n';
		logbuf_append(&b, line, 301);
	}
	postmortem_take_lines(&p, &b, POSTMORTEM_LINES);
	ck_assert_uint_lt(strlen(p.lines), POSTMORTEM_TEXT_MAX);
	ck_assert_uint_eq(strlen(p.lines) % 301, 0);            /* whole lines */
	ck_assert_int_eq(p.lines[strlen(p.lines) - 2], 'a' + 20);   /* the newest */
	logbuf_free(&b);
}
END_TEST

START_TEST(counters_from_a_fake_cgroup)
{
	char dir[] = "/tmp/test_postmortem.XXXXXX", buf[4096];
	struct postmortem p = { .restarts = 2, .wall_usec = 1764583200123000ULL };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	test_put_file(dir, "memory.peak", "1048576\n");
	test_put_file(dir, "cpu.stat", "usage_usec 4242\nuser_usec 4000\nsystem_usec 242\n");
	test_put_file(dir, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	/* no pids.peak: left out */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	postmortem_read_cgroup(fd, &p);
	close(fd);
	ck_assert_uint_eq(p.stat[POSTMORTEM_MEM_PEAK], 1048576);
	ck_assert_uint_eq(p.stat[POSTMORTEM_CPU_USAGE], 4242);
	ck_assert_uint_eq(p.stat[POSTMORTEM_OOM_KILLS], 1);
	ck_assert_uint_eq(p.have, 7);
	snprintf(p.reason, sizeof(p.reason), "oom-kill");
	snprintf(p.lines, sizeof(p.lines), "a\nb\n");
	postmortem_format(&p, "web", buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-12-01T10:00:00.123Z post-mortem web: oom-kill\n"
			 "  restarts 2, memory.peak 1048576, cpu.usage_usec 4242, oom_kills 1\n"
			 "  | a\n  | b\n");
	/* a short buffer: truncated, terminated */
	ck_assert_uint_eq(postmortem_format(&p, "web", buf, 10), 9);
	ck_assert_uint_eq(strlen(buf), 9);
	for (const char *f = "memory.peak\0cpu.stat\0memory.events\0"; *f; f += strlen(f) + 1) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, f);
		unlink(buf);
	}
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("postmortem");
	TCase *tc = tcase_create("records");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, ring_keeps_the_newest_n);
	tcase_add_test(tc, last_20_of_30_lines);
	tcase_add_test(tc, a_nul_byte_hides_no_line);
	tcase_add_test(tc, long_lines_keep_whole_newest_ones_within_bytes);
	tcase_add_test(tc, counters_from_a_fake_cgroup);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
