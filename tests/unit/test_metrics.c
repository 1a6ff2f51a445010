/* test_metrics.c — initd/metrics.c's text without units: label escaping
 * (the text format's three escapes) and the initd-level families, each
 * with HELP and TYPE once. The units' families are checked with the real
 * parser in tests/host/t-metrics.sh and against the kernel in the VM. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loop.h"
#include "initd/metrics.h"

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

START_TEST(render_without_units)
{
	struct loop *l = NULL;
	struct metrics *mx;
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(loop_new(&l), 0);
	mx = metrics_new(l);
	ck_assert_ptr_nonnull(mx);
	ck_assert_int_eq(metrics_render(mx, &text, &len), 0);
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
	ck_assert_int_eq(metrics_render(mx, &text, &len), -E2BIG);
	conf.metrics_file = path;
	metrics_configure(mx, &conf);
	for (int i = 0; i < 100 && metrics_writes(mx) == 0; i++)
		loop_run_once(l, 20);
	ck_assert_uint_eq(metrics_writes(mx), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_gt(st.st_size, 100);
	metrics_set_text_max(mx, 0);
	ck_assert_int_eq(metrics_render(mx, &text, &len), 0);
	/* the same text (but for the uptime, a second later at most) */
	ck_assert_int_le(labs((long)st.st_size - (long)len), 2);
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

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, label_escapes);
	tcase_add_test(tc, render_without_units);
	tcase_add_test(tc, file_has_no_reply_bound);
	tcase_add_test(tc, failed_write_leaves_no_stale_file);
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
