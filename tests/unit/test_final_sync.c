/* test_final_sync.c — the final phase's writes, run in a real child and
 * bounded by their progress (initd/final_sync.h): a step that hangs costs
 * the bound and is named, one that goes on is waited for, however long. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/final_sync.h"
#include "initd/log.h"

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
	pid_t *pid;      /* shared memory the child writes its pid to (its
	                  * fds are closed: final_sync.h) */
	int steps;
	unsigned step_msec;
};

static void tell_pid(const struct child_says *c)
{
	if (c->pid)
		*c->pid = getpid();
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

/* Down to none, held there for a while (seen by PID 1's ticks), up (pages
 * dirtied by a step: a journal's commit) and down again, slowly: each fall
 * is progress, not only one below the lowest seen. PID 1's ticks may miss
 * the first fall after the rise: falls it sees come at most ~1 s apart,
 * half the bound; the slow fall lasts half again the bound. */
#define RISE_STALL_USEC (2000 * USEC_PER_MSEC)

static void writes_up_and_down(int fd, void *data)
{
	final_sync_step(fd, "the final sync");
	for (unsigned i = 1; i <= 4; i++) {
		usleep(PACE_USEC);
		write_meminfo(8192 - 2048 * i, 0);
	}
	usleep(4 * PACE_USEC);
	write_meminfo(2048, 0);
	for (unsigned i = 1; i <= 20; i++) {
		usleep(PACE_USEC);
		write_meminfo(2048 - 96 * i, 0);
	}
}

START_TEST(pages_going_down_after_a_rise_are_progress)
{
	char stuck[FINAL_SYNC_STEP_MAX];

	ck_assert_int_eq(final_sync_run(writes_up_and_down, NULL, RISE_STALL_USEC, NULL, stuck,
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
	pid_t *pid = mmap(NULL, sizeof(*pid), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	struct child_says c = { .pid = pid };
	uint64_t t0, took;
	int status;

	ck_assert_ptr_ne(pid, MAP_FAILED);
	*pid = 0;
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
	ck_assert_int_gt(*pid, 0);
	ck_assert_int_eq(waitpid(*pid, &status, 0), *pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
}
END_TEST

START_TEST(steps_that_keep_coming_are_progress)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	/* 10 x 150 ms: two and a half times the bound in all */
	struct child_says c = { .steps = 10, .step_msec = PACE_USEC / 1000 };

	ck_assert_int_eq(final_sync_run(steps_slowly, &c, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 0);
	ck_assert_str_eq(stuck, "step 9");
}
END_TEST

/* A child that dies before fn returns: the steps after its last did not
 * run, and the caller is told so, not that it was done. */
static void dies(int fd, void *data)
{
	final_sync_step(fd, "the step it dies in");
	raise(SIGKILL);
}

START_TEST(a_child_that_dies_is_not_done)
{
	char stuck[FINAL_SYNC_STEP_MAX];

	ck_assert_int_eq(final_sync_run(dies, NULL, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 -ECHILD);
	ck_assert_str_eq(stuck, "the step it dies in");
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);   /* reaped */
}
END_TEST

/* The child keeps none of PID 1's fds but stdio, its pipe and the kernel
 * log's: one that hung in the kernel holding the watchdog's would keep a
 * halt's magic close from stopping it. PID 1's fds here sit below the
 * pipe, between it and the kernel log's, and above both. */
struct fds {
	int held[3], kmsg;
};

static bool is_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static void reports_fds(int fd, void *data)
{
	const struct fds *f = data;
	bool ok = !is_closed(STDERR_FILENO) && !is_closed(f->kmsg);

	for (size_t i = 0; i < 3; i++)
		ok = ok && is_closed(f->held[i]);
	final_sync_step(fd, ok ? "closed" : "held");
}

START_TEST(the_child_holds_none_of_pid1s_fds)
{
	char stuck[FINAL_SYNC_STEP_MAX];
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct fds f = {
		{ null, fcntl(null, F_DUPFD_CLOEXEC, 30), fcntl(null, F_DUPFD_CLOEXEC, 60) },
		fcntl(null, F_DUPFD_CLOEXEC, 40),
	};

	ck_assert_int_ge(f.held[0], 3);
	ck_assert_int_ge(f.held[1], 30);
	ck_assert_int_ge(f.kmsg, 40);
	ck_assert_int_ge(f.held[2], 60);
	log_set_kmsg_fd(f.kmsg);
	ck_assert_int_eq(final_sync_run(reports_fds, &f, STALL_USEC, NULL, stuck, sizeof(stuck)),
			 0);
	log_set_kmsg_fd(-1);
	ck_assert_str_eq(stuck, "closed");
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_ge(fcntl(f.held[i], F_GETFD), 0);   /* PID 1's own: kept */
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
	tcase_set_timeout(tc, 30);   /* children that take seconds, on purpose */
	tcase_add_test(tc, pages_going_down_are_progress);
	tcase_add_test(tc, pages_moving_to_writeback_are_no_progress);
	tcase_add_test(tc, pages_going_down_after_a_rise_are_progress);
	tcase_add_test(tc, a_child_that_dies_is_not_done);
	tcase_add_test(tc, the_child_holds_none_of_pid1s_fds);
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
