/* test_loop.c — loop_waited_on (loop.h): an urgent watch with input (or
 * room for the output it asks for), a hang-up, an urgent signal pending
 * or a timer due says someone waits; a plain watch with input, a watch not
 * asking for input, a deleted or closed one, another signal and a timer
 * not yet due do not; the notify socket is urgent (the control socket:
 * test_control).
 * manager_pass.c ends a slice of spawns on it. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loop.h"
#include "initd/notify.h"

static struct loop *loop;
static int urgent[2], plain[2];
static struct loop_watch uw, pw;

/* The pipes' watches: the tests ask loop_waited_on only, and the one
 * that runs an iteration (the notify socket's) leaves the pipes quiet. */
static void never(struct loop *l, int fd, uint32_t events, void *data)
{
	ck_abort_msg("a pipe's watch ran: no test makes it ready in an iteration");
}

static void setup(void)
{
	ck_assert_int_eq(loop_new(&loop), 0);
	ck_assert_int_eq(pipe2(urgent, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(plain, O_CLOEXEC | O_NONBLOCK), 0);
	uw = (struct loop_watch){ .fd = urgent[0], .fn = never };
	pw = (struct loop_watch){ .fd = plain[0], .fn = never };
	ck_assert_int_eq(loop_watch_add_urgent(loop, &uw, EPOLLIN), 0);
	ck_assert_int_eq(loop_watch_add(loop, &pw, EPOLLIN), 0);
}

static void teardown(void)
{
	loop_watch_del(loop, &uw);
	loop_watch_del(loop, &pw);
	loop_free(loop);
	for (int i = 0; i < 2; i++) {
		safe_close(urgent[i]);
		safe_close(plain[i]);
	}
}

static void put_byte(int fd)
{
	ck_assert_int_eq(write(fd, "x", 1), 1);
}

static void take_byte(int fd)
{
	char c;

	ck_assert_int_eq(read(fd, &c, 1), 1);
}

START_TEST(input_on_an_urgent_watch_only)
{
	ck_assert(!loop_waited_on(loop));
	put_byte(plain[1]);
	ck_assert(!loop_waited_on(loop));
	put_byte(urgent[1]);
	ck_assert(loop_waited_on(loop));
	take_byte(urgent[0]);
	ck_assert(!loop_waited_on(loop));
}
END_TEST

/* Its owner stopped reading it (control.c's backpressure, an accept
 * paused): input it does not take waits for nobody. */
START_TEST(a_watch_without_input_events)
{
	put_byte(urgent[1]);
	ck_assert_int_eq(loop_watch_mod(loop, &uw, 0), 0);
	ck_assert(!loop_waited_on(loop));
	ck_assert_int_eq(loop_watch_mod(loop, &uw, EPOLLIN), 0);
	ck_assert(loop_waited_on(loop));
}
END_TEST

/* A client gone is someone to serve: its end is read in the loop. */
START_TEST(a_hang_up)
{
	urgent[1] = safe_close(urgent[1]);
	ck_assert(loop_waited_on(loop));
}
END_TEST

START_TEST(a_deleted_watch_is_forgotten)
{
	struct loop_watch more[20];
	int p[20][2];

	/* more than the first allocation, deleted from the middle */
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(pipe2(p[i], O_CLOEXEC | O_NONBLOCK), 0);
		more[i] = (struct loop_watch){ .fd = p[i][0], .fn = never };
		ck_assert_int_eq(loop_watch_add_urgent(loop, &more[i], EPOLLIN), 0);
	}
	put_byte(p[7][1]);
	ck_assert(loop_waited_on(loop));
	loop_watch_del(loop, &more[7]);
	ck_assert(!loop_waited_on(loop));
	put_byte(p[19][1]);   /* moved into the deleted one's place */
	ck_assert(loop_waited_on(loop));
	take_byte(p[19][0]);
	put_byte(urgent[1]);
	ck_assert(loop_waited_on(loop));
	loop_watch_del(loop, &uw);
	ck_assert(!loop_waited_on(loop));
	for (int i = 0; i < 20; i++) {
		if (i != 7)
			loop_watch_del(loop, &more[i]);
		close(p[i][0]);
		close(p[i][1]);
	}
}
END_TEST

