/* test_probe.c — an exec probe run through probe.c as PID 1 runs it: the
 * helper forked, its verdict read from the loop. No cgroup here: the
 * helper's fork into the unit's leaf is a plain fork (wrapped), and a
 * fork the unit's pids.max would refuse inside the helper is made to
 * fail with EAGAIN (fork wrapped, refused in any process but the test's).
 *
 * Each test runs in a process of its own (Check's fork mode). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/loop.h"
#include "initd/probe.h"
#include "initd/spawn.h"
#include "units/unit.h"

pid_t __real_fork(void);

static pid_t test_pid;          /* the test's own process: its forks work */
static bool refuse_helper_fork; /* a fork in any other process: EAGAIN */

pid_t __wrap_fork(void);
pid_t __wrap_fork(void)
{
	if (refuse_helper_fork && getpid() != test_pid) {
		errno = EAGAIN;
		return -1;
	}
	return __real_fork();
}

/* No cgroup to be born in: a plain fork, as without one. */
pid_t __wrap_spawn_helper_fork_into(int cgroup_fd);
pid_t __wrap_spawn_helper_fork_into(int cgroup_fd)
{
	(void)cgroup_fd;
	return spawn_helper_fork();
}

struct result {
	bool done;
	enum probe_verdict verdict;
	char why[PROBE_WHY_MAX];
};

static void on_done(void *data, enum probe_verdict verdict, const char *why)
{
	struct result *r = data;

	r->done = true;
	r->verdict = verdict;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* The health probe of the unit `text`, run once to its verdict. cgroup_fd:
 * what the target says of its leaf (>= 0: the helper is in it). */
static struct result run_probe(const char *text, int cgroup_fd)
{
	struct result res = { .done = false };
	struct unit *u = NULL;
	struct loop *l = NULL;
	struct probe_run run;
	struct probe_target t;

	test_pid = getpid();
	ck_assert_int_eq(unit_parse_string("p.unit", text, &u), 0);
	ck_assert_msg(!u->bad, "%s", u->diags.n ? u->diags.v[0].message : "");
	ck_assert_int_eq(loop_new(&l), 0);
	t = (struct probe_target){
		.unit = u, .probe = &u->opt->health, .pid = getpid(), .pidfd = -1,
		.cgroup_fd = cgroup_fd,
	};
	probe_run_init(&run, l);
	ck_assert_int_eq(probe_run_start(&run, &t, on_done, &res), 0);
	for (int i = 0; i < 500 && !res.done; i++)
		loop_run_once(l, 20);
	ck_assert_msg(res.done, "no verdict in 10 s");
	while (waitpid(-1, NULL, 0) > 0)
		;
	loop_free(l);
	unit_free(u);
	return res;
}

#define PROBE(cmd) "exec = [ \"/bin/sleep\", \"30\" ];\n" \
	"health = { exec = [ " cmd " ]; timeout = \"8s\"; };\n"

START_TEST(test_exec_verdicts)
{
	struct result r = run_probe(PROBE("\"/bin/true\""), -1);

	ck_assert_msg(r.verdict == PROBE_OK, "%s", r.why);
	r = run_probe(PROBE("\"/bin/sh\", \"-c\", \"exit 3\""), -1);
	ck_assert_int_eq(r.verdict, PROBE_FAILED);
	ck_assert_str_eq(r.why, "exec exited 3");
}
END_TEST

/* The helper took the unit's last pid (pids.max - 1 before it): the
 * command's fork is refused. Not the service's failure, as at pids.max
 * itself, where the helper's own fork is refused (probe_run_start's
 * -EBUSY): the check is not run, and says so. */
START_TEST(test_fork_refused_not_run)
{
	struct result r;

	refuse_helper_fork = true;
	r = run_probe(PROBE("\"/bin/true\""), 7);
	ck_assert_msg(r.verdict == PROBE_NOT_RUN, "verdict %d: %s", r.verdict, r.why);
	ck_assert_str_eq(r.why, "exec: its cgroup refused the check's process (pids.max)");
	/* without a cgroup, a refused fork is the check's failure, as the
	 * helper's own is (probe_run_start) */
	r = run_probe(PROBE("\"/bin/true\""), -1);
	ck_assert_int_eq(r.verdict, PROBE_FAILED);
	ck_assert_str_eq(r.why, "exec: resource temporarily unavailable");
}
END_TEST

/* A unit whose nofile is below what the helper holds (its pipe, /dev/null,
 * the command's error pipe and its own alive pipe: fds 3 to 7): the
 * helper's fds are not the command's, which starts with 0-2 under the
 * unit's limit, as the service does (before, "exec: too many open files"
 * below ~10). */
START_TEST(test_small_nofile)
{
	struct result r;

	r = run_probe("rlimits = { nofile = 6; };\n"
		      PROBE("\"/bin/sh\", \"-c\", \"test $(ulimit -n) = 6 && test ! -e /proc/self/fd/3\""),
		      -1);
	ck_assert_msg(r.verdict == PROBE_OK, "verdict %d: %s", r.verdict, r.why);
	r = run_probe("rlimits = { nofile = 4; };\n" PROBE("\"/bin/true\""), -1);
	ck_assert_msg(r.verdict == PROBE_OK, "verdict %d: %s", r.verdict, r.why);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("exec");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_exec_verdicts);
	tcase_add_test(tc, test_fork_refused_not_run);
	tcase_add_test(tc, test_small_nofile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
