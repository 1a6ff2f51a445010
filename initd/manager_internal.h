/* manager_internal.h — the manager's private records, shared by its
 * files: manager.c (lifecycle, reaping, the public calls), manager_pass.c
 * (the pass: dependencies, starts, failures, shutdown order, escalation),
 * manager_cgroup.c (the cgroup plan, each service's node and its events),
 * manager_notify.c (readiness messages and MAINPID=), manager_forking.c
 * (a forking daemon's main process), manager_reload.c (applying a new
 * unit set) and manager_leftover.c (a removed unit's leaf still busy).
 * Not for other modules. */
#ifndef INITD_MANAGER_INTERNAL_H
#define INITD_MANAGER_INTERNAL_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "initd/cgroup_watch.h"
#include "initd/log.h"
#include "initd/logbuf.h"
#include "initd/logwriter.h"
#include "initd/manager.h"
#include "initd/pidmap.h"
#include "initd/postmortem.h"
#include "initd/probe.h"

struct cgroup_plan;

/* What a unit's output left (nofork.h): made at its first output (issue 19: most
 * units are silent, and 64 bytes in each of them was most of a ring that
 * holds nothing). */
struct svc_log {
	struct logbuf ring;
	struct log_forward forward;   /* its console/kmsg budget's count */
	struct logwriter_feed file;   /* what its log file did not get (the
	                               * writer's queue was full), not yet said */
	bool mid_line;                /* the last byte taken was not a newline */
};

/* pids.events of a unit whose cgroup refused a fork. */
struct svc_pids {
	uint64_t refused;             /* pids.events max seen so far */
	uint64_t refused_at;          /* when it last grew, monotonic usec */
};

/* Dependencies: indexes into m->svcs, 32 bits (a set holds far fewer
 * units). Out of line (issue 19): most units have none and point at the
 * one shared empty record, svc_no_deps, so readers never check; a unit's
 * own is made when it gets an edge (manager_link). */
struct svc_deps {
	uint32_t *requires;
	uint32_t *after;
	uint32_t *dependents;         /* units that require or come after this one */
	uint32_t n_requires, n_after, n_dependents;
};

/* const: in read-only memory, so a stray write through a unit's deps
 * faults rather than gives every unit an edge. */
extern const struct svc_deps svc_no_deps;

/* What few units ever use, out of line (issue 19): made at the first need
 * of any part (svc_rare_get), NULL before; each part NULL until used. */
struct svc_rare {
	/* issue 18.4: the main pid of each namespaces_from source unit when
	 * this one was spawned; another pid there means the namespace is not
	 * the one joined: restart (pass_check_joined). 0 = none.
	 * [UNIT_JOIN_MAX], made at the first spawn that joins a unit, NULL
	 * before: all 0. */
	pid_t *join_pid;
	struct svc_pids *pids;        /* made at its first refused fork */
	struct probe_run *probe;      /* its ready or health probe (issue 15):
	                               * made at its first run */
	struct postmortem_ring *postmortems;  /* issue 17, manager_postmortem.c:
	                               * made with the first record */
};

/* The manager's record of one unit: the state machine and what the manager
 * holds for it across restarts. From nofork.h (svc_new), as its svc_log
 * and ring: no forked child of PID 1 has them. */
struct svc {
	struct service s;
	struct manager *m;
	/* The child's setup report pipe while it starts, malloc'd then,
	 * NULL otherwise (issue 19). */
	struct loop_watch *report;
	/* Its main process's pidfd (s.pidfd) while watched, fd -1 otherwise:
	 * the child PID 1 spawned, or a MAINPID= process. How its end is
	 * seen without a walk of all children (manager_reap). */
	struct loop_watch main_exit;
	/* The read end of the stdout/stderr pipe, -1 when none: made at the
	 * first spawn, reopened for writing at the next while it lasts (so a
	 * restart loses nothing), closed at end-of-file, once every process
	 * that held the write end is gone. PID 1 never keeps the write end. */
	struct loop_watch output;
	struct svc_log *log;          /* made at its first output, NULL before */
	struct svc_deps *deps;        /* never NULL: &svc_no_deps when none */

	/* cgroup (manager_cgroup.c; has_cgroup, freeze_wanted and frozen are
	 * with the flags below) */
	int wd[CGROUP_EVENT_MAX];     /* its event files' watches (m->watch), -1 */
	uint32_t oom_kills;           /* memory.events oom_kill seen so far
	                               * (saturates: 32 bits keep struct svc in
	                               * nofork's 384-byte class) */

