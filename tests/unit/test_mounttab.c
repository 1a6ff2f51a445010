/* test_mounttab.c — the mount points of a /proc/self/mounts text
 * (common/mounttab.h), as the shutdown's last unmount (initd/boot.c) reads
 * them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mounttab.h"

static void table(const char *text, struct mounttab *t)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(mounttab_read(f, t), 0);
	fclose(f);
}

START_TEST(targets_in_order)
{
	struct mounttab t;

	table("/dev/vda1 / ext4 rw,relatime 0 0\n"
	      "proc /proc proc rw,nosuid,nodev,noexec 0 0\n"
	      "tmpfs /run tmpfs rw,mode=755 0 0\n", &t);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_str_eq(t.targets[0], "/");
	ck_assert_str_eq(t.targets[1], "/proc");
	ck_assert_str_eq(t.targets[2], "/run");
	mounttab_free(&t);
	mounttab_free(&t);   /* an empty one too */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mounttab");
	TCase *tc = tcase_create("mounttab");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, targets_in_order);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
