/* test_analyze.c — svctl analyze (svctl/analyze.h): the critical chain on
 * crafted graphs (a diamond, a dependency ready too late, a restart after
 * the boot's settle, a cycle in the data, unknown names), the reply's parsing, and the SVG writer's XML
 * escaping and one bar per spawned unit. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "svctl/analyze.h"

/* A unit with times and deps (NULL-terminated names). */
static struct analyze_unit mk(const char *name, uint64_t spawned, uint64_t ready,
			      const char *const *deps)
{
	struct analyze_unit u = { .name = name, .state = "running", .requested = spawned,
				  .spawned = spawned, .exec = spawned, .ready = ready };

	for (; deps && *deps; deps++)
		u.deps[u.n_deps++] = *deps;
	return u;
}

static const char *chain_names(const struct analyze *a, char *buf, size_t size)
{
	size_t chain[16], n = analyze_critical_chain(a, chain, 16), len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "",
					a->u[chain[i]].name);
	return buf;
}

START_TEST(chain_follows_what_each_waited_for)
{
	/* a -> b, a -> c, {b, c} -> d: c became ready last, d waited on it */
	struct analyze_unit u[] = {
		mk("a", 10, 100, NULL),
		mk("b", 110, 200, (const char *[]){ "a", NULL }),
		mk("c", 110, 300, (const char *[]){ "a", NULL }),
		mk("d", 310, 400, (const char *[]){ "b", "c", NULL }),
		mk("x", 5, 50, NULL),
	};
	struct analyze a = { .exec_at = 1, .u = u, .n = 5 };
	char buf[128];

	ck_assert_str_eq(chain_names(&a, buf, sizeof(buf)), "a c d");
}
END_TEST

START_TEST(a_dependency_ready_after_the_spawn_is_not_followed)
{
	/* c (an `after` edge) became ready after d was spawned: d did not
	 * wait for it; b is the one it waited for */
	struct analyze_unit u[] = {
		mk("a", 10, 100, NULL),
		mk("b", 110, 200, (const char *[]){ "a", NULL }),
		mk("c", 110, 350, (const char *[]){ "a", NULL }),
		mk("d", 310, 400, (const char *[]){ "c", "b", "nosuch", NULL }),
	};
	struct analyze a = { .exec_at = 1, .u = u, .n = 4 };
	char buf[128];

	ck_assert_str_eq(chain_names(&a, buf, sizeof(buf)), "a b d");
}
END_TEST

START_TEST(the_chain_ends_at_the_boots_settle)
{
	/* the boot settled at 400 (d ready); x restarted since, ready at
	 * 900: the chain is still the boot's, and before the settle it runs
	 * from the unit ready last so far */
	struct analyze_unit u[] = {
		mk("a", 10, 100, NULL),
		mk("b", 110, 200, (const char *[]){ "a", NULL }),
		mk("d", 210, 400, (const char *[]){ "b", NULL }),
		mk("x", 800, 900, NULL),
	};
	struct analyze a = { .exec_at = 1, .settled = 400, .u = u, .n = 4 };
	char buf[128];

	ck_assert_str_eq(chain_names(&a, buf, sizeof(buf)), "a b d");
	a.settled = 0;
	ck_assert_str_eq(chain_names(&a, buf, sizeof(buf)), "x");
}
END_TEST

START_TEST(a_cycle_in_the_data_is_bounded)
{
	struct analyze_unit u[] = {
		mk("a", 100, 100, (const char *[]){ "b", NULL }),
		mk("b", 100, 100, (const char *[]){ "a", NULL }),
	};
	struct analyze a = { .exec_at = 1, .u = u, .n = 2 };
	size_t chain[16];

	ck_assert_uint_le(analyze_critical_chain(&a, chain, 16), 2);
	ck_assert_uint_eq(analyze_critical_chain(&a, chain, 1), 1);
}
END_TEST

START_TEST(no_unit_ready_no_chain)
{
	struct analyze_unit u[] = { mk("a", 100, 0, NULL), mk("b", 0, 0, NULL) };
	struct analyze a = { .exec_at = 1, .u = u, .n = 2 };
	size_t chain[4];

	ck_assert_uint_eq(analyze_critical_chain(&a, chain, 4), 0);
}
END_TEST

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, arg);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static void escape_fn(FILE *f, const void *s)
{
	xml_print_escaped(f, s);
}

static void svg_fn(FILE *f, const void *a)
{
	analyze_print_svg(f, a);
}

START_TEST(xml_escaping)
{
	char *t = capture(escape_fn, "a<b>&\"c'\x01" "d");

	ck_assert_str_eq(t, "a&lt;b&gt;&amp;&quot;c&apos;?d");
	free(t);
}
END_TEST

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

START_TEST(svg_one_bar_per_spawned_unit_names_escaped)
{
	struct analyze_unit u[] = {
		mk("a<&>\"", 10, 100, NULL),
		mk("b", 110, 0, (const char *[]){ "a<&>\"", NULL }),
		mk("never", 0, 0, NULL),
	};
	struct analyze a = { .exec_at = 5, .settled = 150, .now = 200, .u = u, .n = 3 };
	char *t = capture(svg_fn, &a);

	ck_assert_uint_eq(count(t, "<g class=\"unit\""), 2);
	ck_assert_ptr_nonnull(strstr(t, "data-unit=\"a&lt;&amp;&gt;&quot;\""));
	ck_assert_ptr_null(strstr(t, "a<&"));
	ck_assert_ptr_null(strstr(t, "never"));
	ck_assert_uint_eq(count(t, "  <rect class=\"running\""), 1);   /* b is not ready */
	ck_assert_uint_eq(count(t, "<svg "), 1);
	ck_assert_uint_eq(count(t, "</svg>"), 1);
	free(t);
}
END_TEST

