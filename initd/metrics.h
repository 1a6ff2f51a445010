/* metrics.h — the fleet's numbers in the Prometheus text format (issue 17).
 *
 * `svctl metrics` gets its text over the control socket and initd.conf's
 * metrics_file is the same text, so the file is kept without any svctl
 * (node_exporter's textfile collector reads it). Each unit's state,
 * restarts and last exit come from the model, written by PID 1; memory,
 * CPU, throttling, pids, OOM kills and pressure from its cgroup's files,
 * read and written after PID 1's part by a helper (metrics_helper.h):
 * at 2000 units those are 24,000 files, 1.8 s that held PID 1's loop.
 * Until the helper reports, a request waits deferred and the file keeps
 * its last text; PID 1 goes on with everything else.
 *
 * The file: written in place of a temporary beside it (rename: a reader
 * never sees half a file), only under /run/ (tmpfs, so PID 1's write never
 * waits on a disk; units/conf.c refuses other paths). State events
 * (metrics_changed: every manager pass, so start, exit, restart, OOM) ask
 * for a write; writes are at least a second apart (a one-shot timer takes
 * the events of that second together), one at a time (an event during a
 * write asks for the next). Without metrics_interval nothing else wakes
 * PID 1; with it, a write every interval refreshes what changes without
 * events (CPU, memory).
 */
#ifndef INITD_METRICS_H
#define INITD_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "initd/loop.h"
#include "units/unit.h"

struct manager;

/* What the text may grow to in a reply (the control reply's bound, less
 * room) to a client not root; root gets it in a passed fd, and the file
 * has no bound either. */
#define METRICS_TEXT_MAX (7u * 1024 * 1024)
#define METRICS_WRITE_GAP_USEC 1000000ULL   /* writes at most once a second */

struct metrics;

/* NULL on ENOMEM. The loop must outlive it. */
struct metrics *metrics_new(struct loop *l);
void metrics_free(struct metrics *mx);   /* accepts NULL */

/* The manager whose units it renders (NULL: none loaded yet). */
void metrics_set_manager(struct metrics *mx, struct manager *m);

/* initd.conf's metrics_file and metrics_interval (first load and every
 * reload): a new path or interval takes effect at once, with a write. */
void metrics_configure(struct metrics *mx, const struct initd_conf *conf);

/* A state changed somewhere: write the file (if any) within a second. */
void metrics_changed(struct metrics *mx);

/* Every unit first settled (initd_boot_settled_seconds). */
void metrics_boot_settled(struct metrics *mx, uint64_t monotonic_usec);

/* The text in a sealed memfd (CLOEXEC, its offset at 0), never in PID 1's
 * heap. 0: whole at once (no unit has a cgroup to read), the fd in
 * *ret_fd (the caller's), its length in *ret_len. METRICS_PENDING: the
 * helper reads the cgroups; done() comes later from the loop (never from
 * inside this call) with the memfd (the callee's) or -errno, and *ret_job
 * names the render for metrics_cancel until then. done may not be NULL
 * (-EINVAL). -EBUSY past METRICS_REPLIES_MAX renders at once; else
 * -errno. */
#define METRICS_PENDING 1
#define METRICS_REPLIES_MAX 4
struct metrics_job;
typedef void (*metrics_done_fn)(void *data, int r, int fd, size_t len);
int metrics_render(struct metrics *mx, metrics_done_fn done, void *data, int *ret_fd,
		   size_t *ret_len, struct metrics_job **ret_job);

/* What a done() with r < 0 says went wrong, for the requester. */
const char *metrics_failure(int r);

/* A pending render's requester is gone: its helper killed, done() never
 * called. Accepts NULL. */
void metrics_cancel(struct metrics *mx, struct metrics_job *j);

/* Files written since initd started (a test's witness of no idle writes). */
uint64_t metrics_writes(const struct metrics *mx);

/* The bound on a reply that carries the text (METRICS_TEXT_MAX), and its
 * override (tests; 0 restores it). */
size_t metrics_text_max(const struct metrics *mx);
void metrics_set_text_max(struct metrics *mx, size_t bytes);


#endif
