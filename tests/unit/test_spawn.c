/* test_spawn.c — spawn.c's fd window against the kernel: real children,
 * their fd tables read back from /proc (doc/DESIGN.md §7).
 *
 * Each test runs in a process of its own (Check's fork mode), so spawn.c's
 * window starts unreserved every time. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/spawn.h"
#include "initd/spawn_shared.h"
#include "units/unit.h"
#include "tests/fds.h"

/* FDSize of pid's table (/proc/PID/status), -1 if it cannot be read. */
static int fdsize_of(pid_t pid)
{
	char path[64], line[256];
	int size = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "FDSize: %d", &size) == 1)
			break;
	fclose(f);
	return size;
}

/* A child that ended and was reaped: its pipe and pidfd let go. */
static void forget_child(struct spawn_child *c)
{
	spawn_report_done(c->report_fd);
	close(c->pidfd);
	close(c->report_fd);
}

static void end_child(struct spawn_child *c)
{
	siginfo_t si;

	ck_assert_int_eq((int)syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0), 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)c->pidfd, &si, WEXITED), 0);
	forget_child(c);
}

/* The child's first word read, as PID 1's loop reads it: through the
 * window, its byte (its table is its own from then on). */
static void heard_from(struct spawn_child *c)
{
	struct pollfd pfd = { .fd = c->report_fd, .events = POLLIN };
	char detail[SPAWN_DETAIL_MAX];
	int stage, err;

	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_ge(spawn_report_read(c->report_fd, &stage, &err, detail), 0);
	ck_assert(!spawn_window_holds(c->report_fd));   /* its byte read: its set back */
}

static struct unit *sleeper(void)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("w.unit", "exec = [ \"/bin/sleep\", \"30\" ];", &u), 0);
	return u;
}

/* Every fd from 3 to top open (/dev/null): a table past 64, no holes. */
static void fill_table(int top)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(null_fd, 0);
	for (int fd = 3; fd <= top; fd++)
		if (fd != null_fd && fcntl(fd, F_GETFD) < 0)
			ck_assert_int_eq(dup3(null_fd, fd, O_CLOEXEC), fd);
}

/* A spawn whose child gets a table of 64 slots, not a copy of ours:
 * through the window, or (below 64 fds) by a direct clone. */
static void spawn_small_table(const struct spawn_params *p, bool through_window)
{
	uint64_t before = spawn_window_children();
	struct spawn_child c;

	ck_assert_int_eq(spawn_start(p, &c), 0);
	ck_assert_uint_eq(spawn_window_children() - before, through_window ? 1 : 0);
	heard_from(&c);
	ck_assert_int_eq(fdsize_of(c.pid), 64);
	end_child(&c);
}

/* The first spawn reserves the window's slots, low as PID 1's are (a
 * table this small is then copied directly); then the table grows past
 * 64, as PID 1's does with its units. */
static void reserve_then_grow(const struct spawn_params *p)
{
	spawn_small_table(p, false);
	fill_table(100);
}

/* The window reserved and proven (its first child waited for), then a
 * /bin/true spawned through it: its set lent, its byte unread. The unit,
 * for the caller to free. */
static struct unit *lent_true(const struct spawn_params *p, struct spawn_child *a)
{
	struct spawn_params q = { .cgroup_fd = -1, .output_fd = -1 };
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("t.unit", "exec = [ \"/bin/true\" ];", &u), 0);
	q.unit = u;
	reserve_then_grow(p);
	spawn_small_table(p, true);
	ck_assert_int_eq(spawn_start(&q, a), 0);
	return u;
}

/* The child's whole report as the loop reads it (10 s at most): its
 * stage (SPAWN_STAGE_MAX: it exec'd) and *err. */
static int report_complete(int fd, int *err)
{
	char detail[SPAWN_DETAIL_MAX];
	int stage = -1, r = 0;

	while (r == 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
		r = spawn_report_read(fd, &stage, err, detail);
	}
	ck_assert_int_eq(r, 1);
	return stage;
}

START_TEST(window_gives_a_small_table)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };

	reserve_then_grow(&p);
	spawn_small_table(&p, true);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A spawn that meets the fd limit at its pidfd fails; the window stays on
 * for the next one (a first version took EMFILE for a sandbox refusing
 * CLONE_FILES and forked directly from then on: restart at 10,000 units
 * took 6-10 ms instead of 1.3). */
START_TEST(window_stays_after_emfile)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c;
	struct rlimit old, lim;
	int lowest;

	reserve_then_grow(&p);
	spawn_small_table(&p, true);
	/* free: lowest and lowest + 1, the report pipe's; the pidfd has none */
	lowest = fcntl(0, F_DUPFD_CLOEXEC, 3);
	ck_assert_int_ge(lowest, 64);
	close(lowest);
	ck_assert_int_lt(fcntl(lowest + 1, F_GETFD), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)lowest + 2;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	ck_assert_int_eq(spawn_start(&p, &c), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	spawn_small_table(&p, true);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* ---- a child held before its first instruction ----------------------------
 *
 * A tracer (a child of the test's process) that traces the test's process
 * with PTRACE_O_TRACEFORK: every child it clones starts traced and stopped,
 * before its first instruction, and stays so until the test writes a byte
 * on `release`. Then the tracer detaches from them all and exits (which
 * detaches the test's process too). Asked to (a struct hold), it runs
 * the children instead to the entry of the nth system call numbered nr
 * (counted over all of them: the tests clone one child after
 * tracer_start), holds that one there, and says so with a byte on `held`. */
struct tracer {
	pid_t pid;
	int release;   /* write end */
	int held;      /* read end, or -1 */
};

struct hold {
	long nr;       /* a system call's number, or -1: at birth */
	int nth;       /* its nth call (from 1) */
	bool at_exit;  /* at that call's exit stop instead of its entry */
	pid_t armed;   /* (the tracer's: the child whose exit stop holds) */
};

/* A child stopped (at its birth or a system call): held at the entry of
 * h's call (or its exit), else run on to its next system call. 1 when
 * held. */
static int tracer_step(pid_t pid, struct hold *h)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) <= 0)
		info.op = PTRACE_SYSCALL_INFO_NONE;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY && (long)info.entry.nr == h->nr &&
	    --h->nth == 0) {
		if (!h->at_exit)
			return 1;
		h->armed = pid;
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && h->armed == pid) {
		return 1;
	}
	ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	return 0;
}

