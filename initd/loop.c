/* loop.c — epoll, one timerfd over a binary heap of timers, deferred work.
 * See loop.h. */
#include "initd/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define LOOP_EVENTS_MAX 64
#define HEAP_NONE ((size_t)-1)

struct defer_item {
	loop_defer_fn fn;
	void *data;
};

struct loop {
	int epoll_fd;
	int timer_fd;
	uint64_t timer_armed_at;     /* deadline programmed into timer_fd, 0 = none */
	struct loop_timer **heap;
	size_t n_heap, cap_heap;
	struct defer_item *defer;
	size_t n_defer, cap_defer;
	bool quit;
	uint64_t iteration;          /* epoll_waits so far */
	int fd_high;                 /* the highest fd ever watched */
	struct loop_watch timer_watch;
	/* The urgent watches (loop_watch_add_urgent), their fds as poll(2)
	 * takes them with the events each is watched for; the urgent
	 * signals. */
	struct loop_watch **urgent;
	struct pollfd *urgent_poll;
	size_t n_urgent, cap_urgent;
	bool urgent_lost;            /* one could not be recorded */
	bool has_urgent_signals;
	sigset_t urgent_signals;
	/* The batch being dispatched: a watch deleted by a callback is struck
	 * out here so that it is not called after its owner freed it. */
	struct epoll_event *batch;
	int n_batch;
};

/* ---- timer heap (min-heap on deadline) ---------------------------------- */

static bool heap_less(struct loop *l, size_t a, size_t b)
{
	return l->heap[a]->deadline < l->heap[b]->deadline;
}

static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_index = a;
	l->heap[b]->heap_index = b;
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0 && heap_less(l, i, (i - 1) / 2)) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t left = 2 * i + 1, right = left + 1, min = i;

		if (left < l->n_heap && heap_less(l, left, min))
			min = left;
		if (right < l->n_heap && heap_less(l, right, min))
			min = right;
		if (min == i)
			return;
		heap_swap(l, i, min);
		i = min;
	}
}

static void heap_remove(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	l->n_heap--;
	if (i != l->n_heap) {
		l->heap[i] = l->heap[l->n_heap];
		l->heap[i]->heap_index = i;
		heap_down(l, i);
		heap_up(l, i);
	}
	t->heap_index = HEAP_NONE;
}

