/* metrics.c — the Prometheus text of every unit, and the metrics file
 * (metrics.h says why it is made here and how the file is kept; the
 * cgroups' part is the helper's, metrics_helper.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U   /* Linux 6.3: older headers lack it */
#endif

#include "common/prom.h"
#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/child.h"
#include "initd/loader.h"
#include "initd/log.h"
#include "initd/manager.h"
#include "initd/metrics.h"
#include "initd/metrics_helper.h"
#include "initd/nofork.h"
#include "initd/service.h"
#include "initd/spawn.h"

struct metrics_job;

struct metrics {
	struct loop *loop;
	struct manager *manager;
	char *file;                  /* initd.conf's metrics_file, NULL: none */
	uint64_t interval_usec;      /* 0: written on events only */
	struct loop_timer write_timer;     /* one-shot: the next write */
	struct loop_timer interval_timer;  /* armed only with an interval */
	uint64_t last_write;         /* monotonic usec, 0 = never */
	uint64_t writes;
	uint64_t started;            /* monotonic usec: initd's start */
	uint64_t settled;            /* monotonic usec, 0 = not yet */
	size_t text_max;             /* metrics_text_max */
	int failing;                 /* the last write's -errno, said once */
	struct metrics_job *jobs;    /* helpers running (list) */
	size_t n_replies;            /* of those, for requests */
	struct metrics_job *file_job;      /* the file's, if one runs */
	int file_dir;                /* its directory while a write runs, else -1 */
	char file_name[NAME_MAX + 1];      /* the file's name in file_dir */
	bool file_again;             /* an event came while it ran */
};

/* A text whose cgroup part the helper writes (metrics_helper.h). */
struct metrics_job {
	struct metrics *mx;
	struct metrics_job *next;
	int out;                     /* the text: a memfd, or the file's temporary */
	int pidfd;
	struct loop_watch report;    /* the helper's report, or its end */
	struct loop_timer timeout;
	bool file;                   /* the file's, else a request's */
	metrics_done_fn done;        /* the request's answer, with its data */
	void *data;
};

/* ---- PID 1's part of the text ---------------------------------------------------- */

static void put_mem(FILE *f, const char *component, size_t bytes)
{
	fprintf(f, "initd_memory_bytes{component=\"%s\"} %zu\n", component, bytes);
}

/* PID 1's own heap, by component (issue 19; manager_mem.c), and the
 * allocator's totals: what the bench divides by the number of units. */
static void render_memory(struct metrics *mx, FILE *f)
{
	struct manager_footprint fp;
	struct mallinfo2 mi = mallinfo2();
	struct nofork_stats nf;

	if (mx->manager)
		manager_footprint(mx->manager, &fp);
	else
		fp = (struct manager_footprint){ .units = 0 };
	prom_family(f, "initd_memory_bytes", "gauge",
		    "PID 1's heap and its memory no fork copies (nofork): its units' parts, and the allocators' totals.");
	put_mem(f, "unit_struct", fp.model.unit_structs);
	put_mem(f, "unit_optional", fp.model.optional);
	put_mem(f, "unit_strings", fp.model.strings);
	put_mem(f, "unit_arrays", fp.model.arrays);
	put_mem(f, "unit_retired", fp.model_retired);
	put_mem(f, "svc_struct", fp.svc_structs);
	put_mem(f, "deps", fp.deps);
	put_mem(f, "log_rings", fp.log_rings);
	put_mem(f, "postmortems", fp.postmortems);
	put_mem(f, "index", fp.index);
	put_mem(f, "cgroup_watch", fp.cgroup_watch);
	put_mem(f, "heap_in_use", mi.uordblks + mi.hblkhd);
	put_mem(f, "heap_free", mi.fordblks);
	put_mem(f, "heap_arena", mi.arena + mi.hblkhd);
	nofork_stats(&nf);
	put_mem(f, "nofork_in_use", nf.in_use);
	put_mem(f, "nofork_free", nf.free);
	put_mem(f, "nofork_mapped", nf.mapped);
	prom_family(f, "initd_memory_allocations", "gauge", "Heap blocks of the units' model.");
	fprintf(f, "initd_memory_allocations %zu\n", fp.model.allocations);
}

/* writes: the file's count as this text says it (a file's own write
 * counts in it). */
