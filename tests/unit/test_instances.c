/* test_instances.c — templates and instances (issue 15, units/template.c,
 * units/instances.c): instance names, unit names with '@', specifier
 * expansion, a set with declared, required and run-time instances, and
 * the encoding of what PID 1 needs (templates, initd.conf's instances). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/files.h"
#include "units/unit.h"

START_TEST(instance_names)
{
	static const struct { const char *in; const char *why; } cases[] = {
		{ "1", NULL }, { "ttyS0", NULL }, { "a.b_c-d", NULL },
		{ "01234567890123456789012345678901", NULL },      /* 32 bytes */
		{ "012345678901234567890123456789012", "is longer than 32 bytes" },
		{ "", "is empty" },
		{ "a/b", "holds '/'" }, { "/", "holds '/'" },
		{ ".", "is '.' or '..'" }, { "..", "is '.' or '..'" },
		{ ".x", "starts with '.' or '-'" }, { "-rf", "starts with '.' or '-'" },
		{ "a b", "holds a character outside [A-Za-z0-9_.-]" },
		{ "a@b", "holds a character outside [A-Za-z0-9_.-]" },
		{ "a%i", "holds a character outside [A-Za-z0-9_.-]" },
		{ "\xc3\xa9", "holds a character outside [A-Za-z0-9_.-]" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = unit_instance_problem(cases[i].in);
		if (!cases[i].why)
			ck_assert_msg(!why, "'%s': %s", cases[i].in, why);
		else
			ck_assert_msg(why && !strcmp(why, cases[i].why), "'%s': got %s", cases[i].in,
				      why ? why : "(valid)");
	}
}
END_TEST

START_TEST(unit_names_with_at)
{
	char t[UNIT_NAME_MAX + 1];
	const char *inst;

	ck_assert(unit_name_valid("worker@3"));
	ck_assert(unit_name_valid("getty@ttyS0"));
	ck_assert(!unit_name_valid("worker@"));      /* a template, not a unit */
	ck_assert(!unit_name_valid("@3"));
	ck_assert(!unit_name_valid("a@b@c"));
	ck_assert(!unit_name_valid("worker@.."));
	ck_assert(!unit_name_valid("worker@-x"));
	ck_assert(unit_name_valid("worker"));
	ck_assert(unit_template_name_valid("worker"));
	ck_assert(!unit_template_name_valid("worker@1"));
	ck_assert_int_eq(unit_name_split("worker@3", t, &inst), 0);
	ck_assert_str_eq(t, "worker");
	ck_assert_str_eq(inst, "3");
	ck_assert_int_eq(unit_name_split("worker", t, &inst), -EINVAL);
	ck_assert_int_eq(unit_name_split("@3", t, &inst), -EINVAL);
}
END_TEST

START_TEST(specifiers)
{
	static const struct { const char *in, *out; } good[] = {
		{ "plain", "plain" },
		{ "%i", "3" },
		{ "/run/%p/%i.pid", "/run/worker/3.pid" },
		{ "--name=%n", "--name=worker@3" },
		{ "100%%", "100%" },
		{ "%%i", "%i" },
		{ "%i%i%%%n", "33%worker@3" },
		{ "", "" },
	};
	const char *why;
	char *out, *big;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		ck_assert_int_eq(unit_specifiers_expand(good[i].in, "worker@3", "3", &out, &why), 0);
		ck_assert_str_eq(out, good[i].out);
		free(out);
	}
	out = NULL;
	ck_assert_int_eq(unit_specifiers_expand("%x", "w@3", "3", &out, &why), -EINVAL);
	ck_assert(strstr(why, "unknown specifier"));
	ck_assert_int_eq(unit_specifiers_expand("50%", "w@3", "3", &out, &why), -EINVAL);
	ck_assert(strstr(why, "at the end"));
	ck_assert_ptr_null(out);
	/* expanding past UNIT_STRING_MAX is refused, never truncated */
	big = malloc(UNIT_STRING_MAX + 2);
	memset(big, 'x', UNIT_STRING_MAX - 1);
	strcpy(big + UNIT_STRING_MAX - 1, "%n");
	ck_assert_int_eq(unit_specifiers_expand(big, "w@3", "3", &out, &why), -EINVAL);
	ck_assert(strstr(why, "longer than"));
	free(big);
}
END_TEST

/* ---- a set from a directory ---------------------------------------------- */

static char dir[] = "/tmp/test_instances.XXXXXX";

