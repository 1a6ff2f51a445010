/* manager.c — see manager.h. */
#include "initd/manager.h"
#include "initd/manager_internal.h"
#include "initd/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/logtime.h"
#include "common/util.h"
#include "initd/bootphase.h"
#include "initd/dirs.h"
#include "initd/log.h"
#include "initd/logbuf.h"
#include "initd/logwriter.h"
#include "initd/nofork.h"
#include "initd/notify.h"
#include "initd/reaper.h"
#include "initd/spawn.h"

#define LOG_READ_CHUNK 4096

/* ---- service_ops: what the state machine asks of the outside world ------- */

static void report_ready(struct loop *l, int fd, uint32_t events, void *data);
static void report_close(struct svc *v);
static int svc_output_writer(struct manager *m, struct svc *v);

static void report_free(struct svc *v)
{
	nofork_free(v->report, sizeof(*v->report));
	v->report = NULL;
}

/* A forking unit's pid file left by its last run would name a dead
 * daemon, or whoever reused its pid: it goes before the start. */
static void svc_pidfile_clear(struct service *s)
{
	int r;

	if (s->unit->type != UNIT_FORKING || !s->unit->pidfile)
		return;
	r = pidfile_remove(s->unit->pidfile);
	if (r < 0)
		log_warn("%s: removing the old pid file %s: %s", s->unit->name, s->unit->pidfile,
			 strerror(-r));
}

struct svc *svc_join_source(struct manager *m, const struct svc *v, enum unit_join k)
{
	const char *src = v->s.unit->opt->iso.join[k];
	ssize_t i;

	if (!unit_join_is_unit(src) || !m->set)
		return NULL;
	i = set_index(m->set, src);
	return i >= 0 && (size_t)i < m->n_svcs ? m->svcs[i] : NULL;
}

/* The sources' main pids, for the child and for pass_check_joined. */
/* What v joins, into p and kept in v->rare->join_pid (made at the first
 * spawn that joins a unit): 0, or -ENOMEM (the spawn fails). */
static int svc_join_pids(struct manager *m, struct svc *v, struct spawn_params *p)
{
	struct svc_rare *rare;
	bool any = false;

	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		struct svc *src = svc_join_source(m, v, (enum unit_join)k);
		p->join_pid[k] = src ? src->s.pid : 0;
		p->join_pidfd[k] = src ? src->s.pidfd : -1;
		any |= src != NULL;
	}
	if (!any && !(v->rare && v->rare->join_pid))
		return 0;
	rare = svc_rare_get(v);
	if (!rare || (!rare->join_pid && !(rare->join_pid = calloc(UNIT_JOIN_MAX, sizeof(pid_t)))))
		return -ENOMEM;
	memcpy(rare->join_pid, p->join_pid, UNIT_JOIN_MAX * sizeof(pid_t));
	return 0;
}

static int ops_spawn(struct service *s)
{
	struct svc *v = svc_of(s);
	struct manager *m = v->m;
	_cleanup_close_ int cgroup_fd = -1;
	int r = svc_spawn_cgroup_fd(m, v, &cgroup_fd);
	_cleanup_close_ int output_fd = svc_output_writer(m, v);
	struct spawn_params p = {
		.unit = s->unit,
		.cgroup_fd = cgroup_fd,
		.output_fd = output_fd,
		.passwd_file = m->opt.passwd_file,
		.group_file = m->opt.group_file,
		.notify_socket = m->opt.notify_socket,
		.default_rlimits = m->set->conf.rlimits,
		.n_default_rlimits = m->set->conf.n_rlimits,
		.fd_high = loop_fd_high(m->loop),
		.child_may_wait = svc_cgroup_may_hold(m, v),
	};
	struct spawn_child child;

	if (r == 0)
		svc_pidfile_clear(s);
	if (r == 0)
		r = svc_join_pids(m, v, &p);
	/* The report's watch lives only while the child starts (issue 19):
	 * made before the child, so that short memory fails the spawn; in
	 * memory no fork copies, as its svc (no copy-on-write fault on a
	 * heap page at each spawn). */
	report_close(v);
	if (r == 0 && !(v->report = nofork_alloc(sizeof(*v->report))))
		r = -ENOMEM;
	if (r == 0)
		r = spawn_start(&p, &child);
	if (r < 0) {
		report_free(v);
		return r;
	}
	svc_set_main_pid(m, v, child.pid);
	v->main_leads_group = true;   /* the child's setsid (spawn.h) */
	s->pidfd = child.pidfd;
	/* Its end, by its pidfd (manager_reap says why); unwatched (epoll
	 * out of memory), by the walk at SIGCHLD. */
	r = main_watch_open(m, v);
	if (r < 0)
		log_warn("%s: cannot watch process %d: %s", s->unit->name, (int)s->pid,
			 strerror(-r));
	*v->report = (struct loop_watch){ .fd = child.report_fd, .fn = report_ready, .data = v };
	if (loop_watch_add(m->loop, v->report, EPOLLIN) < 0) {
		spawn_report_done(child.report_fd);
		safe_close(child.report_fd);   /* the exit still tells */
		report_free(v);
	}
	return 0;
}

static int ops_signal(struct service *s, int sig)
{
	if (s->pidfd >= 0 && syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0) == 0)
		return 0;
	return -errno;
}

static int ops_kill_all(struct service *s)
{
	struct svc *v = svc_of(s);

	if (v->has_cgroup)
		return svc_cgroup_kill(v->m, v);
	if (s->pid <= 0)
		return 1;
	return ops_signal(s, SIGKILL) < 0 ? 1 : 0;
}

static bool ops_is_empty(struct service *s)
{
	struct svc *v = svc_of(s);

	if (v->has_cgroup)
		return svc_cgroup_populated(v->m, v) == 0;
	return s->pid <= 0;
}

/* Does w, another unit that is up, list the runtime directory name or
 * one below it? */
static bool svc_holds_runtime(const struct svc *w, const struct svc *v, const char *name)
{
	size_t len = strlen(name);

	if (w == v || !service_is_active(&w->s) || !unit_has_dirs(w->s.unit, UNIT_DIR_RUNTIME))
		return false;
	for (char **o = w->s.unit->opt->dirs.names[UNIT_DIR_RUNTIME]; *o; o++)
		if (strncmp(*o, name, len) == 0 && ((*o)[len] == '\0' || (*o)[len] == '/'))
			return true;
	return false;
}

