/* test_logfile.c — persistent logs (issue 14): the stamp's format and
 * parsing, the --since/--until arguments, stamping chunks cut anywhere,
 * ring lines by offset, and the log writer process itself (forked here,
 * fed records): appending, rotation at max_size keeping N files, the
 * dropped-lines marker, and its exit at end-of-stream. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/logtime.h"
#include "common/util.h"
#include "initd/loader.h"
#include "initd/logbuf.h"
#include "initd/logwriter.h"
#include "initd/loop.h"
#include "units/unit.h"
#include "tests/files.h"
#include "tests/timers.h"

#define T0 1796119200000000ULL   /* 2026-12-01T10:00:00Z */

START_TEST(stamp_format_and_parse)
{
	char s[LOGTIME_SIZE];
	uint64_t v;

	logtime_format(s, T0 + 123456);
	ck_assert_str_eq(s, "2026-12-01T10:00:00.123Z");
	ck_assert_int_eq(logtime_parse_stamp(s, LOGTIME_LEN, &v), 0);
	ck_assert_uint_eq(v, T0 + 123000);
	ck_assert_int_lt(logtime_parse_stamp(s, LOGTIME_LEN - 1, &v), 0);
	ck_assert_int_lt(logtime_parse_stamp("2026-12-01 10:00:00.123Z", LOGTIME_LEN, &v), 0);
	ck_assert_int_lt(logtime_parse_stamp("2026-13-01T10:00:00.123Z", LOGTIME_LEN, &v), 0);
	ck_assert_int_lt(logtime_parse_stamp("hello world, a plain line", 25, &v), 0);
}
END_TEST

/* The calendar arithmetic (no gmtime_r, no timegm in PID 1) against
 * glibc's: every day's stamp from 1970 to 2400 and back, leap days and
 * centuries included, and timegm's roll-over of a day past the month. */
