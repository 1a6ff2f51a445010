/* test_nofork.c — PID 1's memory that no forked child gets: the classes,
 * reuse, large blocks, and (the point) the kernel's view in a child. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/nofork.h"

START_TEST(sizes_round_up_to_their_class)
{
	ck_assert_uint_eq(nofork_block_size(0), 0);
	ck_assert_uint_eq(nofork_block_size(1), 64);
	ck_assert_uint_eq(nofork_block_size(64), 64);
	ck_assert_uint_eq(nofork_block_size(65), 128);
	ck_assert_uint_eq(nofork_block_size(432), 448);
	ck_assert_uint_eq(nofork_block_size(1024), 1024);
	ck_assert_uint_eq(nofork_block_size(1025), 2048);
	ck_assert_uint_eq(nofork_block_size(2048), 2048);
	if (sysconf(_SC_PAGESIZE) == 4096) {   /* a mapping: whole pages */
		ck_assert_uint_eq(nofork_block_size(2049), 4096);
		ck_assert_uint_eq(nofork_block_size(65536), 65536);
		ck_assert_uint_eq(nofork_block_size(65537), 65536 + 4096);
	}
	ck_assert_uint_eq(nofork_block_size(SIZE_MAX - 10), SIZE_MAX);
}
END_TEST

#ifndef NOFORK_SANITIZED
START_TEST(a_freed_block_comes_back_zeroed)
{
	struct nofork_stats before, st;
	char *p, *q;

	nofork_stats(&before);
	p = nofork_alloc(432);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 432; i++)
		ck_assert_int_eq(p[i], 0);
	memset(p, 0xa5, 432);
	nofork_free(p, 432);
	nofork_stats(&st);
	ck_assert_uint_eq(st.in_use, before.in_use);
	ck_assert_uint_eq(st.free - before.free, 448);
	q = nofork_alloc(440);   /* the same class */
	ck_assert_ptr_eq(q, p);
	for (size_t i = 0; i < 448; i++)
		ck_assert_int_eq(q[i], 0);
	nofork_stats(&st);
	ck_assert_uint_eq(st.in_use - before.in_use, 448);
	ck_assert_uint_eq(st.free, before.free);
	nofork_free(q, 440);
}
END_TEST

START_TEST(a_large_block_is_a_mapping_of_its_own)
{
	struct nofork_stats before, st;
	char *p;

	nofork_stats(&before);
	p = nofork_alloc(100000);
	ck_assert_ptr_nonnull(p);
	p[99999] = 1;
	nofork_stats(&st);
	ck_assert_uint_eq(st.mapped - before.mapped, nofork_block_size(100000));
	ck_assert_uint_eq(st.in_use - before.in_use, nofork_block_size(100000));
	ck_assert_uint_ge(nofork_block_size(100000), 100000);
	nofork_free(p, 100000);
	nofork_stats(&st);
	ck_assert_uint_eq(st.mapped, before.mapped);
	ck_assert_uint_eq(st.in_use, before.in_use);
	ck_assert_ptr_null(nofork_alloc(SIZE_MAX - 10));
}
END_TEST
#endif

START_TEST(realloc_keeps_the_bytes)
{
	char *p = nofork_alloc(256), *q;

	ck_assert_ptr_nonnull(p);
	memset(p, 'x', 256);
	q = nofork_realloc(p, 256, 512);
	ck_assert_ptr_nonnull(q);
	for (size_t i = 0; i < 256; i++)
		ck_assert_int_eq(q[i], 'x');
	p = nofork_realloc(q, 512, 8192);      /* a class to a mapping */
	ck_assert_ptr_nonnull(p);
	memset(p + 256, 'y', 8192 - 256);
	q = nofork_realloc(p, 8192, 100000);   /* a mapping grown */
	ck_assert_ptr_nonnull(q);
	for (size_t i = 0; i < 8192; i++)
		ck_assert_int_eq(q[i], i < 256 ? 'x' : 'y');
	ck_assert_int_eq(q[99999], 0);
	nofork_free(q, 100000);
}
END_TEST

#ifndef NOFORK_SANITIZED
/* Whether this process has [p, p+1) mapped, asked of the kernel: a write()
 * into a pipe copies the byte, and from an address not mapped fails with
 * EFAULT (not /dev/null: its write reads nothing). The pipe is drained. */
static int readable(const int *pipe_fds, const void *p)
{
	char c;
	int r = write(pipe_fds[1], p, 1) == 1 ? 1 : errno == EFAULT ? 0 : -errno;

	if (r == 1 && read(pipe_fds[0], &c, 1) != 1)
		r = -EIO;
	return r;
}

START_TEST(a_forked_child_has_none_of_it)
{
	char *small = nofork_alloc(432), *large = nofork_alloc(20000), *heap = malloc(432);
	int fd[2], status;
	pid_t pid;

	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(large);
	ck_assert_ptr_nonnull(heap);
	ck_assert_int_eq(pipe2(fd, O_CLOEXEC), 0);
	memset(small, 1, 432);
	memset(large, 1, 20000);
	large = nofork_realloc(large, 20000, 200000);   /* grown by mremap (moved or not) */
	ck_assert_ptr_nonnull(large);
	memset(heap, 1, 432);
	ck_assert_int_eq(readable(fd, small), 1);
	ck_assert_int_eq(readable(fd, large), 1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit((readable(fd, small) == 0 ? 0 : 1) | (readable(fd, large + 199999) == 0 ? 0 : 2) |
		      (readable(fd, heap) == 1 ? 0 : 4));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(readable(fd, small), 1);   /* still ours */
	ck_assert_int_eq(readable(fd, large + 199999), 1);
	nofork_free(small, 432);
	nofork_free(large, 200000);
	close(fd[0]);
	close(fd[1]);
	free(heap);
}
END_TEST
#endif

int main(void)
{
	Suite *s = suite_create("nofork");
	TCase *tc = tcase_create("blocks");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sizes_round_up_to_their_class);
	tcase_add_test(tc, realloc_keeps_the_bytes);
#ifndef NOFORK_SANITIZED
	/* Under ASan the blocks are malloc's (nofork.h): what a fork gets
	 * and how the pool reuses blocks are tested in the other builds. */
	tcase_add_test(tc, a_freed_block_comes_back_zeroed);
	tcase_add_test(tc, a_large_block_is_a_mapping_of_its_own);
	tcase_add_test(tc, a_forked_child_has_none_of_it);
#endif
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
