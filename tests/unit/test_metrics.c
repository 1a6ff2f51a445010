/* test_metrics.c — initd/metrics.c's text without units: label escaping
 * (the text format's three escapes) and the initd-level families, each
 * with HELP and TYPE once; the metrics helper's cgroup families
 * (loader/metrics_helper.c) from a tree shaped as initd's, and its fds
 * and report as PID 1 hands them over. The units' families are checked
 * with the real parser in tests/host/t-metrics.sh and against the kernel
 * in the VM. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/prom.h"
#include "common/proto.h"
#include "common/util.h"
#include "initd/commands.h"
#include "initd/loop.h"
#include "initd/metrics.h"
#include "initd/metrics_helper.h"
#include "tests/fds.h"
#include "tests/files.h"

static char *label(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	prom_label(f, s);
	fclose(f);
	return text;
}

START_TEST(label_escapes)
{
	char *t = label("a\\b\"c\nd");

	ck_assert_str_eq(t, "a\\\\b\\\"c\\nd");
	free(t);
	t = label("web@1.x");
	ck_assert_str_eq(t, "web@1.x");
	free(t);
}
END_TEST

/* n occurrences of needle in text. */
static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The n bytes in fd, NUL-terminated (the caller frees). */
static char *fd_text(int fd, size_t n)
{
	char *text = malloc(n + 2);

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(read_full(fd, text, n + 1), (ssize_t)n);   /* and no more */
	text[n] = '\0';
	return text;
}

/* s with its digits taken out, in place. */
static char *without_digits(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++)
		if (*r < '0' || *r > '9')
			*w++ = *r;
	*w = '\0';
	return s;
}

static void never_done(void *data, int r, int fd, size_t len)
{
	ck_abort_msg("no helper runs without a unit with a cgroup");
}

/* metrics_render's memfd: the text from its start, sealed, CLOEXEC
 * (whole at once: no unit has a cgroup, so no helper). */
static char *render_text(struct metrics *mx, size_t *ret_len)
{
	struct metrics_job *job = NULL;
	int fd = -1;
	char *text;

	ck_assert_int_eq(metrics_render(mx, never_done, NULL, &fd, ret_len, &job), 0);
	ck_assert_ptr_null(job);
	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(fcntl(fd, F_GET_SEALS) & F_SEAL_WRITE, F_SEAL_WRITE);
	ck_assert_int_lt(write(fd, "x", 1), 0);
	text = fd_text(fd, *ret_len);
	close(fd);
	return text;
}

START_TEST(render_without_units)
{
	struct loop *l = NULL;
	struct metrics *mx;
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	text = render_text(mx, &len);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE initd_units gauge\ninitd_units 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE initd_metrics_writes_total counter\n"
					   "initd_metrics_writes_total 0\n"));
	ck_assert_ptr_null(strstr(text, "initd_boot_settled_seconds"));   /* not yet */
	ck_assert_ptr_null(strstr(strstr(text, "# TYPE initd_units ") + 1, "# TYPE initd_units "));
	/* the cgroups' families too, without samples: the same families as
	 * when the helper writes them (18 in all) */
	ck_assert_uint_eq(count(text, "# TYPE "), 18);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE initd_unit_memory_current_bytes gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE initd_unit_pressure_stalled_seconds_total "
					   "counter\n"));
	ck_assert_ptr_null(strstr(text, "{unit="));
	ck_assert_uint_eq(metrics_writes(mx), 0);
	free(text);
	metrics_free(mx);
	loop_free(l);
}
END_TEST

/* The file is not held to the control reply's bound: at 10,000 units with
 * pressure the text is ~14M, and metrics_file is what a scraper reads
 * then. (The bound made smaller here: the text without units is small.) */
START_TEST(file_has_no_reply_bound)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[64], *text = NULL;
	struct initd_conf conf = { 0 };
	struct loop *l = NULL;
	struct metrics *mx;
	struct stat st;
	size_t len = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/initd.prom", dir);
	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	metrics_set_text_max(mx, 100);
	conf.metrics_file = path;
	metrics_configure(mx, &conf);
	for (int i = 0; i < 100 && metrics_writes(mx) == 0; i++)
		loop_run_once(l, 20);
	ck_assert_uint_eq(metrics_writes(mx), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, 100);
	metrics_set_text_max(mx, 0);
	text = render_text(mx, &len);
	/* the same text but for its numbers (the uptime, PID 1's memory) */
	{
		int ffd = open(path, O_RDONLY | O_CLOEXEC);
		char *file;

		ck_assert_int_ge(ffd, 0);
		file = fd_text(ffd, (size_t)st.st_size);
		close(ffd);
		ck_assert_str_eq(without_digits(file), without_digits(text));
		free(file);
	}
	free(text);
	metrics_free(mx);
	loop_free(l);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Each reload configures the metrics again (main.c apply_conf): the same
 * metrics_file leaves the heap as it was. The old code copied the path
 * before it saw nothing changed, and lost the copy at every reload. */