/* A runtime directory v's stop would remove stays while another unit
 * that is up uses it too (instances of one template listing the same
 * one): the last of them to stop removes it. */
static bool runtime_dir_held(const char *name, void *data)
{
	struct svc *v = data;

	for (size_t i = 0; i < v->m->n_svcs; i++)
		if (svc_holds_runtime(v->m->svcs[i], v, name))
			return true;
	for (size_t i = 0; i < v->m->n_removed; i++)
		if (svc_holds_runtime(v->m->removed[i], v, name))
			return true;
	return false;
}

static void ops_changed(struct service *s, enum service_state old)
{
	struct svc *v = svc_of(s);
	char reason[256];

	svc_freeze_follow_state(v);
	if (s->state == SERVICE_FAILED)
		log_warn("%s: failed: %s", s->unit->name,
			 service_exit_to_string(s, &s->last_exit, reason, sizeof(reason)));
	else if (s->state == SERVICE_RESTARTING)
		log_info("%s: %s, restarting", s->unit->name,
			 service_exit_to_string(s, &s->last_exit, reason, sizeof(reason)));
	else
		log_debug("%s: %s -> %s", s->unit->name, service_state_to_string(old),
			  service_state_to_string(s->state));
	/* Stopped for good (not between automatic restarts): its runtime
	 * directories go (dirs.h). */
	if (s->state == SERVICE_FAILED || old == SERVICE_FAILED)
		v->m->escalate_dirty = true;
	/* Stopped or failed before it had a leaf: it gets one after the
	 * pass (manager_cgroup_idle_leaves). */
	if (!v->has_cgroup && (s->state == SERVICE_STOPPED || s->state == SERVICE_FAILED))
		v->m->leaves_pending = true;
	if ((s->state == SERVICE_STOPPED || s->state == SERVICE_EXITED ||
	     s->state == SERVICE_FAILED) && unit_has_dirs(s->unit, UNIT_DIR_RUNTIME))
		dirs_remove_runtime(s->unit, runtime_dir_held, v);
	manager_schedule_svc(v->m, v);
}

static void probe_done(void *data, enum probe_verdict verdict, const char *why)
{
	struct svc *v = data;
	bool ok = verdict == PROBE_OK;

	/* Not the service's failure, said apart from one; once an interval,
	 * and the refused fork is said once a start already (pids.events). */
	if (verdict == PROBE_NOT_RUN) {
		log_debug("%s: probe not run, tried at the next interval: %s", v->s.unit->name,
			  why);
		service_on_probe_not_run(&v->s);
		return;
	}
	/* A ready probe fails as long as the service comes up: not worth
	 * the console. */
	if (!ok && v->s.state == SERVICE_STARTING)
		log_debug("%s: ready probe failed: %s", v->s.unit->name, why);
	else if (!ok)
		log_info("%s: health probe failed: %s", v->s.unit->name, why);
	service_on_probe(&v->s, ok, why);
}

/* A probe in the service's namespaces and cgroup (probe.h): its main
 * process must be there to say which. */
static int ops_probe_start(struct service *s, const struct unit_probe *p)
{
	struct svc *v = svc_of(s);
	/* A unit with a cgroup has its check there or not at all: its leaf
	 * gone (the unit owns its node and may remove it) is not "no
	 * cgroup", to run it outside. */
	_cleanup_close_ int leaf = v->has_cgroup ? svc_cgroup_leaf_open(v->m, v) : -ENOENT;
	struct probe_target t = {
		.unit = s->unit,
		.probe = p,
		.pid = s->pid,
		.pidfd = s->pidfd,
		.passwd_file = v->m->opt.passwd_file,
		.group_file = v->m->opt.group_file,
		.default_rlimits = v->m->set->conf.rlimits,
		.n_default_rlimits = v->m->set->conf.n_rlimits,
		.cgroup_fd = leaf,   /* -ENOENT: no cgroup */
	};

	if (s->pid <= 0)
		return -ESRCH;
	if (v->has_cgroup && leaf < 0)
		return -EBUSY;   /* not the service's failure: tried at the next interval */
	if (!svc_probe(v)) {
		struct svc_rare *rare = svc_rare_get(v);

		if (!rare || !(rare->probe = malloc(sizeof(*rare->probe))))
			return -ENOMEM;
		probe_run_init(rare->probe, v->m->loop);
	}
	return probe_run_start(svc_probe(v), &t, probe_done, v);
}

static void ops_probe_cancel(struct service *s)
{
	if (svc_probe(svc_of(s)))
		probe_run_cancel(svc_probe(svc_of(s)));
}

/* Without a cgroup, what the main process left in the process group it
 * led goes with it, as cgroup.kill takes a leaf's leftovers when the main
 * process ends (service_on_exit): a shell's background job, a worker. In
 * a PID namespace of its own its reaper's end takes them. Only a main
 * process known to lead its group (main_leads_group): a group that still
 * has members keeps its id (the dead leader's pid) from reuse, and an
 * empty one makes kill() fail unless the pid numbers wrapped round within
 * this event. A main process that led no group (a MAINPID= child, a
 * daemon that kept its starter's group) leaves nothing found here. */
static void ops_main_ended(struct service *s, pid_t leader)
{
	struct svc *v = svc_of(s);

	if (!v->main_leads_group || v->has_cgroup ||
	    (v->s.unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID)) ||
	    leader <= 1 || leader == getpgid(0))
		return;
	if (kill(-leader, SIGKILL) == 0)
		log_info("%s: killed what its main process left in its process group",
			 v->s.unit->name);
}

static const struct service_ops real_ops = {
	.spawn = ops_spawn,
	.signal = ops_signal,
	.kill_all = ops_kill_all,
	.is_empty = ops_is_empty,
	.find_main = svc_find_main,
	.probe_start = ops_probe_start,
	.probe_cancel = ops_probe_cancel,
	.main_ended = ops_main_ended,
	.changed = ops_changed,
};

/* ---- fd events ----------------------------------------------------------- */

static void report_close(struct svc *v)
{
	if (!v->report)
		return;
	spawn_report_done(v->report->fd);
	loop_watch_close(v->m->loop, v->report);
	report_free(v);   /* loop_watch_del: safe even from its callback */
}

/* Read the child's report; `final` when the child is known to be dead
 * (then to its end: spawn_report_read_final). */
