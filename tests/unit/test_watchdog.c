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
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/boot.h"
#include "initd/loop.h"
#include "initd/watchdog.h"

/* ---- the fake device's ioctls -------------------------------------------------- */

static int keepalive_errno;       /* what WDIOC_KEEPALIVE fails with, 0: works */
static unsigned keepalives_tried;
static int options_errno;         /* what WDIOC_SETOPTIONS fails with, 0: works */
static unsigned cards_disabled;   /* WDIOS_DISABLECARD taken */

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
	case WDIOC_SETOPTIONS:
		if (options_errno) {
			errno = options_errno;
			return -1;
		}
		cards_disabled += *(int *)arg == WDIOS_DISABLECARD;
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


/* A reload that moves the watchdog to a path that is none (a typo): show-
 * system said "failed", and beside it the last pet and the pet count of
 * the device it had left ("last pet 3.7s ago (4 pets)"), as if this one
 * had been petted. What the status shows is the device's it names. */
START_TEST(pets_are_the_shown_devices)
{
	char path[64], notwd[] = "/tmp/test_watchdog.XXXXXX";
	struct unit_watchdog conf = { .device = path, .timeout_usec = 8 * USEC_PER_SEC,
				      .shutdown_timeout_usec = 10 * USEC_PER_SEC };
	struct unit_watchdog bad = conf;
	struct watchdog_status st;
	struct watchdog *w = NULL;
	struct loop *l = NULL;
	int master, fd = mkstemp(notwd);

	ck_assert_int_ge(fd, 0);
	close(fd);
	bad.device = notwd;
	fake_device(&master, path, sizeof(path));
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(watchdog_new(l, &w), 0);
	watchdog_apply(w, &conf);
	watchdog_get_status(w, &st);
	ck_assert_str_eq(watchdog_state_to_string(st.state), "armed");
	ck_assert_uint_eq(st.pets, 1);

	watchdog_apply(w, &bad);
	watchdog_get_status(w, &st);
	ck_assert_str_eq(watchdog_state_to_string(st.state), "failed");
	ck_assert_uint_eq(st.pets, 0);
	ck_assert_uint_eq(st.last_pet, 0);

	watchdog_free(w);
	loop_free(l);
	close(master);
	unlink(notwd);
}
END_TEST

/* What the fake device's master read within 5 s: a byte, 0 at the end
 * (every slave closed, nothing written), -1 for nothing. */
static int master_byte(int master)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	char c;

	if (poll(&p, 1, 5000) != 1)
		return -1;
	return read(master, &c, 1) == 1 ? (unsigned char)c : 0;
}

/* The crash path's disarm: the card disabled and the magic close, once;
 * a driver without WDIOC_SETOPTIONS still gets the 'V'; nothing once the
 * device is closed. */
START_TEST(crash_disarm_stops_the_card_once)
{
	char path[64];
	struct unit_watchdog conf = { .device = path, .timeout_usec = 30 * USEC_PER_SEC,
				      .shutdown_timeout_usec = 60 * USEC_PER_SEC };
	struct watchdog *w = NULL;
	struct loop *l = NULL;
	int master;

	fake_device(&master, path, sizeof(path));
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(watchdog_new(l, &w), 0);
	ck_assert_int_eq(watchdog_crash_disarm(), -ENODEV);   /* none open yet */
	watchdog_apply(w, &conf);
	ck_assert_int_eq(watchdog_crash_disarm(), 0);
	ck_assert_uint_eq(cards_disabled, 1);
	ck_assert_int_eq(master_byte(master), 'V');
	ck_assert_int_eq(watchdog_crash_disarm(), -ENODEV);   /* once */
	watchdog_free(w);

	options_errno = ENOTTY;
	ck_assert_int_eq(watchdog_new(l, &w), 0);
	watchdog_apply(w, &conf);
	ck_assert_int_eq(watchdog_crash_disarm(), 1);   /* the magic close alone */
	ck_assert_uint_eq(cards_disabled, 1);
	ck_assert_int_eq(master_byte(master), 'V');
	watchdog_free(w);
	ck_assert_int_eq(watchdog_crash_disarm(), -ENODEV);

	ck_assert_int_eq(watchdog_new(l, &w), 0);
	watchdog_apply(w, &conf);
	watchdog_free(w);          /* closed (disarmed) by the loop's side */
	ck_assert_int_eq(watchdog_crash_disarm(), -ENODEV);
	loop_free(l);
	close(master);
}
END_TEST