START_TEST(calendar_matches_libc)
{
	char s[LOGTIME_SIZE], want[64];
	uint64_t v;
	struct tm tm;

	for (time_t t = 0; t < (time_t)13569465600LL; t += 86400 - 7) {   /* to 2400 */
		uint64_t usec = (uint64_t)t * USEC_PER_SEC + 999999;

		gmtime_r(&t, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.999Z", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		logtime_format(s, usec);
		ck_assert_str_eq(s, want);
		ck_assert_int_eq(logtime_parse_stamp(s, LOGTIME_LEN, &v), 0);
		ck_assert_uint_eq(v, (uint64_t)t * USEC_PER_SEC + 999000);
	}
	logtime_format(s, 253402300800ULL * USEC_PER_SEC);   /* 10000-01-01: clamped */
	ck_assert_str_eq(s, "9999-01-01T00:00:00.000Z");
	ck_assert_int_eq(logtime_parse_stamp("2024-02-31T00:00:00.000Z", LOGTIME_LEN, &v), 0);
	tm = (struct tm){ .tm_year = 124, .tm_mon = 1, .tm_mday = 31 };
	ck_assert_uint_eq(v, (uint64_t)timegm(&tm) * USEC_PER_SEC);
}
END_TEST

START_TEST(arguments)
{
	const struct logtime_clock c = { .realtime_usec = T0, .uptime_usec = 100 * USEC_PER_SEC };
	uint64_t v;

	ck_assert_int_eq(logtime_parse_arg("now", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0);
	ck_assert_int_eq(logtime_parse_arg("-5min", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 - 300 * USEC_PER_SEC);
	ck_assert_int_eq(logtime_parse_arg("2026-12-01 09:59:00", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 - 60 * USEC_PER_SEC);
	ck_assert_int_eq(logtime_parse_arg("2026-12-01T10:00:00.250Z", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 + 250000);
	ck_assert_int_eq(logtime_parse_arg("2026-12-02", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 + 14 * 3600 * USEC_PER_SEC);
	ck_assert_int_eq(logtime_parse_arg("40", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 - 60 * USEC_PER_SEC);
	ck_assert_int_eq(logtime_parse_arg("99.5", &c, parse_duration, &v), 0);
	ck_assert_uint_eq(v, T0 - 500000);
	ck_assert_int_lt(logtime_parse_arg("yesterday", &c, parse_duration, &v), 0);
	ck_assert_int_lt(logtime_parse_arg("-5 min", &c, parse_duration, &v), 0);
	ck_assert_int_lt(logtime_parse_arg("2026-12-01 25:00:00", &c, parse_duration, &v), 0);
	ck_assert_int_lt(logtime_parse_arg("2026-12-01 10:00", &c, parse_duration, &v), 0);
	ck_assert_int_lt(logtime_parse_arg("1.1234567", &c, parse_duration, &v), 0);
	ck_assert_int_lt(logtime_parse_arg("", &c, parse_duration, &v), 0);
}
END_TEST

/* Stamping a text cut at every offset, into a small out buffer, gives the
 * same result as stamping it whole. */
START_TEST(stamping_is_cut_proof)
{
	static const char in[] = "one\ntwo\n\nthree";
	static const char want[] = "S one\nS two\nS \nS three";
	const char *stamp = "S                       ";   /* LOGTIME_LEN bytes */

	for (size_t cut = 0; cut <= strlen(in); cut++) {
		char out[256], small[LOGTIME_LEN + 4];
		size_t o = 0, i = 0, used;
		bool mid = false;

		while (i < strlen(in)) {
			size_t end = i < cut ? cut : strlen(in);
			size_t k = logwriter_stamp(stamp, in + i, end - i, &mid, small, sizeof(small),
						   &used);
			memcpy(out + o, small, k);
			o += k;
			i += used;
		}
		out[o] = '\0';
		/* squeeze the stamp's padding for the comparison */
		for (char *p; (p = strstr(out, "S  "));)
			memmove(p + 1, p + 2, strlen(p + 2) + 1);
		ck_assert_str_eq(out, want);
		ck_assert(mid);
	}
}
END_TEST

START_TEST(ring_line_after)
{
	struct logbuf b;

	logbuf_init(&b, 64);
	logbuf_append(&b, "ab\ncd\nef", 8);
	ck_assert_uint_eq(logbuf_line_after(&b, 0), 3);
	ck_assert_uint_eq(logbuf_line_after(&b, 3), 6);
	ck_assert_uint_eq(logbuf_line_after(&b, 6), 8);
	ck_assert_uint_eq(logbuf_tail_offset_before(&b, 6, 1), 3);
	ck_assert_uint_eq(logbuf_tail_offset_before(&b, 6, 5), 0);
	logbuf_free(&b);
}
END_TEST

/* ---- the writer process ---------------------------------------------------- */

static char dir[] = "/tmp/test_logfile.XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Each test runs in a child of its own, so its mkdtemp'd name is its own:
 * remove the tree it made (a test that made none left the template). */
static void dir_remove(void)
{
	if (strcmp(dir + strlen(dir) - 6, "XXXXXX") != 0)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A writer on a socketpair; limit > 0: its resource limit (soft; and hard
 * for RLIMIT_NOFILE, which the writer raises to its hard one; a test
 * raises another's soft one again, without CAP_SYS_RESOURCE). SIGXFSZ
 * ignored: a file at RLIMIT_FSIZE then takes a short write and fails the
 * next with EFBIG, as a full disk does with ENOSPC. */
static pid_t writer_start_limited(int *ret_sock, int resource, rlim_t limit)
{
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl;

		dup2(sv[1], 3);
		signal(SIGXFSZ, SIG_IGN);
		if (getrlimit(resource, &rl) < 0)
			_exit(2);
		rl.rlim_cur = limit;
		rl.rlim_max = resource == RLIMIT_NOFILE ? limit : rl.rlim_max;
		if (limit && setrlimit(resource, &rl) < 0)
			_exit(2);
		logwriter_main();
	}
	close(sv[1]);
	*ret_sock = sv[0];
	return pid;
}

static pid_t writer_start(int *ret_sock)
{
	return writer_start_limited(ret_sock, RLIMIT_NOFILE, 0);
}

static void writer_send_flags(int sock, const char *path, uint64_t max, unsigned keep,
			      const char *text, uint64_t dropped, uint32_t flags)
{
	char buf[LOGWRITER_RECORD_MAX];
	struct logwriter_hdr h = { LOGWRITER_MAGIC, (uint32_t)strlen(path), max, keep,
				   (uint32_t)strlen(text), dropped, flags, 0 };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), path, h.path_len);
	memcpy(buf + sizeof(h) + h.path_len, text, h.data_len);
	ck_assert_int_eq(send(sock, buf, sizeof(h) + h.path_len + h.data_len, 0),
			 (ssize_t)(sizeof(h) + h.path_len + h.data_len));
}

static void writer_send(int sock, const char *path, uint64_t max, unsigned keep,
			const char *text, uint64_t dropped)
{
	writer_send_flags(sock, path, max, keep, text, dropped, 0);
}

static void writer_end(int sock, pid_t pid)
{
	int status;

	shutdown(sock, SHUT_WR);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sock);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *slurp(const char *path)
{
	static char text[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	return text;
}

START_TEST(writer_rotates_keeping_n)
{
	char path[256], p[300], line[128];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/app.log", dir);
	pid = writer_start(&sock);
	/* 300 lines of 32 bytes (9600) per round, 10 rounds, 4K files, keep 3 */
	for (int r = 0; r < 10; r++) {
		char text[10000] = "";

		for (int i = 0; i < 300; i++) {
			snprintf(line, sizeof(line), "2026-12-01T10:00:00.000Z %06d\n", r * 300 + i);
			strcat(text, line);
		}
		writer_send(sock, path, 4096, 3, text, 0);
	}
	writer_end(sock, pid);
	for (int i = 0; i <= 3; i++) {
		snprintf(p, sizeof(p), i ? "%s.%d" : "%s", path, i);
		ck_assert_int_gt(file_size(p), 0);
		ck_assert_int_le(file_size(p), 4096);
		ck_assert_int_eq(file_size(p) % 32, 0);    /* whole lines only */
	}
	snprintf(p, sizeof(p), "%s.4", path);
	ck_assert_int_eq(file_size(p), -1);
	/* The newest line is last in the file; .1 ends where it begins. */
	ck_assert_ptr_nonnull(strstr(slurp(path), "002999\n"));
	snprintf(line, sizeof(line), "%06d\n", atoi(slurp(path) + LOGTIME_LEN + 1) - 1);
	snprintf(p, sizeof(p), "%s.1", path);
	ck_assert_ptr_nonnull(strstr(slurp(p), line));
}
END_TEST

/* A post-mortem record names the unit's log file: the writer puts it in
 * the file beside it (NAME.postmortem), making no log file, unless that
 * is a character device (t-postmortem.sh, in a namespace of its own). A
 * flag it does not know drops the record. */
START_TEST(writer_puts_a_postmortem_beside_the_log_file)
{
	char log[256], pm[256], odd[256];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/web.log", dir);
	snprintf(pm, sizeof(pm), "%s/web.postmortem", dir);
	snprintf(odd, sizeof(odd), "%s/odd.log", dir);
	pid = writer_start(&sock);
	writer_send_flags(sock, log, 1 << 20, 3, "failure: exit 3\n", 0, LOGWRITER_POSTMORTEM);
	writer_send_flags(sock, odd, 1 << 20, 3, "what\n", 0, 2);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(pm), "failure: exit 3\n");
	ck_assert_int_eq(file_size(log), -1);
	ck_assert_int_eq(file_size(odd), -1);
}
END_TEST

START_TEST(writer_appends_and_marks_drops)
{
	char path[256], *t;
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.log", dir);
	pid = writer_start(&sock);
	writer_send(sock, path, 1 << 20, 3, "S one\nS tw", 0);
	writer_send(sock, path, 1 << 20, 3, "S three\n", 7);
	writer_end(sock, pid);
	pid = writer_start(&sock);     /* a second writer appends */
	writer_send(sock, path, 1 << 20, 3, "S four\n", 0);
	writer_end(sock, pid);
	t = slurp(path);
	ck_assert_ptr_nonnull(strstr(t, "S one\nS tw\n"));
	ck_assert_ptr_nonnull(strstr(t, "Z [initd: 7 lines dropped]\nS three\nS four\n"));
}
END_TEST

START_TEST(writer_refuses_bad_records)
{
	char path[256];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.log", dir);
	pid = writer_start(&sock);
	writer_send(sock, path, 100, 3, "too small a max_size\n", 0);
	writer_send(sock, "relative/b.log", 4096, 3, "relative\n", 0);
	ck_assert_int_eq(send(sock, "short", 5, 0), 5);
	writer_send(sock, path, 4096, 3, "good\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path), "good\n");
}
END_TEST

/* A record may end mid-line (PID 1 sends what one read of the pipe got):
 * the line's rest, in the next record, goes into the same file, so no
 * rotation splits a line between two files. */
START_TEST(writer_keeps_a_cut_line_whole)
{
	char path[256], p[300], text[4096];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cut.log", dir);
	memset(text, 'x', 4079);
	text[4079] = '\n';
	strcpy(text + 4080, "S cut ");           /* 4086 bytes, the last line cut */
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, text, 0);
	writer_send(sock, path, 4096, 3, "here and there, one line\nS next\n", 0);
	writer_end(sock, pid);
	snprintf(p, sizeof(p), "%s.1", path);
	ck_assert_ptr_nonnull(strstr(slurp(p), "\nS cut here and there, one line\n"));
	ck_assert_str_eq(slurp(path), "S next\n");
}
END_TEST

/* A test that cannot run here says so (as test_net's do), not passes
 * silently. */
static void skipped(const char *test, const char *why)
{
	fprintf(stderr, "test_logfile: SKIPPED %s (%s)\n", test, why);
}

/* dir, as a directory a unit owns (directories.logs): not root's. */
static void dir_give_away(const char *d)
{
	if (geteuid() == 0)
		ck_assert_int_eq(chown(d, 65534, 65534), 0);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Output that never ends a line (a progress bar drawn with \r): the cut
 * line goes on in the same file up to max_size and is cut there; the rest
 * goes on in the next file, so no file is past max_size. (The rest of the
 * line once went in whole while the file was under max_size: up to a
 * record, 16K, past it.) */
START_TEST(writer_bounds_a_line_that_never_ends)
{
	char path[256], p[300], text[3001];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bar.log", dir);
	memset(text, '#', 3000);
	text[3000] = '\0';
	pid = writer_start(&sock);
	for (int i = 0; i < 40; i++)
		writer_send(sock, path, 4096, 2, text, 0);
	writer_end(sock, pid);
	ck_assert_int_le(file_size(path), 4096);
	snprintf(p, sizeof(p), "%s.1", path);
	ck_assert_int_eq(file_size(p), 4096);
}
END_TEST

/* A full disk (here the file size limit) takes part of a write: the
 * lines that went in whole stay, the cut one is taken out again and
 * counted, and the marker starts a line of its own; the file's size, and
 * so its rotation, stays exact. */
START_TEST(writer_leaves_no_cut_line_on_a_full_disk)
{
	char path[256], said[600], text[128];
	struct rlimit none;
	const char *t;
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/full.log", dir);
	memset(text, 'x', 99);
	strcpy(text, "S two\n");
	text[6] = 'x';
	text[99] = '\n';
	text[100] = '\0';                       /* "S two\n" and a 94-byte line */
	pid = writer_start_limited(&sock, RLIMIT_FSIZE, 64);
	writer_send(sock, path, 4096, 3, "S one\n", 0);
	writer_send(sock, path, 4096, 3, text, 0);
	ck_assert_int_gt(recv(sock, said, sizeof(said) - 1, 0), 0);   /* "cannot write" */
	ck_assert_int_eq(file_size(path), 12);
	ck_assert_int_eq(prlimit(pid, RLIMIT_FSIZE, NULL, &none), 0);
	none.rlim_cur = none.rlim_max;
	ck_assert_int_eq(prlimit(pid, RLIMIT_FSIZE, &none, NULL), 0);  /* room again */
	writer_send(sock, path, 4096, 3, "S three\n", 0);
	writer_end(sock, pid);
	t = slurp(path);
	ck_assert_int_eq(strncmp(t, "S one\nS two\n", 12), 0);
	ck_assert_ptr_nonnull(strstr(t + 12, "Z [initd: 1 lines dropped]\nS three\n"));
	ck_assert_ptr_null(strchr(t, 'x'));
}
END_TEST

/* A record that ends mid-line, cut by a full disk in its last line: that
 * piece of a line is counted dropped (it has no newline to count: the
 * writer counted none, and wrote no marker), and its rest, which PID 1's
 * next record begins with, is dropped with it. */
START_TEST(writer_counts_a_cut_piece_of_a_line)
{
	char path[256], said[600];
	struct rlimit none;
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/piece.log", dir);
	pid = writer_start_limited(&sock, RLIMIT_FSIZE, 16);
	writer_send(sock, path, 4096, 3, "S one\n", 0);
	writer_send(sock, path, 4096, 3, "S two\nS three, not ended", 0);
	ck_assert_int_gt(recv(sock, said, sizeof(said) - 1, 0), 0);   /* "cannot write" */
	ck_assert_int_eq(file_size(path), 12);
	ck_assert_int_eq(prlimit(pid, RLIMIT_FSIZE, NULL, &none), 0);
	none.rlim_cur = none.rlim_max;
	ck_assert_int_eq(prlimit(pid, RLIMIT_FSIZE, &none, NULL), 0);  /* room again */
	writer_send(sock, path, 4096, 3, ", now ended\nS four\n", 0);
	writer_end(sock, pid);
	ck_assert_ptr_nonnull(strstr(slurp(path), "S one\nS two\n"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "Z [initd: 1 lines dropped]\nS four\n"));
	ck_assert_ptr_null(strstr(slurp(path), "now ended"));
}
END_TEST

/* Another program appends to the file between the writer's failed write
 * and its cut (the writer traced, stopped at the first system call after
 * the write that failed, as a scheduler may stop it): the cut takes the
 * other program's bytes, not the piece of our line, so it is not made;
 * the piece stays and the other's line is whole. The old cut, from the
 * file's size then, took "her\n" off it. */
START_TEST(writer_cuts_no_byte_another_program_appended)
{
	char path[256];
	struct __ptrace_syscall_info si;
	bool failed = false;
	int sv[2], sock, st, fd;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/shared.log", dir);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 16, RLIM_INFINITY };

		dup2(sv[1], 3);
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(2);
		raise(SIGSTOP);
		logwriter_main();
	}
	close(sv[1]);
	sock = sv[0];
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSTOPPED(st));
	ck_assert_int_eq(ptrace(PTRACE_SETOPTIONS, pid, NULL,
				PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL), 0);
	writer_send(sock, path, 4096, 3, "S one\n", 0);
	/* 20 bytes, 10 of them under the limit: "S two\n" and "S th" */
	writer_send(sock, path, 4096, 3, "S two\nS three, cut\n", 0);
	for (int sig = 0;;) {
		ck_assert_int_eq(ptrace(PTRACE_SYSCALL, pid, NULL, sig), 0);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFSTOPPED(st));
		sig = WSTOPSIG(st) == (SIGTRAP | 0x80) ? 0 : WSTOPSIG(st);   /* SIGXFSZ */
		if (sig)
			continue;
		ck_assert_int_gt(ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si), 0);
		if (si.op == PTRACE_SYSCALL_INFO_EXIT && si.exit.is_error && si.exit.rval == -EFBIG)
			failed = true;
		else if (si.op == PTRACE_SYSCALL_INFO_ENTRY && failed)
			break;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "S other\n", 8), 8);
	close(fd);
	ck_assert_int_eq(ptrace(PTRACE_DETACH, pid, NULL, 0), 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path), "S one\nS two\nS thS other\n");
}
END_TEST

/* A file that ends mid-line (a writer killed, a power cut, another
 * program's output): the first line written now starts a line of its own,
 * not glued to the end of that one. */
START_TEST(writer_ends_a_line_it_did_not_write)
{
	char path[256];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/old.log", dir);
	put_file(path, "S old, never ended");
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S new\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path), "S old, never ended\nS new\n");
}
END_TEST