static void report_drain(struct svc *v, bool final)
{
	char detail[SPAWN_DETAIL_MAX];
	int stage, err, r;

	if (!v->report)
		return;
	r = final ? spawn_report_read_final(v->report->fd, &stage, &err, detail)
		  : spawn_report_read(v->report->fd, &stage, &err, detail);
	if (r == 0)
		return;
	report_close(v);
	if (r < 0)
		return;
	if (stage == SPAWN_STAGE_MAX)
		service_on_exec(&v->s);
	else
		service_on_setup_failed(&v->s, stage, err, detail);
}

static void report_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	report_drain(data, false);
}

static void output_close(struct svc *v)
{
	loop_watch_close(v->m->loop, &v->output);
}

/* To the writer's queue; what it refuses is counted and said with the
 * next record it takes, and a line it cut is dropped whole (logwriter.h). */
static void output_to_file(struct svc *v, const struct logwriter_target *t, const char *p,
			   size_t n)
{
	logwriter_feed(v->m->logwriter, &v->log->file, t, p, n);
}

/* v's output state, made now if this is its first output; NULL when
 * memory is short (the chunk is then lost, as a ring that cannot grow
 * loses it: logbuf.c). */
static struct svc_log *svc_log_get(struct svc *v)
{
	const struct initd_conf *c = &v->m->set->conf;

	if (v->log)
		return v->log;
	v->log = nofork_alloc(sizeof(*v->log));
	if (v->log)   /* fails only for a size of 0 */
		logbuf_init(&v->log->ring, c->log_buffer_size ? c->log_buffer_size : 64 * 1024);
	return v->log;
}

/* A chunk of output: each line stamped with the time it was read
 * (logtime.h), into the ring and to the unit's log file if it has one. */
static void output_take(struct svc *v, const char *buf, size_t n)
{
	/* Static, not on the stack: a 16 KiB frame on every read of output
	 * set the depth of PID 1's stack, whose pages stay resident once
	 * touched; here only what a chunk fills is. One loop, no reentry. */
	static char out[LOGWRITER_DATA_MAX];
	struct logwriter_target t;
	struct logtime_clock now;
	char stamp[LOGTIME_SIZE];
	bool file = v->m->logwriter &&
		    logwriter_target_of(v->s.unit, &v->m->set->conf, &t);

	if (!svc_log_get(v))
		return;
	logtime_clock_now(&now);
	logtime_format(stamp, now.realtime_usec);
	while (n > 0) {
		size_t used, k = logwriter_stamp(stamp, buf, n, &v->log->mid_line, out,
						 sizeof(out), &used);

		logbuf_append(&v->log->ring, out, k);
		if (file)
			output_to_file(v, &t, out, k);
		buf += used;
		n -= used;
	}
}

/* A chunk read from the pipe: into the ring (and file), and to the
 * console and /dev/kmsg when the unit asks, wherever it was read. */
static void output_chunk(struct svc *v, const char *buf, size_t n)
{
	output_take(v, buf, n);
	if (v->log && (v->s.unit->log_console || v->s.unit->log_kmsg))
		log_service_output(v->s.unit->name, buf, n, v->s.unit->log_console,
				   v->s.unit->log_kmsg, &v->log->forward);
}

/* Everything the pipe holds now (bounded: a pipe holds at most its size,
 * and a writer may add while we read). At a reap the service's last lines
 * are here, often its crash message: forwarded like any other. true: the
 * pipe is at its end (every writer gone, all read). */
static bool output_drain(struct svc *v)
{
	char buf[LOG_READ_CHUNK];

	for (int i = 0; v->output.fd >= 0 && i < 256; i++) {
		ssize_t n = read(v->output.fd, buf, sizeof(buf));

		if (n <= 0)
			return n == 0;
		output_chunk(v, buf, (size_t)n);
	}
	return false;
}

/* The output of v's runs so far has ended (every writer gone, or a new
 * run begins): a line left unfinished ends here, in the ring, the file and
 * on the console, so that the next one is a line of its own, stamped when
 * it is read, not glued to this one under its time. true: it had one. */
static bool output_end_line(struct svc *v)
{
	bool mid = v->log && v->log->mid_line;

	if (mid)
		output_take(v, "\n", 1);
	if (v->log)
		log_service_output_end(v->s.unit->name, v->s.unit->log_console,
				       v->s.unit->log_kmsg, &v->log->forward);
	return mid;
}

static uint64_t svc_log_end(const struct svc *v)
{
	return v->log ? v->log->ring.end : 0;
}

void svc_output_flush(struct svc *v)
{
	uint64_t end = svc_log_end(v);

	output_drain(v);
	if (svc_log_end(v) != end && v->m->output_hook)
		v->m->output_hook(v->m->output_ctx, &v->s);
}

static void output_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct svc *v = data;
	char buf[LOG_READ_CHUNK];

	bool got = false;

	/* Bounded per wakeup so a chatty service cannot starve the loop. */
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0) {   /* every writer is gone, all was read */
			got = output_end_line(v) || got;
			output_close(v);
		}
		if (n <= 0)
			break;
		output_chunk(v, buf, (size_t)n);
		got = true;
	}
	if (got && v->m->output_hook)
		v->m->output_hook(v->m->output_ctx, &v->s);
}

/* cgroup.events, memory.events, pids.events: manager_cgroup.c */

/* ---- per-unit records ------------------------------------------------------ */

const struct svc_deps svc_no_deps;

static void svc_deps_free(struct svc *v)
{
	if (v->deps != &svc_no_deps) {
		free(v->deps->requires);
		free(v->deps->after);
		free(v->deps->dependents);
		free(v->deps);
	}
	v->deps = (struct svc_deps *)&svc_no_deps;   /* never written: const */
}

/* v's own dependency record, made now if it points at the shared empty
 * one: NULL when memory is short. */
static struct svc_deps *svc_deps_own(struct svc *v)
{
	struct svc_deps *d;

	if (v->deps != &svc_no_deps)
		return v->deps;
	d = calloc(1, sizeof(*d));
	if (d)
		v->deps = d;
	return d;
}

/* v out of the index, before its key (s.pid) changes or v is freed. */
static void svc_pid_unindex(struct manager *m, struct svc *v)
{
	if (!m->pids_lost)
		pidmap_del(&m->pids, v);
}

