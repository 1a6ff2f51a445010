/* manager.h — the supervisor: the current unit model, one service per unit,
 * dependency order, reaping, and the ordered shutdown.
 *
 * The manager owns the `struct unit_set` it was given and a runtime record
 * per unit (state machine, cgroup leaf, log pipe and ring). Every change of a
 * service's state schedules one deferred pass that starts what became
 * startable, fails what lost a required unit, and, when shutting down, stops
 * services in reverse dependency order.
 */
#ifndef INITD_MANAGER_H
#define INITD_MANAGER_H

#include <stdbool.h>
#include <sys/types.h>

#include "initd/cgroup.h"
#include "initd/loop.h"
#include "initd/service.h"
#include "units/unit.h"

struct manager;
struct postmortem;

enum shutdown_how {
	SHUTDOWN_NONE,
	SHUTDOWN_POWEROFF,
	SHUTDOWN_REBOOT,
	SHUTDOWN_HALT,
	SHUTDOWN_EXIT,        /* non-PID-1 mode: stop services, then return */
	SHUTDOWN_RESCUE,      /* stop every unit, then stay (manager_rescue_reached) */
};

struct manager_options {
	bool use_cgroup;
	const char *cgroup_root;      /* default /sys/fs/cgroup */
	const char *passwd_file;      /* default /etc/passwd */
	const char *group_file;       /* default /etc/group */
	const char *notify_socket;    /* NOTIFY_SOCKET given to services, or NULL */
	bool own_leaf;                /* move initd itself into /init.scope (PID 1) */
	const char *mode;             /* the boot mode (initd.mode=), NULL = "default";
	                               * borrowed for the manager's life */
};

/* A unit with on_failure (or critical) ended failed, outside a shutdown and
 * outside rescue: the caller runs the action. why is "NAME failed: REASON". */
typedef void (*manager_failure_fn)(void *ctx, const struct unit *u, enum failure_action a,
				   const char *why);
void manager_set_failure_hook(struct manager *m, manager_failure_fn fn, void *ctx);

/* The boot: start every unit that belongs to the mode and has autostart
 * (manager_apply starts nothing). Reload starts new units only after this,
 * and only those; never in rescue. */
void manager_boot(struct manager *m);
/* The ordered stop of SHUTDOWN_RESCUE is over: the manager takes requests
 * again (svctl start), runs no failure action and starts no unit by
 * itself. Also for a rescue with nothing started (initd.rescue). */
void manager_rescue_reached(struct manager *m);
bool manager_in_rescue(const struct manager *m);

/* Called once every service has stopped (or the shutdown bound expired). */
typedef void (*manager_done_fn)(struct manager *m, enum shutdown_how how, void *data);
/* Called when every service is settled (nothing starting or stopping). */
typedef void (*manager_settled_fn)(struct manager *m, void *data);

int manager_new(struct loop *l, const struct manager_options *opt, struct manager **ret);
void manager_free(struct manager *m);

/* Take ownership of a loaded set (boot; manager_boot starts it), or apply it as
 * a reload: new units start, removed ones stop, changed ones restart,
 * unchanged ones are untouched. */
int manager_apply(struct manager *m, struct unit_set *set);

/* What a reload did: counts, and the first names of each kind of change
 * that fit (an operator reads which units; 10,000 names would not fit a
 * line). */
enum reload_change { RELOAD_ADDED, RELOAD_REMOVED, RELOAD_CHANGED, RELOAD_CHANGES };
struct reload_names {
	size_t shown;
	char text[4 * (UNIT_NAME_MAX + 2)];   /* "a, b" */
};
struct reload_summary {
	size_t added, removed, changed, unchanged;
	struct reload_names names[RELOAD_CHANGES];
};

/* "reload: A added, R removed, C changed, U unchanged (added: a, b and 3
 * more; removed: c)" into buf (always ended; RELOAD_SUMMARY_LINE holds it). */
#define RELOAD_SUMMARY_LINE (160 + RELOAD_CHANGES * (sizeof(((struct reload_names *)0)->text) + 48))
void reload_summary_format(const struct reload_summary *sum, char *buf, size_t size);

/* Apply a new, valid set (no diagnostics: the caller refuses an invalid one
 * whole): new units start, removed ones stop and go, changed ones stop and
 * start again with their new unit, unchanged ones are untouched. Takes
 * ownership of set. 0 or -errno (then the old model stays and set is freed). */
int manager_reload(struct manager *m, struct unit_set *set, struct reload_summary *ret);

/* SIGCHLD: the walk that reaps what no pidfd watch does (helpers,
 * orphans), now or (at 256 units or more) within 100 ms: a service's main
 * process is reaped by its pidfd's watch. */
void manager_reap(struct manager *m);

/* Begin the ordered shutdown (idempotent: a second call only upgrades how;
 * SHUTDOWN_RESCUE never replaces a real shutdown). manager_shutdown_how:
 * the one under way, SHUTDOWN_NONE if none. */
void manager_shutdown(struct manager *m, enum shutdown_how how, manager_done_fn done,
		      void *data);
enum shutdown_how manager_shutdown_how(const struct manager *m);
bool manager_shutting_down(const struct manager *m);
/* Boot analysis: when the first unit was spawned and when every unit
 * first settled after manager_boot, monotonic usec, 0 until then. */
void manager_boot_times(const struct manager *m, uint64_t *first_spawn, uint64_t *settled);

/* Ask to be told when everything settles (one-shot); fires at once from the
 * next pass when already settled. Returns a handle for cancel. */
int manager_wait_settled(struct manager *m, manager_settled_fn fn, void *data);
void manager_cancel_settled(struct manager *m, void *data);

