/* test_escalation.c — issue 14's keys and decisions: on_failure/critical,
 * modes and autostart, sysctl and boot_guard in initd.conf, the warnings
 * --check gives without failing, their encoding (tags past 63), the kernel
 * command line parser, the boot guard's file, and the reason a unit gets
 * when its requirement is left out of the boot. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/boot.h"
#include "initd/boot_guard.h"
#include "initd/cmdline.h"
#include "initd/loop.h"
#include "initd/rescue.h"
#include "initd/service.h"
#include "units/internal.h"

struct tree {
	char dir[64], conf[128], units[128];
};

static void tree_init(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_escalation.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->conf, sizeof(t->conf), "%s/initd.conf", t->dir);
	snprintf(t->units, sizeof(t->units), "%s/units", t->dir);
	ck_assert_int_eq(mkdir(t->units, 0755), 0);
}

static void tree_write(struct tree *t, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static struct unit_set *tree_load(struct tree *t)
{
	struct unit_set *s = NULL;

	ck_assert_int_eq(unit_set_load(t->conf, t->units, &s), 0);
	return s;
}

static void tree_remove(struct tree *t)
{
	nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The message of diagnostic i of d, with its line, "LINE: message". */
static const char *diag_at(const struct unit_diags *d, size_t i)
{
	static char buf[1024];

	ck_assert_uint_lt(i, d->n);
	snprintf(buf, sizeof(buf), "%d: %s", d->v[i].line, d->v[i].message);
	return buf;
}

/* ---- unit keys ---------------------------------------------------------------- */

START_TEST(test_unit_keys)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("a.unit", "exec = [\"/bin/true\"];\n", &u), 0);
	ck_assert(!u->bad);
	ck_assert_int_eq(u->on_failure, FAILURE_NONE);
	ck_assert(!u->critical && u->autostart && u->modes && !u->modes[0]);
	ck_assert_int_eq(unit_failure_action(u), FAILURE_NONE);
	ck_assert(unit_in_mode(u, NULL) && unit_in_mode(u, "maint"));
	unit_free(u);

	ck_assert_int_eq(unit_parse_string("a.unit", "exec = [\"/bin/true\"];\n"
					   "critical = true;\nmodes = [\"maint\"];\n", &u), 0);
	ck_assert(!u->bad);
	ck_assert_int_eq(unit_failure_action(u), FAILURE_REBOOT);
	ck_assert(!unit_in_mode(u, NULL) && unit_in_mode(u, "maint"));
	unit_free(u);

	ck_assert_int_eq(unit_parse_string("a.unit", "exec = [\"/bin/true\"];\n"
					   "on_failure = \"rescue\";\nautostart = false;\n", &u), 0);
	ck_assert(!u->bad);
	ck_assert_int_eq(unit_failure_action(u), FAILURE_RESCUE);
	ck_assert(!unit_in_mode(u, NULL));   /* autostart off: in no mode */
	unit_free(u);
}
END_TEST

static const struct {
	const char *text, *want;
} unit_errors[] = {
	{ "critical = true;\non_failure = \"poweroff\";\n",
	  "2: 'critical' and 'on_failure' are both set ('critical = true' is 'on_failure = "
	  "\"reboot\"'): keep one" },
	{ "on_failure = \"halt\";\n", "2: 'on_failure': " },
	{ "modes = [ \"a b\" ];\n", "2: 'modes[0]': invalid mode name 'a b'" },
	{ "modes = [ \"x\", \"x\" ];\n", "2: 'modes[1]': mode 'x' is listed twice" },
	/* no mode, or every mode? neither is guessed */
	{ "modes = [ ];\n", "2: 'modes' is empty: leave it out for every mode, or set "
	  "'autostart = false' for none" },
	{ "autostart = \"no\";\n", "2: 'autostart'" },
};

START_TEST(test_unit_errors)
{
	char text[512];
	struct unit *u = NULL;

	snprintf(text, sizeof(text), "exec = [\"/bin/true\"];\n%s", unit_errors[_i].text);
	ck_assert_int_eq(unit_parse_string("a.unit", text, &u), 0);
	ck_assert_msg(u->bad, "%s: not bad", unit_errors[_i].text);
	ck_assert_msg(strstr(diag_at(&u->diags, 0), unit_errors[_i].want) == diag_at(&u->diags, 0),
		      "got '%s', want '%s...'", diag_at(&u->diags, 0), unit_errors[_i].want);
	unit_free(u);
}
END_TEST