	/* Last, together: a bit each beside gen, no padding (issue 19). */
	unsigned gen;                 /* reload: generation of the set s.unit belongs to */
	bool restart_after_swap : 1;  /* reload */
	bool removed : 1;             /* reload: gone from the units: freed once stopped */
	bool escalated : 1;           /* its failure action ran for this failure */
	bool has_cgroup : 1;          /* its node exists; opened by path when used */
	bool freeze_wanted : 1;       /* cgroup.freeze 1 written (manager_freeze.c) */
	bool frozen : 1;              /* its cgroup.events said frozen 1 since */
	bool stop_after_dependents : 1;  /* an operator's stop, once they stopped */
	bool operator_start : 1;      /* an operator's start (or one it pulled in):
	                               * pulls in what it requires of other modes */
	bool kill_warned : 1;         /* "cgroup.kill failed" said (once a unit) */
	bool main_leads_group : 1;    /* its main process leads a process group
	                               * (a spawn's setsid, or seen so): without
	                               * cgroups that group goes with it
	                               * (ops_main_ended) */
	/* Its position in m->order, its bit in m->pass_marks (pass_index):
	 * in the bits' padding, as UNIT_MAX is far below 2^22. */
	uint32_t pass_pos : 22;

	/* reload (gen and its flags above) */
	const struct unit *pending_unit;  /* changed by a reload: swapped in once stopped */
	struct svc_rare *rare;        /* NULL until a part of it is needed */
};

struct settled_waiter {
	manager_settled_fn fn;
	void *data;
};

struct manager {
	struct loop *loop;
	struct manager_options opt;
	struct cgroup_tree cg;        /* the kernel's side (cgroup.h) */
	struct cgroup_plan *cgroup_plan;   /* what the current set asks of it
	                               * (cgroup_plan.h): NULL before the first
	                               * apply and without cgroups; owned */
	struct cgroup_watch *watch;   /* every unit's cgroup event files; NULL
	                               * without cgroups */
	struct unit_set *set;
	struct svc **svcs;            /* same order as set->units */
	size_t n_svcs;
	/* Main process -> its svc, for svcs and removed (svc_by_pid), keyed
	 * by s.pid: it changes only through svc_set_main_pid and svc_on_exit
	 * (service.c zeroes it), which keep the index. Gone for good once a
	 * growth found no memory (pids_lost): svc_by_pid then walks the
	 * units, as it did before the index. */
	struct pidmap pids;
	bool pids_lost;
	size_t *order;                /* start order (topological) */
	/* The units the next pass looks at, a bit per position in order:
	 * a unit whose state changed and the units that depend on it
	 * (manager_schedule_svc), every unit on manager_schedule. A pass
	 * walked every unit once per event (issue 19: O(n) per exit or
	 * readiness, O(n^2) over a boot). NULL (no memory): every unit. */
	uint64_t *pass_marks;
	/* A bit per position too: the unit was waiting when last marked.
	 * Once the spawn budget of a loop iteration is spent, a pass passes
	 * these by without reading them (they keep their marks). */
	uint64_t *pass_waiting;
	size_t pass_marks_n;          /* bits in each */
	bool pass_scheduled;
	bool leaves_pending;          /* a unit without its leaf may be stopped:
	                               * manager_cgroup_idle_leaves after the pass */
	struct loop_timer reap_timer; /* the walk of all children (manager_reap) */
	uint64_t reap_last;           /* when the last walk began, monotonic usec */
	struct loop_timer pass_timer; /* the next pass, after the fds had their
	                               * turn: at most MANAGER_SPAWNS_PER_ROUND
	                               * spawns per loop iteration */
	uint64_t spawn_round;         /* loop_iteration() of the spawns counted */
	unsigned spawns;              /* in that iteration */
	uint64_t round_began;         /* now_usec() at its first spawn */

	enum shutdown_how shutdown;
	manager_done_fn shutdown_done;
	void *shutdown_data;
	struct loop_timer shutdown_timer;
	bool shutdown_finished;
	bool kill_deferred;           /* manager_shutdown could not arm its
	                               * bound: shutdown_kill_now is queued */
	bool shutdown_killed;         /* its timeout killed what was left */