void svc_free(struct manager *m, struct svc *v)
{
	if (!v)
		return;
	service_done(&v->s);   /* cancels its probe */
	svc_pid_unindex(m, v);
	report_close(v);
	main_watch_close(m, v);
	svc_close_cgroup(m, v);
	output_close(v);
	safe_close(v->s.pidfd);
	if (v->log) {
		log_service_output_end(NULL, false, false, &v->log->forward);
		logbuf_free(&v->log->ring);
	}
	nofork_free(v->log, sizeof(*v->log));
	if (v->rare) {
		free(v->rare->probe);
		if (v->rare->postmortems)
			postmortem_ring_free(v->rare->postmortems);
		free(v->rare->postmortems);
		free(v->rare->join_pid);
		free(v->rare->pids);
		free(v->rare);
	}
	svc_deps_free(v);
	nofork_free(v, sizeof(*v));
}

struct svc_rare *svc_rare_get(struct svc *v)
{
	if (!v->rare)
		v->rare = calloc(1, sizeof(*v->rare));
	return v->rare;
}

/* svc_open_cgroup, svc_close_cgroup: manager_cgroup.c */

/* The pipe v's last run wrote to, for this run, once what it holds is
 * taken: a write end while a process of the last run still holds one (no
 * cgroup emptied it), so that no line is lost or reordered. -EPIPE: a new
 * pipe instead, this one closed: every writer was gone (the end the loop
 * had not read yet: the unfinished line ends, and this run's first line
 * is one of its own), or there is no /proc to reopen it through (what a
 * process of the last run still writes is not read). Other -errno
 * (EMFILE, ENFILE, ENOMEM): passing, no pipe for this run. */
static int output_share(struct svc *v)
{
	char path[64];
	int fd;

	if (!output_drain(v)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", v->output.fd);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			return -errno;
	}
	output_end_line(v);
	output_close(v);
	return -EPIPE;
}

/* A write end of v's log pipe for a child (the caller closes it), or -1
 * (the child's output then goes to /dev/null). The pipe outlives the
 * process while anything still writes to it, and a restart writes into the
 * same one: no line is lost or reordered. PID 1 itself keeps only the read
 * end, so the pipe ends (and its fd goes) with the service's last process. */
static int svc_output_writer(struct manager *m, struct svc *v)
{
	int p[2], fd;

	if (v->output.fd >= 0) {
		uint64_t end = svc_log_end(v);

		fd = output_share(v);
		if (svc_log_end(v) != end && m->output_hook)
			m->output_hook(m->output_ctx, &v->s);   /* followers: what was taken */
		if (fd >= 0)
			return fd;
		if (fd != -EPIPE) {
			/* Passing: this run's output is lost, not the pipe's. */
			log_warn("%s: no log pipe for this run: %s", v->s.unit->name,
				 strerror(-fd));
			return -1;
		}
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warn("%s: no log pipe: %s", v->s.unit->name, strerror(errno));
		return -1;
	}
	/* The write end stays blocking for the child: a service that outruns
	 * initd waits, it does not lose lines. */
	fcntl(p[1], F_SETFL, 0);
	v->output = (struct loop_watch){ .fd = p[0], .fn = output_ready, .data = v };
	if (loop_watch_add(m->loop, &v->output, EPOLLIN) < 0) {
		v->output.fd = safe_close(p[0]);
		close(p[1]);
		return -1;
	}
	return p[1];
}