static void render_system(struct metrics *mx, FILE *f, size_t n, uint64_t writes)
{
	uint64_t now = now_usec();

	prom_family(f, "initd_units", "gauge", "Units loaded.");
	fprintf(f, "initd_units %zu\n", n);
	prom_family(f, "initd_uptime_seconds", "gauge", "Seconds since initd started.");
	fprintf(f, "initd_uptime_seconds %" PRIu64 "\n", (now - mx->started) / 1000000);
	if (mx->settled) {
		prom_family(f, "initd_boot_settled_seconds", "gauge",
			    "Seconds from the kernel's start until every unit first settled.");
		fprintf(f, "initd_boot_settled_seconds %" PRIu64 ".%06" PRIu64 "\n",
			mx->settled / 1000000, mx->settled % 1000000);
	}
	prom_family(f, "initd_metrics_writes_total", "counter",
		    "Times initd wrote its metrics_file.");
	fprintf(f, "initd_metrics_writes_total %" PRIu64 "\n", writes);
	render_memory(mx, f);
}

/* The signal that ended that run, or 0: a plain signal, and the SIGKILLs
 * initd names for their cause (an OOM kill, a silent watchdog), whose
 * code is the signal as well. */
static int last_run_signal(const struct service *s)
{
	const struct service_exit *e = service_last_run_exit(s);

	switch (e->kind) {
	case EXIT_SIGNAL:
	case EXIT_OOM:
	case EXIT_WATCHDOG:
		return e->code;
	default:
		return 0;
	}
}

static void render_model(struct metrics *mx, FILE *f, size_t n)
{
	struct manager *m = mx->manager;
	struct service *s;

	prom_family(f, "initd_unit_state", "gauge", "The unit's state (1 for the one it is in).");
	for (size_t i = 0; i < n; i++) {
		s = manager_service_at(m, i);
		prom_unit(f, "initd_unit_state", s->unit->name);
		fputs(",state=\"", f);
		prom_label(f, manager_state_name(m, s));
		fputs("\"} 1\n", f);
	}
	prom_family(f, "initd_unit_restarts_total", "counter", "Restarts since the unit was loaded.");
	for (size_t i = 0; i < n; i++) {
		s = manager_service_at(m, i);
		prom_u64(f, "initd_unit_restarts_total", s->unit->name, s->restarts);
	}
	prom_family(f, "initd_unit_last_exit_code", "gauge", "Exit status of the last exit.");
	for (size_t i = 0; i < n; i++) {
		s = manager_service_at(m, i);
		if (service_last_run_exit(s)->kind == EXIT_CODE)
			prom_u64(f, "initd_unit_last_exit_code", s->unit->name,
				 (uint64_t)(unsigned)service_last_run_exit(s)->code);
	}
	prom_family(f, "initd_unit_last_exit_signal", "gauge", "Signal that ended the last run.");
	for (size_t i = 0; i < n; i++) {
		s = manager_service_at(m, i);
		if (last_run_signal(s) > 0)
			prom_u64(f, "initd_unit_last_exit_signal", s->unit->name,
				 (uint64_t)(unsigned)last_run_signal(s));
	}
}

/* Through a stream of its own on a copy of fd: the offset is the open
 * file's, so the helper's part follows. */
static int fd_stream(int fd, FILE **ret)
{
	int w = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (w < 0)
		return -errno;
	*ret = fdopen(w, "w");
	if (!*ret) {
		int r = -errno;
		close(w);
		return r;
	}
	return 0;
}

/* A stream's end: 0, or what its writes or its last flush met (a write
 * that failed midway, no memory for a memfd's pages, is in ferror). */
