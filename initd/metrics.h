/* metrics.h — the fleet's numbers in the Prometheus text format (issue 17).
 *
 * One renderer, in PID 1: `svctl metrics` gets its text over the control
 * socket and initd.conf's metrics_file is the same text, so the file is
 * kept without any svctl (node_exporter's textfile collector reads it).
 * Each unit's state, restarts and last exit come from the model; memory,
 * CPU, throttling, pids, OOM kills and pressure from its leaf's cgroup
 * files (cgroupfs reads never wait on a disk).
 *
 * The file: written in place of a temporary beside it (rename: a reader
 * never sees half a file), only under /run/ (tmpfs, so PID 1's write never
 * waits on a disk; units/conf.c refuses other paths). State events
 * (metrics_changed: every manager pass, so start, exit, restart, OOM) ask
 * for a write; writes are at least a second apart (a one-shot timer takes
 * the events of that second together). Without metrics_interval nothing
 * else wakes PID 1; with it, a write every interval refreshes what changes
 * without events (CPU, memory).
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

/* The text in a sealed memfd (*ret_fd, the caller's; CLOEXEC, its offset
 * at 0), its length in *ret_len: never in PID 1's heap. 0 or -errno. */
int metrics_render(struct metrics *mx, int *ret_fd, size_t *ret_len);

/* Files written since initd started (a test's witness of no idle writes). */
uint64_t metrics_writes(const struct metrics *mx);

/* The bound on a reply that carries the text (METRICS_TEXT_MAX), and its
 * override (tests; 0 restores it). */
size_t metrics_text_max(const struct metrics *mx);
void metrics_set_text_max(struct metrics *mx, size_t bytes);

/* s as a label value: backslash, double quote and newline escaped (the
 * text format's rules). Exposed for the unit tests. */
void metrics_put_label(FILE *f, const char *s);

#endif