/* ---- initd.conf ---------------------------------------------------------------- */

START_TEST(test_sysctl_entries)
{
	static const struct {
		const char *entry;
		bool ok;
	} cases[] = {
		{ "net.core.somaxconn=1024", true },
		{ "kernel.core_pattern=|/bin/false %p", true },
		{ "net.ipv4.conf.all-x.rp_filter=1", true },
		{ "a=", true },
		{ "noequals", false },
		{ "=1", false },
		{ "net/core/somaxconn=1", false },
		{ "net..core=1", false },
		{ ".net=1", false },
		{ "net.=1", false },
		{ "net core=1", false },
		{ "net.core=a\nb", false },
	};
	char name[UNIT_SYSCTL_NAME_MAX + 40], path[UNIT_SYSCTL_NAME_MAX + 16];
	const char *why;
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = unit_sysctl_entry_check(cases[i].entry, &n, &why);
		ck_assert_msg((r == 0) == cases[i].ok, "%s: %s", cases[i].entry, why ? why : "ok");
	}
	memset(name, 'a', UNIT_SYSCTL_NAME_MAX + 1);
	strcpy(name + UNIT_SYSCTL_NAME_MAX + 1, "=1");
	ck_assert_int_eq(unit_sysctl_entry_check(name, &n, &why), -EINVAL);
	ck_assert_int_eq(unit_sysctl_path("net.core.somaxconn=1024", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/proc/sys/net/core/somaxconn");
}
END_TEST

START_TEST(test_conf_keys)
{
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "sysctl = [ \"kernel.panic=5\" ];\n"
		   "boot_guard = { file = \"/data/fb\"; max = 4; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_str_eq(s->conf.sysctl[0], "kernel.panic=5");
	ck_assert_ptr_null(s->conf.sysctl[1]);
	ck_assert_str_eq(s->conf.boot_guard_file, "/data/fb");
	ck_assert_uint_eq(s->conf.boot_guard_max, 4);
	unit_set_free(s);

	tree_write(&t, "initd.conf", "sysctl = [ \"ok.x=1\", \"bad/x=1\" ];\n"
		   "boot_guard = { max = 0; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 3);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 0), "1: 'sysctl[1]': 'bad/x=1': "));
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 1), "2: 'boot_guard.max'"));
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 2), "2: 'boot_guard' needs 'file'"));
	unit_set_free(s);

	/* a file that is there but invalid is not missing: two errors, not a
	 * third saying 'boot_guard' needs 'file'; nor is a guard not a group */
	tree_write(&t, "initd.conf", "boot_guard = { file = \"rel\"; max = 0; };\n");
	s = tree_load(&t);
	for (size_t i = 0; i < s->diags.n; i++)
		ck_assert_msg(!strstr(diag_at(&s->diags, i), "needs 'file'"), "%s",
			      diag_at(&s->diags, i));
	ck_assert_uint_eq(s->diags.n, 2);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 0), "1: 'boot_guard.file'"));
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 1), "1: 'boot_guard.max'"));
	unit_set_free(s);
	tree_write(&t, "initd.conf", "boot_guard = 5;\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 0), "1: 'boot_guard' must be a group"));
	unit_set_free(s);

	/* the boot matches it against the mounts by its text */
	tree_write(&t, "initd.conf", "boot_guard = { file = \"/data//fb\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->diags, 0),
				     "'boot_guard.file': '/data//fb' is not a normalised path"));
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* An unknown sysctl is a warning where /proc/sys can say so: never an error. */
START_TEST(test_sysctl_unknown_warns)
{
	struct tree t;
	struct unit_set *s;

	if (access("/proc/sys/kernel", F_OK) < 0)
		return;   /* nothing to compare with on this machine */
	tree_init(&t);
	tree_write(&t, "initd.conf", "sysctl = [ \"kernel.no_such_sysctl_x=1\" ];\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->warnings.n, 1);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->warnings, 0), "1: 'sysctl[0]': no "
				     "/proc/sys/kernel/no_such_sysctl_x on this machine"));
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* An empty value: a string sysctl takes it (cleared), a number's refuses
 * it at boot; --check cannot tell which, so it warns at the line. */
