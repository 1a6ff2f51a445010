/* test_envdirs.c — issue 15: the environment-file parser (common/envfile.c)
 * and the unit keys environment_files and directories (units/envdirs.c). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envfile.h"
#include "units/unit.h"

/* ---- the parser ---- */

struct got {
	char v[16][128];
	size_t n;
};

static int collect(char *entry, void *data)
{
	struct got *g = data;

	if (g->n == 16)
		return -E2BIG;
	snprintf(g->v[g->n++], sizeof(g->v[0]), "%s", entry);
	return 0;
}

/* Parse s (copied, with the extra writable byte the parser needs). */
static int parse(const char *s, struct got *g, unsigned *line, const char **why)
{
	size_t len = strlen(s);
	char *buf = malloc(len + 1);
	int r;

	memcpy(buf, s, len + 1);
	memset(g, 0, sizeof(*g));
	*line = 0;
	r = envfile_parse(buf, len, collect, g, line, why);
	free(buf);
	return r;
}

START_TEST(envfile_accepts)
{
	struct got g;
	unsigned line;
	const char *why;

	ck_assert_int_eq(parse("# c\n\n  \t\nA=1\n\tB=\"two words\"\nC='x y' \nD=a#b $HOME \\n\n"
			       "E=\nF=\"\"\nG=\"unbalanced'\" \r\nH=last", &g, &line, &why), 0);
	ck_assert_uint_eq(g.n, 8);
	ck_assert_str_eq(g.v[0], "A=1");
	ck_assert_str_eq(g.v[1], "B=two words");
	ck_assert_str_eq(g.v[2], "C=x y");
	ck_assert_str_eq(g.v[3], "D=a#b $HOME \\n");
	ck_assert_str_eq(g.v[4], "E=");
	ck_assert_str_eq(g.v[5], "F=");
	ck_assert_str_eq(g.v[6], "G=unbalanced'");
	ck_assert_str_eq(g.v[7], "H=last");
	ck_assert_int_eq(parse("", &g, &line, &why), 0);
	ck_assert_uint_eq(g.n, 0);
}
END_TEST

static void refused(const char *text, unsigned want_line, const char *want_why)
{
	struct got g;
	unsigned line;
	const char *why = NULL;

	ck_assert_msg(parse(text, &g, &line, &why) == -EINVAL, "accepted: %s", text);
	ck_assert_uint_eq(line, want_line);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want_why), "why '%s' for %s", why, text);
}

START_TEST(envfile_refuses)
{
	refused("A=1\nB\n", 2, "right after");
	refused("A=1\n\n=x\n", 3, "KEY=VALUE");
	refused("1A=x\n", 1, "KEY=VALUE");
	refused("A B=x\n", 1, "right after");
	refused("A =x\n", 1, "right after");
	refused("export A=x\n", 1, "right after");
	refused("A=\"open\n", 1, "quote");
	refused("A='\n", 1, "quote");
	refused("A=\"x'\n", 1, "quote");
}
END_TEST

START_TEST(envfile_limits)
{
	size_t big = ENVFILE_LINE_MAX + 10;
	char *s = malloc(ENVFILE_SIZE_MAX + 2);
	struct got g;
	unsigned line;
	const char *why;
	char nul[] = "A=1\nB=x\0y\n";

	memset(s, 'x', big);
	memcpy(s, "A=", 2);
	s[big] = '\0';
	refused(s, 1, "too long");
	memset(s, '#', ENVFILE_SIZE_MAX + 1);
	s[ENVFILE_SIZE_MAX + 1] = '\0';
	ck_assert_int_eq(parse(s, &g, &line, &why), -EINVAL);
	ck_assert_str_eq(why, "file too large");
	free(s);
	ck_assert_int_eq(envfile_parse(nul, sizeof(nul) - 1, collect, &g, &line, &why), -EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_str_eq(why, "NUL byte");
	/* what the callback refuses stops the parse at that line */
	ck_assert_int_eq(parse("A=1\nB=2\nC=3\nD=4\nE=5\nF=6\nG=7\nH=8\nI=9\nJ=10\nK=11\n"
			       "L=12\nM=13\nN=14\nO=15\nP=16\nQ=17\n", &g, &line, &why), -E2BIG);
	ck_assert_uint_eq(line, 17);
}
END_TEST

/* ---- the keys ---- */

static struct unit *unit_of(const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("t.unit", text, &u), 0);
	return u;
}

static void unit_refused(const char *keys, const char *want)
{
	char text[1024];
	struct unit *u;

	snprintf(text, sizeof(text), "exec = [ \"/bin/true\" ];\n%s\n", keys);
	u = unit_of(text);
	ck_assert_msg(u->bad, "accepted: %s", keys);
	ck_assert_msg(strstr(u->diags.v[0].message, want), "'%s' for %s", u->diags.v[0].message,
		      keys);
	ck_assert_int_eq(u->diags.v[0].line, 2);
	unit_free(u);
}

