/* test_seccomp.c — the seccomp key (issue 18): parsing and its FILE:LINE
 * errors, the group table (every member known to libseccomp, the same
 * members in initd.unit(5)), the encoding of the compiled program, and the
 * program itself installed in a forked child: a denied call fails with the
 * declared errno or kills, allowed work runs, another ABI kills. */
#include <check.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd/spawn.h"
#include "units/internal.h"
#include "units/unit.h"

static struct unit *parse(const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("t.unit", text, &u), 0);
	ck_assert_ptr_nonnull(u);
	return u;
}

static const char *first_diag(const struct unit *u)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%d: %s", u->diags.n ? u->diags.v[0].line : 0,
		 u->diags.n ? u->diags.v[0].message : "(none)");
	return buf;
}

#define EXEC "exec = [ \"/bin/true\" ];\n"

START_TEST(denylist_parses)
{
	struct unit *u = parse(EXEC "seccomp = { deny = [ \"@mount\", \"@reboot\", \"kexec_load\" ];\n"
			       "  errno = \"EPERM\"; };\n");

	ck_assert_msg(!u->bad, "%s", first_diag(u));
	ck_assert_uint_eq(u->opt->seccomp.default_action, UNIT_SECCOMP_ALLOW);
	ck_assert_uint_eq(u->opt->seccomp.errno_value, EPERM);
	ck_assert_str_eq(u->opt->seccomp.deny[2], "kexec_load");
	ck_assert_ptr_null(u->opt->seccomp.allow);
	ck_assert(u->opt->seccomp.n_bpf > 4 && u->opt->seccomp.n_bpf <= UNIT_SECCOMP_INSNS_MAX);
	unit_free(u);
	u = parse(EXEC);
	ck_assert_uint_eq(u->opt->seccomp.n_bpf, 0);
	unit_free(u);
}
END_TEST

static const struct { const char *text, *error; } bad_cases[] = {
	{ EXEC "seccomp = { deny = [ \"@mounts\" ]; };\n",
	  "2: 'seccomp.deny[0]': unknown group '@mounts' (did you mean '@mount'?)" },
	{ EXEC "seccomp = { deny = [ \"@nope-nothing\" ]; };\n",
	  "2: 'seccomp.deny[0]': unknown group '@nope-nothing' (see initd.unit(5), SECCOMP)" },
	{ EXEC "seccomp = {\n deny = [ \"mount\", \"no_such_call\" ]; };\n",
	  "3: 'seccomp.deny[1]': unknown system call 'no_such_call'" },
	{ EXEC "seccomp = { deny = [ \"mount\" ];\n errno = \"EPRM\"; };\n",
	  "3: 'seccomp.errno': unknown errno 'EPRM' (did you mean 'EPERM'?)" },
	{ EXEC "seccomp = { default = \"deny\"; };\n",
	  "2: 'seccomp.default': unknown value 'deny' (expected allow, errno or kill)" },
	{ EXEC "seccomp = { allow = [ \"@default\" ]; };\n",
	  "2: 'seccomp.allow' needs default = \"errno\" or \"kill\" (with default = \"allow\", "
	  "list what to refuse in 'deny')" },
	{ EXEC "\nseccomp = { default = \"kill\"; };\n",
	  "3: 'seccomp' with default = \"kill\" needs 'allow' (say \"@system-service\" and what "
	  "else the service calls)" },
	/* an empty allowlist lets nothing but the exec through: the service
	 * could never run */
	{ EXEC "seccomp = { default = \"errno\"; allow = [ ]; };\n",
	  "2: 'seccomp' with default = \"errno\" needs 'allow' (say \"@system-service\" and what "
	  "else the service calls)" },
	{ EXEC "seccomp = { deny = \"@mount\"; };\n",
	  "2: 'seccomp.deny' must be an array of strings" },
	{ EXEC "seccomp = { dney = [ \"@mount\" ]; };\n",
	  "2: unknown key 'seccomp.dney' (did you mean 'seccomp.deny'?)" },
	{ EXEC "seccomp = [ \"@mount\" ];\n", "2: 'seccomp' must be a group" },
};

START_TEST(bad_values_have_lines)
{
	struct unit *u = parse(bad_cases[_i].text);

	ck_assert(u->bad);
	ck_assert_str_eq(first_diag(u), bad_cases[_i].error);
	unit_free(u);
}
END_TEST

