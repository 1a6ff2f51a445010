/* test_pidfile.c — a forking daemon's pid file (initd/pidfile.h): what it
 * may hold, and what kind of file initd agrees to read, in a temporary
 * directory standing in for /run; and the pidfile paths a unit may name. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initd/pidfile.h"
#include "tests/files.h"
#include "units/unit.h"

static char dir[64];
static int dir_fd = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_pidfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir_fd, 0);
}

static void teardown(void)
{
	char cmd[128];

	close(dir_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int parse(const char *s, pid_t *pid)
{
	return pidfile_parse(s, strlen(s), pid);
}

START_TEST(parse_takes_one_decimal_pid)
{
	pid_t pid = 0;

	ck_assert_int_eq(parse("1234\n", &pid), 0);
	ck_assert_int_eq(pid, 1234);
	ck_assert_int_eq(parse("7", &pid), 0);
	ck_assert_int_eq(pid, 7);
	ck_assert_int_eq(parse("4194304\n", &pid), 0);
	ck_assert_int_eq(parse("", &pid), -ENODATA);
	ck_assert_int_eq(parse("\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("0\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("0123\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("-5\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("+5\n", &pid), -EINVAL);
	ck_assert_int_eq(parse(" 5\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("5 \n", &pid), -EINVAL);
	ck_assert_int_eq(parse("5\n\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("5\n6\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("12a\n", &pid), -EINVAL);
	ck_assert_int_eq(parse("4194305\n", &pid), -ERANGE);
	ck_assert_int_eq(parse("99999999999999999999999\n", &pid), -ERANGE);
	ck_assert_int_eq(pidfile_parse("12\0" "3", 4, &pid), -EINVAL);
}
END_TEST

START_TEST(read_a_regular_file)
{
	const char *why = "x";
	pid_t pid = 0;

	test_put_file(dir, "d.pid", "4321\n");
	ck_assert_int_eq(pidfile_read_at(dir_fd, "d.pid", &pid, &why), 0);
	ck_assert_int_eq(pid, 4321);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(mkdirat(dir_fd, "sub", 0755), 0);
	test_put_file(dir, "sub/e.pid", "77");
	ck_assert_int_eq(pidfile_read_at(dir_fd, "sub/e.pid", &pid, &why), 0);
	ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(absent_or_empty_is_not_yet)
{
	const char *why;
	pid_t pid;

	ck_assert_int_eq(pidfile_read_at(dir_fd, "none.pid", &pid, &why), -ENOENT);
	test_put_file(dir, "empty.pid", "");
	ck_assert_int_eq(pidfile_read_at(dir_fd, "empty.pid", &pid, &why), -ENODATA);
}
END_TEST

START_TEST(refuses_what_is_not_a_regular_file)
{
	const char *why;
	pid_t pid;

	test_put_file(dir, "real.pid", "1\n");
	ck_assert_int_eq(symlinkat("real.pid", dir_fd, "link.pid"), 0);
	ck_assert_int_eq(pidfile_read_at(dir_fd, "link.pid", &pid, &why), -ELOOP);
	ck_assert_str_eq(why, "is a symbolic link");
	ck_assert_int_eq(mkdirat(dir_fd, "realdir", 0755), 0);
	test_put_file(dir, "realdir/x.pid", "1\n");
	ck_assert_int_eq(symlinkat("realdir", dir_fd, "linkdir"), 0);
	ck_assert_int_eq(pidfile_read_at(dir_fd, "linkdir/x.pid", &pid, &why), -ELOOP);
	ck_assert_str_eq(why, "a component is a symbolic link");
	ck_assert_int_eq(mkfifoat(dir_fd, "fifo.pid", 0644), 0);
	ck_assert_int_eq(pidfile_read_at(dir_fd, "fifo.pid", &pid, &why), -EINVAL);
	ck_assert_str_eq(why, "is a FIFO");   /* and it did not block */
	ck_assert_int_eq(pidfile_read_at(dir_fd, "realdir", &pid, &why), -EINVAL);
	ck_assert_str_eq(why, "is a directory");
	ck_assert_int_eq(pidfile_read_at(dir_fd, "../etc/passwd", &pid, &why), -EXDEV);
}
END_TEST

START_TEST(refuses_a_large_or_garbled_file)
{
	char big[100];
	const char *why;
	pid_t pid;

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	test_put_file(dir, "big.pid", big);
	ck_assert_int_eq(pidfile_read_at(dir_fd, "big.pid", &pid, &why), -EFBIG);
	ck_assert_str_eq(why, "is larger than 32 bytes");
	test_put_file(dir, "bad.pid", "pid=12\n");
	ck_assert_int_eq(pidfile_read_at(dir_fd, "bad.pid", &pid, &why), -EINVAL);
	ck_assert_str_eq(why, "does not hold one decimal pid");
}
END_TEST

START_TEST(pidfile_paths_a_unit_may_name)
{
	ck_assert(unit_pidfile_valid("/run/redis.pid"));
	ck_assert(unit_pidfile_valid("/run/redis/redis-server.pid"));
	ck_assert(!unit_pidfile_valid("/var/run/redis.pid"));
	ck_assert(!unit_pidfile_valid("/run/"));
	ck_assert(!unit_pidfile_valid("/run"));
	ck_assert(!unit_pidfile_valid("/run//x.pid"));
	ck_assert(!unit_pidfile_valid("/run/x/"));
	ck_assert(!unit_pidfile_valid("/run/../etc/passwd"));
	ck_assert(!unit_pidfile_valid("/run/./x.pid"));
	ck_assert(!unit_pidfile_valid("/run/a/../x.pid"));
	ck_assert(!unit_pidfile_valid("/runx/y.pid"));
	ck_assert(!unit_pidfile_valid("run/x.pid"));
	ck_assert(!unit_pidfile_valid(NULL));
}
END_TEST

/* pidfile_read refuses a path outside /run before touching anything. */
START_TEST(read_refuses_a_path_outside_run)
{
	const char *why;
	pid_t pid;

	ck_assert_int_eq(pidfile_read("/etc/hostname", &pid, &why), -EINVAL);
	ck_assert_str_eq(why, "is not a path below /run/");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pidfile");
	TCase *tc = tcase_create("pidfile");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_takes_one_decimal_pid);
	tcase_add_test(tc, read_a_regular_file);
	tcase_add_test(tc, absent_or_empty_is_not_yet);
	tcase_add_test(tc, refuses_what_is_not_a_regular_file);
	tcase_add_test(tc, refuses_a_large_or_garbled_file);
	tcase_add_test(tc, pidfile_paths_a_unit_may_name);
	tcase_add_test(tc, read_refuses_a_path_outside_run);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