int svc_new(struct manager *m, const struct unit *u, struct svc **ret)
{
	/* Only PID 1 reads it: no fork copies it (nofork.h). */
	struct svc *v = nofork_alloc(sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->m = m;
	v->deps = (struct svc_deps *)&svc_no_deps;
	v->gen = m->gen;
	m->escalate_dirty = true;   /* it may be set failed below (pass_escalate) */
	v->output.fd = -1;
	v->main_exit.fd = -1;
	svc_cgroup_init(v);
	service_init(&v->s, u, &real_ops, m->loop);
	svc_cgroup_check(m, v);   /* its leaf: at its first spawn */
	*ret = v;
	return 0;
}

/* Index of a unit in the set (sorted by name), or -1. */
ssize_t set_index(const struct unit_set *set, const char *name)
{
	size_t lo = 0, hi = set->n_units;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->units[mid]->name, name);

		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int names_to_indexes(const struct unit_set *set, char **names, uint32_t **ret,
			    uint32_t *ret_n)
{
	size_t n = 0;

	for (char **p = names; p && *p; p++)
		n++;
	*ret_n = 0;
	*ret = NULL;
	if (n == 0)
		return 0;   /* most units have no dependencies: no allocation */
	*ret = calloc(n, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	for (char **p = names; p && *p; p++) {
		ssize_t i = set_index(set, *p);
		if (i >= 0)
			(*ret)[(*ret_n)++] = (uint32_t)i;
	}
	return 0;
}

/* Index i among to's dependents. */
static int append_dependent(struct svc *to, size_t i)
{
	struct svc_deps *d = svc_deps_own(to);
	uint32_t *nv = d ? reallocarray(d->dependents, d->n_dependents + 1, sizeof(*nv)) : NULL;

	if (!nv)
		return -ENOMEM;
	nv[d->n_dependents++] = (uint32_t)i;
	d->dependents = nv;
	return 0;
}

void manager_unlink(struct manager *m)
{
	for (size_t i = 0; i < m->n_svcs; i++)
		svc_deps_free(m->svcs[i]);
}

/* v's requires and after as indexes: a record of its own when it has any. */
static int link_own(struct manager *m, struct svc *v)
{
	const struct unit *u = v->pending_unit ? v->pending_unit : v->s.unit;
	struct svc_deps *d;
	int r;

	if (!(u->requires && u->requires[0]) && !(u->after && u->after[0]))
		return 0;
	d = svc_deps_own(v);
	if (!d)
		return -ENOMEM;
	r = names_to_indexes(m->set, u->requires, &d->requires, &d->n_requires);
	return r < 0 ? r : names_to_indexes(m->set, u->after, &d->after, &d->n_after);
}

static int link_edges(struct manager *m)
{
	for (size_t i = 0; i < m->n_svcs; i++) {
		int r = link_own(m, m->svcs[i]);

		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < m->n_svcs; i++) {
		const struct svc_deps *d = m->svcs[i]->deps;

		for (size_t k = 0; k < d->n_requires; k++)
			if (append_dependent(m->svcs[d->requires[k]], i) < 0)
				return -ENOMEM;
		for (size_t k = 0; k < d->n_after; k++)
			if (append_dependent(m->svcs[d->after[k]], i) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* Resolve dependency names to indexes once, and the reverse edges; the
 * pass's bitmaps (manager_pass.c). */
int manager_link(struct manager *m)
{
	int indexed = pass_index(m), r = link_edges(m);

	/* Out of memory for either: no bitmap, so every pass walks every
	 * unit (slower, not wrong), as marks along reverse edges a failed
	 * link left out would not. */
	if (indexed < 0 || r < 0)
		pass_index_free(m);
	return r;
}

/* ---- reaping ---------------------------------------------------------------- */

struct svc *svc_by_pid(struct manager *m, pid_t pid)
{
	if (pid <= 0)
		return NULL;   /* the walk below would find an idle unit */
	if (!m->pids_lost)
		return pidmap_get(&m->pids, pid);
	for (size_t i = 0; i < m->n_svcs; i++)
		if (m->svcs[i]->s.pid == pid)
			return m->svcs[i];
	for (size_t i = 0; i < m->n_removed; i++)
		if (m->removed[i]->s.pid == pid)
			return m->removed[i];
	return NULL;
}

void svc_set_main_pid(struct manager *m, struct svc *v, pid_t pid)
{
	svc_pid_unindex(m, v);
	v->s.pid = pid;
	/* A MAINPID= process or a forking unit's daemon, alive now: a group
	 * of its own only if it made one (setsid). Asked only where it is
	 * used: without a cgroup (a spawn sets it after this). */
	v->main_leads_group = pid > 0 && !v->has_cgroup && getpgid(pid) == pid;
	if (pid <= 0 || m->pids_lost || pidmap_add(&m->pids, v) == 0)
		return;
	m->pids_lost = true;
	pidmap_free(&m->pids);
	log_warn("out of memory for the index of main processes: each lookup walks every unit");
}

bool svc_on_exit(struct manager *m, struct svc *v, const siginfo_t *si)
{
	svc_pid_unindex(m, v);
	return service_on_exit(&v->s, si);
}

static bool svc_listed(const struct manager *m, const struct svc *v)
{
	for (size_t i = 0; i < m->n_svcs; i++)
		if (m->svcs[i] == v)
			return true;
	for (size_t i = 0; i < m->n_removed; i++)
		if (m->removed[i] == v)
			return true;
	return false;
}

bool manager_pids_consistent(const struct manager *m)
{
	size_t n = 0;

	if (m->pids_lost)
		return true;
	for (size_t i = 0; i < m->pids.cap; i++) {
		const struct svc *v = m->pids.slot[i];

		if (!v)
			continue;
		n++;
		if (!svc_listed(m, v) || pidmap_get(&m->pids, v->s.pid) != v)
			return false;
	}
	for (size_t i = 0; i < m->n_svcs + m->n_removed; i++) {
		const struct svc *v = i < m->n_svcs ? m->svcs[i] : m->removed[i - m->n_svcs];

		if (v->s.pid > 0 && !pidmap_get(&m->pids, v->s.pid))
			return false;
	}
	return n == m->pids.n;
}

/* v's main process ended and was reaped (si): unless it handed over to a
 * MAINPID= process meanwhile, the service hears of it. */
static void svc_reaped(struct manager *m, struct svc *v, const siginfo_t *si)
{
	/* What it sent before it died is queued by now, though it may have
	 * come after an earlier drain: read it while its pid still names the
	 * service, so a MAINPID= hand-over is not lost. */
	if (m->drain_hook)
		m->drain_hook(m->drain_ctx);
	if (v->s.pid != si->si_pid)
		return;   /* it handed over to its MAINPID= process */
	/* The setup report, if any, was written before the exit. */
	report_drain(v, true);
	report_close(v);
	main_watch_close(m, v);
	v->s.pidfd = safe_close(v->s.pidfd);
	svc_cgroup_poll_oom(v, true);   /* an OOM kill may not have been read yet */
	svc_output_flush(v);      /* its last lines, for a post-mortem */
	svc_exit(m, v, si);
}

/* The walks at SIGCHLD are this far apart at least, at most ten a second
 * however many children end, once there are REAP_WALK_CHEAP units or more
 * (manager_reap). Below that a walk costs less than the wakeup a delay
 * would: each SIGCHLD walks at once, and an orphan is reaped as it dies. */
#define REAP_SWEEP_USEC (100 * USEC_PER_MSEC)
#define REAP_WALK_CHEAP 256

/* The walk of all of PID 1's children (waitid P_ALL) for what no pidfd
 * watch reaps: helpers, orphans the kernel handed to PID 1, an old main
 * process after MAINPID=, a child whose watch could not be made. */
static void reap_sweep(struct loop *l, void *data)
{
	struct manager *m = data;
	bool reaped = false;

	m->reap_last = now_usec();
	if (m->drain_hook)
		m->drain_hook(m->drain_ctx);
	for (;;) {
		siginfo_t si = { 0 };
		struct svc *v;

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
			break;
		reaped = true;
		v = svc_by_pid(m, si.si_pid);
		if (v)
			svc_reaped(m, v, &si);
		/* else an orphan, or a helper: reaped is all it needs */
	}
	if (reaped)
		spawn_reaped();   /* after svc_reaped's report_close: a window slot back */
}

/* SIGCHLD. A service's main process is reaped by its pidfd's watch
 * (main_exit_ready), at once and without a walk. The walk comes now if
 * there are few units or the last one is REAP_SWEEP_USEC old (a lone
 * helper's exit costs no wakeup more), else once that much after it, for
 * every SIGCHLD meanwhile. A walk per SIGCHLD cost O(children) per exit
 * (issue 19: at 10,000 units most of a restart's time, and O(n^2) when
 * they all end at once). */
void manager_reap(struct manager *m)
{
	uint64_t next = m->reap_last + REAP_SWEEP_USEC;

	if (loop_timer_armed(&m->reap_timer))
		return;
	if (m->n_svcs < REAP_WALK_CHEAP || now_usec() >= next)
		reap_sweep(m->loop, m);
	else
		loop_timer_arm(m->loop, &m->reap_timer, next);
}

/* The main process's pidfd is readable: it ended. Our child (the one
 * spawned, or one reparented to PID 1): reaped here, by its pidfd. Not our
 * child (a MAINPID= process elsewhere): nobody will tell how it ended, so
 * it is "exit status unknown". */
static void main_exit_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct svc *v = data;
	struct manager *m = v->m;
	pid_t pid = v->s.pid;   /* not reaped yet: its pid names it alone */
	siginfo_t si = { 0 };

	main_watch_close(m, v);
	/* What it sent before it ended, read while it is a zombie: without
	 * cgroups a MAINPID= is believed by the sender's /proc entry
	 * (mainpid_is_related), gone once it is reaped. */
	if (m->drain_hook)
		m->drain_hook(m->drain_ctx);
	/* It handed over meanwhile (fd closed: the walk reaps it). The pid,
	 * not only the fd: after two hand-overs the newest pidfd may have
	 * taken fd's number. */
	if (v->s.pid != pid || v->s.pidfd != fd)
		return;
	if (waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) == 0) {
		/* si_pid 0: not waitable yet (traced); the walk reaps it at
		 * the SIGCHLD that comes once it is */
		if (si.si_pid > 0) {
			svc_reaped(m, v, &si);
			spawn_reaped();
		}
		return;
	}
	if (errno != ECHILD || v->s.pidfd != fd)
		return;
	v->s.pidfd = safe_close(v->s.pidfd);
	si.si_code = 0;   /* neither exited nor killed: unknown */
	svc_on_exit(m, v, &si);
}

int main_watch_open(struct manager *m, struct svc *v)
{
	int r;

	main_watch_close(m, v);
	v->main_exit = (struct loop_watch){ .fd = v->s.pidfd, .fn = main_exit_ready, .data = v };
	r = loop_watch_add(m->loop, &v->main_exit, EPOLLIN);
	if (r < 0)
		v->main_exit.fd = -1;
	return r;
}

void main_watch_close(struct manager *m, struct svc *v)
{
	if (v->main_exit.fd < 0)
		return;
	loop_watch_del(m->loop, &v->main_exit);   /* the fd is s.pidfd: closed by its owner */
	v->main_exit.fd = -1;
}

/* ---- public ------------------------------------------------------------------ */

/* The shutdown's time is up: what is left is killed. A poweroff or reboot
 * goes on at once (boot_final kills and reaps every process); rescue waits
 * until they are gone, at most SHUTDOWN_KILL_WAIT_USEC (a process stuck in
 * the kernel never is), before it says every unit is stopped. */
#define SHUTDOWN_KILL_WAIT_USEC (5 * USEC_PER_SEC)

static void shutdown_timeout(struct loop *l, void *data)
{
	struct manager *m = data;

	if (m->shutdown_killed) {
		log_warn("shutdown: killed services still not gone after %llu s; going on",
			 (unsigned long long)(SHUTDOWN_KILL_WAIT_USEC / USEC_PER_SEC));
		shutdown_finish(m);
		return;
	}
	log_warn("shutdown: services still running after the shutdown timeout, killing them");
	for (size_t i = 0; i < m->n_svcs; i++)
		service_kill_at_shutdown(&m->svcs[i]->s);
	for (size_t i = 0; i < m->n_removed; i++)
		service_kill_at_shutdown(&m->removed[i]->s);
	if (m->shutdown != SHUTDOWN_RESCUE) {
		shutdown_finish(m);
		return;
	}
	m->shutdown_killed = true;
	if (loop_timer_arm(l, &m->shutdown_timer, now_usec() + SHUTDOWN_KILL_WAIT_USEC) < 0) {
		shutdown_finish(m);   /* no bound on the wait: none */
		return;
	}
	manager_schedule(m);   /* the pass finishes once they are gone */
}

/* manager_shutdown's stand-in for a timeout it could not arm; nothing
 * once that shutdown has ended (finished, or rescue reached: a later
 * shutdown is not this one's to kill). */
static void shutdown_kill_now(struct loop *l, void *data)
{
	struct manager *m = data;

	if (!m->kill_deferred)
		return;
	m->kill_deferred = false;
	if (m->shutdown != SHUTDOWN_NONE && !m->shutdown_finished)
		shutdown_timeout(l, m);
}

int manager_new(struct loop *l, const struct manager_options *opt, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->loop = l;
	m->opt = *opt;
	m->pids = PIDMAP_INIT(offsetof(struct svc, s.pid));
	if (!m->opt.cgroup_root)
		m->opt.cgroup_root = "/sys/fs/cgroup";
	if (!m->opt.passwd_file)
		m->opt.passwd_file = "/etc/passwd";
	if (!m->opt.group_file)
		m->opt.group_file = "/etc/group";
	m->cg.root_fd = -1;
	loop_timer_init(&m->shutdown_timer, shutdown_timeout, m);
	loop_timer_init(&m->pass_timer, pass_timer_fired, m);
	loop_timer_init(&m->reap_timer, reap_sweep, m);
	if (m->opt.use_cgroup) {
		r = cgroup_tree_open(m->opt.cgroup_root, &m->cg);
		if (r < 0)
			log_warn("no usable cgroup2 hierarchy at %s (%s): supervising by pid alone",
				 m->opt.cgroup_root, strerror(-r));
		else if ((r = cgroup_watch_new(l, svc_cgroup_event, &m->watch)) < 0) {
			log_error("cannot watch cgroup events (%s): supervising by pid alone",
				  strerror(-r));
			cgroup_tree_close(&m->cg);
		}
		/* own_leaf: once the boot settled (manager_pass.c). */
	}
	*ret = m;
	return 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_svcs; i++)
		svc_free(m, m->svcs[i]);
	for (size_t i = 0; i < m->n_removed; i++)
		svc_free(m, m->removed[i]);
	for (size_t i = 0; i < m->n_retired; i++)
		unit_set_free(m->retired[i].set);
	pidmap_free(&m->pids);
	free(m->removed);
	free(m->retired);
	free(m->svcs);
	free(m->order);
	pass_index_free(m);
	free(m->waiters);
	loop_timer_cancel(m->loop, &m->shutdown_timer);
	loop_timer_cancel(m->loop, &m->pass_timer);
	loop_timer_cancel(m->loop, &m->reap_timer);
	cgroup_watch_free(m->watch);
	manager_leftovers_free(m);
	manager_cgroup_close(m);
	unit_set_free(m->set);
	free(m);
}

int manager_apply(struct manager *m, struct unit_set *set)
{
	int r;

	if (m->set)
		return manager_reload(m, set, NULL);
	m->set = set;
	manager_cgroup_apply(m, set, NULL);   /* slices and controllers before any leaf */
	boot_phase_mark(BOOT_PHASE_SLICES);
	m->svcs = calloc(set->n_units ? set->n_units : 1, sizeof(*m->svcs));
	m->order = calloc(set->n_units ? set->n_units : 1, sizeof(*m->order));
	if (!m->svcs || !m->order)
		return -ENOMEM;
	if (unit_set_order(set, m->order) < 0) {
		free(m->order);
		m->order = NULL;   /* name order: validation marked the cycle bad */
	}
	for (size_t i = 0; i < set->n_units; i++) {
		r = svc_new(m, set->units[i], &m->svcs[i]);
		if (r < 0)
			return r;
		m->n_svcs++;
	}
	r = manager_link(m);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n_svcs; i++)
		if (m->svcs[i]->s.state == SERVICE_BAD_CONFIG)
			log_error("%s: bad configuration, not started", m->svcs[i]->s.unit->name);
	manager_schedule(m);
	return 0;
}

void manager_boot(struct manager *m)
{
	size_t held = 0;

	if (m->booted || m->rescue || m->shutdown != SHUTDOWN_NONE)
		return;
	m->booted = true;
	for (size_t i = 0; i < m->n_svcs; i++) {
		struct service *s = &m->svcs[i]->s;

		if (s->state != SERVICE_STOPPED)
			continue;
		if (unit_in_mode(s->unit, m->opt.mode))
			service_start(s);
		else
			held++;
	}
	if (m->opt.mode && strcmp(m->opt.mode, "default") != 0 &&
	    !unit_set_names_mode(m->set, m->opt.mode))
		log_warn("mode %s: no unit names mode %s in its modes: only units without modes start",
			 m->opt.mode, m->opt.mode);
	if (held)
		log_info("mode %s: %zu unit(s) not started (other modes, or autostart = false)",
			 m->opt.mode ? m->opt.mode : "default", held);
	manager_schedule(m);
}

void manager_rescue_reached(struct manager *m)
{
	m->rescue = true;
	m->shutdown = SHUTDOWN_NONE;
	m->shutdown_finished = false;
	m->kill_deferred = false;
	m->shutdown_done = NULL;
	loop_timer_cancel(m->loop, &m->shutdown_timer);
	manager_schedule(m);
}

bool manager_in_rescue(const struct manager *m)
{
	return m->rescue;
}

void manager_set_failure_hook(struct manager *m, manager_failure_fn fn, void *ctx)
{
	m->failure_hook = fn;
	m->escalate_dirty = true;
	m->failure_ctx = ctx;
}

enum shutdown_how manager_shutdown_how(const struct manager *m)
{
	return m->shutdown;
}

void manager_shutdown(struct manager *m, enum shutdown_how how, manager_done_fn done,
		      void *data)
{
	if (m->shutdown != SHUTDOWN_NONE) {
		/* "poweroff" after "reboot" wins, and vice versa; a rescue
		 * never replaces a real shutdown. */
		if (how != SHUTDOWN_RESCUE)
			m->shutdown = how;
		return;
	}
	m->shutdown = how;
	m->shutdown_done = done;
	m->shutdown_data = data;
	m->shutdown_killed = false;
	for (size_t i = 0; i < m->n_svcs; i++) {
		m->svcs[i]->s.want_running = false;
		m->svcs[i]->restart_after_swap = false;
	}
	if (loop_timer_arm(m->loop, &m->shutdown_timer,
			   now_usec() + (m->set ? m->set->conf.shutdown_timeout_usec
						: 30 * USEC_PER_SEC)) < 0) {
		/* Without its bound, a stop that hangs would hold the end for
		 * good: what runs is killed now, from the loop (the OK to
		 * `svctl poweroff` first), or here if even that cannot be
		 * queued. */
		log_error("shutdown: cannot arm its timeout (out of memory): killing the services");
		m->kill_deferred = true;
		if (loop_defer(m->loop, shutdown_kill_now, m) < 0)
			shutdown_kill_now(m->loop, m);
		return;
	}
	manager_schedule(m);
}

bool manager_shutting_down(const struct manager *m)
{
	return m->shutdown != SHUTDOWN_NONE;
}

void manager_boot_times(const struct manager *m, uint64_t *first_spawn, uint64_t *settled)
{
	*first_spawn = m->first_spawn_at;
	*settled = m->settled_at;
}

int manager_wait_settled(struct manager *m, manager_settled_fn fn, void *data)
{
	struct settled_waiter *w = reallocarray(m->waiters, m->n_waiters + 1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w[m->n_waiters++] = (struct settled_waiter){ fn, data };
	m->waiters = w;
	manager_schedule(m);
	return 0;
}

void manager_cancel_settled(struct manager *m, void *data)
{
	for (size_t i = 0; i < m->n_waiters; i++)
		if (m->waiters[i].data == data) {
			m->waiters[i] = m->waiters[--m->n_waiters];
			i--;
		}
}

void manager_set_drain_hook(struct manager *m, manager_drain_fn fn, void *ctx)
{
	m->drain_hook = fn;
	m->drain_ctx = ctx;
}

void manager_set_mount_hook(struct manager *m, manager_mount_fn fn, void *ctx)
{
	m->mount_hook = fn;
	m->mount_ctx = ctx;
}

void manager_set_pass_hook(struct manager *m, manager_pass_fn fn, void *ctx)
{
	m->pass_hook = fn;
	m->pass_ctx = ctx;
}

bool manager_service_settled(struct manager *m, struct service *s)
{
	return service_is_settled(s) && !svc_of(s)->pending_unit &&
	       !svc_of(s)->stop_after_dependents;
}

void manager_set_logwriter(struct manager *m, struct logwriter *w)
{
	m->logwriter = w;
}

/* At the end every service has stopped: what the pipes hold, and the
 * lines left unfinished ended (the next boot's first line is not glued to
 * them in the log file). */
void manager_output_flush(struct manager *m)
{
	for (size_t i = 0; i < m->n_svcs; i++) {
		output_drain(m->svcs[i]);
		output_end_line(m->svcs[i]);
	}
	for (size_t i = 0; i < m->n_removed; i++) {
		output_drain(m->removed[i]);
		output_end_line(m->removed[i]);
	}
}

void manager_set_output_hook(struct manager *m, manager_output_fn fn, void *ctx)
{
	m->output_hook = fn;
	m->output_ctx = ctx;
}

void manager_set_removed_hook(struct manager *m, manager_output_fn fn, void *ctx)
{
	m->removed_hook = fn;
	m->removed_ctx = ctx;
}

size_t manager_count(const struct manager *m)
{
	return m->n_svcs;
}

struct service *manager_service_at(struct manager *m, size_t i)
{
	return i < m->n_svcs ? &m->svcs[i]->s : NULL;
}

struct service *manager_find(struct manager *m, const char *name)
{
	ssize_t i = m->set ? set_index(m->set, name) : -1;

	return i >= 0 ? &m->svcs[i]->s : NULL;
}

const struct unit_set *manager_set(const struct manager *m)
{
	return m->set;
}

const char *manager_cgroup_path(struct manager *m, struct service *s, char *buf, size_t size)
{
	if (!svc_of(s)->has_cgroup || unit_cgroup_path(s->unit, buf, size) < 0)
		return NULL;
	return buf;
}

const struct logbuf *manager_service_log(struct service *s)
{
	/* A unit that never wrote reads as an empty ring. */
	static const struct logbuf none = { .size = 1 };

	return svc_of(s)->log ? &svc_of(s)->log->ring : &none;
}

/* An operator's start is a fresh one for what it requires too: each failed
 * (or failing) unit v requires, through any chain, may be started once
 * more for it (manager_pass.c: a failed unit already pulled in by an
 * operator's start fails the unit requiring it). A walk with its own
 * marks: a start is rare, the graph may share requirements. Short of
 * memory, no retry. */
static void operator_start_retries(struct manager *m, const struct svc *v)
{
	_cleanup_free_ uint32_t *stack = malloc(m->n_svcs * sizeof(*stack));
	_cleanup_free_ uint8_t *seen = calloc(m->n_svcs ? m->n_svcs : 1, 1);
	size_t top = 0;

	if (!stack || !seen)
		return;
	for (const struct svc *at = v;; at = m->svcs[stack[--top]]) {
		for (uint32_t k = 0; k < at->deps->n_requires; k++) {
			uint32_t i = at->deps->requires[k];

			if (seen[i]++)
				continue;
			if (m->svcs[i]->s.state == SERVICE_FAILED ||
			    service_is_failing(&m->svcs[i]->s))
				m->svcs[i]->operator_start = false;
			stack[top++] = i;
		}
		if (!top)
			break;
	}
}

int manager_start(struct manager *m, struct service *s)
{
	if (m->shutdown != SHUTDOWN_NONE)
		return -ESHUTDOWN;
	if (s->state == SERVICE_BAD_CONFIG)
		return -ENOEXEC;
	operator_start_retries(m, svc_of(s));
	service_start_by_operator(s);
	svc_of(s)->stop_after_dependents = false;
	svc_of(s)->operator_start = true;
	/* A changed unit stopping for its swap comes back with its new unit. */
	if (svc_of(s)->pending_unit)
		svc_of(s)->restart_after_swap = true;
	manager_schedule_svc(m, svc_of(s));
	return 0;
}

/* Does d require v? (A dependent may only come after it.) */
static bool svc_requires(const struct manager *m, const struct svc *d, const struct svc *v)
{
	for (size_t k = 0; k < d->deps->n_requires; k++)
		if (m->svcs[d->deps->requires[k]] == v)
			return true;
	return false;
}

/* An operator's stop reaches the units that require s (a waiting one would
 * pull s back in), not those that only come after it, and they stop
 * first, as at a shutdown: while one of them, or one coming after s that
 * is stopping anyway, is on its way down, s stays up, wanted by nobody,
 * and the pass stops it after them (pass_stop_after_dependents); it is not
 * settled until then (whatever its state), so `svctl stop` waits for them
 * all. */
int manager_stop(struct manager *m, struct service *s)
{
	struct svc *v = svc_of(s);
	bool wait = false;

	v->restart_after_swap = false;   /* nor after a pending swap */
	v->operator_start = false;
	s->want_running = false;         /* first: a dependency cycle ends here */
	for (size_t k = 0; k < v->deps->n_dependents; k++) {
		struct svc *d = m->svcs[v->deps->dependents[k]];

		/* wanted, or coming back from a reload's swap */
		if ((d->s.want_running || d->restart_after_swap) && svc_requires(m, d, v))
			manager_stop(m, &d->s);
		wait |= service_is_active(&d->s) && !d->s.want_running;
	}
	/* and for a unit going down for a reload whose running unit needs s
	 * (out of the graph); asked outside a pass, so not kept */
	wait |= reload_going_down_needs(m, s->unit->name);
	reload_needs_drop(m);
	v->stop_after_dependents = wait;
	if (wait && (s->state == SERVICE_STARTING || s->state == SERVICE_RUNNING))
		service_stop_later(s);      /* up until they are down */
	else
		service_stop_by_operator(s);
	manager_schedule_svc(m, v);
	return 0;
}

void manager_stop_begin(struct manager *m, struct service *s)
{
	if (s)
		s->want_running = false;
}

int manager_restart(struct manager *m, struct service *s)
{
	int r;

	if (m->shutdown != SHUTDOWN_NONE)
		return -ESHUTDOWN;
	if (s->state == SERVICE_BAD_CONFIG)
		return -ENOEXEC;
	service_restart_by_operator(s);
	r = manager_start(m, s);
	return r;
}

/* Every process of s: in a PID namespace through its reaper (reaper.h);
 * else its cgroup subtree; else, without cgroups, its process group (a
 * service starts with setsid; a MAINPID daemon that forked without setsid
 * is still in it). */
static int signal_unit(struct manager *m, struct service *s, int sig)
{
	struct svc *v = svc_of(s);
	pid_t pgid;
	int r;

	if (s->unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID))
		return s->pidfd >= 0 ? reaper_signal_all(s->pidfd, sig) : -ESRCH;
	if (v->has_cgroup) {
		r = svc_cgroup_signal(m, v, sig);
		return r < 0 ? r : 0;
	}
	pgid = getpgid(s->pid);
	/* Never initd's own group (a service always has one of its own). */
	if (pgid <= 1 || pgid == getpgid(0))
		return ops_signal(s, sig);
	return kill(-pgid, sig) < 0 ? -errno : 0;
}

int manager_kill(struct manager *m, struct service *s, int sig, bool main_only)
{
	if (s->pid <= 0)
		return -ESRCH;
	return main_only ? ops_signal(s, sig) : signal_unit(m, s, sig);
}