/* Every member of every group is a system call libseccomp knows (for some
 * architecture) or a group of the table: a typo would silently filter
 * nothing. */
START_TEST(group_members_known)
{
	for (size_t i = 0; i < seccomp_n_groups; i++) {
		const char *p = seccomp_groups[i].members;
		char name[64];

		ck_assert(seccomp_groups[i].name[0] == '@');
		while (*p) {
			size_t n = strcspn(p, " ");
			ck_assert_uint_lt(n, sizeof(name));
			memcpy(name, p, n);
			name[n] = '\0';
			p += n + (p[n] == ' ');
			if (name[0] == '@') {
				ck_assert_str_ne(name, seccomp_groups[i].name);
				continue;
			}
			ck_assert_msg(seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR,
				      "%s: unknown member %s", seccomp_groups[i].name, name);
		}
	}
}
END_TEST

/* initd.unit(5) lists each group as ".TP\n.B @NAME\nMEMBERS\n", the same
 * members in the same order as the table, and no other group. */
START_TEST(groups_match_man_page)
{
	FILE *f = fopen("units/initd.unit.5", "re");
	static char text[256 * 1024];
	char want[4096];
	size_t n;
	int listed = 0;

	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (size_t i = 0; i < seccomp_n_groups; i++) {
		snprintf(want, sizeof(want), ".TP\n.B %s\n%s\n", seccomp_groups[i].name,
			 seccomp_groups[i].members);
		ck_assert_msg(strstr(text, want), "initd.unit.5 lacks or differs for %s",
			      seccomp_groups[i].name);
	}
	for (const char *p = text; (p = strstr(p, ".TP\n.B @")); p++)
		listed++;
	ck_assert_int_eq(listed, (int)seccomp_n_groups);
}
END_TEST

/* A set of one unit, web, from text (and an empty initd.conf). */
static struct unit_set *load(const char *unit)
{
	char dir[] = "/tmp/test_seccomp.XXXXXX", conf[128], units[128], path[160];
	struct unit_set *s = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fclose(f);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	snprintf(path, sizeof(path), "%s/web.unit", units);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(unit, f);
	fclose(f);
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	unlink(path);
	rmdir(units);
	unlink(conf);
	rmdir(dir);
	return s;
}

START_TEST(encode_round_trip)
{
	struct unit_set *s = load(EXEC "seccomp = { default = \"errno\";\n"
				  "  allow = [ \"@system-service\" ]; deny = [ \"@mount\" ];"
				  " errno = \"EACCES\"; };\n"), *d = NULL;
	void *buf = NULL;
	size_t len;

	ck_assert_msg(!s->units[0]->bad, "%s", first_diag(s->units[0]));
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(unit_equal(s->units[0], d->units[0]));
	ck_assert_uint_eq(d->units[0]->opt->seccomp.n_bpf, s->units[0]->opt->seccomp.n_bpf);
	ck_assert_uint_eq(d->units[0]->opt->seccomp.errno_value, EACCES);
	/* a changed filter is a changed unit (reload restarts it); changed
	 * on the loader's side: a decoded set is read-only */
	unit_opt_own(s->units[0])->seccomp.bpf[1].k ^= 1;
	ck_assert(!unit_equal(s->units[0], d->units[0]));
	unit_opt_own(s->units[0])->seccomp.bpf[1].k ^= 1;
	unit_opt_own(s->units[0])->seccomp.errno_value = EPERM;
	ck_assert(!unit_equal(s->units[0], d->units[0]));
	free(buf);
	unit_set_free(s);
	unit_set_free(d);
}
END_TEST

/* A decoded unit that declares a filter but carries no program would run
 * its service unfiltered: PID 1 refuses such a model. */
START_TEST(declared_filter_without_program_refused)
{
	char *deny[] = { "mount", NULL };
	struct sock_filter insn = { 0 };
	struct unit_seccomp none = { 0 }, denied = { .deny = deny },
			    kill = { .default_action = UNIT_SECCOMP_KILL },
			    ok = { .deny = deny, .bpf = &insn, .n_bpf = 1 };

	ck_assert(seccomp_valid(&none));
	ck_assert(seccomp_valid(&ok));
	ck_assert(!seccomp_valid(&denied));
	ck_assert(!seccomp_valid(&kill));
}
END_TEST

