/* metrics.c — the Prometheus text of every unit, and the metrics file
 * (metrics.h says why it is made here and how the file is kept). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U   /* Linux 6.3: older headers lack it */
#endif

#include "common/util.h"
#include "initd/cgroup_limits.h"
#include "initd/log.h"
#include "initd/manager.h"
#include "initd/metrics.h"
#include "initd/nofork.h"
#include "initd/service.h"

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
};

/* One unit's numbers, read once per render. */
struct unit_sample {
	struct service *s;
	struct cgroup_stats st;
};

/* ---- the text ----------------------------------------------------------------- */

void metrics_put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void unit_head(FILE *f, const char *metric, const struct service *s)
{
	fprintf(f, "%s{unit=\"", metric);
	metrics_put_label(f, s->unit->name);
	fputc('"', f);
}

static void put_u64(FILE *f, const char *metric, const struct service *s, uint64_t v)
{
	unit_head(f, metric, s);
	fprintf(f, "} %" PRIu64 "\n", v);
}

/* usec as seconds, exactly (no float rounding on the way). */
static void put_seconds(FILE *f, const char *metric, const struct service *s, uint64_t usec)
{
	unit_head(f, metric, s);
	fprintf(f, "} %" PRIu64 ".%06" PRIu64 "\n", usec / 1000000, usec % 1000000);
}

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
	family(f, "initd_memory_bytes", "gauge",
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
	family(f, "initd_memory_allocations", "gauge", "Heap blocks of the units' model.");
	fprintf(f, "initd_memory_allocations %zu\n", fp.model.allocations);
}

static void render_system(struct metrics *mx, FILE *f, size_t n)
{
	uint64_t now = now_usec();

	family(f, "initd_units", "gauge", "Units loaded.");
	fprintf(f, "initd_units %zu\n", n);
	family(f, "initd_uptime_seconds", "gauge", "Seconds since initd started.");
	fprintf(f, "initd_uptime_seconds %" PRIu64 "\n", (now - mx->started) / 1000000);
	if (mx->settled) {
		family(f, "initd_boot_settled_seconds", "gauge",
		       "Seconds from the kernel's start until every unit first settled.");
		fprintf(f, "initd_boot_settled_seconds %" PRIu64 ".%06" PRIu64 "\n",
			mx->settled / 1000000, mx->settled % 1000000);
	}
	family(f, "initd_metrics_writes_total", "counter",
	       "Times initd wrote its metrics_file.");
	fprintf(f, "initd_metrics_writes_total %" PRIu64 "\n", mx->writes);
	render_memory(mx, f);
}

static void render_model(struct metrics *mx, FILE *f, const struct unit_sample *v, size_t n)
{
	family(f, "initd_unit_state", "gauge", "The unit's state (1 for the one it is in).");
	for (size_t i = 0; i < n; i++) {
		unit_head(f, "initd_unit_state", v[i].s);
		fputs(",state=\"", f);
		metrics_put_label(f, manager_state_name(mx->manager, v[i].s));
		fputs("\"} 1\n", f);
	}
	family(f, "initd_unit_restarts_total", "counter", "Restarts since the unit was loaded.");
	for (size_t i = 0; i < n; i++)
		put_u64(f, "initd_unit_restarts_total", v[i].s, v[i].s->restarts);
	family(f, "initd_unit_last_exit_code", "gauge", "Exit status of the last exit.");
	for (size_t i = 0; i < n; i++)
		if (v[i].s->last_exit.kind == EXIT_CODE)
			put_u64(f, "initd_unit_last_exit_code", v[i].s,
				(uint64_t)(unsigned)v[i].s->last_exit.code);
	family(f, "initd_unit_last_exit_signal", "gauge", "Signal that ended the last run.");
	for (size_t i = 0; i < n; i++)
		if (v[i].s->last_exit.kind == EXIT_SIGNAL)
			put_u64(f, "initd_unit_last_exit_signal", v[i].s,
				(uint64_t)(unsigned)v[i].s->last_exit.code);
}

/* One family of a cgroup value: the units whose leaf has it. */
static void render_stat(FILE *f, const struct unit_sample *v, size_t n, enum cgroup_stat bit,
			size_t offset, bool seconds, const char *name, const char *type,
			const char *help)
{
	family(f, name, type, help);
	for (size_t i = 0; i < n; i++) {
		uint64_t x;

		if (!(v[i].st.have & CGROUP_STAT_BIT(bit)))
			continue;
		memcpy(&x, (const char *)&v[i].st + offset, sizeof(x));
		if (seconds)
			put_seconds(f, name, v[i].s, x);
		else
			put_u64(f, name, v[i].s, x);
	}
}

