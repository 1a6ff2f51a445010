/* test_rescue.c — the rescue shell's start (initd/rescue.h) when it goes
 * wrong: a fork that fails, an exit that cannot be watched. Either way
 * another start must come after the respawn delay: a rescue shell that is
 * never started again leaves the console without one. spawn_helper_fork
 * and loop_watch_add are wrapped (tests/tests.mk). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loop.h"
#include "initd/rescue.h"
#include "initd/spawn.h"

static enum { FORK_FAILS, FORK_CHILD } fork_mode;
static bool watch_fails;
static pid_t child;

pid_t __wrap_spawn_helper_fork(void);
pid_t __wrap_spawn_helper_fork(void)
{
	if (fork_mode == FORK_FAILS) {
		errno = EAGAIN;
		return -1;
	}
	child = fork();
	if (child == 0) {
		alarm(5);   /* gone by itself should nobody kill it */
		for (;;)
			pause();
	}
	return child;
}

int __real_loop_watch_add(struct loop *l, struct loop_watch *w, uint32_t events);
int __wrap_loop_watch_add(struct loop *l, struct loop_watch *w, uint32_t events);
int __wrap_loop_watch_add(struct loop *l, struct loop_watch *w, uint32_t events)
{
	return watch_fails ? -ENOMEM : __real_loop_watch_add(l, w, events);
}

START_TEST(fork_failure_arms_the_respawn)
{
	struct loop *l;
	struct rescue_shell r;

	ck_assert_int_eq(loop_new(&l), 0);
	rescue_shell_init(&r, l);
	fork_mode = FORK_FAILS;
	ck_assert_int_eq(rescue_shell_start(&r), -EAGAIN);
	ck_assert_int_eq(r.pid, 0);
	ck_assert_msg(loop_timer_armed(&r.respawn), "no respawn after a failed fork");
	ck_assert_uint_eq(r.delay, RESCUE_RESPAWN_MIN_USEC);
	/* the delay doubles while it keeps failing */
	loop_timer_cancel(l, &r.respawn);
	ck_assert_int_eq(rescue_shell_start(&r), -EAGAIN);
	ck_assert_uint_eq(r.delay, 2 * RESCUE_RESPAWN_MIN_USEC);
	rescue_shell_done(&r);
	loop_free(l);
}
END_TEST

START_TEST(unwatched_shell_is_not_kept)
{
	struct loop *l;
	struct rescue_shell r;
	int status = 0;

	ck_assert_int_eq(loop_new(&l), 0);
	rescue_shell_init(&r, l);
	fork_mode = FORK_CHILD;
	watch_fails = true;
	ck_assert_int_eq(rescue_shell_start(&r), -ENOMEM);
	ck_assert_int_gt(child, 0);
	ck_assert_msg(r.pid == 0, "pid %d kept without a watch", (int)r.pid);
	ck_assert_int_eq(r.exit.fd, -1);
	ck_assert_msg(loop_timer_armed(&r.respawn), "no respawn after a failed watch");
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* and when the delay is over, one that can be watched starts */
	watch_fails = false;
	loop_timer_cancel(l, &r.respawn);
	ck_assert_int_eq(rescue_shell_start(&r), 0);
	ck_assert_int_eq(r.pid, child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	rescue_shell_done(&r);
	loop_free(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rescue");
	TCase *tc = tcase_create("rescue");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, fork_failure_arms_the_respawn);
	tcase_add_test(tc, unwatched_shell_is_not_kept);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
