/* test_service.c — the service state machine with its side effects faked:
 * no process is started, no signal sent; the test plays the kernel. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/log.h"
#include "initd/loop.h"
#include "initd/manager_internal.h"
#include "initd/nofork.h"
#include "initd/service.h"
#include "initd/spawn.h"

struct fake {
	int main_ends;     /* main_ended calls: main processes that ended for good */
	int spawns;
	int spawn_error;
	int signals[8];
	int n_signals;
	int kill_alls;
	int kill_error;       /* what kill_all answers, when not 0: its kill failed */
	bool kill_each;       /* cgroup.kill failed, each process was killed one
	                       * by one (2: one process), and the leaf never empties
	                       * (a process forks faster than the rescans) */
	bool empty;
	enum service_state seen[64];
	int n_seen;
	int find_result;      /* forking: what find_main answers */
	int find_calls;
	int probes;           /* probe_start calls */
	int probe_error;      /* what probe_start returns */
	const struct unit_probe *probing;
	int probe_cancels;
	bool hold_restarts;   /* a restart stays waiting (its requirements are not ready) */
};

static struct fake fake;
static struct loop *loop;
static struct unit unit;
static struct unit_optional unit_opt;    /* unit.opt: no optional group */
static char *argv_true[] = { "/bin/true", NULL };
static char *no_names[] = { NULL };

static int f_spawn(struct service *s)
{
	if (fake.spawn_error)
		return fake.spawn_error;
	fake.spawns++;
	s->pid = 1000 + fake.spawns;
	fake.empty = false;
	return 0;
}

static int f_signal(struct service *s, int sig)
{
	if (fake.n_signals < 8)
		fake.signals[fake.n_signals++] = sig;
	return 0;
}

static int f_kill_all(struct service *s)
{
	fake.kill_alls++;
	if (fake.kill_error)
		return fake.kill_error;
	if (fake.kill_each && !fake.empty)
		return 2;
	return fake.empty ? 1 : 0;
}

static bool f_is_empty(struct service *s)
{
	return fake.empty;
}

/* forking: the daemon is pid 2000 once find_result says found. */
static int f_find_main(struct service *s, char *why, size_t size)
{
	fake.find_calls++;
	if (fake.find_result > 0)
		s->pid = 2000;
	else if (fake.find_result < 0)
		snprintf(why, size, "pid file /run/d.pid names 1: PID 1");
	return fake.find_result;
}

/* Every transition the machine made in this test, [from][to]. */
static bool walked[SERVICE_STATE_MAX][SERVICE_STATE_MAX];

static void f_changed(struct service *s, enum service_state old)
{
	walked[old][s->state] = true;
	if (fake.n_seen < 64)
		fake.seen[fake.n_seen++] = s->state;
	/* A restart waits for the manager's pass, which finds no requirement
	 * here: it is ready at once. */
	if (old == SERVICE_RESTARTING && s->state == SERVICE_WAITING && !fake.hold_restarts)
		service_deps_ready(s);
}

static int f_probe_start(struct service *s, const struct unit_probe *p)
{
	if (fake.probe_error)
		return fake.probe_error;
	fake.probes++;
	fake.probing = p;
	return 0;
}

static void f_probe_cancel(struct service *s)
{
	fake.probe_cancels++;
	fake.probing = NULL;
}

static void f_main_ended(struct service *s, pid_t pid)
{
	fake.main_ends++;
}

static const struct service_ops ops = {
	.spawn = f_spawn, .signal = f_signal, .kill_all = f_kill_all,
	.is_empty = f_is_empty, .find_main = f_find_main, .changed = f_changed,
	.probe_start = f_probe_start, .probe_cancel = f_probe_cancel,
	.main_ended = f_main_ended,
};

static void unit_reset(void)
{
	unit_opt = (struct unit_optional){ 0 };
	unit = (struct unit){
		.opt = &unit_opt,
		.name = "svc", .exec = argv_true, .type = UNIT_SIMPLE,
		.requires = no_names, .after = no_names, .environment = no_names,
		.restart = UNIT_RESTART_ON_FAILURE,
		.restart_delay_usec = 0, .restart_delay_max_usec = 0,
		.start_limit_burst = 5, .start_limit_interval_usec = 10 * USEC_PER_SEC,
		.stop_signal = SIGTERM, .stop_timeout_usec = 5 * USEC_PER_SEC,
	};
}

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	memset(walked, 0, sizeof(walked));
	fake.empty = true;
	ck_assert_int_eq(loop_new(&loop), 0);
	unit_reset();
}

static void teardown(void)
{
	loop_free(loop);
}

static siginfo_t exited(int code)
{
	siginfo_t si = { 0 };

	si.si_code = CLD_EXITED;
	si.si_status = code;
	return si;
}

static siginfo_t killed(int sig)
{
	siginfo_t si = { 0 };

	si.si_code = CLD_KILLED;
	si.si_status = sig;
	return si;
}

/* Start a service and bring it to running. */
static void start_running(struct service *s)
{
	service_init(s, &unit, &ops, loop);
	service_start(s);
	ck_assert_int_eq(s->state, SERVICE_WAITING);
	service_deps_ready(s);
	ck_assert_int_eq(s->state, SERVICE_STARTING);
	service_on_exec(s);
}

/* Let due timers fire. */
static void run_timers(void)
{
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 1);
}

/* Issue 19: every unit pays for struct service; what only a failure or a
 * probe fills is kept out of line (the start limit's exit, the child's
 * setup report, the last exit's detail text, the last probe failure, the
 * watchdog/probe/daemon-search timers), so a running unit that never
 * failed and uses none of those holds none of it. */
START_TEST(rare_exits_out_of_line)
{
	struct service s;

	ck_assert_uint_lt(sizeof(struct service), SERVICE_EXIT_DETAIL_MAX + SERVICE_PROBE_WHY_MAX -
						  SERVICE_COLD_TIMERS * sizeof(struct loop_timer));
	start_running(&s);
	ck_assert_ptr_null(s.last_exit.detail);
	ck_assert_ptr_null(s.probe_why);
	ck_assert_ptr_null(s.limit_exit);
	ck_assert_ptr_null(s.cold_timers);   /* no watchdog, no probe, not forking */
	service_done(&s);
}
END_TEST

/* Issue 19: PID 1's runtime state per unit (struct svc, struct service
 * inside it) well within half of the 1 KiB a plain unit may cost: what
 * only some units or some moments need (log state at the first output,
 * the child's report pipe while it starts, the post-mortem ring,
 * namespaces_from pids, pids.events counts) is out of line, flags are
 * bits, no padding is left (600 and 312 bytes before). The main
 * process's pidfd watch is in line: every running unit has one (it is
 * how its end is seen, manager_reap). The dependency arrays and what
 * few units use (namespaces_from pids, pids.events counts, the probe,
 * post-mortems) are out of line too, and the oom_kill count 32 bits:
 * 384 bytes, nofork.h's 384-byte class (448 before). */
START_TEST(runtime_state_small)
{
	ck_assert_uint_le(sizeof(struct service), 264);
	ck_assert_uint_le(sizeof(struct svc), 384);
	ck_assert_uint_eq(nofork_block_size(sizeof(struct svc)), 384);
}
END_TEST

START_TEST(simple_is_ready_at_exec)
{
	struct service s;

	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert(service_is_ready(&s));
	ck_assert_int_eq(fake.spawns, 1);
	service_done(&s);
}
END_TEST

START_TEST(notify_waits_for_ready)
{
	struct service s;

	unit.type = UNIT_NOTIFY;
	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert(!service_is_ready(&s));
	service_on_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	service_done(&s);
}
END_TEST

START_TEST(oneshot_ready_when_exited_zero)
{
	struct service s;
	siginfo_t si = exited(0);

	unit.type = UNIT_ONESHOT;
	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	ck_assert(service_is_ready(&s));
	service_done(&s);
}
END_TEST

START_TEST(crash_restarts_with_new_pid)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[128];

	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(fake.main_ends, 1);   /* what it left goes, before the restart */
	/* restart_delay 0: respawned at once, through restarting */
	ck_assert_int_eq(fake.seen[fake.n_seen - 3], SERVICE_RESTARTING);
	ck_assert_int_eq(fake.seen[fake.n_seen - 2], SERVICE_WAITING);   /* its requirements */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_uint_eq(s.restarts, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "signal KILL (137)");
	ck_assert_int_eq(s.pid, 1002);
	service_done(&s);
}
END_TEST

/* Every kind said in a fixed text (service_reason.c's table), the exit's
 * detail after it where it takes one, and a kind out of range. */
START_TEST(exit_texts)
{
	static const struct {
		enum exit_kind kind;
		const char *want;
	} cases[] = {
		{ EXIT_NONE, "" },
		{ EXIT_OOM, "oom-kill" },
		{ EXIT_UNKNOWN, "exited, status unknown (not initd's child)" },
		{ EXIT_STOP_TIMEOUT, "stop timeout, killed" },
		{ EXIT_RELOAD, "stopped by reload (unit changed)" },
		{ EXIT_HEALTH, "health check failed: why" },
		{ EXIT_CGROUP, "cgroup: why" },
		{ EXIT_MOUNT, "why" },
		{ EXIT_MAIN_REFUSED, "no main process: why" },
		{ EXIT_OPERATOR, "stopped by svctl" },
		{ EXIT_REQUIREMENT, "requirement why stopped" },
		{ EXIT_KIND_MAX, "unknown" },
	};
	struct service s;
	char buf[128];

	start_running(&s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		service_exit_set(&s.last_exit, (struct service_exit){ .kind = cases[i].kind });
		service_exit_describe(&s.last_exit, "%s", "why");
		ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
				 cases[i].want);
	}
	service_done(&s);
}
END_TEST

START_TEST(restart_delay_waits_for_the_timer)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);

	unit.restart_delay_usec = 2000;
	unit.restart_delay_max_usec = 2000;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	ck_assert_int_eq(fake.spawns, 1);
	for (int i = 0; i < 50 && s.state == SERVICE_RESTARTING; i++)
		loop_run_once(loop, 1);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.spawns, 2);
	service_done(&s);
}
END_TEST

