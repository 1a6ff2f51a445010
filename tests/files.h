/* files.h — files of the tests' own: DIR/NAME holding TEXT (a fake
 * cgroup file, a unit file, a pid file), and this test binary run again
 * with a copy of itself beside it as initd-loader (a test of PID 1's side
 * of a helper: the binary is the helper too). The test fails where one
 * cannot be made. */
#ifndef INITD_TESTS_FILES_H
#define INITD_TESTS_FILES_H

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/loader.h"

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

static inline void test_copy_self(const char *to)
{
	int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int dst = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n;

	ck_assert_int_ge(src, 0);
	ck_assert_int_ge(dst, 0);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(dst, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
	close(src);
	ck_assert_int_eq(close(dst), 0);
}

/* `COPY ARG` run to its end, COPY this binary copied into a directory of
 * its own beside it (wherever the tests could run it, a copy runs), with
 * a second copy there named initd-loader; both removed after. Its exit
 * status must be 0. */
static inline void test_run_self_with_loader(const char *arg)
{
	char dir[4096], self[4200], loader[4200], *slash;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 32);
	int status;
	pid_t pid;

	ck_assert_int_gt(n, 0);
	dir[n] = '\0';
	ck_assert_ptr_nonnull(slash = strrchr(dir, '/'));
	strcpy(slash, "/self.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(self, sizeof(self), "%s/test", dir);
	snprintf(loader, sizeof(loader), "%s/" LOADER_EXE_NAME, dir);
	test_copy_self(self);
	test_copy_self(loader);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(self, self, arg, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(self);
	unlink(loader);
	rmdir(dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s %s: %#x", self, arg,
		      status);
}

#endif