/* A rotation the directory refuses: the full file is left alone (no
 * marker per record), and the lines are counted until it can rotate. */
START_TEST(writer_leaves_a_file_it_cannot_rotate_alone)
{
	char p[256], line[64];
	int sock;
	pid_t pid;
	long size;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/full.log.1", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/full.log.1/x", dir);
	put_file(p, "");
	snprintf(p, sizeof(p), "%s/full.log", dir);
	pid = writer_start(&sock);
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "S line %03d of a full file, and more\n", i);
		writer_send(sock, p, 4096, 1, line, i % 2);
	}
	writer_end(sock, pid);
	size = file_size(p);
	ck_assert_int_le(size, 4096 + 256);
}
END_TEST

/* A device as a log file (a serial line) that takes nothing (flow control
 * stopped it; here a pty nobody reads): its lines are dropped after a short
 * wait, and the other files are still written. */
START_TEST(writer_is_not_held_by_a_stuck_device)
{
	char path[256], *tty, text[4001];
	int sock, master;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/other.log", dir);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	ck_assert_ptr_nonnull(tty = ptsname(master));
	memset(text, 'y', 3999);
	text[3999] = '\n';
	text[4000] = '\0';
	pid = writer_start(&sock);
	for (int i = 0; i < 100; i++)        /* 400K: more than a pty holds */
		writer_send(sock, tty, 1 << 20, 3, text, 0);
	writer_send(sock, path, 4096, 3, "S other\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path), "S other\n");
	close(master);
}
END_TEST

/* Lines a file could not take because it could not be opened, and the
 * count PID 1 sent with them, are said once it can: not lost with the
 * record. */
START_TEST(writer_counts_what_it_could_not_open)
{
	char path[256], blocker[256], said[600];
	ssize_t n;
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	snprintf(path, sizeof(path), "%s/sub/a.log", dir);
	put_file(blocker, "");                 /* a file where the directory goes */
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S one\nS two\n", 7);
	/* Its word to PID 1 says it took the record. */
	n = recv(sock, said, sizeof(said) - 1, 0);
	ck_assert_int_gt(n, 0);
	said[n] = '\0';
	ck_assert_ptr_nonnull(strstr(said, "cannot open"));
	ck_assert_int_eq(unlink(blocker), 0);
	writer_send(sock, path, 4096, 3, "S three\n", 0);
	writer_end(sock, pid);
	ck_assert_ptr_nonnull(strstr(slurp(path), "Z [initd: 9 lines dropped]\nS three\n"));
}
END_TEST

/* A record the writer drops (here: its file cannot be opened) that ends
 * mid-line takes the rest of that line with it: PID 1's next record goes
 * on with that line, and its rest, written, landed after the marker
 * without its stamp (the old code). The line counts once. A record PID 1
 * sends with a count of its own starts a line (logwriter_feed dropped the
 * rest itself): it is written whole, and its count, which holds S y's
 * line (PID 1 counted it at its end), says it once with the writer's:
 * S x, S y and 3 more (writer_and_pid1_count_a_line_both_cut_once). */
START_TEST(writer_drops_the_rest_of_a_line_it_cut)
{
	char path[256], other[256], blocker[256], said[600];
	const char *t;
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	snprintf(path, sizeof(path), "%s/sub/a.log", dir);
	snprintf(other, sizeof(other), "%s/sub/b.log", dir);
	put_file(blocker, "");                 /* a file where the directory goes */
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S one\nS tw", 0);
	writer_send(sock, other, 4096, 3, "S x\nS y", 0);
	for (int i = 0; i < 2; i++)   /* "cannot open", for each */
		ck_assert_int_gt(recv(sock, said, sizeof(said) - 1, 0), 0);
	ck_assert_int_eq(unlink(blocker), 0);
	writer_send(sock, path, 4096, 3, "o, the rest\nS three\n", 0);
	writer_send(sock, other, 4096, 3, "S z\n", 4);
	writer_end(sock, pid);
	t = slurp(path);
	ck_assert_msg(!strstr(t, "the rest"), "the rest of a cut line, unstamped: \"%s\"", t);
	ck_assert_str_eq(t + LOGTIME_LEN, " [initd: 2 lines dropped]\nS three\n");
	ck_assert_str_eq(slurp(other) + LOGTIME_LEN, " [initd: 5 lines dropped]\nS z\n");
}
END_TEST

/* A line both cut: the writer dropped a piece of it (its file could not
 * be opened), counted with that piece, and PID 1's queue then refused the
 * record going on with it, whose newlines PID 1 counts (logwriter_feed:
 * the end of that line among them), or, a record without a newline, which
 * PID 1 counts at the line's end. Either way the line was counted twice:
 * "4 lines dropped" for S one, S two and S three. */
START_TEST(writer_and_pid1_count_a_line_both_cut_once)
{
	char path[256], other[256], blocker[256], said[600];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	snprintf(path, sizeof(path), "%s/sub/a.log", dir);
	snprintf(other, sizeof(other), "%s/sub/b.log", dir);
	put_file(blocker, "");                 /* a file where the directory goes */
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S one\nS tw", 0);
	writer_send(sock, other, 4096, 3, "S x\nS y", 0);
	for (int i = 0; i < 2; i++)   /* "cannot open", for each */
		ck_assert_int_gt(recv(sock, said, sizeof(said) - 1, 0), 0);
	ck_assert_int_eq(unlink(blocker), 0);
	/* refused in PID 1: "o, the rest\nS three\n", 2 newlines */
	writer_send(sock, path, 4096, 3, "S four\n", 2);
	/* refused in PID 1: "et mo" (cut), then "re\n" dropped, 1 line */
	writer_send(sock, other, 4096, 3, "S z\n", 1);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path) + LOGTIME_LEN, " [initd: 3 lines dropped]\nS four\n");
	ck_assert_str_eq(slurp(other) + LOGTIME_LEN, " [initd: 2 lines dropped]\nS z\n");
}
END_TEST

