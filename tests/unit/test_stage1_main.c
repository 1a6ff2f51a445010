/* test_stage1_main.c — stage 1's own program (stage1/stage1.c), its main
 * renamed stage1_main (tests/tests.mk), run as PID 1 of a PID and mount
 * namespace of its own with its system calls wrapped (-Wl,--wrap): what
 * it hands /sbin/init (the argv, the environment) and how it fails (a
 * line, a power-off, and no sync(): cb9757b).
 *
 * Each wrapper writes one line to a pipe the test reads once the program
 * has ended: the exec ends it (_exit(0) in place of the new image), a
 * failure ends it with fail()'s _exit(1). The namespaces are a guard, not
 * the mechanism: a call the wrappers missed would reach no host mount,
 * and a real reboot() by a PID namespace's init ends only that namespace. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "stage1/root.h"

#define GUID "8e1c0b7a-5d1f-4c55-9a1e-1d15c0000001"
#define EVENTS_MAX 8192

int stage1_main(int argc, char **argv);

static int events_fd = -1;            /* the pipe's write end, in the child */
static const char *cmdline;           /* what /proc/cmdline reads */
static int root_err;                  /* root_mount's failure, or 0 */
static int exec_err;                  /* execv's failure, or 0 */

static void event(const char *fmt, ...) _printf_(1, 2);
static void event(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(events_fd, line, (size_t)n) != n)
		_exit(90);
}

/* ---- the wrapped calls ------------------------------------------------------- */

void __wrap_sync(void);
void __wrap_sync(void)
{
	event("sync");
}

int __wrap_reboot(int cmd);
int __wrap_reboot(int cmd)
{
	event("reboot %#x", (unsigned)cmd);
	errno = EPERM;
	return -1;   /* as with no power-off support: fail() must end anyway */
}

int __wrap_execv(const char *path, char *const argv[]);
int __wrap_execv(const char *path, char *const argv[])
{
	if (exec_err) {
		event("execv %s failed", path);
		errno = exec_err;
		return -1;
	}
	event("execv %s", path);
	for (size_t i = 0; argv[i]; i++)
		event("argv %s", argv[i]);
	event("argv end");
	for (char **e = environ; e && *e; e++)
		event("env %s", *e);
	event("env end");
	_exit(0);
}

/* A guard: an exec the test does not expect ends the program here, not
 * in the host's /sbin/init. */
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	event("execve %s: not expected", path);
	_exit(95);
}

int __real_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const void *data);
int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const void *data);
int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const void *data)
{
	event("mount %s %s %s %#lx", src, dst, type ? type : "-", flags);
	return 0;
}

int __wrap_umount2(const char *target, int flags);
int __wrap_umount2(const char *target, int flags)
{
	event("umount2 %s", target);
	return 0;
}

int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_mkdir(const char *path, mode_t mode)
{
	errno = EEXIST;
	return -1;
}

int __wrap_chdir(const char *path);
int __wrap_chdir(const char *path)
{
	event("chdir %s", path);
	return 0;
}

int __wrap_chroot(const char *path);
int __wrap_chroot(const char *path)
{
	event("chroot %s", path);
	return 0;
}

/* /proc/cmdline is the test's text; /dev/console is not there (stage 1
 * goes on with the fds it has: the test's stderr). */
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (strcmp(path, "/dev/console") == 0) {
		errno = ENOENT;
		return -1;
	}
	if (strcmp(path, "/proc/cmdline") != 0)
		return __real_open(path, flags, mode);
	fd = memfd_create("cmdline", MFD_CLOEXEC);
	if (fd < 0 || write(fd, cmdline, strlen(cmdline)) != (ssize_t)strlen(cmdline) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		_exit(91);
	return fd;
}

int __wrap_root_mount(const struct root_spec *s, char *dev, size_t size, char *err,
		      size_t err_size);
int __wrap_root_mount(const struct root_spec *s, char *dev, size_t size, char *err,
		      size_t err_size)
{
	event("root_mount %s %s %s", s->partuuid, s->fstype, s->target);
	if (root_err) {
		snprintf(err, err_size, "no partition with PARTUUID %s", s->partuuid);
		return -root_err;
	}
	snprintf(dev, size, "/dev/vda2");
	return 0;
}

/* ---- the harness ------------------------------------------------------------- */

/* stage1_main(argc, argv) as PID 1 of new namespaces, its environment
 * env; its lines into events (NUL-terminated), its exit status returned
 * (128 + signal if killed). */