START_TEST(configure_again_the_same_costs_nothing)
{
	struct initd_conf conf = { .metrics_file = (char *)"/nonexistent/initd.prom" };
	struct loop *l = NULL;
	struct metrics *mx;
	size_t before;

	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	metrics_configure(mx, &conf);
	before = mallinfo2().uordblks;
	for (int i = 0; i < 100; i++)
		metrics_configure(mx, &conf);
	ck_assert_uint_eq(mallinfo2().uordblks, before);
	metrics_free(mx);
	loop_free(l);
}
END_TEST

/* A write that fails leaves no file, rather than an old one a scraper
 * would take for now; the next one that works writes it again. */
START_TEST(failed_write_leaves_no_stale_file)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[64], tmp[72];
	struct initd_conf conf = { 0 };
	struct loop *l = NULL;
	struct metrics *mx;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/initd.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("initd_units 42\n", f);
	fclose(f);
	ck_assert_int_eq(mkdir(tmp, 0755), 0);    /* its temporary cannot be made */
	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	conf.metrics_file = path;
	metrics_configure(mx, &conf);
	for (int i = 0; i < 50 && access(path, F_OK) == 0; i++)
		loop_run_once(l, 20);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_uint_eq(metrics_writes(mx), 0);
	ck_assert_int_eq(rmdir(tmp), 0);
	metrics_changed(mx);
	for (int i = 0; i < 100 && metrics_writes(mx) == 0; i++)
		loop_run_once(l, 20);
	ck_assert_uint_eq(metrics_writes(mx), 1);
	ck_assert_int_eq(access(path, F_OK), 0);
	metrics_free(mx);
	loop_free(l);
	unlink(path);
	rmdir(dir);
}
END_TEST

static void wait_writes(struct loop *l, struct metrics *mx, uint64_t n)
{
	for (int i = 0; i < 100 && metrics_writes(mx) < n; i++)
		loop_run_once(l, 20);
	ck_assert_uint_eq(metrics_writes(mx), n);
}

/* Its directories are made however many are missing (the old code made
 * the last one alone: /run/prometheus/textfile/initd.prom was never
 * written); a path changed or dropped by a reload takes its old file
 * with it (the old code left it, with numbers that no longer moved). */
START_TEST(file_moves_and_goes_with_its_path)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", deep[96], other[96], sub[80];
	struct initd_conf conf = { 0 };
	struct loop *l = NULL;
	struct metrics *mx;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(deep, sizeof(deep), "%s/a/b/initd.prom", dir);
	snprintf(other, sizeof(other), "%s/initd.prom", dir);
	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	conf.metrics_file = deep;
	metrics_configure(mx, &conf);
	wait_writes(l, mx, 1);
	ck_assert_int_eq(access(deep, F_OK), 0);
	conf.metrics_file = other;
	metrics_configure(mx, &conf);
	ck_assert_int_ne(access(deep, F_OK), 0);
	wait_writes(l, mx, 2);
	ck_assert_int_eq(access(other, F_OK), 0);
	conf.metrics_file = NULL;
	metrics_configure(mx, &conf);
	ck_assert_int_ne(access(other, F_OK), 0);
	metrics_free(mx);
	loop_free(l);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	rmdir(sub);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static void rm_tree(const char *root)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* path's text, or "" when it cannot be read (static: one at a time). */