START_TEST(test_sysctl_empty_warns)
{
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "sysctl = [ \"kernel.panic=5\",\n"
		   "  \"kernel.core_pattern=\" ];\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->warnings.n, 1);
	ck_assert_ptr_nonnull(strstr(diag_at(&s->warnings, 0),
				     "2: 'sysctl[1]': 'kernel.core_pattern=': an empty value"));
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* The boot writes an empty value as a newline, as `echo > FILE` does: a
 * string sysctl (here the hostname of a UTS namespace of its own) is
 * cleared. The old code wrote no byte, which the kernel takes as a no-op,
 * and logged the entry as set. */
START_TEST(test_sysctl_empty_clears)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *entries[] = { "kernel.hostname=", NULL };
		char name[64] = "x";

		/* not root, or a sandbox without UTS namespaces or with a
		 * read-only /proc/sys: nothing to try */
		if (unshare(CLONE_NEWUTS) < 0 || access("/proc/sys/kernel/hostname", W_OK) < 0)
			_exit(77);
		if (sethostname("before", 6) < 0)
			_exit(3);
		boot_apply_sysctl(entries);
		_exit(gethostname(name, sizeof(name)) == 0 && name[0] == '\0' ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		fprintf(stderr, "test_escalation: SKIPPED %s (no UTS namespace of its own with a "
			"writable /proc/sys)\n", __func__);
		return;
	}
	ck_assert_msg(WEXITSTATUS(status) == 0, "kernel.hostname= left the hostname (%d)",
		      WEXITSTATUS(status));
}
END_TEST

/* A hardware watchdog's shutdown_timeout at or below the services' own
 * bound (shutdown_timeout, default 30s) resets a slow but healthy shutdown
 * before the final sync: --check warns, at the key's line, wherever the
 * two keys stand; never an error. */