/* Program the timerfd for the earliest deadline, only when it changed. */
static void timer_fd_update(struct loop *l)
{
	uint64_t next = l->n_heap ? l->heap[0]->deadline : 0;
	struct itimerspec its = { 0 };

	if (next == l->timer_armed_at)
		return;
	if (next) {
		/* 0 would disarm: a deadline in the past still fires. */
		its.it_value.tv_sec = (time_t)(next / USEC_PER_SEC);
		its.it_value.tv_nsec = (long)(next % USEC_PER_SEC) * 1000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(l->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->timer_armed_at = next;
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *data)
{
	t->deadline = 0;
	t->fn = fn;
	t->data = data;
	t->heap_index = HEAP_NONE;
}

int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t deadline)
{
	if (deadline == 0)
		deadline = 1;
	if (t->heap_index != HEAP_NONE) {
		t->deadline = deadline;
		heap_down(l, t->heap_index);
		heap_up(l, t->heap_index);
	} else {
		if (l->n_heap == l->cap_heap) {
			size_t cap = l->cap_heap ? l->cap_heap * 2 : 16;
			struct loop_timer **h = reallocarray(l->heap, cap, sizeof(*h));
			if (!h)
				return -ENOMEM;
			l->heap = h;
			l->cap_heap = cap;
		}
		t->deadline = deadline;
		t->heap_index = l->n_heap;
		l->heap[l->n_heap++] = t;
		heap_up(l, t->heap_index);
	}
	timer_fd_update(l);
	return 0;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (t->heap_index == HEAP_NONE)
		return;
	heap_remove(l, t->heap_index);
	timer_fd_update(l);
}

static void timers_fire(struct loop *l, int fd, uint32_t events, void *data)
{
	uint64_t expirations, now = now_usec();

	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	l->timer_armed_at = 0;
	/* A callback may arm or cancel timers: take one at a time off the top. */
	while (l->n_heap && l->heap[0]->deadline <= now) {
		struct loop_timer *t = l->heap[0];

		heap_remove(l, 0);
		t->fn(l, t->data);
	}
	timer_fd_update(l);
}

/* ---- fd watches --------------------------------------------------------- */

int loop_watch_add(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return -errno;
	if (w->fd > l->fd_high)
		l->fd_high = w->fd;
	return 0;
}

static ssize_t urgent_find(const struct loop *l, const struct loop_watch *w)
{
	for (size_t i = 0; i < l->n_urgent; i++)
		if (l->urgent[i] == w)
			return (ssize_t)i;
	return -1;
}

static short poll_events(uint32_t events)
{
	return (short)((events & EPOLLIN ? POLLIN : 0) | (events & EPOLLOUT ? POLLOUT : 0));
}

static void urgent_record(struct loop *l, struct loop_watch *w, uint32_t events)
{
	if (l->n_urgent == l->cap_urgent) {
		size_t cap = l->cap_urgent ? 2 * l->cap_urgent : 8;
		struct loop_watch **u = reallocarray(l->urgent, cap, sizeof(*u));
		struct pollfd *p = u ? reallocarray(l->urgent_poll, cap, sizeof(*p)) : NULL;

		if (u)
			l->urgent = u;
		if (!p) {
			l->urgent_lost = true;
			return;
		}
		l->urgent_poll = p;
		l->cap_urgent = cap;
	}
	l->urgent[l->n_urgent] = w;
	l->urgent_poll[l->n_urgent++] = (struct pollfd){ .fd = w->fd, .events = poll_events(events) };
}

int loop_watch_add_urgent(struct loop *l, struct loop_watch *w, uint32_t events)
{
	int r = loop_watch_add(l, w, events);

	if (r == 0)
		urgent_record(l, w, events);
	return r;
}

void loop_set_urgent_signals(struct loop *l, const sigset_t *set)
{
	l->urgent_signals = *set;
	l->has_urgent_signals = !sigisemptyset(set);
}

static bool urgent_signal_pending(struct loop *l)
{
	sigset_t pending;

	if (!l->has_urgent_signals || sigpending(&pending) < 0)
		return false;
	sigandset(&pending, &pending, &l->urgent_signals);
	return !sigisemptyset(&pending);
}

bool loop_waited_on(struct loop *l)
{
	if (l->urgent_lost || (l->n_heap && l->heap[0]->deadline <= now_usec()) ||
	    urgent_signal_pending(l))
		return true;
	return poll(l->urgent_poll, l->n_urgent, 0) != 0;   /* an error: as if */
}

int loop_fd_high(const struct loop *l)
{
	return l->fd_high;
}

int loop_watch_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	ssize_t i;

	if (epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	if ((i = urgent_find(l, w)) >= 0)
		l->urgent_poll[i].events = poll_events(events);
	return 0;
}

void loop_watch_close(struct loop *l, struct loop_watch *w)
{
	if (w->fd < 0)
		return;
	loop_watch_del(l, w);
	w->fd = safe_close(w->fd);
}

void loop_watch_del(struct loop *l, struct loop_watch *w)
{
	ssize_t u = urgent_find(l, w);

	if (w->fd >= 0)
		epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
	if (u >= 0) {
		l->n_urgent--;
		l->urgent[u] = l->urgent[l->n_urgent];
		l->urgent_poll[u] = l->urgent_poll[l->n_urgent];
	}
	for (int i = 0; i < l->n_batch; i++)
		if (l->batch[i].data.ptr == w)
			l->batch[i].data.ptr = NULL;
}

/* ---- deferred work ------------------------------------------------------ */

int loop_defer(struct loop *l, loop_defer_fn fn, void *data)
{
	if (l->n_defer == l->cap_defer) {
		size_t cap = l->cap_defer ? l->cap_defer * 2 : 16;
		struct defer_item *d = reallocarray(l->defer, cap, sizeof(*d));
		if (!d)
			return -ENOMEM;
		l->defer = d;
		l->cap_defer = cap;
	}
	l->defer[l->n_defer++] = (struct defer_item){ fn, data };
	return 0;
}

/* Work deferred while draining runs in the same drain: bounded so a callback
 * that keeps deferring itself cannot starve the fds. */
static void defer_drain(struct loop *l)
{
	size_t rounds = 0;

	while (l->n_defer && rounds++ < 64) {
		size_t n = l->n_defer;
		struct defer_item batch[16];

		for (size_t i = 0; i < n; i += ARRAY_SIZE(batch)) {
			size_t k = n - i < ARRAY_SIZE(batch) ? n - i : ARRAY_SIZE(batch);

			memcpy(batch, l->defer + i, k * sizeof(*batch));
			for (size_t j = 0; j < k; j++)
				batch[j].fn(l, batch[j].data);
		}
		memmove(l->defer, l->defer + n, (l->n_defer - n) * sizeof(*l->defer));
		l->n_defer -= n;
	}
}

/* ---- the loop ----------------------------------------------------------- */

int loop_new(struct loop **ret)
{
	struct loop *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	l->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epoll_fd < 0 || l->timer_fd < 0) {
		r = -errno;
		goto fail;
	}
	l->timer_watch = (struct loop_watch){ .fd = l->timer_fd, .fn = timers_fire };
	r = loop_watch_add(l, &l->timer_watch, EPOLLIN);
	if (r < 0)
		goto fail;
	*ret = l;
	return 0;
fail:
	loop_free(l);
	return r;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	safe_close(l->epoll_fd);
	safe_close(l->timer_fd);
	free(l->heap);
	free(l->defer);
	free(l->urgent);
	free(l->urgent_poll);
	free(l);
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[LOOP_EVENTS_MAX];
	int n;

	defer_drain(l);
	if (l->quit)
		return 0;   /* deferred work may have ended the loop: don't sleep */
	if (l->n_defer)
		timeout_ms = 0;
	l->iteration++;
	n = epoll_wait(l->epoll_fd, ev, LOOP_EVENTS_MAX, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->batch = ev;
	l->n_batch = n;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = ev[i].data.ptr;

		if (w)
			w->fn(l, w->fd, ev[i].events, w->data);
	}
	l->batch = NULL;
	l->n_batch = 0;
	return 0;
}

uint64_t loop_iteration(const struct loop *l)
{
	return l->iteration;
}

int loop_run(struct loop *l)
{
	int r = 0;

	l->quit = false;
	while (!l->quit && r >= 0)
		r = loop_run_once(l, -1);
	return r;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}