START_TEST(keys_parse)
{
	struct unit *u = unit_of("exec = [ \"/bin/true\" ];\n"
				 "environment_files = [ \"/etc/default/web\", \"-/data/web.env\" ];\n"
				 "directories = { runtime = [ \"redis\" ]; state = [ \"redis\", "
				 "\"redis/db\" ]; cache = [ \"c.d-1\" ]; mode = \"2750\"; };\n");

	ck_assert(!u->bad);
	ck_assert_str_eq(u->environment_files[1], "-/data/web.env");
	ck_assert_ptr_null(u->environment_files[2]);
	ck_assert_str_eq(u->opt->dirs.names[UNIT_DIR_RUNTIME][0], "redis");
	ck_assert_str_eq(u->opt->dirs.names[UNIT_DIR_STATE][1], "redis/db");
	ck_assert_ptr_null(u->opt->dirs.names[UNIT_DIR_LOGS][0]);
	ck_assert_uint_eq(u->opt->dirs.mode, 02750);
	ck_assert(unit_has_dirs(u, UNIT_DIR_RUNTIME) && !unit_has_dirs(u, UNIT_DIR_LOGS));
	unit_free(u);
	u = unit_of("exec = [ \"/bin/true\" ];\n");
	ck_assert_uint_eq(u->opt->dirs.mode, 0755);
	ck_assert(!unit_has_dirs(u, UNIT_DIR_KIND_MAX));
	ck_assert_ptr_null(u->environment_files[0]);
	unit_free(u);
}
END_TEST

START_TEST(keys_refused)
{
	unit_refused("environment_files = [ \"web.env\" ];", "invalid environment file");
	unit_refused("environment_files = [ \"-\" ];", "invalid environment file");
	unit_refused("environment_files = \"/x\";", "environment_files");
	unit_refused("directories = { runtime = [ \"../x\" ]; };", "invalid directory");
	unit_refused("directories = { state = [ \"a/../b\" ]; };", "invalid directory");
	unit_refused("directories = { logs = [ \"/abs\" ]; };", "invalid directory");
	unit_refused("directories = { cache = [ \"\" ]; };", "invalid directory");
	unit_refused("directories = { cache = [ \"a/\" ]; };", "invalid directory");
	{
		char keys[400];

		snprintf(keys, sizeof(keys), "directories = { state = [ \"%0256d\" ]; };", 0);
		unit_refused(keys, "at most 255 bytes");
	}
	unit_refused("directories = { cache = [ \"a\", \"a\" ]; };", "listed twice");
	/* /run/initd is initd's own: given to the unit's user, then removed
	 * at its stop, with initd's control and notify sockets */
	unit_refused("directories = { runtime = [ \"initd\" ]; };", "initd's own directory");
	unit_refused("directories = { runtime = [ \"initd/x\" ]; };", "initd's own directory");
	unit_refused("directories = { mode = \"0999\"; };", "invalid mode");
	unit_refused("directories = { mode = \"17777\"; };", "invalid mode");
	unit_refused("directories = { tmp = [ \"x\" ]; };", "unknown key");
	unit_refused("directories = { runtime = [ \"x\" ]; };\nnamespaces = [ \"user\" ];",
		     "\"user\" namespace");
}
END_TEST

START_TEST(dir_names)
{
	ck_assert(unit_dir_name_valid("redis"));
	ck_assert(unit_dir_name_valid("a/b/c"));
	ck_assert(unit_dir_name_valid("..a"));
	ck_assert(!unit_dir_name_valid("."));
	ck_assert(!unit_dir_name_valid("a/."));
	ck_assert(!unit_dir_name_valid("a//b"));
	ck_assert(!unit_dir_name_valid("a\nb"));
	ck_assert(!unit_dir_name_valid(NULL));
	ck_assert_str_eq(unit_dir_kind_base(UNIT_DIR_CACHE), "/var/cache");
	ck_assert_ptr_null(unit_dir_kind_name(UNIT_DIR_KIND_MAX));
}
END_TEST

/* A reload sees a change of the keys. */
START_TEST(keys_equal)
{
	struct unit *a = unit_of("exec = [ \"/bin/true\" ];\nenvironment_files = [ \"/e\" ];\n"
				 "directories = { logs = [ \"l\" ]; mode = \"0700\"; };\n");
	struct unit *b = unit_of("exec = [ \"/bin/true\" ];\nenvironment_files = [ \"/e\" ];\n"
				 "directories = { logs = [ \"l\" ]; mode = \"0750\"; };\n");

	ck_assert(unit_equal(a, a));
	ck_assert(!unit_equal(a, b));
	unit_free(a);
	unit_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("envdirs");
	TCase *tc = tcase_create("envdirs");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, envfile_accepts);
	tcase_add_test(tc, envfile_refuses);
	tcase_add_test(tc, envfile_limits);
	tcase_add_test(tc, keys_parse);
	tcase_add_test(tc, keys_refused);
	tcase_add_test(tc, dir_names);
	tcase_add_test(tc, keys_equal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
