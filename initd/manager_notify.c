/* manager_notify.c — the manager's side of the readiness protocol: which
 * service a datagram comes from (its main process, or a process in its
 * cgroup), and MAINPID=: when a forking service's named process is
 * believed, and how initd then follows it by pidfd. notify.c parses the
 * datagrams; the state changes they cause are service.c's. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/log.h"
#include "initd/manager_internal.h"
#include "initd/notify.h"
#include "initd/proc.h"

/* ---- readiness ----------------------------------------------------------- */

/* The service whose leaf holds cgroup path cg (a leaf is SLICE/NAME, and
 * may have sub-cgroups of its own): each component of cg is looked up as
 * a unit name, and taken when that unit's leaf is a prefix of cg. A
 * datagram costs the path's depth in lookups, not a walk of every unit:
 * anyone may write to the notify socket, as often as they like. */
static struct svc *svc_by_cgroup(struct manager *m, const char *cg)
{
	char name[UNIT_CGROUP_PATH_MAX + 2], leaf[UNIT_CGROUP_PATH_MAX + 1];   /* name: as cg */
	const char *p = cg, *e;
	struct service *s;
	size_t n;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '/');
		memcpy(name, p, (size_t)(e - p));
		name[e - p] = '\0';
		s = manager_find(m, name);
		if (!s || !manager_cgroup_path(m, s, leaf, sizeof(leaf)))
			continue;
		n = strlen(leaf);
		if (strncmp(cg, leaf, n) == 0 && (cg[n] == '\0' || cg[n] == '/'))
			return svc_of(s);
	}
	return NULL;
}

/* Without cgroups only the main process speaks for a unit; in a PID
 * namespace that is the reaper (reaper.h), which sends nothing, and the
 * service is its child: what the child sends is the unit's. */
static struct svc *svc_by_reaper_child(struct manager *m, pid_t pid)
{
	pid_t ppid, sid;
	struct svc *v;

	if (proc_stat_ids(pid, &ppid, &sid) < 0 || ppid <= 1 || !(v = svc_by_pid(m, ppid)))
		return NULL;
	return v->s.unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID) ? v : NULL;
}

/* Which service does `pid` belong to: its main process, or a process in its
 * leaf (a helper such as systemd-notify, or a forked worker). */
static struct svc *svc_by_sender(struct manager *m, pid_t pid)
{
	/* room for the longest leaf and the byte after it ('/' or the end) */
	char cg[UNIT_CGROUP_PATH_MAX + 2];
	struct svc *v = svc_by_pid(m, pid);

	if (v)
		return v;
	if (!cgroup_tree_enabled(&m->cg))
		return svc_by_reaper_child(m, pid);
	if (proc_cgroup_path(pid, cg, sizeof(cg)) < 0)
		return NULL;
	return svc_by_cgroup(m, cg);
}

/* Without cgroups, who may be named: a child of the sender (the current
 * main process), or an orphan initd adopted (PPid is initd) that is still in
 * the sender's session. Every service starts as a session leader (spawn
 * calls setsid), a session ID is never shared between sessions, and only
 * descendants inherit it: so this is a process the service forked, through
 * any number of exited middle processes, that did not call setsid(). */
static bool mainpid_is_related(pid_t sender, pid_t pid)
{
	pid_t ppid, sid, sender_ppid, sender_sid;

	if (proc_stat_ids(pid, &ppid, &sid) < 0)
		return false;
	if (ppid == sender)
		return true;
	return ppid == getpid() && proc_stat_ids(sender, &sender_ppid, &sender_sid) == 0 &&
	       sid == sender_sid;
}

const char svc_refusal_exited[] = "it has exited";

const char *svc_main_refusal(struct manager *m, struct svc *v, pid_t sender, pid_t session,
			     pid_t pid, int pidfd)
{
	pid_t ppid, sid;

	struct svc *other;

	if (pid <= 1)
		return pid == 1 ? "PID 1" : "not a process";
	if (pid == getpid())
		return "initd itself";
	other = svc_by_pid(m, pid);
	if (other && other != v)
		return "the main process of another unit";
	if (pidfd < 0)
		return "no such process";
	if (cgroup_tree_enabled(&m->cg)) {
		if (svc_by_sender(m, pid) != v)
			return "not a process of this service";
	} else if (session > 0) {
		/* forking: a descendant of the starter, a session leader */
		if (proc_stat_ids(pid, &ppid, &sid) < 0 || sid != session)
			return "not a process of this service (not in its session)";
	} else if (!mainpid_is_related(sender, pid)) {
		return "not a process of this service";
	}
	/* The checks read /proc by number: only a process still alive now is
	 * sure to be the one they read about (its PID cannot be reused). */
	if (!pidfd_alive(pidfd))
		return svc_refusal_exited;
	return NULL;
}