START_TEST(clean_exit_is_not_restarted_on_failure)
{
	struct service s;
	siginfo_t si = exited(0);

	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	ck_assert_int_eq(fake.spawns, 1);
	service_done(&s);
}
END_TEST

START_TEST(restart_no_leaves_failure_failed)
{
	struct service s;
	siginfo_t si = exited(3);
	char buf[128];

	unit.restart = UNIT_RESTART_NO;
	fake.empty = true;   /* the first one's leftovers: gone */
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "exit 3");
	service_done(&s);
}
END_TEST

START_TEST(start_limit_ends_failed)
{
	struct service s;
	siginfo_t si = exited(1);

	unit.start_limit_burst = 3;
	start_running(&s);
	for (int i = 0; i < 10 && s.state != SERVICE_FAILED; i++) {
		fake.empty = true;
		service_on_exit(&s, &si);
		run_timers();
		if (s.state == SERVICE_STARTING)
			service_on_exec(&s);
	}
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_START_LIMIT);
	ck_assert_int_eq(fake.spawns, 3);
	service_done(&s);
}
END_TEST

/* A crash loop, each exit at once, until the unit fails or `ms` pass:
 * the spawns it took. */
static int crash_until_failed(struct service *s, int ms)
{
	siginfo_t si = exited(1);
	uint64_t end = now_usec() + (uint64_t)ms * USEC_PER_MSEC;
	int spawns = fake.spawns;

	while (s->state != SERVICE_FAILED && now_usec() < end) {
		if (s->state == SERVICE_RUNNING) {
			fake.empty = true;
			service_on_exit(s, &si);
		}
		loop_run_once(loop, 1);
		if (s->state == SERVICE_STARTING)
			service_on_exec(s);
	}
	return fake.spawns - spawns;
}

/* The start limit counts in any window, not in windows that begin at a
 * start: a unit that ran 350 ms, then crashes at every start (a backoff
 * from 2 ms, doubling), has 6 starts within 400 ms 124 ms into the loop.
 * The old code's window began at the first start and ended 50 ms into
 * the loop, the next one saw 3 starts, and the backoff then outgrew the
 * interval: it crash-looped for good. */
START_TEST(a_crash_loop_late_in_a_window_hits_the_start_limit)
{
	struct service s;

	unit.start_limit_burst = 5;
	unit.start_limit_interval_usec = 400 * USEC_PER_MSEC;
	unit.restart_delay_usec = 2 * USEC_PER_MSEC;
	unit.restart_delay_max_usec = USEC_PER_SEC;
	start_running(&s);
	usleep(350 * 1000);
	ck_assert_int_eq(crash_until_failed(&s, 3000), 5);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_START_LIMIT);
	service_done(&s);
}
END_TEST

/* An operator's start begins the count anew (svctl(8)), its window too:
 * the old code zeroed the count but kept the window of a start 350 ms
 * before, which ended 50 ms into the loop. */
START_TEST(an_operators_start_begins_a_new_start_limit_window)
{
	struct service s;

	unit.start_limit_burst = 5;
	unit.start_limit_interval_usec = 400 * USEC_PER_MSEC;
	unit.restart_delay_usec = 2 * USEC_PER_MSEC;
	unit.restart_delay_max_usec = USEC_PER_SEC;
	start_running(&s);
	service_stop(&s);
	fake.empty = true;
	service_on_exit(&s, &(siginfo_t){ .si_code = CLD_KILLED, .si_status = SIGTERM });
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	usleep(350 * 1000);
	service_start(&s);
	service_deps_ready(&s);
	service_on_exec(&s);
	/* the operator's start and 4 restarts: 5 starts, the 6th refused */
	ck_assert_int_eq(crash_until_failed(&s, 3000), 4);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(fake.spawns, 6);
	service_done(&s);
}
END_TEST

/* A reload's new unit may have another burst: its count, and the ring of
 * its starts (sized by the burst), begin anew. A burst past the ring's
 * counts in windows that begin at a start, and still hits. */
START_TEST(a_reload_with_another_burst_counts_anew)
{
	struct service s;
	struct unit big;

	unit.start_limit_burst = 3;
	start_running(&s);
	for (int i = 0; i < 2; i++) {   /* two restarts: the ring made */
		fake.empty = true;
		service_on_exit(&s, &(siginfo_t){ .si_code = CLD_EXITED, .si_status = 1 });
		run_timers();
		service_on_exec(&s);
	}
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_ptr_nonnull(s.limit_starts);
	big = unit;
	big.start_limit_burst = START_LIMIT_EXACT_BURST + 36;
	service_replace_unit(&s, &big);
	ck_assert_ptr_null(s.limit_starts);
	ck_assert_int_eq(crash_until_failed(&s, 5000), START_LIMIT_EXACT_BURST + 36);
	ck_assert_int_eq(s.last_exit.kind, EXIT_START_LIMIT);
	service_done(&s);
}
END_TEST

/* STATUS= is the run's that sent it: a restart's new run starts without
 * it (the old code kept it, shown while the new run started). */
START_TEST(a_restart_forgets_the_last_runs_status)
{
	struct service s;

	unit.restart_delay_usec = unit.restart_delay_max_usec = 2 * USEC_PER_MSEC;
	start_running(&s);
	service_set_status_text(&s, "ready, 12 jobs done");
	fake.empty = true;
	service_on_exit(&s, &(siginfo_t){ .si_code = CLD_EXITED, .si_status = 1 });
	ck_assert_str_eq(s.status_text, "ready, 12 jobs done");   /* kept while it is down */
	usleep(5000);
	run_timers();
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_ptr_null(s.status_text);
	service_done(&s);
}
END_TEST

START_TEST(setup_failure_is_reported_and_not_retried)
{
	struct service s;
	siginfo_t si = exited(127);
	char buf[256];

	unit.restart = UNIT_RESTART_ALWAYS;
	service_init(&s, &unit, &ops, loop);
	service_start(&s);
	service_deps_ready(&s);
	service_on_setup_failed(&s, SPAWN_STAGE_EXEC, ENOENT, NULL);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "exec /bin/true: No such file or directory");
	service_done(&s);
}
END_TEST

START_TEST(stop_sends_stop_signal_then_stopped)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	start_running(&s);
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	ck_assert_int_eq(fake.n_signals, 1);
	ck_assert_int_eq(fake.signals[0], SIGTERM);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, 1);
	service_done(&s);
}
END_TEST

START_TEST(stop_timeout_kills_the_leaf)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[128];

	unit.stop_timeout_usec = 1000;
	start_running(&s);
	service_stop(&s);
	run_timers();
	ck_assert_int_ge(fake.kill_alls, 1);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stop timeout, killed");
	service_done(&s);
}
END_TEST

/* The leaf cannot be killed (cgroup.kill failed, and its processes could
 * not be listed either: kill_all's -errno). The stop timeout still kills
 * the main process, through its pidfd, and its exit ends the stop. It
 * sent nothing: a main process that ignores its stop signal kept the unit
 * stopping for ever. */
START_TEST(stop_timeout_when_the_leaf_cannot_be_killed)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[128];

	unit.stop_timeout_usec = 1000;
	start_running(&s);
	fake.kill_error = -EIO;
	service_stop_by_operator(&s);
	ck_assert_int_eq(fake.n_signals, 1);   /* SIGTERM, ignored */
	for (int i = 0; i < 300 && !fake.kill_alls; i++)   /* the stop timeout */
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 1);
	ck_assert_int_eq(fake.n_signals, 2);
	ck_assert_int_eq(fake.signals[1], SIGKILL);
	service_on_exit(&s, &si);   /* the leaf still reads populated */
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stop timeout, killed");
	service_done(&s);
}
END_TEST

/* The same for a unit in its restart delay whose last run left processes
 * that cannot be killed: no main process will exit to end the wait, and
 * no timer was armed; it stayed stopping for ever. It ends stopped now,
 * what is left said in the log. */
START_TEST(stop_in_the_restart_delay_when_leftovers_cannot_be_killed)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	unit.restart_delay_usec = 60 * USEC_PER_SEC;
	unit.restart_delay_max_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	fake.kill_error = -EIO;
	service_on_exit(&s, &si);   /* fake.empty false: a child lingers */
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	service_stop_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	service_done(&s);
}
END_TEST

/* cgroup.kill failed and each process was killed one by one, which is not
 * atomic with fork: a process that forks faster than the rescans leaves a
 * child, and no empty event comes. The main process died at its stop
 * signal; the kill is tried again from a short timer, a bounded number of
 * times, then the stop ends, what is left said. It stayed stopping for
 * ever (the fallback answered "killing" and nothing asked again). */
START_TEST(stop_ends_when_killing_one_by_one_never_empties_the_leaf)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	start_running(&s);
	fake.kill_each = true;
	service_stop_by_operator(&s);
	service_on_exit(&s, &si);   /* fake.empty false: a child lingers */
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	for (int i = 0; i < 3000 && s.state == SERVICE_STOPPING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_gt(fake.kill_alls, 1);   /* killed again before giving up */
	service_done(&s);
}
END_TEST

/* The same for a stop in the restart delay, which arms no stop timeout:
 * it stayed stopping for ever. */
START_TEST(stop_in_the_restart_delay_ends_when_killing_one_by_one_never_empties)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	unit.restart_delay_usec = 60 * USEC_PER_SEC;
	unit.restart_delay_max_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	fake.kill_each = true;
	service_on_exit(&s, &si);   /* fake.empty false: a child lingers */
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	service_stop_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	for (int i = 0; i < 3000 && s.state == SERVICE_STOPPING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_gt(fake.kill_alls, 2);
	service_done(&s);
}
END_TEST

/* What initd says once it gives up killing a leaf killed one by one
 * (SERVICE_REKILL), read from its log (a pipe in /dev/kmsg's place). */
static int log_pipe[2];