START_TEST(test_watchdog_shutdown_below_services_warns)
{
	static const struct {
		const char *text;
		const char *warning;   /* NULL: none */
	} cases[] = {
		{ "watchdog = { timeout = \"5s\";\n  shutdown_timeout = \"30s\"; };\n"
		  "shutdown_timeout = \"1min\";\n",
		  "2: 'watchdog.shutdown_timeout' (30.0s) is not above shutdown_timeout (1min 0s)" },
		{ "watchdog = { shutdown_timeout = \"20s\"; };\n",
		  "1: 'watchdog.shutdown_timeout' (20.0s) is not above shutdown_timeout (30.0s)" },
		{ "watchdog = { };\n", NULL },
		{ "watchdog = { shutdown_timeout = \"2min\"; };\nshutdown_timeout = \"1min\";\n", NULL },
		{ "shutdown_timeout = \"1h\";\n", NULL },
		/* past the watchdog's own bound: no value is above it */
		{ "watchdog = { shutdown_timeout = \"60min\"; };\nshutdown_timeout = \"2h\";\n",
		  "1: 'watchdog.shutdown_timeout' (1h 0min) cannot be above shutdown_timeout (2h 0min): "
		  "it is at most 1h 0min" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tree t;
		struct unit_set *s;

		tree_init(&t);
		tree_write(&t, "initd.conf", cases[i].text);
		s = tree_load(&t);
		ck_assert_uint_eq(s->diags.n, 0);
		if (!cases[i].warning) {
			ck_assert_uint_eq(s->warnings.n, 0);
		} else {
			ck_assert_uint_eq(s->warnings.n, 1);
			ck_assert_msg(strstr(diag_at(&s->warnings, 0), cases[i].warning),
				      "case %zu: %s", i, diag_at(&s->warnings, 0));
		}
		unit_set_free(s);
		tree_remove(&t);
	}
}
END_TEST

/* ---- across units: warnings ------------------------------------------------------ */

START_TEST(test_requires_warnings)
{
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/db.unit", "exec = [\"/bin/true\"];\nautostart = false;\n");
	tree_write(&t, "units/web.unit", "exec = [\"/bin/true\"];\nrequires = [\"db\"];\n");
	tree_write(&t, "units/mt.unit", "exec = [\"/bin/true\"];\nmodes = [\"maint\"];\n");
	tree_write(&t, "units/all.unit", "exec = [\"/bin/true\"];\nrequires = [\"mt\"];\n");
	tree_write(&t, "units/two.unit", "exec = [\"/bin/true\"];\nmodes = [\"maint\", \"x\"];\n"
		   "requires = [\"mt\"];\n");
	tree_write(&t, "units/same.unit", "exec = [\"/bin/true\"];\nmodes = [\"maint\"];\n"
		   "requires = [\"mt\"];\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->warnings.n, 3);
	/* In name order: all, two, web. */
	ck_assert_str_eq(diag_at(&s->warnings, 0), "2: requires 'mt', which is started only in "
			 "mode 'maint' while this unit is in every mode: it will fail at boot in "
			 "the others");
	ck_assert_str_eq(diag_at(&s->warnings, 1), "3: requires 'mt', which is not started in "
			 "mode 'x' (its modes do not list it): this unit will fail at boot in that "
			 "mode");
	ck_assert_str_eq(diag_at(&s->warnings, 2), "2: requires 'db', which has 'autostart = "
			 "false': this unit will fail at boot unless 'db' is started first");
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* The new fields and the warnings survive the loader's encoding; the unit
 * tags (68..71) are past the 63 a single seen-mask could hold. */
START_TEST(test_encode_roundtrip)
{
	struct tree t;
	struct unit_set *s, *d = NULL;
	void *buf = NULL;
	size_t len = 0;

	tree_init(&t);
	tree_write(&t, "initd.conf", "sysctl = [ \"kernel.panic=5\" ];\n"
		   "boot_guard = { file = \"/data/fb\"; max = 2; };\n");
	tree_write(&t, "units/db.unit", "exec = [\"/bin/true\"];\nautostart = false;\n"
		   "on_failure = \"poweroff\";\nmodes = [\"a\", \"b\"];\n");
	tree_write(&t, "units/web.unit", "exec = [\"/bin/true\"];\nrequires = [\"db\"];\n"
		   "critical = true;\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->warnings.n, 1);
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	for (size_t i = 0; i < s->n_units; i++)
		ck_assert(unit_equal(s->units[i], d->units[i]));
	ck_assert_uint_eq(d->warnings.n, 1);
	ck_assert_str_eq(d->warnings.v[0].message, s->warnings.v[0].message);
	ck_assert(!d->units[0]->autostart && d->units[1]->critical);
	ck_assert_int_eq(d->units[0]->on_failure, FAILURE_POWEROFF);
	free(buf);
	unit_set_free(s);
	unit_set_free(d);
	tree_remove(&t);
}
END_TEST

/* ---- the kernel command line ------------------------------------------------------ */

static int problems;
static char last_problem[512];

static void count_problem(void *ctx, const char *msg)
{
	problems++;
	snprintf(last_problem, sizeof(last_problem), "%s", msg);
}

START_TEST(test_cmdline)
{
	struct boot_cmdline c;
	char big[CMDLINE_MAX * 2];

	problems = 0;
	ck_assert_int_eq(cmdline_parse("BOOT_IMAGE=/vmlinuz console=ttyS0 initd.mode=maint "
				       "quiet initd.verbose initd.crash_action=poweroff\n",
				       &c, count_problem, NULL), 0);
	ck_assert_str_eq(c.mode, "maint");
	ck_assert(c.verbose && !c.rescue && c.has_crash_action);
	ck_assert_int_eq(c.crash_action, CRASH_POWEROFF);

	ck_assert_int_eq(cmdline_parse("initd.rescue foo=\"initd.mode=x y\"", &c, count_problem,
				       NULL), 0);
	ck_assert(c.rescue && !c.mode[0]);   /* a quoted value is not a word of ours */

	/* A disk image's stage 1 words pass silently; without a value they are wrong. */
	ck_assert_int_eq(cmdline_parse("initd.root=PARTUUID=8e1c0b7a-5d1f-4c55-9a1e-1d15c0000001 "
				       "initd.rootwait=5 initd.rootfstype=squashfs", &c,
				       count_problem, NULL), 0);
	ck_assert_int_eq(cmdline_parse("initd.root initd.rootx=1", &c, count_problem, NULL), 2);

	ck_assert_int_eq(cmdline_parse("initd.mode=a/b initd.bogus=1 initd.crash_action=halt "
				       "initd.rescue=1", &c, count_problem, NULL), 4);
	ck_assert(!c.mode[0] && !c.has_crash_action && !c.rescue);
	ck_assert_ptr_nonnull(strstr(last_problem, "initd.rescue=1: unknown initd parameter"));

	/* Bounded: a command line past CMDLINE_MAX is cut there. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + CMDLINE_MAX + 10, " initd.rescue ", 14);
	ck_assert_int_eq(cmdline_parse(big, &c, count_problem, NULL), 0);
	ck_assert(!c.rescue);
	memcpy(big, "initd.mode=", 11);   /* one word, longer than a word may be */
	ck_assert_int_eq(cmdline_parse(big, &c, count_problem, NULL), 1);
	ck_assert_ptr_nonnull(strstr(last_problem, "too long"));
}
END_TEST

/* A container's PID 1 argv: the same words as a command line's, already
 * split (a space is part of the word, no quote is dropped), after the
 * file's (not zeroed: a later word wins). */
START_TEST(test_cmdline_words)
{
	char *words[] = { "single", "initd.mode=late", "initd.rescue", "initd.mode=a b",
			  "\"initd.verbose\"", "initd.bogus", NULL };
	static char big[CMDLINE_MAX + 2];
	char *one[] = { big, "initd.verbose", NULL };
	struct boot_cmdline c;

	problems = 0;
	ck_assert_int_eq(cmdline_parse("initd.mode=early initd.crash_action=shell", &c,
				       count_problem, NULL), 0);
	ck_assert_int_eq(cmdline_parse_words(words, 6, &c, count_problem, NULL), 2);
	ck_assert_str_eq(c.mode, "late");
	ck_assert(c.rescue && !c.verbose && c.has_crash_action);
	ck_assert_int_eq(c.crash_action, CRASH_SHELL);
	ck_assert_ptr_nonnull(strstr(last_problem, "initd.bogus: unknown initd parameter"));
	/* count bounds it, not only the NULL */
	ck_assert_int_eq(cmdline_parse_words(words + 5, 0, &c, count_problem, NULL), 0);

	/* a word longer than a word may be is said; past CMDLINE_MAX, none is read */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "initd.mode=", 11);
	big[300] = '\0';
	ck_assert_int_eq(cmdline_parse("", &c, count_problem, NULL), 0);
	ck_assert_int_eq(cmdline_parse_words(one, 2, &c, count_problem, NULL), 1);
	ck_assert_ptr_nonnull(strstr(last_problem, "too long"));
	ck_assert(c.verbose && !c.mode[0]);
	big[300] = 'x';
	ck_assert_int_eq(cmdline_parse("", &c, count_problem, NULL), 0);
	ck_assert_int_eq(cmdline_parse_words(one, 2, &c, count_problem, NULL), 0);
	ck_assert(!c.verbose);
}
END_TEST

/* ---- the boot guard's file --------------------------------------------------------- */

/* Each guard test: a fresh directory, the file's path in it (not created),
 * a loop (the "guard" tcase's fixture). */
static char guard_dir[32];
static char guard_file[64];
static struct loop *guard_loop;

static void guard_setup(void)
{
	snprintf(guard_dir, sizeof(guard_dir), "/tmp/test_guard.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(guard_dir));
	snprintf(guard_file, sizeof(guard_file), "%s/fb", guard_dir);
	ck_assert_int_eq(loop_new(&guard_loop), 0);
}

static void guard_teardown(void)
{
	loop_free(guard_loop);
	nftw(guard_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int guard_answer = -1000;

static void guard_done(int count, void *data)
{
	guard_answer = count;
	loop_quit(data);
}

static int guard_run(const char *file, unsigned max)
{
	guard_answer = -1000;
	ck_assert_int_eq(boot_guard_begin(guard_loop, file, max, guard_done, guard_loop, NULL), 0);
	ck_assert_int_eq(loop_run(guard_loop), 0);
	return guard_answer;
}

START_TEST(test_guard_counts)
{
	const char *file = guard_file;

	ck_assert_int_eq(boot_guard_read(file), 0);             /* missing: none */
	ck_assert_int_eq(guard_run(file, 2), 0);                /* counted: 1 */
	ck_assert_int_eq(boot_guard_read(file), 1);
	ck_assert_int_eq(guard_run(file, 2), 1);                /* counted: 2 */
	ck_assert_int_eq(guard_run(file, 2), 2);                /* at max: left as is */
	ck_assert_int_eq(boot_guard_read(file), 2);
	ck_assert_int_eq(boot_guard_write(file, 0), 0);
	ck_assert_int_eq(boot_guard_read(file), 0);
	ck_assert_int_eq(boot_guard_write(file, 7), 0);
	ck_assert_int_eq(guard_run(file, 3), 7);
	{
		FILE *f = fopen(file, "w");   /* garbage counts as nothing */
		fputs("zz\n", f);
		fclose(f);
	}
	ck_assert_int_eq(boot_guard_read(file), 0);
}
END_TEST

static void guard_put(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A number too large for a count (a corrupt file, e.g. one whose digits
 * ran on) is still a number, and past any max: the boot goes to rescue.
 * The old code read it as 0, and a reboot loop went on. */
START_TEST(test_guard_huge_count)
{
	const char *file = guard_file;

	guard_put(file, "99999999999999999999\n");              /* past a long */
	ck_assert_int_eq(boot_guard_read(file), BOOT_GUARD_COUNT_MAX);
	ck_assert_int_eq(guard_run(file, 3), BOOT_GUARD_COUNT_MAX);   /* rescue, */
	ck_assert_int_eq(boot_guard_read(file), BOOT_GUARD_COUNT_MAX); /* left as is */
	guard_put(file, "1000001\n");                           /* past the bound */
	ck_assert_int_eq(boot_guard_read(file), BOOT_GUARD_COUNT_MAX);
	guard_put(file, "123456789012345678901234567890123456789\n");   /* past the read */
	ck_assert_int_eq(boot_guard_read(file), BOOT_GUARD_COUNT_MAX);
	guard_put(file, "-99999999999999999999\n");             /* no count is negative */
	ck_assert_int_eq(boot_guard_read(file), 0);
	guard_put(file, "-3\n");
	ck_assert_int_eq(boot_guard_read(file), 0);
}
END_TEST

/* The guard's directory on a data disk formatted at this boot (a disk's
 * format = "ext4"): nothing made it yet. The check makes it and counts;
 * a guard that cannot count lets a failing appliance reboot for ever. */
START_TEST(test_guard_makes_its_directory)
{
	char file[128];

	snprintf(file, sizeof(file), "%s/initd/sub/fb", guard_dir);
	ck_assert_int_eq(guard_run(file, 3), 0);
	ck_assert_int_eq(boot_guard_read(file), 1);
	ck_assert_int_eq(guard_run(file, 3), 1);
	ck_assert_int_eq(boot_guard_read(file), 2);
}
END_TEST

static struct boot_guard *reset_g;
static int reset_answer;

static void reset_done(int count, void *data)
{
	reset_g = NULL;
	reset_answer = count;
}

static void reset_start(const char *file)
{
	reset_answer = -1000;
	ck_assert_int_eq(boot_guard_reset(guard_loop, file, reset_done, NULL, &reset_g), 0);
}

/* Run the loop until the reset answered: its answer. */
static int reset_finish(void)
{
	while (reset_g)
		ck_assert_int_ge(loop_run_once(guard_loop, -1), 0);
	return reset_answer;
}

/* A unit that fails right after the settle: the reset child, still
 * running, must not write its 0 after the failure's count (the VM tier's
 * escalate guard went to no rescue when it did). */
START_TEST(test_guard_reset_then_fail)
{
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(boot_guard_write(guard_file, 1), 0);
		reset_start(guard_file);
		ck_assert_int_eq(boot_guard_fail(reset_g, guard_file, 2), 0);
		usleep(10000);   /* a reset still alive would have written by now */
		ck_assert_int_eq(boot_guard_read(guard_file), 2);
	}
	/* Left alone, the reset writes 0 and answers once it is on disk. */
	reset_start(guard_file);
	ck_assert_int_eq(reset_finish(), 0);
	ck_assert_int_eq(boot_guard_read(guard_file), 0);
}
END_TEST

/* A failure before the check answered (a unit svctl started meanwhile):
 * the check counts the boot; PID 1 must not write guard_prior + 1, which
 * it does not know yet. */
START_TEST(test_guard_check_then_fail)
{
	struct boot_guard *g = NULL;

	ck_assert_int_eq(boot_guard_write(guard_file, 5), 0);
	ck_assert_int_eq(boot_guard_begin(guard_loop, guard_file, 9, guard_done, guard_loop, &g), 0);
	ck_assert_int_eq(boot_guard_fail(g, guard_file, 1), 1);
	ck_assert_int_eq(boot_guard_read(guard_file), 6);
}
END_TEST

/* The file's raw bytes ("" when missing). */
static const char *guard_bytes(const char *file)
{
	static char buf[64];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* initd ending with no failure (svctl poweroff right after the settle; as
 * PID 1, boot_final then kills every process): the reset finishes first,
 * a good boot keeps its 0. */
START_TEST(test_guard_end_waits_for_reset)
{
	ck_assert_int_eq(boot_guard_write(guard_file, 1), 0);
	reset_start(guard_file);
	ck_assert_int_eq(boot_guard_end(reset_g), 0);
	ck_assert_str_eq(guard_bytes(guard_file), "0\n");
}
END_TEST

/* A check in flight at a failure that could not count (at max, or an
 * error): boot_guard_fail says so instead of "counted". */
START_TEST(test_guard_check_then_fail_at_max)
{
	char fifo[64];
	struct boot_guard *g = NULL;

	ck_assert_int_eq(boot_guard_write(guard_file, 3), 0);
	ck_assert_int_eq(boot_guard_begin(guard_loop, guard_file, 3, guard_done, guard_loop, &g), 0);
	ck_assert_int_eq(boot_guard_fail(g, guard_file, 1), 1);
	ck_assert_str_eq(guard_bytes(guard_file), "3\n");     /* at max: left as is */
	snprintf(fifo, sizeof(fifo), "%s/fifo", guard_dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(boot_guard_begin(guard_loop, fifo, 3, guard_done, guard_loop, &g), 0);
	ck_assert_int_eq(boot_guard_fail(g, fifo, 1), -EBADF);
}
END_TEST

/* A reader (the next boot after a power cut, or after a writer killed
 * half-way) never sees an empty file, which would count 0: the count is
 * written beside it and renamed over it. */
START_TEST(test_guard_write_atomic)
{
	pid_t pid;
	int status, empty = 0, reads = 0;

	ck_assert_int_eq(boot_guard_write(guard_file, 5), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (int i = 0; i < 200; i++)
			if (boot_guard_write(guard_file, 5 + i % 2) < 0)
				_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		const char *b = guard_bytes(guard_file);

		empty += strcmp(b, "5\n") != 0 && strcmp(b, "6\n") != 0;
		reads++;
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_gt(reads, 0);
	ck_assert_int_eq(empty, 0);
	ck_assert_int_ne(access(guard_file, F_OK), -1);
}
END_TEST

/* A FIFO at the file's path would block its opener forever (PID 1, for
 * the failure's count), a device node must not even be opened: refused
 * at once, as any other non-regular file, and the reset says so. */
START_TEST(test_guard_not_regular)
{
	char link[64];

	snprintf(link, sizeof(link), "%s/ln", guard_dir);
	ck_assert_int_eq(mkfifo(guard_file, 0600), 0);
	ck_assert_int_eq(symlink("/dev/null", link), 0);
	ck_assert_int_eq(boot_guard_write(guard_file, 1), -EBADF);   /* no reader: no block */
	ck_assert_int_eq(boot_guard_read(guard_file), -EBADF);       /* no writer: no block */
	ck_assert_int_eq(boot_guard_write(link, 1), -EBADF);
	ck_assert_int_eq(boot_guard_read("/dev/null"), -EBADF);
	ck_assert_int_eq(boot_guard_write(guard_dir, 1), -EBADF);
	ck_assert_str_eq(boot_guard_strerror(-EBADF), "not a regular file");
	reset_start(guard_file);
	ck_assert_int_eq(reset_finish(), -EBADF);
}
END_TEST

/* ---- the reason a left-out requirement gives ------------------------------------- */

START_TEST(test_dep_not_started_reason)
{
	struct service s;
	struct unit u = { .name = "web" };
	char buf[256];

	memset(&s, 0, sizeof(s));
	s.unit = &u;
	service_exit_set(&s.last_exit, (struct service_exit){ .kind = EXIT_DEPENDENCY, .code = 1 });
	service_exit_describe(&s.last_exit, "db: is not started in mode maint");
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "requires db, which is not started in mode maint");
	s.last_exit.code = 0;
	service_exit_describe(&s.last_exit, "db: exit 3");
	ck_assert_str_eq(service_exit_to_string(&s, &s.last_exit, buf, sizeof(buf)),
			 "dependency db failed: exit 3");
	service_exit_free(&s.last_exit);   /* the detail is malloc'd (issue 19) */
}
END_TEST

/* ---- the rescue shell's respawn delay ------------------------------------------- */

/* A start while a young death's respawn delay runs (a failed reload asks
 * for the shell again) waits for the delay: it started one at once, so a
 * shell that cannot start was started at every reload, not once per
 * delay (80f8b20). Nothing is forked here: the delay is armed by hand, as
 * shell_exited arms it. */
START_TEST(test_rescue_start_waits_for_the_respawn_delay)
{
	struct loop *l = NULL;
	struct rescue_shell r;

	ck_assert_int_eq(loop_new(&l), 0);
	rescue_shell_init(&r, l);
	r.delay = RESCUE_RESPAWN_MIN_USEC;
	loop_timer_arm(l, &r.respawn, now_usec() + r.delay);
	ck_assert_int_eq(rescue_shell_start(&r), 0);
	ck_assert_int_eq(r.pid, 0);               /* none forked */
	ck_assert(loop_timer_armed(&r.respawn));  /* the delay still runs */
	ck_assert(!r.released);
	rescue_shell_release(&r);                 /* the units are in: none comes */
	ck_assert(!loop_timer_armed(&r.respawn));
	rescue_shell_done(&r);
	loop_free(l);
}
END_TEST

static Suite *escalation_suite(void)
{
	Suite *s = suite_create("escalation");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, test_unit_keys);
	tcase_add_loop_test(tc, test_unit_errors, 0, (int)(sizeof(unit_errors) / sizeof(unit_errors[0])));
	tcase_add_test(tc, test_sysctl_entries);
	tcase_add_test(tc, test_conf_keys);
	tcase_add_test(tc, test_sysctl_unknown_warns);
	tcase_add_test(tc, test_sysctl_empty_warns);
	tcase_add_test(tc, test_sysctl_empty_clears);
	tcase_add_test(tc, test_watchdog_shutdown_below_services_warns);
	tcase_add_test(tc, test_requires_warnings);
	tcase_add_test(tc, test_encode_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("runtime");
	tcase_add_test(tc, test_cmdline);
	tcase_add_test(tc, test_cmdline_words);
	tcase_add_test(tc, test_dep_not_started_reason);
	tcase_add_test(tc, test_rescue_start_waits_for_the_respawn_delay);
	suite_add_tcase(s, tc);
	tc = tcase_create("guard");
	tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
	tcase_set_timeout(tc, 20);   /* fsyncs on a disk-backed /tmp, under ASan too */
	tcase_add_test(tc, test_guard_counts);
	tcase_add_test(tc, test_guard_huge_count);
	tcase_add_test(tc, test_guard_makes_its_directory);
	tcase_add_test(tc, test_guard_reset_then_fail);
	tcase_add_test(tc, test_guard_check_then_fail);
	tcase_add_test(tc, test_guard_end_waits_for_reset);
	tcase_add_test(tc, test_guard_check_then_fail_at_max);
	tcase_add_test(tc, test_guard_write_atomic);
	tcase_add_test(tc, test_guard_not_regular);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(escalation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
