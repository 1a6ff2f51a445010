/* test_kmod.c — kmod_builtin (common/kmod.h): a module the kernel builds in
 * is named by modules.builtin; '-' and '_' are the same in module names;
 * a path's directories and an over-long line never make a match. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/kmod.h"

static int builtin_file(const char *text)
{
	FILE *f = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static bool builtin(const char *text, const char *name)
{
	int fd = builtin_file(text);
	bool r = kmod_builtin(fd, name);

	close(fd);
	return r;
}

static const char tree[] =
	"kernel/drivers/virtio/virtio.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/watchdog/watchdog.ko\n"
	"kernel/fs/nls/nls-base.ko\n"
	"kernel/lib/crc32c.ko";   /* a last line without '\n' counts */

START_TEST(listed_modules_are_builtin)
{
	ck_assert(builtin(tree, "virtio"));
	ck_assert(builtin(tree, "virtio_ring"));
	ck_assert(builtin(tree, "watchdog"));
	ck_assert(builtin(tree, "crc32c"));
}
END_TEST

START_TEST(dash_and_underscore_are_the_same)
{
	ck_assert(builtin(tree, "nls_base"));
	ck_assert(builtin(tree, "virtio-ring"));
}
END_TEST

START_TEST(others_are_not)
{
	ck_assert(!builtin(tree, "virtio_blk"));
	ck_assert(!builtin(tree, "virt"));          /* a prefix is not the name */
	ck_assert(!builtin(tree, "drivers"));       /* nor is a directory */
	ck_assert(!builtin(tree, "virtio.ko"));
	ck_assert(!builtin(tree, ""));
	ck_assert(!builtin("", "virtio"));
	ck_assert(!kmod_builtin(-1, "virtio"));
}
END_TEST

START_TEST(an_overlong_line_is_skipped_whole)
{
	size_t n = KMOD_LINE_MAX * 3;
	char *text = malloc(n + 64);

	ck_assert_ptr_nonnull(text);
	memset(text, 'a', n);
	/* the tail of the long line looks like an entry: it must not match */
	strcpy(text + n - 12, "/virtio.ko\nkernel/x/ok.ko\n");
	ck_assert(!builtin(text, "virtio"));
	ck_assert(builtin(text, "ok"));
	free(text);
}
END_TEST

/* A directory entry NAME.ko (initd/boot.c's and imagecheck's search). */
START_TEST(file_names_the_module)
{
	ck_assert(kmod_file_names("i2c-dev.ko", "i2c_dev"));
	ck_assert(kmod_file_names("dm_mod.ko", "dm-mod"));
	ck_assert(kmod_file_names("squashfs.ko", "squashfs"));
	ck_assert(!kmod_file_names("squashfs.ko", "squash"));
	ck_assert(!kmod_file_names("squashfs.ko.xz", "squashfs"));
	ck_assert(!kmod_file_names("squashfs", "squashfs"));
	ck_assert(!kmod_file_names(".ko", ""));
	ck_assert(kmod_name_eq("nls-base.ko", 8, "nls_base"));
	ck_assert(!kmod_name_eq("nls-base", 3, "nls_base"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmod");
	TCase *tc = tcase_create("builtin");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, listed_modules_are_builtin);
	tcase_add_test(tc, dash_and_underscore_are_the_same);
	tcase_add_test(tc, others_are_not);
	tcase_add_test(tc, an_overlong_line_is_skipped_whole);
	tcase_add_test(tc, file_names_the_module);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
