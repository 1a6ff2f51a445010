/* service.h — one supervised service: its runtime state and state machine.
 *
 * The parsed unit (units/unit.h) is immutable; a service points at it and
 * keeps what changes: the state, the main process, timers, counters, the last
 * exit. Desired state (`want`, what the operator asked for) is kept apart from
 * the current state.
 *
 * States and what moves them: the table service_transitions[] in
 * service.c, one row per allowed change {from, to, event}, beside
 * service_set_state(), the one place the state changes. A change outside
 * the table is logged (and counted), never fatal: PID 1 goes on. In short:
 *
 *   stopped|exited|failed --start / pulled in--> waiting --spawn--> starting
 *   starting --exec (simple), READY=1 (notify), main PID known (forking)--> running
 *     (with a ready probe: that, then the probe's first success)
 *   running --health probe failed `failures` times in a row--> stopping
 *   starting|running --exit--> restarting (--timer--> waiting) | exited | failed
 *   live --stop, start timeout, a required unit failed--> stopping
 *   stopping --exit+empty--> stopped | waiting | restarting | failed
 *   (a unit that did not parse)                   bad-config, until a reload
 *
 * Frozen (svctl freeze, manager_freeze.c) is no state: a running unit's
 * cgroup is frozen and `suspended` holds its watchdog and probes; any
 * change of state out of running thaws it first.

 * A service is over when its main process is reaped; whatever it left in its
 * leaf is killed with cgroup.kill, and it is not spawned again until the leaf
 * is empty (cgroup.events populated 0).
 *
 * Side effects (spawn, signals, cgroup.kill) go through `struct service_ops`
 * so that tests can drive the machine without root.
 */
#ifndef INITD_SERVICE_H
#define INITD_SERVICE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "initd/loop.h"
#include "units/unit.h"

enum service_state {
	SERVICE_STOPPED,
	SERVICE_WAITING,      /* wants to run; its dependencies are not ready */
	SERVICE_STARTING,     /* spawned; not ready yet */
	SERVICE_RUNNING,      /* ready */
	SERVICE_STOPPING,     /* stop signal sent; waiting for exit and an empty leaf */
	SERVICE_RESTARTING,   /* backoff timer before the next start */
	SERVICE_EXITED,       /* finished successfully, not restarting */
	SERVICE_FAILED,       /* gave up: see last_exit */
	SERVICE_BAD_CONFIG,   /* its unit file is invalid */
	SERVICE_STATE_MAX,
};

enum exit_kind {
	EXIT_NONE,
	EXIT_CODE,            /* code = exit status */
	EXIT_SIGNAL,          /* code = signal number */
	EXIT_OOM,             /* killed by the OOM killer in its cgroup */
	EXIT_STOP_TIMEOUT,    /* did not stop in time, killed */
	EXIT_SETUP,           /* stage, code = errno: child setup failed;
	                       * detail = the child's text, if it sent one */
	EXIT_SPAWN,           /* code = errno: clone3 itself failed */
	EXIT_DEPENDENCY,      /* detail = "NAME" or "NAME: its reason"; code 1:
	                       * not started for it, detail "NAME: why" */
	EXIT_START_LIMIT,     /* too many starts in the interval */
	EXIT_CGROUP,          /* detail = why its cgroup could not be set up */
	EXIT_WATCHDOG,        /* ready, then silent past its watchdog: killed */
	EXIT_UNKNOWN,         /* a MAINPID process that was not initd's child */
	EXIT_START_TIMEOUT,   /* not ready within its start_timeout: stopped
	                       * (code 1: the service had extended it) */
	EXIT_OPERATOR,        /* stopped by svctl (stop; code 1: restart, or a
	                       * start during the stop) */
	EXIT_MOUNT,           /* detail = "mount /data failed: why": a
	                       * requires_mounts entry is not mounted */
	EXIT_MAIN_REFUSED,    /* detail = why: a forking unit's daemon could not
	                       * be taken as its main process (pid file refused,
	                       * no single process in its leaf) */
	EXIT_RELOAD,          /* stopped by a reload to take its changed unit */
	EXIT_REQUIREMENT,     /* detail = NAME: a required unit stopped (code
	                       * 0) or exited (code 1), so this one was stopped */
	EXIT_HEALTH,          /* detail = the last probe's failure: its health
	                       * probe failed `failures` times in a row */
	EXIT_KIND_MAX,
};