static _Noreturn void tracer_run(pid_t tracee, int release, int ready, int held_w, struct hold h)
{
	pid_t held[16];
	size_t n = 0;
	char go;
	int st;

	/* TRACESYSGOOD: a system call's stop reads as one (tracer_step) */
	if (ptrace(PTRACE_SEIZE, tracee, NULL,
		   (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACESYSGOOD)) < 0)
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	for (;;) {
		struct pollfd pfd = { .fd = release, .events = POLLIN };
		pid_t pid = waitpid(-1, &st, __WALL | WNOHANG);

		if (pid == tracee && WIFSTOPPED(st)) {
			unsigned long child;
			int sig = st >> 16 ? 0 : WSTOPSIG(st);

			if (st >> 16 == PTRACE_EVENT_FORK &&
			    ptrace(PTRACE_GETEVENTMSG, tracee, NULL, &child) == 0 && n < 16)
				held[n++] = (pid_t)child;
			ptrace(PTRACE_CONT, tracee, NULL, (void *)(long)sig);
		} else if (pid == tracee) {
			_exit(100);
		} else if (pid > 0 && held_w >= 0 && WIFSTOPPED(st) && tracer_step(pid, &h)) {
			if (write(held_w, "h", 1) != 1)
				_exit(2);
		} else if (pid <= 0 && poll(&pfd, 1, 5) == 1) {
			break;
		}
	}
	if (read(release, &go, 1) == 1 && go == 'l')
		usleep(200 * 1000);   /* tracer_release_later */
	for (size_t i = 0; i < n; i++)
		ptrace(PTRACE_DETACH, held[i], NULL, NULL);
	_exit((int)n);
}

static struct tracer tracer_start(struct hold h)
{
	int release[2], ready[2], held[2] = { -1, -1 };
	struct tracer t;
	char c;

	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	if (h.nr >= 0)
		ck_assert_int_eq(pipe2(held, O_CLOEXEC), 0);
	/* Yama (where there is one) lets a child trace its parent only so */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	t.pid = fork();
	ck_assert_int_ge(t.pid, 0);
	if (t.pid == 0) {
		/* none of the test's fds: the lent sets' pipe ends among them */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != release[0] && fd != ready[1] && fd != held[1])
				close(fd);
		tracer_run(getppid(), release[0], ready[1], held[1], h);
	}
	close(release[0]);
	close(ready[1]);
	if (h.nr >= 0)
		close(held[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	t.release = release[1];
	t.held = held[0];
	return t;
}

/* Until it holds a child at its system call (struct hold). */
static void tracer_held(struct tracer *t)
{
	struct pollfd pfd = { .fd = t->held, .events = POLLIN };
	char c;

	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(read(t->held, &c, 1), 1);
}

/* The children it held let go (tracer_end waits for that); `later`: in
 * 200 ms, while the test waits for them. */
static void tracer_release(struct tracer *t, bool later)
{
	ck_assert_int_eq(write(t->release, later ? "l" : "g", 1), 1);
	close(t->release);
	t->release = -1;
}

/* How many it held. */
static int tracer_end(struct tracer *t)
{
	int st;

	if (t->release >= 0)
		tracer_release(t, false);
	if (t->held >= 0)
		close(t->held);
	ck_assert_int_eq(waitpid(t->pid, &st, 0), t->pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Once a child has made its table its own through the window, a spawn
 * does not wait for the next one's first instructions: its set of slots
 * is lent until the child's byte is read (spawn_report_read). Here the
 * children are held before their first instruction: every spawn still
 * returns, and each child, let go, gets a table of its own. (The spawn
 * used to wait for that byte itself: 5 s, then the child was killed and
 * the spawn failed with ETIMEDOUT.) */
START_TEST(window_lends_its_slots)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c[2];
	struct tracer t;

	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* the first child through the window: waited for */
	t = tracer_start((struct hold){ .nr = -1 });
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(spawn_start(&p, &c[i]), 0);
	for (int i = 0; i < 2; i++) {   /* held indeed: no byte yet */
		struct pollfd pfd = { .fd = c[i].report_fd, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	}
	ck_assert_int_eq(tracer_end(&t), 2);
	for (int i = 0; i < 2; i++) {
		heard_from(&c[i]);
		ck_assert_int_eq(fdsize_of(c[i].pid), 64);
		end_child(&c[i]);
	}
	unit_free((struct unit *)p.unit);
}
END_TEST

/* Where PID 1 has work for the child between its clone and its release
 * (a user namespace's maps, here one the kernel refuses), PID 1 may
 * write its own report on the child's pipe: it waits for the child's
 * byte first, so that the report is not read as the byte (a first version
 * lent the set there too, and then read the report's first byte as the
 * child's, its stage 10 as errno ECHILD: a bogus report, the real one
 * lost, and the set put back while the child could still be in PID 1's
 * table). */
START_TEST(window_parent_report_after_the_byte)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_params q = { .cgroup_fd = -1, .output_fd = -1 };
	struct unit_isolation *iso;
	struct spawn_child c;
	struct unit *u = NULL;
	int err = 0;
	siginfo_t si;

	ck_assert_int_eq(unit_parse_string("m.unit", "exec = [ \"/bin/sleep\", \"30\" ];\n"
					   "namespaces = [ \"user\" ];\n"
					   "user_namespace = { uid_map = \"0 100000 10\";"
					   " gid_map = \"0 100000 10\"; };", &u), 0);
	iso = (struct unit_isolation *)&u->opt->iso;
	free(iso->uid_map);
	iso->uid_map = strdup("0 100000 10\n5 200000 10\n");   /* overlapping */
	q.unit = u;
	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* the first child through the window */
	ck_assert_int_eq(spawn_start(&q, &c), 0);
	ck_assert_int_eq(report_complete(c.report_fd, &err), SPAWN_STAGE_ID_MAP);
	ck_assert_int_eq(err, EINVAL);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)c.pidfd, &si, WEXITED), 0);
	forget_child(&c);
	spawn_small_table(&p, true);   /* and the window is still on */
	unit_free(u);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A helper PID 1 forks while a set is lent (a probe, the log writer, the
 * loader) would copy the lent child's end of its report pipe, and until
 * the helper closed it PID 1 would not see that child's exec: a service
 * that exec'd and ended meanwhile would read as one that never exec'd.
 * spawn_helper_fork settles the lent sets first, as a direct spawn does. Here
 * the helper keeps all it inherited; /bin/true's exec must still be told
 * (without the settle: its byte, then nothing, until the helper ends). */
