/* test_watchdog.c — initd/watchdog.c against a fake device: a pty's
 * slave (a character device whose writes its master reads back, so the
 * magic close's 'V' shows) whose WDIOC_* ioctls this test answers
 * (-Wl,--wrap=ioctl, tests/tests.mk). The real driver is proven in the
 * VM (tests/vm/watchdog.sh). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loop.h"
#include "initd/watchdog.h"

/* ---- the fake device's ioctls -------------------------------------------------- */

static int keepalive_errno;       /* what WDIOC_KEEPALIVE fails with, 0: works */
static unsigned keepalives_tried;

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

/* WDIOC_* are the watchdog's alone: nothing else here asks them. */
int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case WDIOC_SETTIMEOUT:     /* takes what is asked */
	case WDIOC_GETTIMEOUT:
		return 0;
	case WDIOC_KEEPALIVE:
		keepalives_tried++;
		if (keepalive_errno) {
			errno = keepalive_errno;
			return -1;
		}
		return 0;
	default:
		return __real_ioctl(fd, request, arg);
	}
}

/* A pty whose slave is the "watchdog": its master in *ret_master, the
 * slave's path in path. */
static void fake_device(int *ret_master, char *path, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(grantpt(m), 0);
	ck_assert_int_eq(unlockpt(m), 0);
	ck_assert_int_eq(ptsname_r(m, path, size), 0);
	*ret_master = m;
}

static void run_until_tried(struct loop *l, unsigned n)
{
	for (int i = 0; i < 200 && keepalives_tried < n; i++)
		loop_run_once(l, 10);
	ck_assert_uint_ge(keepalives_tried, n);
}

/* A keepalive the driver refuses leaves the hardware counting down: the
 * machine resets at the timeout. show-system says so (its state and the
 * error), where the old code went on showing it armed, its last pet
 * getting older, and said it only once in the log; a pet that works again
 * makes it armed again. */
START_TEST(a_refused_keepalive_is_shown)
{
	char path[64];
	struct unit_watchdog conf = { .device = path, .timeout_usec = 1 * USEC_PER_SEC,
				      .shutdown_timeout_usec = 10 * USEC_PER_SEC };
	struct watchdog_status st;
	struct watchdog *w = NULL;
	struct loop *l = NULL;
	int master;

	fake_device(&master, path, sizeof(path));
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(watchdog_new(l, &w), 0);
	watchdog_apply(w, &conf);
	watchdog_get_status(w, &st);
	ck_assert_str_eq(watchdog_state_to_string(st.state), "armed");
	ck_assert_uint_eq(st.pets, 1);

	keepalive_errno = EIO;
	run_until_tried(l, keepalives_tried + 1);
	watchdog_get_status(w, &st);
	ck_assert_msg(st.state != WATCHDOG_ARMED, "a watchdog whose keepalive fails shows as %s",
		      watchdog_state_to_string(st.state));
	ck_assert_str_eq(watchdog_state_to_string(st.state), "failing");
	ck_assert_ptr_nonnull(strstr(st.error, "keepalive: Input/output error"));
	ck_assert_uint_eq(st.pets, 1);

	/* the loop goes on trying: one that works again is armed again */
	keepalive_errno = 0;
	run_until_tried(l, keepalives_tried + 1);
	watchdog_get_status(w, &st);
	ck_assert_str_eq(watchdog_state_to_string(st.state), "armed");
	ck_assert_str_eq(st.error, "");
	ck_assert_uint_eq(st.pets, 2);

	watchdog_free(w);
	loop_free(l);
	close(master);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("watchdog");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, a_refused_keepalive_is_shown);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