START_TEST(svg_a_huge_span_keeps_its_ticks_bounded)
{
	struct analyze_unit u[] = { mk("a", 10, UINT64_MAX, NULL) };
	struct analyze a = { .exec_at = 1, .settled = UINT64_MAX, .u = u, .n = 1 };
	char *t = capture(svg_fn, &a);

	ck_assert_uint_le(count(t, "<line class=\"tick\""), 13);
	ck_assert_uint_eq(count(t, "</svg>"), 1);
	free(t);
}
END_TEST

START_TEST(parse_the_reply)
{
	struct proto_buf b;
	struct analyze a;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_u64(&b, PROTO_ATTR_EXEC_AT, 1000);
	proto_put_u64(&b, PROTO_ATTR_SETTLED_AT, 9000);
	proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	proto_put_str(&b, PROTO_ATTR_NAME, "web");
	proto_put_str(&b, PROTO_ATTR_STATE, "running");
	proto_put_u64(&b, PROTO_ATTR_SPAWNED_AT, 2000);
	proto_put_u64(&b, PROTO_ATTR_READY_AT, 3000);
	proto_put_u64(&b, PROTO_ATTR_MEM_PEAK, 4096);
	proto_put_str(&b, PROTO_ATTR_REQUIRES, "db");
	proto_put_str(&b, PROTO_ATTR_AFTER, "log");
	proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(analyze_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &a), 0);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.exec_at, 1000);
	ck_assert_uint_eq(a.settled, 9000);
	ck_assert_str_eq(a.u[0].name, "web");
	ck_assert_uint_eq(a.u[0].ready, 3000);
	ck_assert(a.u[0].have_mem && !a.u[0].have_cpu);
	/* no CGROUP_ROOT (an older initd, whose reply has the figures): kept */
	analyze_read_cgroups(&a, b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE);
	ck_assert(a.u[0].have_mem && !a.u[0].have_cpu);
	ck_assert_uint_eq(a.u[0].mem_peak, 4096);
	ck_assert_uint_eq(a.u[0].n_deps, 2);
	ck_assert_str_eq(a.u[0].deps[1], "log");
	analyze_free(&a);

	/* without EXEC_AT: not an analyze reply */
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_u64(&b, PROTO_ATTR_NOW, 1);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(analyze_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &a),
			 -EBADMSG);
	proto_buf_free(&b);
}
END_TEST

/* Issue 19: PID 1's boot phases come in order, are printed relative to
 * the exec (text) and raw (JSON); a phase without its time is malformed. */
START_TEST(parse_and_print_the_boot_phases)
{
	struct proto_buf b;
	struct analyze a;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_u64(&b, PROTO_ATTR_EXEC_AT, 1000000);
	proto_nest_begin(&b, PROTO_ATTR_BOOT_PHASE);
	proto_put_str(&b, PROTO_ATTR_NAME, "early_mounts");
	proto_put_u64(&b, PROTO_ATTR_PHASE_AT, 1002000);
	proto_nest_end(&b);
	proto_nest_begin(&b, PROTO_ATTR_BOOT_PHASE);
	proto_put_str(&b, PROTO_ATTR_NAME, "model_decoded");
	proto_put_u64(&b, PROTO_ATTR_PHASE_AT, 1010000);
	proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(analyze_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &a), 0);
	ck_assert_uint_eq(a.n_phases, 2);
	ck_assert_str_eq(a.phases[1].name, "model_decoded");
	ck_assert_uint_eq(a.phases[1].at, 1010000);
	f = open_memstream(&out, &len);
	analyze_print(f, &a);
	analyze_print_json(f, &a);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "model_decoded    @0.010s +0.008s"));
	ck_assert_ptr_nonnull(strstr(out, "\"phases\":[{\"name\":\"early_mounts\",\"usec\":1002000}"));
	free(out);
	analyze_free(&a);

	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_u64(&b, PROTO_ATTR_EXEC_AT, 1);
	proto_nest_begin(&b, PROTO_ATTR_BOOT_PHASE);
	proto_put_str(&b, PROTO_ATTR_NAME, "early_mounts");
	proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(analyze_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &a),
			 -EBADMSG);
	proto_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("analyze");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, chain_follows_what_each_waited_for);
	tcase_add_test(tc, a_dependency_ready_after_the_spawn_is_not_followed);
	tcase_add_test(tc, the_chain_ends_at_the_boots_settle);
	tcase_add_test(tc, a_cycle_in_the_data_is_bounded);
	tcase_add_test(tc, no_unit_ready_no_chain);
	tcase_add_test(tc, xml_escaping);
	tcase_add_test(tc, svg_one_bar_per_spawned_unit_names_escaped);
	tcase_add_test(tc, svg_a_huge_span_keeps_its_ticks_bounded);
	tcase_add_test(tc, parse_and_print_the_boot_phases);
	tcase_add_test(tc, parse_the_reply);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
