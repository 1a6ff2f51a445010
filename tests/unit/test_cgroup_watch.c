/* test_cgroup_watch.c — the cgroup event files' watches (initd/cgroup_watch.h)
 * on files of the test's own (inotify watches any file): an event reaches
 * the owner named at its add, none after its remove; and a remove costs
 * the same whatever the number of watches. PID 1 removes a unit's watches
 * at each reload that changes it, each removal of its leaf and each
 * unit's end: at 10,000 units a table that closed its gap at each remove
 * moved ~7 GB for a reload changing every unit. The bytes moved are
 * counted (memmove wrapped: tests/tests.mk). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initd/cgroup_watch.h"
#include "initd/loop.h"
#include "tests/files.h"

#define N 1000

static size_t moved;
static size_t memmoves;

void *__real_memmove(void *dst, const void *src, size_t n);
void *__wrap_memmove(void *dst, const void *src, size_t n);
void *__wrap_memmove(void *dst, const void *src, size_t n)
{
	moved += n;
	memmoves++;
	return __real_memmove(dst, src, n);
}

static char dir[64];
static int seen[N + 1];

static void owner_called(void *owner, enum cgroup_event ev)
{
	seen[(int *)owner - seen]++;
}

static void dirs_make(int n)
{
	char d[128];

	/* each test afresh: Check may run them in one process (CK_FORK=no) */
	snprintf(dir, sizeof(dir), "/tmp/test_cgroup_watch.XXXXXX");
	memset(seen, 0, sizeof(seen));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int i = 0; i < n; i++) {
		snprintf(d, sizeof(d), "%s/%d", dir, i);
		ck_assert_int_eq(mkdir(d, 0755), 0);
		test_put_file(d, "cgroup.events", "populated 1\n");
	}
}

static void dirs_remove(int n)
{
	char p[160];

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%d/cgroup.events", dir, i);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%d", dir, i);
		rmdir(p);
	}
	rmdir(dir);
}

static void touch(int i)
{
	char d[128];

	snprintf(d, sizeof(d), "%s/%d", dir, i);
	test_put_file(d, "cgroup.events", "populated 0\n");
}

static void run(struct loop *l)
{
	while (loop_run_once(l, 50) > 0)
		;
}

/* Each owner hears its own file; a removed watch is heard no more, the
 * others still are (the table's order kept across removes). */
START_TEST(events_reach_their_owner_until_removed)
{
	struct cgroup_watch *w;
	struct loop *l;
	int wd[8];

	dirs_make(8);
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(cgroup_watch_new(l, owner_called, &w), 0);
	for (int i = 0; i < 8; i++) {
		char d[128];

		snprintf(d, sizeof(d), "%s/%d", dir, i);
		ck_assert_int_eq(cgroup_watch_add(w, d, CGROUP_EVENT_POPULATED, &seen[i], &wd[i]), 0);
	}
	for (int i = 0; i < 8; i += 2)
		cgroup_watch_remove(w, wd[i]);
	cgroup_watch_remove(w, wd[2]);   /* twice: nothing more */
	for (int i = 0; i < 8; i++)
		touch(i);
	run(l);
	for (int i = 0; i < 8; i++)
		ck_assert_msg(i % 2 ? seen[i] > 0 : seen[i] == 0, "owner %d: %d calls", i, seen[i]);
	/* watched again (a new wd, past the removed ones), and a NULL owner
	 * refused */
	ck_assert_int_eq(cgroup_watch_add(w, dir, CGROUP_EVENT_POPULATED, NULL, &wd[0]), -EINVAL);
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 8; i += 2) {
		char d[128];

		snprintf(d, sizeof(d), "%s/%d", dir, i);
		ck_assert_int_eq(cgroup_watch_add(w, d, CGROUP_EVENT_POPULATED, &seen[i], &wd[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		touch(i);
	run(l);
	for (int i = 0; i < 8; i++)
		ck_assert_msg(seen[i] > 0, "owner %d: no call", i);
	cgroup_watch_free(w);
	loop_free(l);
	dirs_remove(8);
}
END_TEST

/* N watches removed oldest first (a unit's watches are added in start
 * order, and the first started are the first a reload swaps): the table
 * moves a bounded amount a remove, and the last one still works. */
START_TEST(a_remove_moves_a_bounded_amount)
{
	struct cgroup_watch *w;
	struct loop *l;
	static int wd[N];

	dirs_make(N);
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(cgroup_watch_new(l, owner_called, &w), 0);
	for (int i = 0; i < N; i++) {
		char d[128];

		snprintf(d, sizeof(d), "%s/%d", dir, i);
		ck_assert_int_eq(cgroup_watch_add(w, d, CGROUP_EVENT_POPULATED, &seen[i], &wd[i]), 0);
	}
	moved = memmoves = 0;
	for (int i = 0; i < N - 1; i++)
		cgroup_watch_remove(w, wd[i]);
#ifndef __SANITIZE_ADDRESS__
	/* 32 bytes a watch at most, were it all moved twice: the old table
	 * moved ~N^2/2 entries (8 MB here), and so would a compaction at
	 * each remove */
	ck_assert_msg(moved <= (size_t)N * 32, "%zu bytes moved for %d removes", moved, N - 1);
#endif
	touch(N - 1);
	run(l);
	ck_assert_int_gt(seen[N - 1], 0);
	for (int i = 0; i < N - 1; i++)
		ck_assert_int_eq(seen[i], 0);
	cgroup_watch_free(w);
	loop_free(l);
	dirs_remove(N);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup_watch");
	TCase *tc = tcase_create("cgroup_watch");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, events_reach_their_owner_until_removed);
	tcase_add_test(tc, a_remove_moves_a_bounded_amount);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