/* Fork; the child installs u's filter as spawn does, runs fn; its status. */
static int run_filtered(const struct unit *u, int (*fn)(void))
{
	struct sock_fprog prog = { (unsigned short)u->opt->seccomp.n_bpf, u->opt->seccomp.bpf };
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(100);
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* 0 if mount fails with EPERM while ordinary calls work and the kernel
 * shows the filter. */
static int mount_denied(void)
{
	char line[256];
	FILE *f;
	int seccomp = -1, nnp = -1;

	if (mount("none", "/nonexistent", "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 1;
	if (getpid() <= 0 || !(f = fopen("/proc/self/status", "re")))
		return 2;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Seccomp: %d", &seccomp);
		sscanf(line, "NoNewPrivs: %d", &nnp);
	}
	fclose(f);
	return seccomp == 2 && nnp == 1 ? 0 : 3;
}

static int call_swapoff(void)
{
	syscall(SYS_swapoff, "/nonexistent");
	return 0;
}

START_TEST(filter_denies_in_the_kernel)
{
	struct unit *u = parse(EXEC "seccomp = { deny = [ \"@mount\" ]; errno = \"EPERM\"; };\n");
	int status;

	ck_assert_msg(!u->bad, "%s", first_diag(u));
	status = run_filtered(u, mount_denied);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	unit_free(u);
	/* no errno: a denied call kills */
	u = parse(EXEC "seccomp = { deny = [ \"@swap\" ]; };\n");
	status = run_filtered(u, call_swapoff);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	unit_free(u);
	/* an allowlist: what it lacks kills */
	u = parse(EXEC "seccomp = { default = \"kill\"; allow = [ \"@system-service\" ]; };\n");
	ck_assert_msg(!u->bad, "%s", first_diag(u));
	status = run_filtered(u, call_swapoff);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	unit_free(u);
}
END_TEST

#ifdef __x86_64__
/* getpid through i386's int 0x80, and with x32's bit: another ABI. */
static int call_i386(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r > 0 ? 0 : 1;
}

static int call_x32(void)
{
	return syscall(0x40000000 | SYS_getpid) > 0 ? 0 : 1;
}

START_TEST(foreign_abi_kills)
{
	struct unit *u = parse(EXEC "seccomp = { deny = [ \"@swap\" ]; errno = \"EPERM\"; };\n");
	int status;

	pid_t pid;

	/* x32's numbers reach the filter whether the kernel has x32 or not */
	status = run_filtered(u, call_x32);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "x32: status %#x", status);
	/* int 0x80 only where the kernel runs i386 calls at all (not
	 * without IA32 emulation: then it faults before any filter) */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* without IA32 emulation int 0x80 faults: let it kill this
		 * probe quietly (no sanitizer's SEGV report) */
		signal(SIGSEGV, SIG_DFL);
		_exit(call_i386());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		status = run_filtered(u, call_i386);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
			      "i386: status %#x", status);
	}
	unit_free(u);
}
END_TEST
#endif

/* The dump gives the key as declared, and it parses to the same unit. */
/* The confinement spawn and exec probes share (spawn.h) says which step
 * failed: a bounding set the process may not drop (no CAP_SETPCAP) is
 * stage "bounding", not "capabilities". */
START_TEST(refused_bounding_set_names_its_stage)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct unit_isolation iso = { .has_capabilities = true,
					      .capabilities = 1ULL << CAP_NET_BIND_SERVICE };
		cap_t c = cap_get_proc();
		cap_value_t setpcap = CAP_SETPCAP;
		int stage = -1, r;

		if (!c || cap_set_flag(c, CAP_EFFECTIVE, 1, &setpcap, CAP_CLEAR) < 0 ||
		    cap_set_proc(c) < 0)
			_exit(100);
		r = spawn_caps_before_uid(&iso, true, &stage);
		_exit(r == -EPERM ? stage : 101);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_msg(WEXITSTATUS(status) == SPAWN_STAGE_BOUNDING, "stage %s (%d)",
		      spawn_stage_to_string(WEXITSTATUS(status)), WEXITSTATUS(status));
}
END_TEST