	struct settled_waiter *waiters;
	size_t n_waiters;

	struct logwriter *logwriter;  /* not owned; NULL: rings only */
	manager_output_fn output_hook;
	void *output_ctx;
	manager_output_fn removed_hook;
	void *removed_ctx;
	manager_pass_fn pass_hook;
	void *pass_ctx;
	manager_drain_fn drain_hook;
	void *drain_ctx;
	manager_mount_fn mount_hook;
	void *mount_ctx;
	manager_failure_fn failure_hook;
	void *failure_ctx;

	bool booted;                  /* manager_boot ran: reloads start new units */
	bool own_leaf_done;           /* initd moved into /init.scope (own_leaf) */
	uint64_t first_spawn_at;      /* boot analysis: the first unit's spawn and */
	uint64_t settled_at;          /* the first pass that found all settled after
	                               * manager_boot, monotonic usec, 0 until then */
	bool rescue;                  /* manager_rescue_reached: nothing starts by itself */
	bool escalate_dirty;          /* a unit entered or left failed since the
	                               * last escalation walk (pass_escalate): a
	                               * pass walks every unit only then, not once
	                               * per event (issue 19: O(n^2) over a boot) */
	size_t settle_hint;           /* the unit manager_all_settled last found
	                               * unsettled: looked at first */

	/* reload: older sets stay alive while a service still points into them */
	unsigned gen;
	struct retired_set *retired;
	size_t n_retired;
	struct svc **removed;         /* stopping, then freed */
	size_t n_removed;
	/* what units going down for a reload (removed, or stopping for their
	 * swap) still need up: their running units' requires and after,
	 * sorted; built at most once a pass, when a stop asks
	 * (reload_going_down_needs), dropped at the pass's end */
	const char **down_needs;
	size_t n_down_needs;
	bool down_needs_built;
	bool cgroup_prune_pending;    /* the tree may hold what the plan no
	                               * longer wants (manager_cgroup_prune) */
	/* leaves taken away with a process still in them (manager_leftover.c) */
	struct leftover **leftovers;
	size_t n_leftovers;
	struct cgroup_watch *leftover_watch;   /* made at the first */
};

struct retired_set {
	struct unit_set *set;
	unsigned gen;
};

static inline struct svc *svc_of(struct service *s)
{
	return (struct svc *)s;   /* struct service is the first member */
}

static inline const struct svc *svc_of_const(const struct service *s)
{
	return (const struct svc *)s;
}

/* v's rare parts, made now if it has none: NULL when memory is short. */
struct svc_rare *svc_rare_get(struct svc *v);

static inline struct probe_run *svc_probe(const struct svc *v)
{
	return v->rare ? v->rare->probe : NULL;
}

/* ---- manager.c ---- */
int svc_new(struct manager *m, const struct unit *u, struct svc **ret);
void svc_free(struct manager *m, struct svc *v);
/* Resolve every svc's dependency names to indexes (after m->svcs changed). */
int manager_link(struct manager *m);
void manager_unlink(struct manager *m);
ssize_t set_index(const struct unit_set *set, const char *name);
/* The svc of namespaces_from source k of v's unit, NULL for a path or none. */
struct svc *svc_join_source(struct manager *m, const struct svc *v, enum unit_join k);
/* The record whose main process is pid (of a reused PID, its newest
 * owner), or NULL. */
struct svc *svc_by_pid(struct manager *m, pid_t pid);
/* v's main process is pid from now on (0: none): s.pid and the index. */
void svc_set_main_pid(struct manager *m, struct svc *v, pid_t pid);
/* v's main process ended (si): v out of the index, then service_on_exit,
 * which zeroes s.pid (the index's key) and may name a forking service's
 * daemon (svc_set_main_pid). The manager's only way to service_on_exit;
 * its result. */
bool svc_on_exit(struct manager *m, struct svc *v, const siginfo_t *si);
/* For the tests: every object in the index is a listed svc found under
 * its own s.pid, every svc with a main process is found under it (as
 * itself or a newer owner of the PID), and the count is right. */
bool manager_pids_consistent(const struct manager *m);

/* ---- manager_pass.c ---- */
/* A pass soon (deferred: one per loop iteration however often asked) that
 * looks at every unit: for what changes more than one unit's standing
 * (a boot, a reload, a shutdown, rescue). */