static int stream_close(FILE *f)
{
	int r = ferror(f) ? (errno ? -errno : -EIO) : 0;

	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

/* What PID 1 holds (the fleet's and the model's families) into out; and
 * with no helper to follow, the cgroups' families without samples. */
static int head_write(struct metrics *mx, int out, bool file, bool cgroup_families)
{
	size_t n = mx->manager ? manager_count(mx->manager) : 0;
	FILE *f;
	int r = fd_stream(out, &f);

	if (r < 0)
		return r;
	errno = 0;
	render_system(mx, f, n, mx->writes + file);
	render_model(mx, f, n);
	for (int k = 0; cgroup_families && k < PROM_CGROUP_FAMILIES; k++)
		prom_cgroup_family(f, (enum prom_cgroup_family)k);
	return stream_close(f);
}

/* Not executable: a kernel with vm.memfd_noexec = 2 refuses a memfd that
 * does not say so; one before 6.3 refuses the flag it does not know. */
static int memfd_text(const char *name, unsigned flags)
{
	int fd = memfd_create(name, MFD_CLOEXEC | flags | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

/* The units the helper reads, NUL-terminated name and path each: -errno,
 * or the memfd in *ret_fd (-1: no unit has a cgroup, nothing to read). */
static int units_list(struct metrics *mx, int *ret_fd)
{
	size_t n = mx->manager ? manager_count(mx->manager) : 0, listed = 0;
	_cleanup_close_ int fd = -1;
	FILE *f;
	int r;

	*ret_fd = -1;
	if (!mx->manager || !manager_cgroup_tree(mx->manager) || n == 0)
		return 0;
	fd = memfd_text("initd-metrics-units", 0);
	if (fd < 0)
		return fd;
	r = fd_stream(fd, &f);
	if (r < 0)
		return r;
	errno = 0;
	for (size_t i = 0; i < n; i++) {
		struct service *s = manager_service_at(mx->manager, i);
		char path[UNIT_CGROUP_PATH_MAX + 1];

		if (manager_cgroup_node_path(s, path, sizeof(path)) < 0)
			continue;
		fputs(s->unit->name, f);
		fputc('\0', f);
		fputs(path, f);
		fputc('\0', f);
		listed++;
	}
	r = stream_close(f);
	if (r == 0 && listed)
		*ret_fd = TAKE_FD(fd);
	return r;
}

/* ---- the helper ----------------------------------------------------------------- */

/* Between fork and exec: the fds where metrics_helper.h puts them, and
 * the console as PID 1 was given it on fd 2 (log.h). Each
 * (and the executable's) is first copied past them, since any may sit on
 * another's place; the copies close at the exec, as every other fd of PID
 * 1's. A failure is reported as the helper would. */
static _Noreturn void helper_child(int exe, int units, int out, int root, int report)
{
	char *argv[] = { "initd", METRICS_HELPER_ARG, NULL };
	char *envp[] = { NULL };
	int from[] = { units, out, root, report, log_console_for_helpers(), exe };
	static const int to[] = { STDIN_FILENO, STDOUT_FILENO, METRICS_HELPER_ROOT_FD,
				  METRICS_HELPER_REPORT_FD, STDERR_FILENO };
	int32_t err;

	/* First: until then a fault here would run PID 1's crash action. */
	if (child_reset_signals() < 0)
		_exit(127);
	if (child_place_fds(from, ARRAY_SIZE(from), to, ARRAY_SIZE(to)) == 0)
		syscall(SYS_execveat, from[5], "", argv, envp, AT_EMPTY_PATH);
	err = -errno;
	/* the report's copy, or (its copy failed, nothing put yet) itself */
	(void)!write(from[3] >= 0 ? from[3] : report, &err, sizeof(err));
	_exit(127);
}

static void job_ended(struct metrics_job *j, int r);

static void report_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	int32_t r = 0;
	ssize_t n = read(fd, &r, sizeof(r));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* end-of-file alone: it died before its report; and an errno it
	 * could not have meant is no errno */
	job_ended(data, n != (ssize_t)sizeof(r) ? -ECHILD : r > 0 || r < -4095 ? -EPROTO : r);
}

static void helper_timed_out(struct loop *l, void *data)
{
	job_ended(data, -ETIMEDOUT);
}

/* fork + exec of initd-loader --metrics, j->out its fd 1. */
static int helper_start(struct metrics *mx, struct metrics_job *j, int units)
{
	int exe = loader_exe_fd(), p[2], r;
	int root = manager_cgroup_tree(mx->manager)->root_fd;
	pid_t pid;

	if (exe < 0)
		return exe;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = spawn_helper_fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0)
		helper_child(exe, units, j->out, root, p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* Not yet reaped (the reaping runs from this same loop): the pid
	 * still names our child. The walk at SIGCHLD reaps it. */
	j->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	j->report = (struct loop_watch){ .fd = p[0], .fn = report_ready, .data = j };
	if (j->pidfd < 0) {   /* no way to stop it later: now, while the pid is ours */
		r = -errno;
		kill(pid, SIGKILL);
		return r;
	}
	if (loop_watch_add(mx->loop, &j->report, EPOLLIN) < 0 ||
	    loop_timer_arm(mx->loop, &j->timeout, now_usec() + METRICS_HELPER_TIMEOUT_USEC) < 0)
		return -ENOMEM;   /* job_stop kills it */
	return 0;
}

/* The helper gone (killed if it still runs: harmless once it exited, the
 * pidfd names no other) and j off the list; j->out stays. */
static void job_stop(struct metrics_job *j)
{
	struct metrics *mx = j->mx;

	loop_watch_close(mx->loop, &j->report);
	loop_timer_cancel(mx->loop, &j->timeout);
	if (j->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, j->pidfd, SIGKILL, NULL, 0);
	j->pidfd = safe_close(j->pidfd);
	for (struct metrics_job **pp = &mx->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->file)
		mx->file_job = NULL;
	else
		mx->n_replies--;
}

static void job_free(struct metrics_job *j)
{
	safe_close(j->out);
	free(j);
}

/* PID 1's part of the text into *out, then the helper started for the
 * cgroups' part. 0: the text is whole (no unit has a cgroup to read);
 * METRICS_PENDING: *ret_job runs, with *out (taken), for the file or
 * for done(); or -errno (the caller says it: the file's failures once). */
static int text_begin(struct metrics *mx, int *out, bool file, metrics_done_fn done,
		      void *data, struct metrics_job **ret_job)
{
	_cleanup_close_ int units = -1;
	struct metrics_job *j;
	int r = units_list(mx, &units);

	if (r == 0)
		r = head_write(mx, *out, file, units < 0);
	if (r < 0 || units < 0)
		return r;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct metrics_job){ .mx = mx, .out = *out, .pidfd = -1, .file = file,
				   .done = done, .data = data, .report.fd = -1,
				   .next = mx->jobs };
	loop_timer_init(&j->timeout, helper_timed_out, j);
	mx->jobs = j;
	if (file)
		mx->file_job = j;
	else
		mx->n_replies++;
	r = helper_start(mx, j, units);
	if (r < 0) {
		job_stop(j);   /* *out stays the caller's */
		free(j);
		return r;
	}
	*out = -1;
	*ret_job = j;
	return METRICS_PENDING;
}

/* The whole text in fd: sealed, its offset back at 0, so whoever gets the
 * fd reads what was rendered; its length in *ret_len. */
static int text_seal(int fd, size_t *ret_len)
{
	off_t len = lseek(fd, 0, SEEK_END);

	if (len < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -errno;
	*ret_len = (size_t)len;
	return 0;
}

/* The text goes to tmpfs, not the heap: at 10,000 units it is ~14 MiB,
 * which PID 1's heap would keep dirty (and every fork copy) after it was
 * sent. */
int metrics_render(struct metrics *mx, metrics_done_fn done, void *data, int *ret_fd,
		   size_t *ret_len, struct metrics_job **ret_job)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!done)
		return -EINVAL;
	if (mx->n_replies >= METRICS_REPLIES_MAX)
		return -EBUSY;
	fd = memfd_text("initd-metrics", MFD_ALLOW_SEALING);
	if (fd < 0)
		return fd;
	r = text_begin(mx, &fd, false, done, data, ret_job);
	if (r != 0)
		return r;
	r = text_seal(fd, ret_len);
	if (r == 0)
		*ret_fd = TAKE_FD(fd);
	return r;
}

