/* probe.h — run one ready or health probe (issue 15) without blocking PID 1.
 *
 * PID 1 forks a short-lived helper (signals, mask and fds reset first,
 * child.h), born in the unit's cgroup leaf (CLONE_INTO_CGROUP: the check
 * and an exec probe's command count against the unit's limits, and go
 * with its cgroup's kill), that joins the namespaces of the service's main process with
 * setns(2) on its pidfd (/proc/PID/ns files when the kernel is older than 5.8),
 * so the probe sees what the service sees: its network (127.0.0.1 is the
 * service's own), its rootfs, its PID namespace. It drops to the unit's
 * user and group, then
 *   tcp:  connects to the address;
 *   http: connects, sends "GET PATH HTTP/1.0", reads the status line (2xx
 *         or 3xx: ok);
 *   exec: forks the command (so it is inside a PID namespace the helper
 *         joined) with stdio on /dev/null, and waits for its exit.
 * The helper writes one verdict over a CLOEXEC pipe: "0", "1" and why it
 * failed, or "2" and why it did not run.
 * PID 1 reads it from the loop, and kills the helper through its pidfd at
 * the probe's timeout (an exec probe's command dies with it:
 * PR_SET_PDEATHSIG). The helper is non-dumpable: the service's user cannot
 * read PID 1's heap it carries. Reaped by manager_reap as any helper.
 *
 * At most PROBE_RUNNING_MAX run at once (probe_start says -EBUSY beyond).
 */
#ifndef INITD_PROBE_H
#define INITD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "initd/loop.h"
#include "units/unit.h"

#define PROBE_RUNNING_MAX 32
#define PROBE_WHY_MAX     160     /* a verdict's text, NUL included */

/* What a check came to. */
enum probe_verdict {
	PROBE_OK,
	PROBE_FAILED,    /* why: "tcp 127.0.0.1:80: connection refused" */
	/* The unit's cgroup refused the process an exec check forks (the
	 * helper took the last of its pids.max): not the service's failure,
	 * as when the helper itself is refused (probe_run_start's -EBUSY). */
	PROBE_NOT_RUN,
	PROBE_VERDICT_MAX,
};

/* The verdict, and why (the failure, or why it did not run; "" when ok). */
typedef void (*probe_done_fn)(void *data, enum probe_verdict verdict, const char *why);

/* One running probe, inside its owner's struct. */
struct probe_run {
	struct loop *loop;
	pid_t pid;                /* the helper, 0 when none runs */
	int pidfd;
	struct loop_watch verdict;  /* read end of the helper's pipe */
	struct loop_timer timeout;
	uint64_t timeout_usec;
	char buf[PROBE_WHY_MAX];
	size_t len;
	probe_done_fn done;
	void *data;
};

/* Where the probe finds the service and who it runs as. */
struct probe_target {
	const struct unit *unit;
	const struct unit_probe *probe;
	pid_t pid;                /* the service's main process */
	int pidfd;                /* its pidfd, -1: /proc/PID/ns */
	const char *passwd_file;
	const char *group_file;
	const struct unit_rlimit *default_rlimits;   /* initd.conf's, as spawn's */
	size_t n_default_rlimits;
	int cgroup_fd;            /* the unit's leaf, the helper born in it; < 0: none */
};

void probe_run_init(struct probe_run *run, struct loop *l);
/* Start a probe; done(data, ...) is called once, from the loop, unless
 * probe_run_cancel comes first. 0, -EBUSY (too many run), -EALREADY
 * (this one runs), -errno. */
int probe_run_start(struct probe_run *run, const struct probe_target *t, probe_done_fn done,
		    void *data);
/* Kill a running probe; done is not called. A no-op when none runs. */
void probe_run_cancel(struct probe_run *run);
static inline bool probe_run_active(const struct probe_run *run)
{
	return run->pid > 0;
}

/* The helper's own work, exposed for tests: run probe p in this process
 * (already in the right namespaces and credentials for tcp/http), the
 * verdict into why. 0 ok, -1 failed. */
int probe_check_tcp_http(const struct unit_probe *p, char *why, size_t size);

#endif
