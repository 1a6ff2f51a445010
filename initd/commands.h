/* commands.h — the control requests, as actions on the manager. */
#ifndef INITD_COMMANDS_H
#define INITD_COMMANDS_H

#include "common/util.h"
#include "initd/control.h"
#include "initd/manager.h"
#include "initd/watchdog.h"

struct pending;
struct follower;
struct reload_waiter;
struct instance_waiter;
struct metrics_waiter;

/* Run-time instances (`svctl start NAME@INST`) PID 1 keeps at most. */
#define COMMANDS_INSTANCES_MAX 1024

/* The text of a refused reload's answer at most: its errors, each whole,
 * as many as fit (about a thousand usual ones), then how many it left
 * out. Far inside PROTO_REPLY_MAX; PID 1's log has them all. */
#define COMMANDS_REFUSED_TEXT_MAX (256u * 1024)

struct commands {
	struct manager *manager;      /* NULL until the units are loaded */
	struct watchdog *watchdog;    /* the hardware watchdog (show-system) */
	struct metrics *metrics;      /* `svctl metrics`, the metrics file's count */
	struct metrics_waiter *metrics_waiters;   /* requests the helper finishes */
	/* poweroff / reboot / halt */
	/* 0, or -EALREADY: the end of another kind is under way */
	int (*shutdown)(struct commands *cmds, enum shutdown_how how);
	void *data;                   /* for the shutdown callback */
	bool shutting_down;           /* one was asked: reloads are refused */
	struct pending *pending;      /* deferred requests (list) */
	struct follower *followers;   /* `logs -f` clients (list) */
	/* Start re-reading the units; commands_reload_done answers. */
	void (*reload)(struct commands *cmds);
	struct reload_waiter *reloads;   /* clients waiting for a reload (list) */
	/* Why no unit set is loaded, once the first load failed (empty while
	 * it runs): status says so, reload tries again. */
	char no_units_why[256];
	/* Issue 14: the boot mode ("default" unless initd.mode=), and why the
	 * system is in rescue (empty when it is not): status sends both. */
	const char *mode;
	char rescue_why[320];
	/* Issue 15 (commands_instance.c): the run-time instances every load
	 * is handed (NULL-terminated once one is added), the starts waiting
	 * for a load to make theirs, and whether a load runs. */
	char **instances;
	size_t n_instances;
	struct instance_waiter *instance_waiters;
	bool loading;
	/* The stopped or exited ones the load in flight was not handed: gone
	 * from the list once it is applied (commands_instances_for_load). */
	char **left_out;
	size_t n_left_out;
	/* Issue 17: when initd's main() began, monotonic usec (analyze). */
	uint64_t exec_usec;
};

/* A reload finished: send msg to every client whose request came before
 * that load started (the others wait for the next one). */
void commands_reload_done(struct commands *cmds, const struct proto_buf *msg);
/* Hand the waiting reloads to a load: the one starting now
 * (commands_load_started), or, with _next, the one it asks for. */
void commands_reloads_include(struct commands *cmds);
void commands_reload_next(struct commands *cmds);

/* The outcomes of a reload (or of the first load, which a reload asked
 * for meanwhile waits on), each answered to every client waiting for one;
 * with none waiting (SIGHUP) they build nothing. The caller logs. */
/* The units could not be loaded at all: "reload failed: " and the text. */
void commands_reload_failed(struct commands *cmds, int err, const char *fmt, ...)
	_printf_(3, 4);
/* An invalid set, refused whole: every diagnostic of set (not taken). */
void commands_reload_refused(struct commands *cmds, const struct unit_set *set);
/* A valid set applied; incomplete when manager_reload ran out of memory. */
void commands_reload_applied(struct commands *cmds, const struct reload_summary *sum,
			     bool incomplete);
/* The first load ended (cmds->manager set, or cmds->no_units_why says
 * why not) with `errors` diagnostics. */
void commands_reload_first_load(struct commands *cmds, size_t errors);

/* Hook for manager_set_pass_hook: answer start/stop/restart requests. */
void commands_pass(void *ctx);

/* Hook for manager_set_output_hook: stream new output to followers. */
void commands_output(void *ctx, struct service *s);
/* Hook for manager_set_removed_hook: end the unit's followers, what their
 * queues cannot take said dropped. */
void commands_unit_removed(void *ctx, struct service *s);

/* The least access level (enum control_access) a request type needs, from
 * the dispatch table; -EOPNOTSUPP for a type initd does not know. */