START_TEST(dump_parses_again)
{
	struct unit *u = parse(EXEC "seccomp = { default = \"kill\"; allow = [ \"@system-service\" ];"
			       " deny = [ \"@mount\" ]; errno = \"ENOSYS\"; };\n"), *v;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ck_assert_int_eq(unit_dump(u, f), 0);
	fclose(f);
	ck_assert_msg(strstr(text, "seccomp = {\n  default = \"kill\";\n  deny = [ \"@mount\" ];\n"
			     "  allow = [ \"@system-service\" ];\n  errno = \"ENOSYS\";\n};\n"),
		      "%s", text);
	v = parse(text);
	ck_assert(seccomp_equal(&u->opt->seccomp, &v->opt->seccomp));
	free(text);
	unit_free(u);
	unit_free(v);
}
END_TEST

/* A filter goes in after PR_SET_NO_NEW_PRIVS whatever the unit says
 * (spawn_seccomp_install): the model says so too, and so do svctl show
 * and --dump, which printed "no_new_privs = false;" for it. */
START_TEST(no_new_privs_implied)
{
	static const char *const units[] = {
		EXEC "seccomp = { deny = [ \"@mount\" ]; };\n",
		EXEC "no_new_privs = false;\nseccomp = { deny = [ \"@mount\" ]; };\n",
		EXEC "seccomp = { deny = [ \"@mount\" ]; };\nno_new_privs = false;\n",
	};
	struct unit *u;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char *text = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&text, &size);

		u = parse(units[i]);
		ck_assert_msg(!u->bad, "%s", first_diag(u));
		ck_assert_msg(u->opt->iso.no_new_privs, "unit %zu", i);
		ck_assert_int_eq(unit_dump(u, f), 0);
		fclose(f);
		ck_assert_msg(strstr(text, "\nno_new_privs = true;\n"), "%s", text);
		free(text);
		unit_free(u);
	}
	/* without a filter, as declared */
	u = parse(EXEC "no_new_privs = false;\n");
	ck_assert(!u->opt->iso.no_new_privs);
	unit_free(u);
}
END_TEST

/* An explicit no_new_privs = false beside a filter is not what runs: a
 * warning at its line (the unit still loads: PR_SET_NO_NEW_PRIVS is
 * what initd(8) and initd.unit(5) say a filter comes with). */
START_TEST(no_new_privs_false_with_seccomp_warns)
{
	struct unit_set *s = load(EXEC "no_new_privs = false;\n"
				  "seccomp = { deny = [ \"@mount\" ]; };\n");
	const char *msg;

	ck_assert_msg(!s->units[0]->bad, "%s", first_diag(s->units[0]));
	ck_assert_uint_eq(s->warnings.n, 1);
	ck_assert_int_eq(s->warnings.v[0].line, 2);
	ck_assert_ptr_nonnull(strstr(s->warnings.v[0].file, "web.unit"));
	msg = s->warnings.v[0].message;
	ck_assert_msg(strstr(msg, "no_new_privs") && strstr(msg, "seccomp") &&
		      strstr(msg, "implies"), "%s", msg);
	unit_set_free(s);
	/* no warning when it says true, leaves it out, or has no filter */
	s = load(EXEC "no_new_privs = true;\nseccomp = { deny = [ \"@mount\" ]; };\n");
	ck_assert_uint_eq(s->warnings.n, 0);
	unit_set_free(s);
	s = load(EXEC "seccomp = { deny = [ \"@mount\" ]; };\n");
	ck_assert_uint_eq(s->warnings.n, 0);
	unit_set_free(s);
	s = load(EXEC "no_new_privs = false;\n");
	ck_assert_uint_eq(s->warnings.n, 0);
	unit_set_free(s);
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, denylist_parses);
	tcase_add_loop_test(tc, bad_values_have_lines, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, group_members_known);
	tcase_add_test(tc, groups_match_man_page);
	tcase_add_test(tc, encode_round_trip);
	tcase_add_test(tc, declared_filter_without_program_refused);
	tcase_add_test(tc, filter_denies_in_the_kernel);
#ifdef __x86_64__
	tcase_add_test(tc, foreign_abi_kills);
#endif
	tcase_add_test(tc, refused_bounding_set_names_its_stage);
	tcase_add_test(tc, dump_parses_again);
	tcase_add_test(tc, no_new_privs_implied);
	tcase_add_test(tc, no_new_privs_false_with_seccomp_warns);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(seccomp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