struct service_exit {
	enum exit_kind kind;
	int code;
	int notify_errno;     /* ERRNO= the service sent before it ended, or 0 */
	uint16_t stage;       /* enum spawn_stage, for EXIT_SETUP (16 bits:
	                       * beside before_ready, no padding; issue 19) */
	bool before_ready;    /* a notify unit's process ended before READY=1:
	                       * a failure, whatever its exit code */
	uint64_t at;          /* monotonic usec */
	/* Room for a unit name and the start of its own reason (a dependency
	 * failure says why the dependency failed); truncated beyond
	 * SERVICE_EXIT_DETAIL_MAX. Issue 19: malloc'd when there is one (NULL:
	 * none, or memory was short), not 256 bytes in every unit; owned by
	 * the exit's holder: set and freed with service_exit_set/_free. */
	char *detail;
};

#define SERVICE_EXIT_DETAIL_MAX (UNIT_NAME_MAX + 192)

/* Replace *e by v (whose detail must be NULL), freeing e's detail. */
void service_exit_set(struct service_exit *e, struct service_exit v);
/* Give e a detail (printf format; "" or a short memory: none). */
void service_exit_describe(struct service_exit *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* *dst becomes a copy of src, detail included (memory short: no detail). */
void service_exit_copy(struct service_exit *dst, const struct service_exit *src);
void service_exit_free(struct service_exit *e);
static inline const char *service_exit_detail(const struct service_exit *e)
{
	return e->detail ? e->detail : "";
}

struct service;

enum service_cold_timer { SERVICE_WATCHDOG, SERVICE_PROBE_TIMER, SERVICE_MAIN_POLL,
			  SERVICE_REKILL, SERVICE_COLD_TIMERS };

/* A leaf killed one by one (cgroup.kill failed) that is still populated is
 * killed again every stop_timeout / 10 (1ms to 1s), this many times; then
 * what is left is not waited for. */
#define SERVICE_REKILLS 10

/* A forking unit's pid file is looked for again after 10ms, doubling up to
 * 1s: wakeups only while such a unit starts, bounded by start_timeout. */
#define SERVICE_MAIN_POLL_FIRST (10 * 1000ULL)     /* usec */
#define SERVICE_MAIN_POLL_MAX   (1000 * 1000ULL)

#define SERVICE_PROBE_WHY_MAX 160   /* bytes of a probe's failure, NUL included */
/* Start limits up to this burst count in any window (a ring of the last
 * burst starts' times, 8 bytes each, in a unit that restarts); a larger
 * burst in windows that begin at a start (service.c). */
#define START_LIMIT_EXACT_BURST 64

/* Why a service is stopping: decides what the exit that follows means. */
enum stop_cause {
	STOP_NONE,            /* not stopping, or the manager stopped it (a
	                       * required unit stopped, shutdown, reload) */
	STOP_DEPENDENCY,      /* a required unit failed: failed once stopped,
	                       * unless started again meanwhile */
	STOP_START_TIMEOUT,   /* not ready in time: a failure once stopped, the
	                       * restart policy decides */
	STOP_OPERATOR,        /* svctl stop or restart: "stopped by svctl" */
	STOP_MAIN_REFUSED,    /* forking: no main process could be taken (the
	                       * exit was recorded): a failure once stopped */
	STOP_HEALTH,          /* its health probe kept failing (the exit was
	                       * recorded): a failure once stopped */
	STOP_REQUIREMENT,     /* a required unit stopped or exited (the exit
	                       * was recorded): stopped once down */
	STOP_RELOAD,          /* a reload changed its unit (the exit was
	                       * recorded): swapped in once down */
	STOP_CAUSE_MAX,
};

struct service_ops {
	/* Spawn the main process: set s->pid and s->pidfd, or return -errno.
	 * The child reports setup failure or a successful exec later, through
	 * service_on_setup_failed() / service_on_exec(). */
	int (*spawn)(struct service *s);
	/* Send sig to the main process. */
	int (*signal)(struct service *s, int sig);
	/* Kill everything in the service's leaf (cgroup.kill, or each process
	 * its cgroup.procs list). Returns 1 if the leaf is already empty, 0 if
	 * processes are being killed (cgroup.kill: an empty event will follow),
	 * 1 + n when cgroup.kill failed and n processes were killed one by one
	 * (not atomic with fork: a child may be left, so the machine kills
	 * again from a timer, SERVICE_REKILLS times), -errno when nothing could
	 * be: the machine then kills the main process alone, or waits for
	 * nothing. */
	int (*kill_all)(struct service *s);
	/* Is the leaf empty? Services without a cgroup say yes. */
	bool (*is_empty)(struct service *s);
	/* type forking, its starter exited 0: find the daemon it left (the
	 * unit's pidfile, or the one process in its leaf), check it belongs to
	 * the unit and follow it. 1: found, s->pid and s->pidfd set; 0: not
	 * yet (no pid file yet: asked again later); -errno: refused, why (a
	 * reason for svctl status) written into why[size]. */
	int (*find_main)(struct service *s, char *why, size_t size);
	/* Run probe p (the unit's ready or health) in the service's own
	 * namespaces, as its user, bounded by p->timeout_usec: its verdict
	 * comes later, through service_on_probe(). 0, -EBUSY when too many
	 * probes run already (tried again at the next interval, not counted),
	 * -errno. */
	int (*probe_start)(struct service *s, const struct unit_probe *p);
	/* Kill the probe that runs, if any: its verdict never comes. */
	void (*probe_cancel)(struct service *s);
	/* The main process (pid, reaped) ended and handed over to no other:
	 * what it left where kill_all does not reach goes with it (without a
	 * cgroup, the process group it led). */
	void (*main_ended)(struct service *s, pid_t pid);
	/* Called after every state change (the manager schedules its pass). */
	void (*changed)(struct service *s, enum service_state old);
};

struct service {
	const struct unit *unit;      /* borrowed from the manager's current set */
	const struct service_ops *ops;
	struct loop *loop;

	/* Issue 19: ordered so that no padding is left (the flags beside the
	 * 4-byte fields). */
	enum service_state state;
	bool want_running;            /* desired state */
	bool exec_seen;               /* the child reached execve */
	bool main_found;              /* forking: the daemon is s->pid */
	bool stop_timed_out;
	uint64_t state_since;

	pid_t pid;                    /* main process, 0 when none */
	int pidfd;                    /* -1 when none */
	pid_t starter_pid;            /* forking: the process started (a session
	                               * leader), once it exited 0 */
	enum stop_cause stop_cause;   /* while stopping; reset at each spawn */
	uint64_t main_poll_delay;     /* forking: next wait for the pid file */

	unsigned restarts;            /* automatic restarts since boot */
	unsigned limit_count;         /* start limit: starts counted since the
	                               * count began (an operator's start, a
	                               * reload), < 2 * burst */
	uint64_t restart_delay;       /* current backoff */
	uint64_t started_at;          /* last spawn, monotonic usec */
	/* Boot analysis (svctl analyze, issue 17): the latest start's
	 * other stamps, monotonic usec, 0 until reached: asked for (became
	 * waiting; a restart's timer, else the spawn), exec'd (the setup
	 * pipe closed on exec), ready (starting -> running, or -> exited:
	 * a oneshot). A restart
	 * stamps them anew: the chart shows each unit's latest start. */
	uint64_t requested_at;
	uint64_t exec_at;
	uint64_t ready_at;
	/* Start limit: the times of the last `burst` starts, a ring indexed
	 * by limit_count % burst (a start's own index at its time), made at
	 * the second start (the first one's time is started_at then): a unit
	 * that never restarts has none. Past START_LIMIT_EXACT_BURST, [0]
	 * alone: the window's first start (service.c). */
	uint64_t *limit_starts;

	char *status_text;            /* last STATUS= from the service, or NULL */
	int notify_errno;             /* last ERRNO= */

	struct service_exit last_exit;
	/* Issue 19: the two rare exits are kept out of line (288 bytes each
	 * in every unit otherwise). limit_exit: the exit that hit the start
	 * limit, malloc'd at the first hit, NULL before (or if memory was
	 * short: the reason then says "last: ?"). setup_error: what the child
	 * reported before it exited, until that exit is classified; its
	 * detail malloc'd (NULL: none sent, or memory short). */
	struct service_exit *limit_exit;
	struct {
		uint64_t at;
		char *detail;
		int code;
		uint16_t stage;       /* enum spawn_stage */
		bool set;
	} setup_error;
	struct loop_timer timer;      /* start timeout, restart backoff or stop
	                               * timeout: one per state that needs one */
	uint64_t oom_at;              /* last OOM kill in its cgroup, monotonic usec:
	                               * kept apart from last_exit, which it only
	                               * explains when the main process is killed */
	/* The timers only some units use, [SERVICE_COLD_TIMERS], malloc'd
	 * when one is first armed, NULL before (issue 19: 96 bytes most units
	 * never need): SERVICE_WATCHDOG, WATCHDOG=1 due by this deadline;
	 * SERVICE_PROBE_TIMER, the next probe; SERVICE_MAIN_POLL, forking:
	 * look for the daemon again; SERVICE_REKILL, a leaf killed one by one
	 * is killed again (only where cgroup.kill failed). */
	struct loop_timer *cold_timers;
	/* Probes (issue 15): the next one is due at SERVICE_PROBE_TIMER; one
	 * at a time. type_ready: the type's own sign came (exec, READY=1, the
	 * daemon's PID), the ready probe decides now. */
	char *probe_why;              /* the last failure, NULL if none: malloc'd
	                               * (issue 19: not 160 bytes in every unit) */
	unsigned probe_failures;      /* failed checks in a row of the probe
	                               * due: the ready probe's tries while
	                               * starting, the health probe's while
	                               * running; 0 at each change of state
	                               * (service_probe_failing_to_string) */
	bool probe_running : 1;
	bool type_ready : 1;
	bool watchdog_fired : 1;
	bool suspended : 1;           /* frozen: no watchdog, no probes */
	bool rekill_gave_up : 1;      /* what this run left could not be killed:
	                               * not waited for (SERVICE_REKILL) */
	unsigned rekills : 4;          /* kills again after one by one, up to
	                               * SERVICE_REKILLS */
	bool restarted : 1;           /* waiting after its backoff: for its required
	                               * units, not for those it comes after */
	bool start_asked : 1;         /* a start during a stop for a failure (its
	                               * own, or a requirement's): comes back once
	                               * down, and a stop after it is a plain one */
	bool main_guessed : 1;        /* forking, no pidfile: the main process is
	                               * the one its leaf held (a double fork's
	                               * middle, maybe: main_handed_on) */
	bool start_extended : 1;      /* EXTEND_TIMEOUT_USEC= pushed this start's
	                               * timeout back (its reason says so) */
	bool stop_extended : 1;       /* ... this stop's (its kill's log line) */
	bool oom_main_alive : 1;      /* the main process was alive, not dying, when
	                               * oom_at's kill was counted: its SIGKILL
	                               * death is that kill's only within
	                               * SERVICE_OOM_SIGNAL_USEC (service_on_oom) */
};

void service_init(struct service *s, const struct unit *u, const struct service_ops *ops,
		  struct loop *l);
/* The service's own STATUS= text (copied; NULL or "" clears it). */
void service_set_status_text(struct service *s, const char *text);

/* Cancel timers and free what the service holds. The caller closes fds it
 * owns. */
void service_done(struct service *s);

/* A reload changed the unit: take the new one. Only while not active. A bad
 * unit puts the service in bad-config, a fixed one takes it out. */
void service_replace_unit(struct service *s, const struct unit *u);

/* Operator / manager requests. */
void service_start(struct service *s);
void service_stop(struct service *s);
/* The shutdown's time is up: s (still waiting its turn, or stopping,
 * whatever for) is killed where it stands, as a stop the shutdown asked
 * for: it ends stopped, "stop timeout, killed", not failed and with no
 * post-mortem. */
void service_kill_at_shutdown(struct service *s);
/* svctl stop or restart: a stop whose exit reads "stopped by svctl". */
void service_stop_by_operator(struct service *s);
/* svctl restart's stop: the start that follows is a fresh one, as after
 * svctl stop and start (a new start-limit window, no backoff): five
 * restarts in a row failed the unit at its start limit, and ran its
 * failure action. */
void service_restart_by_operator(struct service *s);
/* An operator's stop that waits (for the units that require s): nobody
 * wants s any more, and an exit meanwhile ends it stopped, as the stop
 * would have, not failed (no restart, no failure action); so does a stop
 * for its start timeout, health probe or refused main PID meanwhile. */
void service_stop_later(struct service *s);
/* A dependent needs s, which nobody asked for: as service_start, but not
 * a fresh start (the start limit window and the backoff are kept), so a
 * dependency that keeps ending is not restarted for ever by its dependent. */
void service_pull_in(struct service *s);
/* svctl start: as service_start; a unit stopping for a failure of its own
 * (start timeout, refused main PID, health probe) comes back once down,
 * as a fresh start, rather than the restart policy judging that failure:
 * the operator asked after it. */
void service_start_by_operator(struct service *s);
/* The manager found every dependency ready: spawn now. */
void service_deps_ready(struct service *s);
/* A unit this one requires failed: s fails too, "dependency DEP failed"
 * followed by DEP's own reason when given (NULL or ""). */
void service_dep_failed(struct service *s, const char *dep, const char *reason);
/* A unit this one requires stopped or exited (exited: in state exited)
 * and nothing wants it back: s stops too, "requirement DEP stopped" or
 * "... exited" its reason, not the exit its own stop brings. */
void service_requirement_stopped(struct service *s, const char *dep, bool exited);
/* A reload changed s's unit: s stops (to be swapped in once down), "stopped
 * by reload (unit changed)" its reason, not the exit its stop brings. */
void service_stop_for_reload(struct service *s);
/* A unit this one requires will not be started for it (not in the boot
 * mode, autostart off): s fails, "requires DEP, which WHY". */
void service_dep_not_started(struct service *s, const char *dep, const char *why);

/* What s needs to run (its cgroup leaf) was refused, the reason already
 * its last exit: a stopped s fails (a start in progress is failed by
 * the spawn itself). */
void service_setup_refused(struct service *s);

/* A mount the unit requires is not mounted: a waiting s fails with why
 * ("mount /data failed: ...") as its reason, and does not start. */
void service_mount_failed(struct service *s, const char *why);

/* Events. */
void service_on_exec(struct service *s);
/* detail: the child's own words ("" or NULL: none), kept as the reason. */
void service_on_setup_failed(struct service *s, int stage, int err, const char *detail);
void service_on_ready(struct service *s);
/* MAINPID= named s->pid, taking over from starter: a forking unit whose
 * starter names its daemon is ready (what starter does next is its own:
 * it is reaped as any orphan). During a stop, or once the stop timed out
 * or the watchdog fired, the new main process is signalled as the old one
 * was. */
void service_on_main_named(struct service *s, pid_t starter);
/* The main process ended. si_code CLD_EXITED/KILLED/DUMPED with si_status;
 * si_code 0 when its status cannot be known (a MAINPID= process that was
 * never initd's child), which counts as a clean exit, as in systemd.
 * False when it was no exit of the service: a forking unit's starter
 * leaving its daemon. */
bool service_on_exit(struct service *s, const siginfo_t *si);
void service_on_empty(struct service *s);
/* An OOM kill in its cgroup, counted now. main_alive: the main process
 * was neither dead nor dying when it was read. The kernel counts a kill
 * before it sends its SIGKILL (mm/oom_kill.c, "raise event before sending
 * signal"), so a main process seen alive may still be the victim: its
 * death by SIGKILL within SERVICE_OOM_SIGNAL_USEC of the count is the
 * kill's; a later one (svctl kill --main KILL, an operator's kill -9)
 * is not, and the kill took another process of its cgroup. */
#define SERVICE_OOM_SIGNAL_USEC (3 * 1000 * 1000)
void service_on_oom(struct service *s, bool main_alive);
/* The verdict of the probe ops->probe_start ran: ok, or why it failed
 * ("tcp 127.0.0.1:80: connection refused", "timed out after 2s"). */
void service_on_probe(struct service *s, bool ok, const char *why);
/* The probe ops->probe_start ran could not run its check (its cgroup
 * refused the check's process): tried at the next interval, not counted,
 * as when probe_start says -EBUSY. */
void service_on_probe_not_run(struct service *s);
/* WATCHDOG=1 from the service: push its watchdog deadline back. */
void service_on_watchdog(struct service *s);
/* EXTEND_TIMEOUT_USEC=usec from the service: while it starts or stops,
 * the start or stop timeout then armed ends no sooner than usec from now
 * (never sooner than it would have; none armed, start_timeout 0: nothing;
 * stop timeout 0, or the stop's kill sent: nothing). */
void service_on_extend_timeout(struct service *s, uint64_t usec);
/* Its cgroup is (being) frozen, or thawed (manager_freeze.c): while on,
 * no watchdog and no probe runs; the state does not change. */
void service_suspend(struct service *s, bool on);

/* The transition table (service.c): every change of state the machine
 * makes is one of these rows. */
struct service_transition {
	enum service_state from, to;
	const char *event;            /* what moves it, for people and tests */
};
extern const struct service_transition service_transitions[];
extern const size_t service_n_transitions;
/* Changes made outside the table, every service together: logged; a bug
 * if ever > 0 (one count for the process, not 4 bytes in every unit). */
extern unsigned service_transitions_outside_table;
bool service_transition_allowed(enum service_state from, enum service_state to);

/* Queries. */
const char *service_state_to_string(enum service_state st);
bool service_is_ready(const struct service *s);      /* dependents may start */
bool service_is_settled(const struct service *s);    /* not starting/stopping */
bool service_is_active(const struct service *s);     /* has or may get a process */
/* The exit that ended the last run (not a start limit's refusal of the
 * next one); borrowed from s. */
const struct service_exit *service_last_run_exit(const struct service *s);
/* Stopping because a unit it requires failed, and not started again
 * meanwhile: failed once stopped (its reason is already recorded). */
bool service_is_failing(const struct service *s);
/* Status 0, or one the unit lists in success_exit; never an exit before
 * READY=1. */
bool service_exit_is_success(const struct service *s, const struct service_exit *e);
/* "exit 1", "signal KILL", "exec /bin/x: No such file or directory"... */
const char *service_exit_to_string(const struct service *s, const struct service_exit *e,
				   char *buf, size_t size);
/* A probe failing now, before it decides anything: "ready probe failing
 * (3 tries): WHY" while starting, "health probe failing (1 of 3): WHY"
 * while running below its failures; buf, or NULL when none is failing
 * (then buf is untouched). */
const char *service_probe_failing_to_string(const struct service *s, char *buf, size_t size);

#endif