#define STAT(f, v, n, bit, field, secs, name, type, help) \
	render_stat(f, v, n, bit, offsetof(struct cgroup_stats, field), secs, name, type, help)

static void render_cgroup(FILE *f, const struct unit_sample *v, size_t n)
{
	STAT(f, v, n, CGROUP_STAT_MEM_CURRENT, mem_current, false,
	     "initd_unit_memory_current_bytes", "gauge", "memory.current of the unit's cgroup.");
	STAT(f, v, n, CGROUP_STAT_MEM_PEAK, mem_peak, false,
	     "initd_unit_memory_peak_bytes", "gauge", "memory.peak of the unit's cgroup.");
	STAT(f, v, n, CGROUP_STAT_CPU_USAGE, cpu_usage_usec, true,
	     "initd_unit_cpu_usage_seconds_total", "counter", "cpu.stat usage_usec, in seconds.");
	STAT(f, v, n, CGROUP_STAT_CPU_THROTTLING, cpu_nr_throttled, false,
	     "initd_unit_cpu_throttled_periods_total", "counter", "cpu.stat nr_throttled.");
	STAT(f, v, n, CGROUP_STAT_CPU_THROTTLING, cpu_throttled_usec, true,
	     "initd_unit_cpu_throttled_seconds_total", "counter",
	     "cpu.stat throttled_usec, in seconds.");
	STAT(f, v, n, CGROUP_STAT_PIDS_CURRENT, pids_current, false,
	     "initd_unit_pids_current", "gauge", "pids.current of the unit's cgroup.");
	STAT(f, v, n, CGROUP_STAT_OOM_KILLS, oom_kills, false,
	     "initd_unit_oom_kills_total", "counter", "memory.events oom_kill.");
}

static const struct psi_file {
	const char *resource;
	enum cgroup_stat bit;
	size_t offset;
} psi_files[] = {
	{ "cpu", CGROUP_STAT_PSI_CPU, offsetof(struct cgroup_stats, psi_cpu) },
	{ "memory", CGROUP_STAT_PSI_MEMORY, offsetof(struct cgroup_stats, psi_memory) },
	{ "io", CGROUP_STAT_PSI_IO, offsetof(struct cgroup_stats, psi_io) },
};

static void put_psi(FILE *f, const char *name, const struct service *s, const char *res,
		    const char *kind, const char *value)
{
	unit_head(f, name, s);
	fprintf(f, ",resource=\"%s\",kind=\"%s\"} %s\n", res, kind, value);
}

/* avg10 as a ratio (0..1) and total as seconds, from RESOURCE.pressure. */
static void render_psi(FILE *f, const struct unit_sample *v, size_t n, bool totals)
{
	const char *name = totals ? "initd_unit_pressure_stalled_seconds_total" :
				    "initd_unit_pressure_avg10_ratio";

	family(f, name, totals ? "counter" : "gauge",
	       totals ? "PSI total= of the unit's cgroup, in seconds." :
			"PSI avg10= of the unit's cgroup, as a ratio.");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(psi_files); k++) {
			const struct psi_file *pf = &psi_files[k];
			struct cgroup_psi p;
			char some[48], full[48];

			if (!(v[i].st.have & CGROUP_STAT_BIT(pf->bit)))
				continue;
			memcpy(&p, (const char *)&v[i].st + pf->offset, sizeof(p));
			if (totals) {
				snprintf(some, sizeof(some), "%" PRIu64 ".%06" PRIu64,
					 p.some_total / 1000000, p.some_total % 1000000);
				snprintf(full, sizeof(full), "%" PRIu64 ".%06" PRIu64,
					 p.full_total / 1000000, p.full_total % 1000000);
			} else {
				snprintf(some, sizeof(some), "%u.%04u", p.some_avg10 / 10000,
					 p.some_avg10 % 10000);
				snprintf(full, sizeof(full), "%u.%04u", p.full_avg10 / 10000,
					 p.full_avg10 % 10000);
			}
			put_psi(f, name, v[i].s, pf->resource, "some", some);
			put_psi(f, name, v[i].s, pf->resource, "full", full);
		}
}

