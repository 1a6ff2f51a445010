/* test_manager.c — the manager's pass with real processes (/bin/sleep, no
 * cgroups, no namespaces), driven with loop_run_once: what a loop
 * iteration may do at once when thousands of units move. Needs root (the
 * spawn sets ids and limits); skipped otherwise. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loop.h"
#include "initd/manager.h"
#include "initd/manager_internal.h"
#include "initd/service.h"
#include "initd/spawn.h"
#include "units/unit.h"
#include "tests/timers.h"

#define N_UNITS 80   /* more than a loop iteration's budget (32) twice */

static char dir[64];
static struct loop *loop;

/* Linked with --wrap=nofork_alloc (tests/tests.mk): while fail_size is
 * set, an allocation of that many bytes fails (the index's growth to
 * fail_size / sizeof(void *) slots; a unit's record is another size). */
void *__real_nofork_alloc(size_t size);
void *__wrap_nofork_alloc(size_t size);
static size_t fail_size;

void *__wrap_nofork_alloc(size_t size)
{
	if (fail_size && size == fail_size) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_nofork_alloc(size);
}

/* And with --wrap=spawn_start: while slow_spawns is set, every spawn
 * takes PID 1 5 ms more (a large PID 1 to fork, an emulated CPU), and
 * the wait_at-th of them (from 1) writes a byte to wait_fd first:
 * someone starts to wait on PID 1. */
int __real_spawn_start(const struct spawn_params *p, struct spawn_child *ret);
int __wrap_spawn_start(const struct spawn_params *p, struct spawn_child *ret);
static bool slow_spawns;
static int wait_at, wait_fd = -1, slow_seen;

int __wrap_spawn_start(const struct spawn_params *p, struct spawn_child *ret)
{
	if (slow_spawns) {
		usleep(5000);
		if (++slow_seen == wait_at)
			ck_assert_int_eq(write(wait_fd, "q", 1), 1);
	}
	return __real_spawn_start(p, ret);
}

static void write_units(const char *description)
{
	char path[128];

	for (int i = 0; i < N_UNITS; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/units/s%d.unit", dir, i);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fprintf(f, "exec = [ \"/bin/sleep\", \"1000\" ];\ndescription = \"%s\";\n",
			description);
		fclose(f);
	}
}

static struct unit_set *load_units(void)
{
	char conf[96], units[96];
	struct unit_set *set = NULL;

	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(unit_set_load(conf, units, &set), 0);
	return set;
}

static size_t count_state(struct manager *m, enum service_state st)
{
	size_t n = 0;

	for (size_t i = 0; i < manager_count(m); i++)
		n += manager_service_at(m, i)->state == st;
	return n;
}

/* One loop iteration; after it, the index of main processes holds what
 * the units' records say (manager_pids_consistent). */
static void iterate(struct manager *m)
{
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert(manager_pids_consistent(m));
}

/* Loop iterations until every unit is in st (at most rounds of them). */
static bool pump_until_all(struct manager *m, enum service_state st, int rounds)
{
	for (int i = 0; i < rounds && count_state(m, st) != N_UNITS; i++)
		iterate(m);
	return count_state(m, st) == N_UNITS;
}

/* A manager without cgroups running the N_UNITS sleeps, all up. */
static struct manager *boot_units(void)
{
	struct manager_options mo = { .use_cgroup = false };
	struct manager *m = NULL;

	write_units("v1");
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	manager_boot(m);
	ck_assert(pump_until_all(m, SERVICE_RUNNING, 100));
	return m;
}

/* "State: Z" in /proc/PID/status: ended, not reaped yet. */
static bool pid_is_zombie(pid_t pid)
{
	char path[64], line[128];
	bool z = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return true;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6)) {
			z = strchr(line, 'Z') != NULL;
			break;
		}
	fclose(f);
	return z;
}

/* How many of pids the kernel still runs: a signalled sleep is gone at
 * once, or a zombie (kill(pid, 0) alone cannot tell that from running). */
static size_t count_up(const pid_t *pids, size_t n)
{
	size_t up = 0;

	for (size_t k = 0; k < n; k++)
		up += pids[k] > 0 && kill(pids[k], 0) == 0 && !pid_is_zombie(pids[k]);
	return up;
}