const char *metrics_failure(int r)
{
	return r == -ECHILD ? "the helper ended without its report" :
	       r == -ETIMEDOUT ? "the helper took too long and was killed" : strerror(-r);
}

void metrics_cancel(struct metrics *mx, struct metrics_job *j)
{
	if (!j)
		return;
	job_stop(j);
	job_free(j);
}

/* ---- the file ------------------------------------------------------------------ */

/* PATH.tmp, then rename over PATH: a reader sees the old or the new file,
 * never a part. Its directories are made if missing (/run/initd at boot). The
 * temporary is made afresh (unlink, O_EXCL): whatever stood there, a FIFO
 * above all, whose open would block PID 1, is never opened. The text goes
 * straight in (tmpfs: no write waits), so the file has no bound of the
 * control reply's, nor a copy of it in PID 1's heap.
 *
 * PID 1 is root, and a directory on the path may be a unit's own
 * (/run/prometheus, made for the unit that reads the file): the path is
 * walked from / as every path a unit may own a directory on (path_walk,
 * common/util.c), and each later step goes by the fd of the directory it
 * found. Left to the kernel, a link the unit planted there had PID 1 make
 * directories, replace a file or remove one wherever the unit pointed it. */
static int tmp_name(const char *name, char tmp[static NAME_MAX + 1])
{
	return snprintf(tmp, NAME_MAX + 1, "%s.tmp", name) > NAME_MAX ? -ENAMETOOLONG : 0;
}