START_TEST(window_helper_keeps_no_lent_pipe)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c;
	struct unit *u = lent_true(&p, &c);
	int err = 0;
	pid_t helper;
	siginfo_t si;

	helper = spawn_helper_fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {   /* ends with the test, whatever fails */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)c.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.si_status, 0);   /* /bin/true ran */
	ck_assert_int_eq(report_complete(c.report_fd, &err), SPAWN_STAGE_MAX);
	kill(helper, SIGKILL);
	ck_assert_int_eq(waitpid(helper, NULL, 0), helper);
	forget_child(&c);
	unit_free(u);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A child through the window copies the sets lent to others in its
 * unshare, and closes them: before its byte, which wakes PID 1 (that may
 * take its CPU; a first version closed them after, and a service lent
 * the other set that exec'd and ended meanwhile read as one that never
 * exec'd). Here the second child is held at its byte's write: the first
 * one's exec is told all the same. */
START_TEST(window_child_closes_lent_sets_before_its_byte)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child a, b;
	struct unit *u = lent_true(&p, &a);
	struct tracer t = tracer_start((struct hold){ .nr = SYS_write, .nth = 1 });
	int err = 0;

	ck_assert_int_eq(spawn_start(&p, &b), 0);   /* the other set */
	tracer_held(&t);
	ck_assert_int_eq(report_complete(a.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_int_eq(tracer_end(&t), 1);
	heard_from(&b);
	end_child(&b);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)a.pidfd, &(siginfo_t){ 0 }, WEXITED), 0);
	forget_child(&a);
	unit_free(u);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A child through the window may still be preempted between its unshare
 * and its close of the other sets: a copy of a lent child's pipe end
 * then outlives that child, and its report has not ended when PID 1 reaps
 * it. spawn_report_read_final hears the children in flight first (their
 * copies are gone once they have spoken). Here the second child is held
 * right there, at its second close_range, and let go 200 ms later: the
 * first one's exec is told (a plain read finds nothing: its exec would
 * be lost). */
START_TEST(window_final_read_hears_the_children_in_flight)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	char detail[SPAWN_DETAIL_MAX];
	struct spawn_child a, b;
	struct unit *u = lent_true(&p, &a);
	struct tracer t = tracer_start((struct hold){ .nr = SYS_close_range, .nth = 2 });
	int stage = -1, err = 0;
	siginfo_t si;

	ck_assert_int_eq(spawn_start(&p, &b), 0);   /* the other set */
	tracer_held(&t);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)a.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_status, 0);   /* /bin/true ran */
	ck_assert_int_eq(spawn_report_read(a.report_fd, &stage, &err, detail), 0);
	tracer_release(&t, true);
	ck_assert_int_eq(spawn_report_read_final(a.report_fd, &stage, &err, detail), 1);
	ck_assert_int_eq(stage, SPAWN_STAGE_MAX);
	ck_assert_int_eq(tracer_end(&t), 1);
	heard_from(&b);
	end_child(&b);
	forget_child(&a);
	unit_free(u);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* The kernel's poll scans its array in order, once per wakeup: what
 * happens during a scan is seen by the entries after that point alone.
 * Armed (one call), a poll of two fds or more waits until every entry is
 * ready, then answers as the scan that passed the first entry just before
 * all of it happened. Every other poll is the real one (-Wl,--wrap=poll,
 * and --wrap=__poll_chk for a build with _FORTIFY_SOURCE: tests/tests.mk). */
static bool poll_race;

int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real___poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t size);
int __wrap___poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t size);

static bool poll_racing(struct pollfd *fds, nfds_t n, int *ret)
{
	if (!poll_race || n < 2)
		return false;
	poll_race = false;
	for (nfds_t i = 0; i < n; i++)
		ck_assert_int_eq(__real_poll(&fds[i], 1, 10000), 1);
	fds[0].revents = 0;
	*ret = (int)n - 1;
	return true;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int r;

	return poll_racing(fds, n, &r) ? r : __real_poll(fds, n, timeout);
}

int __wrap___poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t size)
{
	int r;

	return poll_racing(fds, n, &r) ? r : __real___poll_chk(fds, n, timeout, size);
}