static const char *file_text(const char *path)
{
	static char text[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

/* The loop turned long enough for a write at once (the first one is due
 * now) to have been tried. */
static void run_a_while(struct loop *l)
{
	for (int i = 0; i < 10; i++)
		loop_run_once(l, 20);
}

/* A directory a unit owns on the way (/run/prometheus, made for the
 * unit): PID 1 is root, and a link the unit planted there is not followed
 * (path_walk), as the log writer follows none. The old code's mkdir -p,
 * its write (the temporary, the rename) and its unlink went through it to
 * wherever it pointed: root made directories there, replaced a file named
 * as the metrics file, or removed it. */
START_TEST(file_follows_no_link_a_unit_planted)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", own[64], elsewhere[64], link[80], path[128];
	char victim[96], made[96];
	struct initd_conf conf = { 0 };
	struct loop *l = NULL;
	struct metrics *mx;

	if (getuid() != 0) {   /* the unit's directory is another user's */
		fprintf(stderr, "SKIPPED: %s needs root\n", __func__);
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(own, sizeof(own), "%s/unit", dir);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", dir);
	snprintf(link, sizeof(link), "%s/sub", own);
	snprintf(victim, sizeof(victim), "%s/initd.prom", elsewhere);
	snprintf(made, sizeof(made), "%s/new", elsewhere);
	ck_assert_int_eq(mkdir(own, 0755), 0);
	ck_assert_int_eq(chown(own, 65534, 65534), 0);   /* the unit's */
	ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
	ck_assert_int_eq(symlink(elsewhere, link), 0);
	test_put_file(elsewhere, "initd.prom", "victim\n");
	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);

	/* its directories: none made through the link */
	snprintf(path, sizeof(path), "%s/new/initd.prom", link);
	conf.metrics_file = path;
	metrics_configure(mx, &conf);
	run_a_while(l);
	ck_assert_msg(access(made, F_OK) != 0, "%s was made through the unit's link", made);
	/* the write: the file there not replaced (nor removed at the failure);
	 * by a metrics of its own, whose first write is not held back by the
	 * last one's (METRICS_WRITE_GAP_USEC: the step proved nothing) */
	metrics_free(mx);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	snprintf(path, sizeof(path), "%s/initd.prom", link);
	metrics_configure(mx, &conf);
	run_a_while(l);
	ck_assert_str_eq(file_text(victim), "victim\n");
	/* a path dropped: the file there not removed */
	conf.metrics_file = NULL;
	metrics_configure(mx, &conf);
	ck_assert_str_eq(file_text(victim), "victim\n");
	ck_assert_uint_eq(metrics_writes(mx), 0);
	metrics_free(mx);
	loop_free(l);
	rm_tree(dir);
}
END_TEST

static int ask(struct commands *cmds, enum control_access access, struct proto_buf *reply,
	       int *fd)
{
	struct control_request req = {
		.type = PROTO_REQ_METRICS, .access = access, .pass_fd = fd,
		.uid = access == CONTROL_ADMIN ? 0 : 1000,
	};
	struct proto_hdr h;

	proto_buf_init(reply, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	ck_assert_int_eq(commands_dispatch(cmds, NULL, &req, reply), 0);
	ck_assert_int_eq(proto_hdr_decode(reply->data, PROTO_REPLY_MAX, &h), 0);
	return h.type;
}

static const struct proto_attr_view *reply_attr(const struct proto_buf *reply, uint16_t type)
{
	static struct proto_attr_view a;

	ck_assert_int_eq(proto_attr_find(reply->data + PROTO_HDR_SIZE,
					 reply->len - PROTO_HDR_SIZE, type, &a), 1);
	return &a;
}

/* `svctl metrics` past a reply's bound: root gets every byte in the fd
 * passed with the reply (10,000 units' text is ~14 MiB, a reply 8), a
 * member of the control group the E2BIG it got before, and under the
 * bound the text in the reply. (The bound made smaller here.) */
START_TEST(root_gets_the_text_in_an_fd)
{
	struct loop *l = NULL;
	struct manager_options opt = { .use_cgroup = false };
	struct commands cmds = { 0 };
	struct proto_buf reply;
	uint64_t n = 0;
	uint32_t err = 0;
	int fd = -1;
	char *text;
	int fds;

	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(manager_new(l, &opt, &cmds.manager), 0);
	cmds.metrics = metrics_new(l);
	ck_assert_ptr_nonnull(cmds.metrics);
	metrics_set_text_max(cmds.metrics, 100);
	fds = test_fds_open();
	ck_assert_int_ge(fds, 0);

	ck_assert_int_eq(ask(&cmds, CONTROL_ADMIN, &reply, &fd), PROTO_REPLY_OK);
	ck_assert_int_eq(proto_get_u64(reply_attr(&reply, PROTO_ATTR_DATA_IN_FD), &n), 0);
	ck_assert_uint_gt(n, 100);
	ck_assert_int_ge(fd, 0);
	text = fd_text(fd, n);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE initd_units gauge\ninitd_units 0\n"));
	free(text);
	fd = safe_close(fd);
	proto_buf_free(&reply);

	ck_assert_int_eq(ask(&cmds, CONTROL_READ, &reply, &fd), PROTO_REPLY_ERROR);
	ck_assert_int_eq(proto_get_u32(reply_attr(&reply, PROTO_ATTR_ERRNO), &err), 0);
	ck_assert_uint_eq(err, E2BIG);
	ck_assert_int_eq(fd, -1);
	proto_buf_free(&reply);

	metrics_set_text_max(cmds.metrics, 0);
	ck_assert_int_eq(ask(&cmds, CONTROL_READ, &reply, &fd), PROTO_REPLY_OK);
	ck_assert_int_eq(fd, -1);
	ck_assert_uint_gt(reply_attr(&reply, PROTO_ATTR_DATA)->len, 100);
	proto_buf_free(&reply);
	/* a caller that takes no fd (no pass_fd): root too gets it inline */
	ck_assert_int_eq(ask(&cmds, CONTROL_ADMIN, &reply, NULL), PROTO_REPLY_OK);
	ck_assert_uint_gt(reply_attr(&reply, PROTO_ATTR_DATA)->len, 100);
	proto_buf_free(&reply);
	ck_assert_int_eq(test_fds_open(), fds);   /* every memfd closed */

	metrics_free(cmds.metrics);
	manager_free(cmds.manager);
	loop_free(l);
}
END_TEST

/* ---- the helper's part ----------------------------------------------------- */

/* root/sys/a with every file a cgroup of initd's has, root/sys/b with
 * none, no root/sys/c; root/secret, which no path may reach. */
static void fake_tree(const char *root)
{
	char a[300], b[300], sys[256], secret[256];

	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(a, sizeof(a), "%s/a", sys);
	snprintf(b, sizeof(b), "%s/b", sys);
	snprintf(secret, sizeof(secret), "%s/secret", root);
	ck_assert_int_eq(mkdir(sys, 0755), 0);
	ck_assert_int_eq(mkdir(a, 0755), 0);
	ck_assert_int_eq(mkdir(b, 0755), 0);
	ck_assert_int_eq(mkdir(secret, 0755), 0);
	test_put_file(a, "memory.current", "1234\n");
	test_put_file(a, "memory.peak", "5000\n");
	test_put_file(a, "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
		 "nr_periods 3\nnr_throttled 1\nthrottled_usec 1500\n");
	test_put_file(a, "pids.current", "2\n");
	test_put_file(a, "memory.events", "low 0\nhigh 0\nmax 1\noom 1\noom_kill 1\n");
	test_put_file(a, "cpu.pressure", "some avg10=1.50 avg60=0.00 avg300=0.00 total=2000000\n"
		 "full avg10=0.25 avg60=0.00 avg300=0.00 total=1000\n");
	test_put_file(secret, "memory.current", "666\n");
}

static const char units_pairs[] = "a\0sys/a\0b\0sys/b\0c\0sys/c\0up\0../x\0abs\0/sys/a\0"
				  "dot\0sys/../secret\0";

static const char *const helper_lines[] = {
	"initd_unit_memory_current_bytes{unit=\"a\"} 1234\n",
	"initd_unit_memory_peak_bytes{unit=\"a\"} 5000\n",
	"initd_unit_cpu_usage_seconds_total{unit=\"a\"} 2.500000\n",
	"initd_unit_cpu_throttled_periods_total{unit=\"a\"} 1\n",
	"initd_unit_cpu_throttled_seconds_total{unit=\"a\"} 0.001500\n",
	"initd_unit_pids_current{unit=\"a\"} 2\n",
	"initd_unit_oom_kills_total{unit=\"a\"} 1\n",
	"initd_unit_pressure_avg10_ratio{unit=\"a\",resource=\"cpu\",kind=\"some\"} 0.0150\n",
	"initd_unit_pressure_avg10_ratio{unit=\"a\",resource=\"cpu\",kind=\"full\"} 0.0025\n",
	"initd_unit_pressure_stalled_seconds_total{unit=\"a\",resource=\"cpu\",kind=\"some\"} 2.000000\n",
	"initd_unit_pressure_stalled_seconds_total{unit=\"a\",resource=\"cpu\",kind=\"full\"} 0.001000\n",
};

/* Each value of a's files in its family, nothing for the unit whose
 * cgroup has no files or none, nor for a path leaving the root: no 666. */
static void check_helper_text(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(helper_lines); i++)
		ck_assert_msg(strstr(text, helper_lines[i]), "missing: %s", helper_lines[i]);
	ck_assert_uint_eq(count(text, "{unit="), ARRAY_SIZE(helper_lines));
	ck_assert_ptr_null(strstr(text, "666"));
	ck_assert_uint_eq(count(text, "# TYPE "), 9);
	ck_assert_uint_eq(count(text, "# HELP initd_unit_pressure_avg10_ratio "), 1);
	/* in the order PID 1 writes them when no helper runs */
	const char *t = text;
	for (int k = 0; k < PROM_CGROUP_FAMILIES; k++) {
		const char *name = prom_cgroup_families[k].name;

		t = strstr(t, "# TYPE ");
		ck_assert_ptr_nonnull(t);
		t += strlen("# TYPE ");
		ck_assert_msg(strncmp(t, name, strlen(name)) == 0 && t[strlen(name)] == ' ',
			      "family %d: want %s", k, name);
	}
}

START_TEST(helper_reads_each_units_cgroup)
{
	char root[] = "/tmp/test_metrics.XXXXXX", *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(root));
	fake_tree(root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(metrics_helper_render(fd, units_pairs, sizeof(units_pairs) - 1, f), 0);
	fclose(f);
	check_helper_text(text);
	free(text);

	/* what PID 1 cannot send: cut short, an empty name, one too long */
	f = open_memstream(&text, &len);
	ck_assert_int_eq(metrics_helper_render(fd, "a\0sys/a", 7, f), -EBADMSG);
	ck_assert_int_eq(metrics_helper_render(fd, "a\0sys/a\0b", 9, f), -EBADMSG);
	ck_assert_int_eq(metrics_helper_render(fd, "\0sys/a\0", 7, f), -EBADMSG);
	{
		char big[UNIT_NAME_MAX + 16] = { 0 };

		memset(big, 'x', UNIT_NAME_MAX + 1);
		memcpy(big + UNIT_NAME_MAX + 2, "p", 2);
		ck_assert_int_eq(metrics_helper_render(fd, big, UNIT_NAME_MAX + 4, f), -EBADMSG);
	}
	fclose(f);
	ck_assert_uint_eq(len, 0);   /* nothing written for any of them */
	free(text);
	close(fd);
	rm_tree(root);
}
END_TEST

/* The helper as PID 1 starts it (metrics_helper.h): the pairs on 0, the
 * text appended on 1 after what is there, the root on 3, its report on
 * 4; a report of 0 and exit 0. */
START_TEST(helper_appends_and_reports)
{
	char root[] = "/tmp/test_metrics.XXXXXX", *text;
	int units = memfd_create("units", 0), out = memfd_create("out", 0), p[2], status;
	int32_t report = 1;
	pid_t pid;
	off_t len;

	ck_assert_ptr_nonnull(mkdtemp(root));
	fake_tree(root);
	ck_assert_int_ge(units, 0);
	ck_assert_int_ge(out, 0);
	ck_assert_int_eq(write(units, units_pairs, sizeof(units_pairs) - 1),
			 (ssize_t)sizeof(units_pairs) - 1);
	ck_assert_int_eq(write(out, "head\n", 5), 5);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int rootfd = open(root, O_RDONLY | O_DIRECTORY);

		if (rootfd < 0 || dup2(units, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(rootfd, METRICS_HELPER_ROOT_FD) < 0 ||
		    dup2(p[1], METRICS_HELPER_REPORT_FD) < 0)
			_exit(99);
		metrics_helper_main();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &report, sizeof(report)), (ssize_t)sizeof(report));
	ck_assert_int_eq(report, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	len = lseek(out, 0, SEEK_END);
	ck_assert_int_gt(len, 5);
	ck_assert_int_eq(lseek(out, 0, SEEK_SET), 0);
	text = fd_text(out, (size_t)len);
	ck_assert(strncmp(text, "head\n# HELP ", 12) == 0);
	check_helper_text(text);
	free(text);
	close(p[0]);
	close(units);
	close(out);
	rm_tree(root);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, label_escapes);
	tcase_add_test(tc, render_without_units);
	tcase_add_test(tc, file_has_no_reply_bound);
	tcase_add_test(tc, configure_again_the_same_costs_nothing);
	tcase_add_test(tc, failed_write_leaves_no_stale_file);
	tcase_add_test(tc, file_moves_and_goes_with_its_path);
	tcase_add_test(tc, file_follows_no_link_a_unit_planted);
	tcase_add_test(tc, root_gets_the_text_in_an_fd);
	tcase_add_test(tc, helper_reads_each_units_cgroup);
	tcase_add_test(tc, helper_appends_and_reports);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