static void log_catch(void)
{
	ck_assert_int_eq(pipe2(log_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	log_set_kmsg_fd(log_pipe[1]);
}

static void log_caught(char *buf, size_t size)
{
	ssize_t n;

	log_set_kmsg_fd(-1);
	n = read(log_pipe[0], buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(log_pipe[0]);
	close(log_pipe[1]);
}

/* Crashed, a child left that forks faster than it is killed one by one:
 * the restart goes on once the kills are given up, and the log says so,
 * and that the new main process shares its cgroup with what is left. It
 * said "not stopped", and nothing when it started the new one there. */
START_TEST(restart_past_leftovers_that_cannot_be_killed_says_so)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);
	char said[4096];

	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	start_running(&s);
	fake.kill_each = true;
	log_catch();
	service_on_exit(&s, &si);   /* fake.empty false: a child lingers */
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	for (int i = 0; i < 3000 && fake.spawns < 2; i++)
		loop_run_once(loop, 10);
	log_caught(said, sizeof(said));
	ck_assert_int_eq(fake.spawns, 2);   /* the restart went on */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_msg(!strstr(said, "not stopped"), "%s", said);
	ck_assert_msg(strstr(said, "svc: 1 process(es) in its cgroup could not be killed ("), "%s", said);
	ck_assert_msg(strstr(said, "svc: restarted with processes of its last run left in "
			   "its cgroup"), "%s", said);
	service_done(&s);
}
END_TEST

/* The same in a restart delay longer than the kills: given up while it
 * waits, the restart comes at the delay's end; and with no restart (it
 * failed), nothing goes on. Neither is a stop. */
START_TEST(leftovers_given_up_in_the_restart_delay_or_once_failed_say_what_follows)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);
	char said[4096];

	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	unit.restart_delay_usec = unit.restart_delay_max_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	fake.kill_each = true;
	log_catch();
	service_on_exit(&s, &si);
	for (int i = 0; i < 3000 && !s.rekill_gave_up; i++)
		loop_run_once(loop, 10);
	log_caught(said, sizeof(said));
	ck_assert(s.rekill_gave_up);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_msg(!strstr(said, "not stopped"), "%s", said);
	ck_assert_msg(strstr(said, "could not be killed (") &&
		      strstr(said, "tries): its restart goes on"),
		      "%s", said);
	service_done(&s);

	unit_reset();
	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	unit.restart = UNIT_RESTART_NO;
	fake.empty = true;   /* the first one's leftovers: gone */
	start_running(&s);
	log_catch();
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	for (int i = 0; i < 3000 && !s.rekill_gave_up; i++)
		loop_run_once(loop, 10);
	log_caught(said, sizeof(said));
	ck_assert(s.rekill_gave_up);
	ck_assert_msg(!strstr(said, "not stopped") && !strstr(said, "restart"), "%s", said);
	ck_assert_msg(strstr(said, "tries): not waiting for them"),
		      "%s", said);
	service_done(&s);
}
END_TEST

/* The watchdog fired and the leaf cannot be killed: the main process is
 * killed alone. It was not killed at all. */
START_TEST(watchdog_kills_the_main_process_when_the_leaf_cannot_be_killed)
{
	struct service s;

	unit.watchdog_usec = 1000;
	start_running(&s);
	fake.kill_error = -EIO;
	for (int i = 0; i < 300 && !fake.kill_alls; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 1);
	ck_assert_int_eq(fake.n_signals, 1);
	ck_assert_int_eq(fake.signals[0], SIGKILL);
	service_done(&s);
}
END_TEST

/* A shutdown (or rescue) no longer wants it while it waits out its
 * restart delay, and its dependents are still stopping, so nothing stops
 * it yet: its timer must not start it again, nor the end of its
 * leftovers. */
START_TEST(restart_not_wanted_any_more_is_not_spawned)
{
	struct service s, t;
	siginfo_t si = killed(SIGKILL);

	unit.restart_delay_usec = 2000;
	unit.restart_delay_max_usec = 2000;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	s.want_running = false;          /* manager_shutdown */
	for (int i = 0; i < 20; i++)
		loop_run_once(loop, 1);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	service_done(&s);

	fake.spawns = 0;
	start_running(&t);
	fake.empty = false;              /* a child of the service lingers */
	service_on_exit(&t, &si);
	ck_assert_int_eq(t.state, SERVICE_RESTARTING);
	t.want_running = false;
	run_timers();
	fake.empty = true;
	service_on_empty(&t);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_int_ne(t.state, SERVICE_STARTING);
	service_done(&t);
}
END_TEST

START_TEST(leftovers_are_killed_before_respawn)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	start_running(&s);
	fake.empty = false;              /* a child of the service lingers */
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	ck_assert_int_ge(fake.kill_alls, 1);
	run_timers();
	ck_assert_int_eq(fake.spawns, 1);   /* not while the leaf is populated */
	fake.empty = true;
	service_on_empty(&s);
	ck_assert_int_eq(fake.spawns, 2);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	service_done(&s);
}
END_TEST

START_TEST(backoff_doubles_up_to_max)
{
	struct service s;
	siginfo_t si = exited(1);

	unit.restart_delay_usec = 100 * USEC_PER_MSEC;
	unit.restart_delay_max_usec = 300 * USEC_PER_MSEC;
	unit.start_limit_burst = 100;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_uint_eq(s.restart_delay, 200 * USEC_PER_MSEC);
	ck_assert(loop_timer_armed(&s.timer));
	loop_timer_cancel(loop, &s.timer);
	service_on_empty(&s);           /* timer gone: spawns */
	service_on_exit(&s, &si);
	ck_assert_uint_eq(s.restart_delay, 300 * USEC_PER_MSEC);
	service_done(&s);
}
END_TEST

/* s's watchdog is armed, due a whole interval after `from` or later. */
static void watchdog_armed_past(const struct service *s, uint64_t from)
{
	const struct loop_timer *t;

	ck_assert_ptr_nonnull(s->cold_timers);
	t = &s->cold_timers[SERVICE_WATCHDOG];
	ck_assert(loop_timer_armed(t));
	ck_assert_uint_ge(t->deadline, from + s->unit->watchdog_usec);
}

START_TEST(watchdog_kills_a_silent_service)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[128];

	unit.watchdog_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	/* Pinged: each ping puts the deadline a whole interval past it. Read
	 * from the timer, not raced against the clock: a loaded machine (the
	 * sanitizer tier beside others) held this process longer than 20 ms
	 * between two pings, and the watchdog fired with nothing wrong. */
	for (int i = 0; i < 4; i++) {
		uint64_t pinged = now_usec();

		service_on_watchdog(&s);
		watchdog_armed_past(&s, pinged);
	}
	ck_assert_int_eq(fake.kill_alls, 0);
	/* silent: killed, however long the wait takes */
	for (int i = 0; i < 500 && !fake.kill_alls; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 1);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "watchdog timeout (20ms without WATCHDOG=1), killed");
	ck_assert_int_eq(s.state, SERVICE_STARTING);   /* on-failure, delay 0 */
	service_done(&s);
}
END_TEST

START_TEST(bad_config_never_starts)
{
	struct service s;

	unit.bad = true;
	service_init(&s, &unit, &ops, loop);
	ck_assert_int_eq(s.state, SERVICE_BAD_CONFIG);
	service_start(&s);
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_BAD_CONFIG);
	ck_assert_int_eq(fake.spawns, 0);
	service_done(&s);
}
END_TEST

START_TEST(dependency_failure_fails_waiting_service)
{
	struct service s;
	char buf[128];

	service_init(&s, &unit, &ops, loop);
	service_start(&s);
	service_dep_failed(&s, "net", NULL);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "dependency net failed");
	service_done(&s);
}
END_TEST

START_TEST(spawn_failure_fails)
{
	struct service s;

	fake.spawn_error = -EAGAIN;
	service_init(&s, &unit, &ops, loop);
	service_start(&s);
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_SPAWN);
	service_done(&s);
}
END_TEST

/* issue 12: a notify unit that exits 0 before READY=1 (a daemon that forked
 * despite type = "notify") failed; it is not an operator's clean stop. */
START_TEST(notify_exit_before_ready_is_a_failure)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[256];

	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_NO;
	fake.empty = true;   /* the first one's leftovers: gone */
	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "exited before ready: exit 0");
	service_done(&s);
}
END_TEST

START_TEST(notify_exit_before_ready_hits_the_start_limit)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[256];

	unit.type = UNIT_NOTIFY;
	unit.start_limit_burst = 3;
	start_running(&s);
	for (int i = 0; i < 10 && s.state == SERVICE_STARTING; i++) {
		fake.empty = true;
		service_on_exit(&s, &si);   /* restart_delay 0: spawned at once */
	}
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(fake.spawns, 3);
	ck_assert_uint_eq(s.restarts, 3);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start limit hit (3 starts in 10.0s), last: exited before ready: exit 0");
	service_done(&s);
}
END_TEST

/* Pulled in by a dependent: not an operator's fresh start, so the start
 * limit window and the backoff are kept. */
START_TEST(pull_in_keeps_the_start_limit)
{
	struct service s;
	siginfo_t si = exited(0);

	unit.start_limit_burst = 2;
	unit.restart = UNIT_RESTART_NO;
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			start_running(&s);
		else {
			service_pull_in(&s);
			ck_assert_int_eq(s.state, SERVICE_WAITING);
			service_deps_ready(&s);
			service_on_exec(&s);
		}
		ck_assert_int_eq(s.state, SERVICE_RUNNING);
		fake.empty = true;
		service_on_exit(&s, &si);
		ck_assert_int_eq(s.state, SERVICE_EXITED);
	}
	service_pull_in(&s);
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_START_LIMIT);
	ck_assert_int_eq(fake.spawns, 2);
	service_done(&s);
}
END_TEST

START_TEST(dependency_failure_names_the_reason)
{
	struct service s;
	char buf[256];

	service_init(&s, &unit, &ops, loop);
	service_start(&s);
	service_dep_failed(&s, "redis", "exited before ready: exit 0");
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "dependency redis failed: exited before ready: exit 0");
	service_done(&s);
}
END_TEST

/* A running dependent stopped because its dependency failed ends failed,
 * with that reason, not "stopped" with the stop signal's exit. */
START_TEST(dependency_failure_stops_and_fails_a_running_service)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	start_running(&s);
	service_dep_failed(&s, "net", "exit 1");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "dependency net failed: exit 1");
	service_done(&s);
}
END_TEST

/* In its restart delay with leftovers of its run still dying, a unit whose
 * requirement failed goes through a stop: failed once they are gone, not
 * at once (a shutdown or a reload would not have waited for them). */
