/* files.h — a file of the tests' own, written whole: DIR/NAME holding
 * TEXT (a fake cgroup file, a unit file, a pid file). The test fails
 * where it cannot be written. */
#ifndef INITD_TESTS_FILES_H
#define INITD_TESTS_FILES_H

#include <check.h>
#include <stdio.h>

static inline void test_put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

#endif