int commands_access(uint16_t type);

/* A control_dispatch_fn; ctx is a struct commands. Decides from its one
 * table whether req->access may make the request, then runs it. */
int commands_dispatch(void *ctx, struct control_client *c, const struct control_request *req,
		      struct proto_buf *reply);
/* A control_drained_fn: a `logs -f` client took all it had queued; send
 * it more from the ring. */
void commands_client_drained(void *ctx, struct control_client *c);
/* The control group changed (a reload): a `logs -f` whose client may no
 * longer read is told so and ended now, not at its unit's next line. */
void commands_access_changed(struct commands *cmds);
/* A control_gone_fn: forget the client's deferred request. */
void commands_client_gone(void *ctx, struct control_client *c);

/* start, stop, restart or wait on the named loaded units, as the request
 * of client c: 0 with the reply in reply, or CONTROL_DEFER (c answered
 * once they settle). Shared with commands_instance.c. */
int commands_lifecycle_run(struct commands *cmds, struct control_client *c, uint16_t type,
			   const char **names, size_t n, bool no_wait, struct proto_buf *reply);

/* commands_instance.c (issue 15). A start naming NAME@INST instances no
 * load made yet, or a start or restart naming one the load in flight
 * leaves out (commands_instance_left_out): checks the new ones (a
 * template of that name, a valid instance), adds them to cmds->instances
 * and asks for a load (or waits for the next one); once it is applied,
 * the request (type: PROTO_REQ_START or PROTO_REQ_RESTART) runs on every
 * name. 0 with an error in reply, or CONTROL_DEFER. */
int commands_start_instances(struct commands *cmds, struct control_client *c, uint16_t type,
			     const char **names, size_t n, bool no_wait, struct proto_buf *reply);
/* The names to hand a load about to be forked (NULL-terminated, pointing
 * into cmds->instances; free the array alone): all but those stopped or
 * done (exited), which the load leaves out, so that an edited template
 * need not fit them and the names do not fill up. They are forgotten once
 * that load is applied, kept if it is not. NULL when out of memory: hand
 * cmds->instances. */
char **commands_instances_for_load(struct commands *cmds);
/* Is name loaded but left out of the load in flight? A start or restart
 * of it then waits for that load, and has the next make it again. */
bool commands_instance_left_out(const struct commands *cmds, const char *name);
/* A load was forked: it was handed cmds->instances. */
void commands_load_started(struct commands *cmds);
/* Does a start wait for the load that runs? */
bool commands_instances_waiting(const struct commands *cmds);
/* The load ended, applied (ok) or not (msg: what its reload waiters got,
 * sent to the starts that waited for it). Starts the instances, forgets
 * those no load keeps, and asks for another load for the starts that came
 * while this one ran. */
void commands_instances_loaded(struct commands *cmds, bool ok, const struct proto_buf *msg);
void commands_instances_client_gone(struct commands *cmds, struct control_client *c);
void commands_instances_free(struct commands *cmds);

/* commands_cgroup.c: s's cgroup statistics, into the SERVICE being built;
 * the reply to a tree request (0 or the proto_buf error). */
void commands_put_cgroup_stats(struct commands *cmds, struct proto_buf *b, struct service *s);
/* A reply about every unit names initd's cgroup2 root and its id, below
 * which svctl reads the units' files itself (svctl/cgstat.h): nothing
 * without cgroups. And s's cgroup path below it, if it has one. */
void commands_put_cgroup_root(struct commands *cmds, struct proto_buf *b);
void commands_put_cgroup_path(struct commands *cmds, struct proto_buf *b, struct service *s);
int commands_tree(struct commands *cmds, struct proto_buf *reply);

/* commands_forensics.c (issue 17): one post-mortem record as a
 * POSTMORTEM; the replies to postmortem (the unit's last `count` records,
 * newest first) and to freeze or thaw. 0 or the proto_buf error. */
struct postmortem;
void commands_put_postmortem(struct proto_buf *b, const struct postmortem *p);
/* analyze: initd's boot stamps, then every unit's (svctl analyze). */
int commands_analyze(struct commands *cmds, struct proto_buf *reply);
int commands_postmortem(struct commands *cmds, const char *name, uint32_t count,
			struct proto_buf *reply);
int commands_freeze(struct commands *cmds, const char *name, bool freeze,
		    struct proto_buf *reply);

#endif