START_TEST(dependency_failure_in_the_restart_delay_waits_for_leftovers)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[256];

	unit.restart_delay_usec = 10 * USEC_PER_SEC;
	unit.restart_delay_max_usec = 10 * USEC_PER_SEC;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	fake.empty = false;   /* a child of the last run, still dying */
	service_dep_failed(&s, "net", "exit 1");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	ck_assert(service_is_active(&s));
	fake.empty = true;
	service_on_empty(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "dependency net failed: exit 1");
	service_done(&s);
}
END_TEST

/* issue 12: start_timeout. Run the loop until a signal was sent, at most
 * ~1 s. */
static void wait_for_signal(int n)
{
	for (int i = 0; i < 100 && fake.n_signals < n; i++)
		loop_run_once(loop, 10);
}

START_TEST(start_timeout_stops_a_silent_notify_unit)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_NO;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	wait_for_signal(1);
	ck_assert_int_eq(fake.n_signals, 1);
	ck_assert_int_eq(fake.signals[0], SIGTERM);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start timeout (20ms)");
	service_done(&s);
}
END_TEST

START_TEST(start_timeout_applies_the_restart_policy)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	wait_for_signal(1);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STARTING);   /* on-failure, delay 0 */
	ck_assert_uint_eq(s.restarts, 1);
	ck_assert_int_eq(fake.spawns, 2);
	service_on_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	/* ready in time: nothing more is sent */
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.n_signals, 1);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	service_done(&s);
}
END_TEST

/* A hung oneshot that ignores the stop signal: killed at the stop timeout,
 * and the reason is still the start timeout. */
START_TEST(start_timeout_of_a_hung_oneshot_kills_at_the_stop_timeout)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[256];

	unit.type = UNIT_ONESHOT;
	unit.restart = UNIT_RESTART_NO;
	unit.start_timeout_usec = 90 * USEC_PER_MSEC;
	unit.stop_timeout_usec = 10 * USEC_PER_MSEC;
	start_running(&s);
	wait_for_signal(1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	for (int i = 0; i < 100 && !fake.kill_alls; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 1);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start timeout (90ms)");
	service_done(&s);
}
END_TEST

/* EXTEND_TIMEOUT_USEC=: while starting, the start timeout ends no sooner
 * than the extension; never sooner than it would have; while stopping, the
 * stop timeout likewise; running, nothing. */
START_TEST(extend_timeout_pushes_the_start_and_stop_timeouts_back)
{
	struct service s;
	uint64_t before;

	/* 300ms: "sooner than it ends" holds unless the machine stalls that
	 * long between two calls (a loaded CI host stalls 20ms) */
	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 300 * USEC_PER_MSEC;
	unit.stop_timeout_usec = 300 * USEC_PER_MSEC;
	start_running(&s);
	before = s.timer.deadline;
	service_on_extend_timeout(&s, 1);   /* sooner than it ends: nothing */
	ck_assert_uint_eq(s.timer.deadline, before);
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	ck_assert_uint_ge(s.timer.deadline, before + 9 * 1000 * USEC_PER_MSEC);
	while (now_usec() < before + 50 * USEC_PER_MSEC)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.n_signals, 0);   /* past 300ms, not stopped */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	service_on_ready(&s);
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);   /* running */
	ck_assert(!loop_timer_armed(&s.timer));
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	before = s.timer.deadline;
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	ck_assert_uint_ge(s.timer.deadline, before + 9 * 1000 * USEC_PER_MSEC);
	while (now_usec() < before + 50 * USEC_PER_MSEC)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 0);   /* past 300ms, not killed */
	service_done(&s);
}
END_TEST

/* A start that the service extended and that still timed out says so in
 * its reason: the unit's start_timeout alone is not what it was given. */
START_TEST(extend_timeout_start_reason_says_extended)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[128];

	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	unit.stop_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	service_on_extend_timeout(&s, 40 * USEC_PER_MSEC);
	for (int i = 0; i < 100 && s.state == SERVICE_STARTING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start timeout (20ms, extended by the service)");
	service_done(&s);
}
END_TEST

/* EXTEND_TIMEOUT_USEC= while stopping: the stop timeout is never made
 * shorter; each extension pushes it back from now; once one runs out
 * with no other, the leaf is killed as at any stop timeout. */
START_TEST(extend_timeout_stop_is_a_deadline)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	uint64_t before, pushed;
	char text[512];

	/* times far apart: a stall of up to 200ms between two calls (a loaded
	 * CI host) changes no verdict */
	unit.stop_timeout_usec = 300 * USEC_PER_MSEC;
	start_running(&s);
	fake.empty = false;
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	before = s.timer.deadline;
	service_on_extend_timeout(&s, 1);   /* sooner than it ends: nothing */
	ck_assert_uint_eq(s.timer.deadline, before);
	service_on_extend_timeout(&s, 600 * USEC_PER_MSEC);
	pushed = s.timer.deadline;
	ck_assert_uint_ge(pushed, before + 300 * USEC_PER_MSEC);
	service_on_extend_timeout(&s, 400 * USEC_PER_MSEC);   /* a shorter one later */
	ck_assert_uint_eq(s.timer.deadline, pushed);
	log_catch();
	for (int i = 0; i < 300 && !fake.kill_alls; i++)
		loop_run_once(loop, 10);
	log_caught(text, sizeof(text));
	ck_assert_int_eq(fake.kill_alls, 1);   /* at the extension's end */
	/* the log says how long it was given, not only the unit's 300ms */
	ck_assert_msg(strstr(text, "not stopped within its stop timeout (300ms), which it "
			     "extended (EXTEND_TIMEOUT_USEC=) to ") &&
		      strstr(text, "s in all: killing it"), "%s", text);
	ck_assert_uint_ge(now_usec(), pushed);
	ck_assert(s.stop_timed_out);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	service_done(&s);
}
END_TEST

/* Once the stop timeout ran out (or a shutdown killed the leaf), the kill
 * is sent: an extension then asks for nothing, and the timer that a
 * shutdown's kill left armed is not pushed back. */
START_TEST(extend_timeout_stop_after_the_kill_is_ignored)
{
	struct service s;

	unit.stop_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	fake.empty = false;
	service_stop(&s);
	service_kill_at_shutdown(&s);
	ck_assert_int_eq(fake.kill_alls, 1);
	ck_assert(loop_timer_armed(&s.timer));
	ck_assert_uint_le(s.timer.deadline, now_usec() + 20 * USEC_PER_MSEC);
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	ck_assert_uint_le(s.timer.deadline, now_usec() + 20 * USEC_PER_MSEC);
	service_done(&s);
}
END_TEST

/* stop timeout "0" kills at once (initd.unit(5)): as start_timeout 0,
 * there is nothing to extend. The timer armed for now was pushed back by
 * an extension that came before it fired (a SIGTERM handler's first
 * sd_notify), and the stop waited. */
START_TEST(extend_timeout_stop_zero_kills_at_once)
{
	struct service s;

	unit.stop_timeout_usec = 0;
	start_running(&s);
	fake.empty = false;
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	run_timers();
	ck_assert_int_eq(fake.kill_alls, 1);
	service_done(&s);
}
END_TEST

/* Stopped, or waiting to restart (s->timer is then the restart delay):
 * an extension from what is left of the run is not a stop's, and the
 * restart comes at its time. */
START_TEST(extend_timeout_ignored_outside_start_and_stop)
{
	struct service s;
	siginfo_t si = exited(1);
	uint64_t before;

	unit.restart_delay_usec = 20 * USEC_PER_MSEC;
	unit.restart_delay_max_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	before = s.timer.deadline;
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	ck_assert_uint_eq(s.timer.deadline, before);
	for (int i = 0; i < 100 && fake.spawns < 2; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.spawns, 2);
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	si = killed(SIGTERM);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	service_on_extend_timeout(&s, 10 * 1000 * USEC_PER_MSEC);
	ck_assert(!loop_timer_armed(&s.timer));
	service_done(&s);
}
END_TEST

START_TEST(start_timeout_zero_waits_for_ever)
{
	struct service s;

	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 0;
	start_running(&s);
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.n_signals, 0);
	ck_assert(!loop_timer_armed(&s.timer));
	service_done(&s);
}
END_TEST

/* issue 12: success_exit. dropbear exits 1 on SIGTERM: with 1 listed that is
 * a clean exit, and on-failure does not restart it. */
START_TEST(success_exit_code_is_clean)
{
	struct service s;
	siginfo_t si = exited(1);
	char buf[64];

	unit_opt.success_exit_codes[0] = 1ULL << 1;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "exit 1");
	/* not listed: still a failure */
	si = exited(2);
	service_start(&s);
	service_deps_ready(&s);
	service_on_exec(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STARTING);   /* restarted */
	service_done(&s);
}
END_TEST

START_TEST(success_exit_signal_is_clean)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	unit_opt.success_exit_signals = 1ULL << (SIGTERM - 1);
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	ck_assert_int_eq(fake.spawns, 1);
	service_done(&s);
}
END_TEST

/* A notify unit that exits with a success status before READY=1 still
 * failed: it never came up. */
START_TEST(success_exit_does_not_excuse_an_exit_before_ready)
{
	struct service s;
	siginfo_t si = exited(1);

	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_NO;
	unit_opt.success_exit_codes[0] = 1ULL << 1;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	service_done(&s);
}
END_TEST

/* issue 12: an OOM kill of another process in the cgroup while the main
 * process lives does not overwrite the last exit. */
START_TEST(oom_kill_of_a_child_keeps_the_last_exit)
{
	struct service s;
	siginfo_t si = exited(3);
	char buf[64];

	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);        /* exit 3: restarted at once */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	service_on_exec(&s);
	service_on_oom(&s, true);        /* a worker was OOM-killed; main lives */
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "exit 3");
	/* the main process then exits on its own: its exit, not oom-kill */
	si = exited(2);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "exit 2");
	service_done(&s);
}
END_TEST

START_TEST(oom_kill_of_the_main_process_reads_oom_kill)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[64];

	start_running(&s);
	service_on_oom(&s, false);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "oom-kill");
	service_done(&s);
}
END_TEST