/* A readiness message from process `sender`, of real uid `uid` (kernel
 * credentials). */
struct notify_msg;
void manager_notify(struct manager *m, pid_t sender, uid_t uid, const struct notify_msg *msg);

/* Called after every pass (a state changed somewhere). */
typedef void (*manager_pass_fn)(void *ctx);
void manager_set_pass_hook(struct manager *m, manager_pass_fn fn, void *ctx);
/* Settled: not waiting, starting, stopping, or changing for a reload. */
bool manager_service_settled(struct manager *m, struct service *s);

/* Is the mount at `where` (a unit's requires_mounts) mounted? If not, the
 * reason goes in why. Without a hook every mount counts as mounted. */
typedef bool (*manager_mount_fn)(void *ctx, const char *where, char *why, size_t size);
void manager_set_mount_hook(struct manager *m, manager_mount_fn fn, void *ctx);

/* Called before a main process is reaped, by its pidfd or by the walk (the
 * readiness socket's drain: see notify_server_drain). */
typedef void (*manager_drain_fn)(void *ctx);
void manager_set_drain_hook(struct manager *m, manager_drain_fn fn, void *ctx);

/* Called after a service's output was appended to its ring (logs -f). */
typedef void (*manager_output_fn)(void *ctx, struct service *s);
void manager_set_output_hook(struct manager *m, manager_output_fn fn, void *ctx);
/* Called for a unit a reload removed once it is down, just before its
 * record and its ring are freed (logs -f: what a follower did not take). */
void manager_set_removed_hook(struct manager *m, manager_output_fn fn, void *ctx);

/* Persistent logs (logwriter.h): each service's stamped lines also go to
 * w for its log file, if it has one (w may be NULL: rings only; not
 * owned). output_flush reads every output pipe now, before the writer's
 * stream ends at shutdown, and ends the lines left unfinished. */
struct logwriter;
void manager_set_logwriter(struct manager *m, struct logwriter *w);
void manager_output_flush(struct manager *m);

/* Lookup and iteration for the control commands. */
size_t manager_count(const struct manager *m);
struct service *manager_service_at(struct manager *m, size_t i);
struct service *manager_find(struct manager *m, const char *name);
/* Is a unit of this name known: in the current set, or removed by a
 * reload and still going down (its output may still come)? Once false, no
 * line comes under the name unless a later reload adds it back. */
bool manager_knows(struct manager *m, const char *name);
const struct unit_set *manager_set(const struct manager *m);
/* The leaf path below the cgroup root ("system/web"), or NULL. */
const char *manager_cgroup_path(struct manager *m, struct service *s, char *buf, size_t size);
const struct logbuf *manager_service_log(struct service *s);
/* The statistics of s's cgroup node (manager_cgroup.c): 0, or -ENOENT when
 * it has none. Its path below the tree's root, for a reader elsewhere
 * (the metrics helper): 0, -ENOENT, or -ENAMETOOLONG past size. The tree
 * (root, controllers) for `svctl tree`: NULL without cgroups.
 * slice_problem: why the slice at path could not be set up, NULL when it
 * was (or is unknown); the string lives until the next reload. */
struct cgroup_stats;
int manager_cgroup_stats(struct manager *m, struct service *s, struct cgroup_stats *ret);
int manager_cgroup_node_path(struct service *s, char *buf, size_t size);
const struct cgroup_tree *manager_cgroup_tree(const struct manager *m);
const char *manager_cgroup_slice_problem(const struct manager *m, const char *path);

/* Operator commands: 0 or -errno. manager_kill signals every process of
 * the unit (main_only: its main process alone); -ESRCH without one. */
int manager_start(struct manager *m, struct service *s);
int manager_stop(struct manager *m, struct service *s);
/* Before the manager_stop of each of several units stopped together
 * (svctl stop x y): none of them is wanted any more, so that one coming
 * after another goes down first whatever the order they were named in. */
void manager_stop_begin(struct manager *m, struct service *s);
int manager_restart(struct manager *m, struct service *s);
int manager_kill(struct manager *m, struct service *s, int sig, bool main_only);

/* Issue 17. s's i-th newest post-mortem record (0: the last), or NULL
 * (manager_postmortem.c). */
const struct postmortem *manager_postmortem(struct manager *m, struct service *s, unsigned i);
/* Freeze or thaw s's cgroup (manager_freeze.c): 0; -EOPNOTSUPP without a
 * cgroup, -EINVAL when s is not running (freeze), -EALREADY when it is not
 * frozen (thaw), -errno of the write. */
int manager_freeze(struct manager *m, struct service *s);
int manager_thaw(struct manager *m, struct service *s);
/* The state svctl shows: "frozen" once the kernel said so, else the
 * state machine's. */
const char *manager_state_name(struct manager *m, struct service *s);

/* Issue 19: the heap PID 1 holds for its units, by component, in bytes as
 * the allocator holds them (usable size plus header; manager_mem.c). */
struct manager_footprint {
	size_t units;
	struct unit_set_footprint model;   /* the current set's units */
	size_t model_retired;         /* older sets still alive (a reload) */
	size_t svc_structs;           /* struct svc: state, timers, exits */
	size_t deps;                  /* requires/after/dependents indexes */
	size_t log_rings;             /* output rings, as allocated so far */
	size_t postmortems;
	size_t index;                 /* m->svcs, m->order, the set's array,
	                               * the main processes' (pidmap) */
	size_t cgroup_watch;          /* the watch tables, and the leaves a
	                               * reload left busy (manager_leftover.c) */
};
void manager_footprint(struct manager *m, struct manager_footprint *fp);

#endif