void manager_schedule(struct manager *m);
/* A pass soon that looks at v and the units that depend on it (v's state
 * or main process changed, an operator asked something of it). */
void manager_schedule_svc(struct manager *m, struct svc *v);
/* The pass's bitmap and each unit's position, for m->svcs and m->order
 * as they are now (after a load or reload), every unit marked. */
int pass_index(struct manager *m);
void pass_index_free(struct manager *m);
/* Would the manager start u by itself now (booted, not in rescue, u in
 * the mode with autostart)? */
bool manager_starts(const struct manager *m, const struct unit *u);
/* The shutdown's last steps once every service stopped (its done hook). */
void shutdown_finish(struct manager *m);
/* m->pass_timer's callback: the next slice of spawns. */
void pass_timer_fired(struct loop *l, void *data);
/* One step of this loop iteration's budget of spawns and stop signals
 * (thousands go in slices, svctl served between two); false when it is
 * spent, a later pass then asked for. */
bool manager_round_take(struct manager *m);

/* ---- manager_notify.c ---- */
/* Watch s.pidfd for the main process's end (main_exit), or stop (the fd
 * is s.pidfd: its owner closes it). */
int main_watch_open(struct manager *m, struct svc *v);
void main_watch_close(struct manager *m, struct svc *v);

/* Why v may not take pid (open as pidfd, or -1) as its main process, or
 * NULL when it may: never PID 1, initd, another unit's main process, a
 * process outside v's cgroup or, without cgroups, one not related to
 * sender (MAINPID=) or not in session (forking: the starter's session; 0
 * for MAINPID=); and only a process still alive after the checks. A
 * process that passed every check but had exited gets svc_refusal_exited
 * (its pointer), so that a caller may say how it ended. */
extern const char svc_refusal_exited[];
const char *svc_main_refusal(struct manager *m, struct svc *v, pid_t sender, pid_t session,
			     pid_t pid, int pidfd);
/* v's main process is now pid, followed through pidfd (taken). */
void svc_follow_main(struct manager *m, struct svc *v, pid_t pid, int pidfd);

/* manager_forking.c: service_ops.find_main. */
int svc_find_main(struct service *s, char *why, size_t size);

/* ---- manager_cgroup.c ---- */
/* A service's node and leaf, and their events. init: no cgroup, no watch
 * (svc_new). check: what the plan and the passwd file can tell, without
 * touching the tree (svc_new); a unit that cannot have its cgroup is born
 * failed with the reason (EXIT_CGROUP). open: make the node and leaf: 0,
 * and with ret_spawn_fd the fd its processes go in (the spawn's), or
 * -errno with the reason recorded as its last exit (the caller fails
 * it: service_spawn, or service_setup_refused). The leaves are made at
 * each unit's first spawn, so that the boot's first execs need not wait
 * for every other unit's leaf (issue 19); a unit without one that is
 * stopped or failed (not for its cgroup) gets it after the pass
 * (idle_leaves, before the escalation walk).
 * poll_oom: read memory.events now (before an exit is classified). */
void svc_cgroup_init(struct svc *v);
void svc_cgroup_check(struct manager *m, struct svc *v);
int svc_open_cgroup(struct manager *m, struct svc *v, int *ret_spawn_fd);
void manager_cgroup_idle_leaves(struct manager *m);
void svc_close_cgroup(struct manager *m, struct svc *v);
/* The directory to spawn v into: 0 with *ret_fd a new fd (the caller
 * closes it), or with *ret_fd = -1 when initd runs without cgroups (or the
 * unit is bad: it gets none); -errno when the cgroup cannot be set up (a
 * second try is made), *ret_fd then untouched. */
int svc_spawn_cgroup_fd(struct manager *m, struct svc *v, int *ret_fd);
/* Whether v's cgroup may hold a child born in it before its first
 * instructions: a CPU or memory limit of the unit or of a slice above it
 * (cpu.max throttles; memory.high throttles, and memory.max reclaims, at
 * the child's first page faults), or a subtree the service manages (it
 * may freeze it). */
bool svc_cgroup_may_hold(const struct manager *m, const struct svc *v);
/* A new OOM kill in v's cgroup: the main process's if it exited
 * (main_exited: read at its exit) or is dying, else another process's. */