/* The kernel counts an OOM kill before it sends the SIGKILL (mm/oom_kill.c):
 * initd may read the count while the victim, the main process, is not
 * dying yet. Its SIGKILL death right after is still the OOM kill's. */
START_TEST(oom_count_read_before_the_signal_reads_oom_kill)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[64];

	start_running(&s);
	service_on_oom(&s, true);        /* read while the main process looked alive */
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "oom-kill");
	service_done(&s);
}
END_TEST

/* A child OOM-killed while the main process lived, and the main process
 * killed by SIGKILL later (svctl kill --main KILL, kill -9): a signal, not
 * oom-kill. */
START_TEST(sigkill_long_after_a_childs_oom_kill_reads_signal)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[64];

	start_running(&s);
	service_on_oom(&s, true);
	s.oom_at -= SERVICE_OOM_SIGNAL_USEC + 1;   /* the count, long before */
	s.started_at = s.oom_at - 1;
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)), "signal KILL (137)");
	service_done(&s);
}
END_TEST

/* A restart (svctl restart, or a start while the operator's stop runs)
 * reads as one: "stopped by svctl" beside a running unit read as if it
 * were down. */
START_TEST(operator_restart_reads_restarted_by_svctl)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[64];

	start_running(&s);
	service_restart_by_operator(&s);
	service_start(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "restarted by svctl");
	service_done(&s);
}
END_TEST

/* An operator's stop reads as one, not as the stop signal's exit. */
START_TEST(operator_stop_reads_stopped_by_svctl)
{
	struct service s;
	siginfo_t si = exited(1);   /* dropbear on SIGTERM */
	char buf[64];

	start_running(&s);
	service_stop_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stopped by svctl");
	service_done(&s);
}
END_TEST

/* An operator's stop while a start timeout is stopping the service: it ends
 * stopped, as asked, not failed. */
START_TEST(operator_stop_during_a_start_timeout_ends_stopped)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	wait_for_signal(1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	service_stop_by_operator(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, 1);
	service_done(&s);
}
END_TEST

/* ---- forking ---------------------------------------------------------------------- */

/* A forking unit spawned and exec'd: its starter runs. */
static void start_forking(struct service *s)
{
	unit.type = UNIT_FORKING;
	service_init(s, &unit, &ops, loop);
	service_start(s);
	service_deps_ready(s);
	service_on_exec(s);
	fake.empty = false;   /* the starter and its daemon */
}

/* Running only once the starter exited 0 and the daemon was found; the
 * daemon's pid is then the main one, and its death a crash. */
START_TEST(forking_ready_once_starter_exited_and_main_found)
{
	struct service s;
	siginfo_t si = exited(0);

	fake.find_result = 1;
	start_forking(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert(!service_is_ready(&s));
	ck_assert_int_eq(fake.find_calls, 0);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(fake.find_calls, 1);
	ck_assert_int_eq(s.pid, 2000);
	ck_assert_int_eq(s.starter_pid, 1001);
	ck_assert_int_eq(fake.kill_alls, 0);   /* the daemon is left alone */
	ck_assert_int_eq(fake.main_ends, 0);   /* its group too: the starter handed on */
	si = killed(SIGKILL);
	fake.empty = true;
	service_on_exit(&s, &si);              /* restart on-failure, no delay */
	ck_assert_int_eq(fake.main_ends, 1);   /* the daemon's end is the main's */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.spawns, 2);
	ck_assert_uint_eq(s.restarts, 1);
	ck_assert_int_eq(s.last_exit.kind, EXIT_SIGNAL);
	service_done(&s);
}
END_TEST

/* No pidfile: the one process its leaf held, taken for the daemon, was a
 * double fork's middle; its exit 0 with one process left hands on to that
 * one (the old code: the service exited). With a pidfile, or with nothing
 * left, an exit is an exit. */
START_TEST(forking_middle_exit_hands_on_to_the_one_left)
{
	struct service s;
	siginfo_t si = exited(0);

	fake.find_result = 1;
	start_forking(&s);
	service_on_exit(&s, &si);                  /* the starter: the middle found */
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(fake.find_calls, 1);
	ck_assert(!service_on_exit(&s, &si));     /* the middle, exit 0: the daemon left */
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(fake.find_calls, 2);
	ck_assert_int_eq(s.pid, 2000);
	/* once only: the daemon's own exit 0, a helper left, is an exit */
	ck_assert(service_on_exit(&s, &si));
	ck_assert_int_eq(fake.find_calls, 2);
	ck_assert_int_ne(s.state, SERVICE_RUNNING);
	service_done(&s);

	memset(&fake, 0, sizeof(fake));
	fake.empty = true;   /* as setup() leaves it: the new start's leaf */
	fake.find_result = 1;
	unit.pidfile = "/run/d.pid";
	start_forking(&s);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert(service_on_exit(&s, &si));      /* named by its pid file: an exit */
	ck_assert_int_eq(fake.find_calls, 1);
	service_done(&s);
}
END_TEST

/* No pid file yet: looked for again from a timer until it is there. */
START_TEST(forking_looks_again_until_the_pid_file_appears)
{
	struct service s;
	siginfo_t si = exited(0);

	fake.find_result = 0;
	start_forking(&s);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(s.pid, 0);
	for (int i = 0; i < 100 && fake.find_calls < 3; i++)
		loop_run_once(loop, 10);
	ck_assert_int_ge(fake.find_calls, 3);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	fake.find_result = 1;
	for (int i = 0; i < 200 && s.state == SERVICE_STARTING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(s.pid, 2000);
	service_done(&s);
}
END_TEST

/* Waiting for the pid file when the leaf empties (the daemon died before
 * writing it): looked for at once, not at the next poll (up to 1 s away),
 * and find_main's refusal fails the start. The old code waited for the
 * poll, and for start_timeout if the file never came. */
START_TEST(forking_empty_leaf_looks_again_at_once)
{
	struct service s;
	siginfo_t si = exited(0);

	unit.restart = UNIT_RESTART_NO;
	unit.pidfile = "/run/d.pid";
	fake.find_result = 0;
	start_forking(&s);
	service_on_exit(&s, &si);
	ck_assert_int_eq(fake.find_calls, 1);
	s.main_poll_delay = SERVICE_MAIN_POLL_MAX;   /* the poll is far away */
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	int calls = fake.find_calls;
	fake.find_result = -ESRCH;
	fake.empty = true;
	service_on_empty(&s);
	ck_assert_int_eq(fake.find_calls, calls + 1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	for (int i = 0; i < 100 && s.state == SERVICE_STOPPING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_MAIN_REFUSED);
	service_done(&s);
}
END_TEST

/* A starter that fails is a start failure with its status; nobody looks
 * for a daemon. */
START_TEST(forking_starter_failure_is_a_start_failure)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[128];

	unit.restart = UNIT_RESTART_NO;
	unit_opt.success_exit_codes[0] = 1ULL << 3;   /* not for a starter */
	fake.find_result = 1;
	start_forking(&s);
	si = exited(3);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(fake.find_calls, 0);
	ck_assert_int_ge(fake.kill_alls, 1);      /* what it left is killed */
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "exited before ready: exit 3");
	service_done(&s);
}
END_TEST

/* A refused daemon: what the starter left is killed, and the start fails
 * with the reason; the restart policy applies. */
START_TEST(forking_refused_main_fails_with_the_reason)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[160];

	unit.restart = UNIT_RESTART_NO;
	fake.find_result = -EPERM;
	start_forking(&s);
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	ck_assert_int_eq(fake.n_signals, 0);      /* no main process to signal */
	run_timers();
	ck_assert_int_ge(fake.kill_alls, 1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_empty(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "no main process: pid file /run/d.pid names 1: PID 1");
	service_done(&s);

	unit.restart = UNIT_RESTART_ON_FAILURE;
	unit.restart_delay_usec = unit.restart_delay_max_usec = 10 * USEC_PER_SEC;
	start_forking(&s);
	service_on_exit(&s, &si);
	fake.empty = true;                        /* nothing left: ends at once */
	run_timers();
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	ck_assert_int_eq(s.last_exit.kind, EXIT_MAIN_REFUSED);
	service_done(&s);
}
END_TEST

/* The pid file never appears: start_timeout ends the start. */
START_TEST(forking_start_timeout_while_the_pid_file_is_missing)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[64];

	unit.restart = UNIT_RESTART_NO;
	unit.start_timeout_usec = 30 * USEC_PER_MSEC;
	fake.find_result = 0;
	start_forking(&s);
	service_on_exit(&s, &si);
	for (int i = 0; i < 200 && s.state == SERVICE_STARTING; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	run_timers();
	ck_assert_int_ge(fake.kill_alls, 1);
	fake.empty = true;
	service_on_empty(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start timeout (30ms)");
	service_done(&s);
}
END_TEST

/* svctl stop while the pid file is awaited: stopped, as asked. */
START_TEST(forking_operator_stop_before_the_main_is_found)
{
	struct service s;
	siginfo_t si = exited(0);
	char buf[64];

	fake.find_result = 0;
	start_forking(&s);
	service_on_exit(&s, &si);
	service_stop_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	run_timers();
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stopped by svctl");
	service_done(&s);
}
END_TEST

/* ---- the transition table (service_transitions) ------------------------------ */

/* Each walk starts afresh: a new service of a unit reset to the fixture's,
 * the leaf empty; `walked` keeps what every walk did. */
static unsigned walk_outside;   /* service_transitions_outside_table then */

static void walk_begin(struct service *s)
{
	walk_outside = service_transitions_outside_table;
	unit_reset();
	fake.empty = true;
	fake.spawn_error = 0;
	fake.n_signals = 0;
	service_init(s, &unit, &ops, loop);
}

static void walk_end(struct service *s)
{
	ck_assert_uint_eq(service_transitions_outside_table, walk_outside);
	service_done(s);
}

/* stopped, waiting, starting, running, restarting, starting, running,
 * stopping, stopped. */
static void walk_crash_and_stop(void)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	walk_begin(&s);
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);              /* restarted at once: no delay */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	service_on_exec(&s);
	service_stop(&s);
	si = killed(SIGTERM);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	walk_end(&s);
}

/* A notify unit that exits before READY=1, no restart: starting, failed;
 * then started again, failed to waiting. */