static void setup(void)
{
	char units[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	test_put_file(dir, "initd.conf",
		      "instances = ( { template = \"worker\"; names = [ \"1\", \"2\" ]; } );\n");
	test_put_file(dir, "units/worker@.unit",
		      "exec = [ \"/bin/w\", \"%i\" ];\nrequires = [ \"setup@%i\" ];\n");
	test_put_file(dir, "units/setup@.unit", "exec = [ \"/bin/s\", \"%n\" ];\ntype = \"oneshot\";\n");
	test_put_file(dir, "units/job@.unit", "exec = [ \"/bin/j\", \"%i\" ];\n");
	test_put_file(dir, "units/web.unit", "exec = [ \"/bin/web\" ];\nrequires = [ \"worker@1\" ];\n");
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/test_instances.XXXXXX");
}

static struct unit_set *load(char *const *extra)
{
	char conf[64], units[64];
	struct unit_set *s = NULL;

	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(unit_set_load_with(conf, units, extra, &s), 0);
	return s;
}

START_TEST(set_makes_instances)
{
	char *extra[] = { "job@7", "gone@1", "notaninstance", NULL };
	struct unit_set *s = load(extra), *d;
	static const char *const names[] = {
		"job@7", "setup@1", "setup@2", "web", "worker@1", "worker@2",
	};
	struct unit *u;
	void *buf;
	size_t len;

	ck_assert_msg(s->diags.n == 0, "%s", s->diags.n ? s->diags.v[0].message : "");
	ck_assert_uint_eq(s->n_units, ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		ck_assert_str_eq(s->units[i]->name, names[i]);
	u = unit_set_find(s, "worker@2");
	ck_assert_str_eq(u->exec[1], "2");
	ck_assert_str_eq(u->requires[0], "setup@2");
	ck_assert(strstr(u->file, "/units/worker@.unit"));
	ck_assert_str_eq(unit_set_find(s, "setup@1")->exec[1], "setup@1");
	ck_assert_str_eq(unit_set_find(s, "job@7")->exec[1], "7");
	/* the run-time names that make no instance are warnings */
	ck_assert_uint_eq(s->warnings.n, 2);
	ck_assert(strstr(s->warnings.v[0].message, "'gone@1' left out"));
	ck_assert_str_eq(s->templates[0], "job");
	ck_assert_str_eq(s->templates[1], "setup");
	ck_assert_str_eq(s->templates[2], "worker");
	ck_assert_ptr_null(s->templates[3]);
	/* PID 1 gets the templates and initd.conf's instances */
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert_str_eq(d->templates[2], "worker");
	ck_assert_uint_eq(d->conf.n_instances, 1);
	ck_assert_str_eq(d->conf.instances[0].names[1], "2");
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	ck_assert(unit_equal(unit_set_find(s, "worker@1"), unit_set_find(d, "worker@1")));
	free(buf);
	unit_set_free(d);
	unit_set_free(s);
}
END_TEST

START_TEST(set_reports_instances)
{
	struct unit_set *s;
	char line[512];

	test_put_file(dir, "units/worker@.unit", "exec = [ \"/bin/w\" ];\nhostname = \"h-%i\";\n"
	    "namespaces = [ \"uts\" ];\n");
	test_put_file(dir, "initd.conf",
		      "instances = ( { template = \"worker\"; names = [ \"ok\", \"x_y\" ]; },\n"
		      "  { template = \"nope\"; names = [ \"1\" ]; } );\n");
	test_put_file(dir, "units/a@b.unit", "exec = [ \"/bin/a\" ];\n");
	test_put_file(dir, "units/spec@.unit", "exec = [ \"/bin/a\", \"%z\" ];\n");
	s = load(NULL);
	ck_assert(unit_set_find(s, "worker@ok") && !unit_set_find(s, "worker@ok")->bad);
	ck_assert(unit_set_find(s, "worker@x_y")->bad);
	ck_assert(unit_set_find(s, "a@b")->bad);
	ck_assert_ptr_null(unit_set_find(s, "spec@1"));   /* checked, never kept */
	for (size_t i = 0; i < s->diags.n; i++) {
		unit_diag_format(&s->diags.v[i], line, sizeof(line));
		if (strstr(line, "worker@x_y"))
			ck_assert_msg(strstr(line, "units/worker@.unit:2: instance 'worker@x_y': "
					     "'hostname': invalid hostname 'h-x_y'"), "%s", line);
	}
	ck_assert_uint_eq(s->diags.n, 4);   /* nope, x_y, a@b, spec */
	unit_set_free(s);
}
END_TEST

/* A bad template name's message: the hint stood glued to the quote
 * ("invalid template name 'worker@'a unit name without ..."). */
START_TEST(bad_template_name_said)
{
	struct unit_set *s;
	char line[512];

	test_put_file(dir, "initd.conf",
		      "instances = ( { template = \"worker@\"; names = [ \"1\" ]; } );\n");
	s = load(NULL);
	ck_assert_uint_ge(s->diags.n, 1);
	unit_diag_format(&s->diags.v[0], line, sizeof(line));
	ck_assert_msg(strstr(line, "initd.conf:1: 'instances[0].template': invalid template name "
			     "'worker@' (a unit name without '@': \"getty\" for units/getty@.unit)"),
		      "%s", line);
	unit_set_free(s);
}
END_TEST

/* A template's placeholder with an unknown dependency, beside other
 * units: said at the template's line (the loader dereferenced a NULL list
 * of names for its "did you mean", and crashed: no unit started). */
START_TEST(placeholder_with_an_unknown_dependency)
{
	struct unit_set *s;
	char line[512];
	bool said = false;

	test_put_file(dir, "units/x@.unit", "exec = [ \"/bin/x\" ];\nrequires = [ \"nosuch\" ];\n");
	s = load(NULL);
	for (size_t i = 0; i < s->diags.n; i++) {
		unit_diag_format(&s->diags.v[i], line, sizeof(line));
		said |= strstr(line, "units/x@.unit:2: placeholder instance 'x@1': requires "
			       "unknown unit 'nosuch'") != NULL;
	}
	ck_assert(said);
	unit_set_free(s);
}
END_TEST

/* A template no instance uses whose instances would be on a cycle, of
 * their own or with another unused template's: every instance is bad, so
 * the placeholder is, at the requires line (--check passed it: the
 * placeholder's dependencies on instances were not looked at for cycles). */
START_TEST(placeholder_on_a_cycle)
{
	static const char *const want[] = {
		"units/a@.unit:3: placeholder instance 'a@1': dependency cycle: a@1 -> c@1 -> a@1",
		"units/b@.unit:2: placeholder instance 'b@1': dependency cycle: b@1 -> b@1",
		"units/c@.unit:2: placeholder instance 'c@1': dependency cycle: c@1 -> a@1 -> c@1",
	};
	struct unit_set *s;
	char line[512];

	test_put_file(dir, "initd.conf", "");
	test_put_file(dir, "units/b@.unit", "exec = [ \"/bin/b\" ];\nrequires = [ \"b@%i\" ];\n");
	test_put_file(dir, "units/a@.unit", "exec = [ \"/bin/a\" ];\n\nafter = [ \"c@%i\" ];\n");
	test_put_file(dir, "units/c@.unit", "exec = [ \"/bin/c\" ];\nrequires = [ \"a@%i\" ];\n");
	/* an unused template needing another instance of itself is no cycle */
	test_put_file(dir, "units/d@.unit", "exec = [ \"/bin/d\" ];\nrequires = [ \"d@%ix\" ];\n");
	s = load(NULL);
	ck_assert_uint_eq(s->diags.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < s->diags.n; i++) {
		unit_diag_format(&s->diags.v[i], line, sizeof(line));
		ck_assert_msg(strstr(line, want[i]), "%s", line);
	}
	unit_set_free(s);
}
END_TEST

/* A template whose instances require new instances of it without end:
 * UNIT_MAX units and one diagnostic saying so, in a few seconds (a scan
 * of the queue for each name and a "did you mean" for each unknown
 * dependency took the loader minutes, past PID 1's 30 s bound). */
START_TEST(instances_without_end_are_bounded)
{
	struct unit_set *s;

	test_put_file(dir, "initd.conf", "");
	test_put_file(dir, "units/a@.unit", "exec = [ \"/bin/a\" ];\ntype = \"oneshot\";\n"
	    "requires = [ \"a@%ix\", \"a@%iy\" ];\n");
	test_put_file(dir, "units/root.unit", "exec = [ \"/bin/r\" ];\nrequires = [ \"a@1\" ];\n");
	s = load(NULL);
	ck_assert_uint_eq(s->n_units, UNIT_MAX);
	ck_assert_ptr_nonnull(strstr(s->diags.v[0].message, "more than 16384 units"));
	unit_set_free(s);
}
END_TEST

static Suite *instances_suite(void)
{
	Suite *s = suite_create("instances");
	TCase *names = tcase_create("names");
	TCase *sets = tcase_create("sets");

	tcase_add_test(names, instance_names);
	tcase_add_test(names, unit_names_with_at);
	tcase_add_test(names, specifiers);
	suite_add_tcase(s, names);
	tcase_add_checked_fixture(sets, setup, teardown);
	tcase_add_test(sets, set_makes_instances);
	tcase_add_test(sets, set_reports_instances);
	tcase_add_test(sets, bad_template_name_said);
	tcase_add_test(sets, placeholder_with_an_unknown_dependency);
	tcase_add_test(sets, placeholder_on_a_cycle);
	tcase_add_test(sets, instances_without_end_are_bounded);
	tcase_set_timeout(sets, 120);   /* UNIT_MAX units under the sanitizers */
	suite_add_tcase(s, sets);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(instances_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
