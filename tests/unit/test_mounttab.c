/* test_mounttab.c — the mount points of a /proc/self/mounts text
 * (common/mounttab.h), as the shutdown's last unmount (initd/boot.c) reads
 * them: all of them, in order, decoded. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>

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

/* The kernel writes a blank, a tab, a newline and a backslash in a path
 * as octal escapes: umount2 wants the path itself. */
START_TEST(targets_decoded)
{
	struct mounttab t;
	char out[8];

	table("/dev/sdb1 /media/USB\\040Stick vfat rw 0 0\n"
	      "tmpfs /run/a\\011b\\012c\\134d tmpfs rw 0 0\n"
	      "tmpfs /run/not\\08escape tmpfs rw 0 0\n", &t);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_str_eq(t.targets[0], "/media/USB Stick");
	ck_assert_str_eq(t.targets[1], "/run/a\tb\nc\\d");
	ck_assert_str_eq(t.targets[2], "/run/not\\08escape");   /* 8 is not octal */
	mounttab_free(&t);

	ck_assert_int_eq(mounttab_unescape("a\\040", 5, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a ");
	ck_assert_int_eq(mounttab_unescape("a\\04", 4, out, sizeof(out)), 0);   /* cut short */
	ck_assert_str_eq(out, "a\\04");
	ck_assert_int_eq(mounttab_unescape("12345678", 8, out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_int_eq(mounttab_unescape("1234567", 7, out, sizeof(out)), 0);
}
END_TEST

/* More mounts than the 64 the old reader kept, and a long target. */
START_TEST(targets_all_of_them)
{
	enum { N = 1000 };
	size_t size = N * 64 + 8192, len = 0;
	char *text = malloc(size), longpath[1200];
	struct mounttab t;

	ck_assert_ptr_nonnull(text);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, size - len, "tmpfs /run/m%d tmpfs rw 0 0\n", i);
	snprintf(text + len, size - len, "tmpfs %s tmpfs rw 0 0\n", longpath);
	table(text, &t);
	ck_assert_uint_eq(t.n, N + 1);
	ck_assert_str_eq(t.targets[N - 1], "/run/m999");
	ck_assert_str_eq(t.targets[N], longpath);
	mounttab_free(&t);
	free(text);
}
END_TEST

/* The reader's allocations (-Wl,--wrap, tests/tests.mk): the one
 * numbered alloc_fail_at (from 0) fails; -1: none. */
static long alloc_fail_at = -1, allocs;

static bool alloc_fails(void)
{
	return alloc_fail_at >= 0 && allocs++ == alloc_fail_at;
}

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	if (alloc_fails()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, size);
}

char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
	if (alloc_fails()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

/* Out of memory at each of the reader's allocations in turn (the array's
 * first allocation and its growth past 64, each target's copy): -ENOMEM,
 * with the targets read until then, in order, and nothing else (at
 * shutdown those are still worth unmounting); nothing leaks (ASan). */
START_TEST(out_of_memory_keeps_what_was_read)
{
	enum { N = 70 };
	char text[N * 40], want[32];
	size_t len = 0;
	long failures = 0;
	struct mounttab t;
	int r;

	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"tmpfs /run/m%02d tmpfs rw 0 0\n", i);
	for (alloc_fail_at = 0;; alloc_fail_at++) {
		FILE *f = fmemopen(text, len, "r");

		ck_assert_ptr_nonnull(f);
		allocs = 0;
		r = mounttab_read(f, &t);
		fclose(f);
		for (size_t i = 0; i < t.n; i++) {
			snprintf(want, sizeof(want), "/run/m%02zu", i);
			ck_assert_str_eq(t.targets[i], want);
		}
		if (r == 0) {
			ck_assert_uint_eq(t.n, N);
			mounttab_free(&t);
			break;
		}
		ck_assert_int_eq(r, -ENOMEM);
		ck_assert_uint_lt(t.n, N);
		failures++;
		mounttab_free(&t);
		ck_assert_ptr_null(t.targets);
	}
	alloc_fail_at = -1;
	/* every one failed once: N copies, the array and its growth */
	ck_assert_int_eq(failures, N + 2);
}
END_TEST

/* A table whose read fails (getline's own buffer out of memory, the
 * kernel's seq_file out of it) after its first line. */
static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
	static const char first[] = "/dev/vda1 / ext4 rw 0 0\n";
	int *calls = cookie;

	if ((*calls)++ == 0 && size >= sizeof(first) - 1) {
		memcpy(buf, first, sizeof(first) - 1);
		return (ssize_t)sizeof(first) - 1;
	}
	errno = ENOMEM;
	return -1;
}

/* A read that fails is not the end of the table: the caller hears
 * -ENOMEM (as documented), with what was read, not 0 as if the table
 * held only that. */
START_TEST(failed_read_is_not_the_end)
{
	cookie_io_functions_t io = { .read = failing_read };
	struct mounttab t;
	int calls = 0;
	FILE *f = fopencookie(&calls, "r", io);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(mounttab_read(f, &t), -ENOMEM);
	fclose(f);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_str_eq(t.targets[0], "/");
	mounttab_free(&t);
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__)
/* A line that never ends: getline's own buffer grows until it cannot. */
static ssize_t endless_read(void *cookie, char *buf, size_t size)
{
	static const char first[] = "/dev/vda1 / ext4 rw 0 0\n";
	int *calls = cookie;

	if ((*calls)++ == 0 && size >= sizeof(first) - 1) {
		memcpy(buf, first, sizeof(first) - 1);
		return (ssize_t)sizeof(first) - 1;
	}
	memset(buf, 'x', size);
	return (ssize_t)size;
}
#endif

/* getline's own allocation failing: before glibc 2.37 (BZ #29917) it sets
 * no error flag on the stream, only errno; the old check read ferror()
 * alone and took that for the table's end. The address space is bounded
 * in the test's own process (Check forks each test); ASan's shadow needs
 * more than the bound. */
START_TEST(getline_out_of_memory_is_not_the_end)
{
#if defined(__SANITIZE_ADDRESS__)
	fprintf(stderr, "test_mounttab: SKIPPED %s (ASan: no address space bound)\n", __func__);
#else
	cookie_io_functions_t io = { .read = endless_read };
	struct rlimit as = { 256UL << 20, 256UL << 20 };
	struct mounttab t;
	int calls = 0;
	FILE *f = fopencookie(&calls, "r", io);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &as), 0);
	ck_assert_int_eq(mounttab_read(f, &t), -ENOMEM);
	fclose(f);
	ck_assert_uint_eq(t.n, 1);
	mounttab_free(&t);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mounttab");
	TCase *tc = tcase_create("mounttab");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, targets_in_order);
	tcase_add_test(tc, targets_decoded);
	tcase_add_test(tc, targets_all_of_them);
	tcase_add_test(tc, out_of_memory_keeps_what_was_read);
	tcase_add_test(tc, failed_read_is_not_the_end);
	tcase_add_test(tc, getline_out_of_memory_is_not_the_end);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