/* A lent child that wrote its byte and exited while PID 1's wait for it
 * scanned its two fds: the scan read the first as not ready, the second
 * as ready. Were the pipe first, its pidfd alone would say it ended
 * without a word, and its unit would hear "ended before its first
 * instruction" though it ran; the pidfd first, the byte is read. */
START_TEST(window_wait_reads_a_byte_sent_just_before_an_exit)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child a;
	struct unit *u = lent_true(&p, &a);
	int err = -1;
	siginfo_t si;
	bool armed;

	poll_race = true;
	spawn_settle();   /* waits for a's byte: the poll above */
	armed = poll_race;
	poll_race = false;   /* not left for another test (CK_FORK=no) */
	ck_assert(!armed);
	ck_assert(!spawn_window_holds(a.report_fd));
	ck_assert_int_eq(report_complete(a.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)a.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_status, 0);   /* /bin/true ran */
	spawn_small_table(&p, true);   /* the window still on */
	forget_child(&a);
	unit_free(u);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A lent child killed at its birth and reaped. Read at once, its final
 * read says no exec: its set is still lent (a first version of
 * spawn_report_read_final settled it, and read an exec). With the sets
 * settled first (a helper's fork), its set came back without a byte and
 * its slot told why before it went: the end of the pipe does not read as
 * an exec either (a first version said it exec'd). */
static void killed_at_birth(const struct spawn_params *p, bool settled_first)
{
	char detail[SPAWN_DETAIL_MAX];
	struct spawn_child a;
	int stage = -1, err = 0;
	struct tracer t = tracer_start((struct hold){ .nr = -1 });
	siginfo_t si;

	ck_assert_int_eq(spawn_start(p, &a), 0);   /* held at its birth */
	ck_assert_int_eq((int)syscall(SYS_pidfd_send_signal, a.pidfd, SIGKILL, NULL, 0), 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)a.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_KILLED);
	if (settled_first) {
		spawn_settle();
		ck_assert_int_eq(spawn_report_read_final(a.report_fd, &stage, &err, detail), 1);
		ck_assert_int_eq(stage, SPAWN_STAGE_FDS);
		ck_assert_int_eq(err, ESRCH);
	} else {
		ck_assert_int_eq(spawn_report_read_final(a.report_fd, &stage, &err, detail), 0);
	}
	ck_assert_int_eq(tracer_end(&t), 1);
	forget_child(&a);
}

START_TEST(window_final_read_killed_at_birth_is_no_exec)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };

	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* the first child through the window: waited for */
	killed_at_birth(&p, false);
	spawn_small_table(&p, true);   /* and the window is still on */
	killed_at_birth(&p, true);
	spawn_small_table(&p, true);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* Below 64 fds a spawn clones directly (its small table is copied, which
 * /proc cannot tell from the window's: spawn_window_children can): the
 * child runs, with 64 slots. */
START_TEST(small_table_gives_a_small_table)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };

	spawn_small_table(&p, false);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* ---- a plain unit's child on PID 1's memory (spawn_shared.c) ------------- */

static struct unit *unit_of(const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("x.unit", text, &u), 0);
	return u;
}

/* What the child exists as right after spawn_start: on PID 1's memory
 * (a block in flight) where this build has it. */
static void assert_shared(bool shared)
{
	ck_assert_uint_eq(spawn_shared_in_flight(), shared && spawn_shared_available() ? 1 : 0);
}

/* The spares (spawn_shared.c) run_for_output saw right after its spawn. */
static size_t spares_at_spawn;

/* All the child writes to its stdout, once it has exec'd. */
static void run_for_output(const struct unit *u, bool shared, char *out, size_t size)
{
	static const struct unit_rlimit core0 = { RLIMIT_CORE, 0, 0 };
	int pipefd[2], err = 0;
	struct spawn_params p = { .unit = u, .cgroup_fd = -1, .default_rlimits = &core0,
				  .n_default_rlimits = 1, .passwd_file = "/etc/passwd",
				  .group_file = "/etc/group" };
	size_t n = 0, before = spawn_shared_in_flight();
	struct spawn_child c;
	ssize_t k;
	siginfo_t si;

	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	p.output_fd = pipefd[1];
	ck_assert_int_eq(spawn_start(&p, &c), 0);
	spares_at_spawn = spawn_shared_spares();
	close(pipefd[1]);
	ck_assert_uint_eq(spawn_shared_in_flight() - before,
			  shared && spawn_shared_available() ? 1 : 0);
	ck_assert_int_eq(report_complete(c.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_uint_eq(spawn_shared_in_flight(), before);
	while (n + 1 < size && (k = read(pipefd[0], out + n, size - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)c.pidfd, &si, WEXITED), 0);
	forget_child(&c);
}

#define SHOW_SETUP \
	"exec = [ \"/bin/sh\", \"-c\", \"echo \\\"$HOME|$INITD_UNIT|$FOO|$(pwd)|" \
	"$(ulimit -n) $(ulimit -Hn) $(ulimit -c)|$(umask)|$(test -e /proc/$$/fd/40 || " \
	"echo closed)\\\"; while read -r k v; do case $k in FDSize:|SigBlk:|SigIgn:|" \
	"NoNewPrivs:) printf '%s\\\\t%s\\\\n' $k $v;; esac; done < /proc/$$/status\" ];" \
	"environment = { FOO = \"bar\"; }; workdir = \"/tmp\"; umask = \"0077\";" \
	"rlimits = { nofile = [ 123, 456 ]; }; no_new_privs = true;"

/* The child sets up what a forked one does: the same unit, once plain
 * (shared) and once with user = "root" (which forks), print the same.
 * With PID 1's mask and an ignored signal, and an fd left open on exec.
 * The shell reads its own status itself, no child of its running: a grep
 * of /proc/$$/status read the shell's mask while the shell forked, all
 * blocked then (the test failed under load). */
static void same_setup_both_ways(void)
{
	struct unit *plain = unit_of(SHOW_SETUP), *forked = unit_of(SHOW_SETUP "user = \"root\";");
	char a[1024], b[1024];
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &term, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	child_signals_snapshot();
	ck_assert_int_eq(dup2(0, 40), 40);   /* not close-on-exec */
	run_for_output(plain, true, a, sizeof(a));
	/* its core would have been ours: never dumped (spawn_shared.c) */
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE), spawn_shared_available() ? 0 : 1);
	run_for_output(forked, false, b, sizeof(b));
	ck_assert_str_eq(a, "/root|x|bar|/tmp|123 456 0|0077|closed\n"
			    "FDSize:\t64\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
			    "NoNewPrivs:\t1\n");
	ck_assert_str_eq(a, b);
	unit_free(plain);
	unit_free(forked);
}