static void shutdown_done(struct manager *m, enum shutdown_how how, void *data)
{
	*(bool *)data = true;
}

/* The services go as at a poweroff: none is left behind, none restarts. */
static void stop_all(struct manager *m)
{
	bool done = false;

	manager_shutdown(m, SHUTDOWN_POWEROFF, shutdown_done, &done);
	for (int i = 0; i < 500 && !done; i++)
		iterate(m);
	ck_assert(done);
}

static void setup(void)
{
	char units[96];

	strcpy(dir, "/tmp/test_manager.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	ck_assert_int_eq(loop_new(&loop), 0);
}

static void teardown(void)
{
	char path[128];

	for (int i = 0; i < N_UNITS; i++) {
		snprintf(path, sizeof(path), "%s/units/s%d.unit", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/units", dir);
	rmdir(path);
	rmdir(dir);
	loop_free(loop);
}

/* A spawn's report watch is memory no fork copies, as its unit's record
 * (issue 19: a heap block, written after each fork, took a copy-on-write
 * fault at every spawn): when none can be had, the spawn fails with
 * ENOMEM and nothing runs; with memory again, every unit starts. */
START_TEST(test_spawn_without_memory_for_its_report)
{
	struct manager_options mo = { .use_cgroup = false };
	struct manager *m = NULL;

	if (getuid() != 0)
		return;
	ck_assert_uint_ne(sizeof(struct svc), sizeof(struct loop_watch));
	write_units("v1");
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	fail_size = sizeof(struct loop_watch);
	manager_boot(m);
	ck_assert(pump_until_all(m, SERVICE_FAILED, 20));   /* 32 spawns a slice */
	fail_size = 0;
	for (size_t k = 0; k < N_UNITS; k++) {
		const struct service *s = manager_service_at(m, k);

		ck_assert_int_eq(s->pid, 0);
		ck_assert_int_eq(s->last_exit.kind, EXIT_SPAWN);
		ck_assert_int_eq(s->last_exit.code, ENOMEM);
	}
	ck_assert_uint_eq(count_state(m, SERVICE_RUNNING), 0);
	for (size_t k = 0; k < N_UNITS; k++)
		service_start_by_operator(&m->svcs[k]->s);
	ck_assert(pump_until_all(m, SERVICE_RUNNING, 100));
	stop_all(m);
	manager_free(m);
}
END_TEST

/* n names of one kind do not fit the reload's line: the first `shown` do,
 * the others are counted. */
static void summary_is_cut(const struct reload_summary *sum, const char *kind, size_t n,
			   size_t shown)
{
	char line[RELOAD_SUMMARY_LINE], head[64], tail[64];

	reload_summary_format(sum, line, sizeof(line));
	snprintf(head, sizeof(head), "unchanged (%s: s", kind);
	snprintf(tail, sizeof(tail), " and %zu more)", n - shown);
	ck_assert_msg(shown > 10 && shown < n, "%zu names shown", shown);
	ck_assert_msg(strstr(line, head) && strlen(line) > strlen(tail) &&
		      !strcmp(line + strlen(line) - strlen(tail), tail), "%s", line);
}

/* A reload that changes every running unit stops them in slices, a loop
 * iteration's budget each, as a boot starts them: the stop signals were
 * sent all at once inside the reload, and 2000 of them held PID 1 (and
 * every svctl) for more than a second. All of them still go, and come
 * back with their new unit. */
START_TEST(test_reload_stops_changed_units_in_slices)
{
	struct reload_summary sum;
	struct manager *m;
	size_t touched = 0;
	pid_t old[N_UNITS];

	if (getuid() != 0)
		return;
	m = boot_units();
	for (size_t k = 0; k < N_UNITS; k++)
		old[k] = manager_service_at(m, k)->pid;

	write_units("v2");
	ck_assert_int_eq(manager_reload(m, load_units(), &sum), 0);
	ck_assert_uint_eq(sum.changed, N_UNITS);
	summary_is_cut(&sum, "changed", N_UNITS, sum.names[RELOAD_CHANGED].shown);
	ck_assert_uint_eq(count_state(m, SERVICE_STOPPING), 0);   /* the pass does it */
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	/* A slice went: stopping, or already reaped and swapped in within
	 * the same iteration (a signalled sleep dies at once; not a state
	 * count, which that race made read 0 under the sanitizers). */
	for (size_t k = 0; k < N_UNITS; k++) {
		const struct service *s = manager_service_at(m, k);

		touched += s->state != SERVICE_RUNNING || s->pid != old[k];
	}
	ck_assert_msg(touched > 0, "no unit left its old process after one iteration");
	/* the kernel's word: most old processes were not signalled yet */
	ck_assert_msg(count_up(old, N_UNITS) > N_UNITS / 2, "%zu old ones up",
		      count_up(old, N_UNITS));

	/* every one is stopped and swapped in, then runs its new unit */
	for (int i = 0; i < 300; i++) {
		bool all = true;

		for (size_t k = 0; k < manager_count(m); k++) {
			const struct service *s = manager_service_at(m, k);

			all &= s->state == SERVICE_RUNNING && !strcmp(s->unit->description, "v2");
		}
		if (all)
			break;
		iterate(m);
	}
	for (size_t k = 0; k < manager_count(m); k++)
		ck_assert_str_eq(manager_service_at(m, k)->unit->description, "v2");
	ck_assert(pump_until_all(m, SERVICE_RUNNING, 100));
	/* every old process is gone (a pid a new one took is not one) */
	for (size_t k = 0; k < N_UNITS; k++)
		for (size_t j = 0; j < manager_count(m); j++)
			if (manager_service_at(m, j)->pid == old[k])
				old[k] = 0;
	ck_assert_uint_eq(count_up(old, N_UNITS), 0);
	stop_all(m);
	manager_free(m);
}
END_TEST

/* The same for a reload that removes every running unit: no dependency
 * holds them, so they all go, a slice an iteration. */
START_TEST(test_reload_stops_removed_units_in_slices)
{
	struct reload_summary sum;
	struct manager *m;
	char path[128];
	size_t alive = N_UNITS;
	pid_t pids[N_UNITS];

	if (getuid() != 0)
		return;
	m = boot_units();
	for (size_t k = 0; k < N_UNITS; k++)
		pids[k] = manager_service_at(m, k)->pid;

	for (int i = 1; i < N_UNITS; i++) {   /* s0 stays: a set is never empty */
		snprintf(path, sizeof(path), "%s/units/s%d.unit", dir, i);
		unlink(path);
	}
	ck_assert_int_eq(manager_reload(m, load_units(), &sum), 0);
	ck_assert_uint_eq(sum.removed, N_UNITS - 1);
	summary_is_cut(&sum, "removed", N_UNITS - 1, sum.names[RELOAD_REMOVED].shown);
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	for (int round = 0; round < 300 && alive > 1; round++) {
		alive = count_up(pids, N_UNITS);
		if (round == 0)
			ck_assert_msg(alive > N_UNITS / 2, "%zu still up after one iteration", alive);
		iterate(m);
	}
	ck_assert_uint_eq(alive, 1);
	stop_all(m);
	manager_free(m);
}
END_TEST

/* The index of main processes cannot grow (ENOMEM at its growth past 64
 * entries, mid-boot): the manager drops it and walks its units instead.
 * Every process is still its unit's: each is found by its PID, a reload
 * that changes every unit still sees each old one end and starts the new
 * ones, a poweroff still ends them all. */
START_TEST(test_index_lost_falls_back_to_a_walk)
{
	struct reload_summary sum;
	struct manager *m;

	if (getuid() != 0)
		return;
	ck_assert_uint_ne(sizeof(struct svc), 256 * sizeof(void *));
	fail_size = 256 * sizeof(void *);
	m = boot_units();
	fail_size = 0;
	ck_assert(m->pids_lost);
	for (size_t k = 0; k < N_UNITS; k++) {
		struct svc *v = m->svcs[k];

		ck_assert_int_gt(v->s.pid, 0);
		ck_assert_ptr_eq(svc_by_pid(m, v->s.pid), v);
	}
	ck_assert_ptr_null(svc_by_pid(m, 0));

	write_units("v2");
	ck_assert_int_eq(manager_reload(m, load_units(), &sum), 0);
	ck_assert_uint_eq(sum.changed, N_UNITS);
	for (int i = 0; i < 300; i++) {
		size_t v2 = 0;

		for (size_t k = 0; k < manager_count(m); k++) {
			const struct service *s = manager_service_at(m, k);

			v2 += s->state == SERVICE_RUNNING && !strcmp(s->unit->description, "v2");
		}
		if (v2 == N_UNITS)
			break;
		iterate(m);
	}
	ck_assert(pump_until_all(m, SERVICE_RUNNING, 100));
	for (size_t k = 0; k < manager_count(m); k++)
		ck_assert_str_eq(manager_service_at(m, k)->unit->description, "v2");
	stop_all(m);
	ck_assert_uint_eq(count_state(m, SERVICE_RUNNING), 0);
	manager_free(m);
}
END_TEST

static void left_unread(struct loop *l, int fd, uint32_t events, void *data)
{
}

/* Spawns the first loop iteration makes while every spawn is slow, and
 * someone starts to wait on PID 1 (an svctl client with input: an urgent
 * watch) at spawn `at` (from 1; 0: nobody). Every unit still comes up. */
static size_t slow_slice(int at)
{
	struct manager_options mo = { .use_cgroup = false };
	struct loop_watch w = { .fn = left_unread };
	struct manager *m = NULL;
	size_t spawned = 0;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	w.fd = p[0];
	ck_assert_int_eq(loop_watch_add_urgent(loop, &w, EPOLLIN), 0);
	wait_fd = p[1];
	wait_at = at;
	slow_seen = 0;
	write_units("v1");
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	slow_spawns = true;
	manager_boot(m);
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	for (size_t k = 0; k < manager_count(m); k++)
		spawned += manager_service_at(m, k)->pid > 0;
	/* not read: the loop would not wait for anything else */
	loop_watch_del(loop, &w);
	ck_assert(pump_until_all(m, SERVICE_RUNNING, 200));
	slow_spawns = false;
	close(p[0]);
	close(p[1]);
	stop_all(m);
	manager_free(m);
	return spawned;
}

/* Where a spawn is slow and someone waits, a loop iteration makes as many
 * as fit in its time (20 ms), not 32: svctl waits one slice, not 32 slow
 * spawns. */
START_TEST(test_slow_spawns_share_the_loop_by_time)
{
	size_t spawned;

	if (getuid() != 0)
		return;
	spawned = slow_slice(1);
	/* 20 ms of 5 ms spawns; fewer on a machine too slow to time them */
	ck_assert_msg(spawned >= 1 && spawned <= 8, "%zu spawns in one iteration", spawned);
}
END_TEST

/* With nobody waiting the slice goes on past its time, to 32 spawns: a
 * slice break is the loop's turn at what the children did meanwhile,
 * before the rest are spawned (a boot of ten services under emulation
 * was cut into slices of 2-5 spawns). Someone who starts to wait in the
 * middle ends it at the next spawn. */
START_TEST(test_slow_spawns_go_on_while_nobody_waits)
{
	if (getuid() != 0)
		return;
	ck_assert_uint_eq(slow_slice(0), 32);
	ck_assert_uint_eq(slow_slice(10), 10);
}
END_TEST

/* ---- a unit stopping for its swap still needs what its running unit did -- */

static void write_unit(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/units/%s.unit", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* The first a requires b and ignores SIGTERM once it has said so (a.up):
 * its stop lasts until the test kills it. The second (after the reload)
 * is a plain sleep, which a stop ends at once. */
static void write_a(bool requires_b)
{
	char text[512];

	if (!requires_b) {
		write_unit("a", "exec = [ \"/bin/sleep\", \"1000\" ];\n");
		return;
	}
	snprintf(text, sizeof(text),
		 "exec = [ \"/bin/sh\", \"-c\", \"trap '' TERM; : > %s/a.up; "
		 "while :; do sleep 1; done\" ];\nstop = { timeout = \"30s\"; };\n"
		 "requires = [ \"b\" ];\n", dir);
	write_unit("a", text);
}

/* a requires b, both up; then a reload whose a no longer requires b: a is
 * stopping for its swap, and will be until the test kills it. */
static struct manager *a_stopping_for_its_swap(struct service **a, struct service **b)
{
	struct manager_options mo = { .use_cgroup = false };
	struct reload_summary sum;
	struct manager *m = NULL;
	char up[128];
	int i;

	write_a(true);
	write_unit("b", "exec = [ \"/bin/sleep\", \"1000\" ];\n");
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	manager_boot(m);
	*a = manager_find(m, "a");
	*b = manager_find(m, "b");
	snprintf(up, sizeof(up), "%s/a.up", dir);
	for (i = 0; i < 250 && (access(up, F_OK) < 0 || (*b)->state != SERVICE_RUNNING); i++)
		iterate(m);
	ck_assert_msg(i < 250, "a=%s b=%s", service_state_to_string((*a)->state),
		      service_state_to_string((*b)->state));
	write_a(false);
	ck_assert_int_eq(manager_reload(m, load_units(), &sum), 0);
	ck_assert_uint_eq(sum.changed, 1);
	for (i = 0; i < 50 && (*a)->state != SERVICE_STOPPING; i++)
		iterate(m);
	ck_assert_int_eq((*a)->state, SERVICE_STOPPING);
	return m;
}

static void a_b_cleanup(struct manager *m)
{
	manager_free(m);
	remove_file("units/a.unit");
	remove_file("units/b.unit");
	remove_file("a.up");
}

/* A shutdown while a stops for its swap: b, which a's running unit
 * requires, stops only once a is down (the dependency graph is a's new
 * unit's, which requires nothing). The old code stopped b at once. */
START_TEST(test_shutdown_waits_for_a_unit_stopping_for_its_swap)
{
	struct service *a, *b;
	struct manager *m = a_stopping_for_its_swap(&a, &b);
	bool done = false;

	manager_shutdown(m, SHUTDOWN_POWEROFF, shutdown_done, &done);
	for (int i = 0; i < 10; i++)
		iterate(m);
	ck_assert(service_is_active(a));
	ck_assert_msg(service_is_active(b) && b->state != SERVICE_STOPPING, "b: %s",
		      service_state_to_string(b->state));
	ck_assert_int_eq(kill(a->pid, SIGKILL), 0);
	for (int i = 0; i < 500 && !done; i++)
		iterate(m);
	ck_assert(done);
	ck_assert(!service_is_active(b));
	a_b_cleanup(m);
}
END_TEST

/* The same for an operator's stop of b: it waits for a's old process. */
START_TEST(test_stop_waits_for_a_unit_stopping_for_its_swap)
{
	struct service *a, *b;
	struct manager *m = a_stopping_for_its_swap(&a, &b);
	int i;

	ck_assert_int_eq(manager_stop(m, b), 0);
	for (i = 0; i < 10; i++)
		iterate(m);
	ck_assert_msg(service_is_active(b) && b->state != SERVICE_STOPPING, "b: %s",
		      service_state_to_string(b->state));
	ck_assert_int_eq(kill(a->pid, SIGKILL), 0);
	for (i = 0; i < 250 && service_is_active(b); i++)
		iterate(m);
	ck_assert_msg(!service_is_active(b), "b: %s", service_state_to_string(b->state));
	/* a comes back with its new unit; the end once it runs (a shutdown
	 * while it was still being spawned is not this test's) */
	for (i = 0; i < 250 && a->state != SERVICE_RUNNING; i++)
		iterate(m);
	ck_assert_int_eq(a->state, SERVICE_RUNNING);
	stop_all(m);
	a_b_cleanup(m);
}
END_TEST

/* A reload that reverses the dependency: the old a requires b, the new b
 * requires a (and the new a nothing). A shutdown while a stops for its
 * swap: b waits for a's old process, and a, already on its way down, must
 * not wait for b; a's own stop timeout (1 s here) ends it, then b goes. */
START_TEST(test_shutdown_after_a_reload_that_reverses_a_dependency)
{
	struct manager_options mo = { .use_cgroup = false };
	struct reload_summary sum;
	struct manager *m = NULL;
	struct service *a, *b;
	char text[512], up[128];
	bool done = false;
	uint64_t t0;
	int i;

	snprintf(text, sizeof(text),
		 "exec = [ \"/bin/sh\", \"-c\", \"trap '' TERM; : > %s/a.up; "
		 "while :; do sleep 1; done\" ];\nstop = { timeout = \"1s\"; };\n"
		 "requires = [ \"b\" ];\n", dir);
	write_unit("a", text);
	write_unit("b", "exec = [ \"/bin/sleep\", \"1000\" ];\n");
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	manager_boot(m);
	a = manager_find(m, "a");
	b = manager_find(m, "b");
	snprintf(up, sizeof(up), "%s/a.up", dir);
	for (i = 0; i < 250 && (access(up, F_OK) < 0 || b->state != SERVICE_RUNNING); i++)
		iterate(m);
	ck_assert_int_lt(i, 250);
	write_unit("a", "exec = [ \"/bin/sleep\", \"1000\" ];\n");
	write_unit("b", "exec = [ \"/bin/sleep\", \"1000\" ];\nrequires = [ \"a\" ];\n");
	ck_assert_int_eq(manager_reload(m, load_units(), &sum), 0);
	for (i = 0; i < 50 && a->state != SERVICE_STOPPING; i++)
		iterate(m);
	ck_assert_int_eq(a->state, SERVICE_STOPPING);
	t0 = now_usec();
	manager_shutdown(m, SHUTDOWN_POWEROFF, shutdown_done, &done);
	while (!done && now_usec() - t0 < 6 * 1000000ULL)
		iterate(m);
	ck_assert_msg(done, "a=%s b=%s", service_state_to_string(a->state),
		      service_state_to_string(b->state));
	a_b_cleanup(m);
}
END_TEST

/* A shutdown that cannot arm its bound (no memory for the timer heap)
 * kills what is left at once: without the bound, a unit that ignores
 * SIGTERM held the end for its whole stop timeout (for ever, had it none
 * that could be armed either). */
START_TEST(test_shutdown_without_its_bound_kills_at_once)
{
	struct manager_options mo = { .use_cgroup = false };
	struct manager *m = NULL;
	struct service *a;
	bool done = false;
	char text[256], up[128];
	pid_t pid;
	int i;

	snprintf(text, sizeof(text),
		 "exec = [ \"/bin/sh\", \"-c\", \"trap '' TERM; : > %s/a.up; "
		 "while :; do sleep 1; done\" ];\nstop = { timeout = \"30s\"; };\n", dir);
	write_unit("a", text);
	ck_assert_int_eq(manager_new(loop, &mo, &m), 0);
	ck_assert_int_eq(manager_apply(m, load_units()), 0);
	manager_boot(m);
	a = manager_find(m, "a");
	snprintf(up, sizeof(up), "%s/a.up", dir);
	for (i = 0; i < 250 && access(up, F_OK) < 0; i++)
		iterate(m);
	ck_assert_int_eq(a->state, SERVICE_RUNNING);
	pid = a->pid;
	timers_fail = true;
	manager_shutdown(m, SHUTDOWN_POWEROFF, shutdown_done, &done);
	timers_fail = false;
	ck_assert(!done);   /* from the loop: the OK to svctl poweroff first */
	for (i = 0; i < 100 && !done; i++)
		iterate(m);
	if (!done)
		kill(pid, SIGKILL);   /* not left behind by a failure */
	ck_assert_msg(done, "a: %s", service_state_to_string(a->state));
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		iterate(m);
	ck_assert_int_ne(kill(pid, 0), 0);   /* killed, and reaped */
	manager_free(m);
	remove_file("units/a.unit");
	remove_file("a.up");
}
END_TEST

static Suite *manager_suite(void)
{
	Suite *s = suite_create("manager");
	TCase *tc = tcase_create("pass");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reload_stops_changed_units_in_slices);
	tcase_add_test(tc, test_reload_stops_removed_units_in_slices);
	tcase_add_test(tc, test_index_lost_falls_back_to_a_walk);
	tcase_add_test(tc, test_spawn_without_memory_for_its_report);
	tcase_add_test(tc, test_slow_spawns_share_the_loop_by_time);
	tcase_add_test(tc, test_slow_spawns_go_on_while_nobody_waits);
	tcase_add_test(tc, test_shutdown_waits_for_a_unit_stopping_for_its_swap);
	tcase_add_test(tc, test_stop_waits_for_a_unit_stopping_for_its_swap);
	tcase_add_test(tc, test_shutdown_after_a_reload_that_reverses_a_dependency);
	tcase_add_test(tc, test_shutdown_without_its_bound_kills_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(manager_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