static void fired(struct loop *l, void *data)
{
}

START_TEST(a_timer_due)
{
	struct loop_timer t;

	loop_timer_init(&t, fired, NULL);
	ck_assert_int_eq(loop_timer_arm(loop, &t, now_usec() + 60 * USEC_PER_SEC), 0);
	ck_assert(!loop_waited_on(loop));
	ck_assert_int_eq(loop_timer_arm(loop, &t, now_usec()), 0);
	ck_assert(loop_waited_on(loop));
	loop_timer_cancel(loop, &t);
	ck_assert(!loop_waited_on(loop));
}
END_TEST

/* An urgent watch asking for output: ready once there is room (a big
 * reply to go on with); closed through loop_watch_close, forgotten. */
START_TEST(output_room_and_a_closed_watch)
{
	struct loop_watch out = { .fd = dup(plain[1]), .fn = never };

	ck_assert_int_ge(out.fd, 0);
	ck_assert_int_eq(loop_watch_add_urgent(loop, &out, 0), 0);
	ck_assert(!loop_waited_on(loop));
	ck_assert_int_eq(loop_watch_mod(loop, &out, EPOLLOUT), 0);
	ck_assert(loop_waited_on(loop));
	loop_watch_close(loop, &out);
	ck_assert_int_eq(out.fd, -1);
	ck_assert(!loop_waited_on(loop));
}
END_TEST

/* A signal the loop reads through a signalfd stays pending, blocked,
 * until read: one of the urgent ones is someone waiting (a shutdown
 * asked for), another one is not. */
START_TEST(an_urgent_signal_pending)
{
	sigset_t block, wanted, old;
	struct timespec zero = { 0 };

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old), 0);
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGUSR1);
	loop_set_urgent_signals(loop, &wanted);
	raise(SIGUSR2);
	ck_assert(!loop_waited_on(loop));
	raise(SIGUSR1);
	ck_assert(loop_waited_on(loop));
	ck_assert_int_eq(sigtimedwait(&block, NULL, &zero) > 0, 1);
	ck_assert_int_eq(sigtimedwait(&block, NULL, &zero) > 0, 1);
	ck_assert(!loop_waited_on(loop));
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}
END_TEST

static int heard;

static void notified(void *ctx, pid_t sender, uid_t uid, const struct notify_msg *msg)
{
	heard++;
}

/* The notify socket's watch is urgent: a readiness datagram queued is
 * someone waiting, until the loop read it. */
START_TEST(a_readiness_datagram)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/test_loop.XXXXXX";
	struct notify_server *ns = NULL;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	ck_assert_int_eq(notify_server_new(loop, sa.sun_path, notified, NULL, &ns), 0);
	ck_assert(!loop_waited_on(loop));
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof(sa)), 7);
	ck_assert(loop_waited_on(loop));
	for (int i = 0; i < 100 && !heard; i++)
		ck_assert_int_eq(loop_run_once(loop, 10), 0);
	ck_assert_int_eq(heard, 1);
	ck_assert(!loop_waited_on(loop));
	close(fd);
	notify_server_free(ns);
	ck_assert(!loop_waited_on(loop));
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("waited_on");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, input_on_an_urgent_watch_only);
	tcase_add_test(tc, a_watch_without_input_events);
	tcase_add_test(tc, a_hang_up);
	tcase_add_test(tc, a_deleted_watch_is_forgotten);
	tcase_add_test(tc, a_timer_due);
	tcase_add_test(tc, output_room_and_a_closed_watch);
	tcase_add_test(tc, an_urgent_signal_pending);
	tcase_add_test(tc, a_readiness_datagram);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