START_TEST(shared_child_sets_up_as_a_fork_does)
{
	same_setup_both_ways();
}
END_TEST

/* While PID 1 still waits for a block's end of file (busy's), a freed
 * block is kept for the next child instead of unmapped: the next one
 * runs on it with its own argv and environment, nothing of the larger
 * ones before; a block past 64 KiB (long arguments) is unmapped, not
 * kept; and once no end of file is due, none is kept. */
START_TEST(shared_block_kept_for_the_next_child)
{
	struct unit *wide = unit_of("exec = [ \"/bin/echo\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", "
				    "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" ];"
				    "environment = { AAAAAAAA = \"1111111111111111\"; "
				    "BBBBBBBB = \"2222222222222222\"; };");
	struct unit *narrow = unit_of("exec = [ \"/usr/bin/env\" ]; environment = { C = \"x\"; };");
	size_t kept = spawn_shared_available() ? 1 : 0;   /* forked (a sanitizer build): the output only */
	char a[4096], big[20 * 4000 + 256];
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child busy;
	struct unit *large;
	int err, n;

	ck_assert_int_eq(spawn_start(&p, &busy), 0);   /* in flight until its report's end is read */
	run_for_output(wide, true, a, sizeof(a));
	ck_assert_uint_eq(spares_at_spawn, 0);
	ck_assert_str_eq(a, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
	ck_assert_uint_eq(spawn_shared_spares(), kept);
	run_for_output(narrow, true, a, sizeof(a));
	ck_assert_uint_eq(spares_at_spawn, 0);   /* it took the one kept */
	ck_assert_uint_eq(spawn_shared_spares(), kept);   /* and gave it back */
	ck_assert_str_eq(a, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
			    "HOME=/root\nINITD_UNIT=x\nC=x\n");
	n = snprintf(big, sizeof(big), "exec = [ \"/bin/true\"");
	for (int i = 0; i < 20; i++) {
		n += snprintf(big + n, sizeof(big) - (size_t)n, ", \"");
		memset(big + n, 'x', 3990);
		n += 3990;
		n += snprintf(big + n, sizeof(big) - (size_t)n, "\"");
	}
	snprintf(big + n, sizeof(big) - (size_t)n, " ];");
	large = unit_of(big);
	run_for_output(large, true, a, sizeof(a));
	ck_assert_uint_eq(spares_at_spawn, kept);   /* too small for it: a new one */
	ck_assert_uint_eq(spawn_shared_spares(), kept);   /* and that one unmapped */
	ck_assert_int_eq(report_complete(busy.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);
	ck_assert_uint_eq(spawn_shared_spares(), 0);
	end_child(&busy);
	unit_free((struct unit *)p.unit);
	unit_free(wide);
	unit_free(narrow);
	unit_free(large);
}
END_TEST

static struct tracer held_at_exec(const struct spawn_params *p, struct spawn_child *c);

/* Spares are kept only while PID 1 still waits to read a block's end of
 * file (that read frees the rest): a block that waits on a copy of its
 * pipe alone is swept at a later spawn or report, which may not come, so
 * beside such blocks alone none is kept. */
START_TEST(shared_spares_not_kept_beside_held_blocks_alone)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child busy, held;
	struct unit *echo;
	struct tracer t;
	siginfo_t si;
	char a[64];
	int err;

	if (!spawn_shared_available())
		return;   /* every child forks: no block, no spare */
	p.unit = sleeper();
	echo = unit_of("exec = [ \"/bin/echo\", \"x\" ];");
	ck_assert_int_eq(spawn_start(&p, &busy), 0);
	run_for_output(echo, true, a, sizeof(a));
	ck_assert_uint_eq(spawn_shared_spares(), 1);   /* busy's end of file is due */
	t = held_at_exec(&p, &held);   /* on the spare */
	spawn_report_done(held.report_fd);   /* closed before its end: its block waits */
	close(held.report_fd);
	run_for_output(echo, true, a, sizeof(a));
	ck_assert_uint_eq(spawn_shared_in_flight(), 2);
	ck_assert_uint_eq(spawn_shared_spares(), 1);   /* busy's end is still due */
	ck_assert_int_eq(report_complete(busy.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_uint_eq(spawn_shared_in_flight(), 1);   /* the held block */
	ck_assert_uint_eq(spawn_shared_spares(), 0);
	ck_assert_int_eq((int)syscall(SYS_pidfd_send_signal, held.pidfd, SIGKILL, NULL, 0), 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)held.pidfd, &si, WEXITED), 0);
	close(held.pidfd);
	ck_assert_int_eq(tracer_end(&t), 2);   /* held, and the echo it saw born */
	end_child(&busy);
	unit_free((struct unit *)p.unit);
	unit_free(echo);
}
END_TEST