/* The crash action poweroff as PID 1 runs it: here PID 1 of a PID
 * namespace of its own, where reboot(2) ends that namespace alone, with a
 * mount namespace whose /dev/kmsg is /dev/null (the crash report stays off
 * the machine's log). Its exit status, or what it was killed with. */
static void crash_as_pid1(const char *device, int master)
{
	struct unit_watchdog conf = { .device = (char *)device, .timeout_usec = 30 * USEC_PER_SEC,
				      .shutdown_timeout_usec = 60 * USEC_PER_SEC };
	struct watchdog *w = NULL;
	struct loop *l = NULL;
	struct watchdog_status st;

	/* Not PID 1 of a namespace of its own: reboot(2) would reach the
	 * machine. */
	if (getpid() != 1)
		_exit(90);
	close(master);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("/dev/null", "/dev/kmsg", NULL, MS_BIND, NULL) < 0)
		_exit(91);
	if (loop_new(&l) < 0 || watchdog_new(l, &w) < 0)
		_exit(92);
	watchdog_apply(w, &conf);
	watchdog_get_status(w, &st);
	if (st.state != WATCHDOG_ARMED)
		_exit(93);
	boot_crash(CRASH_POWEROFF, "a test's crash");
}

/* A board that halts where it cannot power off must stay off: the crash
 * action poweroff disarms the watchdog first (WDIOS_DISABLECARD, and the
 * magic close), as a shutdown's poweroff does. The old code left it
 * running, and the watchdog reset the halted board: it booted again. */
START_TEST(crash_poweroff_disarms)
{
	char path[64];
	int master, status, byte;
	pid_t helper;

	fake_device(&master, path, sizeof(path));
	helper = fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {
		pid_t pid;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
			_exit(80);
		pid = fork();
		if (pid == 0)
			crash_as_pid1(path, master);
		close(master);
		if (pid < 0)
			_exit(81);
		/* One that froze (reboot(2) refused: no CAP_SYS_BOOT) is
		 * killed here, not left frozen for good when this one ends. */
		for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
			usleep(50 * 1000);
		if (waitpid(pid, &status, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			_exit(84);
		}
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 0);
	}
	byte = master_byte(master);
	ck_assert_int_eq(waitpid(helper, &status, 0), helper);
	/* What this machine cannot do, said (as test_net's do), not passed
	 * silently: no PID and mount namespace (not root?), no /dev/kmsg to
	 * keep the report from, reboot(2) refused (the crash froze). */
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 80 || WEXITSTATUS(status) == 91 ||
				  WEXITSTATUS(status) == 84)) {
		fprintf(stderr, "test_watchdog: SKIPPED crash_poweroff_disarms (%s)\n",
			WEXITSTATUS(status) == 80 ? "no PID and mount namespace for it: not root?" :
			WEXITSTATUS(status) == 91 ? "no /dev/kmsg to bind /dev/null over" :
			"reboot(2) refused in its namespace: no CAP_SYS_BOOT?");
		close(master);
		return;
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the crash in its namespace: status %#x", status);
	ck_assert_msg(byte == 'V', "the crash action poweroff left the watchdog armed "
		      "(the device got %d, not the magic close)", byte);
	close(master);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("watchdog");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);   /* past crash_poweroff_disarms' 10 s for a frozen crash */
	tcase_add_test(tc, a_refused_keepalive_is_shown);
	tcase_add_test(tc, pets_are_the_shown_devices);
	tcase_add_test(tc, crash_disarm_stops_the_card_once);
	tcase_add_test(tc, crash_poweroff_disarms);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
