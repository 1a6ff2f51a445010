/* test_final_sync.c — the final phase's writes, run in a real child and
 * bounded by their progress (initd/final_sync.h): a step that hangs costs
 * the bound and is named, one that goes on is waited for, however long. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/final_sync.h"

/* The bound, four times the child's pace of 150 ms: a loaded machine's
 * delays do not make a steady child look stuck. */
#define STALL_USEC (600 * USEC_PER_MSEC)
#define PACE_USEC  (150 * USEC_PER_MSEC)

/* The machine's own writeback must not count as the child's progress:
 * every test reads pages from a file of its own. */
static char meminfo[] = "/tmp/test_final_sync.XXXXXX";

/* In place, one write of the same length each time: the reader keeps
 * its fd and never sees the file empty. */
static void write_meminfo(unsigned dirty, unsigned writeback)
{
	char text[160];
	int n = snprintf(text, sizeof(text), "MemTotal:        1000000 kB\n"
			 "Dirty:         %8u kB\nWriteback:     %8u kB\n"
			 "AnonPages:       1000 kB\n", dirty, writeback);
	int fd = open(meminfo, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || pwrite(fd, text, (size_t)n, 0) != n)
		_exit(4);
	close(fd);
}

static void setup(void)
{
	int fd = mkstemp(meminfo);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_meminfo(8192, 0);
	final_sync_meminfo = meminfo;
}

static void teardown(void)
{
	unlink(meminfo);
}

struct child_says {
	int fd;          /* where the child writes its pid */
	int steps;
	unsigned step_msec;
};

static void tell_pid(const struct child_says *c)
{
	pid_t pid = getpid();

	if (c->fd >= 0 && write(c->fd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(3);
}

static void quick(int fd, void *data)
{
	final_sync_step(fd, "one");
	final_sync_step(fd, "two");
}

static void hangs(int fd, void *data)
{
	const struct child_says *c = data;

	final_sync_step(fd, "the first step");
	final_sync_step(fd, "the step that hangs");
	tell_pid(c);
	for (;;)
		pause();
}

/* Slower in all than the bound, each step well inside it. */
static void steps_slowly(int fd, void *data)
{
	const struct child_says *c = data;
	char name[32];

	for (int i = 0; i < c->steps; i++) {
		snprintf(name, sizeof(name), "step %d", i);
		final_sync_step(fd, name);
		usleep(c->step_msec * 1000);
	}
}

/* No step after the first, but the pages go down, 10 x 150 ms: two and
 * a half times the bound in all. */
static void writes_slowly(int fd, void *data)
{
	final_sync_step(fd, "the final sync");
	for (unsigned i = 1; i <= 10; i++) {
		usleep(PACE_USEC);
		write_meminfo(8192 - 512 * i, 512);
	}
}

START_TEST(pages_going_down_are_progress)
{
	char stuck[FINAL_SYNC_STEP_MAX];

	ck_assert_int_eq(final_sync_run(writes_slowly, NULL, STALL_USEC, NULL, stuck,
					sizeof(stuck)), 0);
}
END_TEST

/* Dirty pages turned writeback, never written: the sum stays, no
 * progress. */
static void writes_stuck(int fd, void *data)
{
	final_sync_step(fd, "the final sync");
	for (unsigned i = 0; i < 40; i++) {
		write_meminfo(i % 2 ? 0 : 8192, i % 2 ? 8192 : 0);
		usleep(PACE_USEC);
	}
}

START_TEST(pages_moving_to_writeback_are_no_progress)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	uint64_t t0 = now_usec();

	ck_assert_int_eq(final_sync_run(writes_stuck, NULL, STALL_USEC, NULL, stuck,
					sizeof(stuck)), -ETIMEDOUT);
	ck_assert_str_eq(stuck, "the final sync");
	/* well before the child's 6 s of writes */
	ck_assert_uint_lt(now_usec() - t0, 4 * USEC_PER_SEC);
}
END_TEST

START_TEST(a_child_that_ends_is_waited_for)
{
	char stuck[FINAL_SYNC_STEP_MAX];

	ck_assert_int_eq(final_sync_run(quick, NULL, STALL_USEC, NULL, stuck, sizeof(stuck)), 0);
	ck_assert_str_eq(stuck, "two");
	/* reaped: no child left */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(a_hung_step_costs_the_bound_and_is_named)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	int p[2];
	struct child_says c;
	uint64_t t0, took;
	pid_t pid = 0;
	int status;

	ck_assert_int_eq(pipe(p), 0);
	c = (struct child_says){ .fd = p[1] };
	t0 = now_usec();
	ck_assert_int_eq(final_sync_run(hangs, &c, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 -ETIMEDOUT);
	took = now_usec() - t0;
	ck_assert_str_eq(stuck, "the step that hangs");
	/* the bound, counted from the last step, and one tick more at most
	 * (a loaded machine may add to the tick, never take from the bound) */
	ck_assert_uint_ge(took, STALL_USEC);
	ck_assert_uint_lt(took, 10 * USEC_PER_SEC);
	/* and the child was sent SIGKILL */
	ck_assert_int_eq(read(p[0], &pid, sizeof(pid)), sizeof(pid));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
}
END_TEST

START_TEST(steps_that_keep_coming_are_progress)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	/* 10 x 150 ms: two and a half times the bound in all */
	struct child_says c = { .fd = -1, .steps = 10, .step_msec = PACE_USEC / 1000 };

	ck_assert_int_eq(final_sync_run(steps_slowly, &c, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 0);
	ck_assert_str_eq(stuck, "step 9");
}
END_TEST

/* The child starts with PID 1's signals reset: a mask that blocked
 * SIGTERM is not its mask. */
static void reports_mask(int fd, void *data)
{
	sigset_t now;

	sigprocmask(SIG_SETMASK, NULL, &now);
	final_sync_step(fd, sigismember(&now, SIGTERM) ? "blocked" : "clear");
}

START_TEST(the_child_resets_what_it_inherited)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &term, NULL), 0);
	ck_assert_int_eq(final_sync_run(reports_mask, NULL, STALL_USEC, NULL, stuck,
					sizeof(stuck)), 0);
	ck_assert_str_eq(stuck, "clear");
}
END_TEST

static void long_name(int fd, void *data)
{
	char name[200];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	final_sync_step(fd, name);
}

START_TEST(a_long_step_name_is_cut)
{
	char stuck[FINAL_SYNC_STEP_MAX];

	ck_assert_int_eq(final_sync_run(long_name, NULL, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 0);
	ck_assert_uint_eq(strlen(stuck), FINAL_SYNC_STEP_MAX - 1);
	ck_assert_uint_eq(strspn(stuck, "x"), FINAL_SYNC_STEP_MAX - 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("final_sync");
	TCase *tc = tcase_create("child");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pages_going_down_are_progress);
	tcase_add_test(tc, pages_moving_to_writeback_are_no_progress);
	tcase_add_test(tc, a_child_that_ends_is_waited_for);
	tcase_add_test(tc, a_hung_step_costs_the_bound_and_is_named);
	tcase_add_test(tc, steps_that_keep_coming_are_progress);
	tcase_add_test(tc, the_child_resets_what_it_inherited);
	tcase_add_test(tc, a_long_step_name_is_cut);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