/* The same past 64 fds, through the fd window: the child shares PID 1's
 * table too until its first system call (CLONE_VM | CLONE_FILES), and
 * gets a small one of its own (FDSize 64). */
START_TEST(shared_child_through_the_window_sets_up_as_a_fork_does)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };

	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* the window proven: its children are lent sets */
	same_setup_both_ways();
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A failing stage is reported as a fork's is, and the child's system
 * calls leave this process's errno alone: a glibc wrapper's failure in
 * the child would write it (the two share their thread pointer). */
START_TEST(shared_child_reports_and_leaves_errno_alone)
{
	static const char *const units[] = {
		"exec = [ \"/nonexistent/x\" ];",
		"exec = [ \"/bin/true\" ]; workdir = \"/nonexistent\";",
	};
	static const int stages[] = { SPAWN_STAGE_EXEC, SPAWN_STAGE_CHDIR };

	for (size_t i = 0; i < 2; i++) {
		struct unit *u = unit_of(units[i]);
		struct spawn_params p = { .unit = u, .cgroup_fd = -1, .output_fd = -1 };
		struct spawn_child c;
		struct pollfd end;
		int err = 0;

		ck_assert_int_eq(spawn_start(&p, &c), 0);
		assert_shared(true);
		end = (struct pollfd){ .fd = c.pidfd, .events = POLLIN };
		errno = 4242;
		ck_assert_int_eq(poll(&end, 1, 10000), 1);   /* it exited */
		ck_assert_int_eq(errno, 4242);
		ck_assert_int_eq(report_complete(c.report_fd, &err), stages[i]);
		ck_assert_int_eq(err, ENOENT);
		end_child(&c);
		ck_assert_uint_eq(spawn_shared_in_flight(), 0);
		unit_free(u);
	}
}
END_TEST

/* A shared child held at its execve by the tracer: its pipe's write end
 * still open, as a child preempted before its exec has it. */
static struct tracer held_at_exec(const struct spawn_params *p, struct spawn_child *c)
{
	struct tracer t = tracer_start((struct hold){ .nr = SYS_execve, .nth = 1 });

	ck_assert_int_eq(spawn_start(p, c), 0);
	tracer_held(&t);
	return t;
}

/* A unit whose cgroup may hold its child (a memory or CPU limit on its
 * path) forks: a shared child there would be the cgroup's OOM victim with
 * PID 1's memory as its size, and the kernel kills every process on the
 * victim's memory (PID 1 spared only as the machine's own init). */
START_TEST(shared_child_not_where_its_cgroup_may_hold_it)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1, .child_may_wait = true };
	struct spawn_child c;

	p.unit = sleeper();
	ck_assert_int_eq(spawn_start(&p, &c), 0);
	assert_shared(false);
	end_child(&c);
	p.child_may_wait = false;
	ck_assert_int_eq(spawn_start(&p, &c), 0);
	assert_shared(true);
	end_child(&c);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* A child whose pipe PID 1 closed before its end of file keeps its block
 * until it is gone from it; its reap frees it. */
START_TEST(shared_block_outlives_a_closed_pipe)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child a, b;
	struct tracer t;
	siginfo_t si;
	int fds;
	int err = 0;

	if (!spawn_shared_available())
		return;   /* a sanitizer build: every child forks */
	p.unit = sleeper();
	t = held_at_exec(&p, &a);
	spawn_report_done(a.report_fd);
	close(a.report_fd);
	ck_assert_uint_eq(spawn_shared_in_flight(), 1);
	spawn_reaped();     /* another child's: a's still runs on its block */
	ck_assert_uint_eq(spawn_shared_in_flight(), 1);
	ck_assert_int_eq((int)syscall(SYS_pidfd_send_signal, a.pidfd, SIGKILL, NULL, 0), 0);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)a.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(tracer_end(&t), 1);
	/* Its reap frees it, and the copy of its pipe: not left for a next
	 * spawn or report that may never come. */
	fds = test_fds_open();
	ck_assert_int_ge(fds, 0);
	spawn_reaped();
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);
	ck_assert_uint_eq(spawn_shared_spares(), 0);
	ck_assert_int_eq(test_fds_open(), fds - 1);
	close(a.pidfd);
	ck_assert_int_eq(spawn_start(&p, &b), 0);
	ck_assert_uint_eq(spawn_shared_in_flight(), 1);   /* b's only */
	ck_assert_int_eq(report_complete(b.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);
	end_child(&b);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* The copy of the pipe a block waits on is one of PID 1's fds like any
 * other: where it is the one past 64, the next child goes through the
 * window and gets a table of 64 slots, not a copy of 128 (a first
 * version did not count it in the window's high-water mark). */
START_TEST(shared_block_copy_counts_for_the_window)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1 };
	uint64_t filled = 0;
	struct spawn_child a, b;
	struct tracer t;
	int null_fd;

	if (!spawn_shared_available())
		return;   /* a sanitizer build: no blocks */
	p.unit = sleeper();
	t = held_at_exec(&p, &a);   /* the window reserved, low */
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(null_fd, 0);
	for (int fd = 3; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			ck_assert_int_eq(dup3(null_fd, fd, O_CLOEXEC), fd);
			filled |= UINT64_C(1) << fd;
		}
	spawn_report_done(a.report_fd);   /* its copy: the first free fd, 64 */
	ck_assert_int_eq(fcntl(64, F_GETFD), FD_CLOEXEC);
	close(a.report_fd);
	for (int fd = 32; fd < 64; fd++)   /* room below 64 for b's own fds */
		if (filled & (UINT64_C(1) << fd))
			close(fd);
	ck_assert_int_eq(spawn_start(&p, &b), 0);
	heard_from(&b);
	ck_assert_int_eq(fdsize_of(b.pid), 64);
	end_child(&b);
	ck_assert_int_eq((int)syscall(SYS_pidfd_send_signal, a.pidfd, SIGKILL, NULL, 0), 0);
	ck_assert_int_eq(tracer_end(&t), 2);   /* a and b traced */
	close(a.pidfd);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* Every close_range(CLOSE_RANGE_UNSHARE) of this process and its children
 * fails with ENOMEM, as under memory pressure or a seccomp profile. */
static void unshare_fails(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOMEM), SCMP_SYS(close_range), 1,
					  SCMP_A2(SCMP_CMP_MASKED_EQ, CLOSE_RANGE_UNSHARE,
						  CLOSE_RANGE_UNSHARE)), 0);
	ck_assert_int_eq(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}