static void walk_fail_while_starting(void)
{
	struct service s;
	siginfo_t si = exited(1);

	walk_begin(&s);
	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_NO;
	service_start(&s);
	service_deps_ready(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	service_start(&s);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	walk_end(&s);
}

/* A oneshot: starting, exited; started again: waiting. */
static void walk_oneshot(void)
{
	struct service s;
	siginfo_t si = exited(0);

	walk_begin(&s);
	unit.type = UNIT_ONESHOT;
	service_start(&s);
	service_deps_ready(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	service_start(&s);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	walk_end(&s);
}

/* Exits before exec with a restart delay: starting, restarting; stopped
 * there, the leaf empty (stopped) or not (stopping). */
static void walk_stop_while_restarting(bool empty)
{
	struct service s;
	siginfo_t si = exited(1);

	walk_begin(&s);
	unit.restart_delay_usec = unit.restart_delay_max_usec = 10 * USEC_PER_SEC;
	service_start(&s);
	service_deps_ready(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	fake.empty = empty;
	service_stop(&s);
	ck_assert_int_eq(s.state, empty ? SERVICE_STOPPED : SERVICE_STOPPING);
	walk_end(&s);
}

/* A running service without restart ends: exited (status 0) or failed. */
static void walk_running_ends(int code)
{
	struct service s;
	siginfo_t si = exited(code);

	walk_begin(&s);
	unit.restart = UNIT_RESTART_NO;
	fake.empty = true;   /* the first one's leftovers: gone */
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, code == 0 ? SERVICE_EXITED : SERVICE_FAILED);
	walk_end(&s);
}

/* Stopped while starting and started again meanwhile: stopping, waiting. */
static void walk_restart_while_starting(void)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	walk_begin(&s);
	service_start(&s);
	service_deps_ready(&s);
	service_stop(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	service_start(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	walk_end(&s);
}

/* A required unit fails while running: stopping, failed. */
static void walk_dependency_stops(void)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	walk_begin(&s);
	start_running(&s);
	service_dep_failed(&s, "db", NULL);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	walk_end(&s);
}

/* Waiting, then: a required unit fails (failed), stopped with an empty
 * leaf (stopped), stopped with leftovers (stopping). */
static void walk_waiting_ends(int how)
{
	struct service s;

	walk_begin(&s);
	service_start(&s);
	if (how == 0) {
		service_dep_failed(&s, "db", NULL);
		ck_assert_int_eq(s.state, SERVICE_FAILED);
	} else {
		fake.empty = how == 1;
		service_stop(&s);
		ck_assert_int_eq(s.state, how == 1 ? SERVICE_STOPPED : SERVICE_STOPPING);
	}
	walk_end(&s);
}

/* Burst 1: the restart after a crash hits the start limit: restarting,
 * waiting, failed. */
static void walk_start_limit(void)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	walk_begin(&s);
	unit.start_limit_burst = 1;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_int_eq(s.last_exit.kind, EXIT_START_LIMIT);
	walk_end(&s);
}

/* An operator's stop that waits for the units requiring it, and an exit
 * meanwhile, from starting and from running: stopped, not failed. */
static void walk_exit_while_stop_waits(bool running)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);
	int spawns;

	walk_begin(&s);
	if (running)
		start_running(&s);
	else {
		service_start(&s);
		service_deps_ready(&s);
	}
	service_stop_later(&s);
	spawns = fake.spawns;
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, spawns);   /* no restart */
	walk_end(&s);
}

/* A required unit fails while the unit waits out its restart delay:
 * restarting, failed. */
static void walk_dependency_fails_while_restarting(void)
{
	struct service s;
	siginfo_t si = killed(SIGSEGV);

	walk_begin(&s);
	unit.restart_delay_usec = 10 * USEC_PER_SEC;
	unit.restart_delay_max_usec = 10 * USEC_PER_SEC;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	service_dep_failed(&s, "db", "failed");
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	walk_end(&s);
}

/* Not ready within start_timeout, restart on failure: starting, stopping,
 * restarting. */
static void walk_start_timeout(void)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	walk_begin(&s);
	unit.type = UNIT_NOTIFY;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	unit.restart_delay_usec = unit.restart_delay_max_usec = 10 * USEC_PER_SEC;
	service_start(&s);
	service_deps_ready(&s);
	wait_for_signal(1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	walk_end(&s);
}

/* A reload makes the unit bad in each inactive state, and fixes it. */
static void walk_reload_bad(enum service_state from)
{
	struct service s;
	struct unit bad;
	siginfo_t si = exited(from == SERVICE_EXITED ? 0 : 1);

	walk_begin(&s);
	bad = unit;
	bad.bad = true;
	if (from != SERVICE_STOPPED) {
		unit.restart = UNIT_RESTART_NO;
		service_start(&s);
	}
	if (from == SERVICE_EXITED || from == SERVICE_FAILED) {
		service_deps_ready(&s);
		service_on_exec(&s);
		fake.empty = true;
	service_on_exit(&s, &si);
	}
	ck_assert_int_eq(s.state, from);
	service_replace_unit(&s, &bad);
	ck_assert_int_eq(s.state, SERVICE_BAD_CONFIG);
	service_replace_unit(&s, &unit);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	walk_end(&s);
}

/* A unit not started whose cgroup leaf the kernel refused after the pass
 * (manager_cgroup_idle_leaves): stopped, failed, through the table. */
static void walk_setup_refused(void)
{
	struct service s;

	walk_begin(&s);
	service_setup_refused(&s);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	walk_end(&s);
}

/* ---- probes (issue 15) ----------------------------------------------------- */

static char *argv_probe[] = { "/bin/check", NULL };

static void ready_probe(enum unit_probe_kind kind)
{
	unit_opt.ready = (struct unit_probe){
		.kind = kind, .target = kind == UNIT_PROBE_EXEC ? NULL : "127.0.0.1:80",
		.exec = kind == UNIT_PROBE_EXEC ? argv_probe : NULL,
		.interval_usec = 10 * USEC_PER_MSEC, .timeout_usec = USEC_PER_SEC,
	};
}

static void health_probe(unsigned failures)
{
	unit_opt.health = (struct unit_probe){
		.kind = UNIT_PROBE_EXEC, .exec = argv_probe, .failures = failures,
		.interval_usec = 10 * USEC_PER_MSEC, .timeout_usec = USEC_PER_SEC,
	};
}

/* A forking unit with a ready probe is still starting, its probe
 * running, when a double fork's middle (taken for the daemon) exits 0:
 * handed on as while running (the old hand-over looked at running only,
 * and the daemon was killed with the exit). */
START_TEST(forking_middle_exit_while_its_ready_probe_runs)
{
	struct service s;
	siginfo_t si = exited(0);

	ready_probe(UNIT_PROBE_TCP);
	fake.find_result = 1;
	start_forking(&s);
	service_on_exit(&s, &si);                  /* the starter: the middle found */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert(!service_on_exit(&s, &si));     /* the middle */
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.find_calls, 2);
	ck_assert_int_eq(fake.kill_alls, 0);
	ck_assert_int_eq(s.pid, 2000);
	service_done(&s);
}
END_TEST

/* Run the loop until probe_start was called n times in all, at most ~1 s. */
static void wait_for_probes(int n)
{
	for (int i = 0; i < 100 && fake.probes < n; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.probes, n);
}

START_TEST(ready_probe_holds_starting_until_it_succeeds)
{
	struct service s;

	ready_probe(UNIT_PROBE_TCP);
	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);   /* exec is not enough */
	ck_assert_int_eq(fake.probes, 1);              /* probed at once */
	ck_assert_ptr_eq(fake.probing, &unit_opt.ready);
	ck_assert(!service_is_ready(&s));
	service_on_probe(&s, false, "tcp 127.0.0.1:80: connection refused");
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_str_eq(s.probe_why, "tcp 127.0.0.1:80: connection refused");
	wait_for_probes(2);                            /* again, an interval later */
	service_on_probe(&s, true, "");
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert(service_is_ready(&s));
	/* no health probe: nothing more is probed */
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.probes, 2);
	service_done(&s);
}
END_TEST

/* notify + ready: READY=1 first, then the probe; both are needed. */
START_TEST(notify_with_ready_probe_needs_both)
{
	struct service s;

	unit.type = UNIT_NOTIFY;
	ready_probe(UNIT_PROBE_EXEC);
	start_running(&s);
	ck_assert_int_eq(fake.probes, 0);
	service_on_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.probes, 1);
	service_on_probe(&s, true, "");
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	service_done(&s);
}
END_TEST

START_TEST(start_timeout_bounds_a_ready_probe)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	unit.restart = UNIT_RESTART_NO;
	unit.start_timeout_usec = 30 * USEC_PER_MSEC;
	ready_probe(UNIT_PROBE_TCP);
	start_running(&s);
	service_on_probe(&s, false, "tcp 127.0.0.1:80: connection refused");
	wait_for_signal(1);
	ck_assert_int_eq(fake.signals[0], SIGTERM);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_FAILED);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "start timeout (30ms), ready probe: tcp 127.0.0.1:80: connection refused");
	service_done(&s);
}
END_TEST

/* A probe failing before it decides anything is said (svctl status
 * showed "-" for a unit starting for ever on its ready probe, and nothing
 * of a health probe failing below its failures): the ready probe's tries,
 * the health probe's count of its failures; nothing once it passed. */