/* Every unit's sample: one read of its leaf's files each. NULL on ENOMEM.
 * From nofork: ~170 bytes a unit, 1.7 MiB at 10,000, a mapping of its
 * own unmapped after the render; from the heap it stayed dirty in PID 1
 * after every render. */
static struct unit_sample *sample_units(struct manager *m, size_t n)
{
	struct unit_sample *v = nofork_alloc((n ? n : 1) * sizeof(*v));

	for (size_t i = 0; v && i < n; i++) {
		v[i].s = manager_service_at(m, i);
		if (manager_cgroup_stats(m, v[i].s, &v[i].st) < 0)
			v[i].st.have = 0;
	}
	return v;
}

/* The whole text into f: 0, or -ENOMEM for the units' samples. PID 1's
 * memory is said before they are taken, so it never counts them. */
static int render(struct metrics *mx, FILE *f)
{
	size_t n = mx->manager ? manager_count(mx->manager) : 0;
	struct unit_sample *v;

	render_system(mx, f, n);
	v = sample_units(mx->manager, n);
	if (!v)
		return -ENOMEM;
	render_model(mx, f, v, n);
	render_cgroup(f, v, n);
	render_psi(f, v, n, false);
	render_psi(f, v, n, true);
	nofork_free(v, (n ? n : 1) * sizeof(*v));
	return 0;
}

/* Not executable: a kernel with vm.memfd_noexec = 2 refuses a memfd that
 * does not say so; one before 6.3 refuses the flag it does not know. */
static int memfd_text(void)
{
	int fd = memfd_create("initd-metrics", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("initd-metrics", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

/* The text goes to tmpfs, not the heap: at 10,000 units it is ~14 MiB,
 * which PID 1's heap would keep dirty (and every fork copy) after it was
 * sent. Sealed: whoever gets the fd reads what was rendered. */
int metrics_render(struct metrics *mx, int *ret_fd, size_t *ret_len)
{
	_cleanup_close_ int fd = memfd_text();
	FILE *f;
	off_t len;
	int w, r;

	if (fd < 0 || (w = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return -errno;
	f = fdopen(w, "w");
	if (!f) {
		r = -errno;
		close(w);
		return r;
	}
	r = render(mx, f);
	/* a write that failed midway (no memory for the memfd's pages) is
	 * in ferror alone: fclose reports its last flush */
	if (r == 0 && ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		return r;
	len = lseek(fd, 0, SEEK_CUR);
	if (len < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -errno;
	*ret_len = (size_t)len;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* ---- the file ------------------------------------------------------------------ */

/* PATH.tmp, then rename over PATH: a reader sees the old or the new file,
 * never a part. The parent is made if missing (/run/initd at boot). The
 * temporary is made afresh (unlink, O_EXCL): whatever stood there, a FIFO
 * above all, whose open would block PID 1, is never opened. The text goes
 * straight in (tmpfs: no write waits), so the file has no bound of the
 * control reply's, nor a copy of it in PID 1's heap. */
static int write_file(struct metrics *mx, const char *path)
{
	char tmp[METRICS_FILE_MAX + 8], dir[METRICS_FILE_MAX + 1];
	char *slash;
	FILE *f;
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	errno = 0;
	r = render(mx, f);
	if (r == 0 && ferror(f))
		r = errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static void write_now(struct metrics *mx)
{
	int r;

	if (!mx->file)
		return;
	mx->last_write = now_usec();
	mx->writes++;   /* counted before rendering: the file shows itself */
	r = write_file(mx, mx->file);
	if (r < 0) {
		/* No file rather than an old one a scraper takes for now. */
		mx->writes--;
		unlink(mx->file);
		if (r != mx->failing)
			log_error("metrics_file %s: %s (removed until a write succeeds)", mx->file,
				  strerror(-r));
	} else if (mx->failing) {
		log_notice("metrics_file %s: written again", mx->file);
	}
	mx->failing = r < 0 ? r : 0;
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
	char *file = conf->metrics_file ? strdup(conf->metrics_file) : NULL;

	if (same)
		return;
	if (conf->metrics_file && !file) {
		log_error("metrics_file %s: out of memory", conf->metrics_file);
		return;
	}
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
	free(mx->file);
	free(mx);
}
