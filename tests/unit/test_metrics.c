/* test_metrics.c — initd/metrics.c's text without units: label escaping
 * (the text format's three escapes) and the initd-level families, each
 * with HELP and TYPE once. The units' families are checked with the real
 * parser in tests/host/t-metrics.sh and against the kernel in the VM. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "initd/commands.h"
#include "initd/loop.h"
#include "initd/metrics.h"
#include "tests/fds.h"

static char *label(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	metrics_put_label(f, s);
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

/* metrics_render's memfd: the text from its start, sealed, CLOEXEC. */
static char *render_text(struct metrics *mx, size_t *ret_len)
{
	int fd = -1;
	char *text;

	ck_assert_int_eq(metrics_render(mx, &fd, ret_len), 0);
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

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, label_escapes);
	tcase_add_test(tc, render_without_units);
	tcase_add_test(tc, file_has_no_reply_bound);
	tcase_add_test(tc, failed_write_leaves_no_stale_file);
	tcase_add_test(tc, root_gets_the_text_in_an_fd);
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
