/* cgroup_watch.c — see cgroup_watch.h. */
#include "initd/cgroup_watch.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/util.h"

const char *const cgroup_event_file[CGROUP_EVENT_MAX] = {
	[CGROUP_EVENT_POPULATED] = "cgroup.events",
	[CGROUP_EVENT_MEMORY] = "memory.events",
	[CGROUP_EVENT_PIDS] = "pids.events",
};

/* Bounded per wakeup so that a storm of events cannot starve the loop. */
#define WATCH_READS_PER_WAKEUP 16

/* A removed watch stays in place, its owner NULL, until removed ones are
 * half the table: closing the gap at each remove made a remove O(n), and
 * PID 1 removes a unit's watches at each reload that changes it, each
 * removal of its leaf and its end (a reload changing 10,000 units moved
 * ~7 GB). One pass then drops them all: O(1) a remove, amortised. */
struct watch_entry {
	int wd;
	enum cgroup_event ev;
	void *owner;              /* NULL: removed */
};

struct cgroup_watch {
	struct loop *loop;
	struct loop_watch io;
	cgroup_watch_fn fn;
	struct watch_entry *v;    /* sorted by wd */
	size_t n, cap;
	size_t removed;           /* entries with no owner */
};

/* Index of wd, or where it would go. */
static size_t entry_index(const struct cgroup_watch *w, int wd)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->v[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct watch_entry *entry_find(struct cgroup_watch *w, int wd)
{
	size_t i = entry_index(w, wd);

	return i < w->n && w->v[i].wd == wd && w->v[i].owner ? &w->v[i] : NULL;
}

/* The removed entries out, in one pass: each run of kept ones moved to
 * where the kept end (one memmove a run, counted by test_cgroup_watch). */
static void entries_compact(struct cgroup_watch *w)
{
	size_t k = 0, i = 0, run;

	while (i < w->n) {
		while (i < w->n && !w->v[i].owner)
			i++;
		for (run = 0; i + run < w->n && w->v[i + run].owner; run++)
			;
		memmove(&w->v[k], &w->v[i], run * sizeof(*w->v));
		k += run;
		i += run;
	}
	w->n = k;
	w->removed = 0;
}

static void entry_drop(struct cgroup_watch *w, int wd)
{
	struct watch_entry *e = entry_find(w, wd);

	if (!e)
		return;
	e->owner = NULL;
	if (++w->removed > w->n / 2)
		entries_compact(w);
}

static int entry_insert(struct cgroup_watch *w, const struct watch_entry *e)
{
	size_t i = entry_index(w, e->wd);

	if (i < w->n && w->v[i].wd == e->wd) {
		/* the kernel hands out the same wd for the same file; or one
		 * removed here, not yet compacted, is reused */
		w->removed -= !w->v[i].owner;
		w->v[i] = *e;
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct watch_entry *v = reallocarray(w->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	memmove(&w->v[i + 1], &w->v[i], (w->n - i) * sizeof(*w->v));
	w->v[i] = *e;
	w->n++;
	return 0;
}

/* Lost events: every watched file may have changed. The owners re-read
 * their files, which is what they do for one event anyway. A callback may
 * remove watches, so iterate over a copy. */
static void notify_all(struct cgroup_watch *w)
{
	size_t n = w->n;
	_cleanup_free_ struct watch_entry *copy = malloc(n * sizeof(*copy) + 1);

	if (!copy)
		return;
	memcpy(copy, w->v, n * sizeof(*copy));
	for (size_t i = 0; i < n; i++) {
		struct watch_entry *e = entry_find(w, copy[i].wd);   /* still watched */

		if (e)
			w->fn(e->owner, e->ev);
	}
}

static void watch_dispatch(struct cgroup_watch *w, const struct inotify_event *e)
{
	struct watch_entry *entry;

	if (e->mask & IN_Q_OVERFLOW) {
		notify_all(w);
		return;
	}
	if (e->mask & IN_IGNORED) {
		entry_drop(w, e->wd);   /* its directory went away */
		return;
	}
	entry = entry_find(w, e->wd);
	if (entry)
		w->fn(entry->owner, entry->ev);
}

static void watch_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct cgroup_watch *w = data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (int i = 0; i < WATCH_READS_PER_WAKEUP; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			watch_dispatch(w, e);
			p += sizeof(*e) + e->len;
		}
	}
}

int cgroup_watch_new(struct loop *l, cgroup_watch_fn fn, struct cgroup_watch **ret)
{
	struct cgroup_watch *w = calloc(1, sizeof(*w));
	int fd, r;

	if (!w)
		return -ENOMEM;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	w->loop = l;
	w->fn = fn;
	w->io = (struct loop_watch){ .fd = fd, .fn = watch_ready, .data = w };
	r = loop_watch_add(l, &w->io, EPOLLIN);
	if (r < 0) {
		close(fd);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

void cgroup_watch_free(struct cgroup_watch *w)
{
	if (!w)
		return;
	loop_watch_del(w->loop, &w->io);
	close(w->io.fd);
	free(w->v);
	free(w);
}

int cgroup_watch_add(struct cgroup_watch *w, const char *dir, enum cgroup_event ev,
		     void *owner, int *ret_wd)
{
	char path[PATH_MAX];
	int wd, r;

	if (!owner)
		return -EINVAL;   /* NULL marks a removed entry */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, cgroup_event_file[ev]) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	wd = inotify_add_watch(w->io.fd, path, IN_MODIFY);
	if (wd < 0)
		return -errno;
	r = entry_insert(w, &(struct watch_entry){ .wd = wd, .ev = ev, .owner = owner });
	if (r < 0) {
		inotify_rm_watch(w->io.fd, wd);
		return r;
	}
	*ret_wd = wd;
	return 0;
}

void cgroup_watch_remove(struct cgroup_watch *w, int wd)
{
	if (!w || wd < 0 || !entry_find(w, wd))
		return;
	entry_drop(w, wd);
	inotify_rm_watch(w->io.fd, wd);   /* EINVAL if its directory is gone: fine */
}

size_t cgroup_watch_footprint(const struct cgroup_watch *w)
{
	if (!w || !w->v)
		return 0;
	return malloc_usable_size(w->v) + sizeof(size_t);
}
