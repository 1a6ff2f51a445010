/* cgroup_watch.h — the kernel's cgroup event files, watched through one
 * inotify instance.
 *
 * cgroup.events (populated), memory.events (oom_kill) and pids.events (max)
 * change without a write from anyone: the kernel signals each change as
 * IN_MODIFY on the file (cgroup-v2.rst). One inotify fd carries every
 * service's watches, so watching costs PID 1 no fd per unit; a watch names
 * its owner and which file it is.
 */
#ifndef INITD_CGROUP_WATCH_H
#define INITD_CGROUP_WATCH_H

#include "initd/loop.h"

enum cgroup_event {
	CGROUP_EVENT_POPULATED,   /* cgroup.events */
	CGROUP_EVENT_MEMORY,      /* memory.events */
	CGROUP_EVENT_PIDS,        /* pids.events */
	CGROUP_EVENT_MAX,
};

/* The file each event is read from: "cgroup.events"... */
extern const char *const cgroup_event_file[CGROUP_EVENT_MAX];

struct cgroup_watch;

/* A watched file changed (or may have: the queue overflowed). */
typedef void (*cgroup_watch_fn)(void *owner, enum cgroup_event ev);

int cgroup_watch_new(struct loop *l, cgroup_watch_fn fn, struct cgroup_watch **ret);
void cgroup_watch_free(struct cgroup_watch *w);     /* accepts NULL */

/* Watch the event file of the cgroup directory dir (an absolute path) for
 * owner (not NULL). *ret_wd: the watch, to remove it. 0, -ENOENT when the
 * file does not exist (its controller is not enabled), or -errno. */
int cgroup_watch_add(struct cgroup_watch *w, const char *dir, enum cgroup_event ev,
		     void *owner, int *ret_wd);
/* Stop a watch (wd < 0 is a no-op). Its owner gets no call after this. */
void cgroup_watch_remove(struct cgroup_watch *w, int wd);
/* Heap bytes the watch table takes (issue 19's memory table); 0 for NULL. */
size_t cgroup_watch_footprint(const struct cgroup_watch *w);

#endif