void svc_cgroup_poll_oom(struct svc *v, bool main_exited);
/* v's node, opened for reading (the caller closes it), or -errno
 * (-ENOENT: no cgroup). leaf_open: the directory its processes go to (a
 * delegating unit's "main"). */
int svc_cgroup_node_open(struct manager *m, struct svc *v);
int svc_cgroup_leaf_open(struct manager *m, struct svc *v);
/* cgroup.kill on the node (where it fails, SIGKILL to each process its
 * cgroup.procs list, said in the log once a unit): 1 when it is empty (or
 * has no cgroup), 0 while killing, 1 + n when n processes were killed one
 * by one (not atomic with fork: ask again), -errno when neither works.
 * populated: 1, 0 (or no cgroup), -errno. */
int svc_cgroup_kill(struct manager *m, struct svc *v);
/* sig to every process of the node and its sub-cgroups: the number
 * signalled, or -errno. */
int svc_cgroup_signal(struct manager *m, struct svc *v, int sig);
int svc_cgroup_populated(struct manager *m, struct svc *v);
/* The cgroup.procs of v's leaf (where its processes live), NUL-terminated,
 * at most size - 1 bytes: its length, or -errno. */
int svc_cgroup_procs(struct manager *m, struct svc *v, char *buf, size_t size);
/* m->watch's callback: one of v's event files changed. */
void svc_cgroup_event(void *owner, enum cgroup_event ev);
/* Plan and build the tree of set (slices, controllers) before its services
 * open their cgroups; at boot (prev NULL) and on reload (prev: the set
 * applied before, whose slice limits set no longer has are reset). */
void manager_cgroup_apply(struct manager *m, const struct unit_set *set,
			  const struct unit_set *prev);
/* Prune the tree to the current plan (cgroup_plan_prune): once a reload's
 * old services are gone. true while something is left for a later pass. */
bool manager_cgroup_prune(struct manager *m);
/* Close the tree and free the plan (manager_free; accepts either unset). */
void manager_cgroup_close(struct manager *m);

/* ---- manager_leftover.c ---- */
/* Remove u's leaf: a reload removed u (next NULL; a unit of the current
 * set in the same node, added again since, keeps it), or gives its
 * record the unit next (a busy node in the same slice then stays, for
 * next). A leaf a process still holds (killed: cgroup.kill) is removed
 * once its cgroup.events says it is empty. */
void manager_cgroup_remove_leaf(struct manager *m, const struct unit *u,
				const struct unit *next);
void manager_leftovers_free(struct manager *m);

/* ---- manager.c: output ---- */
/* What v's pipe holds now, into its ring (and to followers). */
void svc_output_flush(struct svc *v);

/* ---- manager_postmortem.c ---- */
/* The reaper's call for v's main process ending: service_on_exit, and a
 * post-mortem record when the exit is a failure nobody asked for. */
void svc_exit(struct manager *m, struct svc *v, const siginfo_t *si);
/* v's post-mortem ring sized to its (new) unit's postmortems. */
void svc_postmortems_fit(struct svc *v);

/* ---- manager_freeze.c ---- */
/* cgroup.events changed and says frozen (0 or 1). */
void svc_freeze_seen(struct svc *v, bool frozen);
/* After every state change: a frozen unit that leaves running (a stop,
 * its exit) is thawed first, so that a signal sent reaches it and no
 * process of a later run starts frozen. */
void svc_freeze_follow_state(struct svc *v);
/* cgroup.freeze of v's node: 0 or -errno. */
int svc_cgroup_freeze(struct manager *m, struct svc *v, bool on);
/* cgroup.events of v's node: populated and frozen, 0 or -errno
 * (-ENOENT: no cgroup). */
int svc_cgroup_events(struct manager *m, struct svc *v, bool *ret_populated, bool *ret_frozen);

/* ---- manager_reload.c ---- */
/* Called from the pass. */
void reload_pass(struct manager *m);
/* Whether a unit going down for a reload still needs name up (see
 * down_needs). Out of memory: false, so a stop goes on, out of order,
 * rather than never. Kept until reload_needs_drop (a pass's end): the
 * units' states it was made of must not change meanwhile but by stops. */
bool reload_going_down_needs(struct manager *m, const char *name);
void reload_needs_drop(struct manager *m);
/* Prune the cgroup tree if it waits for that and no service of an older
 * set is left (their nodes may still be in use). */
void reload_prune(struct manager *m);

#endif
