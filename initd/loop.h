/* loop.h — initd's one event loop.
 *
 * epoll over every fd initd watches (signalfd, pidfds, the control socket and
 * its clients, log pipes, cgroup.events), one timerfd driven by a binary heap
 * of timers, and a queue of deferred work drained before the loop sleeps.
 * Nothing here blocks except epoll_wait itself, and nothing wakes up
 * periodically: with no timer armed the loop sleeps until an fd is ready
 * (doc/DESIGN.md §13: PID 1 never blocks).
 */
#ifndef INITD_LOOP_H
#define INITD_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* Called when fd is ready; events are EPOLLIN/EPOLLOUT/EPOLLHUP/EPOLLERR. */
typedef void (*loop_io_fn)(struct loop *l, int fd, uint32_t events, void *data);
typedef void (*loop_timer_fn)(struct loop *l, void *data);
typedef void (*loop_defer_fn)(struct loop *l, void *data);

/* A timer lives inside its owner's struct (no allocation); its owner must
 * cancel it before freeing. */
struct loop_timer {
	uint64_t deadline;      /* CLOCK_MONOTONIC usec */
	loop_timer_fn fn;
	void *data;
	size_t heap_index;      /* SIZE_MAX when not armed */
};

/* An fd watch also lives in its owner's struct. */
struct loop_watch {
	int fd;
	loop_io_fn fn;
	void *data;
};

int loop_new(struct loop **ret);
void loop_free(struct loop *l);            /* accepts NULL */

/* Watch w->fd for events (EPOLLIN|...). w must stay valid until removed. */
int loop_watch_add(struct loop *l, struct loop_watch *w, uint32_t events);
/* The same, and the fd is one whose input must not wait out a long
 * batch of work (an svctl client, readiness datagrams): loop_waited_on
 * polls it. */
int loop_watch_add_urgent(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_watch_mod(struct loop *l, struct loop_watch *w, uint32_t events);
/* Stop watching. Safe to call from any callback: a pending event for w in
 * the batch being dispatched is dropped, so w may be freed right after. */
void loop_watch_del(struct loop *l, struct loop_watch *w);
/* Stop watching and close w->fd (then -1); a no-op when it is -1. */
void loop_watch_close(struct loop *l, struct loop_watch *w);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *data);
/* Arm (or re-arm) at an absolute monotonic deadline in usec. */
int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t deadline);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline bool loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_index != (size_t)-1;
}

/* The highest fd ever watched, a high-water mark: nearly every fd PID 1
 * keeps (pidfds, log pipes, svctl clients) is watched, so it follows the
 * top of PID 1's fd table (spawn.c's fd window). */
int loop_fd_high(const struct loop *l);

/* Run fn(data) before the loop next sleeps. Fails only with -ENOMEM. */
int loop_defer(struct loop *l, loop_defer_fn fn, void *data);

/* One iteration: drain deferred work, wait (timeout_ms: -1 = until an
 * event), dispatch. Returns 0 or -errno from epoll_wait (EINTR is 0). */
int loop_run_once(struct loop *l, int timeout_ms);

/* How many times the loop has waited for its fds: work that must let the
 * fds have their turn budgets itself per iteration. */
uint64_t loop_iteration(const struct loop *l);

/* Signals (blocked, read through a signalfd the loop watches) that are
 * someone waiting on PID 1 too: a shutdown or a reload asked for. */
void loop_set_urgent_signals(struct loop *l, const sigset_t *set);
/* For work that batches itself per iteration (manager_pass.c's spawns):
 * true when waiting longer would keep someone waiting, an urgent watch
 * ready for what it is watched for (or hung up), an urgent signal
 * pending, or a timer due. One poll(2) and one sigpending(2), no wait.
 * Always true once an urgent watch could not be recorded (no memory). */
bool loop_waited_on(struct loop *l);
/* Iterate until loop_quit was called. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);

#endif