/* A child through the window whose table could not be made its own has
 * no write end of its pipe but PID 1's slot: once PID 1 has read its
 * byte and taken the slot back, its block goes while the child still
 * runs, between its write and its exit. It must touch nothing of the
 * block by then (a first version read the byte back from its stack: held
 * there by the tracer while its block went, the child died of SIGSEGV). */
START_TEST(shared_child_without_a_table_of_its_own_leaves_its_block_alone)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c;
	struct tracer t;
	siginfo_t si;
	int err = 0;

	if (!spawn_shared_available())
		return;   /* a sanitizer build: no blocks */
	p.unit = sleeper();
	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* the window proven: the next child's set is lent */
	unshare_fails();
	t = tracer_start((struct hold){ .nr = SYS_write, .nth = 1, .at_exit = true });
	ck_assert_int_eq(spawn_start(&p, &c), 0);
	tracer_held(&t);   /* its byte written, the child still to run on */
	ck_assert_int_eq(report_complete(c.report_fd, &err), SPAWN_STAGE_FDS);
	ck_assert_int_eq(err, ENOMEM);
	spawn_report_done(c.report_fd);
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);   /* its block gone */
	ck_assert_int_eq(tracer_end(&t), 1);
	ck_assert_int_eq(waitid(P_PIDFD, (id_t)c.pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.si_status, 127);
	close(c.pidfd);
	close(c.report_fd);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* The first child through the window is waited for; one held at its
 * birth past the wait (5 s) is killed and its spawn fails. Its block must
 * still go once the child is gone (a first version left it keyed by the
 * closed pipe's number, counted for good). */
START_TEST(shared_block_of_a_child_given_up)
{
	struct spawn_params p = { .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c;
	struct tracer t;
	int err = 0;

	if (!spawn_shared_available())
		return;   /* a sanitizer build: every child forks */
	p.unit = sleeper();
	reserve_then_grow(&p);
	t = tracer_start((struct hold){ .nr = -1 });
	ck_assert_int_eq(spawn_start(&p, &c), -ETIMEDOUT);
	ck_assert_int_eq(tracer_end(&t), 1);
	/* No window from now on: the next child's table is a copy. Its
	 * spawn's sweep frees the first block, its exec its own. */
	ck_assert_int_eq(spawn_start(&p, &c), 0);
	ck_assert_int_eq(report_complete(c.report_fd, &err), SPAWN_STAGE_MAX);
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);
	end_child(&c);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* child_place_fds: a source on another's target (4 goes to 3, 5 to 4)
 * and the executable's fd on a target (3, kept, as mounts.c's could be):
 * each ends where it was sent, the kept one a CLOEXEC copy above the
 * targets. In a fork: the test's own fds are left alone. */
static ino_t ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? 0 : st.st_ino;
}

START_TEST(child_place_fds_moves_before_it_puts)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static const int to[] = { 3, 4 };
		int fds[] = { 4, 5, 3 };
		ino_t want[3];

		close_range(3, ~0U, 0);
		for (int i = 3; i <= 5; i++)   /* three files, on 3, 4 and 5 */
			if (memfd_create("place", MFD_CLOEXEC) != i)
				_exit(2);
		for (int i = 0; i < 3; i++)
			want[i] = ino(fds[i]);
		if (child_place_fds(fds, 3, to, 2) < 0)
			_exit(3);
		if (ino(3) != want[0] || ino(4) != want[1] || ino(fds[2]) != want[2] || fds[2] <= 4)
			_exit(4);
		if (fcntl(3, F_GETFD) != 0 || fcntl(4, F_GETFD) != 0 ||
		    fcntl(fds[2], F_GETFD) != FD_CLOEXEC)
			_exit(5);
		/* nothing for a target (a closed stderr, log.h): it is closed,
		 * not left to what PID 1 had there */
		fds[0] = -1;
		fds[1] = 4;
		if (child_place_fds(fds, 2, to, 2) < 0 || fcntl(3, F_GETFD) >= 0 ||
		    ino(4) != want[1])
			_exit(6);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %#x", status);
}
END_TEST

/* stdio_take: the console opened on 0 by a PID 1 started with 0-2 closed
 * is put on 1 and 2, and 0 loses its CLOEXEC too (dup2 onto itself would
 * not clear it); an fd above 2 is put on all three and closed. */
START_TEST(stdio_take_leaves_none_cloexec)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd;

		close_range(0, ~0U, 0);
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != 0)
			_exit(2);
		stdio_take(fd);
		for (int i = 0; i < 3; i++)
			if (fcntl(i, F_GETFD) != 0)
				_exit(3 + i);
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != 3)
			_exit(6);
		close_range(0, 2, 0);
		dup2(fd, 0);   /* 3 above an fd 0 */
		stdio_take(fd);
		for (int i = 0; i < 3; i++)
			if (fcntl(i, F_GETFD) != 0)
				_exit(7 + i);
		_exit(fcntl(3, F_GETFD) < 0 ? 0 : 10);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %#x", status);
}
END_TEST