/* The file's directory, walked (made where missing when flags say
 * PATH_WALK_MKDIR), the name the file has in it in name: the fd (the
 * caller's) or -errno (-ELOOP: a link in a unit's directory). Whether the
 * directory is root's alone matters not: nothing there is opened but a
 * temporary made afresh, and a rename or unlink takes the name, never
 * what a link there points to. */
static int file_walk(const char *path, unsigned flags, char name[static NAME_MAX + 1])
{
	bool trusted;

	return path_walk(path, flags, name, &trusted);
}

static void file_dir_close(struct metrics *mx)
{
	mx->file_dir = safe_close(mx->file_dir);
}

/* The temporary, made in the file's directory, which stays open in
 * mx->file_dir until the write is done (file_done) or cancelled. */
static int file_open(struct metrics *mx)
{
	char tmp[NAME_MAX + 1];
	int fd;

	fd = file_walk(mx->file, PATH_WALK_MKDIR, mx->file_name);
	if (fd < 0)
		return fd;
	mx->file_dir = fd;
	if (tmp_name(mx->file_name, tmp) < 0)
		return -ENAMETOOLONG;
	unlinkat(mx->file_dir, tmp, 0);
	fd = openat(mx->file_dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	return fd < 0 ? -errno : fd;
}

/* The file at path removed (a path a reload changed or dropped), by the
 * same walk. */
static void file_remove(const char *path)
{
	char name[NAME_MAX + 1];
	int dir = file_walk(path, 0, name);

	if (dir < 0)
		return;
	unlinkat(dir, name, 0);
	close(dir);
}

/* The text in the temporary is whole (r 0) or not: the file replaced, or
 * gone (no file rather than an old one a scraper takes for now). A walk
 * that failed left no directory: nothing there to replace or remove. */
static void file_done(struct metrics *mx, int r)
{
	char tmp[NAME_MAX + 1];
	bool named = mx->file_dir >= 0 && tmp_name(mx->file_name, tmp) == 0;

	if (r == 0 && !named)
		r = -ENAMETOOLONG;
	if (r == 0 && renameat(mx->file_dir, tmp, mx->file_dir, mx->file_name) < 0)
		r = -errno;
	if (r == 0)
		mx->writes++;   /* as the text said: it counts itself */
	if (r < 0 && named)
		unlinkat(mx->file_dir, tmp, 0);
	if (r < 0 && mx->file_dir >= 0)
		unlinkat(mx->file_dir, mx->file_name, 0);
	file_dir_close(mx);
	if (r < 0) {
		if (r != mx->failing)
			log_error("metrics_file %s: %s (removed until a write succeeds)", mx->file,
				  metrics_failure(r));
	} else if (mx->failing) {
		log_notice("metrics_file %s: written again", mx->file);
	}
	mx->failing = r < 0 ? r : 0;
}

static void write_now(struct metrics *mx)
{
	struct metrics_job *j;
	int fd, r;

	if (!mx->file)
		return;
	if (mx->file_job) {   /* the one running read its state before this */
		mx->file_again = true;
		return;
	}
	mx->last_write = now_usec();
	fd = file_open(mx);
	r = fd < 0 ? fd : text_begin(mx, &fd, true, NULL, NULL, &j);
	safe_close(fd);
	if (r != METRICS_PENDING)
		file_done(mx, r);
}

/* The file's write under way, if any, stopped and its temporary gone
 * (the file keeps its last text). */
static void file_cancel(struct metrics *mx)
{
	char tmp[NAME_MAX + 1];

	if (!mx->file_job)
		return;
	metrics_cancel(mx, mx->file_job);
	if (tmp_name(mx->file_name, tmp) == 0)
		unlinkat(mx->file_dir, tmp, 0);
	file_dir_close(mx);
	mx->file_again = false;
}

/* The helper reported (r: 0 or -errno), ended without a report, or was
 * killed for its time. */
static void job_ended(struct metrics_job *j, int r)
{
	struct metrics *mx = j->mx;
	bool file = j->file;
	size_t len = 0;

	job_stop(j);
	if (file) {
		job_free(j);
		file_done(mx, r);
		if (mx->file_again) {
			mx->file_again = false;
			metrics_changed(mx);
		}
		return;
	}
	if (r == 0)
		r = text_seal(j->out, &len);
	if (r < 0)
		log_error("svctl metrics: %s", metrics_failure(r));
	j->done(j->data, r, r == 0 ? TAKE_FD(j->out) : -1, len);
	job_free(j);
}

static void write_timer_fired(struct loop *l, void *data)
{
	write_now(data);
}

/* A write within a second of the last one waits for the second to pass;
 * the events meanwhile ride on the timer already armed. */
void metrics_changed(struct metrics *mx)
{
	uint64_t at;

	if (!mx || !mx->file || loop_timer_armed(&mx->write_timer))
		return;
	at = mx->last_write ? mx->last_write + METRICS_WRITE_GAP_USEC : 0;
	if (loop_timer_arm(mx->loop, &mx->write_timer, at > now_usec() ? at : now_usec()) < 0)
		log_error("metrics_file %s: cannot arm its timer", mx->file);
}

static void interval_timer_fired(struct loop *l, void *data)
{
	struct metrics *mx = data;

	metrics_changed(mx);
	if (mx->interval_usec)
		loop_timer_arm(l, &mx->interval_timer, now_usec() + mx->interval_usec);
}

void metrics_configure(struct metrics *mx, const struct initd_conf *conf)
{
	bool same = (mx->file && conf->metrics_file ? strcmp(mx->file, conf->metrics_file) == 0 :
		     mx->file == conf->metrics_file) &&
		    mx->interval_usec == conf->metrics_interval_usec;
	char *file;

	if (same)
		return;
	file = conf->metrics_file ? strdup(conf->metrics_file) : NULL;
	if (conf->metrics_file && !file) {
		log_error("metrics_file %s: out of memory", conf->metrics_file);
		return;
	}
	file_cancel(mx);   /* its temporary is beside the old path */
	/* The old path's file would keep numbers that no longer move, which
	 * a scraper takes for now. */
	if (mx->file && (!file || strcmp(mx->file, file) != 0))
		file_remove(mx->file);
	free(mx->file);
	mx->file = file;
	mx->interval_usec = file ? conf->metrics_interval_usec : 0;
	loop_timer_cancel(mx->loop, &mx->interval_timer);
	if (!file) {
		loop_timer_cancel(mx->loop, &mx->write_timer);
		return;
	}
	if (mx->interval_usec)
		loop_timer_arm(mx->loop, &mx->interval_timer, now_usec() + mx->interval_usec);
	metrics_changed(mx);
}

void metrics_set_manager(struct metrics *mx, struct manager *m)
{
	mx->manager = m;
	metrics_changed(mx);
}

void metrics_boot_settled(struct metrics *mx, uint64_t monotonic_usec)
{
	if (!mx->settled)
		mx->settled = monotonic_usec;
	metrics_changed(mx);
}

uint64_t metrics_writes(const struct metrics *mx)
{
	return mx->writes;
}

size_t metrics_text_max(const struct metrics *mx)
{
	return mx->text_max;
}

void metrics_set_text_max(struct metrics *mx, size_t bytes)
{
	mx->text_max = bytes ? bytes : METRICS_TEXT_MAX;
}

struct metrics *metrics_new(struct loop *l)
{
	struct metrics *mx = calloc(1, sizeof(*mx));

	if (!mx)
		return NULL;
	mx->loop = l;
	mx->started = now_usec();
	mx->text_max = METRICS_TEXT_MAX;
	mx->file_dir = -1;
	loop_timer_init(&mx->write_timer, write_timer_fired, mx);
	loop_timer_init(&mx->interval_timer, interval_timer_fired, mx);
	return mx;
}

void metrics_free(struct metrics *mx)
{
	if (!mx)
		return;
	loop_timer_cancel(mx->loop, &mx->write_timer);
	loop_timer_cancel(mx->loop, &mx->interval_timer);
	file_cancel(mx);
	while (mx->jobs)   /* their requests' clients are gone (the server first) */
		metrics_cancel(mx, mx->jobs);
	free(mx->file);
	free(mx);
}