/* The writer is root; a unit that owns its log directory must not point
 * root's appends (or a keep = 0 truncation) anywhere else: not with a
 * symlink in place of the file or of a directory on the path, not with a
 * hard link. A FIFO there is refused, not waited on. The files after
 * them are still written. */
START_TEST(writer_follows_no_link_a_unit_made)
{
	char p[512], victim[256], elsewhere[256];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", dir);
	put_file(victim, "secret\n");
	ck_assert_int_eq(mkdir(elsewhere, 0755), 0);
	snprintf(p, sizeof(p), "%s/unit", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/unit/a.log", dir);
	ck_assert_int_eq(symlink(victim, p), 0);
	snprintf(p, sizeof(p), "%s/unit/b.log", dir);
	ck_assert_int_eq(symlink("../new", p), 0);
	snprintf(p, sizeof(p), "%s/unit/c.postmortem", dir);
	ck_assert_int_eq(symlink(victim, p), 0);
	snprintf(p, sizeof(p), "%s/unit/sub", dir);
	ck_assert_int_eq(symlink(elsewhere, p), 0);
	snprintf(p, sizeof(p), "%s/unit/e.log", dir);
	ck_assert_int_eq(link(victim, p), 0);
	snprintf(p, sizeof(p), "%s/unit/f.log", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/unit", dir);
	dir_give_away(p);

	pid = writer_start(&sock);
	snprintf(p, sizeof(p), "%s/unit/a.log", dir);
	writer_send(sock, p, 4096, 3, "S appended\n", 0);
	snprintf(p, sizeof(p), "%s/unit/b.log", dir);
	writer_send(sock, p, 4096, 3, "S created\n", 0);
	snprintf(p, sizeof(p), "%s/unit/c.postmortem", dir);
	writer_send(sock, p, 4096, 0, "S truncated\n", 0);
	snprintf(p, sizeof(p), "%s/unit/sub/d.log", dir);
	writer_send(sock, p, 4096, 3, "S elsewhere\n", 0);
	snprintf(p, sizeof(p), "%s/unit/e.log", dir);
	writer_send(sock, p, 4096, 3, "S hard\n", 0);
	snprintf(p, sizeof(p), "%s/unit/f.log", dir);
	writer_send(sock, p, 4096, 3, "S fifo\n", 0);
	snprintf(p, sizeof(p), "%s/unit/g.log", dir);
	writer_send(sock, p, 4096, 3, "S good\n", 0);
	writer_end(sock, pid);

	ck_assert_str_eq(slurp(victim), "secret\n");
	snprintf(p, sizeof(p), "%s/new", dir);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof(p), "%s/d.log", elsewhere);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof(p), "%s/unit/g.log", dir);
	ck_assert_str_eq(slurp(p), "S good\n");
}
END_TEST

/* keep = 0 starts the file again empty by truncating it: a file a unit
 * swapped in for a hard link to another since the writer opened it is
 * refused before anything is truncated. */
START_TEST(writer_truncates_no_link_a_unit_made)
{
	char p[512], victim[256], text[4091];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put_file(victim, "secret\n");
	snprintf(p, sizeof(p), "%s/unit", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	dir_give_away(p);
	snprintf(p, sizeof(p), "%s/unit/t.log", dir);
	memset(text, 'x', 4089);
	text[4089] = '\n';
	text[4090] = '\0';
	pid = writer_start(&sock);
	writer_send(sock, p, 4096, 0, text, 0);
	for (int i = 0; i < 500 && file_size(p) != 4090; i++)
		usleep(10000);
	ck_assert_int_eq(file_size(p), 4090);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(link(victim, p), 0);   /* as the unit would */
	writer_send(sock, p, 4096, 0, "S more than fits\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(victim), "secret\n");
}
END_TEST

/* A directory root owns keeps its symlinks' meaning: /var/log -> /data/log
 * is the administrator's. */
START_TEST(writer_follows_roots_links)
{
	char p[512], real[256];
	int sock;
	pid_t pid;

	if (geteuid() != 0) {
		skipped("writer_follows_roots_links",
			"not root: only root makes a directory root's");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(real, sizeof(real), "%s/real", dir);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	snprintf(p, sizeof(p), "%s/log", dir);
	ck_assert_int_eq(symlink(real, p), 0);
	pid = writer_start(&sock);
	snprintf(p, sizeof(p), "%s/log/sub/app.log", dir);
	writer_send(sock, p, 4096, 3, "S through\n", 0);
	writer_end(sock, pid);
	snprintf(p, sizeof(p), "%s/sub/app.log", real);
	ck_assert_str_eq(slurp(p), "S through\n");
	/* a dangling one makes its target, as an open with O_CREAT does */
	snprintf(p, sizeof(p), "%s/dangling.log", real);
	ck_assert_int_eq(symlink("target.log", p), 0);
	pid = writer_start(&sock);
	writer_send(sock, p, 4096, 3, "S made\n", 0);
	writer_end(sock, pid);
	snprintf(p, sizeof(p), "%s/target.log", real);
	ck_assert_str_eq(slurp(p), "S made\n");
}
END_TEST

/* A root link to a directory on a filesystem not mounted yet
 * (LOGDIR/app -> MNT/usb/logs, MNT/usb its empty mount point): the
 * writer makes no directory the link's target names (logs would be made
 * on the filesystem under the mount point, and hidden by it): the lines
 * are counted until the target is there. A directory the path itself
 * names past the link (sub) is still made. */
START_TEST(writer_makes_no_directory_a_link_names)
{
	char p[512], target[300], said[600];
	int sock;
	pid_t pid;

	if (geteuid() != 0) {
		skipped("writer_makes_no_directory_a_link_names",
			"not root: only root makes a directory root's");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/mnt", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/mnt/usb", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/logs", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(target, sizeof(target), "%s/mnt/usb/logs", dir);
	snprintf(p, sizeof(p), "%s/logs/app", dir);
	ck_assert_int_eq(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/logs/app/sub/app.log", dir);
	pid = writer_start(&sock);
	writer_send(sock, p, 4096, 3, "S before\n", 0);
	/* Its word to PID 1, "cannot open", says it took the record (the
	 * old walk made the directory and said nothing). */
	poll(&(struct pollfd){ .fd = sock, .events = POLLIN }, 1, 5000);
	ck_assert_int_gt(recv(sock, said, sizeof(said) - 1, MSG_DONTWAIT), 0);
	ck_assert_int_eq(file_size(target), -1);
	ck_assert_int_eq(mkdir(target, 0755), 0);                      /* "mounted" */
	writer_send(sock, p, 4096, 3, "S after\n", 0);
	writer_end(sock, pid);
	snprintf(p, sizeof(p), "%s/sub/app.log", target);
	ck_assert_ptr_nonnull(strstr(slurp(p), "Z [initd: 1 lines dropped]\nS after\n"));
}
END_TEST

/* A link root made may lead through a directory a unit owns
 * (LOGDIR/app -> OWNED/logs): there the unit may aim the rest anywhere
 * (OWNED/logs -> a directory only root may enter). The kernel, left to
 * follow root's link, went on through the unit's and made the file in
 * the secret directory, as root; the walk follows root's link itself and
 * judges each directory it leads through. */
START_TEST(writer_judges_where_roots_link_leads)
{
	char p[512], secret[256], owned[256];
	int sock;
	pid_t pid;

	if (geteuid() != 0) {
		skipped("writer_judges_where_roots_link_leads",
			"not root: only root makes a directory root's");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	ck_assert_int_eq(mkdir(secret, 0700), 0);
	snprintf(owned, sizeof(owned), "%s/owned", dir);
	ck_assert_int_eq(mkdir(owned, 0755), 0);
	snprintf(p, sizeof(p), "%s/logs", owned);
	ck_assert_int_eq(symlink(secret, p), 0);    /* as the unit would */
	dir_give_away(owned);
	snprintf(p, sizeof(p), "%s/logs", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/logs/app", dir);
	{
		char target[300];

		snprintf(target, sizeof(target), "%s/logs", owned);
		ck_assert_int_eq(symlink(target, p), 0);     /* root's, absolute */
	}
	snprintf(p, sizeof(p), "%s/logs/rel", dir);
	ck_assert_int_eq(symlink("../owned/logs", p), 0);
	snprintf(p, sizeof(p), "%s/logs/file.log", dir);
	ck_assert_int_eq(symlink("../owned/logs/file.log", p), 0);

	pid = writer_start(&sock);
	snprintf(p, sizeof(p), "%s/logs/app/app.log", dir);
	writer_send(sock, p, 4096, 3, "S absolute\n", 0);
	snprintf(p, sizeof(p), "%s/logs/rel/rel.log", dir);
	writer_send(sock, p, 4096, 3, "S relative\n", 0);
	snprintf(p, sizeof(p), "%s/logs/file.log", dir);
	writer_send(sock, p, 4096, 3, "S the file's link\n", 0);
	snprintf(p, sizeof(p), "%s/logs/good.log", dir);
	writer_send(sock, p, 4096, 3, "S good\n", 0);
	writer_end(sock, pid);

	snprintf(p, sizeof(p), "%s/app.log", secret);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof(p), "%s/rel.log", secret);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof(p), "%s/file.log", secret);
	ck_assert_int_eq(file_size(p), -1);
	snprintf(p, sizeof(p), "%s/logs/good.log", dir);
	ck_assert_str_eq(slurp(p), "S good\n");
}
END_TEST

/* A rotation the directory refuses (FILE.1 a directory that is not empty)
 * drops the lines, counted, and the writer goes on: it does not rotate the
 * same full file for ever, and the other files are written. */
START_TEST(writer_survives_a_refused_rotation)
{
	char p[256], text[3000];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/app.log.1", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/app.log.1/x", dir);
	put_file(p, "");
	memset(text, 'x', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	pid = writer_start(&sock);
	snprintf(p, sizeof(p), "%s/app.log", dir);
	for (int i = 0; i < 4; i++)
		writer_send(sock, p, 4096, 1, text, 0);
	snprintf(p, sizeof(p), "%s/b.log", dir);
	writer_send(sock, p, 4096, 1, "S other\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(p), "S other\n");
	snprintf(p, sizeof(p), "%s/app.log", dir);
	ck_assert_int_le(file_size(p), 4096);
}
END_TEST

/* n files, two rounds of a line each, then a marker file the writer
 * reaches only after them all (it takes records in order). */
static void write_rounds(int sock, int n)
{
	char path[300];

	for (int r = 0; r < 2; r++)
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/f%03d.log", dir, i);
			writer_send(sock, path, 1 << 20, 1, r ? "S two\n" : "S one\n", 0);
		}
	snprintf(path, sizeof(path), "%s/last.log", dir);
	writer_send(sock, path, 1 << 20, 1, "S last\n", 0);
	for (int i = 0; i < 500 && file_size(path) <= 0; i++)
		usleep(10000);
	ck_assert_int_gt(file_size(path), 0);
}

/* pid's open fds on log files in dir. */
static int fds_in_dir(pid_t pid)
{
	char fdd[64], p[340], target[300];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(fdd, sizeof(fdd), "/proc/%d/fd", (int)pid);
	d = opendir(fdd);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		ssize_t k;

		snprintf(p, sizeof(p), "%s/%s", fdd, e->d_name);
		k = readlink(p, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		n += strncmp(target, dir, strlen(dir)) == 0 && strstr(target, ".log") != NULL;
	}
	closedir(d);
	return n;
}

/* Until the writer holds no log file under dir (it saw, at its sync a
 * second after the last write, that the path names another file now): by
 * 8 s, before the idle close (10 s) would shut it anyway. Not a sleep
 * past the sync: a loaded machine may run the writer's timer late. */
static bool wait_shut(pid_t pid)
{
	for (int i = 0; i < 800; i++) {
		if (fds_in_dir(pid) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* Every file an appliance logs to stays open: a writer that held 64
 * closed (and synced, its directory too) one per record past them. */
START_TEST(writer_holds_many_files)
{
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	pid = writer_start(&sock);
	write_rounds(sock, 200);
	ck_assert_int_ge(fds_in_dir(pid), 201);
	writer_end(sock, pid);
}
END_TEST

/* A file moved away (logrotate) or deleted while the writer holds it:
 * at its sync, a second after the write, the writer sees that its path
 * names another file (or none) and opens the path again for the next
 * line, instead of writing on into a file nobody reads. */
START_TEST(writer_follows_a_file_moved_away)
{
	char path[256], old[300];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/moved.log", dir);
	snprintf(old, sizeof(old), "%s.old", path);
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S one\n", 0);
	for (int i = 0; i < 500 && file_size(path) <= 0; i++)
		usleep(10000);
	ck_assert_int_eq(rename(path, old), 0);
	usleep(1500000);                     /* past its sync */
	writer_send(sock, path, 4096, 3, "S two\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(old), "S one\n");
	ck_assert_str_eq(slurp(path), "S two\n");
}
END_TEST

/* The same, with the unit writing on: a line every 300 ms, none a second
 * after the last. The sync, and its check, are timed from the first line
 * not yet synced: timed from the last write they never came, and every
 * line went on into the moved file. */
START_TEST(writer_follows_a_busy_file_moved_away)
{
	char path[256], old[300];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/busy.log", dir);
	snprintf(old, sizeof(old), "%s.old", path);
	pid = writer_start(&sock);
	writer_send(sock, path, 1 << 20, 3, "S one\n", 0);
	for (int i = 0; i < 500 && file_size(path) <= 0; i++)
		usleep(10000);
	ck_assert_int_eq(rename(path, old), 0);
	for (int i = 0; i < 40 && file_size(path) < 0; i++) {
		writer_send(sock, path, 1 << 20, 3, "S more\n", 0);
		usleep(300000);
	}
	writer_end(sock, pid);
	ck_assert_int_gt(file_size(path), 0);
	ck_assert_int_eq(strncmp(slurp(old), "S one\nS more\n", 13), 0);
}
END_TEST

/* A root symlink on the path aimed elsewhere (cur -> data1, then cur ->
 * data2, as a release switch does): at the sync the writer walks the path
 * again and finds another directory, and the next line goes to data2.
 * Looking only in the directory it held, it wrote on into data1. */
START_TEST(writer_follows_a_root_link_aimed_elsewhere)
{
	char p[512], cur[256], tmp[300];
	int sock;
	pid_t pid;

	if (geteuid() != 0) {
		skipped("writer_follows_a_root_link_aimed_elsewhere",
			"not root: only root makes a directory root's");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/data1", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/data2", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(cur, sizeof(cur), "%s/cur", dir);
	snprintf(tmp, sizeof(tmp), "%s/cur.new", dir);
	ck_assert_int_eq(symlink("data1", cur), 0);
	snprintf(p, sizeof(p), "%s/cur/app.log", dir);
	pid = writer_start(&sock);
	writer_send(sock, p, 4096, 3, "S one\n", 0);
	for (int i = 0; i < 500 && file_size(p) <= 0; i++)
		usleep(10000);
	ck_assert_int_eq(symlink("data2", tmp), 0);
	ck_assert_int_eq(rename(tmp, cur), 0);
	ck_assert(wait_shut(pid));
	writer_send(sock, p, 4096, 3, "S two\n", 0);
	writer_end(sock, pid);
	snprintf(p, sizeof(p), "%s/data1/app.log", dir);
	ck_assert_str_eq(slurp(p), "S one\n");
	snprintf(p, sizeof(p), "%s/data2/app.log", dir);
	ck_assert_str_eq(slurp(p), "S two\n");
}
END_TEST

/* A filesystem mounted over the log directory after the file was opened
 * (in a mount namespace of the test's own): the next line goes to the
 * file on it, not on into the one under it. */
START_TEST(writer_follows_a_mount_over_its_directory)
{
	char p[512], d[300];
	int sock, st;
	pid_t pid, child;

	if (geteuid() != 0) {
		skipped("writer_follows_a_mount_over_its_directory",
			"not root: no mount namespace");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(d, sizeof(d), "%s/logs", dir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	snprintf(p, sizeof(p), "%s/app.log", d);
	/* The writer shares the test's namespace: a child of the test
	 * unshares it and mounts, then reports. */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(77);
		pid = writer_start(&sock);
		writer_send(sock, p, 4096, 3, "S under\n", 0);
		for (int i = 0; i < 500 && file_size(p) <= 0; i++)
			usleep(10000);
		if (mount("tmpfs", d, "tmpfs", 0, "mode=0755") < 0)
			_exit(78);
		if (!wait_shut(pid))
			_exit(1);
		writer_send(sock, p, 4096, 3, "S over\n", 0);
		writer_end(sock, pid);
		_exit(strcmp(slurp(p), "S over\n") == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skipped("writer_follows_a_mount_over_its_directory",
			"no mount namespace here");
		return;
	}
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);   /* 1: the line went under the mount */
	ck_assert_str_eq(slurp(p), "S under\n");
}
END_TEST

/* A file not written for a while is closed (its directory too): a
 * stopped unit's log does not keep its filesystem busy. The next line
 * opens it again and goes on where it was. */
START_TEST(writer_closes_an_idle_file)
{
	char path[256];
	int sock, n = -1;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/idle.log", dir);
	pid = writer_start(&sock);
	writer_send(sock, path, 4096, 3, "S one\n", 0);
	for (int i = 0; i < 500 && file_size(path) <= 0; i++)
		usleep(10000);
	ck_assert_int_eq(fds_in_dir(pid), 1);
	for (int i = 0; i < 150 && (n = fds_in_dir(pid)) > 0; i++)
		usleep(100000);
	ck_assert_int_eq(n, 0);
	writer_send(sock, path, 4096, 3, "S two\n", 0);
	writer_end(sock, pid);
	ck_assert_str_eq(slurp(path), "S one\nS two\n");
}
END_TEST

/* With few fds the table is smaller, and every line still goes in. */
START_TEST(writer_fits_its_fd_limit)
{
	char path[300];
	int sock;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	pid = writer_start_limited(&sock, RLIMIT_NOFILE, 64);
	write_rounds(sock, 40);
	writer_end(sock, pid);
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "%s/f%03d.log", dir, i);
		ck_assert_str_eq(slurp(path), "S one\nS two\n");
	}
}
END_TEST

/* ---- PID 1's side: the writer is initd-loader's mode ------------------------ */

static void writer_closed(void *data)
{
	*(int *)data = 1;
}

/* PID 1's side (initd/logwriter.c) with the writer's executable, the
 * sealed copy, on fd 3, where the child puts its socket: an initd started
 * with 0 and 1 closed (the loader's O_PATH fd takes 0, the copy's source
 * 1, the copy 3). The child must not exec the socket. Run by
 * writer_exe_on_fd_3_is_not_the_socket in a copy of this binary. */
static int sealed_on_fd_3(void)
{
	char d[] = "/tmp/test_logfile.XXXXXX";
	struct logwriter_target t = { .max_size = 1 << 20, .keep = 1 };
	struct logwriter *w = NULL;
	struct loop *l = NULL;
	int done = 0, r;

	close_range(3, ~0U, 0);
	close(0);
	close(1);
	if (loader_exe_fd() != 0 || loader_exe_sealed_fd() != 3)
		return 10;
	if (open("/dev/null", O_RDWR | O_CLOEXEC) != 1 || !mkdtemp(d))
		return 11;
	snprintf(t.path, sizeof(t.path), "%s/a.log", d);
	if (loop_new(&l) < 0 || logwriter_new(l, &w) < 0 || logwriter_send(w, &t, "hello\n", 6, 0) < 0)
		return 12;
	logwriter_close(w, 5 * USEC_PER_SEC, writer_closed, &done);
	for (int n = 0; !done && n < 600; n++)
		loop_run_once(l, 10);
	r = !done ? 13 : strcmp(slurp(t.path), "hello\n") ? 14 : 0;
	if (r)
		fprintf(stderr, "sealed_on_fd_3: %d, the file: \"%s\"\n", r, slurp(t.path));
	logwriter_free(w);
	loop_free(l);
	unlink(t.path);
	rmdir(d);
	return r;
}

START_TEST(writer_exe_on_fd_3_is_not_the_socket)
{
	test_run_self_with_loader("--sealed-on-fd-3");
}
END_TEST

/* A close whose bound cannot be armed ends at once: unbounded, a writer
 * that is stuck (stopped here) held the end for good. Run by
 * a_close_without_its_bound_ends_at_once in a copy of this binary. */
static int close_unbounded(void)
{
	char d[] = "/tmp/test_logfile.XXXXXX";
	struct logwriter_target t = { .max_size = 1 << 20, .keep = 1 };
	struct logwriter *w = NULL;
	struct loop *l = NULL;
	int done = 0, n;
	pid_t pid;

	if (!mkdtemp(d))
		return 10;
	snprintf(t.path, sizeof(t.path), "%s/a.log", d);
	if (loop_new(&l) < 0 || logwriter_new(l, &w) < 0 || logwriter_send(w, &t, "a\n", 2, 0) < 0)
		return 11;
	pid = logwriter_pid(w);
	if (pid <= 0 || kill(pid, SIGSTOP) < 0)
		return 12;
	timers_fail = true;
	logwriter_close(w, 5 * USEC_PER_SEC, writer_closed, &done);
	timers_fail = false;
	for (n = 0; !done && n < 100; n++)
		loop_run_once(l, 10);
	kill(pid, SIGKILL);
	logwriter_free(w);
	loop_free(l);
	unlink(t.path);
	rmdir(d);
	return done ? 0 : 13;
}

START_TEST(a_close_without_its_bound_ends_at_once)
{
	test_run_self_with_loader("--close-unbounded");
}
END_TEST

/* The last bytes of path, as a string. */
static const char *file_tail(const char *path, size_t n)
{
	static char text[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = -1;

	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	if (fd >= 0 && lseek(fd, -(off_t)n, SEEK_END) >= 0)
		got = read(fd, text, n);
	if (fd >= 0)
		close(fd);
	text[got > 0 ? got : 0] = '\0';
	return text;
}

/* The writer dies during the final flush (shutdown_done's close) while PID
 * 1 still queues records for it: stopped, so that its socket fills and the
 * rest stays queued, then killed. A writer started again writes what was
 * still queued, the last record last; only what the dead one had taken is
 * lost. Run by a_writer_dead_while_closing_is_started_again in a copy of
 * this binary (the writer is this binary's copy named initd-loader). */
static int writer_dies_while_closing(void)
{
	char d[] = "/tmp/test_logfile.XXXXXX", line[4000];
	struct logwriter_target t = { .max_size = 64 << 20, .keep = 1 };
	struct logwriter *w = NULL;
	struct loop *l = NULL;
	int done = 0, r;
	pid_t pid;

	if (!mkdtemp(d))
		return 10;
	snprintf(t.path, sizeof(t.path), "%s/a.log", d);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	if (loop_new(&l) < 0 || logwriter_new(l, &w) < 0 || logwriter_send(w, &t, "first\n", 6, 0) < 0)
		return 11;
	pid = logwriter_pid(w);
	if (pid <= 0 || kill(pid, SIGSTOP) < 0)
		return 12;
	/* 160 KiB: more than its socket takes, less than PID 1's queue */
	for (int i = 0; i < 40; i++)
		if (logwriter_send(w, &t, line, sizeof(line), 0) < 0)
			return 13;
	if (logwriter_send(w, &t, "last\n", 5, 0) < 0)
		return 14;
	logwriter_close(w, 5 * USEC_PER_SEC, writer_closed, &done);
	kill(pid, SIGKILL);
	for (int n = 0; !done && n < 600; n++)
		loop_run_once(l, 10);
	r = !done ? 15 : strcmp(file_tail(t.path, 6), "\nlast\n") ? 16 : 0;
	if (r)
		fprintf(stderr, "writer_dies_while_closing: %d, the file ends \"%s\"\n", r,
			file_tail(t.path, 20));
	logwriter_free(w);
	loop_free(l);
	unlink(t.path);
	rmdir(d);
	return r;
}

START_TEST(a_writer_dead_while_closing_is_started_again)
{
	test_run_self_with_loader("--dies-while-closing");
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	/* This binary as initd-loader's log writer, or as the PID 1 side of
	 * writer_exe_on_fd_3_is_not_the_socket. */
	if (logwriter_requested(argc, argv))
		logwriter_main();
	if (argc == 2 && !strcmp(argv[1], "--sealed-on-fd-3"))
		return sealed_on_fd_3();
	if (argc == 2 && !strcmp(argv[1], "--dies-while-closing"))
		return writer_dies_while_closing();
	if (argc == 2 && !strcmp(argv[1], "--close-unbounded"))
		return close_unbounded();
	s = suite_create("logfile");
	tc = tcase_create("logfile");
	/* the copy of this binary waits up to 6 s for its writer */
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, NULL, dir_remove);
	tcase_add_test(tc, stamp_format_and_parse);
	tcase_add_test(tc, calendar_matches_libc);
	tcase_add_test(tc, arguments);
	tcase_add_test(tc, stamping_is_cut_proof);
	tcase_add_test(tc, ring_line_after);
	tcase_add_test(tc, writer_rotates_keeping_n);
	tcase_add_test(tc, writer_appends_and_marks_drops);
	tcase_add_test(tc, writer_puts_a_postmortem_beside_the_log_file);
	tcase_add_test(tc, writer_refuses_bad_records);
	tcase_add_test(tc, writer_follows_no_link_a_unit_made);
	tcase_add_test(tc, writer_follows_roots_links);
	tcase_add_test(tc, writer_judges_where_roots_link_leads);
	tcase_add_test(tc, writer_makes_no_directory_a_link_names);
	tcase_add_test(tc, writer_truncates_no_link_a_unit_made);
	tcase_add_test(tc, writer_survives_a_refused_rotation);
	tcase_add_test(tc, writer_keeps_a_cut_line_whole);
	tcase_add_test(tc, writer_exe_on_fd_3_is_not_the_socket);
	tcase_add_test(tc, a_writer_dead_while_closing_is_started_again);
	tcase_add_test(tc, a_close_without_its_bound_ends_at_once);
	tcase_add_test(tc, writer_counts_what_it_could_not_open);
	tcase_add_test(tc, writer_drops_the_rest_of_a_line_it_cut);
	tcase_add_test(tc, writer_and_pid1_count_a_line_both_cut_once);
	tcase_add_test(tc, writer_bounds_a_line_that_never_ends);
	tcase_add_test(tc, writer_leaves_no_cut_line_on_a_full_disk);
	tcase_add_test(tc, writer_counts_a_cut_piece_of_a_line);
	tcase_add_test(tc, writer_cuts_no_byte_another_program_appended);
	tcase_add_test(tc, writer_ends_a_line_it_did_not_write);
	tcase_add_test(tc, writer_leaves_a_file_it_cannot_rotate_alone);
	tcase_add_test(tc, writer_is_not_held_by_a_stuck_device);
	tcase_add_test(tc, writer_holds_many_files);
	tcase_add_test(tc, writer_fits_its_fd_limit);
	tcase_add_test(tc, writer_follows_a_file_moved_away);
	tcase_add_test(tc, writer_follows_a_busy_file_moved_away);
	tcase_add_test(tc, writer_follows_a_root_link_aimed_elsewhere);
	tcase_add_test(tc, writer_follows_a_mount_over_its_directory);
	tcase_add_test(tc, writer_closes_an_idle_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