/* Who may name the main process: the main process itself, or a process
 * of the service with its uid, or root. A worker that dropped its
 * privileges (nginx's, a CGI) must not name itself main: PID 1 would then
 * follow it and, when it exits, kill the cgroup, its master included. */
static bool mainpid_sender_trusted(const struct svc *v, pid_t sender, uid_t uid,
				   uid_t *ret_main_uid)
{
	int r;

	*ret_main_uid = (uid_t)-1;
	if (sender == v->s.pid || uid == 0)
		return true;
	r = proc_real_uid(v->s.pid, ret_main_uid);
	/* Already reaped (a hand-over read at its reap's drain): there is no
	 * master left to kill; the cgroup check still applies, as before
	 * this rule. */
	if (r == -ESRCH)
		return true;
	return r == 0 && uid == *ret_main_uid;
}

/* MAINPID=N: a forking service names its real main process. N is believed
 * only from a trusted sender (above), when it is in the service's own
 * cgroup or, without cgroups, related to the sender (mainpid_is_related);
 * never initd, PID 1 or another unit's main process. The pidfd is opened
 * before the checks, so a PID reused in between is caught. initd then
 * follows N. */
/* What MAINPID= makes initd say, for every unit together: a service
 * sending one in a loop filled initd's log, and the kernel's ring. */
#define MAINPID_SAY_BURST 20
static struct log_limit mainpid_said;

static void svc_take_mainpid(struct manager *m, struct svc *v, pid_t sender, uid_t uid,
			     pid_t pid)
{
	const char *why;
	uid_t main_uid;
	pid_t starter;
	int fd = -1;

	if (v->s.pid <= 0)
		return;
	if (!mainpid_sender_trusted(v, sender, uid, &main_uid)) {
		if (log_limit(&mainpid_said, MAINPID_SAY_BURST, "MAINPID= messages"))
			log_warn("%s: MAINPID=%d ignored: sent by process %d of uid %u, neither the main process nor of its uid (%u)",
				 v->s.unit->name, (int)pid, (int)sender, (unsigned)uid,
				 (unsigned)main_uid);
		return;
	}
	if (pid > 1)
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
	why = svc_main_refusal(m, v, sender, 0, pid, fd);
	if (why) {
		if (log_limit(&mainpid_said, MAINPID_SAY_BURST, "MAINPID= messages"))
			log_warn("%s: MAINPID=%d ignored: %s", v->s.unit->name, (int)pid, why);
		safe_close(fd);
		return;
	}
	if (log_limit(&mainpid_said, MAINPID_SAY_BURST, "MAINPID= messages"))
		log_info("%s: main process is now %d (MAINPID)", v->s.unit->name, (int)pid);
	starter = v->s.pid;
	svc_follow_main(m, v, pid, fd);
	service_on_main_named(&v->s, starter);
}

void svc_follow_main(struct manager *m, struct svc *v, pid_t pid, int pidfd)
{
	int r;

	main_watch_close(m, v);
	safe_close(v->s.pidfd);
	svc_set_main_pid(m, v, pid);   /* the old one is reaped as an orphan */
	v->s.pidfd = pidfd;
	manager_schedule_svc(m, v);   /* a unit that joined its namespaces looks */
	/* Without a watch its end is seen only if it is our child (a walk
	 * at SIGCHLD, manager_reap). */
	r = main_watch_open(m, v);
	if (r < 0)
		log_warn("%s: cannot watch its main process %d: %s", v->s.unit->name, (int)pid,
			 strerror(-r));
}

void manager_notify(struct manager *m, pid_t sender, uid_t uid, const struct notify_msg *msg)
{
	struct svc *v = svc_by_sender(m, sender);

	if (!v)
		return;   /* not from a service: ignored */
	if (msg->has_status)
		service_set_status_text(&v->s, msg->status);
	if (msg->errno_value)
		v->s.notify_errno = msg->errno_value;
	if (msg->mainpid && msg->mainpid != v->s.pid)
		svc_take_mainpid(m, v, sender, uid, msg->mainpid);
	if (msg->ready)
		service_on_ready(&v->s);
	if (msg->watchdog)
		service_on_watchdog(&v->s);
	if (msg->extend_usec)
		service_on_extend_timeout(&v->s, msg->extend_usec);
}