static int stage1_run(int argc, char **argv, char **env, char *events)
{
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pid_t init;

		close(p[0]);
		events_fd = p[1];
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0 ||
		    __real_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(92);
		init = fork();
		if (init < 0)
			_exit(93);
		if (init == 0) {
			environ = env;
			_exit(100 + stage1_main(argc, argv));   /* returns only if not PID 1 */
		}
		close(p[1]);
		if (waitpid(init, &status, 0) != init)
			_exit(94);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	close(p[1]);
	while ((n = read(p[0], events + got, EVENTS_MAX - 1 - got)) > 0)
		got += (size_t)n;
	events[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The lines from the exec on. */
static const char *exec_lines(const char *events)
{
	const char *e = strstr(events, "execv ");

	ck_assert_msg(e != NULL, "no exec in:\n%s", events);
	return e;
}

/* The kernel runs stage 1 with argv[0] and the words for init (single, a
 * word without a dot after --) and the environment it made (HOME, TERM,
 * its own words with an =): /sbin/init gets those words and that
 * environment, in order, with only argv[0] changed. */
START_TEST(exec_passes_the_kernels_words_on)
{
	static char *argv[] = { "/init", "single", "emergency", "", NULL };
	static char *env[] = { "HOME=/", "TERM=linux", "initd.debug=1", NULL };
	static char events[EVENTS_MAX];

	if (getuid() != 0)
		return;   /* namespaces need root */
	cmdline = "console=ttyS0 initd.root=PARTUUID=" GUID " single\n";
	ck_assert_int_eq(stage1_run(4, argv, env, events), 0);
	ck_assert_str_eq(exec_lines(events),
			 "execv /sbin/init\n"
			 "argv /sbin/init\n"
			 "argv single\n"
			 "argv emergency\n"
			 "argv \n"
			 "argv end\n"
			 "env HOME=/\n"
			 "env TERM=linux\n"
			 "env initd.debug=1\n"
			 "env end\n");
	/* it switched root first, and did not fail */
	ck_assert_ptr_nonnull(strstr(events, "root_mount " GUID " squashfs /root\n"));
	ck_assert_ptr_nonnull(strstr(events, "chdir /root\nmount . / - 0x2000\nchroot .\n"
					     "chdir /\nexecv"));
	ck_assert_ptr_null(strstr(events, "reboot"));
	ck_assert_ptr_null(strstr(events, "sync"));
}
END_TEST

/* With no argv at all (argc 0, as execve allows), /sbin/init still gets
 * its argv[0] and nothing more. */
START_TEST(exec_without_argv)
{
	static char *argv[] = { NULL, NULL };
	static char *env[] = { NULL };
	static char events[EVENTS_MAX];

	if (getuid() != 0)
		return;
	cmdline = "initd.root=PARTUUID=" GUID;
	ck_assert_int_eq(stage1_run(0, argv, env, events), 0);
	ck_assert_str_eq(exec_lines(events),
			 "execv /sbin/init\n"
			 "argv /sbin/init\n"
			 "argv end\n"
			 "env end\n");
}
END_TEST

/* Every failure says why, powers off and ends, and never calls sync():
 * sync() waits for the superblock a mount stuck on a dead disk holds, so
 * the failure a mount's deadline reports would hang there (cb9757b). The
 * causes: a command line without a root, a root not found (or not
 * mounted in time), an exec that fails on the new root. */
START_TEST(failure_powers_off_without_sync)
{
	static char *argv[] = { "/init", NULL };
	static char *env[] = { NULL };
	static const struct {
		const char *cmdline;
		int root_err, exec_err;
		const char *line;      /* the step that failed */
	} cases[] = {
		{ "console=ttyS0", 0, 0, NULL },
		{ "initd.root=PARTUUID=" GUID, ETIMEDOUT, 0, "root_mount " GUID },
		{ "initd.root=PARTUUID=" GUID, 0, ENOENT, "execv /sbin/init failed" },
	};
	static char events[EVENTS_MAX];

	if (getuid() != 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cmdline = cases[i].cmdline;
		root_err = cases[i].root_err;
		exec_err = cases[i].exec_err;
		ck_assert_int_eq(stage1_run(1, argv, env, events), 1);   /* fail()'s _exit(1) */
		if (cases[i].line)
			ck_assert_ptr_nonnull(strstr(events, cases[i].line));
		ck_assert_msg(strstr(events, "sync") == NULL, "case %zu synced:\n%s", i, events);
		/* and the power-off is the last thing it asked for */
		ck_assert_msg(strlen(events) > 18 &&
			      strcmp(events + strlen(events) - 18, "reboot 0x4321fedc\n") == 0,
			      "case %zu:\n%s", i, events);
	}
	root_err = exec_err = 0;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stage1_main");
	TCase *tc = tcase_create("stage1_main");
	SRunner *sr;
	int failed;

	/* Stage 1 runs as PID 1 of namespaces of its own: root's to make. */
	if (geteuid() != 0) {
		fprintf(stderr, "test_stage1_main: SKIPPED (not root: no PID and mount namespaces)\n");
		return EXIT_SUCCESS;
	}
	tcase_add_test(tc, exec_passes_the_kernels_words_on);
	tcase_add_test(tc, exec_without_argv);
	tcase_add_test(tc, failure_powers_off_without_sync);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
