/* fds.h — how many fds the calling process has open, for the tests that
 * check nothing kept one (unit tests and fuzz harnesses alike): the
 * entries of /proc/self/fd, "." and ".." and the listing's own fd among
 * them (the same in every count), or -1 without /proc. */
#ifndef INITD_TESTS_FDS_H
#define INITD_TESTS_FDS_H

#include <dirent.h>

static inline int test_fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif
