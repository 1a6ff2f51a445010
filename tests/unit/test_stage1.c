/* test_stage1.c — what a disk image's stage 1 reads (common/stage1_args.h):
 * its words on the kernel command line, its list of modules. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stage1_args.h"

#define GUID "8e1c0b7a-5d1f-4c55-9a1e-1d15c0000001"

static char err[160];

static int parse(const char *text, struct stage1_args *a)
{
	err[0] = '\0';
	return stage1_args_parse(text, a, err, sizeof(err));
}

START_TEST(args_plain)
{
	struct stage1_args a;

	ck_assert_int_eq(parse("console=ttyS0 initd.root=PARTUUID=" GUID " quiet\n", &a), 0);
	ck_assert_str_eq(a.root, GUID);
	ck_assert_str_eq(a.fstype, "squashfs");
	ck_assert_uint_eq(a.rootwait, STAGE1_ROOTWAIT_DEFAULT);

	ck_assert_int_eq(parse("initd.rootwait=5 initd.rootfstype=ext4 initd.root=PARTUUID="
			       GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "ext4");
	ck_assert_uint_eq(a.rootwait, 5);

	ck_assert_int_eq(parse("initd.rootwait=100000 initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_uint_eq(a.rootwait, STAGE1_ROOTWAIT_MAX);   /* bounded, as documented */

	ck_assert_int_eq(parse("console=ttyS0", &a), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no initd.root"));
}
END_TEST

/* Quotes are the kernel's grouping, not part of a value (as initd reads
 * its own words, initd/cmdline.c). */
START_TEST(args_quotes_dropped)
{
	struct stage1_args a;

	ck_assert_int_eq(parse("initd.rootfstype=\"ext4\" initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "ext4");
	ck_assert_int_eq(parse("\"initd.root=PARTUUID=" GUID "\" initd.rootwait=\"7\"", &a), 0);
	ck_assert_str_eq(a.root, GUID);
	ck_assert_uint_eq(a.rootwait, 7);
	/* a quoted blank is inside one word: not a word of ours */
	ck_assert_int_eq(parse("foo=\"x initd.rootfstype=vfat\" initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "squashfs");
}
END_TEST

/* A value that cannot be taken as given is an error, not a default. */
START_TEST(args_bad_values_fail)
{
	static const char *const bad[] = {
		"initd.rootwait=abc", "initd.rootwait=2min", "initd.rootwait=", "initd.rootwait",
		"initd.rootwait=-1", "initd.rootfstype=", "initd.rootfstype",
		"initd.rootfstype=0123456789abcdef0123456789abcdef",   /* 32 > 31 */
		"initd.root=/dev/vda1", "initd.root=PARTUUID=",
		"initd.root=PARTUUID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",   /* 64 > 63 */
	};
	struct stage1_args a;
	char text[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "initd.root=PARTUUID=%s %s", GUID, bad[i]);
		ck_assert_msg(parse(text, &a) == -EINVAL, "%s: accepted", bad[i]);
		ck_assert_msg(err[0], "%s: no message", bad[i]);
	}
	ck_assert_int_eq(parse("initd.rootfstype=0123456789abcdef0123456789abcde "
			       "initd.root=PARTUUID=" GUID, &a), 0);   /* 31 fits */
	ck_assert_str_eq(a.fstype, "0123456789abcdef0123456789abcde");
}
END_TEST

/* The names of a modules file's text; its count, or -errno. */
static char names[STAGE1_MODULES_MAX][STAGE1_MODULE_NAME_MAX + 1];

static int modules(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t n = 0;
	int r;

	ck_assert_ptr_nonnull(f);
	err[0] = '\0';
	r = stage1_modules_read(f, names, &n, err, sizeof(err));
	fclose(f);
	return r < 0 ? r : (int)n;
}

START_TEST(modules_plain)
{
	ck_assert_int_eq(modules("# the disk\nvirtio_blk\n\nsquashfs\n"), 2);
	ck_assert_str_eq(names[0], "virtio_blk");
	ck_assert_str_eq(names[1], "squashfs");
	ck_assert_int_eq(modules("loop"), 1);   /* a last line without '\n' counts */
	ck_assert_str_eq(names[0], "loop");
}
END_TEST

/* Comments and blank lines do not count against the bound: 64 names
 * after 10 comments are all read; a 65th is an error, not dropped. */
START_TEST(modules_counted_not_lines)
{
	char text[4096] = "";
	size_t len = 0;

	for (int i = 0; i < 10; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "# comment %d\n\n", i);
	for (int i = 0; i < STAGE1_MODULES_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "mod%d\n", i);
	ck_assert_int_eq(modules(text), STAGE1_MODULES_MAX);
	ck_assert_str_eq(names[STAGE1_MODULES_MAX - 1], "mod63");
	snprintf(text + len, sizeof(text) - len, "one_too_many\n");
	ck_assert_int_eq(modules(text), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 modules"));
}
END_TEST

/* A line longer than a name may be is an error, not two names. */
START_TEST(modules_long_line_is_an_error)
{
	char text[512];
	size_t len;

	memset(text, 'a', STAGE1_MODULE_NAME_MAX);   /* exactly fits */
	strcpy(text + STAGE1_MODULE_NAME_MAX, "\nb\n");
	ck_assert_int_eq(modules(text), 2);
	ck_assert_uint_eq(strlen(names[0]), STAGE1_MODULE_NAME_MAX);
	ck_assert_str_eq(names[1], "b");
	text[STAGE1_MODULE_NAME_MAX] = '\0';        /* and at the end, without '\n' */
	ck_assert_int_eq(modules(text), 1);

	strcpy(text, "virtio_blk\n");
	memset(text + 11, 'x', 200);
	strcpy(text + 211, "loop\n");
	ck_assert_int_eq(modules(text), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(err, "line 2: longer than 127 bytes"));

	/* a comment may be as long as it likes: it names no module */
	strcpy(text, "# ");
	memset(text + 2, 'x', 300);
	strcpy(text + 302, "\nloop\n# and a last one, no newline: ");
	len = strlen(text);
	memset(text + len, 'y', 150);
	text[len + 150] = '\0';
	ck_assert_int_eq(modules(text), 1);
	ck_assert_str_eq(names[0], "loop");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stage1");
	TCase *tc = tcase_create("stage1");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, args_plain);
	tcase_add_test(tc, args_quotes_dropped);
	tcase_add_test(tc, args_bad_values_fail);
	tcase_add_test(tc, modules_plain);
	tcase_add_test(tc, modules_counted_not_lines);
	tcase_add_test(tc, modules_long_line_is_an_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