START_TEST(a_failing_probe_is_said_before_it_decides)
{
	struct service s;
	char buf[256];

	ready_probe(UNIT_PROBE_TCP);
	health_probe(3);
	start_running(&s);
	ck_assert_ptr_null(service_probe_failing_to_string(&s, buf, sizeof(buf)));
	service_on_probe(&s, false, "tcp 127.0.0.1:80: connection refused");
	ck_assert_str_eq(service_probe_failing_to_string(&s, buf, sizeof(buf)),
			 "ready probe failing (1 try): tcp 127.0.0.1:80: connection refused");
	wait_for_probes(2);
	service_on_probe(&s, false, "tcp 127.0.0.1:80: connection refused");
	ck_assert_str_eq(service_probe_failing_to_string(&s, buf, sizeof(buf)),
			 "ready probe failing (2 tries): tcp 127.0.0.1:80: connection refused");
	wait_for_probes(3);
	service_on_probe(&s, true, "");
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_ptr_null(service_probe_failing_to_string(&s, buf, sizeof(buf)));
	wait_for_probes(4);
	service_on_probe(&s, false, "exec exited 1");
	ck_assert_str_eq(service_probe_failing_to_string(&s, buf, sizeof(buf)),
			 "health probe failing (1 of 3): exec exited 1");
	service_suspend(&s, true);      /* frozen: no probe runs */
	ck_assert_ptr_null(service_probe_failing_to_string(&s, buf, sizeof(buf)));
	service_suspend(&s, false);     /* thawed: counted afresh */
	ck_assert_ptr_null(service_probe_failing_to_string(&s, buf, sizeof(buf)));
	wait_for_probes(5);
	service_on_probe(&s, false, "exec exited 1");
	wait_for_probes(6);
	service_on_probe(&s, false, "exec exited 2");
	ck_assert_str_eq(service_probe_failing_to_string(&s, buf, sizeof(buf)),
			 "health probe failing (2 of 3): exec exited 2");
	wait_for_probes(7);
	service_on_probe(&s, true, "");  /* a pass: its failure is past */
	ck_assert_ptr_null(service_probe_failing_to_string(&s, buf, sizeof(buf)));
	service_done(&s);
}
END_TEST

START_TEST(health_failures_in_a_row_restart)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	health_probe(3);
	start_running(&s);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(fake.probes, 0);             /* one interval after ready */
	wait_for_probes(1);
	ck_assert_ptr_eq(fake.probing, &unit_opt.health);
	service_on_probe(&s, false, "exec exited 1");
	wait_for_probes(2);
	service_on_probe(&s, true, "");               /* a success resets the count */
	wait_for_probes(3);
	service_on_probe(&s, false, "exec exited 1");
	wait_for_probes(4);
	service_on_probe(&s, false, "exec exited 1");
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	wait_for_probes(5);
	service_on_probe(&s, false, "exec exited 2");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	ck_assert_int_eq(fake.signals[0], SIGTERM);
	ck_assert_int_eq(fake.signals[1], SIGCONT);   /* a stopped process sees it */
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STARTING);  /* on-failure, delay 0 */
	ck_assert_uint_eq(s.restarts, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "health check failed: exec exited 2");
	service_done(&s);
}
END_TEST

/* svctl start while the health probe's stop is under way: once down the
 * unit comes back as a fresh start (restart = "no" would fail it), and its
 * reason is still the probe's failure until it runs again. */
START_TEST(operator_start_during_a_health_stop_brings_it_back)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	unit.restart = UNIT_RESTART_NO;
	health_probe(1);
	start_running(&s);
	wait_for_probes(1);
	service_on_probe(&s, false, "exec exited 2");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	service_start_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	ck_assert(s.want_running);
	ck_assert_uint_eq(s.restarts, 0);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "health check failed: exec exited 2");
	service_done(&s);
}
END_TEST

/* An operator's stop waiting for the units that require the unit
 * (service_stop_later): its start timeout, or its health probe failing,
 * meanwhile is the stop the operator asked for, ending it stopped, "stopped
 * by svctl", not failed (no restart, no failure action); the old code
 * failed it. */
START_TEST(start_timeout_while_a_stop_waits_ends_stopped)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_ALWAYS;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	start_running(&s);
	service_stop_later(&s);
	wait_for_signal(1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stopped by svctl");
	service_done(&s);
}
END_TEST

START_TEST(health_failure_while_a_stop_waits_ends_stopped)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);
	char buf[256];

	unit.restart = UNIT_RESTART_ALWAYS;
	health_probe(1);
	start_running(&s);
	service_stop_later(&s);
	wait_for_probes(1);
	service_on_probe(&s, false, "exec exited 2");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stopped by svctl");
	service_done(&s);
}
END_TEST

/* The shutdown's time is up while a unit stops for a failure of its own
 * (here its start timeout, a stop signal it ignores): killed, it ends
 * stopped, "stop timeout, killed", not failed, as initd.conf(5) says of
 * whatever the shutdown kills (the old code failed it, "start timeout"). */
START_TEST(killed_at_shutdown_while_stopping_for_a_failure_ends_stopped)
{
	struct service s;
	siginfo_t si = killed(SIGKILL);
	char buf[256];

	unit.type = UNIT_NOTIFY;
	unit.restart = UNIT_RESTART_ALWAYS;
	unit.start_timeout_usec = 20 * USEC_PER_MSEC;
	unit.stop_timeout_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	wait_for_signal(1);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	s.want_running = false;   /* manager_shutdown */
	service_kill_at_shutdown(&s);
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	ck_assert_int_eq(fake.spawns, 1);
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "stop timeout, killed");
	service_done(&s);
}
END_TEST

/* svctl start of a unit waiting out its restart backoff: a fresh start
 * now, as of a failed unit (initd.unit(5) start_limit: "the count begins
 * again at an operator's start"), not a wait of up to restart_delay_max
 * with the old count (the old code only set want_running). */
START_TEST(operator_start_in_backoff_is_a_fresh_start_now)
{
	struct service s;
	siginfo_t si = exited(1);

	unit.restart = UNIT_RESTART_ALWAYS;
	unit.restart_delay_usec = unit.restart_delay_max_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	ck_assert_uint_eq(s.limit_count, 1);
	fake.hold_restarts = true;   /* the pass's turn, below */
	service_start_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	ck_assert(s.want_running);
	ck_assert(s.restarted);   /* as the restart it cuts short: held by its
	                           * required units, not by those it comes after */
	ck_assert(!loop_timer_armed(&s.timer));
	ck_assert_uint_eq(s.limit_count, 0);
	ck_assert_uint_eq(s.restart_delay, unit.restart_delay_usec);
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.spawns, 2);
	service_done(&s);
}
END_TEST

/* The same with leftovers of the last run still in its leaf: they are
 * killed, and it starts once the leaf is empty, waiting meanwhile. */
START_TEST(operator_start_in_backoff_waits_for_leftovers)
{
	struct service s;
	siginfo_t si = exited(1);

	unit.restart = UNIT_RESTART_ALWAYS;
	unit.restart_delay_usec = unit.restart_delay_max_usec = 60 * USEC_PER_SEC;
	start_running(&s);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_RESTARTING);
	fake.empty = false;
	fake.kill_alls = 0;
	fake.hold_restarts = true;   /* the pass's turn, below */
	service_start_by_operator(&s);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	ck_assert(s.restarted);
	ck_assert(!loop_timer_armed(&s.timer));
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	ck_assert_int_eq(fake.kill_alls, 1);
	ck_assert_int_eq(fake.spawns, 1);
	fake.empty = true;
	service_on_empty(&s);
	service_deps_ready(&s);
	ck_assert_int_eq(s.state, SERVICE_STARTING);
	ck_assert_int_eq(fake.spawns, 2);
	ck_assert_uint_eq(s.limit_count, 1);   /* this start, the first of a new count */
	service_done(&s);
}
END_TEST

/* Frozen (issue 17): a frozen process can neither pet its watchdog nor
 * answer a probe. Suspended, neither fires nor runs however long; resumed,
 * both start afresh: a whole watchdog interval, the next probe an interval
 * out, the failure count from zero. The state stays running throughout. */
START_TEST(suspended_service_trips_neither_watchdog_nor_probe)
{
	struct service s;
	uint64_t thawed;

	/* A minute: nothing before the freeze may trip it, however long a
	 * loaded machine holds this process (30 ms once did); that a silent
	 * service is killed at its deadline is watchdog_kills_a_silent_service's. */
	unit.watchdog_usec = 60 * USEC_PER_SEC;
	health_probe(1);
	start_running(&s);
	wait_for_probes(1);
	service_suspend(&s, true);
	ck_assert_int_eq(fake.probe_cancels, 1);      /* the running one is killed */
	ck_assert(!loop_timer_armed(&s.cold_timers[SERVICE_WATCHDOG]));
	service_on_probe(&s, false, "timed out");     /* a late verdict: dropped */
	for (int i = 0; i < 20; i++)                   /* 200ms: past the probe's */
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.kill_alls, 0);
	ck_assert_int_eq(fake.probes, 1);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	service_on_watchdog(&s);                       /* does not re-arm it */
	ck_assert(!loop_timer_armed(&s.cold_timers[SERVICE_WATCHDOG]));
	thawed = now_usec();
	service_suspend(&s, false);
	/* the watchdog runs again, a whole interval from the thaw */
	watchdog_armed_past(&s, thawed);
	wait_for_probes(2);
	service_on_probe(&s, true, "");
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_int_eq(fake.kill_alls, 0);
	service_done(&s);
}
END_TEST

/* Leaving running kills a probe that runs; its late verdict changes nothing. */
START_TEST(stop_cancels_a_running_probe)
{
	struct service s;
	siginfo_t si = killed(SIGTERM);

	health_probe(1);
	start_running(&s);
	wait_for_probes(1);
	service_stop(&s);
	ck_assert_int_eq(fake.probe_cancels, 1);
	service_on_probe(&s, false, "late");
	ck_assert_int_eq(s.state, SERVICE_STOPPING);
	fake.empty = true;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_STOPPED);
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(fake.probes, 1);
	service_done(&s);
}
END_TEST

/* Too many probes running: not counted, tried at the next interval. */
START_TEST(busy_probe_is_not_a_failure)
{
	struct service s;

	health_probe(1);
	fake.probe_error = -EBUSY;
	start_running(&s);
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	fake.probe_error = 0;
	wait_for_probes(1);
	service_done(&s);
}
END_TEST

/* The check's process refused by its cgroup (probe.h, PROBE_NOT_RUN):
 * not counted either, tried at the next interval. */
START_TEST(probe_not_run_is_not_a_failure)
{
	struct service s;

	health_probe(1);
	start_running(&s);
	wait_for_probes(1);
	service_on_probe_not_run(&s);
	ck_assert_int_eq(s.state, SERVICE_RUNNING);
	ck_assert_ptr_null(s.probe_why);
	wait_for_probes(2);
	service_on_probe(&s, false, "exec exited 1");   /* a real failure still counts */
	ck_assert_int_ne(s.state, SERVICE_RUNNING);
	service_done(&s);
}
END_TEST