/* PID 1's fds below the window's slots (a spawn's output pipe, its leaf,
 * in the holes the first spawn left there) are in a child's copy of the
 * table too: it drops them with the other sets' slots, before its byte.
 * A first version kept them until its own close of every fd, so a child
 * preempted after its byte held another unit's pipe open meanwhile. */
START_TEST(window_child_drops_the_fds_below_the_slots)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	char path[64], link[64] = "";
	struct spawn_child a;
	struct pollfd q;
	struct tracer t;
	int pfd[2], hole;

	spawn_small_table(&p, false);   /* reserves the window */
	hole = fcntl(0, F_DUPFD_CLOEXEC, 3);   /* the lowest free fd */
	ck_assert_int_ge(hole, 3);
	close(hole);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", hole + 1);
	ck_assert_int_gt(readlink(path, link, sizeof(link) - 1), 0);
	ck_assert_str_eq(link, "/dev/null");   /* a slot: the hole is below them */
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);   /* its read end high, its write end in the hole */
	ck_assert_int_eq(dup3(pfd[0], 200, O_CLOEXEC), 200);
	close(pfd[0]);
	pfd[0] = 200;
	ck_assert_int_eq(dup3(pfd[1], hole, O_CLOEXEC), hole);
	if (pfd[1] != hole)
		close(pfd[1]);
	fill_table(100);
	spawn_small_table(&p, true);   /* proven: the next child's set is lent */
	t = tracer_start((struct hold){ .nr = SYS_setsid, .nth = 1 });
	ck_assert_int_eq(spawn_start(&p, &a), 0);
	tracer_held(&t);   /* past its unshare, its closes and its byte */
	heard_from(&a);
	spawn_settle();
	close(hole);       /* PID 1's copy: the child's must be gone already */
	q = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	ck_assert_int_eq(poll(&q, 1, 2000), 1);
	ck_assert_int_eq(q.revents, POLLHUP);
	ck_assert_int_eq(tracer_end(&t), 1);
	end_child(&a);
	close(pfd[0]);
	unit_free((struct unit *)p.unit);
}
END_TEST

/* Once a wait gave up (5 s, the oldest child killed, the window off), no
 * wait comes again: a report closed while its child, lent before, is
 * still silent gives up on it at once (a first version waited 5 s more). */
START_TEST(window_no_second_wait_after_a_give_up)
{
	struct spawn_params p = { .unit = sleeper(), .cgroup_fd = -1, .output_fd = -1 };
	struct spawn_child c[3];
	struct tracer t;
	uint64_t t0;

	reserve_then_grow(&p);
	spawn_small_table(&p, true);   /* proven: sets are lent */
	t = tracer_start((struct hold){ .nr = -1 });
	ck_assert_int_eq(spawn_start(&p, &c[0]), 0);
	ck_assert_int_eq(spawn_start(&p, &c[1]), 0);   /* both sets lent, both silent */
	ck_assert_int_eq(spawn_start(&p, &c[2]), 0);   /* 5 s: c[0] killed; c[2] forks */
	t0 = now_usec();
	spawn_report_done(c[1].report_fd);
	ck_assert_uint_lt(now_usec() - t0, 2 * USEC_PER_SEC);
	ck_assert_int_eq(tracer_end(&t), 3);
	for (int i = 0; i < 3; i++) {
		if (i != 1)
			spawn_report_done(c[i].report_fd);
		(void)syscall(SYS_pidfd_send_signal, c[i].pidfd, SIGKILL, NULL, 0);
		close(c[i].pidfd);
		close(c[i].report_fd);
	}
	unit_free((struct unit *)p.unit);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("window");
	SRunner *sr;
	int failed;

	/* Nothing inherited: each test starts from a small table, as PID 1 */
	close_range(3, ~0U, 0);
	tcase_set_timeout(tc, 30);   /* a wait for a held child would be 5 s */
	tcase_add_test(tc, window_gives_a_small_table);
	tcase_add_test(tc, window_stays_after_emfile);
	tcase_add_test(tc, window_lends_its_slots);
	tcase_add_test(tc, window_parent_report_after_the_byte);
	tcase_add_test(tc, window_helper_keeps_no_lent_pipe);
	tcase_add_test(tc, window_child_closes_lent_sets_before_its_byte);
	tcase_add_test(tc, window_final_read_hears_the_children_in_flight);
	tcase_add_test(tc, window_final_read_killed_at_birth_is_no_exec);
	tcase_add_test(tc, window_wait_reads_a_byte_sent_just_before_an_exit);
	tcase_add_test(tc, small_table_gives_a_small_table);
	tcase_add_test(tc, window_child_drops_the_fds_below_the_slots);
	tcase_add_test(tc, child_place_fds_moves_before_it_puts);
	tcase_add_test(tc, stdio_take_leaves_none_cloexec);
	tcase_add_test(tc, window_no_second_wait_after_a_give_up);
	suite_add_tcase(s, tc);
	tc = tcase_create("shared");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, shared_child_sets_up_as_a_fork_does);
	tcase_add_test(tc, shared_child_through_the_window_sets_up_as_a_fork_does);
	tcase_add_test(tc, shared_block_kept_for_the_next_child);
	tcase_add_test(tc, shared_spares_not_kept_beside_held_blocks_alone);
	tcase_add_test(tc, shared_child_reports_and_leaves_errno_alone);
	tcase_add_test(tc, shared_child_not_where_its_cgroup_may_hold_it);
	tcase_add_test(tc, shared_block_outlives_a_closed_pipe);
	tcase_add_test(tc, shared_block_copy_counts_for_the_window);
	tcase_add_test(tc, shared_child_without_a_table_of_its_own_leaves_its_block_alone);
	tcase_add_test(tc, shared_block_of_a_child_given_up);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