START_TEST(every_table_row_is_walked)
{
	static const enum service_state inactive[] = {
		SERVICE_STOPPED, SERVICE_WAITING, SERVICE_EXITED, SERVICE_FAILED,
	};

	walk_crash_and_stop();
	walk_fail_while_starting();
	walk_oneshot();
	walk_stop_while_restarting(true);
	walk_stop_while_restarting(false);
	walk_running_ends(0);
	walk_running_ends(1);
	walk_restart_while_starting();
	walk_dependency_stops();
	for (int how = 0; how < 3; how++)
		walk_waiting_ends(how);
	walk_start_limit();
	walk_dependency_fails_while_restarting();
	walk_exit_while_stop_waits(true);
	walk_exit_while_stop_waits(false);
	walk_start_timeout();
	walk_setup_refused();
	for (size_t i = 0; i < ARRAY_SIZE(inactive); i++)
		walk_reload_bad(inactive[i]);

	/* every row was walked, and nothing else was (walk_end) */
	for (size_t i = 0; i < service_n_transitions; i++) {
		const struct service_transition *t = &service_transitions[i];

		ck_assert_msg(walked[t->from][t->to], "row %s -> %s (%s) not walked",
			      service_state_to_string(t->from), service_state_to_string(t->to),
			      t->event);
	}
	for (int from = 0; from < SERVICE_STATE_MAX; from++)
		for (int to = 0; to < SERVICE_STATE_MAX; to++)
			ck_assert_msg(!walked[from][to] || service_transition_allowed(from, to),
				      "walked %s -> %s, not in the table",
				      service_state_to_string(from), service_state_to_string(to));
}
END_TEST

START_TEST(table_rows_are_distinct_changes)
{
	for (size_t i = 0; i < service_n_transitions; i++) {
		const struct service_transition *t = &service_transitions[i];

		ck_assert_int_lt(t->from, SERVICE_STATE_MAX);
		ck_assert_int_lt(t->to, SERVICE_STATE_MAX);
		ck_assert_int_ne(t->from, t->to);
		ck_assert(t->event && *t->event);
		for (size_t k = 0; k < i; k++)
			ck_assert(service_transitions[k].from != t->from ||
				  service_transitions[k].to != t->to);
	}
}
END_TEST

/* Forced into a state the events do not expect (stopped, yet a main
 * process ends cleanly): stopped -> exited is not in the table. It is
 * logged and counted; the machine goes on. */
START_TEST(transition_outside_the_table_is_logged_not_fatal)
{
	struct service s;
	siginfo_t si = exited(0);

	unsigned before = service_transitions_outside_table;

	ck_assert(!service_transition_allowed(SERVICE_STOPPED, SERVICE_EXITED));
	unit.restart = UNIT_RESTART_NO;
	service_init(&s, &unit, &ops, loop);
	s.pid = 4242;
	service_on_exit(&s, &si);
	ck_assert_int_eq(s.state, SERVICE_EXITED);
	ck_assert_uint_eq(service_transitions_outside_table, before + 1);
	ck_assert(walked[SERVICE_STOPPED][SERVICE_EXITED]);
	service_start(&s);   /* and it still works */
	ck_assert_int_eq(s.state, SERVICE_WAITING);
	ck_assert_uint_eq(service_transitions_outside_table, before + 1);
	service_done(&s);
}
END_TEST

static Suite *service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *tc = tcase_create("state machine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rare_exits_out_of_line);
	tcase_add_test(tc, runtime_state_small);
	tcase_add_test(tc, simple_is_ready_at_exec);
	tcase_add_test(tc, notify_waits_for_ready);
	tcase_add_test(tc, oneshot_ready_when_exited_zero);
	tcase_add_test(tc, crash_restarts_with_new_pid);
	tcase_add_test(tc, exit_texts);
	tcase_add_test(tc, restart_delay_waits_for_the_timer);
	tcase_add_test(tc, restart_not_wanted_any_more_is_not_spawned);
	tcase_add_test(tc, clean_exit_is_not_restarted_on_failure);
	tcase_add_test(tc, restart_no_leaves_failure_failed);
	tcase_add_test(tc, start_limit_ends_failed);
	tcase_add_test(tc, a_restart_forgets_the_last_runs_status);
	tcase_add_test(tc, a_crash_loop_late_in_a_window_hits_the_start_limit);
	tcase_add_test(tc, an_operators_start_begins_a_new_start_limit_window);
	tcase_add_test(tc, a_reload_with_another_burst_counts_anew);
	tcase_add_test(tc, setup_failure_is_reported_and_not_retried);
	tcase_add_test(tc, stop_sends_stop_signal_then_stopped);
	tcase_add_test(tc, stop_timeout_kills_the_leaf);
	tcase_add_test(tc, stop_timeout_when_the_leaf_cannot_be_killed);
	tcase_add_test(tc, stop_in_the_restart_delay_when_leftovers_cannot_be_killed);
	tcase_add_test(tc, stop_ends_when_killing_one_by_one_never_empties_the_leaf);
	tcase_add_test(tc, stop_in_the_restart_delay_ends_when_killing_one_by_one_never_empties);
	tcase_add_test(tc, restart_past_leftovers_that_cannot_be_killed_says_so);
	tcase_add_test(tc, leftovers_given_up_in_the_restart_delay_or_once_failed_say_what_follows);
	tcase_add_test(tc, watchdog_kills_the_main_process_when_the_leaf_cannot_be_killed);
	tcase_add_test(tc, leftovers_are_killed_before_respawn);
	tcase_add_test(tc, backoff_doubles_up_to_max);
	tcase_add_test(tc, watchdog_kills_a_silent_service);
	tcase_add_test(tc, suspended_service_trips_neither_watchdog_nor_probe);
	tcase_add_test(tc, bad_config_never_starts);
	tcase_add_test(tc, dependency_failure_fails_waiting_service);
	tcase_add_test(tc, spawn_failure_fails);
	tcase_add_test(tc, notify_exit_before_ready_is_a_failure);
	tcase_add_test(tc, notify_exit_before_ready_hits_the_start_limit);
	tcase_add_test(tc, pull_in_keeps_the_start_limit);
	tcase_add_test(tc, dependency_failure_names_the_reason);
	tcase_add_test(tc, dependency_failure_stops_and_fails_a_running_service);
	tcase_add_test(tc, dependency_failure_in_the_restart_delay_waits_for_leftovers);
	tcase_add_test(tc, start_timeout_stops_a_silent_notify_unit);
	tcase_add_test(tc, start_timeout_applies_the_restart_policy);
	tcase_add_test(tc, start_timeout_of_a_hung_oneshot_kills_at_the_stop_timeout);
	tcase_add_test(tc, start_timeout_zero_waits_for_ever);
	tcase_add_test(tc, extend_timeout_pushes_the_start_and_stop_timeouts_back);
	tcase_add_test(tc, extend_timeout_start_reason_says_extended);
	tcase_add_test(tc, extend_timeout_stop_is_a_deadline);
	tcase_add_test(tc, extend_timeout_stop_after_the_kill_is_ignored);
	tcase_add_test(tc, extend_timeout_stop_zero_kills_at_once);
	tcase_add_test(tc, extend_timeout_ignored_outside_start_and_stop);
	tcase_add_test(tc, success_exit_code_is_clean);
	tcase_add_test(tc, success_exit_signal_is_clean);
	tcase_add_test(tc, success_exit_does_not_excuse_an_exit_before_ready);
	tcase_add_test(tc, oom_kill_of_a_child_keeps_the_last_exit);
	tcase_add_test(tc, oom_kill_of_the_main_process_reads_oom_kill);
	tcase_add_test(tc, oom_count_read_before_the_signal_reads_oom_kill);
	tcase_add_test(tc, sigkill_long_after_a_childs_oom_kill_reads_signal);
	tcase_add_test(tc, operator_stop_reads_stopped_by_svctl);
	tcase_add_test(tc, operator_restart_reads_restarted_by_svctl);
	tcase_add_test(tc, operator_stop_during_a_start_timeout_ends_stopped);
	tcase_add_test(tc, forking_ready_once_starter_exited_and_main_found);
	tcase_add_test(tc, forking_looks_again_until_the_pid_file_appears);
	tcase_add_test(tc, forking_empty_leaf_looks_again_at_once);
	tcase_add_test(tc, forking_middle_exit_hands_on_to_the_one_left);
	tcase_add_test(tc, forking_middle_exit_while_its_ready_probe_runs);
	tcase_add_test(tc, forking_starter_failure_is_a_start_failure);
	tcase_add_test(tc, forking_refused_main_fails_with_the_reason);
	tcase_add_test(tc, forking_start_timeout_while_the_pid_file_is_missing);
	tcase_add_test(tc, ready_probe_holds_starting_until_it_succeeds);
	tcase_add_test(tc, notify_with_ready_probe_needs_both);
	tcase_add_test(tc, start_timeout_bounds_a_ready_probe);
	tcase_add_test(tc, a_failing_probe_is_said_before_it_decides);
	tcase_add_test(tc, health_failures_in_a_row_restart);
	tcase_add_test(tc, operator_start_during_a_health_stop_brings_it_back);
	tcase_add_test(tc, stop_cancels_a_running_probe);
	tcase_add_test(tc, busy_probe_is_not_a_failure);
	tcase_add_test(tc, probe_not_run_is_not_a_failure);
	tcase_add_test(tc, forking_operator_stop_before_the_main_is_found);
	tcase_add_test(tc, start_timeout_while_a_stop_waits_ends_stopped);
	tcase_add_test(tc, health_failure_while_a_stop_waits_ends_stopped);
	tcase_add_test(tc, killed_at_shutdown_while_stopping_for_a_failure_ends_stopped);
	tcase_add_test(tc, operator_start_in_backoff_is_a_fresh_start_now);
	tcase_add_test(tc, operator_start_in_backoff_waits_for_leftovers);
	tcase_add_test(tc, every_table_row_is_walked);
	tcase_add_test(tc, table_rows_are_distinct_changes);
	tcase_add_test(tc, transition_outside_the_table_is_logged_not_fatal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(service_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
